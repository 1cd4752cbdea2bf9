/* conn.c - the host channel's connections: reading, line framing, writing,
 * replies and the output budgets (docs/protocol.md §1, §7).
 *
 * Owns: every connection object (one malloc'd struct each, at most
 * CTL_MAX_CONNS on the server's list, plus the serial port's and the push's),
 * its input buffer and its output queue.
 *
 * Invariants:
 * - Nothing blocks: every fd is non-blocking; a connection is read only
 *   while it has room for input and little unsent output, so a client that
 *   does not read stops being served, and costs at most its own buffers.
 * - A request is one line; it is answered only once whole, one at a time, in
 *   order. A half line may wait CTL_PARTIAL_TIMEOUT_SEC, a line that cannot
 *   fit the input buffer closes the connection.
 * - Unsent bytes are bounded per connection (CTL_OUT_MAX) and in all
 *   (CTL_OUT_BUDGET, ctl->out_total); only a small error line may pass the
 *   latter, so that the client learns why. Pipelined replies are written
 *   once CTL_OUT_KEEP / 2 are queued, so that a reading client's buffer
 *   stays within the CTL_OUT_KEEP an idle connection keeps. The reply to
 *   the last request of a read, with nothing queued, is written from the
 *   scratch buffer: only what the socket does not take is queued.
 * - A closed connection is unlinked at once and freed in ctl_after_batch(),
 *   after the loop batch that may still hold its events; its output memory
 *   goes back at once.
 */
#include "ctl_int.h"
#include "supervisor/exec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

/* ---- output ---- */

/* Room for n bytes after the queued ones; NULL when they do not fit this
 * connection's or the global bound. A small error line may pass the global
 * budget (not the per connection one): the client must learn why. */
char *ctl_out_space(struct conn *c, size_t n, int small)
{
	struct ctl_server *ctl = c->ctl;
	size_t need;
	if (c->outoff == c->outlen)
		c->outoff = c->outlen = 0;
	if (ctl_pending(c) + n > CTL_OUT_MAX)
		return NULL;
	if (c->outoff && c->outlen + n > c->outcap) {
		memmove(c->out, c->out + c->outoff, ctl_pending(c));
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
		if (!small && ctl->out_total - c->outcap + cap > CTL_OUT_BUDGET)
			return NULL;
		nb = realloc(c->out, cap);
		if (!nb)
			return NULL;
		ctl->out_total = ctl->out_total - c->outcap + cap;
		c->out = nb;
		c->outcap = cap;
	}
	return c->out + c->outlen;
}

int ctl_out_append(struct conn *c, const char *p, size_t n, int small)
{
	char *d = ctl_out_space(c, n, small);
	if (!d)
		return -1;
	memcpy(d, p, n);
	c->outlen += n;
	return 0;
}

static void out_free(struct conn *c)
{
	free(c->out);
	c->ctl->out_total -= c->outcap;
	c->out = NULL;
	c->outcap = c->outlen = c->outoff = 0;
}

static void out_shrink(struct conn *c)
{
	/* Idle connections keep no big buffer; a follower keeps its own (at
	 * most CTL_OUT_LOW and an item): a flood refills it every batch. */
	if (ctl_pending(c) == 0 && c->outcap > CTL_OUT_KEEP && !(c->mode == CM_LOGS && c->follow))
		out_free(c);
}

int ctl_conn_mid_line(const struct conn *c)
{
	return c->outoff > 0 && c->outoff < c->outlen && c->out[c->outoff - 1] != '\n';
}

void ctl_conn_flush(struct conn *c)
{
	/* A serial port that said its host went is written again only after
	 * the next look (serial.c): what is due may be a new host's to cut. */
	if (c->kind == CK_SERIAL && c->io.fd < 0)
		return;
	while (ctl_pending(c) > 0 && c->fd >= 0) {
		size_t want = ctl_pending(c);
		ssize_t n = write(c->fd, c->out + c->outoff, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0) {
			ctl_conn_close(c);
			return;
		}
		c->outoff += (size_t)n;
		c->hup_cut = 0;   /* the rest of the line went to whoever is there now */
		c->last_progress = loop_now();
		c->ctl->bytes_out += (uint64_t)n;
		/* A short write: the socket is full, and a write now would only
		 * fail (EAGAIN). EPOLLOUT says when it has room. */
		if ((size_t)n < want)
			break;
	}
	out_shrink(c);
}

/* ---- replies ---- */

void ctl_reply_error(struct conn *c, const char *id, enum ctl_err code, const char *msg)
{
	struct jw w;
	/* Room for the id and a 512-byte message escaped 6 bytes per byte. */
	char buf[PROTO_ID_MAX + 6 * ENC_ERROR_MESSAGE_MAX + 256];
	jw_init(&w, buf, sizeof(buf));
	enc_error_reply(&w, id, code, msg);
	if (w.overflow || ctl_out_append(c, buf, w.len, 1) < 0) {
		/* Not even an error fits: this client is not reading. */
		c->ctl->count[ENC_C_DROPPED_REPLIES]++;
		c->closing = 1;
	}
	if (code == CTL_E_BAD_REQUEST || code == CTL_E_TOO_LARGE || code == CTL_E_UNKNOWN_OP)
		c->ctl->count[ENC_C_BAD_REQUESTS]++;
}

struct jw *ctl_reply_begin(struct conn *c, const char *id)
{
	struct jw *w = &c->ctl->reply;
	jw_init(w, c->ctl->work->scratch, CTL_OUT_MAX);
	enc_reply_begin(w, id);
	return w;
}

int ctl_reply_end(struct conn *c, struct jw *w, const char *id)
{
	return ctl_reply_end_ex(c, w, id, 0);
}

int ctl_reply_end_ex(struct conn *c, struct jw *w, const char *id, int exempt)
{
	enc_reply_end(w);
	if (w->overflow) {
		ctl_reply_error(c, id, CTL_E_FAILED, "the reply is over the 1 MiB limit");
		return -1;
	}
	/* Past the output budget, the memory held by clients that do not read
	 * goes first: a reply to one that asks must not wait on them. */
	/* The last request of a read, nothing queued: the reply goes from the
	 * scratch buffer straight to the socket, neither copied into the queue
	 * nor kept in it (a one-shot client's connection never holds a reply
	 * buffer). What the socket does not take is queued as usual, and an
	 * error is left to the flush that follows to see. Pipelined requests
	 * still have their replies gathered into few writes. */
	if (c->last_request && ctl_pending(c) == 0 && c->fd >= 0) {
		ssize_t n = write(c->fd, w->buf, w->len);
		if (n > 0) {
			c->last_progress = loop_now();
			c->ctl->bytes_out += (uint64_t)n;
			if ((size_t)n == w->len)
				return 0;
			memmove(w->buf, w->buf + n, w->len - (size_t)n);
			w->len -= (size_t)n;
		}
	}
	while (ctl_out_append(c, w->buf, w->len, exempt) < 0) {
		if (ctl_pending(c) + w->len <= CTL_OUT_MAX && ctl_evict_for_output(c))
			continue;
		c->ctl->count[ENC_C_BUSY_REPLIES]++;
		ctl_reply_error(c, id, CTL_E_BUSY, "no memory left for replies: read the ones sent, or try again");
		return -1;
	}
	return 0;
}

/* ---- connections ---- */

static void on_conn(struct loop *l, struct loop_io *io, uint32_t events);
static void on_conn_timer(struct loop *l, struct loop_timer *t);

void ctl_conn_init(struct conn *c, struct ctl_server *ctl, enum conn_kind kind)
{
	c->ctl = ctl;
	c->fd = -1;
	c->kind = kind;
	c->mode = CM_REQ;
	c->filter = -1;
	c->io.fd = -1;
	loop_timer_init(&c->timer, on_conn_timer, c);
}

int ctl_conn_watch(struct conn *c, uint32_t events)
{
	return loop_io_add(c->ctl->vm.loop, &c->io, c->fd, events, on_conn, c);
}

struct conn *ctl_conn_new(struct ctl_server *ctl, int fd, enum conn_kind kind, int host)
{
	struct conn *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	ctl_conn_init(c, ctl, kind);
	c->fd = fd;
	if (ctl_conn_watch(c, EPOLLIN) < 0) {
		free(c);
		return NULL;
	}
	c->last_progress = c->last_in = loop_now();
	c->host = host;
	c->next = ctl->conns;
	ctl->conns = c;
	ctl->nconns++;
	if (!host)
		ctl->nlocal++;
	return c;
}

static void conn_unlink(struct conn *c)
{
	struct ctl_server *ctl = c->ctl;
	for (struct conn **pp = &ctl->conns; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			ctl->nconns--;
			if (!c->host)
				ctl->nlocal--;
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
	loop_timer_cancel(c->ctl->vm.loop, &c->timer);
}

void ctl_conn_close(struct conn *c)
{
	struct ctl_server *ctl = c->ctl;
	int reset;
	if (c->dead)
		return;
	if (c->kind == CK_SERIAL) {
		ctl_serial_lost(c);
		return;
	}
	/* A vsock transport reset (a restore) is told once the connection is
	 * gone (control/clock.c). */
	reset = ctl_vsock_was_reset(c->fd, c->mode != CM_CONNECTING);
	if (c->kind == CK_PUSH) {
		ctl_push_lost(c);
		if (reset)
			ctl_vsock_reset(ctl);
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
	loop_io_del(ctl->vm.loop, &c->io);
	loop_timer_cancel(ctl->vm.loop, &c->timer);
	close(c->fd);
	c->fd = -1;
	/* Its output budget is free at once: ctl_evict_for_output() counts on it. */
	out_free(c);
	conn_unlink(c);
	c->next = ctl->dead;
	ctl->dead = c;
	if (reset)
		ctl_vsock_reset(ctl);
}

void ctl_conn_host_gone(struct conn *c, int cut)
{
	if (c->mode == CM_EVENTS || c->mode == CM_LOGS) {
		c->mode = CM_REQ;
		c->blocked = 0;
	}
	/* A line cut short would join the next host's first reply. */
	if (cut && ctl_conn_mid_line(c)) {
		char *nl = memchr(c->out + c->outoff, '\n', c->outlen - c->outoff);
		c->outoff = nl ? (size_t)(nl - c->out) + 1 : c->outlen;
	}
	if (c->outoff == c->outlen) {
		c->outoff = c->outlen = 0;
		out_shrink(c);
	}
	c->closing = c->peer_eof = 0;
}

void ctl_conn_drop(struct conn *c)
{
	/* Like ctl_conn_close for a socket, without freeing the object. */
	conn_reset(c);
	loop_io_del(c->ctl->vm.loop, &c->io);
}

void ctl_conn_free(struct conn *c)
{
	if (c->mode == CM_EXEC)
		exec_cancel(c);
	loop_io_del(c->ctl->vm.loop, &c->io);
	loop_timer_cancel(c->ctl->vm.loop, &c->timer);
	if (c->fd >= 0)
		close(c->fd);
	explicit_bzero(c->in, sizeof(c->in));
	out_free(c);
	free(c);
}

/* ---- framing ---- */

/* A follower's and the push's input is never a request: read and dropped,
 * so a chatty peer cannot fill a buffer. A non-follow logs stream ends, so
 * what comes meanwhile is the next request. */
static int discards_input(const struct conn *c)
{
	/* Not a serial port's: a request there may be a new host's. */
	return c->kind != CK_SERIAL && (c->mode == CM_EVENTS || (c->mode == CM_LOGS && c->follow));
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
		return c->cursor < ring_next(&c->ctl->events);
	case CM_LOGS:
		return !c->follow || c->cursor < ring_next(&c->ctl->logs);
	default:
		return 0;
	}
}

void ctl_conn_update(struct conn *c)
{
	struct loop *l = c->ctl->vm.loop;
	uint32_t ev = 0;
	if (c->dead || c->fd < 0 || c->io.fd < 0)
		return;
	if (c->closing && ctl_pending(c) == 0) {
		ctl_conn_close(c);
		return;
	}
	if (!c->closing && !c->peer_eof) {
		if (discards_input(c))
			ev |= EPOLLIN;   /* read and drop */
		else if (c->inlen < sizeof(c->in) && ctl_pending(c) < CTL_OUT_LOW)
			ev |= EPOLLIN;
	}
	if (ctl_pending(c) > 0 || (backlog(c) && !c->closing))
		ev |= EPOLLOUT;
	if (ev != c->io.events)
		loop_io_mod(l, &c->io, ev);
	/* A half-sent request may not sit forever. */
	if (c->kind == CK_SOCKET && c->mode == CM_REQ && c->inlen > 0 && !memchr(c->in, '\n', c->inlen)) {
		if (!loop_timer_armed(&c->timer))
			loop_timer_in(l, &c->timer, (uint64_t)CTL_PARTIAL_TIMEOUT_SEC * LOOP_NS_PER_SEC);
	} else if (c->kind == CK_SOCKET) {
		loop_timer_cancel(l, &c->timer);
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
	c->ctl->count[ENC_C_REQUEST_TIMEOUTS]++;
	ctl_reply_error(c, NULL, CTL_E_BAD_REQUEST, "no complete request within 30 s: closing");
	c->closing = 1;
	ctl_conn_flush(c);
	ctl_conn_update(c);
}

static void handle_line(struct conn *c, char *line, size_t len)
{
	struct ctl_req *req = &c->ctl->work->req;
	char msg[512];
	enum ctl_err e;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len == 0)
		return;
	c->ctl->count[ENC_C_REQUESTS]++;
	e = proto_parse_request(line, len, req, msg, sizeof(msg));
	if (e != CTL_OK)
		ctl_reply_error(c, req->id, e, msg);
	else
		ctl_dispatch(c, req);
	/* A request may hold secrets: neither its line nor its strings stay. */
	explicit_bzero(line, len);
	if (req->op == CTL_OP_SECRETS)
		explicit_bzero(req->strbuf, sizeof(req->strbuf));
}

/* Answer the complete requests in the input (while the output is small). */
static void conn_requests(struct conn *c)
{
	size_t off = 0, start;
	while (!c->dead && c->mode == CM_REQ && !c->closing && ctl_pending(c) < CTL_OUT_LOW) {
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
		start = off;
		off = (size_t)(nl - c->in) + 1;
		c->last_request = !memchr(c->in + off, '\n', c->inlen - off);
		handle_line(c, c->in + start, (size_t)(nl - (c->in + start)));
		c->last_request = 0;
		/* Pipelined replies go out as they pile up, so that the queue
		 * stays within the buffer an idle connection keeps. */
		if (ctl_pending(c) >= CTL_OUT_KEEP / 2)
			ctl_conn_flush(c);
	}
	if (off) {
		memmove(c->in, c->in + off, c->inlen - off);
		c->inlen -= off;
		explicit_bzero(c->in + c->inlen, off);   /* no stale copy behind */
		/* Progress: a partial line left now gets its own 30 s. */
		loop_timer_cancel(c->ctl->vm.loop, &c->timer);
		c->last_progress = loop_now();
	}
}

/* Do what can be done now: answer, stream, write. A few rounds at most, for
 * fairness; a connection with work left asks for EPOLLOUT (ctl_conn_update),
 * which a writable socket reports at once, so the rest comes next turn. */
void ctl_conn_process(struct conn *c)
{
	if (c->kind == CK_SERIAL && memchr(c->in, '\n', c->inlen))
		ctl_serial_request(c);
	for (int round = 0; round < 4 && !c->dead; round++) {
		conn_requests(c);
		if (c->dead)
			return;
		if (c->mode == CM_REQ && c->peer_eof && c->inlen == 0)
			c->closing = 1;
		ctl_stream_pump(c);
		ctl_conn_flush(c);
		if (c->dead || c->fd < 0 || ctl_pending(c) >= CTL_OUT_LOW || !backlog(c))
			break;
	}
	if (!c->dead)
		ctl_conn_update(c);
}

static void conn_read(struct conn *c)
{
	for (int k = 0; k < 4; k++) {
		ssize_t n;
		size_t room;
		if (discards_input(c)) {
			char sink[4096];
			n = read(c->fd, sink, room = sizeof(sink));
		} else {
			if (c->inlen == sizeof(c->in))
				return;
			n = read(c->fd, c->in + c->inlen, room = sizeof(c->in) - c->inlen);
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0) {
			ctl_conn_close(c);
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
				ctl_conn_close(c);
			return;
		}
		c->ctl->bytes_in += (uint64_t)n;
		c->last_in = loop_now();
		if (!discards_input(c))
			c->inlen += (size_t)n;
		/* A short read took all there was: no read only to learn
		 * EAGAIN (epoll is level-triggered: more that comes wakes us). */
		if ((size_t)n < room)
			return;
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
		ctl_conn_flush(c);
	if (c->dead || c->fd < 0 || c->io.fd < 0)
		return;
	if ((events & (EPOLLERR | EPOLLHUP)) && !(events & EPOLLIN)) {
		ctl_conn_close(c);
		return;
	}
	ctl_conn_process(c);
}

void ctl_conn_input(struct conn *c)
{
	on_conn(c->ctl->vm.loop, &c->io, EPOLLIN);
}

void ctl_conn_resume(struct conn *c)
{
	if (!c->dead)
		ctl_conn_process(c);
}
