#include "tests/unit/unit.h"

/* test_hc_resumed.c - health checks after a snapshot restore (hc_resumed,
 * docs/resume.md): the attempt in flight across the pause is abandoned
 * uncounted, the failures in a row start again, and the next round comes
 * within one interval, so a check that was failing once does not go
 * unhealthy from the stale attempt. On a frozen clock the test moves. */

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/loop.h"
#include "health/health.h"

#define SEC LOOP_NS_PER_SEC
#define MS LOOP_NS_PER_MS

static void hr_guard(struct loop *l, struct loop_timer *t)
{
	(void)l; (void)t;
}

static void hr_settle(struct loop *l)
{
	struct loop_timer guard;
	loop_timer_init(&guard, hr_guard, NULL);
	for (int i = 0; i < 8; i++) {
		cr_assert_eq(loop_timer_at(l, &guard, loop_now()), 0);
		cr_assert_eq(loop_run_once(l), 0);
	}
	loop_timer_cancel(l, &guard);
}

Test(hc_resumed, the_stale_attempt_is_not_counted)
{
	/* A peer that takes the connection (backlog) and never answers. */
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	char text[1024];
	struct hc_view v;
	alarm(120);
	cr_assert_eq(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	cr_assert_eq(getsockname(lfd, (struct sockaddr *)&sin, &len), 0);
	cr_assert_eq(listen(lfd, 16), 0);
	snprintf(text, sizeof(text), "schema_version = \"v1\"\n[processes.web]\ncommand = [\"/bin/true\"]\n"
		 "resources.memory = \"64Mi\"\nports.0.internal = %u\n"
		 "health.type = \"http\"\nhealth.port = %u\nhealth.path = \"/\"\n"
		 "health.interval_seconds = 10\nhealth.timeout_seconds = 5\n"
		 "health.grace_period_seconds = 0\nhealth.failure_threshold = 2\n",
		 ntohs(sin.sin_port), ntohs(sin.sin_port));
	struct spec *s = unit_spec(text);
	cr_assert_eq(s->nerrors, 0, "%s", unit_errors(s));
	struct loop *l = loop_new(64);
	unit_clock_freeze();
	struct hc_set *hc = hc_new(l, s, NULL);
	hc_process_started(hc, 0);
	hr_settle(l);                     /* t0: round 1 starts */
	unit_clock_shift(5 * SEC + 1 * MS);
	hr_settle(l);                     /* it times out: 1 failure */
	unit_clock_shift(5 * SEC);
	hr_settle(l);                     /* t0 + 10 s: round 2 in flight */
	cr_assert_eq(hc_get(hc, 0, HC_READINESS, &v), 0);
	cr_assert_eq(v.failures, 1);
	cr_assert_eq(v.checks, 1);

	hc_resumed(hc);                   /* the VM was restored here */
	cr_assert_eq(hc_get(hc, 0, HC_READINESS, &v), 0);
	cr_assert_eq(v.failures, 0, "failures in a row start again");
	unit_clock_shift(5 * SEC + 1 * MS);
	hr_settle(l);                     /* round 2 would have timed out now */
	cr_assert_eq(hc_get(hc, 0, HC_READINESS, &v), 0);
	cr_assert_eq(v.checks, 1, "the abandoned attempt is not counted (%llu)", (unsigned long long)v.checks);
	cr_assert_neq(v.state, HC_UNHEALTHY);
	/* The next round came within the interval (half of it, the only
	 * check): it runs now and times out 5 s later, one failure. */
	unit_clock_shift(5 * SEC + 1 * MS);
	hr_settle(l);
	cr_assert_eq(hc_get(hc, 0, HC_READINESS, &v), 0);
	cr_assert_eq(v.checks, 2, "a round after the resume (%llu)", (unsigned long long)v.checks);
	cr_assert_eq(v.failures, 1);
	cr_assert_neq(v.state, HC_UNHEALTHY, "one failure after the resume is not two");
	hc_process_stopped(hc, 0);
	hc_free(hc);
	loop_free(l);
	spec_free(s);
	close(lfd);
}
