/* test_encode_net.c - the network's status and events (channel/encode_net.c),
 * byte for byte as docs/protocol.md shows them: key order, null for what is
 * not known, "family" and "via" for a route, "address" for an address. */
#include "tests/unit/unit.h"
#include "channel/encode_net.h"

static const char *members(void (*fn)(struct jw *))
{
	static char buf[4096];
	struct jw w;
	jw_init(&w, buf, sizeof(buf) - 1);
	jw_obj(&w);
	fn(&w);
	jw_end(&w);
	cr_assert_eq(w.overflow, 0, "overflow");
	buf[w.len] = '\0';
	return buf;
}

static void status_partial(struct jw *w)
{
	const char *servers[] = { "10.0.2.3" };
	char *search[] = { "example.test", NULL };
	const struct enc_net_iface web = { "web", "eth0", "52:54:00:12:34:56", NULL, 1500, 1 };
	const struct enc_net_iface ghost = { "ghost", NULL, "52:54:00:00:00:99", "no link with MAC 52:54:00:00:00:99", -1, 0 };
	const struct enc_net_dns d = { servers, 1, search, 1, "/etc/resolv.conf", "/etc/hosts", NULL };
	enc_net_begin(w, "partial", 1);
	enc_net_iface_begin(w, &web);
	enc_net_item(w, NULL, "10.0.2.20/24", 1, NULL);
	enc_net_item(w, NULL, "ff02::1/64", 0, "ff02::1/64: Address not available");
	enc_net_routes(w);
	enc_net_item(w, "inet", "10.0.2.2", 1, NULL);
	enc_net_iface_end(w);
	enc_net_iface_begin(w, &ghost);
	enc_net_item(w, NULL, "198.51.100.2/24", 0, NULL);
	enc_net_routes(w);
	enc_net_iface_end(w);
	enc_net_end(w, &d);
}

Test(encode_net, status)
{
	cr_assert_str_eq(members(status_partial),
		"{\"network\":{\"state\":\"partial\",\"required\":true,\"interfaces\":["
		"{\"name\":\"web\",\"device\":\"eth0\",\"mac\":\"52:54:00:12:34:56\",\"mtu\":1500,\"up\":true,\"error\":null,"
		"\"addresses\":[{\"address\":\"10.0.2.20/24\",\"applied\":true,\"error\":null},"
		"{\"address\":\"ff02::1/64\",\"applied\":false,\"error\":\"ff02::1/64: Address not available\"}],"
		"\"routes\":[{\"family\":\"inet\",\"via\":\"10.0.2.2\",\"applied\":true,\"error\":null}]},"
		"{\"name\":\"ghost\",\"device\":null,\"mac\":\"52:54:00:00:00:99\",\"mtu\":null,\"up\":false,"
		"\"error\":\"no link with MAC 52:54:00:00:00:99\","
		"\"addresses\":[{\"address\":\"198.51.100.2/24\",\"applied\":false,\"error\":null}],\"routes\":[]}],"
		"\"dns\":{\"servers\":[\"10.0.2.3\"],\"search\":[\"example.test\"],\"resolv_conf\":\"/etc/resolv.conf\","
		"\"hosts\":\"/etc/hosts\",\"error\":null}}}");
}

static void status_off(struct jw *w)
{
	const struct enc_net_dns d = { 0 };
	enc_net_begin(w, "off", 0);
	enc_net_end(w, &d);
}

Test(encode_net, off)
{
	cr_assert_str_eq(members(status_off),
		"{\"network\":{\"state\":\"off\",\"required\":false,\"interfaces\":[],"
		"\"dns\":{\"servers\":[],\"search\":[],\"resolv_conf\":null,\"hosts\":null,\"error\":null}}}");
}

static void events(struct jw *w)
{
	enc_ev_net_failed(w, "web", "eth0", "address", "ff02::1/64", "ff02::1/64: Address not available");
}

static void applied(struct jw *w)
{
	enc_ev_net_applied(w, "partial", 2, 1);
}

Test(encode_net, events)
{
	cr_assert_str_eq(members(events),
		"{\"type\":\"network.failed\",\"interface\":\"web\",\"device\":\"eth0\",\"step\":\"address\","
		"\"item\":\"ff02::1/64\",\"error\":\"ff02::1/64: Address not available\"}");
	cr_assert_str_eq(members(applied), "{\"type\":\"network.applied\",\"state\":\"partial\",\"interfaces\":2,\"failures\":1}");
}
