/* track.c - the health threshold state machine (see track.h for the rules).
 *
 * Owns: nothing but the caller's struct hc_track.
 * Invariants: passes > 0 implies fails == 0 and the other way round (a result
 * resets the other streak); while OFF both are 0 and results change nothing;
 * `since` moves exactly when `state` is written with a new value, or at a start.
 * Never: reads a clock; a grace period cannot overflow (it is compared as an
 * elapsed time, not as started + grace).
 */
#include "track.h"

static int track_set(struct hc_track *t, enum hc_state s, uint64_t now)
{
	if (t->state == s)
		return 0;
	t->state = s;
	t->since = now;
	return 1;
}

void hc_track_start(struct hc_track *t, uint64_t now)
{
	t->state = HC_STARTING;
	t->passes = 0;
	t->fails = 0;
	t->started = now;
	t->since = now;
}

void hc_track_stop(struct hc_track *t, uint64_t now)
{
	t->passes = 0;
	t->fails = 0;
	track_set(t, HC_OFF, now);
}

/* A clock that went backwards (it should not: CLOCK_MONOTONIC) counts as
 * still within the grace period, the harmless side. */
static int track_in_grace(const struct hc_track *t, const struct hc_thresholds *th, uint64_t now)
{
	return now < t->started || now - t->started < th->grace_ns;
}

int hc_track_result(struct hc_track *t, const struct hc_thresholds *th, int pass, uint64_t now)
{
	if (t->state == HC_OFF)
		return 0;
	t->checks++;
	if (pass) {
		t->fails = 0;
		t->passes++;
		if (t->passes >= th->success)
			return track_set(t, HC_HEALTHY, now);
		return 0;
	}
	t->failed_checks++;
	t->passes = 0;
	if (track_in_grace(t, th, now)) {
		t->ignored_failures++;
		return 0;
	}
	t->fails++;
	if (t->fails >= th->failure)
		return track_set(t, HC_UNHEALTHY, now);
	return 0;
}

const char *hc_state_name(enum hc_state s)
{
	switch (s) {
	case HC_OFF: return "off";
	case HC_STARTING: return "starting";
	case HC_HEALTHY: return "healthy";
	case HC_UNHEALTHY: return "unhealthy";
	}
	return "?";
}
