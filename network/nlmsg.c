/* nlmsg.c - rtnetlink requests built into a caller's buffer, the kernel's
 * replies read back, and the text forms of addresses and MACs (nlmsg.h).
 *
 * Netlink is host byte order and 4-byte aligned: each header and attribute is
 * packed and unpacked here field by field at the kernel's ABI offsets (the
 * unit tests check the bytes against the kernel's own structs), through
 * memcpy, so a buffer at any alignment is fine and no struct padding leaks.
 *
 * Invariants: a builder either writes a whole request or reports EMSGSIZE
 * (the writer's `full` is sticky, so a request is never cut); a parser never
 * reads a byte outside [data, data + len) of what it was given, whatever the
 * lengths inside claim. No I/O, no state, no allocation.
 */
#include "nlmsg.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>

#define HDR_LEN 16u          /* struct nlmsghdr */
#define ATTR_HDR 4u          /* struct rtattr / nlattr */
#define IFI_LEN 16u          /* struct ifinfomsg */
#define IFA_LEN 8u           /* struct ifaddrmsg */
#define RTM_LEN 12u          /* struct rtmsg */
#define ERR_LEN 20u          /* struct nlmsgerr: error, then the request's header */
#define ALIGN4(n) (((size_t)(n) + 3) & ~(size_t)3)

static void put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static uint16_t get16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return v;
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

/* A request being written: len <= cap always; once something did not fit,
 * full stays set and nothing more is written. */
struct nlmsg_w {
	uint8_t *buf;
	size_t cap, len;
	int full;
};

/* n bytes, then zeros up to the next 4-byte boundary. */
static void w_bytes(struct nlmsg_w *w, const void *p, size_t n)
{
	size_t all = ALIGN4(n);
	if (w->full || all > w->cap - w->len) {
		w->full = 1;
		return;
	}
	memcpy(w->buf + w->len, p, n);
	memset(w->buf + w->len + n, 0, all - n);
	w->len += all;
}

static void w_attr(struct nlmsg_w *w, uint16_t type, const void *p, size_t n)
{
	uint8_t h[ATTR_HDR];
	put16(h, (uint16_t)(ATTR_HDR + n));
	put16(h + 2, type);
	w_bytes(w, h, sizeof(h));
	w_bytes(w, p, n);
}

static void w_attr32(struct nlmsg_w *w, uint16_t type, uint32_t v)
{
	w_attr(w, type, &v, 4);
}

/* The message header (its length is written by w_end; pid 0: the kernel
 * fills in ours), then the family header fam[0..famlen). */
static void w_begin(struct nlmsg_w *w, void *buf, size_t cap, uint16_t type, uint16_t flags,
		    uint32_t seq, const uint8_t *fam, size_t famlen)
{
	uint8_t h[HDR_LEN] = { 0 };
	put16(h + 4, type);
	put16(h + 6, (uint16_t)(flags | NLM_F_REQUEST));
	put32(h + 8, seq);
	*w = (struct nlmsg_w){ .buf = buf, .cap = buf ? cap : 0 };
	w_bytes(w, h, sizeof(h));
	w_bytes(w, fam, famlen);
}

static int w_end(struct nlmsg_w *w, size_t *ret_len)
{
	if (w->full) {
		errno = EMSGSIZE;
		return -1;
	}
	put32(w->buf, (uint32_t)w->len);
	*ret_len = w->len;
	return 0;
}

static int addr_len(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

int nlmsg_getlink(void *buf, size_t cap, uint32_t seq, size_t *ret_len)
{
	/* An ifinfomsg, not the old rtgenmsg, so a kernel with strict checking
	 * takes it too. A dump ends with NLMSG_DONE and the kernel sends no ack
	 * after it, so no NLM_F_ACK. */
	uint8_t ifi[IFI_LEN] = { 0 };
	struct nlmsg_w w;
	w_begin(&w, buf, cap, RTM_GETLINK, NLM_F_DUMP, seq, ifi, sizeof(ifi));
	return w_end(&w, ret_len);
}

int nlmsg_setlink(void *buf, size_t cap, uint32_t seq, int ifindex, int up, uint32_t mtu,
		  size_t *ret_len)
{
	uint8_t ifi[IFI_LEN] = { 0 };
	struct nlmsg_w w;
	if (ifindex <= 0) {
		errno = EINVAL;
		return -1;
	}
	/* Without NLM_F_CREATE, RTM_NEWLINK changes the link ifindex names;
	 * ifi_change says which flags to set, so only IFF_UP moves. */
	put32(ifi + 4, (uint32_t)ifindex);
	put32(ifi + 8, up ? IFF_UP : 0);
	put32(ifi + 12, IFF_UP);
	w_begin(&w, buf, cap, RTM_NEWLINK, NLM_F_ACK, seq, ifi, sizeof(ifi));
	if (mtu)
		w_attr32(&w, IFLA_MTU, mtu);
	return w_end(&w, ret_len);
}

int nlmsg_newaddr(void *buf, size_t cap, uint32_t seq, int ifindex, const struct nlmsg_addr *a,
		  uint32_t flags, size_t *ret_len)
{
	uint8_t ifa[IFA_LEN] = { 0 };
	struct nlmsg_w w;
	int n = addr_len(a->family);
	if (!n || a->prefix > (unsigned)n * 8 || ifindex <= 0) {
		errno = EINVAL;
		return -1;
	}
	ifa[0] = (uint8_t)a->family;
	ifa[1] = (uint8_t)a->prefix;
	ifa[2] = (uint8_t)flags;        /* the old 8 bits; IFA_FLAGS has all 32 */
	ifa[3] = RT_SCOPE_UNIVERSE;
	put32(ifa + 4, (uint32_t)ifindex);
	w_begin(&w, buf, cap, RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, seq, ifa,
		sizeof(ifa));
	/* IPv4 wants the local address too: without IFA_LOCAL the kernel takes
	 * IFA_ADDRESS as a peer's (point-to-point) and adds no local one. */
	if (a->family == AF_INET)
		w_attr(&w, IFA_LOCAL, a->bytes, 4);
	w_attr(&w, IFA_ADDRESS, a->bytes, (size_t)n);
	w_attr32(&w, IFA_FLAGS, flags);
	return w_end(&w, ret_len);
}

int nlmsg_defroute(void *buf, size_t cap, uint32_t seq, int family, const struct nlmsg_addr *gw,
		   int ifindex, size_t *ret_len)
{
	uint8_t rtm[RTM_LEN] = { 0 };
	struct nlmsg_w w;
	if (!addr_len(family) || (gw && gw->family != family) || ifindex <= 0) {
		errno = EINVAL;
		return -1;
	}
	rtm[0] = (uint8_t)family;          /* dst_len, src_len, tos 0: the default */
	rtm[4] = RT_TABLE_MAIN;
	rtm[5] = RTPROT_STATIC;            /* configured, not learned */
	rtm[6] = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rtm[7] = RTN_UNICAST;
	w_begin(&w, buf, cap, RTM_NEWROUTE, NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, seq, rtm,
		sizeof(rtm));
	if (gw)
		w_attr(&w, RTA_GATEWAY, gw->bytes, (size_t)addr_len(family));
	w_attr32(&w, RTA_OIF, (uint32_t)ifindex);
	return w_end(&w, ret_len);
}

/* The record at p[*off..len) whose first 32 bits (or 16, for attributes)
 * give its length, at least hdr: its start in *ret_at, its length in
 * *ret_n; *off goes to the next aligned record, or to len when the last
 * record lacks its padding. */
static int next_record(const uint8_t *p, size_t len, size_t *off, size_t hdr, size_t *ret_at,
		       size_t *ret_n)
{
	size_t o = *off, n;
	if (o >= len)
		return 0;
	if (len - o < hdr)
		goto bad;
	n = hdr == HDR_LEN ? get32(p + o) : get16(p + o);
	if (n < hdr || n > len - o)
		goto bad;
	*ret_at = o;
	*ret_n = n;
	o += ALIGN4(n);
	*off = o < len ? o : len;
	return 1;
bad:
	errno = EBADMSG;
	return -1;
}

int nlmsg_next(const void *buf, size_t len, size_t *off, struct nlmsg_msg *ret)
{
	const uint8_t *p = buf;
	size_t at, n;
	int r = next_record(p, len, off, HDR_LEN, &at, &n);
	if (r <= 0)
		return r;
	ret->type = get16(p + at + 4);
	ret->flags = get16(p + at + 6);
	ret->seq = get32(p + at + 8);
	ret->pid = get32(p + at + 12);
	ret->data = p + at + HDR_LEN;
	ret->len = n - HDR_LEN;
	return 1;
}

int nlmsg_attr_next(const uint8_t *p, size_t len, size_t *off, struct nlmsg_attr *ret)
{
	size_t at, n;
	int r = next_record(p, len, off, ATTR_HDR, &at, &n);
	if (r <= 0)
		return r;
	ret->type = get16(p + at + 2) & NLA_TYPE_MASK;
	ret->data = p + at + ATTR_HDR;
	ret->len = n - ATTR_HDR;
	return 1;
}

int nlmsg_status(const struct nlmsg_msg *m, int *ret_errno)
{
	int32_t e = 0;
	/* An error carries the request's header after the code; a dump's end
	 * carries the code alone (nothing at all from old kernels). */
	if (m->type == NLMSG_ERROR ? m->len < ERR_LEN : m->type != NLMSG_DONE || (m->len && m->len < 4))
		goto bad;
	if (m->len)
		e = (int32_t)get32(m->data);
	if (e > 0 || e < -4095)
		goto bad;
	*ret_errno = -e;
	return 0;
bad:
	errno = EBADMSG;
	return -1;
}

int nlmsg_link(const struct nlmsg_msg *m, struct nlmsg_link *ret)
{
	struct nlmsg_link l = { 0 };
	struct nlmsg_attr a;
	size_t off = IFI_LEN;
	int r;
	if (m->type != RTM_NEWLINK || m->len < IFI_LEN)
		goto bad;
	l.type = get16(m->data + 2);
	l.ifindex = (int)get32(m->data + 4);
	l.flags = get32(m->data + 8);
	while ((r = nlmsg_attr_next(m->data, m->len, &off, &a)) > 0) {
		if (a.type == IFLA_IFNAME) {
			const uint8_t *nul = memchr(a.data, 0, a.len);
			if (!nul || nul == a.data || nul - a.data >= NLMSG_NAME_MAX)
				goto bad;
			memcpy(l.name, a.data, (size_t)(nul - a.data));
		} else if (a.type == IFLA_ADDRESS && a.len == NLMSG_MAC_LEN) {
			/* Other lengths are links without a MAC (tunnels, lo's
			 * is 6 zeros and skipped by its type). */
			memcpy(l.mac, a.data, NLMSG_MAC_LEN);
			l.has_mac = 1;
		} else if (a.type == IFLA_MTU) {
			if (a.len != 4)
				goto bad;
			l.mtu = get32(a.data);
		}
	}
	if (r < 0 || l.ifindex <= 0 || !l.name[0])
		goto bad;
	*ret = l;
	return 0;
bad:
	errno = EBADMSG;
	return -1;
}

/* s[0..n) as an IPv4 or IPv6 address, prefix its full length. */
static int parse_ip(const char *s, size_t n, struct nlmsg_addr *ret)
{
	char t[INET6_ADDRSTRLEN];
	struct nlmsg_addr a = { 0 };
	if (!n || n >= sizeof(t))
		return -1;
	memcpy(t, s, n);
	t[n] = '\0';
	if (inet_pton(AF_INET, t, a.bytes) == 1)
		a.family = AF_INET, a.prefix = 32;
	else if (inet_pton(AF_INET6, t, a.bytes) == 1)
		a.family = AF_INET6, a.prefix = 128;
	else
		return -1;
	*ret = a;
	return 0;
}

int nlmsg_parse_prefix(const char *s, struct nlmsg_addr *ret)
{
	const char *slash = strchr(s, '/'), *p;
	struct nlmsg_addr a;
	unsigned v = 0;
	if (!slash || parse_ip(s, (size_t)(slash - s), &a) < 0)
		goto bad;
	for (p = slash + 1; *p >= '0' && *p <= '9' && p - slash <= 3; p++)
		v = v * 10 + (unsigned)(*p - '0');
	/* One to three digits, no leading zero, nothing after, in range. */
	if (*p || p == slash + 1 || (slash[1] == '0' && p > slash + 2) || v > a.prefix)
		goto bad;
	a.prefix = v;
	*ret = a;
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

int nlmsg_parse_addr(const char *s, struct nlmsg_addr *ret)
{
	if (parse_ip(s, strlen(s), ret) < 0) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int nlmsg_parse_mac(const char *s, uint8_t ret[NLMSG_MAC_LEN])
{
	uint8_t m[NLMSG_MAC_LEN];
	if (strlen(s) != NLMSG_MAC_TEXT - 1)
		goto bad;
	for (int i = 0; i < NLMSG_MAC_LEN; i++) {
		int hi = hexval(s[3 * i]), lo = hexval(s[3 * i + 1]);
		if (hi < 0 || lo < 0 || (i < NLMSG_MAC_LEN - 1 && s[3 * i + 2] != ':'))
			goto bad;
		m[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(ret, m, sizeof(m));
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

void nlmsg_format_mac(const uint8_t mac[NLMSG_MAC_LEN], char ret[NLMSG_MAC_TEXT])
{
	static const char hex[] = "0123456789abcdef";
	for (int i = 0; i < NLMSG_MAC_LEN; i++) {
		ret[3 * i] = hex[mac[i] >> 4];
		ret[3 * i + 1] = hex[mac[i] & 15];
		ret[3 * i + 2] = i < NLMSG_MAC_LEN - 1 ? ':' : '\0';
	}
}
