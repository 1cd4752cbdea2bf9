/* fuzz_netlink.c - libFuzzer target for the rtnetlink parsers
 * (network/nlmsg.c): `make fuzz`.
 *
 * The bytes are a kernel reply buffer, walked with nlmsg_next, and every
 * message goes to nlmsg_status, nlmsg_link and the attribute walker (at
 * both family-header offsets); once as given and once one byte in, at an odd
 * alignment. The first line of the bytes also goes to the text parsers.
 * Then these must hold, or we abort:
 *
 * - a walk moves forward, ends by 0 or -1 within size/16 + 1 steps, and each
 *   message and attribute lies inside the buffer and its message;
 * - a failed parse leaves its result untouched;
 * - a status is 0..4095 and only for NLMSG_ERROR or NLMSG_DONE; a link has
 *   a positive ifindex and a name of 1..15 bytes, NUL-terminated;
 * - a prefix or address that parses prints back (inet_ntop) to one that
 *   parses to the same; a request built from it reads back with the same
 *   address; a MAC that parses prints back to the same bytes, any case.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "network/nlmsg.h"
#include "tests/fuzz/fuzz_check.h"

static void check_attrs(const struct nlmsg_msg *m, size_t start)
{
	struct nlmsg_attr a;
	size_t off = start, steps = 0, prev = start;
	int r;
	while ((r = nlmsg_attr_next(m->data, m->len, &off, &a)) > 0) {
		CHECK(a.data >= m->data + start + 4 && a.data + a.len <= m->data + m->len, "attribute outside");
		CHECK(off > prev && off <= m->len, "offset %zu after %zu", off, prev);
		prev = off;
		CHECK(++steps <= m->len / 4 + 1, "too many attributes");
	}
	CHECK(r == 0 || errno == EBADMSG, "r %d errno %d", r, errno);
}

static void check_message(const struct nlmsg_msg *m)
{
	struct nlmsg_link l, untouched;
	int err = -7;
	if (nlmsg_status(m, &err) == 0)
		CHECK(err >= 0 && err <= 4095 && (m->type == NLMSG_ERROR || m->type == NLMSG_DONE), "status %d",
		      err);
	else
		CHECK(err == -7, "status touched on failure");
	memset(&l, 0x5a, sizeof(l));
	untouched = l;
	if (nlmsg_link(m, &l) == 0) {
		size_t n = strnlen(l.name, sizeof(l.name));
		CHECK(m->type == RTM_NEWLINK && l.ifindex > 0, "a link from type %u", m->type);
		CHECK(n >= 1 && n < sizeof(l.name), "name of %zu", n);
		CHECK(l.has_mac == 0 || l.has_mac == 1, "has_mac %d", l.has_mac);
	} else {
		CHECK(!memcmp(&l, &untouched, sizeof(l)), "link touched on failure");
	}
	check_attrs(m, 16);   /* after an ifinfomsg */
	check_attrs(m, 8);    /* after an ifaddrmsg */
}

static void check_walk(const uint8_t *d, size_t n)
{
	struct nlmsg_msg m;
	size_t off = 0, prev = 0, steps = 0;
	int r;
	while ((r = nlmsg_next(d, n, &off, &m)) > 0) {
		CHECK(m.data >= d + prev + 16 && m.data + m.len <= d + n, "message outside the buffer");
		CHECK(off > prev && off <= n, "offset %zu after %zu", off, prev);
		prev = off;
		CHECK(++steps <= n / 16 + 1, "too many messages");
		check_message(&m);
	}
	CHECK(r == 0 || errno == EBADMSG, "r %d errno %d", r, errno);
	CHECK(off == prev, "offset moved on the last call");
}

/* a parsed: printed back, parsed again, built into a request, read back. */
static void check_addr_round_trip(const struct nlmsg_addr *a, int with_prefix)
{
	char text[INET6_ADDRSTRLEN + 8];
	struct nlmsg_addr b;
	uint8_t buf[128];
	size_t len;
	CHECK(a->family == AF_INET || a->family == AF_INET6, "family %d", a->family);
	CHECK(a->prefix <= (a->family == AF_INET ? 32u : 128u), "prefix %u", a->prefix);
	CHECK(inet_ntop(a->family, a->bytes, text, INET6_ADDRSTRLEN), "inet_ntop");
	if (with_prefix)
		snprintf(text + strlen(text), 8, "/%u", a->prefix);
	CHECK((with_prefix ? nlmsg_parse_prefix(text, &b) : nlmsg_parse_addr(text, &b)) == 0, "%s", text);
	CHECK(!memcmp(a, &b, sizeof(b)), "%s reads back different", text);
	CHECK(nlmsg_newaddr(buf, sizeof(buf), 1, 1, a, IFA_F_NODAD, &len) == 0, "newaddr");
	struct nlmsg_msg m;
	struct nlmsg_attr at;
	size_t off = 0, aoff = 8;
	int found = 0;
	CHECK(nlmsg_next(buf, len, &off, &m) == 1 && off == len && m.type == RTM_NEWADDR, "newaddr walk");
	CHECK(m.data[0] == a->family && m.data[1] == a->prefix, "ifaddrmsg");
	while (nlmsg_attr_next(m.data, m.len, &aoff, &at) > 0)
		if (at.type == IFA_ADDRESS)
			found = at.len == (a->family == AF_INET ? 4u : 16u) && !memcmp(at.data, a->bytes, at.len);
	CHECK(found, "IFA_ADDRESS");
}

static void check_text(const uint8_t *d, size_t n)
{
	char s[80];
	struct nlmsg_addr a, untouched;
	uint8_t mac[6], again[6];
	char text[NLMSG_MAC_TEXT];
	size_t k = 0;
	while (k < n && k < sizeof(s) - 1 && d[k] != '\n')
		k++;
	memcpy(s, d, k);
	s[k] = '\0';
	memset(&a, 0x5a, sizeof(a));
	untouched = a;
	if (nlmsg_parse_prefix(s, &a) == 0)
		check_addr_round_trip(&a, 1);
	else
		CHECK(!memcmp(&a, &untouched, sizeof(a)), "prefix touched on failure");
	a = untouched;
	if (nlmsg_parse_addr(s, &a) == 0)
		check_addr_round_trip(&a, 0);
	else
		CHECK(!memcmp(&a, &untouched, sizeof(a)), "address touched on failure");
	if (nlmsg_parse_mac(s, mac) == 0) {
		nlmsg_format_mac(mac, text);
		CHECK(!strcasecmp(text, s), "%s printed as %s", s, text);
		CHECK(nlmsg_parse_mac(text, again) == 0 && !memcmp(mac, again, 6), "%s", text);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_walk(data, size);
	if (size > 1)
		check_walk(data + 1, size - 1);
	check_text(data, size);
	return 0;
}
