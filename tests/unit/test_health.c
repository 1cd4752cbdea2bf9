#include "unit.h"

/* test_health.c - health/health.c and x-depends_on in the real supervisor,
 * on a real loop (docs/health.md): what the spec accepts must be checkable, a
 * round must not be skipped when timeout_seconds == interval_seconds, and
 * "succeeded" must mean a run that succeeded (not a stop that exited 0, nor
 * a failed run's status 0), also during shutdown. Plus regression tests of
 * the cycle detection. */

#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "loop.h"
#include "probe.h"
#include "health.h"
#include "supervisor.h"

#define MS LOOP_NS_PER_MS

static void watchdog(void)
{
	alarm(20);
}
TestSuite(health_deps, .init = watchdog);

static void on_guard(struct loop *l, struct loop_timer *t)
{
	(void)l; (void)t;
}

static void run_for(struct loop *l, uint64_t ms, void (*each)(void *), void *arg)
{
	struct loop_timer guard;
	uint64_t end = loop_now() + ms * MS;
	loop_timer_init(&guard, on_guard, NULL);
	while (loop_now() < end) {
		/* Wake at least every 50 ms so `each` runs (it reaps). */
		uint64_t next = loop_now() + 50 * MS;
		cr_assert_eq(loop_timer_at(l, &guard, next < end ? next : end), 0);
		cr_assert_eq(loop_run_once(l), 0);
		if (each)
			each(arg);
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
	/* A server that completes the handshake (backlog) and never answers. */
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(19651),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int one = 1, lfd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert_geq(lfd, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	cr_assert_eq(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), 0, "bind 19651: %s", strerror(errno));
	cr_assert_eq(listen(lfd, 16), 0);

	struct spec *s = unit_spec("schema_version = \"v1\"\n[processes.web]\ncommand = [\"/bin/true\"]\n"
				   "resources.memory = \"64Mi\"\nports.0.internal = 19651\n"
				   "health.type = \"http\"\nhealth.port = 19651\nhealth.path = \"/\"\n"
				   "health.interval_seconds = 1\nhealth.timeout_seconds = 1\n"
				   "health.grace_period_seconds = 0\nhealth.failure_threshold = 100\n");
	cr_assert_eq(s->nerrors, 0, "%s", unit_errors(s));
	struct loop *l = loop_new(64);
	struct hooks_rec r = { 0 };
	struct hc_hooks hooks = { .changed = rec_changed, .ctx = &r };
	struct hc_set *hc = hc_new(l, s, &hooks);
	struct hc_view v;
	cr_assert_not_null(hc);
	hc_process_started(hc, 0);
	run_for(l, 4500, NULL, NULL);   /* rounds at 0, 1, 2, 3, 4 s */
	cr_assert_eq(hc_get(hc, 0, HC_READINESS, &v), 0);
	cr_expect_eq(v.skipped, 0, "%llu rounds skipped, %llu checks, although timeout == interval "
		     "(docs/health.md: only when timeout_seconds is longer)",
		     (unsigned long long)v.skipped, (unsigned long long)v.checks);
	cr_expect_geq(v.checks, 4, "%llu checks in 4.5 s at a 1 s interval", (unsigned long long)v.checks);
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
};

static void reap(void *arg)
{
	struct supt *t = arg;
	int st;
	pid_t pid;
	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		sup_before_reap(t->sup, pid);
		sup_on_exit(t->sup, pid, st);
	}
}

/* A dependency that ends 0 on SIGTERM, and a dependent waiting for it to
 * succeed. The names sort as db (0), then zapp (1). */
static void supt_start(struct supt *t, const char *db_policy)
{
	char text[2048];
	snprintf(text, sizeof(text),
		 "schema_version = \"v1\"\n"
		 "[processes.db]\n"
		 "command = [\"/bin/sh\", \"-c\", \"trap 'exit 0' TERM; sleep 100 & wait\"]\n"
		 "restart.policy = \"%s\"\nrestart.backoff_seconds = 60\nresources.memory = \"64Mi\"\n"
		 "[processes.zapp]\ncommand = [\"/bin/sleep\", \"100\"]\nresources.memory = \"64Mi\"\n"
		 "x-depends_on = [\"db:succeeded\"]\n"
		 "[guest]\nstop_timeout_seconds = 2\n", db_policy);
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
	run_for(t->l, 300, reap, t);   /* the trap is set */
}

static void supt_end(struct supt *t)
{
	sup_stop_all(t->sup);
	for (int i = 0; i < 100 && !sup_all_settled(t->sup); i++)
		run_for(t->l, 50, reap, t);
	cr_assert(sup_all_settled(t->sup));
	sup_free(t->sup);
	loop_free(t->l);
	spec_free(t->spec);
}

Test(health_deps, a_host_stop_that_exits_0_is_not_succeeded)
{
	struct supt t;
	supt_start(&t, "never");
	sup_stop(t.sup, 0);   /* the host stops db; it exits 0 on the SIGTERM */
	for (int i = 0; i < 40 && !svc_settled(sup_svc(t.sup, 0)); i++)
		run_for(t.l, 50, reap, &t);
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
	for (int i = 0; i < 40 && sup_svc(t.sup, 0)->state != SVC_BACKOFF; i++)
		run_for(t.l, 50, reap, &t);
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
