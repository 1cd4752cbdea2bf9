#include "tests/unit/unit.h"

/* test_track.c - the health threshold state machine (health/track.c): grace,
 * thresholds of 1 and N, flapping, recovery, restarts, OFF, `since`; and random
 * sequences against a small model written from the rules in track.h. */

#include "health/track.h"

#define S(x) ((uint64_t)(x) * 1000000000ULL)

static const struct hc_thresholds th_1_3_10 = { .success = 1, .failure = 3, .grace_ns = S(10) };

Test(track, a_zeroed_track_is_off_and_ignores_results)
{
	struct hc_track t = { 0 };
	cr_assert_eq(t.state, HC_OFF);
	cr_assert_eq(hc_track_result(&t, &th_1_3_10, 1, S(100)), 0);
	cr_assert_eq(hc_track_result(&t, &th_1_3_10, 0, S(100)), 0);
	cr_assert_eq(t.state, HC_OFF);
	cr_assert_eq(t.checks, 0);
	cr_assert_eq(t.failed_checks, 0);
	cr_assert_eq(t.passes + t.fails, 0);
}

Test(track, start_is_starting_since_now)
{
	struct hc_track t = { 0 };
	hc_track_start(&t, S(5));
	cr_assert_eq(t.state, HC_STARTING);
	cr_assert_eq(t.started, S(5));
	cr_assert_eq(t.since, S(5));
}

Test(track, success_threshold_1_one_pass_is_healthy)
{
	struct hc_track t = { 0 };
	hc_track_start(&t, S(0));
	cr_assert_eq(hc_track_result(&t, &th_1_3_10, 1, S(2)), 1);
	cr_assert_eq(t.state, HC_HEALTHY);
	cr_assert_eq(t.since, S(2));
	/* More passes change nothing. */
	cr_assert_eq(hc_track_result(&t, &th_1_3_10, 1, S(3)), 0);
	cr_assert_eq(t.since, S(2));
	cr_assert_eq(t.checks, 2);
}

Test(track, success_threshold_n_needs_n_in_a_row)
{
	const struct hc_thresholds th = { .success = 3, .failure = 3, .grace_ns = S(100) };
	struct hc_track t = { 0 };
	hc_track_start(&t, S(0));
	cr_assert_eq(hc_track_result(&t, &th, 1, S(1)), 0);
	cr_assert_eq(hc_track_result(&t, &th, 1, S(2)), 0);
	/* A failure (ignored by the grace period) still breaks the run. */
	cr_assert_eq(hc_track_result(&t, &th, 0, S(3)), 0);
	cr_assert_eq(t.passes, 0);
	cr_assert_eq(hc_track_result(&t, &th, 1, S(4)), 0);
	cr_assert_eq(hc_track_result(&t, &th, 1, S(5)), 0);
	cr_assert_eq(t.state, HC_STARTING);
	cr_assert_eq(hc_track_result(&t, &th, 1, S(6)), 1);
	cr_assert_eq(t.state, HC_HEALTHY);
	cr_assert_eq(t.since, S(6));
}

Test(track, grace_period_ignores_failures_not_passes)
{
	struct hc_track t = { 0 };
	hc_track_start(&t, S(100));
	for (int i = 0; i < 10; i++)
		cr_assert_eq(hc_track_result(&t, &th_1_3_10, 0, S(100) + S(i)), 0);
	cr_assert_eq(t.state, HC_STARTING);
	cr_assert_eq(t.fails, 0);
	cr_assert_eq(t.ignored_failures, 10);
	cr_assert_eq(t.failed_checks, 10);
	cr_assert_eq(t.since, S(100));
	/* A pass inside the grace period counts. */
	cr_assert_eq(hc_track_result(&t, &th_1_3_10, 1, S(105)), 1);
	cr_assert_eq(t.state, HC_HEALTHY);
	/* Failures inside the grace period cannot make a healthy process unhealthy. */
	for (int i = 0; i < 5; i++)
		cr_assert_eq(hc_track_result(&t, &th_1_3_10, 0, S(106)), 0);
	cr_assert_eq(t.state, HC_HEALTHY);
}

Test(track, grace_ends_exactly_at_started_plus_grace)
{
	const struct hc_thresholds th = { .success = 1, .failure = 1, .grace_ns = S(10) };
	struct hc_track t = { 0 };
	hc_track_start(&t, S(50));
	cr_assert_eq(hc_track_result(&t, &th, 0, S(60) - 1), 0);
	cr_assert_eq(t.ignored_failures, 1);
	cr_assert_eq(hc_track_result(&t, &th, 0, S(60)), 1);
	cr_assert_eq(t.state, HC_UNHEALTHY);
	cr_assert_eq(t.since, S(60));
}

Test(track, zero_grace_counts_the_first_failure)
{
	const struct hc_thresholds th = { .success = 1, .failure = 1, .grace_ns = 0 };
	struct hc_track t = { 0 };
	hc_track_start(&t, S(1));
	cr_assert_eq(hc_track_result(&t, &th, 0, S(1)), 1);
	cr_assert_eq(t.state, HC_UNHEALTHY);
}

Test(track, a_huge_grace_does_not_overflow)
{
	const struct hc_thresholds th = { .success = 1, .failure = 1, .grace_ns = UINT64_MAX };
	struct hc_track t = { 0 };
	hc_track_start(&t, S(1000));
	cr_assert_eq(hc_track_result(&t, &th, 0, UINT64_MAX), 0);
	cr_assert_eq(t.state, HC_STARTING);
}

Test(track, starting_lasts_past_the_grace_period_until_a_threshold)
{
	struct hc_track t = { 0 };
	hc_track_start(&t, S(0));
	cr_assert_eq(hc_track_result(&t, &th_1_3_10, 0, S(20)), 0);
	cr_assert_eq(hc_track_result(&t, &th_1_3_10, 0, S(30)), 0);
	cr_assert_eq(t.state, HC_STARTING);
	cr_assert_eq(t.fails, 2);
	cr_assert_eq(hc_track_result(&t, &th_1_3_10, 0, S(40)), 1);
	cr_assert_eq(t.state, HC_UNHEALTHY);
	cr_assert_eq(t.since, S(40));
}

Test(track, healthy_to_unhealthy_after_failure_in_a_row)
{
	struct hc_track t = { 0 };
	hc_track_start(&t, S(0));
	hc_track_result(&t, &th_1_3_10, 1, S(11));
	cr_assert_eq(t.state, HC_HEALTHY);
	cr_assert_eq(hc_track_result(&t, &th_1_3_10, 0, S(12)), 0);
	cr_assert_eq(hc_track_result(&t, &th_1_3_10, 0, S(13)), 0);
	cr_assert_eq(t.state, HC_HEALTHY);
	cr_assert_eq(hc_track_result(&t, &th_1_3_10, 0, S(14)), 1);
	cr_assert_eq(t.state, HC_UNHEALTHY);
	cr_assert_eq(t.since, S(14));
	/* Further failures change nothing. */
	cr_assert_eq(hc_track_result(&t, &th_1_3_10, 0, S(15)), 0);
	cr_assert_eq(t.since, S(14));
	cr_assert_eq(t.fails, 4);
}

Test(track, recovery_after_success_in_a_row)
{
	const struct hc_thresholds th = { .success = 2, .failure = 1, .grace_ns = 0 };
	struct hc_track t = { 0 };
	hc_track_start(&t, S(0));
	cr_assert_eq(hc_track_result(&t, &th, 0, S(1)), 1);
	cr_assert_eq(t.state, HC_UNHEALTHY);
	cr_assert_eq(hc_track_result(&t, &th, 1, S(2)), 0);
	cr_assert_eq(t.state, HC_UNHEALTHY);
	cr_assert_eq(t.fails, 0, "a pass resets the failures in a row");
	cr_assert_eq(hc_track_result(&t, &th, 1, S(3)), 1);
	cr_assert_eq(t.state, HC_HEALTHY);
	cr_assert_eq(t.since, S(3));
}

Test(track, flapping_below_both_thresholds_changes_nothing)
{
	const struct hc_thresholds th = { .success = 2, .failure = 2, .grace_ns = 0 };
	struct hc_track t = { 0 };
	hc_track_start(&t, S(0));
	for (int i = 1; i <= 100; i++)
		cr_assert_eq(hc_track_result(&t, &th, i % 2, S(i)), 0, "step %d", i);
	cr_assert_eq(t.state, HC_STARTING);
	cr_assert_eq(t.since, S(0));
	/* The same from HEALTHY. */
	hc_track_result(&t, &th, 1, S(101));
	hc_track_result(&t, &th, 1, S(102));
	cr_assert_eq(t.state, HC_HEALTHY);
	for (int i = 103; i <= 200; i++)
		cr_assert_eq(hc_track_result(&t, &th, i % 2, S(i)), 0, "step %d", i);
	cr_assert_eq(t.state, HC_HEALTHY);
	cr_assert_eq(t.since, S(102));
	cr_assert_eq(t.checks, 200);
	cr_assert_eq(t.failed_checks, 50 + 49);
}

Test(track, flapping_with_threshold_1_changes_every_time)
{
	const struct hc_thresholds th = { .success = 1, .failure = 1, .grace_ns = 0 };
	struct hc_track t = { 0 };
	hc_track_start(&t, S(0));
	for (int i = 1; i <= 20; i++) {
		cr_assert_eq(hc_track_result(&t, &th, i % 2, S(i)), 1, "step %d", i);
		cr_assert_eq(t.state, i % 2 ? HC_HEALTHY : HC_UNHEALTHY);
		cr_assert_eq(t.since, S(i));
	}
}

Test(track, zero_thresholds_act_as_one)
{
	const struct hc_thresholds th = { .success = 0, .failure = 0, .grace_ns = 0 };
	struct hc_track t = { 0 };
	hc_track_start(&t, S(0));
	cr_assert_eq(hc_track_result(&t, &th, 1, S(1)), 1);
	cr_assert_eq(t.state, HC_HEALTHY);
	cr_assert_eq(hc_track_result(&t, &th, 0, S(2)), 1);
	cr_assert_eq(t.state, HC_UNHEALTHY);
}

Test(track, restart_resets_the_runs_and_the_grace_period)
{
	struct hc_track t = { 0 };
	hc_track_start(&t, S(0));
	hc_track_result(&t, &th_1_3_10, 1, S(11));
	hc_track_result(&t, &th_1_3_10, 0, S(12));
	hc_track_result(&t, &th_1_3_10, 0, S(13));
	cr_assert_eq(t.fails, 2);
	hc_track_start(&t, S(20));
	cr_assert_eq(t.state, HC_STARTING);
	cr_assert_eq(t.since, S(20));
	cr_assert_eq(t.fails, 0);
	cr_assert_eq(t.passes, 0);
	/* A new grace period: this failure is ignored. */
	cr_assert_eq(hc_track_result(&t, &th_1_3_10, 0, S(21)), 0);
	cr_assert_eq(t.fails, 0);
	/* Totals survive the restart. */
	cr_assert_eq(t.checks, 4);
	cr_assert_eq(t.failed_checks, 3);
	cr_assert_eq(t.ignored_failures, 1);
	/* Passes in a row reset too. */
	const struct hc_thresholds th2 = { .success = 2, .failure = 3, .grace_ns = 0 };
	hc_track_result(&t, &th2, 1, S(22));
	hc_track_start(&t, S(23));
	cr_assert_eq(hc_track_result(&t, &th2, 1, S(24)), 0);
	cr_assert_eq(t.state, HC_STARTING);
}

Test(track, stop_is_off_and_ignores_results_until_start)
{
	struct hc_track t = { 0 };
	hc_track_start(&t, S(0));
	hc_track_result(&t, &th_1_3_10, 1, S(1));
	hc_track_stop(&t, S(5));
	cr_assert_eq(t.state, HC_OFF);
	cr_assert_eq(t.since, S(5));
	cr_assert_eq(t.passes, 0);
	uint64_t checks = t.checks;
	cr_assert_eq(hc_track_result(&t, &th_1_3_10, 1, S(6)), 0);
	cr_assert_eq(hc_track_result(&t, &th_1_3_10, 0, S(60)), 0);
	cr_assert_eq(t.state, HC_OFF);
	cr_assert_eq(t.checks, checks);
	/* A second stop does not move `since`. */
	hc_track_stop(&t, S(7));
	cr_assert_eq(t.since, S(5));
	hc_track_start(&t, S(8));
	cr_assert_eq(t.state, HC_STARTING);
}

Test(track, state_names)
{
	cr_assert_str_eq(hc_state_name(HC_OFF), "off");
	cr_assert_str_eq(hc_state_name(HC_STARTING), "starting");
	cr_assert_str_eq(hc_state_name(HC_HEALTHY), "healthy");
	cr_assert_str_eq(hc_state_name(HC_UNHEALTHY), "unhealthy");
	cr_assert_str_eq(hc_state_name((enum hc_state)42), "?");
}

/* ---- model-based ----
 *
 * The model keeps the results since the last start as a history and derives
 * the state from it: the last point where a run of passes reached `success`
 * or a run of counted failures reached `failure` decides; none: starting. A
 * failure is counted when it came at least grace after the start; any failure
 * ends a run of passes, any pass ends a run of failures. */

#define HIST_MAX 8192

struct model {
	int running;
	uint64_t started;
	int hist[HIST_MAX];           /* 1 pass, 0 counted failure, -1 ignored failure */
	uint64_t at[HIST_MAX];
	size_t n;
	int state;                    /* as enum hc_state */
	uint64_t since;
	uint64_t checks, failed, ignored;
};

static int model_derive(const struct model *m, const struct hc_thresholds *th)
{
	unsigned succ = th->success ? th->success : 1, fail = th->failure ? th->failure : 1;
	int state = HC_STARTING;
	for (size_t i = 0; i < m->n; i++) {
		/* the runs ending at i, counted backwards */
		unsigned p = 0, f = 0;
		for (size_t j = i + 1; j-- > 0 && m->hist[j] == 1;)
			p++;
		for (size_t j = i + 1; j-- > 0 && m->hist[j] == 0;)
			f++;
		if (p >= succ)
			state = HC_HEALTHY;
		else if (f >= fail)
			state = HC_UNHEALTHY;
	}
	return state;
}

static void model_check(const struct model *m, const struct hc_track *t, size_t step)
{
	cr_assert_eq((int)t->state, m->state, "step %zu: state %s, model %s", step,
		     hc_state_name(t->state), hc_state_name((enum hc_state)m->state));
	cr_assert_eq(t->since, m->since, "step %zu: since", step);
	cr_assert_eq(t->checks, m->checks, "step %zu: checks", step);
	cr_assert_eq(t->failed_checks, m->failed, "step %zu: failed", step);
	cr_assert_eq(t->ignored_failures, m->ignored, "step %zu: ignored", step);
}

static void model_run(unsigned seed, const struct hc_thresholds *th, size_t steps)
{
	struct hc_track t = { 0 };
	static struct model m;
	uint64_t now = S(1);
	unsigned changes = 0;

	memset(&m, 0, sizeof(m));
	m.state = HC_OFF;
	srand(seed);
	for (size_t step = 0; step < steps; step++) {
		int r = rand() % 100, changed, before = m.state;
		now += (uint64_t)(rand() % 4) * S(1);
		if (r < 4) {
			hc_track_start(&t, now);
			m.running = 1;
			m.started = now;
			m.n = 0;
			m.state = HC_STARTING;
			m.since = now;
			changed = -1;
		} else if (r < 7) {
			hc_track_stop(&t, now);
			m.running = 0;
			m.state = HC_OFF;
			if (before != HC_OFF)
				m.since = now;
			changed = -1;
		} else {
			int pass = rand() % 2;
			changed = hc_track_result(&t, th, pass, now);
			if (m.running) {
				int counted = pass || now - m.started >= th->grace_ns;
				cr_assert_lt(m.n, HIST_MAX);
				m.hist[m.n] = pass ? 1 : counted ? 0 : -1;
				m.at[m.n++] = now;
				m.checks++;
				m.failed += !pass;
				m.ignored += !counted;
				m.state = model_derive(&m, th);
				if (m.state != before)
					m.since = now;
			}
			cr_assert_eq(changed, m.state != before, "step %zu: changed", step);
			changes += (unsigned)changed;
		}
		model_check(&m, &t, step);
	}
	/* The sequence must have exercised the transitions. */
	cr_assert_gt(changes, 10, "only %u state changes", changes);
}

Test(track, model_random_sequences)
{
	const struct hc_thresholds ths[] = {
		{ .success = 1, .failure = 3, .grace_ns = S(10) },
		{ .success = 1, .failure = 1, .grace_ns = 0 },
		{ .success = 3, .failure = 2, .grace_ns = S(5) },
		{ .success = 2, .failure = 4, .grace_ns = S(30) },
		{ .success = 0, .failure = 0, .grace_ns = S(2) },
	};
	for (size_t i = 0; i < sizeof(ths) / sizeof(ths[0]); i++)
		model_run(20240611u + (unsigned)i, &ths[i], 3000);
}
