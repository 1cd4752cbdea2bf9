/* probe.c - one health check attempt on the loop (see probe.h).
 *
 * Owns: per probe, at most two sockets: the check's (fd, io, the deadline
 * timer) and the drain's (drain_fd, drain_io, drain_timer).
 * Invariants:
 * - phase == IDLE  <=>  no callback is due; then fd == -1 and the timer is
 *   disarmed. In every other phase the timer is armed: for now in DIAL, for
 *   the deadline after.
 * - fd >= 0 only in CONNECT, SEND and RECV, and then io is registered on it;
 *   drain_fd >= 0 exactly while drain_io and drain_timer are set on it.
 * - hc_probe_start opens nothing: the attempt begins from the loop (DIAL), so
 *   every result, even one connect() gives at once, is found inside a
 *   handler and a callback can never run inside hc_probe_start.
 * - Every path that ends a check goes through probe_finish(), which releases
 *   the check's socket first and calls back last: a handler touches nothing
 *   of the probe after it, so the callback may restart or cancel the probe
 *   (or its owner may drop it at the end of the batch).
 * Never: blocks (every socket is non-blocking), raises SIGPIPE (MSG_NOSIGNAL),
 * allocates, or reads more than HC_PROBE_DRAIN_MAX bytes after a verdict.
 */
#include "probe.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

static void on_io(struct loop *l, struct loop_io *io, uint32_t events);
static void on_timer(struct loop *l, struct loop_timer *t);
static void on_drain(struct loop *l, struct loop_io *io, uint32_t events);
static void on_drain_timer(struct loop *l, struct loop_timer *t);

static const char *probe_errtext(int err)
{
	switch (err) {
	case ECONNREFUSED: return "connection refused";
	case ECONNRESET: return "connection reset";
	case EPIPE: return "connection closed";
	case ENETUNREACH: return "network unreachable";
	case EHOSTUNREACH: return "host unreachable";
	case ETIMEDOUT: return "connection timed out";
	case EADDRNOTAVAIL: return "address not available";
	case EAFNOSUPPORT: return "address family not supported";
	default: return strerror(err);
	}
}

static uint64_t probe_ms(const struct hc_probe *p)
{
	return p->target.timeout_ns / LOOP_NS_PER_MS;
}

/* ---- the check's socket and the end of a check ---- */

static void probe_close_check(struct hc_probe *p)
{
	if (p->fd < 0)
		return;
	loop_io_del(p->loop, &p->io);
	close(p->fd);
	p->fd = -1;
}

/* The result is in p->reason. The last thing a handler does. */
static void probe_finish(struct hc_probe *p, int pass)
{
	/* Copied out: the callback may start the probe again, and a later
	 * result would rewrite p->reason under the callback's argument. */
	char reason[HC_PROBE_REASON_MAX];
	hc_probe_fn fn = p->fn;
	void *ctx = p->ctx;

	probe_close_check(p);
	loop_timer_cancel(p->loop, &p->timer);
	p->pass = pass;
	p->phase = HC_PROBE_IDLE;
	memcpy(reason, p->reason, sizeof(reason));
	fn(ctx, pass, reason);
}

static void probe_fail(struct hc_probe *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void probe_fail(struct hc_probe *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->reason, sizeof(p->reason), fmt, ap);
	va_end(ap);
	probe_finish(p, 0);
}

/* ---- the drain ---- */

static void drain_close(struct hc_probe *p)
{
	if (p->drain_fd < 0)
		return;
	loop_io_del(p->loop, &p->drain_io);
	loop_timer_cancel(p->loop, &p->drain_timer);
	close(p->drain_fd);
	p->drain_fd = -1;
}

/* Hand the check's connection over to the drain; already: the bytes of the
 * response that came after the status line in the verdict's read. */
static void drain_begin(struct hc_probe *p, uint64_t already)
{
	int fd = p->fd;

	loop_io_del(p->loop, &p->io);
	p->fd = -1;
	drain_close(p);
	p->drained = already;
	if (already >= HC_PROBE_DRAIN_MAX || loop_now() >= p->deadline)
		goto err_close;
	if (loop_io_add(p->loop, &p->drain_io, fd, EPOLLIN, on_drain, p) < 0)
		goto err_close;
	if (loop_timer_at(p->loop, &p->drain_timer, p->deadline) < 0)
		goto err_io;
	p->drain_fd = fd;
	return;
err_io:
	loop_io_del(p->loop, &p->drain_io);
err_close:
	/* Not draining costs the server a reset at worst, never the check. */
	close(fd);
}

static void on_drain(struct loop *l, struct loop_io *io, uint32_t events)
{
	struct hc_probe *p = io->ctx;
	char buf[4096];

	(void)l; (void)events;
	while (p->drained < HC_PROBE_DRAIN_MAX) {
		size_t want = HC_PROBE_DRAIN_MAX - p->drained;
		ssize_t n = recv(p->drain_fd, buf, want < sizeof(buf) ? want : sizeof(buf), 0);

		if (n > 0) {
			p->drained += (uint64_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		break;   /* EOF, or an error: either way the connection is over */
	}
	drain_close(p);
}

static void on_drain_timer(struct loop *l, struct loop_timer *t)
{
	(void)l;
	drain_close(t->ctx);
}

/* ---- the check ---- */

static int probe_build_request(struct hc_probe *p)
{
	char host[32];

	if (p->family == AF_INET6)
		snprintf(host, sizeof(host), "[::1]:%u", (unsigned)p->target.port);
	else
		snprintf(host, sizeof(host), "127.0.0.1:%u", (unsigned)p->target.port);
	int len = hc_http_request(p->request, sizeof(p->request), p->target.path, host);
	if (len < 0)
		return -1;
	p->request_len = (size_t)len;
	p->request_sent = 0;
	return 0;
}

/* The status line has its verdict: the callback now, the rest to the drain. */
static void probe_verdict(struct hc_probe *p)
{
	drain_begin(p, p->http.ignored);
	snprintf(p->reason, sizeof(p->reason), "%s", p->http.reason);
	probe_finish(p, p->http.verdict == HC_HTTP_PASS);
}

static void probe_recv(struct hc_probe *p)
{
	/* A verdict comes within HC_HTTP_LINE_MAX + 1 bytes, so this loop is
	 * bounded without a budget. */
	char buf[512];

	for (;;) {
		ssize_t n = recv(p->fd, buf, sizeof(buf), 0);

		if (n > 0) {
			if (hc_http_feed(&p->http, buf, (size_t)n) != HC_HTTP_MORE) {
				probe_verdict(p);
				return;
			}
			continue;
		}
		if (n == 0) {
			hc_http_eof(&p->http);
			probe_fail(p, "%s", p->http.reason);
			return;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return;
		probe_fail(p, "%s", probe_errtext(errno));
		return;
	}
}

static void probe_send(struct hc_probe *p)
{
	p->phase = HC_PROBE_SEND;
	while (p->request_sent < p->request_len) {
		ssize_t n = send(p->fd, p->request + p->request_sent,
				 p->request_len - p->request_sent, MSG_NOSIGNAL);

		if (n > 0) {
			p->request_sent += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0 || errno == EAGAIN || errno == EWOULDBLOCK)
			return;   /* still registered for EPOLLOUT */
		if (errno == EPIPE)
			break;    /* it stopped reading; it may still have answered */
		probe_fail(p, "%s", probe_errtext(errno));
		return;
	}
	p->phase = HC_PROBE_RECV;
	if (loop_io_mod(p->loop, &p->io, EPOLLIN) < 0)
		probe_fail(p, "cannot wait for the response: %s", strerror(errno));
}

static void probe_connected(struct hc_probe *p)
{
	if (p->target.kind == HC_TCP) {
		snprintf(p->reason, sizeof(p->reason), "connected to %s:%u",
			 p->family == AF_INET6 ? "[::1]" : "127.0.0.1", (unsigned)p->target.port);
		probe_finish(p, 1);
		return;
	}
	/* The Host header names the address that answered. It cannot fail for
	 * ::1: its host is shorter than 127.0.0.1's, which fitted at start. */
	if (p->family == AF_INET6 && probe_build_request(p) < 0) {
		probe_fail(p, "cannot build the request: %s", strerror(errno));
		return;
	}
	probe_send(p);
}

static void probe_dial(struct hc_probe *p, int family);

/* The connect to p->family failed with err (the socket is closed). */
static void probe_connect_failed(struct hc_probe *p, int err)
{
	if (p->family == AF_INET && err == ECONNREFUSED) {
		probe_dial(p, AF_INET6);
		return;
	}
	if (p->family == AF_INET)
		probe_fail(p, "%s (127.0.0.1)", probe_errtext(err));
	else if (err == ECONNREFUSED)
		probe_fail(p, "connection refused (127.0.0.1 and ::1)");
	else
		probe_fail(p, "connection refused (127.0.0.1), ::1: %s", probe_errtext(err));
}

/* Connect to the loopback address of family: CONNECT, or on to the next
 * step, or a result. */
static void probe_dial(struct hc_probe *p, int family)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(p->target.port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(p->target.port),
				     .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	const struct sockaddr *sa = family == AF_INET6 ? (const struct sockaddr *)&sin6
						       : (const struct sockaddr *)&sin;
	socklen_t salen = family == AF_INET6 ? sizeof(sin6) : sizeof(sin);
	const char *addr = family == AF_INET6 ? "::1" : "127.0.0.1";
	int fd, r;

	p->family = family;
	p->phase = HC_PROBE_CONNECT;
	fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto err_local;
	r = connect(fd, sa, salen);
	/* EINTR: a non-blocking connect goes on in the background all the same. */
	if (r < 0 && errno != EINPROGRESS && errno != EINTR) {
		int err = errno;
		close(fd);
		probe_connect_failed(p, err);
		return;
	}
	if (loop_io_add(p->loop, &p->io, fd, EPOLLOUT, on_io, p) < 0) {
		int err = errno;
		close(fd);
		errno = err;
		goto err_local;
	}
	p->fd = fd;
	if (r == 0)
		probe_connected(p);
	return;
err_local:
	/* Out of fds or memory in PID 1: the check cannot tell anything about
	 * the process, but it did not pass. */
	if (family == AF_INET6)
		probe_fail(p, "connection refused (127.0.0.1), ::1: cannot connect: %s", strerror(errno));
	else
		probe_fail(p, "cannot connect to %s: %s", addr, strerror(errno));
}

static void on_io(struct loop *l, struct loop_io *io, uint32_t events)
{
	struct hc_probe *p = io->ctx;
	int err = 0;
	socklen_t len = sizeof(err);

	(void)l; (void)events;
	switch (p->phase) {
	case HC_PROBE_CONNECT:
		if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		if (err) {
			probe_close_check(p);
			probe_connect_failed(p, err);
			return;
		}
		probe_connected(p);
		return;
	case HC_PROBE_SEND:
		probe_send(p);
		return;
	case HC_PROBE_RECV:
		probe_recv(p);
		return;
	case HC_PROBE_IDLE:
	case HC_PROBE_DIAL:
		return;   /* no socket is registered then */
	}
}

static void on_timer(struct loop *l, struct loop_timer *t)
{
	struct hc_probe *p = t->ctx;
	unsigned long long ms = (unsigned long long)probe_ms(p);

	(void)l;
	switch (p->phase) {
	case HC_PROBE_DIAL:
		/* The attempt begins; from now on the timer is the deadline.
		 * Re-arming cannot fail: this timer's heap slot was freed just
		 * now by its firing, and nothing ran since. */
		if (loop_timer_at(p->loop, &p->timer, p->deadline) < 0) {
			probe_fail(p, "cannot arm the deadline: %s", strerror(errno));
			return;
		}
		probe_dial(p, AF_INET);
		return;
	case HC_PROBE_CONNECT:
		if (p->family == AF_INET6)
			probe_fail(p, "timed out after %llu ms connecting to ::1 (127.0.0.1 refused)", ms);
		else
			probe_fail(p, "timed out after %llu ms connecting", ms);
		return;
	case HC_PROBE_SEND:
		probe_fail(p, "timed out after %llu ms sending the request", ms);
		return;
	case HC_PROBE_RECV:
		probe_fail(p, "timed out after %llu ms waiting for the status line", ms);
		return;
	case HC_PROBE_IDLE:
		return;   /* the timer is disarmed whenever the probe goes idle */
	}
}

/* ---- the API ---- */

void hc_probe_init(struct hc_probe *p)
{
	memset(p, 0, sizeof(*p));
	p->phase = HC_PROBE_IDLE;
	p->fd = -1;
	p->io.fd = -1;
	p->drain_fd = -1;
	p->drain_io.fd = -1;
	loop_timer_init(&p->timer, on_timer, p);
	loop_timer_init(&p->drain_timer, on_drain_timer, p);
	hc_http_init(&p->http);
}

int hc_probe_start(struct hc_probe *p, struct loop *l, const struct hc_target *t,
		   hc_probe_fn fn, void *ctx)
{
	uint64_t now;

	if (p->phase != HC_PROBE_IDLE) {
		errno = EBUSY;
		return -1;
	}
	if (!fn || t->port == 0 || t->timeout_ns == 0 || (t->kind != HC_TCP && t->kind != HC_HTTP)) {
		errno = EINVAL;
		return -1;
	}
	/* A drain belongs to the loop it was registered on. */
	if (p->drain_fd >= 0 && p->loop != l)
		drain_close(p);
	p->loop = l;
	p->target = *t;
	p->family = AF_INET;
	if (t->kind == HC_HTTP && probe_build_request(p) < 0)
		return -1;
	now = loop_now();
	/* The attempt starts on the loop's next turn (DIAL); the deadline
	 * counts from now. */
	if (loop_timer_at(l, &p->timer, now) < 0)
		return -1;
	p->fn = fn;
	p->ctx = ctx;
	p->pass = 0;
	p->reason[0] = '\0';
	hc_http_init(&p->http);
	p->deadline = t->timeout_ns > UINT64_MAX - now ? UINT64_MAX : now + t->timeout_ns;
	p->phase = HC_PROBE_DIAL;
	return 0;
}

void hc_probe_cancel(struct hc_probe *p)
{
	if (!p->loop)
		return;   /* never started: nothing is open or armed */
	loop_timer_cancel(p->loop, &p->timer);
	probe_close_check(p);
	drain_close(p);
	p->phase = HC_PROBE_IDLE;
}

int hc_probe_busy(const struct hc_probe *p)
{
	return p->phase != HC_PROBE_IDLE;
}

int hc_probe_draining(const struct hc_probe *p)
{
	return p->drain_fd >= 0;
}
