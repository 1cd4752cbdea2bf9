#include "tests/unit/unit.h"

/* test_health.c - health/health.c and x-depends_on in the real supervisor,
 * on a real loop (docs/health.md): what the spec accepts must be checkable, a
 * round must not be skipped when timeout_seconds == interval_seconds, and
 * "succeeded" must mean a run that succeeded (not a stop that exited 0, nor
 * a failed run's status 0), also during shutdown. Plus regression tests of
 * the cycle detection.
 *
 * Nothing here races the wall clock (CI runs on a loaded machine): the
 * rounds run on a frozen clock the test moves (unit_clock.c), and the tests
 * with real processes wait for what they need (a file the process writes, a
 * state) with a bound far above what it takes (WAIT_MS). */

#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/children.h"
#include "base/loop.h"
#include "health/probe.h"
#include "health/health.h"
#include "supervisor/supervisor.h"

#define MS LOOP_NS_PER_MS
#define WAIT_MS 30000   /* the most a test waits for an event */

/* Only a broken test hangs: SIGALRM reports it as a crash. */
static void watchdog(void)
{
	alarm(120);
}
TestSuite(health_deps, .init = watchdog);

static void on_guard(struct loop *l, struct loop_timer *t)
{
	(void)l; (void)t;
}

/* Run the loop (one turn at least) until done(arg), or for ms of real time,
 * waking at least every 50 ms so `each` runs (it reaps). */
static void run_until(struct loop *l, uint64_t ms, void (*each)(void *), int (*done)(void *), void *arg)
{
	struct loop_timer guard;
	uint64_t end = unit_clock_real_ns() + ms * MS;
	loop_timer_init(&guard, on_guard, NULL);
	do {
		cr_assert_eq(loop_timer_in(l, &guard, 50 * MS), 0);
		cr_assert_eq(loop_run_once(l), 0);
		if (each)
			each(arg);
	} while (!(done && done(arg)) && unit_clock_real_ns() < end);
	loop_timer_cancel(l, &guard);
}

/* On a frozen clock: the loop's turns at this instant. What is due or ready
 * runs, what a handler arms for now runs on a later turn; nothing waits. */
static void settle(struct loop *l)
{
	struct loop_timer guard;
	loop_timer_init(&guard, on_guard, NULL);
	for (int i = 0; i < 8; i++) {
		cr_assert_eq(loop_timer_at(l, &guard, loop_now()), 0);
		cr_assert_eq(loop_run_once(l), 0);
	}
	loop_timer_cancel(l, &guard);
}

/* ---- what the spec accepts, the probe must be able to check ---- */

static const char *spec_path_of(const char *path_line, struct spec **ret)
{
	static char text[4096];
	snprintf(text, sizeof(text),
		 "schema_version = \"v1\"\n[processes.web]\ncommand = [\"/bin/true\"]\n"
		 "resources.memory = \"64Mi\"\nports.0.internal = 19650\n"
		 "health.type = \"http\"\nhealth.port = 19650\n%s", path_line);
	*ret = unit_spec(text);
	return (*ret)->nerrors ? NULL : (*ret)->procs[0].health.path;
}

static void nop_result(void *ctx, int pass, const char *reason)
{
	(void)ctx; (void)pass; (void)reason;
}

/* Either the spec refuses the path, or a check of it can start. */
static void expect_checkable(const char *path_line)
{
	struct spec *s;
	const char *path = spec_path_of(path_line, &s);
	if (path) {
		struct loop *l = loop_new(16);
		struct hc_probe p;
		struct hc_target t = { HC_HTTP, 19650, path, LOOP_NS_PER_SEC };
		hc_probe_init(&p);
		int rc = hc_probe_start(&p, l, &t, nop_result, NULL);
		int err = errno;
		hc_probe_cancel(&p);
		loop_free(l);
		cr_expect_eq(rc, 0, "the spec accepts health.path (%zu bytes) but the probe refuses it: %s",
			     strlen(path), strerror(err));
	}
	spec_free(s);
}

Test(health_deps, a_non_ascii_http_path_the_spec_accepts_can_be_checked)
{
	expect_checkable("health.path = \"/caf\\u00e9\"\n");
}

Test(health_deps, a_long_http_path_the_spec_accepts_can_be_checked)
{
	char line[2048], chunk[128];
	memset(chunk, 'a', 120);
	chunk[120] = '\0';
	/* Adjacent literals on continuation lines (docs/spec.md): ~960 bytes. */
	snprintf(line, sizeof(line), "health.path = \"/%s\"\n  \"%s\"\n  \"%s\"\n  \"%s\"\n"
		 "  \"%s\"\n  \"%s\"\n  \"%s\"\n  \"%s\"\n", chunk, chunk, chunk, chunk, chunk, chunk, chunk, chunk);
	expect_checkable(line);
}

/* ---- timeout_seconds == interval_seconds: no round is skipped ---- */

struct hooks_rec {
	int changed;
};

static void rec_changed(void *ctx, size_t i, enum hc_role role, enum hc_state to, const char *reason)
{
	(void)i; (void)role; (void)to; (void)reason;
	((struct hooks_rec *)ctx)->changed++;
}

Test(health_deps, timeout_equal_to_interval_skips_no_round)
{
	/* A server that completes the handshake (backlog) and never answers,
	 * on a port of its own (other test runs may be going on beside). */
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	char text[1024];
	cr_assert_geq(lfd, 0);
	cr_assert_eq(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), 0, "bind: %s", strerror(errno));
	cr_assert_eq(getsockname(lfd, (struct sockaddr *)&sin, &len), 0);
	cr_assert_eq(listen(lfd, 16), 0);

	snprintf(text, sizeof(text), "schema_version = \"v1\"\n[processes.web]\ncommand = [\"/bin/true\"]\n"
		 "resources.memory = \"64Mi\"\nports.0.internal = %u\n"
		 "health.type = \"http\"\nhealth.port = %u\nhealth.path = \"/\"\n"
		 "health.interval_seconds = 1\nhealth.timeout_seconds = 1\n"
		 "health.grace_period_seconds = 0\nhealth.failure_threshold = 100\n",
		 ntohs(sin.sin_port), ntohs(sin.sin_port));
	struct spec *s = unit_spec(text);
	cr_assert_eq(s->nerrors, 0, "%s", unit_errors(s));
	struct loop *l = loop_new(64);
	struct hooks_rec r = { 0 };
	struct hc_hooks hooks = { .changed = rec_changed, .ctx = &r };
	struct hc_set *hc;
	struct hc_view v;
	/* Time moves only when the test says: rounds fall due at exactly t0 +
	 * k s, each attempt ends at exactly its 1 s deadline. */
	unit_clock_freeze();
	uint64_t t0 = loop_now();
	hc = hc_new(l, s, &hooks);
	cr_assert_not_null(hc);
	hc_process_started(hc, 0);
	/* Each round runs 1 ms late, as on a real loop, so its attempt's
	 * deadline comes 1 ms after the next round falls due. */
	unit_clock_shift(1 * MS);
	settle(l);
	for (int k = 1; k <= 4; k++) {
		unit_clock_shift(LOOP_NS_PER_SEC - 1 * MS);
		settle(l);   /* t0 + k s: round k falls due while the last attempt runs */
		unit_clock_shift(1 * MS);
		settle(l);   /* that attempt times out: round k starts */
	}
	cr_assert_eq(loop_now(), t0 + 4 * LOOP_NS_PER_SEC + 1 * MS);
	cr_assert_eq(hc_get(hc, 0, HC_READINESS, &v), 0);
	cr_expect_eq(v.skipped, 0, "%llu rounds skipped, %llu checks, although timeout == interval "
		     "(docs/health.md: only when timeout_seconds is longer)",
		     (unsigned long long)v.skipped, (unsigned long long)v.checks);
	cr_expect_eq(v.checks, 4, "%llu checks in 4 s at a 1 s interval", (unsigned long long)v.checks);
	hc_process_stopped(hc, 0);
	hc_free(hc);
	loop_free(l);
	spec_free(s);
	close(lfd);
}

/* ---- x-depends_on "succeeded" with the real supervisor ---- */

struct supt {
	struct spec *spec;
	struct loop *l;
	struct sup *sup;
	char dir[64];
	char ready[96];   /* db writes it once its trap is set */
};

static void reap(void *arg)
{
	int st;
	pid_t pid;
	(void)arg;
	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		const struct child *c = children_find(pid);   /* as init's reaper */
		if (c)
			children_reaped(c, st);
	}
}

static int db_ready(void *arg)
{
	return access(((struct supt *)arg)->ready, F_OK) == 0;
}

static int db_settled(void *arg)
{
	return svc_settled(sup_svc(((struct supt *)arg)->sup, 0));
}

static int db_in_backoff(void *arg)
{
	return sup_svc(((struct supt *)arg)->sup, 0)->state == SVC_BACKOFF;
}

static int all_settled(void *arg)
{
	return sup_all_settled(((struct supt *)arg)->sup);
}

/* A dependency that ends 0 on SIGTERM, and a dependent waiting for it to
 * succeed. The names sort as db (0), then zapp (1). */
static void supt_start(struct supt *t, const char *db_policy)
{
	char text[2048];
	snprintf(t->dir, sizeof(t->dir), "/tmp/vminit-health-XXXXXX");
	cr_assert_not_null(mkdtemp(t->dir));
	snprintf(t->ready, sizeof(t->ready), "%s/ready", t->dir);
	snprintf(text, sizeof(text),
		 "schema_version = \"v1\"\n"
		 "[processes.db]\n"
		 "command = [\"/bin/sh\", \"-c\", \"trap 'exit 0' TERM; : > %s; sleep 100 & wait\"]\n"
		 "restart.policy = \"%s\"\nrestart.backoff_seconds = 60\nresources.memory = \"64Mi\"\n"
		 "[processes.zapp]\ncommand = [\"/bin/sleep\", \"100\"]\nresources.memory = \"64Mi\"\n"
		 "x-depends_on = [\"db:succeeded\"]\n"
		 "[guest]\nstop_timeout_seconds = 2\n", t->ready, db_policy);
	t->spec = unit_spec(text);
	cr_assert_eq(t->spec->nerrors, 0, "%s", unit_errors(t->spec));
	t->l = loop_new(64);
	cr_assert_not_null(t->l);
	t->sup = sup_new(t->l, t->spec, NULL);
	cr_assert_not_null(t->sup);
	sup_start_all(t->sup);
	cr_assert_eq(sup_svc(t->sup, 0)->state, SVC_RUNNING);
	cr_assert_eq(sup_svc(t->sup, 1)->state, SVC_INACTIVE);
	cr_assert_eq(sup_waiting(t->sup, 1), 0);
	run_until(t->l, WAIT_MS, reap, db_ready, t);
	cr_assert(db_ready(t), "db did not set its trap");
}

static void supt_end(struct supt *t)
{
	sup_stop_all(t->sup);
	run_until(t->l, WAIT_MS, reap, all_settled, t);
	cr_assert(sup_all_settled(t->sup));
	sup_free(t->sup);
	loop_free(t->l);
	spec_free(t->spec);
	unlink(t->ready);
	rmdir(t->dir);
}

Test(health_deps, a_host_stop_that_exits_0_is_not_succeeded)
{
	struct supt t;
	supt_start(&t, "never");
	sup_stop(t.sup, 0);   /* the host stops db; it exits 0 on the SIGTERM */
	run_until(t.l, WAIT_MS, reap, db_settled, &t);
	cr_assert_eq(sup_svc(t.sup, 0)->state, SVC_EXITED);
	cr_expect_eq(sup_svc(t.sup, 1)->starts, 0,
		     "zapp started: db's stop by the host (exit 0 on SIGTERM) counted as db:succeeded");
	supt_end(&t);
}

Test(health_deps, a_failed_run_then_shutdown_starts_no_dependent)
{
	struct supt t;
	supt_start(&t, "on-failure");
	/* A liveness give_up: the run is a failure whatever its status. */
	cr_assert_eq(sup_fail(t.sup, 0, "test"), 0);
	run_until(t.l, WAIT_MS, reap, db_in_backoff, &t);
	cr_assert_eq(sup_svc(t.sup, 0)->state, SVC_BACKOFF);
	cr_assert_eq(sup_svc(t.sup, 0)->last_status, 0);
	sup_stop_all(t.sup);   /* shutdown while db waits to restart */
	cr_expect_eq(sup_svc(t.sup, 1)->starts, 0,
		     "zapp was started during shutdown: db's failed run (status 0) counted as succeeded");
	supt_end(&t);
}

/* ---- cycle detection (regressions; these pass) ---- */

#define PROC(name, deps) "[processes." name "]\ncommand = [\"/x\"]\nresources.memory = \"64Mi\"\n" deps

Test(health_deps, a_cycle_not_through_the_first_process_is_named_exactly)
{
	struct spec *s = unit_spec("schema_version = \"v1\"\n"
				   PROC("a", "x-depends_on = [\"b\"]\n")
				   PROC("b", "x-depends_on = [\"c\"]\n")
				   PROC("c", "x-depends_on = [\"d\"]\n")
				   PROC("d", "x-depends_on = [\"b\"]\n"));
	cr_assert(unit_has_error(s, "a cycle: b -> c -> d -> b"), "%s", unit_errors(s));
	spec_free(s);
}

Test(health_deps, a_long_chain_and_a_dense_dag_are_no_cycle)
{
	char *text = malloc(1 << 20);
	size_t n = 0;
	cr_assert_not_null(text);
	n += (size_t)sprintf(text + n, "schema_version = \"v1\"\n");
	/* p000 <- p001 <- ... and each also depends on every earlier one up to 8 back */
	for (int i = 0; i < 120; i++) {
		n += (size_t)sprintf(text + n, "[processes.p%03d]\ncommand = [\"/x\"]\nresources.memory = \"64Mi\"\n", i);
		if (i > 0) {
			n += (size_t)sprintf(text + n, "x-depends_on = [");
			for (int j = i - 1; j >= 0 && j >= i - 8; j--)
				n += (size_t)sprintf(text + n, "%s\"p%03d\"", j == i - 1 ? "" : ", ", j);
			n += (size_t)sprintf(text + n, "]\n");
		}
	}
	struct spec *s = unit_spec(text);
	cr_expect_eq(s->nerrors, 0, "%s", unit_errors(s));
	spec_free(s);
	free(text);
}

Test(health_deps, bad_conditions_and_duplicates_leak_nothing)
{
	/* Under ASan's leak checker: every error path of do_deps/check_deps. */
	static const char *const lists[] = {
		"[\"b:ready\", \"b\"]", "[\"b:\", \":healthy\"]", "[\"b\", \"b\", \"b\"]",
		"[\"a\"]", "[\"zz\", \"b:started\"]", "[]", "[1, \"b\"]",
	};
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		char text[512];
		snprintf(text, sizeof(text), "schema_version = \"v1\"\n" PROC("a", "x-depends_on = %s\n") PROC("b", ""),
			 lists[i]);
		spec_free(unit_spec(text));
	}
}
