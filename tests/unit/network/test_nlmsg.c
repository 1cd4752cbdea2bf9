/* test_nlmsg.c - the rtnetlink messages (network/nlmsg.c): each request byte
 * for byte against one made with the kernel's structs (nl_test.h), refused
 * whole at every buffer size too small; the reply parsers on crafted buffers
 * cut at every length, with bad lengths and attributes that overrun, acks
 * with errors; the text forms of addresses and MACs. Parsed bytes are copied
 * to buffers of exactly their length, so that a read past the end is
 * AddressSanitizer's crash. */
#include "nl_test.h"

#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/if_arp.h>
#include <linux/if_link.h>

typedef int (*build_fn)(void *buf, size_t cap, size_t *ret_len);

static void assert_same(const uint8_t *got, size_t len, const struct nl_t_msg *e)
{
	cr_assert_eq(len, e->len, "length %zu, expected %zu", len, e->len);
	for (size_t i = 0; i < len; i++)
		cr_assert_eq(got[i], e->b[i], "byte %zu: %#x, expected %#x", i, got[i], e->b[i]);
}

/* build must make exactly e, and refuse every smaller buffer whole. */
static void check_build(build_fn build, const struct nl_t_msg *e)
{
	uint8_t buf[1024];
	size_t len = 12345;
	memset(buf, 0xa5, sizeof(buf));
	cr_assert_eq(build(buf, sizeof(buf), &len), 0, "%s", strerror(errno));
	assert_same(buf, len, e);
	for (size_t i = e->len; i < sizeof(buf); i++)
		cr_assert_eq(buf[i], 0xa5, "written past the request at %zu", i);
	for (size_t cap = 0; cap < e->len; cap++) {
		uint8_t *small = malloc(cap ? cap : 1);
		len = 12345;
		errno = 0;
		cr_assert_eq(build(cap ? small : NULL, cap, &len), -1, "fits in %zu bytes", cap);
		cr_assert_eq(errno, EMSGSIZE);
		cr_assert_eq(len, 12345, "ret_len touched on failure");
		free(small);
	}
	cr_assert_eq(build(buf, e->len, &len), 0, "no room for exactly %zu", e->len);
}

static int b_getlink(void *buf, size_t cap, size_t *ret_len)
{
	return nlmsg_getlink(buf, cap, 7, ret_len);
}

Test(nlmsg_build, getlink_dump)
{
	struct nl_t_msg e;
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	nl_t_begin(&e, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 7, &ifi, sizeof(ifi));
	nl_t_end(&e);
	check_build(b_getlink, &e);
}

static int b_setlink_up(void *buf, size_t cap, size_t *ret_len)
{
	return nlmsg_setlink(buf, cap, 0xfffffffe, 3, 1, 1400, ret_len);
}

static int b_setlink_down(void *buf, size_t cap, size_t *ret_len)
{
	return nlmsg_setlink(buf, cap, 1, 12, 0, 0, ret_len);
}

Test(nlmsg_build, setlink)
{
	struct nl_t_msg e;
	struct ifinfomsg ifi = { .ifi_index = 3, .ifi_flags = IFF_UP, .ifi_change = IFF_UP };
	nl_t_begin(&e, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, 0xfffffffe, &ifi, sizeof(ifi));
	nl_t_attr32(&e, IFLA_MTU, 1400);
	nl_t_end(&e);
	check_build(b_setlink_up, &e);

	/* down, MTU left alone: no IFLA_MTU at all */
	ifi = (struct ifinfomsg){ .ifi_index = 12, .ifi_flags = 0, .ifi_change = IFF_UP };
	nl_t_begin(&e, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, 1, &ifi, sizeof(ifi));
	nl_t_end(&e);
	check_build(b_setlink_down, &e);
}

static struct nlmsg_addr t_addr(const char *s)
{
	struct nlmsg_addr a;
	cr_assert_eq(nlmsg_parse_prefix(s, &a), 0, "%s", s);
	return a;
}

static int b_addr4(void *buf, size_t cap, size_t *ret_len)
{
	struct nlmsg_addr a = t_addr("192.0.2.10/24");
	return nlmsg_newaddr(buf, cap, 42, 2, &a, 0, ret_len);
}

static int b_addr6(void *buf, size_t cap, size_t *ret_len)
{
	struct nlmsg_addr a = t_addr("2001:db8::10/64");
	return nlmsg_newaddr(buf, cap, 43, 2, &a, IFA_F_NODAD, ret_len);
}

static int b_addr6_wide(void *buf, size_t cap, size_t *ret_len)
{
	struct nlmsg_addr a = t_addr("2001:db8::10/64");
	return nlmsg_newaddr(buf, cap, 44, 2, &a, IFA_F_NODAD | IFA_F_NOPREFIXROUTE, ret_len);
}

Test(nlmsg_build, newaddr)
{
	struct nl_t_msg e;
	uint16_t fl = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE;
	struct ifaddrmsg ifa = { .ifa_family = AF_INET, .ifa_prefixlen = 24, .ifa_index = 2 };
	uint8_t v4[4] = { 192, 0, 2, 10 };
	uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x10 };
	nl_t_begin(&e, RTM_NEWADDR, fl, 42, &ifa, sizeof(ifa));
	nl_t_attr(&e, IFA_LOCAL, v4, 4);
	nl_t_attr(&e, IFA_ADDRESS, v4, 4);
	nl_t_attr32(&e, IFA_FLAGS, 0);
	nl_t_end(&e);
	check_build(b_addr4, &e);

	ifa = (struct ifaddrmsg){ .ifa_family = AF_INET6, .ifa_prefixlen = 64, .ifa_flags = IFA_F_NODAD,
				  .ifa_index = 2 };
	nl_t_begin(&e, RTM_NEWADDR, fl, 43, &ifa, sizeof(ifa));
	nl_t_attr(&e, IFA_ADDRESS, v6, 16);
	nl_t_attr32(&e, IFA_FLAGS, IFA_F_NODAD);
	nl_t_end(&e);
	check_build(b_addr6, &e);

	/* a flag above the old 8 bits is in IFA_FLAGS only */
	nl_t_begin(&e, RTM_NEWADDR, fl, 44, &ifa, sizeof(ifa));
	nl_t_attr(&e, IFA_ADDRESS, v6, 16);
	nl_t_attr32(&e, IFA_FLAGS, IFA_F_NODAD | IFA_F_NOPREFIXROUTE);
	nl_t_end(&e);
	check_build(b_addr6_wide, &e);
}

static int b_route4(void *buf, size_t cap, size_t *ret_len)
{
	struct nlmsg_addr gw;
	cr_assert_eq(nlmsg_parse_addr("192.0.2.1", &gw), 0);
	return nlmsg_defroute(buf, cap, 5, AF_INET, &gw, 2, ret_len);
}

static int b_route6(void *buf, size_t cap, size_t *ret_len)
{
	struct nlmsg_addr gw;
	cr_assert_eq(nlmsg_parse_addr("2001:db8::1", &gw), 0);
	return nlmsg_defroute(buf, cap, 6, AF_INET6, &gw, 2, ret_len);
}

static int b_route_link(void *buf, size_t cap, size_t *ret_len)
{
	return nlmsg_defroute(buf, cap, 8, AF_INET, NULL, 9, ret_len);
}

Test(nlmsg_build, default_route)
{
	struct nl_t_msg e;
	uint16_t fl = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE;
	struct rtmsg rtm = { .rtm_family = AF_INET, .rtm_table = RT_TABLE_MAIN, .rtm_protocol = RTPROT_STATIC,
			     .rtm_scope = RT_SCOPE_UNIVERSE, .rtm_type = RTN_UNICAST };
	uint8_t v4[4] = { 192, 0, 2, 1 };
	uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	nl_t_begin(&e, RTM_NEWROUTE, fl, 5, &rtm, sizeof(rtm));
	nl_t_attr(&e, RTA_GATEWAY, v4, 4);
	nl_t_attr32(&e, RTA_OIF, 2);
	nl_t_end(&e);
	check_build(b_route4, &e);

	rtm.rtm_family = AF_INET6;
	nl_t_begin(&e, RTM_NEWROUTE, fl, 6, &rtm, sizeof(rtm));
	nl_t_attr(&e, RTA_GATEWAY, v6, 16);
	nl_t_attr32(&e, RTA_OIF, 2);
	nl_t_end(&e);
	check_build(b_route6, &e);

	/* no gateway: a route on the link */
	rtm.rtm_family = AF_INET;
	rtm.rtm_scope = RT_SCOPE_LINK;
	nl_t_begin(&e, RTM_NEWROUTE, fl, 8, &rtm, sizeof(rtm));
	nl_t_attr32(&e, RTA_OIF, 9);
	nl_t_end(&e);
	check_build(b_route_link, &e);
}

Test(nlmsg_build, bad_arguments)
{
	uint8_t buf[256];
	size_t len = 77;
	struct nlmsg_addr a4 = t_addr("192.0.2.10/24"), a6 = t_addr("2001:db8::10/64"), bad = a4;
	cr_assert_eq(nlmsg_setlink(buf, sizeof(buf), 1, 0, 1, 0, &len), -1);
	cr_assert_eq(errno, EINVAL);
	cr_assert_eq(nlmsg_setlink(buf, sizeof(buf), 1, -3, 1, 0, &len), -1);
	cr_assert_eq(nlmsg_newaddr(buf, sizeof(buf), 1, 0, &a4, 0, &len), -1);
	bad.family = AF_UNIX;
	cr_assert_eq(nlmsg_newaddr(buf, sizeof(buf), 1, 2, &bad, 0, &len), -1);
	cr_assert_eq(errno, EINVAL);
	bad = a4;
	bad.prefix = 33;
	cr_assert_eq(nlmsg_newaddr(buf, sizeof(buf), 1, 2, &bad, 0, &len), -1);
	bad = a6;
	bad.prefix = 129;
	cr_assert_eq(nlmsg_newaddr(buf, sizeof(buf), 1, 2, &bad, 0, &len), -1);
	cr_assert_eq(nlmsg_defroute(buf, sizeof(buf), 1, AF_INET6, &a4, 2, &len), -1, "family mismatch");
	cr_assert_eq(errno, EINVAL);
	cr_assert_eq(nlmsg_defroute(buf, sizeof(buf), 1, AF_UNIX, NULL, 2, &len), -1);
	cr_assert_eq(nlmsg_defroute(buf, sizeof(buf), 1, AF_INET, &a4, 0, &len), -1);
	cr_assert_eq(len, 77, "ret_len touched on failure");
}

/* ---- replies ---- */

/* An exact-size copy of m[0..n). */
static uint8_t *dup_n(const void *m, size_t n)
{
	uint8_t *b = malloc(n ? n : 1);
	cr_assert_not_null(b);
	memcpy(b, m, n);
	return b;
}

static void t_ack(struct nl_t_msg *e, uint32_t seq, int error, uint32_t len)
{
	struct nlmsgerr err = { .error = error, .msg = { .nlmsg_len = 32, .nlmsg_type = RTM_NEWADDR,
							 .nlmsg_seq = seq } };
	uint8_t payload[64] = { 0 };   /* len may ask for the echoed request too */
	memcpy(payload, &err, sizeof(err));
	nl_t_begin(e, NLMSG_ERROR, 0, seq, payload, len);
	nl_t_end(e);
}

/* A link as the kernel sends it: "eth0", a MAC, MTU 1500, and attributes
 * the parser does not want (stats, a nested one) around them. Attribute k
 * ends at payload offset lo[k], its padding at hi[k]: IFNAME 0, TXQLEN 1,
 * ADDRESS 2, STATS64 3, LINKINFO 4, MTU 5. */
#define T_LINK_ATTRS 6
static void t_link(struct nl_t_msg *e, size_t lo[T_LINK_ATTRS], size_t hi[T_LINK_ATTRS])
{
	struct ifinfomsg ifi = { .ifi_type = ARPHRD_ETHER, .ifi_index = 3,
				 .ifi_flags = IFF_UP | IFF_BROADCAST | IFF_RUNNING };
	uint8_t mac[6] = { 0x02, 0x00, 0x5e, 0x10, 0x20, 0xff }, stats[40], kind[12];
	uint32_t txq = 1000, mtu = 1500;
	struct { uint16_t type; const void *d; size_t n; } at[T_LINK_ATTRS] = {
		{ IFLA_IFNAME, "eth0", 5 }, { IFLA_TXQLEN, &txq, 4 }, { IFLA_ADDRESS, mac, 6 },
		{ IFLA_STATS64, stats, sizeof(stats) }, { IFLA_LINKINFO | NLA_F_NESTED, kind, sizeof(kind) },
		{ IFLA_MTU, &mtu, 4 },
	};
	memset(stats, 0x77, sizeof(stats));
	memset(kind, 0, sizeof(kind));
	nl_t_begin(e, RTM_NEWLINK, NLM_F_MULTI, 9, &ifi, sizeof(ifi));
	for (int k = 0; k < T_LINK_ATTRS; k++) {
		lo[k] = e->len - NLMSG_HDRLEN + RTA_LENGTH(at[k].n);
		nl_t_attr(e, at[k].type, at[k].d, at[k].n);
		hi[k] = e->len - NLMSG_HDRLEN;
	}
	nl_t_end(e);
}

Test(nlmsg_parse, walks_messages_and_reads_headers)
{
	struct nl_t_msg a, l, d;
	uint8_t all[3072];
	size_t lo[T_LINK_ATTRS], hi[T_LINK_ATTRS], off = 0, n;
	struct nlmsg_msg m;
	int32_t zero = 0;
	t_ack(&a, 4, -ENODEV, sizeof(struct nlmsgerr));
	t_link(&l, lo, hi);
	nl_t_begin(&d, NLMSG_DONE, NLM_F_MULTI, 9, &zero, 4);
	nl_t_end(&d);
	memcpy(all, a.b, a.len);
	memcpy(all + a.len, l.b, l.len);
	memcpy(all + a.len + l.len, d.b, d.len);
	n = a.len + l.len + d.len;
	uint8_t *b = dup_n(all, n);
	cr_assert_eq(nlmsg_next(b, n, &off, &m), 1);
	cr_assert_eq(m.type, NLMSG_ERROR);
	cr_assert_eq(m.seq, 4);
	cr_assert_eq(m.len, sizeof(struct nlmsgerr));
	cr_assert_eq(m.data, b + NLMSG_HDRLEN);
	cr_assert_eq(off, a.len);
	cr_assert_eq(nlmsg_next(b, n, &off, &m), 1);
	cr_assert_eq(m.type, RTM_NEWLINK);
	cr_assert_eq(m.flags, NLM_F_MULTI);
	cr_assert_eq(m.seq, 9);
	cr_assert_eq(m.len, l.len - NLMSG_HDRLEN);
	cr_assert_eq(nlmsg_next(b, n, &off, &m), 1);
	cr_assert_eq(m.type, NLMSG_DONE);
	cr_assert_eq(nlmsg_next(b, n, &off, &m), 0);
	cr_assert_eq(off, n);
	cr_assert_eq(nlmsg_next(b, n, &off, &m), 0, "the end stays the end");
	free(b);
}

/* Cut anywhere, a walk reads the whole messages before the cut, then ends
 * cleanly at a boundary (or in the last one's padding) or fails inside. The
 * middle message's length is unaligned: 17 bytes, 3 of padding. */
Test(nlmsg_parse, cut_at_every_length)
{
	struct nl_t_msg x, y;
	uint8_t all[128], one = 0xee;
	size_t ends[3], starts[3], n;
	t_ack(&x, 1, 0, sizeof(struct nlmsgerr));
	nl_t_begin(&y, RTM_NEWLINK, 0, 2, &one, 1);
	((struct nlmsghdr *)y.b)->nlmsg_len = 17;
	memcpy(all, x.b, x.len);
	memcpy(all + x.len, y.b, 20);
	memcpy(all + x.len + 20, x.b, x.len);
	starts[0] = 0, ends[0] = x.len;
	starts[1] = x.len, ends[1] = x.len + 17;
	starts[2] = x.len + 20, ends[2] = starts[2] + x.len;
	n = ends[2];
	for (size_t cut = 0; cut <= n; cut++) {
		uint8_t *b = dup_n(all, cut);
		struct nlmsg_msg m;
		size_t off = 0, got = 0, whole = 0;
		int r, clean = 1;
		while ((r = nlmsg_next(b, cut, &off, &m)) > 0)
			got++;
		for (int i = 0; i < 3; i++) {
			whole += ends[i] <= cut;
			if (cut > starts[i] && cut < ends[i])
				clean = 0;
		}
		cr_assert_eq(got, whole, "cut %zu: %zu messages, %zu whole", cut, got, whole);
		cr_assert_eq(r, clean ? 0 : -1, "cut %zu", cut);
		if (r < 0)
			cr_assert_eq(errno, EBADMSG);
		free(b);
	}
}

Test(nlmsg_parse, bad_message_lengths)
{
	static const uint32_t lens[] = { 0, 1, 15, 33, 0x7fffffff, 0xffffffff };
	struct nl_t_msg e;
	t_ack(&e, 1, 0, sizeof(struct nlmsgerr));
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		struct nlmsg_msg m = { .type = 0x5a5a }, untouched = m;
		size_t off = 0;
		((struct nlmsghdr *)e.b)->nlmsg_len = lens[i];
		uint8_t *b = dup_n(e.b, 32);
		cr_assert_eq(nlmsg_next(b, 32, &off, &m), -1, "length %u", lens[i]);
		cr_assert_eq(errno, EBADMSG);
		cr_assert_eq(off, 0, "off moved on failure");
		cr_assert_eq(memcmp(&m, &untouched, sizeof(m)), 0, "ret touched on failure");
		free(b);
	}
}

Test(nlmsg_parse, attributes_and_their_overruns)
{
	uint8_t p[24] = { 0 };
	struct nlmsg_attr a;
	size_t off = 0;
	/* one of 6 bytes (2 padding), then one with NESTED and BYTEORDER set */
	p[0] = 6, p[2] = 3, p[4] = 'h', p[5] = 'i';
	p[8] = 8, p[10] = 5, p[11] = 0xc0, p[12] = 0xab;
	uint8_t *b = dup_n(p, 16);
	cr_assert_eq(nlmsg_attr_next(b, 16, &off, &a), 1);
	cr_assert_eq(a.type, 3);
	cr_assert_eq(a.len, 2);
	cr_assert_eq(a.data, b + 4);
	cr_assert_eq(off, 8);
	cr_assert_eq(nlmsg_attr_next(b, 16, &off, &a), 1);
	cr_assert_eq(a.type, 5, "flag bits stay out of the type");
	cr_assert_eq(a.len, 4);
	cr_assert_eq(nlmsg_attr_next(b, 16, &off, &a), 0);
	free(b);
	/* lengths below the header, past the end, a header cut short */
	static const uint16_t bad[] = { 0, 3, 17, 0xffff };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(p, &bad[i], 2);
		b = dup_n(p, 16);
		off = 0;
		cr_assert_eq(nlmsg_attr_next(b, 16, &off, &a), -1, "rta_len %u", bad[i]);
		cr_assert_eq(errno, EBADMSG);
		free(b);
	}
	b = dup_n(p, 3);
	off = 0;
	cr_assert_eq(nlmsg_attr_next(b, 3, &off, &a), -1);
	free(b);
}

static int status_of(const struct nl_t_msg *e, int *err)
{
	struct nlmsg_msg m;
	size_t off = 0;
	uint8_t *b = dup_n(e->b, e->len);
	int r = nlmsg_next(b, e->len, &off, &m);
	cr_assert_eq(r, 1);
	r = nlmsg_status(&m, err);
	free(b);
	return r;
}

Test(nlmsg_parse, acks_errors_and_dump_ends)
{
	struct nl_t_msg e;
	int err = 99;
	int32_t code;
	t_ack(&e, 1, 0, sizeof(struct nlmsgerr));
	cr_assert_eq(status_of(&e, &err), 0);
	cr_assert_eq(err, 0, "an ack");
	t_ack(&e, 1, -ENETUNREACH, sizeof(struct nlmsgerr));
	cr_assert_eq(status_of(&e, &err), 0);
	cr_assert_eq(err, ENETUNREACH);
	t_ack(&e, 1, -EEXIST, sizeof(struct nlmsgerr) + 16);   /* the request echoed */
	cr_assert_eq(status_of(&e, &err), 0);
	cr_assert_eq(err, EEXIST);
	err = 99;
	t_ack(&e, 1, -ENODEV, sizeof(struct nlmsgerr));
	((struct nlmsghdr *)e.b)->nlmsg_len = NLMSG_HDRLEN + sizeof(struct nlmsgerr) - 1;
	cr_assert_eq(status_of(&e, &err), -1, "an error without the request's header");
	cr_assert_eq(errno, EBADMSG);
	t_ack(&e, 1, 5, sizeof(struct nlmsgerr));
	cr_assert_eq(status_of(&e, &err), -1, "a positive error");
	t_ack(&e, 1, -4096, sizeof(struct nlmsgerr));
	cr_assert_eq(status_of(&e, &err), -1, "no errno");
	t_ack(&e, 1, -4095, sizeof(struct nlmsgerr));
	cr_assert_eq(status_of(&e, &err), 0);
	cr_assert_eq(err, 4095);

	err = 99;
	nl_t_begin(&e, NLMSG_DONE, NLM_F_MULTI, 1, NULL, 0);
	nl_t_end(&e);
	cr_assert_eq(status_of(&e, &err), 0);
	cr_assert_eq(err, 0, "an empty end");
	code = -EINTR;
	nl_t_begin(&e, NLMSG_DONE, NLM_F_MULTI, 1, &code, 4);
	nl_t_end(&e);
	cr_assert_eq(status_of(&e, &err), 0);
	cr_assert_eq(err, EINTR, "a dump that failed");
	((struct nlmsghdr *)e.b)->nlmsg_len = NLMSG_HDRLEN + 2;
	err = 99;
	cr_assert_eq(status_of(&e, &err), -1, "half a code");
	nl_t_begin(&e, RTM_NEWLINK, 0, 1, &code, 4);
	nl_t_end(&e);
	cr_assert_eq(status_of(&e, &err), -1, "not an ack");
	cr_assert_eq(err, 99, "ret touched on failure");
}

static int link_of(const uint8_t *msg, size_t len, struct nlmsg_link *l)
{
	struct nlmsg_msg m;
	size_t off = 0;
	uint8_t *b = dup_n(msg, len);
	int r = nlmsg_next(b, len, &off, &m);
	cr_assert_eq(r, 1);
	r = nlmsg_link(&m, l);
	free(b);
	return r;
}

Test(nlmsg_parse, link_entry)
{
	struct nl_t_msg e;
	struct nlmsg_link l;
	size_t lo[T_LINK_ATTRS], hi[T_LINK_ATTRS];
	char mac[NLMSG_MAC_TEXT];
	t_link(&e, lo, hi);
	cr_assert_eq(link_of(e.b, e.len, &l), 0);
	cr_assert_eq(l.ifindex, 3);
	cr_assert_eq(l.type, ARPHRD_ETHER);
	cr_assert_eq(l.flags, IFF_UP | IFF_BROADCAST | IFF_RUNNING);
	cr_assert_str_eq(l.name, "eth0");
	cr_assert_eq(l.has_mac, 1);
	nlmsg_format_mac(l.mac, mac);
	cr_assert_str_eq(mac, "02:00:5e:10:20:ff");
	cr_assert_eq(l.mtu, 1500);
}

/* The message's payload cut at every length: whole attributes are read (the
 * last one may lack its padding), one cut inside fails, and no name is no
 * link. */
Test(nlmsg_parse, link_cut_at_every_length)
{
	struct nl_t_msg e;
	size_t lo[T_LINK_ATTRS], hi[T_LINK_ATTRS];
	t_link(&e, lo, hi);
	for (size_t cut = 0; cut <= e.len - NLMSG_HDRLEN; cut++) {
		struct nl_t_msg c = e;
		struct nlmsg_link l, untouched;
		int whole = 0, r;
		memset(&l, 0x5a, sizeof(l));
		untouched = l;
		((struct nlmsghdr *)c.b)->nlmsg_len = (uint32_t)(NLMSG_HDRLEN + cut);
		for (int k = 0; k < T_LINK_ATTRS; k++)
			whole |= cut >= lo[k] && cut <= hi[k];
		r = link_of(c.b, NLMSG_HDRLEN + cut, &l);
		cr_assert_eq(r, whole ? 0 : -1, "cut %zu", cut);
		if (r < 0) {
			cr_assert_eq(errno, EBADMSG);
			cr_assert_eq(memcmp(&l, &untouched, sizeof(l)), 0, "cut %zu: touched", cut);
			continue;
		}
		cr_assert_str_eq(l.name, "eth0");
		cr_assert_eq(l.has_mac, cut >= lo[2], "cut %zu", cut);
		cr_assert_eq(l.mtu, cut >= lo[5] ? 1500u : 0u, "cut %zu", cut);
	}
}

static int link_with(uint16_t type, const void *attr, size_t n, int index, struct nlmsg_link *l)
{
	struct nl_t_msg e;
	struct ifinfomsg ifi = { .ifi_type = ARPHRD_ETHER, .ifi_index = index };
	nl_t_begin(&e, RTM_NEWLINK, 0, 1, &ifi, sizeof(ifi));
	if (type != IFLA_IFNAME)
		nl_t_attr(&e, IFLA_IFNAME, "x", 2);
	nl_t_attr(&e, type, attr, n);
	nl_t_end(&e);
	return link_of(e.b, e.len, l);
}

Test(nlmsg_parse, link_attributes_checked)
{
	struct nlmsg_link l;
	uint16_t mtu16 = 1500;
	uint32_t txq = 1;
	uint8_t mac4[4] = { 1, 2, 3, 4 };
	cr_assert_eq(link_with(IFLA_IFNAME, "eth0", 4, 2, &l), -1, "a name without its NUL");
	cr_assert_eq(link_with(IFLA_IFNAME, "", 1, 2, &l), -1, "an empty name");
	cr_assert_eq(link_with(IFLA_IFNAME, "0123456789abcdef", 17, 2, &l), -1, "16 characters");
	cr_assert_eq(link_with(IFLA_IFNAME, "0123456789abcde", 16, 2, &l), 0, "15 characters");
	cr_assert_str_eq(l.name, "0123456789abcde");
	cr_assert_eq(link_with(IFLA_IFNAME, "ab\0cd", 6, 2, &l), 0, "the name ends at its NUL");
	cr_assert_str_eq(l.name, "ab");
	cr_assert_eq(link_with(IFLA_MTU, &mtu16, 2, 2, &l), -1, "a short MTU");
	cr_assert_eq(link_with(IFLA_ADDRESS, mac4, 4, 2, &l), 0);
	cr_assert_eq(l.has_mac, 0, "4 bytes are no MAC");
	cr_assert_eq(link_with(IFLA_TXQLEN, &txq, 4, 2, &l), 0);
	cr_assert_eq(link_with(IFLA_TXQLEN, &txq, 4, 0, &l), -1, "ifindex 0");
	cr_assert_eq(link_with(IFLA_TXQLEN, &txq, 4, -1, &l), -1, "a negative ifindex");

	/* the wrong message, a payload shorter than ifinfomsg */
	struct nl_t_msg e;
	uint8_t eight[8] = { 0 };
	nl_t_begin(&e, RTM_NEWADDR, 0, 1, eight, sizeof(eight));
	nl_t_end(&e);
	cr_assert_eq(link_of(e.b, e.len, &l), -1);
	nl_t_begin(&e, RTM_NEWLINK, 0, 1, eight, sizeof(eight));
	nl_t_end(&e);
	cr_assert_eq(link_of(e.b, e.len, &l), -1);
}

/* ---- text ---- */

Test(nlmsg_text, prefixes)
{
	struct nlmsg_addr a;
	uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x10 };
	cr_assert_eq(nlmsg_parse_prefix("192.0.2.10/24", &a), 0);
	cr_assert_eq(a.family, AF_INET);
	cr_assert_eq(a.prefix, 24);
	cr_assert_eq(memcmp(a.bytes, "\xc0\x00\x02\x0a", 4), 0);
	cr_assert_eq(nlmsg_parse_prefix("2001:db8::10/64", &a), 0);
	cr_assert_eq(a.family, AF_INET6);
	cr_assert_eq(a.prefix, 64);
	cr_assert_eq(memcmp(a.bytes, v6, 16), 0);
	cr_assert_eq(nlmsg_parse_prefix("10.0.0.1/0", &a), 0);
	cr_assert_eq(a.prefix, 0);
	cr_assert_eq(nlmsg_parse_prefix("10.0.0.1/32", &a), 0);
	cr_assert_eq(nlmsg_parse_prefix("::1/128", &a), 0);
	cr_assert_eq(a.prefix, 128);
	cr_assert_eq(nlmsg_parse_prefix("::ffff:192.0.2.1/96", &a), 0);
	cr_assert_eq(a.family, AF_INET6);

	static const char *bad[] = {
		"192.0.2.10/33", "2001:db8::1/129", "192.0.2.10", "192.0.2.10/", "192.0.2.10/024",
		"192.0.2.10/00", "192.0.2.10/2a", "192.0.2.10/+4", "192.0.2.10/ 4", "192.0.2.10/-1",
		"192.0.2.10/24 ", "192.0.2.256/8", "/8", "fe80::1%eth0/64", "192.0.2.10/24/5",
		"2001:db8::1/1000", "10.1/8", " 10.0.0.1/8", "1:2:3:4:5:6:7:8:9/64",
		"0000:0000:0000:0000:0000:0000:0000:0000:0/64", "", "/",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct nlmsg_addr u;
		memset(&u, 0x5a, sizeof(u));
		a = u;
		cr_assert_eq(nlmsg_parse_prefix(bad[i], &a), -1, "accepted \"%s\"", bad[i]);
		cr_assert_eq(errno, EINVAL);
		cr_assert_eq(memcmp(&a, &u, sizeof(a)), 0, "\"%s\": ret touched", bad[i]);
	}
}

Test(nlmsg_text, addresses)
{
	struct nlmsg_addr a;
	cr_assert_eq(nlmsg_parse_addr("192.0.2.1", &a), 0);
	cr_assert_eq(a.family, AF_INET);
	cr_assert_eq(a.prefix, 32);
	cr_assert_eq(nlmsg_parse_addr("2001:db8::1", &a), 0);
	cr_assert_eq(a.family, AF_INET6);
	cr_assert_eq(a.prefix, 128);
	cr_assert_eq(a.bytes[15], 1);
	static const char *bad[] = { "192.0.2.1/32", "", "x", "192.0.2", "2001:db8::1/64", "::1 " };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(nlmsg_parse_addr(bad[i], &a), -1, "accepted \"%s\"", bad[i]);
		cr_assert_eq(errno, EINVAL);
	}
}

Test(nlmsg_text, macs)
{
	uint8_t m[6], u[6] = { 9, 9, 9, 9, 9, 9 };
	char s[NLMSG_MAC_TEXT];
	cr_assert_eq(nlmsg_parse_mac("aa:bb:cc:dd:ee:ff", m), 0);
	cr_assert_eq(memcmp(m, "\xaa\xbb\xcc\xdd\xee\xff", 6), 0);
	cr_assert_eq(nlmsg_parse_mac("02:00:5E:0a:B0:0F", m), 0);
	nlmsg_format_mac(m, s);
	cr_assert_str_eq(s, "02:00:5e:0a:b0:0f");
	static const char *bad[] = {
		"aa:bb:cc:dd:ee", "aa:bb:cc:dd:ee:ff:", "aa-bb-cc-dd-ee-ff", "aa:bb:cc:dd:ee:fg",
		"aabb:cc:dd:ee:ff:0", "a:bb:cc:dd:ee:fff", "", "aa:bb:cc:dd:ee:f", " aa:bb:cc:dd:ee:f",
		"gg:bb:cc:dd:ee:ff", "aa:bb:cc:dd:ee:ff ", "::::::::::::::::::",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(m, u, 6);
		cr_assert_eq(nlmsg_parse_mac(bad[i], m), -1, "accepted \"%s\"", bad[i]);
		cr_assert_eq(errno, EINVAL);
		cr_assert_eq(memcmp(m, u, 6), 0, "ret touched");
	}
	/* every byte value prints and reads back */
	for (int v = 0; v < 256; v++) {
		uint8_t in[6] = { (uint8_t)v, (uint8_t)(255 - v), 0, 0xff, (uint8_t)v, 1 }, out[6];
		nlmsg_format_mac(in, s);
		cr_assert_eq(strlen(s), 17);
		cr_assert_eq(nlmsg_parse_mac(s, out), 0, "%s", s);
		cr_assert_eq(memcmp(in, out, 6), 0);
	}
}
