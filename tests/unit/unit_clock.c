/* unit_clock.c - CLOCK_MONOTONIC as the code under test sees it.
 *
 * The unit tests are linked with -Wl,--wrap=clock_gettime (Makefile), so every
 * clock_gettime() of the product's objects and of the tests comes here; other
 * clocks and Criterion itself (a shared library) are untouched. By default the
 * clock is the real one. A test may:
 * - start it at a small reading (unit_clock_start_at): vminit runs at an
 *   uptime of about a second, where "now - 10 s" wraps around;
 * - move it forward (unit_clock_shift): what a machine that stalled that long
 *   looks like to the loop, so a deadline can be made to pass exactly when the
 *   test wants it to, instead of racing a short real timeout;
 * - freeze it (unit_clock_freeze): then only unit_clock_shift moves it.
 * VMINIT_UNIT_CLOCK_MS=N in the environment starts every test's clock at N ms
 * (make unit runs the timing suites so a second time).
 * Waiting bounds in tests use unit_clock_real_ns(), which none of this moves.
 */
#include "unit.h"

#include <time.h>

int __real_clock_gettime(clockid_t id, struct timespec *ts);
int __wrap_clock_gettime(clockid_t id, struct timespec *ts);

static struct {
	int init;            /* VMINIT_UNIT_CLOCK_MS looked at */
	int frozen;
	uint64_t frozen_ns;  /* the reading while frozen */
	int64_t shift_ns;    /* reading = real + shift while running */
} uc;

uint64_t unit_clock_real_ns(void)
{
	struct timespec ts;
	if (__real_clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		abort();
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void uc_init(void)
{
	const char *env;
	if (uc.init)
		return;
	uc.init = 1;
	env = getenv("VMINIT_UNIT_CLOCK_MS");
	if (env && *env)
		unit_clock_start_at(strtoull(env, NULL, 10) * 1000000ull);
}

static uint64_t uc_now(void)
{
	uc_init();
	if (uc.frozen)
		return uc.frozen_ns;
	return (uint64_t)((int64_t)unit_clock_real_ns() + uc.shift_ns);
}

void unit_clock_start_at(uint64_t ns)
{
	uc.init = 1;
	if (uc.frozen)
		uc.frozen_ns = ns;
	else
		uc.shift_ns = (int64_t)ns - (int64_t)unit_clock_real_ns();
}

void unit_clock_shift(uint64_t ns)
{
	uc_init();
	if (uc.frozen)
		uc.frozen_ns += ns;
	else
		uc.shift_ns += (int64_t)ns;
}

void unit_clock_freeze(void)
{
	uc.frozen_ns = uc_now();
	uc.frozen = 1;
}

int __wrap_clock_gettime(clockid_t id, struct timespec *ts)
{
	uint64_t ns;
	if (id != CLOCK_MONOTONIC)
		return __real_clock_gettime(id, ts);
	ns = uc_now();
	ts->tv_sec = (time_t)(ns / 1000000000ull);
	ts->tv_nsec = (long)(ns % 1000000000ull);
	return 0;
}
