/* ctl.c - the host channel's server: listeners, connections, framing, streams
 * and the push (docs/protocol.md). The operations themselves are in
 * ctl_ops.c.
 *
 * Owns: every connection (one malloc'd struct each, at most CTL_MAX_CONNS),
 * the listeners, the virtio-serial port, the push connection, and the two
 * rings that events and log lines go into.
 *
 * Invariants:
 * - Nothing blocks: every fd is non-blocking; a connection is read only
 *   while it has room for input and little unsent output, so a client that
 *   does not read stops being served, and costs at most its own buffers.
 * - Streams keep a cursor into a ring, never a queue of their own: items are
 *   made only while the connection's unsent output is under CTL_OUT_LOW.
 * - A closed connection is unlinked at once and freed in ctl_after_batch(),
 *   after the loop batch that may still hold its events.
 */
#include "ctl.h"
#include "ctl_int.h"
#include "base/console.h"
#include "base/loop.h"
#include "channel/addr.h"
#include "channel/json.h"
#include "supervisor/exec.h"
#include "base/clock.h"
#include "base/version.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

struct ctl ctl;

static char scratch[CTL_OUT_MAX];   /* one item or reply at a time */

/* ---- output ---- */

static size_t pending(const struct conn *c)
{
	return c->outlen - c->outoff;
}

static void conn_update(struct conn *c);
static int backlog(const struct conn *c);
static int discards_input(const struct conn *c);
static int admit(int host);
static int evict_for_output(const struct conn *c);
static void conn_close(struct conn *c);
static void conn_process(struct conn *c);

/* Queue bytes; -1 when they do not fit this connection's or the global
 * bound. A small error line may pass the global budget (not the per
 * connection one): the client must learn why. */
static int out_append(struct conn *c, const char *p, size_t n, int small)
{
	size_t need;
	if (c->outoff == c->outlen)
		c->outoff = c->outlen = 0;
	if (pending(c) + n > CTL_OUT_MAX)
		return -1;
	if (c->outoff && c->outlen + n > c->outcap) {
		memmove(c->out, c->out + c->outoff, pending(c));
		c->outlen -= c->outoff;
		c->outoff = 0;
	}
	need = c->outlen + n;
	if (need > c->outcap) {
		size_t cap = c->outcap ? c->outcap : 4096;
		char *nb;
		while (cap < need)
			cap *= 2;
		if (cap > CTL_OUT_MAX)
			cap = CTL_OUT_MAX;
		if (!small && ctl.out_total - c->outcap + cap > CTL_OUT_BUDGET)
			return -1;
		nb = realloc(c->out, cap);
		if (!nb)
			return -1;
		ctl.out_total = ctl.out_total - c->outcap + cap;
		c->out = nb;
		c->outcap = cap;
	}
	memcpy(c->out + c->outlen, p, n);
	c->outlen += n;
	return 0;
}

static void out_shrink(struct conn *c)
{
	/* Idle connections keep no big buffer. */
	if (pending(c) == 0 && c->outcap > 16384) {
		free(c->out);
		ctl.out_total -= c->outcap;
		c->out = NULL;
		c->outcap = c->outlen = c->outoff = 0;
	}
}

static void conn_flush(struct conn *c)
{
	while (pending(c) > 0 && c->fd >= 0) {
		ssize_t n = write(c->fd, c->out + c->outoff, pending(c));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0) {
			conn_close(c);
			return;
		}
		c->outoff += (size_t)n;
		c->last_progress = loop_now();
		ctl.bytes_out += (uint64_t)n;
	}
	out_shrink(c);
}

/* {"id":ID,"ok":OK, — every reply's start. */
static void reply_head(struct jw *w, const char *id, int ok)
{
	jw_obj(w);
	if (id && *id) {
		jw_key(w, "id");
		jw_raw(w, id, strlen(id));
	}
	jw_kbool(w, "ok", ok);
}

void ctl_reply_error(struct conn *c, const char *id, enum ctl_err code, const char *msg)
{
	struct jw w;
	/* Room for the id and a 512-byte message escaped 6 bytes per byte. */
	char buf[PROTO_ID_MAX + 6 * 512 + 256];
	jw_init(&w, buf, sizeof(buf));
	reply_head(&w, id, 0);
	jw_key(&w, "error");
	jw_obj(&w);
	jw_kstr(&w, "code", proto_err_name(code));
	jw_key(&w, "message");
	jw_strn(&w, msg, strlen(msg) > 512 ? 512 : strlen(msg));
	jw_end(&w);
	jw_end(&w);
	jw_nl(&w);
	if (w.overflow || out_append(c, buf, w.len, 1) < 0) {
		/* Not even an error fits: this client is not reading. */
		ctl.dropped_replies++;
		c->closing = 1;
	}
	if (code == CTL_E_BAD_REQUEST || code == CTL_E_TOO_LARGE || code == CTL_E_UNKNOWN_OP)
		ctl.bad_requests++;
}

struct jw *ctl_reply_begin(const char *id)
{
	static struct jw w;
	jw_init(&w, scratch, sizeof(scratch));
	reply_head(&w, id, 1);
	jw_key(&w, "result");
	jw_obj(&w);
	return &w;
}

int ctl_reply_end(struct conn *c, struct jw *w, const char *id)
{
	return ctl_reply_end_ex(c, w, id, 0);
}

int ctl_reply_end_ex(struct conn *c, struct jw *w, const char *id, int exempt)
{
	jw_end(w);
	jw_end(w);
	jw_nl(w);
	if (w->overflow) {
		ctl_reply_error(c, id, CTL_E_FAILED, "the reply is over the 1 MiB limit");
		return -1;
	}
	/* Past the output budget, the memory held by clients that do not read
	 * goes first: a reply to one that asks must not wait on them. */
	while (out_append(c, w->buf, w->len, exempt) < 0) {
		if (pending(c) + w->len <= CTL_OUT_MAX && evict_for_output(c))
			continue;
		ctl.busy_replies++;
		ctl_reply_error(c, id, CTL_E_BUSY, "no memory left for replies: read the ones sent, or try again");
		return -1;
	}
	return 0;
}

/* ---- streams ---- */

/* Queue one stream item. -1 when the output budget has no room now: the
 * caller leaves its cursor where it was and the stream waits (blocked) until
 * a later batch finds room. An item that can never fit is skipped, counted. */
static int emit_item(struct conn *c, struct jw *w)
{
	jw_nl(w);
	if (w->overflow) {
		ctl.items_dropped++;
		return 0;
	}
	if (out_append(c, w->buf, w->len, 0) < 0) {
		c->blocked = 1;
		ctl.stream_waits++;
		return -1;
	}
	return 0;
}

static void emit_lost(struct conn *c, uint64_t n)
{
	struct jw w;
	char buf[64];
	jw_init(&w, buf, sizeof(buf) - 1);
	jw_obj(&w);
	jw_kint(&w, "lost", (long long)n);
	jw_end(&w);
	jw_nl(&w);
	/* Small, and the client must learn it: past the budget. */
	out_append(c, buf, w.len, 1);
	ctl.items_lost += n;
}

void ctl_format_event(struct jw *w, const struct ring_rec *r)
{
	jw_obj(w);
	jw_kint(w, "seq", (long long)r->seq);
	jw_kint(w, "at_ms", (long long)r->at_ms);
	if (r->len) {
		/* The stored text is the object's other members, already JSON. */
		jw_raw(w, ring_data(&ctl.events, r), r->len);
	}
	jw_end(w);
}

static void pump_events(struct conn *c)
{
	/* The push makes one item at a time, so that when its connection is
	 * lost, the one unsent item is known and is sent again. */
	size_t low = c->kind == CK_PUSH ? 1 : CTL_OUT_LOW;
	while (pending(c) < low && c->cursor < ring_next(&ctl.events)) {
		const struct ring_rec *r;
		struct jw w;
		if (c->cursor < ring_first(&ctl.events)) {
			emit_lost(c, ring_first(&ctl.events) - c->cursor);
			c->cursor = ring_first(&ctl.events);
			continue;
		}
		r = ring_get(&ctl.events, c->cursor);
		jw_init(&w, scratch, sizeof(scratch));
		jw_obj(&w);
		jw_key(&w, "event");
		ctl_format_event(&w, r);
		jw_end(&w);
		if (emit_item(c, &w) < 0)
			return;
		c->cursor++;
		if (c->kind == CK_PUSH) {
			c->inflight = r->seq;
			ctl.push_sent++;
		}
	}
}

static const char *const stream_names[] = { "", "stdout", "stderr" };

static void pump_logs(struct conn *c)
{
	uint64_t stop = c->follow ? ring_next(&ctl.logs) : c->end_seq;
	while (pending(c) < CTL_OUT_LOW && c->cursor < stop) {
		const struct ring_rec *r;
		struct jw w;
		if (c->cursor < ring_first(&ctl.logs)) {
			emit_lost(c, ring_first(&ctl.logs) - c->cursor);
			c->cursor = ring_first(&ctl.logs);
			continue;
		}
		r = ring_get(&ctl.logs, c->cursor);
		if (c->filter >= 0 && r->tag != (unsigned)c->filter) {
			c->cursor++;
			continue;
		}
		if (r->kind == CTL_LOG_DROPPED) {
			/* Lines the process wrote over its budget, here in order. */
			char count[24];
			size_t n = r->len < sizeof(count) ? r->len : sizeof(count) - 1;
			memcpy(count, ring_data(&ctl.logs, r), n);
			count[n] = '\0';
			jw_init(&w, scratch, sizeof(scratch));
			jw_obj(&w);
			jw_kint(&w, "lost", strtoll(count, NULL, 10));
			jw_kstr(&w, "process", ctl_proc_name(r->tag));
			jw_kstr(&w, "reason", "budget");
			jw_end(&w);
			if (emit_item(c, &w) < 0)
				return;
			c->cursor++;
			continue;
		}
		jw_init(&w, scratch, sizeof(scratch));
		jw_obj(&w);
		jw_key(&w, "log");
		jw_obj(&w);
		jw_kint(&w, "seq", (long long)r->seq);
		jw_kint(&w, "at_ms", (long long)r->at_ms);
		jw_kstr(&w, "process", ctl_proc_name(r->tag));
		jw_kstr(&w, "stream", stream_names[r->kind < 3 ? r->kind : 0]);
		jw_key(&w, "line");
		jw_strn(&w, ring_data(&ctl.logs, r), r->len);
		jw_end(&w);
		jw_end(&w);
		if (emit_item(c, &w) < 0)
			return;
		c->cursor++;
		c->sent++;
	}
	if (!c->follow && c->cursor >= stop && pending(c) < CTL_OUT_LOW) {
		struct jw w;
		jw_init(&w, scratch, sizeof(scratch));
		jw_obj(&w);
		jw_key(&w, "end");
		jw_obj(&w);
		jw_kint(&w, "lines", (long long)c->sent);
		jw_end(&w);
		jw_end(&w);
		if (emit_item(c, &w) < 0)
			return;
		/* Back to requests. */
		c->mode = CM_REQ;
	}
}

static void conn_pump(struct conn *c)
{
	if (c->mode == CM_EVENTS)
		pump_events(c);
	else if (c->mode == CM_LOGS)
		pump_logs(c);
}

void ctl_stream_start(struct conn *c, enum conn_mode mode, uint64_t cursor)
{
	c->mode = mode;
	c->cursor = cursor;
	c->sent = 0;
}

/* ---- connections ---- */

static void on_conn(struct loop *l, struct loop_io *io, uint32_t events);
static void on_conn_timer(struct loop *l, struct loop_timer *t);

static struct conn *conn_new(int fd, enum conn_kind kind, int host)
{
	struct conn *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->fd = fd;
	c->kind = kind;
	c->mode = CM_REQ;
	c->filter = -1;
	c->io.fd = -1;
	loop_timer_init(&c->timer, on_conn_timer, c);
	if (loop_io_add(ctl.vm.loop, &c->io, fd, EPOLLIN, on_conn, c) < 0) {
		free(c);
		return NULL;
	}
	c->last_progress = c->last_in = loop_now();
	c->host = host;
	c->next = ctl.conns;
	ctl.conns = c;
	ctl.nconns++;
	if (!host)
		ctl.nlocal++;
	return c;
}

static void conn_unlink(struct conn *c)
{
	for (struct conn **pp = &ctl.conns; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			ctl.nconns--;
			if (!c->host)
				ctl.nlocal--;
			return;
		}
}

/* Forget everything a session had: for the serial port and the push, which
 * outlive their peer. */
static void conn_reset(struct conn *c)
{
	if (c->mode == CM_EXEC)
		exec_cancel(c);
	c->mode = CM_REQ;
	c->inlen = 0;
	c->outoff = c->outlen = 0;
	out_shrink(c);
	c->closing = c->peer_eof = 0;
	loop_timer_cancel(ctl.vm.loop, &c->timer);
}

static void conn_close(struct conn *c)
{
	if (c->dead)
		return;
	if (c->kind == CK_SERIAL) {
		ctl_serial_lost(c);
		return;
	}
	if (c->kind == CK_PUSH) {
		ctl_push_lost(c);
		return;
	}
	c->dead = 1;
	if (c->mode == CM_EXEC)
		exec_cancel(c);
	/* Closing with unread input makes the kernel reset the connection, and
	 * the client may never see the error reply sent just before: read
	 * what is there (bounded) first. */
	if (!c->peer_eof)
		for (int k = 0; k < 16; k++) {
			char sink[4096];
			if (read(c->fd, sink, sizeof(sink)) <= 0)
				break;
		}
	loop_io_del(ctl.vm.loop, &c->io);
	loop_timer_cancel(ctl.vm.loop, &c->timer);
	close(c->fd);
	c->fd = -1;
	/* Its output budget is free at once: evict_for_output() counts on it. */
	free(c->out);
	ctl.out_total -= c->outcap;
	c->out = NULL;
	c->outcap = c->outlen = c->outoff = 0;
	conn_unlink(c);
	c->next = ctl.dead;
	ctl.dead = c;
}

void ctl_conn_drop(struct conn *c)
{
	/* A push or serial "connection" lost its peer: like conn_close for a
	 * socket, without freeing the object. */
	conn_reset(c);
	loop_io_del(ctl.vm.loop, &c->io);
}

static void conn_update(struct conn *c)
{
	uint32_t ev = 0;
	if (c->dead || c->fd < 0 || c->io.fd < 0)
		return;
	if (c->closing && pending(c) == 0) {
		conn_close(c);
		return;
	}
	if (!c->closing && !c->peer_eof) {
		if (discards_input(c))
			ev |= EPOLLIN;   /* read and drop */
		else if (c->inlen < sizeof(c->in) && pending(c) < CTL_OUT_LOW)
			ev |= EPOLLIN;
	}
	if (pending(c) > 0 || (backlog(c) && !c->closing))
		ev |= EPOLLOUT;
	if (ev != c->io.events)
		loop_io_mod(ctl.vm.loop, &c->io, ev);
	/* A half-sent request may not sit forever. */
	if (c->kind == CK_SOCKET && c->mode == CM_REQ && c->inlen > 0 && !memchr(c->in, '\n', c->inlen)) {
		if (!loop_timer_armed(&c->timer))
			loop_timer_in(ctl.vm.loop, &c->timer,
				      (uint64_t)CTL_PARTIAL_TIMEOUT_SEC * LOOP_NS_PER_SEC);
	} else if (c->kind == CK_SOCKET) {
		loop_timer_cancel(ctl.vm.loop, &c->timer);
	}
}

static void on_conn_timer(struct loop *l, struct loop_timer *t)
{
	struct conn *c = t->ctx;
	(void)l;
	if (c->kind == CK_SERIAL) {
		ctl_serial_timer(c);
		return;
	}
	if (c->kind == CK_PUSH) {
		ctl_push_timer(c);
		return;
	}
	ctl.timeouts++;
	ctl_reply_error(c, NULL, CTL_E_BAD_REQUEST, "no complete request within 30 s: closing");
	c->closing = 1;
	conn_flush(c);
	conn_update(c);
}

static void handle_line(struct conn *c, char *line, size_t len)
{
	static struct ctl_req req;
	char msg[512];
	enum ctl_err e;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len == 0)
		return;
	ctl.requests++;
	e = proto_parse_request(line, len, &req, msg, sizeof(msg));
	if (e != CTL_OK) {
		ctl_reply_error(c, req.id, e, msg);
		return;
	}
	ctl_dispatch(c, &req);
}

/* Whether the connection has work it can do now, output aside: complete
 * requests to answer, or stream items to make. */
static int backlog(const struct conn *c)
{
	if (c->blocked)
		return 0;   /* waits for budget: retried after each batch */
	switch (c->mode) {
	case CM_REQ:
		return !c->closing && memchr(c->in, '\n', c->inlen) != NULL;
	case CM_EVENTS:
		return c->cursor < ring_next(&ctl.events);
	case CM_LOGS:
		return !c->follow || c->cursor < ring_next(&ctl.logs);
	default:
		return 0;
	}
}

/* Answer the complete requests in the input (while the output is small). */
static void conn_requests(struct conn *c)
{
	size_t off = 0;
	while (!c->dead && c->mode == CM_REQ && !c->closing && pending(c) < CTL_OUT_LOW) {
		char *nl = memchr(c->in + off, '\n', c->inlen - off);
		if (!nl) {
			if (off == 0 && c->inlen == sizeof(c->in)) {
				ctl_reply_error(c, NULL, CTL_E_TOO_LARGE,
						"a request line is over 16383 bytes: closing");
				c->closing = 1;
			} else if (c->peer_eof) {
				c->closing = 1;   /* a partial line at the end: nothing to answer */
			}
			break;
		}
		handle_line(c, c->in + off, (size_t)(nl - (c->in + off)));
		off = (size_t)(nl - c->in) + 1;
	}
	if (off) {
		memmove(c->in, c->in + off, c->inlen - off);
		c->inlen -= off;
		/* Progress: a partial line left now gets its own 30 s. */
		loop_timer_cancel(ctl.vm.loop, &c->timer);
		c->last_progress = loop_now();
	}
}

/* Do what can be done now: answer, stream, write. A few rounds at most, for
 * fairness; a connection with work left asks for EPOLLOUT (conn_update), which
 * a writable socket reports at once, so the rest comes next turn. */
static void conn_process(struct conn *c)
{
	for (int round = 0; round < 4 && !c->dead; round++) {
		conn_requests(c);
		if (c->dead)
			return;
		if (c->mode == CM_REQ && c->peer_eof && c->inlen == 0)
			c->closing = 1;
		conn_pump(c);
		conn_flush(c);
		if (c->dead || c->fd < 0 || pending(c) >= CTL_OUT_LOW || !backlog(c))
			break;
	}
	if (!c->dead)
		conn_update(c);
}

/* A follower's and the push's input is never a request: read and dropped,
 * so a chatty peer cannot fill a buffer. A non-follow logs stream ends, so
 * what comes meanwhile is the next request. */
static int discards_input(const struct conn *c)
{
	return c->mode == CM_EVENTS || (c->mode == CM_LOGS && c->follow);
}

static void conn_read(struct conn *c)
{
	for (int k = 0; k < 4; k++) {
		ssize_t n;
		if (discards_input(c)) {
			char sink[4096];
			n = read(c->fd, sink, sizeof(sink));
		} else {
			if (c->inlen == sizeof(c->in))
				return;
			n = read(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen);
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0) {
			conn_close(c);
			return;
		}
		if (n == 0) {
			/* The peer will send no more. A socket's peer may have
			 * only half-closed and still read: its requests are
			 * answered, its stream goes on, until a write fails or
			 * EPOLLHUP says it is gone. A serial port's EOF is the
			 * host going away. */
			c->peer_eof = 1;
			if (c->kind == CK_SERIAL)
				conn_close(c);
			return;
		}
		ctl.bytes_in += (uint64_t)n;
		c->last_in = loop_now();
		if (!discards_input(c))
			c->inlen += (size_t)n;
	}
}

static void on_conn(struct loop *l, struct loop_io *io, uint32_t events)
{
	struct conn *c = io->ctx;
	(void)l;
	if (c->dead)
		return;
	if (c->kind == CK_PUSH && c->mode == CM_CONNECTING) {
		ctl_push_connected(c, events);
		return;
	}
	if (events & EPOLLIN)
		conn_read(c);
	if (c->dead || c->fd < 0 || c->io.fd < 0)
		return;
	if (events & EPOLLOUT)
		conn_flush(c);
	if (c->dead || c->fd < 0 || c->io.fd < 0)
		return;
	if ((events & (EPOLLERR | EPOLLHUP)) && !(events & EPOLLIN)) {
		conn_close(c);
		return;
	}
	conn_process(c);
}

/* An exec finished, or anything else that let a waiting connection go on. */
void ctl_conn_resume(struct conn *c)
{
	if (!c->dead)
		conn_process(c);
}

/* ---- listeners ---- */

struct listener {
	struct loop_io io;
	struct loop_timer pause;
	int fd;
	int vsock;
	int host;                /* its connections are the host's */
	uint32_t peer_cid;       /* vsock: the one peer CID let in, or ADDR_CID_ANY */
	char path[ADDR_PATH_MAX];  /* unix: the file to remove at the end */
	char name[128];
};

static struct listener listeners[CTL_MAX_LISTENERS];
static size_t nlisteners;

static void refuse(int fd, const char *why)
{
	char buf[256];
	int n = snprintf(buf, sizeof(buf),
			 "{\"ok\":false,\"error\":{\"code\":\"busy\",\"message\":\"%s\"}}\n", why);
	/* Best effort on a fresh socket: it has room for one line. What the
	 * client sent is read first: closing on unread input resets the
	 * connection, and the client would not see why. */
	for (int k = 0; k < 4; k++) {
		char sink[4096];
		if (read(fd, sink, sizeof(sink)) <= 0)
			break;
	}
	if (write(fd, buf, (size_t)n) < 0) {
		/* nothing to do */
	}
	close(fd);
	ctl.refused++;
}

/* The connection limit, and who gets in at it (docs/protocol.md §7).
 *
 * Connections are the host's (a vsock listener: only the host's CID gets
 * through one) or local (a unix socket: in a VM it lives inside the guest,
 * where any root process can open it). Local ones may hold at most
 * CTL_MAX_CONNS - CTL_HOST_RESERVED slots, so the guest can never take the
 * host's last ones; the virtio-serial port is outside the count altogether.
 *
 * At a limit, a connection that makes no progress is closed to make room
 * before one that is merely idle: first a half request or unread output,
 * then nothing asked and nothing to send, each the longest without progress
 * first, and among equals a local one before the host's. A quiet stream, a
 * running exec and a request being answered are never closed. A local
 * newcomer may close only local connections, so guest clients cannot push
 * the host's out. */
enum conn_tier { TIER_STALLED, TIER_IDLE, TIER_KEEP };

static enum conn_tier conn_tier(const struct conn *c, uint64_t *ret_since)
{
	if (c->kind != CK_SOCKET || c->dead)
		return TIER_KEEP;
	if (c->mode == CM_REQ && c->inlen > 0 && !memchr(c->in, '\n', c->inlen)) {
		*ret_since = c->last_in;      /* half a request */
		return TIER_STALLED;
	}
	if (pending(c) > 0 && c->mode != CM_EXEC) {
		*ret_since = c->last_progress;   /* output the client does not read */
		return TIER_STALLED;
	}
	if (c->mode == CM_REQ && c->inlen == 0 && pending(c) == 0 && !c->closing) {
		*ret_since = c->last_progress;
		return TIER_IDLE;
	}
	return TIER_KEEP;
}

/* Close the worst connection, a local one unless any; 1 if one was closed. */
static int evict_one(int any)
{
	struct conn *victim = NULL;
	enum conn_tier vt = TIER_KEEP;
	uint64_t vsince = 0;
	for (struct conn *c = ctl.conns; c; c = c->next) {
		uint64_t since = 0;
		enum conn_tier t = conn_tier(c, &since);
		if (t == TIER_KEEP || (c->host && !any))
			continue;
		if (victim && (t > vt || (t == vt && (c->host > victim->host ||
						      (c->host == victim->host && since >= vsince)))))
			continue;
		victim = c;
		vt = t;
		vsince = since;
	}
	if (!victim)
		return 0;
	ctl.evicted++;
	conn_close(victim);
	return 1;
}

/* The output budget is spent and c needs some for a reply: close the
 * connection whose unsent output has waited longest for its reader (a local
 * one unless c is the host's). Never c itself, nor an exec's, whose result
 * is owed. 1 if one was closed. Only from the reply path: closing a
 * connection while ctl_after_batch() walks the list would cut its walk. */
static int evict_for_output(const struct conn *c)
{
	struct conn *victim = NULL;
	for (struct conn *v = ctl.conns; v; v = v->next) {
		if (v == c || v->kind != CK_SOCKET || v->dead || v->mode == CM_EXEC || !v->outcap ||
		    pending(v) == 0 || (v->host && !c->host))
			continue;
		if (!victim || v->host < victim->host ||
		    (v->host == victim->host && v->last_progress < victim->last_progress))
			victim = v;
	}
	if (!victim)
		return 0;
	ctl.evicted++;
	conn_close(victim);
	return 1;
}

/* Room for a new connection (closing one if need be): 1, or 0 to refuse. */
static int admit(int host)
{
	if (host)
		return ctl.nconns < CTL_MAX_CONNS || evict_one(1);
	if (ctl.nconns < CTL_MAX_CONNS && ctl.nlocal < CTL_MAX_CONNS - CTL_HOST_RESERVED)
		return 1;
	return evict_one(0);
}

static void on_listener_pause(struct loop *l, struct loop_timer *t)
{
	struct listener *ls = t->ctx;
	loop_io_add(l, &ls->io, ls->fd, EPOLLIN, ls->io.fn, ls);
}

static void on_accept(struct loop *l, struct loop_io *io, uint32_t events)
{
	struct listener *ls = io->ctx;
	(void)events;
	for (int k = 0; k < 32; k++) {
		struct sockaddr_vm peer;
		socklen_t plen = sizeof(peer);
		int fd;
		memset(&peer, 0, sizeof(peer));
		fd = accept4(ls->fd, ls->vsock ? (struct sockaddr *)&peer : NULL, ls->vsock ? &plen : NULL,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE || errno == ENOMEM || errno == ENOBUFS) {
				/* Out of fds: stop accepting for a second rather than
				 * spin on a listener that stays readable. */
				log_warn("%s: accept: %s: pausing for 1 s", ls->name, strerror(errno));
				ctl.refused++;
				loop_io_del(l, &ls->io);
				loop_timer_in(l, &ls->pause, LOOP_NS_PER_SEC);
			}
			return;
		}
		/* With vsock_loopback, any process in the VM can reach CID 1: a
		 * root shell for anyone, unless only the host is let in. */
		if (fd >= 0 && ls->vsock && ls->peer_cid != ADDR_CID_ANY && peer.svm_cid != ls->peer_cid) {
			close(fd);
			ctl.refused_peers++;
			continue;
		}
		if (!admit(ls->host)) {
			refuse(fd, ls->host ? "too many connections (256)"
					    : "too many local connections (224; 32 more are the host's)");
			continue;
		}
		if (ctl.vm.shutdown_phase && ctl.finalized) {
			refuse(fd, "the VM is powering off");
			continue;
		}
		if (!conn_new(fd, CK_SOCKET, ls->host)) {
			refuse(fd, "out of memory");
			continue;
		}
		ctl.accepted++;
	}
}

static int add_listener(int fd, const char *name, int vsock, uint32_t peer_cid)
{
	struct listener *ls;
	if (nlisteners == CTL_MAX_LISTENERS) {
		close(fd);
		errno = ENOSPC;
		return -1;
	}
	ls = &listeners[nlisteners];
	ls->fd = fd;
	ls->vsock = vsock;
	ls->host = vsock;
	ls->peer_cid = peer_cid;
	ls->io.fd = -1;
	snprintf(ls->name, sizeof(ls->name), "%s", name);
	loop_timer_init(&ls->pause, on_listener_pause, ls);
	if (listen(fd, CTL_LISTEN_BACKLOG) < 0 || loop_io_add(ctl.vm.loop, &ls->io, fd, EPOLLIN, on_accept, ls) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	nlisteners++;
	return 0;
}

static int listen_unix(const struct addr *a, const char *name)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	memcpy(sa.sun_path, a->path, strlen(a->path) + 1);
	/* A socket left by an earlier run is replaced; any other file is not. */
	if (lstat(a->path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(a->path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(a->path, 0600) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	if (add_listener(fd, name, 0, 0) < 0)
		return -1;
	snprintf(listeners[nlisteners - 1].path, sizeof(listeners[0].path), "%s", a->path);
	return 0;
}

void ctl_close_listeners(void)
{
	for (size_t i = 0; i < nlisteners; i++) {
		loop_io_del(ctl.vm.loop, &listeners[i].io);
		loop_timer_cancel(ctl.vm.loop, &listeners[i].pause);
		close(listeners[i].fd);
		if (listeners[i].path[0])
			unlink(listeners[i].path);
	}
	nlisteners = 0;
}

static int listen_vsock(const struct addr *a, const char *name)
{
	struct sockaddr_vm sa;
	int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.svm_family = AF_VSOCK;
	sa.svm_cid = VMADDR_CID_ANY;
	sa.svm_port = a->port;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	/* vsock:PORT lets in the host only; vsock:CID:PORT that CID. */
	return add_listener(fd, name, 1, a->cid == ADDR_CID_ANY ? VMADDR_CID_HOST : a->cid);
}

void ctl_listen(const char *list)
{
	char buf[1024], *save = NULL;
	snprintf(buf, sizeof(buf), "%s", list);
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		struct addr a;
		const char *err;
		int rc;
		if (!*tok)
			continue;
		if (addr_parse(tok, &a, &err) < 0) {
			log_error("control %s: %s", tok, err);
			continue;
		}
		switch (a.kind) {
		case ADDR_UNIX:
			rc = listen_unix(&a, tok);
			break;
		case ADDR_VSOCK:
			rc = listen_vsock(&a, tok);
			break;
		case ADDR_SERIAL:
			rc = ctl_serial_open(a.path);
			break;
		default:
			errno = EINVAL;
			rc = -1;
			break;
		}
		if (rc < 0)
			log_warn("control %s: %s: not listening there", tok, strerror(errno));
		else
			log_info("control: listening on %s", tok);
	}
}

/* ---- the virtio-serial port ---- */

/* A port has no connections. The host's side comes and goes: the kernel
 * reports EPOLLHUP while nobody is connected, without end, so a lost port
 * leaves epoll and is polled twice a second until the host is back. */
#define SERIAL_POLL_NS (500 * LOOP_NS_PER_MS)

static int find_port(const char *name, char *dev, size_t len)
{
	DIR *d = opendir("/sys/class/virtio-ports");
	struct dirent *de;
	int found = 0;
	if (!d)
		return -1;
	while (!found && (de = readdir(d))) {
		char path[512], got[256];
		int fd;
		ssize_t n;
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/class/virtio-ports/%s/name", de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, got, sizeof(got) - 1);
		close(fd);
		if (n <= 0)
			continue;
		got[n] = '\0';
		got[strcspn(got, "\n")] = '\0';
		if (!strcmp(got, name)) {
			snprintf(dev, len, "/dev/%s", de->d_name);
			found = 1;
		}
	}
	closedir(d);
	if (!found)
		errno = ENOENT;
	return found ? 0 : -1;
}

int ctl_serial_open(const char *name)
{
	char dev[300];
	struct conn *c;
	int fd;
	if (find_port(name, dev, sizeof(dev)) < 0)
		return -1;
	fd = open(dev, O_RDWR | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	c = conn_new(fd, CK_SERIAL, 1);
	if (!c) {
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	/* Not counted against the connection limit. */
	ctl.nconns--;
	return 0;
}

void ctl_serial_lost(struct conn *c)
{
	ctl_conn_drop(c);
	loop_timer_in(ctl.vm.loop, &c->timer, SERIAL_POLL_NS);
}

void ctl_serial_timer(struct conn *c)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	if (poll(&p, 1, 0) < 0 || (p.revents & (POLLHUP | POLLERR | POLLNVAL))) {
		loop_timer_in(ctl.vm.loop, &c->timer, SERIAL_POLL_NS);
		return;
	}
	if (loop_io_add(ctl.vm.loop, &c->io, c->fd, EPOLLIN, on_conn, c) < 0)
		loop_timer_in(ctl.vm.loop, &c->timer, SERIAL_POLL_NS);
	else
		conn_process(c);
}

/* ---- the push ---- */

#define PUSH_RETRY_MIN_NS (100 * LOOP_NS_PER_MS)
#define PUSH_RETRY_MAX_NS (5 * LOOP_NS_PER_SEC)

static void push_try(struct conn *c)
{
	const struct addr *a = &ctl.push_addr;
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
	ctl.push_attempts++;
	if (fd >= 0 && (rc == 0 || errno == EINPROGRESS)) {
		c->fd = fd;
		c->mode = CM_CONNECTING;
		if (loop_io_add(ctl.vm.loop, &c->io, fd, EPOLLOUT, on_conn, c) == 0)
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

void ctl_push_hurry(void)
{
	struct conn *c = ctl.push;
	if (!c || c->mode != CM_CONNECTING || !loop_timer_armed(&c->timer))
		return;
	ctl.push_backoff = PUSH_RETRY_MIN_NS;
	loop_timer_in(ctl.vm.loop, &c->timer, 0);
}

/* While the last events wait to go out, retry fast: the flush lasts 2 s. */
static uint64_t push_max_backoff(void)
{
	return ctl.finalized ? 200 * LOOP_NS_PER_MS : PUSH_RETRY_MAX_NS;
}

void ctl_push_lost(struct conn *c)
{
	if (c->mode == CM_EVENTS) {
		/* At least once: an item not (wholly) written goes again; the
		 * host tells repeats by seq. */
		ctl.push_cursor = pending(c) > 0 && c->inflight ? c->inflight : c->cursor;
		if (pending(c) > 0)
			ctl.push_resent++;
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
		ctl.push_backoff = PUSH_RETRY_MIN_NS;
	c->connected_at = 0;
	c->mode = CM_CONNECTING;
	loop_timer_in(ctl.vm.loop, &c->timer, ctl.push_backoff);
	ctl.push_backoff *= 2;
	if (ctl.push_backoff > push_max_backoff())
		ctl.push_backoff = push_max_backoff();
}

void ctl_push_connected(struct conn *c, uint32_t events)
{
	int err = 0;
	socklen_t len = sizeof(err);
	struct jw jw, *w = &jw;
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err || (events & EPOLLERR)) {
		ctl_push_lost(c);
		return;
	}
	ctl.push_connects++;
	c->connected_at = loop_now();
	/* The first item of every push connection: who we are and how boot went. */
	jw_init(w, scratch, sizeof(scratch));
	jw_obj(w);
	jw_key(w, "event");
	jw_obj(w);
	jw_kstr(w, "type", "ready");
	jw_kint(w, "at_ms", (long long)clock_boot_ms());
	jw_kstr(w, "vminit", VMINIT_VERSION);
	jw_kint(w, "protocol", PROTO_VERSION);
	ctl_write_boot(w);
	jw_end(w);
	jw_end(w);
	jw_nl(w);
	out_append(c, w->buf, w->len, 1);   /* small: past the budget */
	ctl_stream_start(c, CM_EVENTS, ctl.push_cursor);
	conn_update(c);
	conn_process(c);
}

void ctl_push(const char *addr)
{
	const char *err;
	struct conn *c;
	if (!addr || !*addr)
		return;
	if (addr_parse(addr, &ctl.push_addr, &err) < 0 ||
	    (ctl.push_addr.kind != ADDR_UNIX && ctl.push_addr.kind != ADDR_VSOCK) ||
	    (ctl.push_addr.kind == ADDR_VSOCK && ctl.push_addr.cid == ADDR_CID_ANY)) {
		log_error("push %s: want vsock:CID:PORT or unix:PATH", addr);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		log_error("push %s: out of memory", addr);
		return;
	}
	c->kind = CK_PUSH;
	c->fd = -1;
	c->io.fd = -1;
	c->filter = -1;
	loop_timer_init(&c->timer, on_conn_timer, c);
	ctl.push = c;
	ctl.push_cursor = ring_first(&ctl.events);
	ctl.push_backoff = PUSH_RETRY_MIN_NS;
	log_info("control: pushing events to %s", addr);
	push_try(c);
}

/* ---- the rest ---- */

int ctl_init(const struct ctl_vm *vm)
{
	memset(&ctl, 0, sizeof(ctl));
	ctl.vm = *vm;
	ctl.first_process_ms = -1;
	ctl.spec_ms = -1;
	ctl.pid1_ms = vm->started_ms;
	if (ring_init(&ctl.events, CTL_EVENT_BYTES, CTL_EVENT_SLOTS) < 0 ||
	    ring_init(&ctl.logs, CTL_LOG_BYTES, CTL_LOG_SLOTS) < 0)
		return -1;
	return 0;
}

void ctl_after_batch(void)
{
	struct conn *c, *next;
	for (c = ctl.conns; c; c = next) {
		next = c->next;
		c->blocked = 0;
		if ((c->mode == CM_EVENTS || c->mode == CM_LOGS) && pending(c) < CTL_OUT_LOW) {
			conn_pump(c);
			conn_flush(c);
			if (!c->dead)
				conn_update(c);
		}
	}
	c = ctl.push;
	if (c)
		c->blocked = 0;
	if (c && c->mode == CM_EVENTS && c->fd >= 0 && pending(c) < CTL_OUT_LOW) {
		pump_events(c);
		conn_flush(c);
		if (c->fd >= 0)
			conn_update(c);
	}
	if (c && c->mode == CM_EVENTS)
		ctl.push_cursor = c->cursor;
	for (c = ctl.dead; c; c = next) {
		next = c->next;
		if (c->out)
			ctl.out_total -= c->outcap;
		free(c->out);
		free(c);
	}
	ctl.dead = NULL;
}

int ctl_flushed(void)
{
	for (struct conn *c = ctl.conns; c; c = c->next) {
		if (c->fd < 0 || c->io.fd < 0)
			continue;
		if (pending(c) > 0)
			return 0;
		if (c->mode == CM_EVENTS && c->cursor < ring_next(&ctl.events))
			return 0;
	}
	if (ctl.push && (ctl.push->mode != CM_EVENTS || pending(ctl.push) > 0 ||
			 ctl.push->cursor < ring_next(&ctl.events)))
		return 0;
	return 1;
}
