/* nl_test.h - what the network tests share: netlink messages made by hand
 * with the kernel's own structs and macros (linux/netlink.h, rtnetlink.h),
 * a second and independent writing of the bytes network/nlmsg.c packs field
 * by field. */
#ifndef VMINIT_NL_TEST_H
#define VMINIT_NL_TEST_H

#include "tests/unit/unit.h"
#include "network/nlmsg.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

/* A message being made: zeroed, so padding is zero as the kernel's is. */
struct nl_t_msg {
	_Alignas(4) uint8_t b[1024];
	size_t len;              /* so far, aligned */
};

static inline void nl_t_begin(struct nl_t_msg *e, uint16_t type, uint16_t flags, uint32_t seq,
			      const void *fam, size_t famlen)
{
	struct nlmsghdr h = { .nlmsg_type = type, .nlmsg_flags = flags, .nlmsg_seq = seq };
	memset(e, 0, sizeof(*e));
	memcpy(e->b, &h, sizeof(h));
	if (famlen)
		memcpy(e->b + NLMSG_HDRLEN, fam, famlen);
	e->len = NLMSG_HDRLEN + NLMSG_ALIGN(famlen);
}

static inline void nl_t_attr(struct nl_t_msg *e, uint16_t type, const void *d, size_t n)
{
	struct rtattr *a = (struct rtattr *)(e->b + e->len);
	a->rta_len = (unsigned short)RTA_LENGTH(n);
	a->rta_type = type;
	memcpy(RTA_DATA(a), d, n);
	e->len += RTA_ALIGN(RTA_LENGTH(n));
}

static inline void nl_t_attr32(struct nl_t_msg *e, uint16_t type, uint32_t v)
{
	nl_t_attr(e, type, &v, sizeof(v));
}

/* nlmsg_len written: the message is done. */
static inline void nl_t_end(struct nl_t_msg *e)
{
	((struct nlmsghdr *)e->b)->nlmsg_len = (uint32_t)e->len;
}

#endif
