#include "tests/unit/unit.h"

/* test_probe_life.c - a health check attempt's life (health/probe.c): bad
 * targets and a busy probe refused, cancel (no callback; the probe may be
 * freed), out of fds, a restart from inside the callback, reuse after each
 * kind of end. With the servers and fixture of probe_fixture.c. */

#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe_fixture.h"

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
