#include "tests/unit/unit.h"

/* test_probe.c - one health check attempt (health/probe.c) with a real loop
 * and real servers on loopback in this process, on the same loop: TCP, the
 * ::1 fallback, HTTP verdicts, timeouts, closes and resets, a dripping
 * status line, an endless body and the drain's bounds, cancel, and a restart
 * from inside the callback.
 *
 * Nothing here races the wall clock (CI runs on a loaded machine): a check
 * that must pass has a timeout far above what it needs (LONG_MS), every wait
 * is for an event with a bound far above what it takes (WAIT_MS: a passing
 * test never waits that long), and a test that needs a deadline to pass
 * moves the clock past it (unit_clock_shift, as a stalled machine would)
 * once the probe is where the test wants it, then asserts what came of it. */

#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/loop.h"
#include "health/probe.h"
#include "base/version.h"

#define MS LOOP_NS_PER_MS
#define LONG_MS 60000   /* the timeout of every check */
#define WAIT_MS 30000   /* the most a test waits for an event */

/* Only a broken probe hangs a test: SIGALRM reports it as a crash. */
static void watchdog(void)
{
	alarm(120);
}
TestSuite(probe, .init = watchdog);

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;
	cr_assert_not_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* ---- the loop ---- */

static void on_guard(struct loop *l, struct loop_timer *t)
{
	(void)l; (void)t;
}

/* Run the loop (one turn at least) until done(arg), or for ms of real time
 * (the test's clock may be shifted). A guard timer at the end makes sure
 * epoll_wait returns even when nothing else is armed; it wakes the loop at
 * the end only, so counting turns stays exact. */
static void run_until(struct loop *l, uint64_t ms, int (*done)(void *), void *arg)
{
	struct loop_timer guard;
	uint64_t end = unit_clock_real_ns() + ms * MS;
	loop_timer_init(&guard, on_guard, NULL);
	do {
		uint64_t real = unit_clock_real_ns();
		cr_assert_eq(loop_timer_at(l, &guard, loop_now() + (real < end ? end - real : 0)), 0);
		cr_assert_eq(loop_run_once(l), 0);
	} while (!(done && done(arg)) && unit_clock_real_ns() < end);
	loop_timer_cancel(l, &guard);
}

static void run_for(struct loop *l, uint64_t ms)
{
	run_until(l, ms, NULL, NULL);
}

static uint64_t turns(struct loop *l)
{
	struct loop_stats st;
	loop_get_stats(l, &st);
	return st.wakeups;
}

/* ---- results ---- */

struct rec {
	int calls;
	int pass;
	char reason[HC_PROBE_REASON_MAX];
	uint64_t at;
	uint64_t turn;
	struct loop *l;
};

static void on_result(void *ctx, int pass, const char *reason)
{
	struct rec *r = ctx;
	r->calls++;
	r->pass = pass;
	snprintf(r->reason, sizeof(r->reason), "%s", reason);
	r->at = loop_now();
	r->turn = r->l ? turns(r->l) : 0;
}

static int rec_called(void *arg)
{
	return ((struct rec *)arg)->calls > 0;
}

/* ---- servers on loopback ---- */

enum srv_mode {
	SRV_SILENT,        /* accept, read, never answer */
	SRV_REPLY,         /* answer, keep the connection open */
	SRV_REPLY_CLOSE,   /* answer, close */
	SRV_REPLY_SHUT,    /* answer, shutdown(SHUT_WR), keep the fd for the test */
	SRV_RESET,         /* close with SO_LINGER 0 */
	SRV_DRIP,          /* the reply one byte per loop turn */
	SRV_ENDLESS,       /* the reply, then a body without end */
	SRV_CLOSE_AT_ONCE, /* close on accept, unread */
};

#define SRV_CONNS 8

struct srv;
struct srv_conn {
	struct srv *s;
	int fd;
	struct loop_io io;
	char req[2048];
	size_t got;
	int replied;
	size_t off;
	uint64_t body;
	int eof;           /* the probe closed its end */
	int send_err;
};

struct srv {
	struct loop *l;
	int lfd, hold_fd;
	uint16_t port;
	struct loop_io lio;
	enum srv_mode mode;
	const char *reply;
	size_t reply_len;
	struct srv_conn c[SRV_CONNS];
	int nconn;
};

static void srv_conn_close(struct srv_conn *c)
{
	if (c->fd < 0)
		return;
	loop_io_del(c->s->l, &c->io);
	close(c->fd);
	c->fd = -1;
}

static void srv_answer(struct srv_conn *c)
{
	struct srv *s = c->s;
	struct linger lin = { .l_onoff = 1, .l_linger = 0 };
	c->replied = 1;
	switch (s->mode) {
	case SRV_SILENT:
		return;
	case SRV_REPLY:
	case SRV_REPLY_CLOSE:
	case SRV_REPLY_SHUT:
		cr_assert_eq(send(c->fd, s->reply, s->reply_len, MSG_NOSIGNAL), (ssize_t)s->reply_len);
		if (s->mode == SRV_REPLY_CLOSE)
			srv_conn_close(c);
		else if (s->mode == SRV_REPLY_SHUT) {
			shutdown(c->fd, SHUT_WR);
			loop_io_del(s->l, &c->io);
		}
		return;
	case SRV_RESET:
		setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lin, sizeof(lin));
		srv_conn_close(c);
		return;
	case SRV_DRIP:
	case SRV_ENDLESS:
		cr_assert_eq(loop_io_mod(s->l, &c->io, EPOLLOUT), 0);
		return;
	case SRV_CLOSE_AT_ONCE:
		return;
	}
}

static void srv_write(struct srv_conn *c)
{
	struct srv *s = c->s;
	static char body[16384];
	ssize_t n;

	if (s->mode == SRV_DRIP) {
		if (c->off < s->reply_len && send(c->fd, s->reply + c->off, 1, MSG_NOSIGNAL) == 1)
			c->off++;
		if (c->off == s->reply_len)
			loop_io_del(s->l, &c->io);   /* keep the connection open */
		return;
	}
	/* SRV_ENDLESS */
	if (c->off < s->reply_len) {
		n = send(c->fd, s->reply + c->off, s->reply_len - c->off, MSG_NOSIGNAL);
		if (n > 0)
			c->off += (size_t)n;
		return;
	}
	memset(body, 'x', sizeof(body));
	n = send(c->fd, body, sizeof(body), MSG_NOSIGNAL);
	if (n > 0) {
		c->body += (uint64_t)n;
		return;
	}
	if (errno != EAGAIN) {
		c->send_err = errno;
		srv_conn_close(c);
	}
}

static void on_srv_conn(struct loop *l, struct loop_io *io, uint32_t events)
{
	struct srv_conn *c = io->ctx;
	(void)l;
	if (events & EPOLLOUT) {
		srv_write(c);
		return;
	}
	ssize_t n = read(c->fd, c->req + c->got, sizeof(c->req) - 1 - c->got);
	if (n <= 0) {
		if (n < 0 && errno == EAGAIN)
			return;
		c->eof = 1;
		srv_conn_close(c);
		return;
	}
	c->got += (size_t)n;
	c->req[c->got] = '\0';
	if (!c->replied && strstr(c->req, "\r\n\r\n"))
		srv_answer(c);
}

static void on_srv_accept(struct loop *l, struct loop_io *io, uint32_t events)
{
	struct srv *s = io->ctx;
	(void)events;
	int fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	cr_assert_lt(s->nconn, SRV_CONNS);
	struct srv_conn *c = &s->c[s->nconn++];
	c->s = s;
	c->fd = fd;
	if (s->mode == SRV_CLOSE_AT_ONCE) {
		close(fd);
		c->fd = -1;
		return;
	}
	cr_assert_eq(loop_io_add(l, &c->io, fd, EPOLLIN, on_srv_conn, c), 0);
}

/* A socket of family bound to its loopback address and port (0: any). */
static int bind_loopback(int family, uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(port),
				     .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	int one = 1;
	int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, family == AF_INET6 ? (struct sockaddr *)&sin6 : (struct sockaddr *)&sin,
		 family == AF_INET6 ? sizeof(sin6) : sizeof(sin)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static uint16_t bound_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

static int have_ipv6(void)
{
	int fd = bind_loopback(AF_INET6, 0);
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

/* A port where neither 127.0.0.1 nor ::1 listens: both bound, neither
 * listening, so both refuse. ret_fds[1] is -1 without IPv6. */
static uint16_t refused_port(int ret_fds[2])
{
	for (int tries = 0; tries < 50; tries++) {
		int fd4 = bind_loopback(AF_INET, 0), fd6;
		cr_assert_geq(fd4, 0);
		uint16_t port = bound_port(fd4);
		if (!have_ipv6()) {
			ret_fds[0] = fd4;
			ret_fds[1] = -1;
			return port;
		}
		fd6 = bind_loopback(AF_INET6, port);
		if (fd6 >= 0) {
			ret_fds[0] = fd4;
			ret_fds[1] = fd6;
			return port;
		}
		close(fd4);
	}
	cr_assert_fail("no free port on both families");
	return 0;
}

/* Listen on family's loopback. For ::1 the same port of 127.0.0.1 is held
 * bound but not listening, so 127.0.0.1 refuses for sure. */
static void srv_open(struct srv *s, struct loop *l, int family, enum srv_mode mode, const char *reply)
{
	memset(s, 0, sizeof(*s));
	s->l = l;
	s->mode = mode;
	s->reply = reply;
	s->reply_len = reply ? strlen(reply) : 0;
	s->hold_fd = -1;
	for (int i = 0; i < SRV_CONNS; i++)
		s->c[i].fd = -1;
	for (int tries = 0; tries < 50; tries++) {
		s->lfd = bind_loopback(family, 0);
		cr_assert_geq(s->lfd, 0, "bind: %s", strerror(errno));
		s->port = bound_port(s->lfd);
		if (family == AF_INET)
			break;
		s->hold_fd = bind_loopback(AF_INET, s->port);
		if (s->hold_fd >= 0)
			break;
		close(s->lfd);
		s->lfd = -1;
	}
	cr_assert_geq(s->lfd, 0);
	cr_assert_eq(listen(s->lfd, 16), 0);
	cr_assert_eq(loop_io_add(l, &s->lio, s->lfd, EPOLLIN, on_srv_accept, s), 0);
}

static void srv_close(struct srv *s)
{
	for (int i = 0; i < s->nconn; i++)
		srv_conn_close(&s->c[i]);
	loop_io_del(s->l, &s->lio);
	close(s->lfd);
	if (s->hold_fd >= 0)
		close(s->hold_fd);
}

/* Conditions to wait for. */
static int conn_eof(void *arg)
{
	return ((struct srv_conn *)arg)->eof;
}

static int not_draining(void *arg)
{
	return !hc_probe_draining(arg);
}

static int conn_closed(void *arg)
{
	return ((struct srv_conn *)arg)->fd < 0;
}

/* The server has the whole request of its latest connection: the probe waits
 * for the status line. */
static int srv_requested(void *arg)
{
	struct srv *s = arg;
	return s->nconn > 0 && s->c[s->nconn - 1].replied;
}

/* The deadline of the probe's check, or of its drain, passes: the clock moves
 * on by the timeout, as if the machine had stalled that long. */
static void pass_deadline(struct hc_probe *p)
{
	unit_clock_shift(p->target.timeout_ns);
}

/* ---- set-up ---- */

struct fixture {
	struct loop *l;
	struct hc_probe p;
	struct rec r;
	int fds;
};

static void fx_init(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	f->fds = count_fds();
	f->l = loop_new(64);
	cr_assert_not_null(f->l);
	hc_probe_init(&f->p);
	f->r.l = f->l;
}

/* Everything the probe opened is closed; the loop is freed. */
static void fx_fini(struct fixture *f)
{
	cr_assert_not(hc_probe_busy(&f->p));
	hc_probe_cancel(&f->p);
	loop_free(f->l);
	cr_assert_eq(count_fds(), f->fds, "fds leaked: %d before, %d after", f->fds, count_fds());
}

static void start(struct fixture *f, enum hc_kind kind, uint16_t port, const char *path)
{
	const struct hc_target t = { .kind = kind, .port = port, .path = path,
				     .timeout_ns = LONG_MS * MS };
	cr_assert_eq(hc_probe_start(&f->p, f->l, &t, on_result, &f->r), 0, "start: %s",
		     strerror(errno));
	cr_assert(hc_probe_busy(&f->p));
	cr_assert_eq(f->r.calls, 0, "called back from inside hc_probe_start");
}

/* Run until the callback; assert it came once. */
static void wait_result(struct fixture *f)
{
	run_until(f->l, WAIT_MS, rec_called, &f->r);
	cr_assert_eq(f->r.calls, 1, "%d callbacks", f->r.calls);
	cr_assert_not(hc_probe_busy(&f->p));
}

static void expect_result(struct fixture *f, int pass, const char *reason)
{
	wait_result(f);
	cr_assert_eq(f->r.pass, pass, "pass %d: %s", f->r.pass, f->r.reason);
	if (reason)
		cr_assert_str_eq(f->r.reason, reason);
}

#define R200 "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

/* ---- TCP ---- */

Test(probe, tcp_passes_when_the_connect_completes)
{
	struct fixture f;
	struct srv s;
	char want[64];
	fx_init(&f);
	srv_open(&s, f.l, AF_INET, SRV_SILENT, NULL);
	start(&f, HC_TCP, s.port, NULL);
	snprintf(want, sizeof(want), "connected to 127.0.0.1:%u", s.port);
	expect_result(&f, 1, want);
	/* Closed at once: the server sees EOF. */
	run_until(f.l, WAIT_MS, conn_eof, &s.c[0]);
	cr_assert_eq(s.nconn, 1);
	cr_assert(s.c[0].eof, "the probe's connection is still open");
	srv_close(&s);
	fx_fini(&f);
}

Test(probe, tcp_refused_on_both_families)
{
	struct fixture f;
	int hold[2];
	fx_init(&f);
	uint16_t port = refused_port(hold);
	start(&f, HC_TCP, port, NULL);
	uint64_t t0 = turns(f.l);
	expect_result(&f, 0, NULL);
	if (hold[1] >= 0)
		cr_assert_str_eq(f.r.reason, "connection refused (127.0.0.1 and ::1)");
	else
		cr_assert(strncmp(f.r.reason, "connection refused (127.0.0.1), ::1: ", 37) == 0, "%s",
			  f.r.reason);
	/* A refusal is known within a few turns (start, 127.0.0.1, ::1), not
	 * at the deadline. */
	cr_assert_leq(f.r.turn - t0, 4, "delivered after %llu turns",
		      (unsigned long long)(f.r.turn - t0));
	close(hold[0]);
	if (hold[1] >= 0)
		close(hold[1]);
	fx_fini(&f);
}

Test(probe, tcp_server_only_on_ipv6_loopback_passes)
{
	struct fixture f;
	struct srv s;
	char want[64];
	if (!have_ipv6())
		cr_skip_test("no IPv6 loopback here (socket(AF_INET6) + bind ::1 failed)");
	fx_init(&f);
	srv_open(&s, f.l, AF_INET6, SRV_SILENT, NULL);
	start(&f, HC_TCP, s.port, NULL);
	snprintf(want, sizeof(want), "connected to [::1]:%u", s.port);
	expect_result(&f, 1, want);
	srv_close(&s);
	fx_fini(&f);
}

/* ---- HTTP ---- */

Test(probe, http_200_passes_and_sends_the_request)
{
	struct fixture f;
	struct srv s;
	char want[512];
	fx_init(&f);
	srv_open(&s, f.l, AF_INET, SRV_REPLY_CLOSE, R200);
	start(&f, HC_HTTP, s.port, "/healthz?deep=1");
	expect_result(&f, 1, "status 200");
	snprintf(want, sizeof(want),
		 "GET /healthz?deep=1 HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
		 "User-Agent: vminit/" VMINIT_VERSION " (health check)\r\n"
		 "Accept: */*\r\nConnection: close\r\n\r\n", s.port);
	cr_assert_str_eq(s.c[0].req, want);
	cr_assert_eq(f.p.http.status, 200);
	run_until(f.l, WAIT_MS, not_draining, &f.p);
	cr_assert_not(hc_probe_draining(&f.p), "the drain did not end at EOF");
	srv_close(&s);
	fx_fini(&f);
}

Test(probe, http_on_ipv6_loopback_names_it_in_host)
{
	struct fixture f;
	struct srv s;
	char want[64];
	if (!have_ipv6())
		cr_skip_test("no IPv6 loopback here (socket(AF_INET6) + bind ::1 failed)");
	fx_init(&f);
	srv_open(&s, f.l, AF_INET6, SRV_REPLY_CLOSE, R200);
	start(&f, HC_HTTP, s.port, "/");
	expect_result(&f, 1, "status 200");
	snprintf(want, sizeof(want), "\r\nHost: [::1]:%u\r\n", s.port);
	cr_assert_not_null(strstr(s.c[0].req, want), "%s", s.c[0].req);
	srv_close(&s);
	fx_fini(&f);
}

Test(probe, http_500_fails_301_passes)
{
	struct fixture f;
	struct srv s;
	fx_init(&f);
	srv_open(&s, f.l, AF_INET, SRV_REPLY_CLOSE, "HTTP/1.1 500 Internal Server Error\r\n\r\n");
	start(&f, HC_HTTP, s.port, "/");
	expect_result(&f, 0, "status 500");
	srv_close(&s);

	memset(&f.r, 0, sizeof(f.r));
	srv_open(&s, f.l, AF_INET, SRV_REPLY_CLOSE,
		 "HTTP/1.1 301 Moved Permanently\r\nLocation: http://elsewhere/\r\n\r\n");
	start(&f, HC_HTTP, s.port, "/");
	expect_result(&f, 1, "status 301");
	cr_assert_eq(s.nconn, 1, "a redirect was followed");
	run_for(f.l, 20);
	srv_close(&s);
	fx_fini(&f);
}

Test(probe, http_garbage_fails_malformed)
{
	struct fixture f;
	struct srv s;
	fx_init(&f);
	srv_open(&s, f.l, AF_INET, SRV_REPLY_CLOSE, "SSH-2.0-OpenSSH_9.6\r\n");
	start(&f, HC_HTTP, s.port, "/");
	expect_result(&f, 0, "malformed status line: \"SSH-2.0-OpenSSH_9.6\\r\\n\"");
	run_for(f.l, 20);
	srv_close(&s);
	fx_fini(&f);
}

Test(probe, http_hung_endpoint_times_out)
{
	struct fixture f;
	struct srv s;
	fx_init(&f);
	srv_open(&s, f.l, AF_INET, SRV_SILENT, NULL);
	uint64_t t0 = loop_now();
	start(&f, HC_HTTP, s.port, "/");
	/* The request is in: the probe waits for the status line, and keeps
	 * waiting while its deadline is ahead. */
	run_until(f.l, WAIT_MS, srv_requested, &s);
	cr_assert_not_null(strstr(s.c[0].req, "GET / HTTP/1.1\r\n"), "the request was not sent");
	run_for(f.l, 50);
	cr_assert_eq(f.r.calls, 0, "a result before the deadline: %s", f.r.reason);
	pass_deadline(&f.p);
	expect_result(&f, 0, "timed out after 60000 ms waiting for the status line");
	cr_assert_geq(f.r.at - t0, LONG_MS * MS, "the timeout fired before the deadline");
	run_until(f.l, WAIT_MS, conn_eof, &s.c[0]);
	cr_assert(s.c[0].eof, "the connection was not closed at the timeout");
	srv_close(&s);
	fx_fini(&f);
}

Test(probe, http_close_mid_status_line_fails)
{
	struct fixture f;
	struct srv s;
	fx_init(&f);
	srv_open(&s, f.l, AF_INET, SRV_REPLY_CLOSE, "HTTP/1.1 20");
	start(&f, HC_HTTP, s.port, "/");
	expect_result(&f, 0, "closed before a complete status line");
	srv_close(&s);
	fx_fini(&f);
}

Test(probe, http_close_without_a_response_fails)
{
	struct fixture f;
	struct srv s;
	fx_init(&f);
	srv_open(&s, f.l, AF_INET, SRV_REPLY_CLOSE, "");
	start(&f, HC_HTTP, s.port, "/");
	expect_result(&f, 0, "closed without a response");
	srv_close(&s);
	fx_fini(&f);
}

Test(probe, http_reset_fails)
{
	struct fixture f;
	struct srv s;
	fx_init(&f);
	srv_open(&s, f.l, AF_INET, SRV_RESET, NULL);
	start(&f, HC_HTTP, s.port, "/");
	expect_result(&f, 0, "connection reset");
	srv_close(&s);
	fx_fini(&f);
}

Test(probe, http_server_closing_unread_raises_no_sigpipe)
{
	/* SIGPIPE is at its default here: a send without MSG_NOSIGNAL to a
	 * closed peer would kill the test (Criterion reports a crash). */
	struct fixture f;
	struct srv s;
	fx_init(&f);
	srv_open(&s, f.l, AF_INET, SRV_CLOSE_AT_ONCE, NULL);
	for (int i = 0; i < 5; i++) {
		memset(&f.r, 0, sizeof(f.r));
		f.r.l = f.l;
		s.nconn = 0;
		start(&f, HC_HTTP, s.port, "/");
		expect_result(&f, 0, NULL);
		cr_assert(strcmp(f.r.reason, "connection reset") == 0 ||
			  strcmp(f.r.reason, "closed without a response") == 0 ||
			  strcmp(f.r.reason, "connection reset (127.0.0.1)") == 0, "%s", f.r.reason);
	}
	srv_close(&s);
	fx_fini(&f);
}

Test(probe, http_status_line_dripping_a_byte_per_turn_passes)
{
	struct fixture f;
	struct srv s;
	fx_init(&f);
	srv_open(&s, f.l, AF_INET, SRV_DRIP, "HTTP/1.1 204 No Content\r\n\r\n");
	start(&f, HC_HTTP, s.port, "/");
	expect_result(&f, 1, "status 204");
	cr_assert_geq(s.c[0].off, 25, "the verdict came before the line was complete");
	run_for(f.l, 20);
	srv_close(&s);
	fx_fini(&f);
}

Test(probe, http_endless_body_verdict_at_once_drain_bounded)
{
	struct fixture f;
	struct srv s;
	fx_init(&f);
	srv_open(&s, f.l, AF_INET, SRV_ENDLESS, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n");
	start(&f, HC_HTTP, s.port, "/");
	/* A verdict that waited for the end of the body would be the timeout's. */
	expect_result(&f, 1, "status 200");
	/* The drain stops at its byte bound, before the deadline. */
	cr_assert(hc_probe_draining(&f.p));
	run_until(f.l, WAIT_MS, not_draining, &f.p);
	cr_assert_not(hc_probe_draining(&f.p), "still draining an endless body");
	cr_assert_lt(loop_now(), f.p.deadline, "the drain ended by the deadline, not its bound");
	cr_assert_eq(f.p.drained, HC_PROBE_DRAIN_MAX, "drained %llu", (unsigned long long)f.p.drained);
	/* Our close with data unread resets the sender: it is told, not stuck. */
	run_until(f.l, WAIT_MS, conn_closed, &s.c[0]);
	cr_assert_gt(s.c[0].body, 0);
	cr_assert_eq(s.c[0].fd, -1, "the server still sends");
	srv_close(&s);
	fx_fini(&f);
}

Test(probe, http_drain_reads_to_eof_so_the_server_sees_no_reset)
{
	static char reply[10000];
	struct fixture f;
	struct srv s;
	char buf[4096];
	ssize_t n;
	size_t head;
	fx_init(&f);
	head = (size_t)snprintf(reply, sizeof(reply), "HTTP/1.1 200 OK\r\nContent-Length: 8000\r\n\r\n");
	memset(reply + head, 'b', 8000);
	reply[head + 8000] = '\0';
	srv_open(&s, f.l, AF_INET, SRV_REPLY_SHUT, reply);
	start(&f, HC_HTTP, s.port, "/");
	expect_result(&f, 1, "status 200");
	run_until(f.l, WAIT_MS, not_draining, &f.p);
	cr_assert_not(hc_probe_draining(&f.p));
	/* The server reads the rest of the request, then a clean EOF. */
	while ((n = read(s.c[0].fd, buf, sizeof(buf))) > 0)
		;
	cr_assert_eq(n, 0, "the server saw %s", n < 0 ? strerror(errno) : "?");
	cr_assert_eq(f.p.drained, head + 8000 - 17, "drained %llu", (unsigned long long)f.p.drained);
	srv_close(&s);
	fx_fini(&f);
}

Test(probe, http_drain_of_a_quiet_connection_ends_at_the_deadline)
{
	struct fixture f;
	struct srv s;
	fx_init(&f);
	srv_open(&s, f.l, AF_INET, SRV_REPLY, R200);
	uint64_t t0 = loop_now();
	start(&f, HC_HTTP, s.port, "/");
	expect_result(&f, 1, "status 200");
	run_for(f.l, 100);
	cr_assert(hc_probe_draining(&f.p), "the drain ended before the deadline");
	cr_assert_not(s.c[0].eof);
	pass_deadline(&f.p);
	run_until(f.l, WAIT_MS, not_draining, &f.p);
	cr_assert_not(hc_probe_draining(&f.p), "the drain outlived its deadline");
	cr_assert_geq(loop_now() - t0, LONG_MS * MS);
	run_until(f.l, WAIT_MS, conn_eof, &s.c[0]);
	cr_assert(s.c[0].eof, "the server did not see the close");
	srv_close(&s);
	fx_fini(&f);
}

/* ---- start, cancel, restart ---- */

Test(probe, start_refuses_bad_targets_and_a_busy_probe)
{
	struct fixture f;
	struct srv s;
	fx_init(&f);
	const struct hc_target bad[] = {
		{ .kind = HC_TCP, .port = 0, .timeout_ns = MS },
		{ .kind = HC_TCP, .port = 80, .timeout_ns = 0 },
		{ .kind = (enum hc_kind)7, .port = 80, .timeout_ns = MS },
		{ .kind = HC_HTTP, .port = 80, .path = "healthz", .timeout_ns = MS },
		{ .kind = HC_HTTP, .port = 80, .path = NULL, .timeout_ns = MS },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		cr_assert_eq(hc_probe_start(&f.p, f.l, &bad[i], on_result, &f.r), -1, "#%zu", i);
		cr_assert_eq(errno, EINVAL, "#%zu: %s", i, strerror(errno));
		cr_assert_not(hc_probe_busy(&f.p));
	}
	static char longpath[2000];
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	const struct hc_target toolong = { .kind = HC_HTTP, .port = 80, .path = longpath, .timeout_ns = MS };
	cr_assert_eq(hc_probe_start(&f.p, f.l, &toolong, on_result, &f.r), -1);
	cr_assert_eq(errno, ENOSPC);

	srv_open(&s, f.l, AF_INET, SRV_SILENT, NULL);
	start(&f, HC_HTTP, s.port, "/");
	const struct hc_target again = { .kind = HC_TCP, .port = s.port, .timeout_ns = MS };
	cr_assert_eq(hc_probe_start(&f.p, f.l, &again, on_result, &f.r), -1);
	cr_assert_eq(errno, EBUSY);
	run_until(f.l, WAIT_MS, srv_requested, &s);
	pass_deadline(&f.p);
	expect_result(&f, 0, "timed out after 60000 ms waiting for the status line");
	run_for(f.l, 20);
	cr_assert_eq(f.r.calls, 1);
	srv_close(&s);
	fx_fini(&f);
}

Test(probe, cancel_means_no_callback)
{
	struct fixture f;
	struct srv s;
	int hold[2];
	fx_init(&f);
	/* idle: safe, twice */
	hc_probe_cancel(&f.p);
	hc_probe_cancel(&f.p);
	/* while waiting for the status line */
	srv_open(&s, f.l, AF_INET, SRV_SILENT, NULL);
	start(&f, HC_HTTP, s.port, "/");
	run_until(f.l, WAIT_MS, srv_requested, &s);
	cr_assert_eq(s.nconn, 1);
	hc_probe_cancel(&f.p);
	cr_assert_not(hc_probe_busy(&f.p));
	run_until(f.l, WAIT_MS, conn_eof, &s.c[0]);
	cr_assert(s.c[0].eof, "cancel left the connection open");
	pass_deadline(&f.p);   /* the deadline it had passes too */
	run_for(f.l, 50);
	cr_assert_eq(f.r.calls, 0);
	/* with a result known at once, not yet delivered */
	uint16_t port = refused_port(hold);
	start(&f, HC_TCP, port, NULL);
	hc_probe_cancel(&f.p);
	run_for(f.l, 150);
	cr_assert_eq(f.r.calls, 0);
	/* while draining: cancel closes the drain too */
	s.mode = SRV_REPLY;
	s.reply = R200;
	s.reply_len = strlen(R200);
	start(&f, HC_HTTP, s.port, "/");
	wait_result(&f);
	cr_assert(hc_probe_draining(&f.p));
	hc_probe_cancel(&f.p);
	cr_assert_not(hc_probe_draining(&f.p));
	run_until(f.l, WAIT_MS, conn_eof, &s.c[1]);
	cr_assert(s.c[1].eof, "cancel left the drain open");
	close(hold[0]);
	if (hold[1] >= 0)
		close(hold[1]);
	srv_close(&s);
	fx_fini(&f);
}

static void on_no_call(void *ctx, int pass, const char *reason)
{
	(void)ctx;
	cr_assert_fail("callback after cancel: pass %d, %s", pass, reason);
}

/* The owner may free a probe once it is cancelled: nothing of it is left on
 * the loop (ASan reports any use after free). */
Test(probe, cancelled_probe_may_be_freed)
{
	struct loop *l = loop_new(64);
	struct srv s;
	cr_assert_not_null(l);
	srv_open(&s, l, AF_INET, SRV_SILENT, NULL);
	const struct hc_target t = { .kind = HC_HTTP, .port = s.port, .path = "/", .timeout_ns = LONG_MS * MS };
	/* cancelled in each phase: just started, waiting for the status line */
	for (int turns_before = 0; turns_before < 2; turns_before++) {
		struct hc_probe *p = malloc(sizeof(*p));
		cr_assert_not_null(p);
		hc_probe_init(p);
		cr_assert_eq(hc_probe_start(p, l, &t, on_no_call, NULL), 0);
		if (turns_before)
			run_until(l, WAIT_MS, srv_requested, &s);
		hc_probe_cancel(p);
		memset(p, 0x5a, sizeof(*p));
		free(p);
		unit_clock_shift(t.timeout_ns);   /* its deadline passes */
		run_for(l, 50);
	}
	/* cancelled while draining */
	s.mode = SRV_REPLY;
	s.reply = R200;
	s.reply_len = strlen(R200);
	struct rec r = { .l = l };
	struct hc_probe *p = malloc(sizeof(*p));
	cr_assert_not_null(p);
	hc_probe_init(p);
	cr_assert_eq(hc_probe_start(p, l, &t, on_result, &r), 0);
	run_until(l, WAIT_MS, rec_called, &r);
	cr_assert_eq(r.calls, 1);
	cr_assert(hc_probe_draining(p));
	hc_probe_cancel(p);
	free(p);
	unit_clock_shift(t.timeout_ns);
	run_for(l, 50);
	srv_close(&s);
	loop_free(l);
}

/* PID 1 out of fds: the check fails through the callback, like any other
 * failure, and the probe works again once fds are back. */
Test(probe, out_of_fds_is_a_failed_check)
{
	struct fixture f;
	struct srv s;
	struct rlimit old, low;
	int lowest;
	fx_init(&f);
	srv_open(&s, f.l, AF_INET, SRV_SILENT, NULL);
	cr_assert_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
	/* A new fd takes the lowest free number: forbid it and every above. */
	lowest = open("/dev/null", O_RDONLY | O_CLOEXEC);
	cr_assert_geq(lowest, 0);
	close(lowest);
	low = old;
	low.rlim_cur = (rlim_t)lowest;
	cr_assert_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
	start(&f, HC_TCP, s.port, NULL);
	run_until(f.l, WAIT_MS, rec_called, &f.r);
	cr_assert_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
	cr_assert_eq(f.r.calls, 1);
	cr_assert_not(f.r.pass);
	cr_assert(strncmp(f.r.reason, "cannot connect to 127.0.0.1: ", 29) == 0, "%s", f.r.reason);
	memset(&f.r, 0, sizeof(f.r));
	f.r.l = f.l;
	start(&f, HC_TCP, s.port, NULL);
	expect_result(&f, 1, NULL);
	run_for(f.l, 20);
	srv_close(&s);
	fx_fini(&f);
}

/* The callback starts the probe again until `left` runs out. */
struct again {
	struct rec r;
	struct hc_probe *p;
	struct hc_target t;
	int left;
	int start_rc[8];
	int passes;
	uint64_t turn[8];
	char reasons[8][HC_PROBE_REASON_MAX];
};

static void on_again(void *ctx, int pass, const char *reason)
{
	struct again *a = ctx;
	int k = a->r.calls;
	on_result(&a->r, pass, reason);
	cr_assert_lt(k, 8);
	a->passes += pass;
	a->turn[k] = a->r.turn;
	cr_assert_not(hc_probe_busy(a->p), "busy inside its own callback");
	if (a->left-- > 0) {
		a->start_rc[k] = hc_probe_start(a->p, a->r.l, &a->t, on_again, a);
		/* the reason we were given is ours, whatever the restart did */
		snprintf(a->reasons[k], sizeof(a->reasons[k]), "%s", reason);
	}
}

static int again_done(void *arg)
{
	struct again *a = arg;
	return a->left < 0 && !hc_probe_busy(a->p);
}

static int first_three_eof(void *arg)
{
	struct srv *s = arg;
	return s->c[0].eof && s->c[1].eof && s->c[2].eof;
}

Test(probe, restart_from_inside_the_callback_http)
{
	struct fixture f;
	struct srv s;
	struct again a = { 0 };
	fx_init(&f);
	srv_open(&s, f.l, AF_INET, SRV_REPLY, R200);   /* keeps connections open: drains overlap */
	a.p = &f.p;
	a.r.l = f.l;
	a.t = (struct hc_target){ .kind = HC_HTTP, .port = s.port, .path = "/", .timeout_ns = LONG_MS * MS };
	a.left = 3;
	cr_assert_eq(hc_probe_start(&f.p, f.l, &a.t, on_again, &a), 0);
	run_until(f.l, WAIT_MS, again_done, &a);
	cr_assert_eq(a.r.calls, 4);
	cr_assert_eq(a.passes, 4);
	for (int k = 0; k < 3; k++) {
		cr_assert_eq(a.start_rc[k], 0, "restart #%d failed", k);
		cr_assert_str_eq(a.reasons[k], "status 200");
	}
	cr_assert_eq(s.nconn, 4);
	/* One drain at a time: each verdict closed the drain before it. */
	run_until(f.l, WAIT_MS, first_three_eof, &s);
	for (int k = 0; k < 3; k++)
		cr_assert(s.c[k].eof, "connection %d still open", k);
	cr_assert_not(s.c[3].eof);
	cr_assert(hc_probe_draining(&f.p));
	pass_deadline(&f.p);
	run_until(f.l, WAIT_MS, not_draining, &f.p);
	cr_assert_not(hc_probe_draining(&f.p), "the last drain outlived its deadline");
	srv_close(&s);
	fx_fini(&f);
}

Test(probe, restart_from_inside_the_callback_refused_does_not_recurse)
{
	struct fixture f;
	struct again a = { 0 };
	int hold[2];
	fx_init(&f);
	uint16_t port = refused_port(hold);
	a.p = &f.p;
	a.r.l = f.l;
	a.t = (struct hc_target){ .kind = HC_TCP, .port = port, .timeout_ns = LONG_MS * MS };
	a.left = 5;
	cr_assert_eq(hc_probe_start(&f.p, f.l, &a.t, on_again, &a), 0);
	run_until(f.l, WAIT_MS, again_done, &a);
	cr_assert_eq(a.r.calls, 6);
	cr_assert_eq(a.passes, 0);
	/* Each result on its own turn: hc_probe_start never calls back. */
	for (int k = 1; k < 6; k++)
		cr_assert_gt(a.turn[k], a.turn[k - 1], "results %d and %d on one turn", k - 1, k);
	/* Each callback kept its reason although the restart inside it wrote one. */
	for (int k = 0; k < 5; k++)
		cr_assert(strncmp(a.reasons[k], "connection refused (127.0.0.1", 29) == 0, "#%d: %s", k,
			  a.reasons[k]);
	close(hold[0]);
	if (hold[1] >= 0)
		close(hold[1]);
	fx_fini(&f);
}

Test(probe, a_probe_is_reusable_after_each_kind_of_end)
{
	struct fixture f;
	struct srv s;
	fx_init(&f);
	srv_open(&s, f.l, AF_INET, SRV_REPLY_CLOSE, R200);
	for (int i = 0; i < 3; i++) {
		memset(&f.r, 0, sizeof(f.r));
		f.r.l = f.l;
		start(&f, i == 1 ? HC_TCP : HC_HTTP, s.port, "/");
		wait_result(&f);
		cr_assert(f.r.pass, "#%d: %s", i, f.r.reason);
	}
	run_for(f.l, 20);
	srv_close(&s);
	fx_fini(&f);
}
