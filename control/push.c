/* push.c - the push: events sent to the host on a connection vminit makes
 * (docs/protocol.md §3, §6).
 *
 * One connection object for the server's life (ctl->push); its socket comes
 * and goes. A failed or dropped connection is retried on a timer, 0.1 s
 * doubling to 5 s (0.2 s once the final event is out, so that the last 2 s
 * of flushing get several tries); the backoff resets only after a connection
 * that lived a second, so a host that accepts and drops at once is not
 * hammered.
 *
 * Delivery is at least once: each connection starts with a ready event, then
 * sends one event at a time, so when it is lost the one unsent event is known
 * (inflight) and goes again first; seq tells repeats apart.
 */
#include "ctl_int.h"
#include "base/clock.h"
#include "base/console.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

#define PUSH_RETRY_MIN_NS (100 * LOOP_NS_PER_MS)
#define PUSH_RETRY_MAX_NS (5 * LOOP_NS_PER_SEC)

static void push_try(struct conn *c)
{
	struct ctl_server *ctl = c->ctl;
	const struct addr *a = &ctl->push_addr;
	int fd, rc;
	if (a->kind == ADDR_UNIX) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		memcpy(sa.sun_path, a->path, strlen(a->path) + 1);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		rc = fd < 0 ? -1 : connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	} else {
		struct sockaddr_vm sa;
		memset(&sa, 0, sizeof(sa));
		sa.svm_family = AF_VSOCK;
		sa.svm_cid = a->cid;
		sa.svm_port = a->port;
		fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		rc = fd < 0 ? -1 : connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	}
	ctl->push_attempts++;
	if (fd >= 0 && (rc == 0 || errno == EINPROGRESS)) {
		c->fd = fd;
		c->mode = CM_CONNECTING;
		if (ctl_conn_watch(c, EPOLLOUT) == 0)
			return;
	}
	if (fd >= 0)
		close(fd);
	c->fd = -1;
	ctl_push_lost(c);
}

void ctl_push_timer(struct conn *c)
{
	push_try(c);
}

void ctl_push_hurry(struct ctl_server *ctl)
{
	struct conn *c = ctl->push;
	if (!c || c->mode != CM_CONNECTING || !loop_timer_armed(&c->timer))
		return;
	ctl->push_backoff = PUSH_RETRY_MIN_NS;
	loop_timer_in(ctl->vm.loop, &c->timer, 0);
}

/* While the last events wait to go out, retry fast: the flush lasts 2 s. */
static uint64_t push_max_backoff(const struct ctl_server *ctl)
{
	return ctl->finalized ? 200 * LOOP_NS_PER_MS : PUSH_RETRY_MAX_NS;
}

void ctl_push_lost(struct conn *c)
{
	struct ctl_server *ctl = c->ctl;
	if (c->mode == CM_EVENTS) {
		/* At least once: an item not (wholly) written goes again; the
		 * host tells repeats by seq. */
		ctl->push_cursor = ctl_pending(c) > 0 && c->inflight ? c->inflight : c->cursor;
		if (ctl_pending(c) > 0)
			ctl->count[ENC_C_PUSH_RESENT]++;
	}
	c->inflight = 0;
	if (c->fd >= 0) {
		ctl_conn_drop(c);
		close(c->fd);
		c->fd = -1;
	}
	/* A host that accepts and drops at once must not get a connection
	 * every 0.1 s: the backoff resets only after a connection that lived. */
	if (c->connected_at && loop_now() - c->connected_at >= LOOP_NS_PER_SEC)
		ctl->push_backoff = PUSH_RETRY_MIN_NS;
	c->connected_at = 0;
	c->mode = CM_CONNECTING;
	loop_timer_in(ctl->vm.loop, &c->timer, ctl->push_backoff);
	ctl->push_backoff *= 2;
	if (ctl->push_backoff > push_max_backoff(ctl))
		ctl->push_backoff = push_max_backoff(ctl);
}

void ctl_push_connected(struct conn *c, uint32_t events)
{
	struct ctl_server *ctl = c->ctl;
	int err = 0;
	socklen_t len = sizeof(err);
	struct jw w;
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err || (events & EPOLLERR)) {
		ctl_push_lost(c);
		return;
	}
	ctl->count[ENC_C_PUSH_CONNECTS]++;
	c->connected_at = loop_now();
	/* The first item of every push connection: who we are and how boot went. */
	jw_init(&w, ctl->work->scratch, CTL_OUT_MAX);
	enc_ready(&w, clock_boot_ms(), &ctl->boot);
	ctl_out_append(c, w.buf, w.len, 1);   /* small: past the budget */
	ctl_stream_start(c, CM_EVENTS, ctl->push_cursor);
	ctl_conn_update(c);
	ctl_conn_process(c);
}

void ctl_push(struct ctl_server *ctl, const char *addr)
{
	struct addr *a = &ctl->push_addr;
	const char *err;
	struct conn *c;
	if (!addr || !*addr)
		return;
	if (addr_parse(addr, a, &err) < 0 || (a->kind != ADDR_UNIX && a->kind != ADDR_VSOCK) ||
	    (a->kind == ADDR_VSOCK && a->cid == ADDR_CID_ANY)) {
		log_error("push %s: want vsock:CID:PORT or unix:PATH", addr);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		log_error("push %s: out of memory", addr);
		return;
	}
	ctl_conn_init(c, ctl, CK_PUSH);
	ctl->push = c;
	ctl->push_cursor = ring_first(&ctl->events);
	ctl->push_backoff = PUSH_RETRY_MIN_NS;
	log_info("control: pushing events to %s", addr);
	push_try(c);
}
