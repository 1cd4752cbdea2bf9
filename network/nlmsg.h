/* nlmsg.h - rtnetlink messages: the requests vminit sends, built into a
 * caller's fixed buffer, and the kernel's replies, read without trusting them
 * (the executor that sends and waits is nl.h).
 *
 * Builders write one whole request into buf[0..cap): 0 and its length in
 * *ret_len, or -1 with errno EMSGSIZE when it does not fit (never a cut
 * request) or EINVAL for a bad argument; *ret_len is untouched on failure.
 * Every request carries NLM_F_REQUEST and the caller's seq; all but the dump
 * carry NLM_F_ACK, so the kernel answers each with an NLMSG_ERROR (0: done).
 *
 * Parsers read bytes the kernel sent: every length is checked against the
 * message and the buffer, a failed parse returns -1 with errno EBADMSG and
 * leaves its result untouched. Pointers they return point into the buffer.
 * Nothing here does I/O or keeps state.
 */
#ifndef VMINIT_NLMSG_H
#define VMINIT_NLMSG_H

#include <stddef.h>
#include <stdint.h>

#define NLMSG_MAC_LEN 6
#define NLMSG_MAC_TEXT 18    /* "aa:bb:cc:dd:ee:ff" and its NUL */
#define NLMSG_NAME_MAX 16    /* IFNAMSIZ, NUL included */

/* An IPv4 or IPv6 address, with a prefix length when it names a subnet. */
struct nlmsg_addr {
	int family;              /* AF_INET or AF_INET6 */
	uint8_t bytes[16];       /* network order; 4 used for AF_INET */
	unsigned prefix;         /* 0..32 or 0..128 */
};

/* RTM_GETLINK, a dump of every link. */
int nlmsg_getlink(void *buf, size_t cap, uint32_t seq, size_t *ret_len);
/* RTM_NEWLINK on an existing link: up (up 1) or down (0), and its MTU when
 * mtu > 0. */
int nlmsg_setlink(void *buf, size_t cap, uint32_t seq, int ifindex, int up, uint32_t mtu,
		  size_t *ret_len);
/* RTM_NEWADDR: a->bytes/a->prefix on ifindex, with IFA_F_* flags (IFA_F_NODAD
 * makes an IPv6 address usable at once: no duplicate-address detection).
 * Created, or replaced when it is there already (NLM_F_CREATE|NLM_F_REPLACE),
 * so applying the same address twice is not an error. */
int nlmsg_newaddr(void *buf, size_t cap, uint32_t seq, int ifindex, const struct nlmsg_addr *a,
		  uint32_t flags, size_t *ret_len);
/* RTM_NEWROUTE: the default route of gw->family in the main table through
 * ifindex, via gw (gw NULL: on the link, no gateway; family then AF_INET or
 * AF_INET6). Created or replaced (NLM_F_CREATE|NLM_F_REPLACE). */
int nlmsg_defroute(void *buf, size_t cap, uint32_t seq, int family, const struct nlmsg_addr *gw,
		   int ifindex, size_t *ret_len);

/* One message of a receive buffer: its header and its payload. */
struct nlmsg_msg {
	uint16_t type, flags;
	uint32_t seq, pid;
	const uint8_t *data;     /* the payload, after the 16-byte header */
	size_t len;
};

/* One attribute (rtattr / nlattr): type without the NESTED and BYTEORDER
 * bits, and its payload. */
struct nlmsg_attr {
	uint16_t type;
	const uint8_t *data;
	size_t len;
};

/* The message at buf[*off..len): 1 with *off moved past it, 0 at the end of
 * the buffer, -1 (EBADMSG) for a header cut short or a length that is
 * shorter than the header or runs past the buffer. */
int nlmsg_next(const void *buf, size_t len, size_t *off, struct nlmsg_msg *ret);
/* The attribute at p[*off..len), same contract. */
int nlmsg_attr_next(const uint8_t *p, size_t len, size_t *off, struct nlmsg_attr *ret);

/* NLMSG_ERROR or NLMSG_DONE: the errno it carries (0 for an ack or a dump
 * that ended well) in *ret_errno. -1 for another type, a payload too short, or
 * an error that is no errno. */
int nlmsg_status(const struct nlmsg_msg *m, int *ret_errno);

/* A link, from an RTM_NEWLINK message. */
struct nlmsg_link {
	int ifindex;
	unsigned flags;          /* IFF_* */
	unsigned type;           /* ARPHRD_*: ARPHRD_LOOPBACK for lo */
	char name[NLMSG_NAME_MAX];
	int has_mac;             /* 1: the link address is a 6-byte MAC */
	uint8_t mac[NLMSG_MAC_LEN];
	uint32_t mtu;            /* 0: not given */
};
int nlmsg_link(const struct nlmsg_msg *m, struct nlmsg_link *ret);

/* Text: "ADDR/PREFIX" (IPv4 or IPv6, prefix in range, decimal without a
 * sign or leading zero), "ADDR" alone, and a MAC "aa:bb:cc:dd:ee:ff" (either
 * case). 0, or -1 with errno EINVAL, ret untouched. */
int nlmsg_parse_prefix(const char *s, struct nlmsg_addr *ret);
int nlmsg_parse_addr(const char *s, struct nlmsg_addr *ret);
int nlmsg_parse_mac(const char *s, uint8_t ret[NLMSG_MAC_LEN]);
/* The MAC in lower case, NUL-terminated. */
void nlmsg_format_mac(const uint8_t mac[NLMSG_MAC_LEN], char ret[NLMSG_MAC_TEXT]);

#endif
