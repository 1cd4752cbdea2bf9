/* nl.c - the rtnetlink executor (nl.h): one NETLINK_ROUTE socket, one
 * request at a time, its replies read to their end.
 *
 * Invariants: every wait is bounded, NL_WAIT_MS per call in all, against the
 * CLOCK_MONOTONIC deadline set when the request went out; a call reads its
 * reply to the end (the ack, or the dump's NLMSG_DONE) even when an entry
 * failed, so the next call starts on a quiet socket; replies of an earlier
 * request (another sequence number: one that timed out) and datagrams not
 * from the kernel are skipped. Bytes read are parsed by nlmsg.c only.
 */
#include "nl.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if_arp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/loop.h"

int nl_open(struct nl *n)
{
	struct sockaddr_nl me = { .nl_family = AF_NETLINK };
	n->seq = 0;
	n->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (n->fd < 0)
		return -1;
	/* Bound to no multicast group: only the kernel's answers to us arrive. */
	if (bind(n->fd, (struct sockaddr *)&me, sizeof(me)) < 0) {
		nl_close(n);
		return -1;
	}
	return 0;
}

void nl_close(struct nl *n)
{
	if (n->fd >= 0) {
		int saved = errno;
		close(n->fd);
		errno = saved;
	}
	n->fd = -1;
}

/* One datagram from the kernel into n->buf, waiting until end (ns). */
static ssize_t nl_recv(struct nl *n, uint64_t end)
{
	for (;;) {
		struct sockaddr_nl from = { 0 };
		struct iovec iov = { .iov_base = n->buf, .iov_len = sizeof(n->buf) };
		struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
				     .msg_iovlen = 1 };
		struct pollfd p = { .fd = n->fd, .events = POLLIN };
		uint64_t now;
		ssize_t got = recvmsg(n->fd, &mh, 0);
		if (got >= 0 && (mh.msg_flags & MSG_TRUNC)) {
			errno = EMSGSIZE;
			return -1;
		}
		if (got >= 0 && from.nl_pid == 0)
			return got;
		if (got < 0 && errno != EAGAIN && errno != EINTR)
			return -1;
		now = loop_now();
		if (now >= end) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (got < 0 && poll(&p, 1, (int)((end - now + LOOP_NS_PER_MS - 1) / LOOP_NS_PER_MS)) < 0 &&
		    errno != EINTR)
			return -1;
	}
}

/* Send, then read each datagram's messages until the ack or the dump's end. */
int nl_call(struct nl *n, const void *req, size_t len, nl_msg_fn fn, void *ctx)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	uint32_t seq = n->seq + 1;
	uint64_t end;
	int done = 0, err = 0, fail = 0;
	if (len < sizeof(struct nlmsghdr) || len > sizeof(n->buf)) {
		errno = EMSGSIZE;
		return -1;
	}
	memmove(n->buf, req, len);
	memcpy(n->buf + offsetof(struct nlmsghdr, nlmsg_seq), &seq, sizeof(seq));
	n->seq = seq;
	if (sendto(n->fd, n->buf, len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -1;
	end = loop_now() + NL_WAIT_MS * LOOP_NS_PER_MS;
	while (!done) {
		struct nlmsg_msg m;
		size_t off = 0;
		int r = 0;
		ssize_t got = nl_recv(n, end);
		if (got < 0)
			return -1;
		while (!done && (r = nlmsg_next(n->buf, (size_t)got, &off, &m)) > 0) {
			if (m.seq != seq || m.type == NLMSG_NOOP)
				continue;
			if (m.type == NLMSG_ERROR || m.type == NLMSG_DONE) {
				if (nlmsg_status(&m, &err) < 0)
					return -1;
				done = 1;
			} else if (fn && !fail && fn(ctx, &m) < 0) {
				fail = errno ? errno : EBADMSG;
			}
		}
		if (!done && r < 0)
			return -1;
	}
	if (err || fail) {
		errno = err ? err : fail;
		return -1;
	}
	return 0;
}

struct nl_links_ctx {
	struct nlmsg_link *out;
	size_t max, n;
};

static int nl_link_entry(void *ctx, const struct nlmsg_msg *m)
{
	struct nl_links_ctx *c = ctx;
	struct nlmsg_link l;
	if (nlmsg_link(m, &l) < 0)
		return -1;
	if (l.type == ARPHRD_LOOPBACK)
		return 0;
	if (c->n < c->max)
		c->out[c->n] = l;
	c->n++;
	return 0;
}

int nl_links(struct nl *n, struct nlmsg_link *ret, size_t max, size_t *ret_n)
{
	struct nl_links_ctx c = { .out = ret, .max = max };
	size_t len;
	if (nlmsg_getlink(n->buf, sizeof(n->buf), 0, &len) < 0 || nl_call(n, n->buf, len, nl_link_entry, &c) < 0)
		return -1;
	*ret_n = c.n;
	return 0;
}

int nl_set_link(struct nl *n, int ifindex, int up, uint32_t mtu)
{
	size_t len;
	if (nlmsg_setlink(n->buf, sizeof(n->buf), 0, ifindex, up, mtu, &len) < 0)
		return -1;
	return nl_call(n, n->buf, len, NULL, NULL);
}

int nl_add_addr(struct nl *n, int ifindex, const struct nlmsg_addr *a, uint32_t flags)
{
	size_t len;
	if (nlmsg_newaddr(n->buf, sizeof(n->buf), 0, ifindex, a, flags, &len) < 0)
		return -1;
	return nl_call(n, n->buf, len, NULL, NULL);
}

int nl_default_route(struct nl *n, int family, const struct nlmsg_addr *gw, int ifindex)
{
	size_t len;
	if (nlmsg_defroute(n->buf, sizeof(n->buf), 0, family, gw, ifindex, &len) < 0)
		return -1;
	return nl_call(n, n->buf, len, NULL, NULL);
}
