/* test_network_fields.c - the guest's network sections (docs/spec.md section
 * 5): [guest.network] (required, DNS servers and search domains, extra
 * hosts) and [guest.network.interfaces.NAME] (mac, mtu, addresses,
 * gateways): values kept in binary, every error at its line, the rules
 * across interfaces, and the canonical form. */
#include "tests/unit/spec/spec_test.h"

#include <arpa/inet.h>
#include <sys/socket.h>

/* [guest.network] at line 5, its keys from line 6. */
#define NET(keys) BASE "[guest.network]\n" keys
/* An interface eth0 at line 5, its keys from line 6. */
#define IFACE(keys) BASE "[guest.network.interfaces.eth0]\n" keys

static void assert_ip(const struct spec_ip *ip, const char *text)
{
	char buf[64];
	cr_assert_eq(spec_ip_print(ip, buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, text);
}

/* ==== values ==== */

Test(network_fields, none_means_none)
{
	struct spec *s = load_ok(BASE);
	char *out = unit_print(s);
	cr_assert_eq(s->net.set, 0);
	cr_assert_eq(s->net.nifaces, 0);
	cr_assert_null(strstr(out, "network"));
	free(out);
	spec_free(s);
}

Test(network_fields, a_whole_network)
{
	struct spec *s = load_ok(NET("required = true\n"
				     "dns_servers = [\"10.0.2.3\", \"FEC0::3\"]\n"
				     "dns_search = [\"internal\", \"example.com\"]\n"
				     "hosts = [\"10.0.0.5 db.internal db\"]\n")
				 "[guest.network.interfaces.eth0]\n"
				 "mac = \"52:54:00:AB:cd:EF\"\nmtu = 1400\n"
				 "addresses = [\"10.0.2.15/24\", \"fec0::15/64\"]\n"
				 "gateway4 = \"10.0.2.2\"\ngateway6 = \"fe80::1\"\n");
	const struct spec_iface *f = &s->net.ifaces[0];
	static const unsigned char mac[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };
	cr_assert(s->net.set && s->net.required);
	cr_assert_eq(s->net.link_wait, SPEC_NET_LINK_WAIT_DEFAULT);
	cr_assert_eq(s->net.ndns, 2);
	assert_ip(&s->net.dns[0], "10.0.2.3");
	assert_ip(&s->net.dns[1], "fec0::3");
	cr_assert_eq(s->net.dns[1].family, AF_INET6);
	cr_assert_eq(s->net.search.n, 2);
	cr_assert_eq(s->net.hosts.n, 1);
	cr_assert_eq(s->net.nifaces, 1);
	cr_assert_str_eq(f->name, "eth0");
	cr_assert_eq(f->line, 10);
	cr_assert(f->has_mac && !memcmp(f->mac, mac, 6));
	cr_assert_eq(f->mtu, 1400);
	cr_assert_eq(f->naddrs, 2);
	assert_ip(&f->addrs[0], "10.0.2.15/24");
	assert_ip(&f->addrs[1], "fec0::15/64");
	assert_ip(&f->gw4, "10.0.2.2");
	assert_ip(&f->gw6, "fe80::1");
	spec_free(s);
}

Test(network_fields, one_interface_needs_no_mac)
{
	struct spec *s = load_ok(IFACE("addresses = [\"fdaa::2/64\"]\ngateway6 = \"fdaa::1\"\n"));
	cr_assert_eq(s->net.ifaces[0].has_mac, 0);
	cr_assert_eq(s->net.ifaces[0].mtu, 0);
	cr_assert_eq(s->net.ifaces[0].gw4.family, 0);
	cr_assert_eq(s->net.required, 0);
	spec_free(s);
}

/* ==== errors, each at its line ==== */

Test(network_fields, bad_addresses)
{
	expect_error(IFACE("addresses = [\"10.0.2.15\"]\n"),
		     "t.ini:6: guest.network.interfaces.eth0.addresses: \"10.0.2.15\": not ADDRESS/PREFIX");
	expect_error(IFACE("addresses = [\"10.0.2.15/33\"]\n"), "\"10.0.2.15/33\": the prefix must be 1 to 32");
	expect_error(IFACE("addresses = [\"fdaa::1/129\"]\n"), "\"fdaa::1/129\": the prefix must be 1 to 128");
	expect_error(IFACE("addresses = [\"fdaa::1/0\"]\n"), "the prefix must be 1 to 128");
	expect_error(IFACE("addresses = [\"fdaa::1/064\"]\n"), "the prefix must be 1 to 128");
	expect_error(IFACE("addresses = [\"fdaa::1/6x\"]\n"), "the prefix must be 1 to 128");
	expect_error(IFACE("addresses = [\"10.2.15/24\"]\n"), "\"10.2.15/24\": not ADDRESS/PREFIX");
	expect_error(IFACE("addresses = [\"fdaa::1/64\", \"FDAA::1/64\"]\n"), "\"FDAA::1/64\" is given twice");
	expect_error(IFACE("addresses = \"10.0.0.1/8\"\n"), "t.ini:6: guest.network.interfaces.eth0.addresses:");
}

Test(network_fields, bad_interface_keys)
{
	expect_error(IFACE("mac = \"52:54:00:12:34\"\n"), "t.ini:6: guest.network.interfaces.eth0.mac: "
		     "\"52:54:00:12:34\" is not a MAC address");
	expect_error(IFACE("mac = \"52-54-00-12-34-56\"\n"), "is not a MAC address");
	expect_error(IFACE("mac = \"01:00:5e:00:00:01\"\n"), "\"01:00:5e:00:00:01\" is a multicast address");
	expect_error(IFACE("mtu = 67\n"), "t.ini:6: guest.network.interfaces.eth0.mtu: must be between 68 and 65535");
	expect_error(IFACE("addresses = [\"fdaa::2/64\"]\nmtu = 1279\n"),
		     "t.ini:7: guest.network.interfaces.eth0.mtu: 1279 is below 1280, IPv6's minimum");
	expect_no_error(IFACE("addresses = [\"10.0.0.2/8\"]\nmtu = 576\n"), "mtu");
	expect_error(IFACE("gateway4 = \"10.0.0.1\"\n"),
		     "t.ini:6: guest.network.interfaces.eth0.gateway4: \"10.0.0.1\": the interface has no IPv4 address");
	expect_error(IFACE("addresses = [\"10.0.0.2/8\"]\ngateway6 = \"10.0.0.1\"\n"),
		     "gateway6: \"10.0.0.1\" is not an IPv6 address");
	expect_error(IFACE("addresses = [\"10.0.0.2/8\"]\ngateway4 = \"10.0.0.1/8\"\n"),
		     "gateway4: \"10.0.0.1/8\" is not an IPv4 address");
	/* A link-local IPv6 gateway needs no IPv6 address of the interface's. */
	expect_no_error(IFACE("addresses = [\"10.0.0.2/8\"]\ngateway6 = \"fe80::1\"\n"), "gateway6");
	expect_error(BASE "[guest.network.interfaces.Eth0]\n", "t.ini:5: guest.network.interfaces.Eth0: "
		     "the interface's name must be");
	expect_error(BASE "[guest.network.interfaces.eth0]\nspeed = 10\n",
		     "t.ini:6: guest.network.interfaces.eth0.speed: unknown key");
}

Test(network_fields, bad_network_keys)
{
	expect_error(NET("dns_servers = [\"1.1.1.1\", \"8.8.8.8\", \"9.9.9.9\", \"::1\"]\n"),
		     "t.ini:6: guest.network.dns_servers: 4 servers: at most 3");
	expect_error(NET("dns_servers = [\"dns.google\"]\n"), "\"dns.google\": not an IPv4 or IPv6 address");
	expect_error(NET("dns_servers = [\"10.0.0.1/8\"]\n"), "\"10.0.0.1/8\": not an IPv4 or IPv6 address");
	expect_error(NET("dns_search = [\"a\", \"b\", \"c\", \"d\", \"e\", \"f\", \"g\"]\n"), "7 domains: at most 6");
	expect_error(NET("dns_search = [\"-a.example\"]\n"), "t.ini:6: guest.network.dns_search: \"-a.example\" "
		     "is not a domain name");
	expect_error(NET("dns_search = [\"a..b\"]\n"), "\"a..b\" is not a domain name");
	expect_error(NET("hosts = [\"db\"]\n"), "t.ini:6: guest.network.hosts: \"db\": must start with an IPv4 or IPv6");
	expect_error(NET("hosts = [\"10.0.0.5\"]\n"), "needs at least one name after the address");
	expect_error(NET("hosts = [\"10.0.0.5 db # x\"]\n"), "no tab or #");
	expect_error(NET("hosts = [\"10.0.0.5 d_b\"]\n"), "a name is not a host name");
	expect_error(NET("required = \"yes\"\n"), "t.ini:6: guest.network.required:");
	expect_error(NET("link_wait_seconds = 301\n"), "t.ini:6: guest.network.link_wait_seconds:");
	expect_error(NET("link_wait_seconds = -1\n"), "t.ini:6: guest.network.link_wait_seconds:");
}

Test(network_fields, across_interfaces)
{
	const char *two = BASE
		"[guest.network.interfaces.eth0]\naddresses = [\"10.0.0.2/8\"]\n"          /* 5 */
		"[guest.network.interfaces.eth1]\nmac = \"52:54:00:00:00:01\"\n"           /* 7 */
		"addresses = [\"10.0.0.2/8\"]\n";
	expect_error(two, "t.ini:5: guest.network.interfaces.eth0: mac is required when more than one interface",
		     "t.ini:7: guest.network.interfaces.eth1: address 10.0.0.2/8 is also interface eth0's");
	expect_error(BASE "[guest.network.interfaces.a]\nmac = \"52:54:00:00:00:01\"\n"
		     "[guest.network.interfaces.b]\nmac = \"52:54:00:00:00:01\"\n",
		     "t.ini:7: guest.network.interfaces.b: the same mac as interface a");
	char *many = fmt(BASE "%s", "");
	for (int i = 0; i <= SPEC_NET_MAX_IFACES; i++) {
		char *next = fmt("%s[guest.network.interfaces.e%d]\nmac = \"52:54:00:00:00:%02x\"\n", many, i, i + 1);
		free(many);
		many = next;
	}
	expect_error(many, "guest.network.interfaces.e8: more than 8 interfaces");
	free(many);
}

/* ==== canonical form ==== */

Test(network_fields, canonical_form)
{
	struct spec *s = load_ok(BASE
		"[guest.network.interfaces.eth0]\ngateway6 = \"FEC0::2\"\naddresses = [\"FEC0:0::15/64\", \"10.0.2.15/24\"]\n"
		"mac = \"52:54:00:AB:CD:EF\"\n"
		"[guest.network]\nhosts = [\"10.0.0.5 db\"]\ndns_servers = [\"::1\"]\n");
	char *out = unit_print(s), *again;
	struct spec *s2;
	const char *want =
		"\n[guest.network]\nrequired = false\nlink_wait_seconds = 5\ndns_servers = [ \"::1\" ]\nhosts = [ \"10.0.0.5 db\" ]\n"
		"\n[guest.network.interfaces.eth0]\nmac = \"52:54:00:ab:cd:ef\"\n"
		"addresses = [ \"fec0::15/64\", \"10.0.2.15/24\" ]\ngateway6 = \"fec0::2\"\n";
	cr_assert(strstr(out, want), "canonical form:\n%s\n--- want:\n%s", out, want);
	s2 = load_ok(out);
	again = unit_print(s2);
	cr_assert_str_eq(again, out);
	free(again);
	free(out);
	spec_free(s2);
	spec_free(s);
}
