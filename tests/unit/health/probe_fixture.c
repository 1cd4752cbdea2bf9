#include "probe_fixture.h"

/* probe_fixture.c - the probe tests' loop, record, loopback servers and
 * fixture (probe_fixture.h), and their suite's watchdog. */

#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

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
void run_until(struct loop *l, uint64_t ms, int (*done)(void *), void *arg)
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

void run_for(struct loop *l, uint64_t ms)
{
	run_until(l, ms, NULL, NULL);
}

uint64_t turns(struct loop *l)
{
	struct loop_stats st;
	loop_get_stats(l, &st);
	return st.wakeups;
}


/* ---- results ---- */

void on_result(void *ctx, int pass, const char *reason)
{
	struct rec *r = ctx;
	r->calls++;
	r->pass = pass;
	snprintf(r->reason, sizeof(r->reason), "%s", reason);
	r->at = loop_now();
	r->turn = r->l ? turns(r->l) : 0;
}

int rec_called(void *arg)
{
	return ((struct rec *)arg)->calls > 0;
}

/* ---- servers on loopback ---- */

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

int have_ipv6(void)
{
	int fd = bind_loopback(AF_INET6, 0);
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

/* A port where neither 127.0.0.1 nor ::1 listens: both bound, neither
 * listening, so both refuse. ret_fds[1] is -1 without IPv6. */
uint16_t refused_port(int ret_fds[2])
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
void srv_open(struct srv *s, struct loop *l, int family, enum srv_mode mode, const char *reply)
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

void srv_close(struct srv *s)
{
	for (int i = 0; i < s->nconn; i++)
		srv_conn_close(&s->c[i]);
	loop_io_del(s->l, &s->lio);
	close(s->lfd);
	if (s->hold_fd >= 0)
		close(s->hold_fd);
}

/* Conditions to wait for. */
int conn_eof(void *arg)
{
	return ((struct srv_conn *)arg)->eof;
}

int not_draining(void *arg)
{
	return !hc_probe_draining(arg);
}

int conn_closed(void *arg)
{
	return ((struct srv_conn *)arg)->fd < 0;
}

/* The server has the whole request of its latest connection: the probe waits
 * for the status line. */
int srv_requested(void *arg)
{
	struct srv *s = arg;
	return s->nconn > 0 && s->c[s->nconn - 1].replied;
}

/* The deadline of the probe's check, or of its drain, passes: the clock moves
 * on by the timeout, as if the machine had stalled that long. */
void pass_deadline(struct hc_probe *p)
{
	unit_clock_shift(p->target.timeout_ns);
}


void fx_init(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	f->fds = count_fds();
	f->l = loop_new(64);
	cr_assert_not_null(f->l);
	hc_probe_init(&f->p);
	f->r.l = f->l;
}

/* Everything the probe opened is closed; the loop is freed. */
void fx_fini(struct fixture *f)
{
	cr_assert_not(hc_probe_busy(&f->p));
	hc_probe_cancel(&f->p);
	loop_free(f->l);
	cr_assert_eq(count_fds(), f->fds, "fds leaked: %d before, %d after", f->fds, count_fds());
}

void start(struct fixture *f, enum hc_kind kind, uint16_t port, const char *path)
{
	const struct hc_target t = { .kind = kind, .port = port, .path = path,
				     .timeout_ns = LONG_MS * MS };
	cr_assert_eq(hc_probe_start(&f->p, f->l, &t, on_result, &f->r), 0, "start: %s",
		     strerror(errno));
	cr_assert(hc_probe_busy(&f->p));
	cr_assert_eq(f->r.calls, 0, "called back from inside hc_probe_start");
}

/* Run until the callback; assert it came once. */
void wait_result(struct fixture *f)
{
	run_until(f->l, WAIT_MS, rec_called, &f->r);
	cr_assert_eq(f->r.calls, 1, "%d callbacks", f->r.calls);
	cr_assert_not(hc_probe_busy(&f->p));
}

void expect_result(struct fixture *f, int pass, const char *reason)
{
	wait_result(f);
	cr_assert_eq(f->r.pass, pass, "pass %d: %s", f->r.pass, f->r.reason);
	if (reason)
		cr_assert_str_eq(f->r.reason, reason);
}

