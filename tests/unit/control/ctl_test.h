/* ctl_test.h - a control server on a loop of the test's own, listening on a
 * unix socket in a temporary directory, and clients that talk to it through
 * real sockets (the tests of tests/unit/control/).
 *
 * The server is the real one (all of control/, on the real loop); a test sends
 * bytes, turns the loop (with ctl_after_batch, as init does) and reads what
 * came back. Nothing races the wall clock: every wait is for bytes or an
 * end of file, bounded far above what it takes (WAIT_MS), and a deadline the
 * server keeps (a half request's 30 s, the push's retry) is reached by
 * moving the clock (unit_clock_shift). Children an exec starts are reaped
 * here, as PID 1's reaper would. */
#ifndef VMINIT_CTL_TEST_H
#define VMINIT_CTL_TEST_H

#include "tests/unit/unit.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/loop.h"
#include "control/ctl.h"
#include "control/ctl_int.h"
#include "base/children.h"
#include "supervisor/exec.h"

#define WAIT_MS 20000   /* the most a test waits for bytes it expects */
#define QUIET_MS 200    /* how long "nothing comes" is watched for */

struct fx {
	struct loop *loop;
	struct ctl_server *ctl;
	struct loop_timer guard;
	char dir[64];
	char sock[128];
	const char *phase;            /* what shutdown_phase() says */
	int shutdowns, reboot;
	char why[128];
};

static struct fx fx;

static inline const char *fx_phase(void *ctx)
{
	(void)ctx;
	return fx.phase;
}

static inline void fx_shutdown(void *ctx, const char *why, int reboot)
{
	(void)ctx;
	fx.shutdowns++;
	fx.reboot = reboot;
	snprintf(fx.why, sizeof(fx.why), "%s", why);
}

static inline void fx_counters(void *ctx, struct ctl_vm_counters *ret)
{
	(void)ctx;
	ret->reaped = 5;
	ret->orphans = 2;
}

static inline void fx_on_guard(struct loop *l, struct loop_timer *t)
{
	(void)l; (void)t;
}

/* A server listening on DIR/ctl.sock; started_ms 42. */
static inline void fx_start(void)
{
	struct ctl_vm vm = {
		.pid1 = 0, .started_ms = 42, .shutdown_phase = fx_phase, .shutdown = fx_shutdown,
		.counters = fx_counters,
	};
	char list[160];
	alarm(120);   /* only a broken server hangs a test: SIGALRM says so */
	snprintf(fx.dir, sizeof(fx.dir), "/tmp/vminit-ctl-XXXXXX");
	cr_assert_not_null(mkdtemp(fx.dir));
	snprintf(fx.sock, sizeof(fx.sock), "%s/ctl.sock", fx.dir);
	fx.loop = loop_new(64);
	cr_assert_not_null(fx.loop);
	loop_timer_init(&fx.guard, fx_on_guard, NULL);
	vm.loop = fx.loop;
	fx.ctl = ctl_new(&vm);
	cr_assert_not_null(fx.ctl);
	snprintf(list, sizeof(list), "unix:%s", fx.sock);
	ctl_listen(fx.ctl, list);
	cr_assert_eq(fx.ctl->nlisteners, 1, "not listening on %s", list);
}

static inline void fx_stop(void)
{
	ctl_free(fx.ctl);
	loop_timer_cancel(fx.loop, &fx.guard);
	loop_free(fx.loop);
	cr_assert_eq(access(fx.sock, F_OK), -1, "ctl_free left the socket's file");
	rmdir(fx.dir);
}

/* One turn of the loop as init runs it: a batch, then ctl_after_batch. The
 * guard makes sure epoll_wait returns soon when nothing else is due. */
static inline void fx_turn(void)
{
	pid_t pid;
	int st;
	cr_assert_eq(loop_timer_in(fx.loop, &fx.guard, 5 * LOOP_NS_PER_MS), 0);
	cr_assert_eq(loop_run_once(fx.loop), 0);
	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		const struct child *c = children_find(pid);   /* as init's reaper */
		if (c)
			children_reaped(c, st);
	}
	ctl_after_batch(fx.ctl);
}

static inline void fx_turns(int n)
{
	while (n-- > 0)
		fx_turn();
}

static inline int fx_connect_to(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	cr_assert_geq(fd, 0);
	cr_assert_lt(strlen(path), sizeof(sa.sun_path));
	memcpy(sa.sun_path, path, strlen(path) + 1);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0, "connect %s: %s", path,
		     strerror(errno));
	return fd;
}

static inline int fx_connect(void)
{
	return fx_connect_to(fx.sock);
}

static inline void fx_send(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t k = write(fd, s, n);
		if (k < 0 && errno == EAGAIN) {
			fx_turn();
			continue;
		}
		cr_assert_gt(k, 0, "write: %s", strerror(errno));
		s += k;
		n -= (size_t)k;
	}
}

static inline void fx_sends(int fd, const char *s)
{
	fx_send(fd, s, strlen(s));
}

/* What a client read: its bytes (NUL-terminated) and whether the server
 * closed. Big enough for any reply a test asks for. */
struct fx_in {
	char buf[1 << 20];
	size_t len;
	int eof;
};

static inline int fx_lines(const struct fx_in *in)
{
	int n = 0;
	for (size_t i = 0; i < in->len; i++)
		n += in->buf[i] == '\n';
	return n;
}

/* Read what comes until in holds n lines (n < 0: until end of file), or
 * for ms when that is not reached. */
static inline void fx_read_for(int fd, struct fx_in *in, int n, uint64_t ms)
{
	uint64_t end = unit_clock_real_ns() + ms * LOOP_NS_PER_MS;
	while (!in->eof && (n < 0 || fx_lines(in) < n) && unit_clock_real_ns() < end) {
		ssize_t k;
		fx_turn();
		while ((k = read(fd, in->buf + in->len, sizeof(in->buf) - 1 - in->len)) > 0)
			in->len += (size_t)k;
		if (k == 0)
			in->eof = 1;
		in->buf[in->len] = '\0';
	}
}

static inline void fx_read(int fd, struct fx_in *in, int n)
{
	fx_read_for(fd, in, n, WAIT_MS);
	if (n >= 0)
		cr_assert_geq(fx_lines(in), n, "wanted %d lines, got: [%s]%s", n, in->buf,
			      in->eof ? " and end of file" : "");
	else
		cr_assert(in->eof, "wanted the end of file, got: [%s]", in->buf);
}

/* Send a request (its newline included) and return the one line of reply. */
static inline const char *fx_ask(int fd, const char *req)
{
	static struct fx_in in;
	in.len = 0;
	in.eof = 0;
	in.buf[0] = '\0';
	fx_sends(fd, req);
	fx_read(fd, &in, 1);
	return in.buf;
}

/* The value text of "key": in a line, up to the next ',' or '}' (enough for
 * numbers, null, booleans and strings without those characters). */
static inline const char *fx_field(const char *line, const char *key)
{
	static char out[256];
	char pat[96];
	const char *p;
	size_t n;
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(line, pat);
	cr_assert_not_null(p, "no \"%s\" in [%s]", key, line);
	p += strlen(pat);
	n = strcspn(p, ",}");
	cr_assert_lt(n, sizeof(out));
	memcpy(out, p, n);
	out[n] = '\0';
	return out;
}

#endif
