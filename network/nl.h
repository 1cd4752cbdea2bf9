/* nl.h - an rtnetlink socket and the requests vminit makes on it: one
 * request at a time, sent, then its replies read until its ack or its dump's
 * end (the messages themselves are nlmsg.h's).
 *
 * This blocks, on purpose and within a bound: it configures the VM's own
 * kernel at boot, which answers rtnetlink at once, from the same call. Still,
 * every call waits at most NL_WAIT_MS in all (poll on a non-blocking socket
 * against a CLOCK_MONOTONIC deadline), then fails with ETIMEDOUT. Because
 * the sending and the reading of replies are apart from the building and the
 * parsing, the same exchange can move onto the loop later.
 *
 * Errors: -1 with errno: the kernel's own errno for a refused request
 * (ENODEV, EEXIST, ENETUNREACH, ...), ETIMEDOUT, EBADMSG for a reply that
 * does not parse, EMSGSIZE for a request or a reply that does not fit.
 */
#ifndef VMINIT_NL_H
#define VMINIT_NL_H

#include <stddef.h>
#include <stdint.h>

#include "nlmsg.h"

#define NL_WAIT_MS 1000
/* The largest datagram a dump sends: the kernel sizes a dump's messages by
 * the reader's buffer, and caps that at 32 KiB. */
#define NL_BUF_LEN 32768

struct nl {
	int fd;                 /* -1: closed */
	uint32_t seq;           /* the last request's */
	uint8_t buf[NL_BUF_LEN];  /* the request, then each datagram read */
};

/* Called for each message of the reply that is neither the ack nor the
 * dump's end (a dump's entries): 0 to go on, -1 (errno set) to fail the call
 * once the reply has been read to its end. */
typedef int (*nl_msg_fn)(void *ctx, const struct nlmsg_msg *m);

int nl_open(struct nl *n);
void nl_close(struct nl *n);

/* Send req[0..len) (a whole request: its sequence number is set here, to
 * ++n->seq) and read its replies to the end, fn (may be NULL) for each entry.
 * req may be n->buf. */
int nl_call(struct nl *n, const void *req, size_t len, nl_msg_fn fn, void *ctx);

/* Every link but loopback ones: up to max into ret, how many there are in
 * *ret_n (more than max: the rest were left out). */
int nl_links(struct nl *n, struct nlmsg_link *ret, size_t max, size_t *ret_n);
int nl_set_link(struct nl *n, int ifindex, int up, uint32_t mtu);
int nl_add_addr(struct nl *n, int ifindex, const struct nlmsg_addr *a, uint32_t flags);
int nl_default_route(struct nl *n, int family, const struct nlmsg_addr *gw, int ifindex);

#endif
