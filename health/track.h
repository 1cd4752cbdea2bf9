/* track.h - a process's health from its check results: thresholds, grace.
 *
 * Pure: no I/O, no clock (the caller passes `now`, CLOCK_MONOTONIC ns).
 *
 * States: OFF (the process is not running), STARTING (running, no threshold
 * reached yet), HEALTHY, UNHEALTHY. A zeroed struct hc_track is OFF with no
 * history.
 *
 * Rules:
 * - hc_track_start: the process (re)started. STARTING; the in-a-row counters
 *   reset; the grace period runs from now.
 * - a pass: passes++, fails = 0; passes >= success -> HEALTHY.
 *   Passes count during the grace period too: a process may be healthy early.
 * - a failure: passes = 0. Within the grace period (now - started < grace_ns)
 *   it is not counted: ignored_failures++, state unchanged. After it:
 *   fails++; fails >= failure -> UNHEALTHY.
 * - So STARTING lasts until a threshold is reached, also after the grace
 *   period; HEALTHY -> UNHEALTHY after `failure` failures in a row, UNHEALTHY
 *   -> HEALTHY after `success` passes in a row.
 * - A threshold of 0 acts as 1.
 * - Results while OFF are ignored entirely (not even counted in checks).
 * - `since` is when the state last changed, or the process last started.
 * - checks, failed_checks, ignored_failures are totals over the struct's
 *   life, not reset by a restart; failed_checks includes the ignored ones.
 */
#ifndef VMINIT_HEALTH_TRACK_H
#define VMINIT_HEALTH_TRACK_H

#include <stdint.h>

enum hc_state { HC_OFF, HC_STARTING, HC_HEALTHY, HC_UNHEALTHY };

struct hc_thresholds {
	unsigned success, failure;   /* in a row */
	uint64_t grace_ns;           /* from the (re)start */
};

struct hc_track {
	enum hc_state state;
	unsigned passes, fails;      /* in a row */
	uint64_t started, since;     /* CLOCK_MONOTONIC ns */
	uint64_t checks, failed_checks, ignored_failures;
};

/* The process (re)started: STARTING, counters in a row reset. */
void hc_track_start(struct hc_track *t, uint64_t now);
/* The process is gone: OFF. */
void hc_track_stop(struct hc_track *t, uint64_t now);
/* One check's result. 1 when the state changed, else 0. */
int hc_track_result(struct hc_track *t, const struct hc_thresholds *th, int pass, uint64_t now);
/* "off" "starting" "healthy" "unhealthy" ("?" for anything else). */
const char *hc_state_name(enum hc_state s);

#endif
