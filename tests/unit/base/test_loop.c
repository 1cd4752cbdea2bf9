#include "tests/unit/unit.h"

/* test_loop.c - the event loop (base/loop.c): timer heap order, cancel,
 * re-arm, capacity; io dispatch and deletion inside a batch. */

#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "base/loop.h"

/* A test that blocks is killed by SIGALRM and reported as crashed (not via
 * Criterion's .timeout, whose watchdog leaks under LeakSanitizer). Only a
 * broken loop blocks, so the bound is far above what a slow machine needs. */
static void watchdog(void)
{
	alarm(120);
}
TestSuite(loop, .init = watchdog);

/* A deadline already past, with room for span ns after it that are past too.
 * Never "now - 10 s": vminit runs at an uptime of about a second, where that
 * wraps around to a deadline centuries ahead. */
static uint64_t past(uint64_t span)
{
	uint64_t now = loop_now();
	cr_assert_gt(now / 2, span, "the clock reads %llu ns", (unsigned long long)now);
	return now / 2 - span;
}

/* ---- timers ---- */

#define NT 64
static struct {
	int n;
	int id[256];
	uint64_t due[256];
	int armed_inside[256];
} fired;

static void on_fire(struct loop *l, struct loop_timer *t)
{
	(void)l;
	cr_assert_lt(fired.n, 256);
	fired.id[fired.n] = (int)(intptr_t)t->ctx;
	fired.due[fired.n] = t->due;
	fired.armed_inside[fired.n] = loop_timer_armed(t);
	fired.n++;
}

static struct loop *new_loop(size_t max)
{
	struct loop *l = loop_new(max);
	cr_assert_not_null(l);
	memset(&fired, 0, sizeof(fired));
	return l;
}

Test(loop, timers_fire_in_deadline_order)
{
	struct loop *l = new_loop(16);
	struct loop_timer t[8];
	/* all in the past, armed in scrambled order */
	const int order[8] = { 5, 2, 7, 0, 3, 6, 1, 4 };
	uint64_t base = past(8 * 1000);
	for (int i = 0; i < 8; i++) {
		int k = order[i];
		loop_timer_init(&t[k], on_fire, (void *)(intptr_t)k);
		cr_assert_not(loop_timer_armed(&t[k]));
		cr_assert_eq(loop_timer_at(l, &t[k], base + (uint64_t)k * 1000), 0);
		cr_assert(loop_timer_armed(&t[k]));
	}
	/* one far in the future does not fire */
	struct loop_timer later;
	loop_timer_init(&later, on_fire, (void *)(intptr_t)99);
	cr_assert_eq(loop_timer_in(l, &later, 3600 * LOOP_NS_PER_SEC), 0);

	cr_assert_eq(loop_run_once(l), 0);
	cr_assert_eq(fired.n, 8);
	for (int i = 0; i < 8; i++) {
		cr_assert_eq(fired.id[i], i, "fired #%d is timer %d", i, fired.id[i]);
		cr_assert_not(fired.armed_inside[i], "timer still armed in its handler");
		cr_assert_not(loop_timer_armed(&t[i]));
	}
	cr_assert(loop_timer_armed(&later));
	struct loop_stats st;
	loop_get_stats(l, &st);
	cr_assert_eq(st.timers_fired, 8);
	cr_assert_eq(st.wakeups, 1);
	loop_free(l);
}

Test(loop, future_timers_fire_in_order_without_early_firing)
{
	struct loop *l = new_loop(4);
	struct loop_timer a, b, c;
	uint64_t start = loop_now();
	loop_timer_init(&a, on_fire, (void *)1);
	loop_timer_init(&b, on_fire, (void *)2);
	loop_timer_init(&c, on_fire, (void *)3);
	loop_timer_in(l, &c, 30 * LOOP_NS_PER_MS);
	loop_timer_in(l, &a, 10 * LOOP_NS_PER_MS);
	loop_timer_in(l, &b, 20 * LOOP_NS_PER_MS);
	for (int i = 0; i < 100 && fired.n < 3; i++) {
		cr_assert_eq(loop_run_once(l), 0);
		for (int k = 0; k < fired.n; k++)
			cr_assert_geq(loop_now(), fired.due[k]);
	}
	cr_assert_eq(fired.n, 3);
	cr_assert_eq(fired.id[0], 1);
	cr_assert_eq(fired.id[1], 2);
	cr_assert_eq(fired.id[2], 3);
	cr_assert_geq(loop_now() - start, 30 * LOOP_NS_PER_MS);
	loop_free(l);
}

Test(loop, cancel)
{
	struct loop *l = new_loop(8);
	struct loop_timer t[5];
	uint64_t base = past(5);
	for (int i = 0; i < 5; i++) {
		loop_timer_init(&t[i], on_fire, (void *)(intptr_t)i);
		loop_timer_at(l, &t[i], base + (uint64_t)i);
	}
	loop_timer_cancel(l, &t[0]);   /* the root of the heap */
	loop_timer_cancel(l, &t[3]);
	loop_timer_cancel(l, &t[3]);   /* twice: harmless */
	cr_assert_not(loop_timer_armed(&t[0]));
	cr_assert_not(loop_timer_armed(&t[3]));
	struct loop_timer never;
	loop_timer_init(&never, on_fire, (void *)77);
	loop_timer_cancel(l, &never);  /* never armed: harmless */
	loop_run_once(l);
	cr_assert_eq(fired.n, 3);
	cr_assert_eq(fired.id[0], 1);
	cr_assert_eq(fired.id[1], 2);
	cr_assert_eq(fired.id[2], 4);
	loop_free(l);
}

Test(loop, rearm_earlier_and_later_keeps_heap_order)
{
	struct loop *l = new_loop(8);
	struct loop_timer t[6];
	uint64_t base = past(60);
	for (int i = 0; i < 6; i++) {
		loop_timer_init(&t[i], on_fire, (void *)(intptr_t)i);
		loop_timer_at(l, &t[i], base + (uint64_t)i * 10);
	}
	loop_timer_at(l, &t[0], base + 35);   /* later: between 3 and 4 */
	loop_timer_at(l, &t[5], base + 1);    /* earlier: first */
	loop_run_once(l);
	const int want[6] = { 5, 1, 2, 3, 0, 4 };
	cr_assert_eq(fired.n, 6);
	for (int i = 0; i < 6; i++)
		cr_assert_eq(fired.id[i], want[i], "fired #%d is %d, want %d", i, fired.id[i],
			     want[i]);
	loop_free(l);
}

Test(loop, capacity_enospc)
{
	struct loop *l = new_loop(3);
	struct loop_timer t[4];
	uint64_t far = loop_now() + 3600 * LOOP_NS_PER_SEC;
	for (int i = 0; i < 4; i++)
		loop_timer_init(&t[i], on_fire, (void *)(intptr_t)i);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(loop_timer_at(l, &t[i], far), 0);
	errno = 0;
	cr_assert_eq(loop_timer_at(l, &t[3], far), -1);
	cr_assert_eq(errno, ENOSPC);
	cr_assert_not(loop_timer_armed(&t[3]));
	errno = 0;
	cr_assert_eq(loop_timer_in(l, &t[3], 1), -1);
	cr_assert_eq(errno, ENOSPC);
	/* re-arming one already in the heap still works when full */
	cr_assert_eq(loop_timer_at(l, &t[1], far + 1), 0);
	loop_timer_cancel(l, &t[0]);
	cr_assert_eq(loop_timer_at(l, &t[3], far), 0);
	cr_assert(loop_timer_armed(&t[3]));
	loop_free(l);

	l = new_loop(0);
	errno = 0;
	cr_assert_eq(loop_timer_at(l, &t[0], far), -1);
	cr_assert_eq(errno, ENOSPC);
	loop_free(l);
}

static void random_heap_operations(void)
{
	struct loop *l = new_loop(NT);
	static struct loop_timer t[NT];
	uint64_t base = past(100000);
	unsigned seed = 42;
	for (int i = 0; i < NT; i++)
		loop_timer_init(&t[i], on_fire, (void *)(intptr_t)i);
	for (int step = 0; step < 5000; step++) {
		seed = seed * 1103515245u + 12345u;
		int i = (int)((seed >> 16) % NT);
		if ((seed >> 8) % 4 == 0)
			loop_timer_cancel(l, &t[i]);
		else
			cr_assert_eq(loop_timer_at(l, &t[i], base + (seed >> 4) % 100000), 0);
	}
	int armed = 0;
	for (int i = 0; i < NT; i++)
		armed += loop_timer_armed(&t[i]);
	cr_assert_gt(armed, 0);
	loop_run_once(l);
	cr_assert_eq(fired.n, armed);
	for (int k = 1; k < fired.n; k++)
		cr_assert_leq(fired.due[k - 1], fired.due[k], "fired out of order at %d", k);
	loop_free(l);
}

Test(loop, random_heap_operations_fire_sorted)
{
	random_heap_operations();
}

/* vminit runs at an uptime of about a second: deadlines in the past must not
 * be made by subtracting more than the clock reads. */
Test(loop, random_heap_operations_fire_sorted_at_a_small_uptime)
{
	unit_clock_start_at(500 * LOOP_NS_PER_MS);
	random_heap_operations();
}

static struct loop_timer *victim;
static void cancel_victim(struct loop *l, struct loop_timer *t)
{
	on_fire(l, t);
	loop_timer_cancel(l, victim);
}

Test(loop, handler_cancels_a_due_timer)
{
	struct loop *l = new_loop(4);
	struct loop_timer a, b;
	uint64_t base = past(1);
	loop_timer_init(&a, cancel_victim, (void *)1);
	loop_timer_init(&b, on_fire, (void *)2);
	victim = &b;
	loop_timer_at(l, &a, base);
	loop_timer_at(l, &b, base + 1);
	loop_run_once(l);
	cr_assert_eq(fired.n, 1, "a cancelled timer fired");
	cr_assert_eq(fired.id[0], 1);
	loop_free(l);
}

static void rearm_self(struct loop *l, struct loop_timer *t)
{
	on_fire(l, t);
	/* its own deadline again: already due, in the current batch's "now" */
	cr_assert_eq(loop_timer_at(l, t, t->due), 0);
}

Test(loop, self_rearming_timer_runs_once_per_batch)
{
	struct loop *l = new_loop(2);
	struct loop_timer t;
	loop_timer_init(&t, rearm_self, (void *)1);
	loop_timer_at(l, &t, loop_now() - 1);
	cr_assert_eq(loop_run_once(l), 0);
	cr_assert_eq(fired.n, 1);
	cr_assert(loop_timer_armed(&t));
	cr_assert_eq(loop_run_once(l), 0);
	cr_assert_eq(fired.n, 2);
	loop_free(l);
}

/* ---- io ---- */

struct rd {
	struct loop_io io;
	int rfd, wfd;
	int calls;
	uint32_t events;
	struct rd *other;     /* deleted by this one's handler */
	int readd;            /* ...and registered again */
};

static void rd_open(struct rd *r)
{
	int p[2];
	memset(r, 0, sizeof(*r));
	cr_assert_eq(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
	r->rfd = p[0];
	r->wfd = p[1];
	r->io.fd = -1;
}

static void rd_close(struct rd *r)
{
	close(r->rfd);
	close(r->wfd);
}

static void on_read(struct loop *l, struct loop_io *io, uint32_t events)
{
	struct rd *r = io->ctx;
	cr_assert_eq(io, &r->io);
	r->calls++;
	r->events = events;
	if (r->other) {
		loop_io_del(l, &r->other->io);
		if (r->readd)
			cr_assert_eq(loop_io_add(l, &r->other->io, r->other->rfd, EPOLLIN, on_read,
						 r->other), 0);
	}
}

Test(loop, rearm_moves_the_deadline)
{
	struct loop *l = new_loop(1);  /* re-arming takes no second slot */
	struct loop_timer t;
	struct rd r;
	loop_timer_init(&t, on_fire, (void *)1);
	cr_assert_eq(loop_timer_at(l, &t, past(0)), 0);
	cr_assert_eq(loop_timer_in(l, &t, 3600 * LOOP_NS_PER_SEC), 0);
	cr_assert(loop_timer_armed(&t));
	/* a ready fd ends the wait: the old (past) deadline must be gone */
	rd_open(&r);
	cr_assert_eq(write(r.wfd, "x", 1), 1);
	cr_assert_eq(loop_io_add(l, &r.io, r.rfd, EPOLLIN, on_read, &r), 0);
	cr_assert_eq(loop_run_once(l), 0);
	cr_assert_eq(r.calls, 1);
	cr_assert_eq(fired.n, 0, "fired at the deadline it was re-armed away from");
	/* back into the past: fires once, on the next batch */
	cr_assert_eq(loop_timer_at(l, &t, loop_now() - 1), 0);
	loop_io_del(l, &r.io);
	cr_assert_eq(loop_run_once(l), 0);
	cr_assert_eq(fired.n, 1);
	cr_assert_not(loop_timer_armed(&t));
	rd_close(&r);
	loop_free(l);
}

Test(loop, io_handler_fires_on_data)
{
	struct loop *l = new_loop(4);
	struct rd r;
	struct loop_timer t;
	rd_open(&r);
	cr_assert_eq(loop_io_add(l, &r.io, r.rfd, EPOLLIN, on_read, &r), 0);
	cr_assert_eq(r.io.fd, r.rfd);

	/* nothing written: a short timer ends the wait, the handler is quiet */
	loop_timer_init(&t, on_fire, NULL);
	loop_timer_in(l, &t, 5 * LOOP_NS_PER_MS);
	while (fired.n == 0)
		loop_run_once(l);
	cr_assert_eq(r.calls, 0);

	cr_assert_eq(write(r.wfd, "hi", 2), 2);
	cr_assert_eq(loop_run_once(l), 0);
	cr_assert_eq(r.calls, 1);
	cr_assert(r.events & EPOLLIN);
	struct loop_stats st;
	loop_get_stats(l, &st);
	cr_assert_eq(st.io_dispatched, 1);

	/* unregistered: no more calls although data is pending */
	loop_io_del(l, &r.io);
	cr_assert_eq(r.io.fd, -1);
	loop_io_del(l, &r.io);   /* twice: harmless */
	loop_timer_in(l, &t, 5 * LOOP_NS_PER_MS);
	while (fired.n == 1)
		loop_run_once(l);
	cr_assert_eq(r.calls, 1);
	rd_close(&r);
	loop_free(l);
}

Test(loop, run_once_with_ready_fd_and_no_timers_does_not_block)
{
	struct loop *l = new_loop(4);
	struct rd r;
	rd_open(&r);
	cr_assert_eq(write(r.wfd, "x", 1), 1);
	cr_assert_eq(loop_io_add(l, &r.io, r.rfd, EPOLLIN, on_read, &r), 0);
	/* With no timer a wait would have no end: a loop that blocks here is
	 * caught by the watchdog, not by timing this call. */
	cr_assert_eq(loop_run_once(l), 0);
	cr_assert_eq(r.calls, 1);
	rd_close(&r);
	loop_free(l);
}

Test(loop, io_deleted_by_earlier_handler_in_batch_is_not_dispatched)
{
	struct loop *l = new_loop(4);
	struct rd a, b;
	rd_open(&a);
	rd_open(&b);
	a.other = &b;   /* whichever runs first deletes the other */
	b.other = &a;
	cr_assert_eq(loop_io_add(l, &a.io, a.rfd, EPOLLIN, on_read, &a), 0);
	cr_assert_eq(loop_io_add(l, &b.io, b.rfd, EPOLLIN, on_read, &b), 0);
	cr_assert_eq(write(a.wfd, "a", 1), 1);
	cr_assert_eq(write(b.wfd, "b", 1), 1);
	cr_assert_eq(loop_run_once(l), 0);
	cr_assert_eq(a.calls + b.calls, 1, "a: %d calls, b: %d calls", a.calls, b.calls);
	struct rd *survivor = a.calls ? &a : &b, *deleted = a.calls ? &b : &a;
	cr_assert_eq(deleted->io.fd, -1);
	/* the survivor's fd is still readable; the deleted one never runs */
	survivor->other = NULL;
	cr_assert_eq(loop_run_once(l), 0);
	cr_assert_eq(survivor->calls, 2);
	cr_assert_eq(deleted->calls, 0);
	rd_close(&a);
	rd_close(&b);
	loop_free(l);
}

Test(loop, io_deleted_and_readded_in_batch_skips_stale_event)
{
	struct loop *l = new_loop(4);
	struct rd a, b;
	rd_open(&a);
	rd_open(&b);
	a.other = &b;
	b.other = &a;
	a.readd = b.readd = 1;
	cr_assert_eq(loop_io_add(l, &a.io, a.rfd, EPOLLIN, on_read, &a), 0);
	cr_assert_eq(loop_io_add(l, &b.io, b.rfd, EPOLLIN, on_read, &b), 0);
	cr_assert_eq(write(a.wfd, "a", 1), 1);
	cr_assert_eq(write(b.wfd, "b", 1), 1);
	cr_assert_eq(loop_run_once(l), 0);
	cr_assert_eq(a.calls + b.calls, 1, "a stale event of an old registration ran");
	struct rd *second = a.calls ? &b : &a;
	cr_assert_eq(second->io.fd, second->rfd, "re-registered");
	/* the new registration delivers in the next batch */
	a.other = b.other = NULL;
	cr_assert_eq(loop_run_once(l), 0);
	cr_assert_eq(second->calls, 1);
	rd_close(&a);
	rd_close(&b);
	loop_free(l);
}

static void self_delete(struct loop *l, struct loop_io *io, uint32_t events)
{
	struct rd *r = io->ctx;
	(void)events;
	r->calls++;
	loop_io_del(l, io);
}

Test(loop, io_deletes_itself)
{
	struct loop *l = new_loop(4);
	struct rd r;
	struct loop_timer t;
	rd_open(&r);
	cr_assert_eq(write(r.wfd, "x", 1), 1);
	cr_assert_eq(loop_io_add(l, &r.io, r.rfd, EPOLLIN, self_delete, &r), 0);
	loop_run_once(l);
	cr_assert_eq(r.calls, 1);
	cr_assert_eq(r.io.fd, -1);
	loop_timer_init(&t, on_fire, NULL);
	loop_timer_in(l, &t, 5 * LOOP_NS_PER_MS);
	while (fired.n == 0)
		loop_run_once(l);
	cr_assert_eq(r.calls, 1);
	rd_close(&r);
	loop_free(l);
}

Test(loop, io_add_bad_fd_fails)
{
	struct loop *l = new_loop(1);
	struct loop_io io = { .fd = -1 };
	cr_assert_eq(loop_io_add(l, &io, 9999, EPOLLIN, on_read, NULL), -1);
	cr_assert_eq(io.fd, -1, "a failed add left the io looking registered");
	loop_io_del(l, &io);   /* safe */
	errno = 0;
	cr_assert_eq(loop_io_mod(l, &io, EPOLLOUT), -1);
	cr_assert_eq(errno, EBADF);
	loop_free(l);
	loop_free(NULL);
}

Test(loop, io_mod_switches_events)
{
	struct loop *l = new_loop(1);
	struct rd r;
	rd_open(&r);
	/* the write end is writable; registered for EPOLLIN it is quiet */
	cr_assert_eq(loop_io_add(l, &r.io, r.wfd, EPOLLIN, on_read, &r), 0);
	cr_assert_eq(loop_io_mod(l, &r.io, EPOLLOUT), 0);
	cr_assert_eq(r.io.events, EPOLLOUT);
	loop_run_once(l);
	cr_assert_eq(r.calls, 1);
	cr_assert(r.events & EPOLLOUT);
	rd_close(&r);
	loop_free(l);
}

/* ---- the on-wake timer ---- */

static struct rd *wake_rd;     /* the io whose handler must not have run yet */
static int wake_calls_seen;

static void on_wake_fire(struct loop *l, struct loop_timer *t)
{
	wake_calls_seen = wake_rd ? wake_rd->calls : -1;
	on_fire(l, t);
}

Test(loop, an_on_wake_timer_runs_first_whatever_wakes_the_loop)
{
	struct loop *l = new_loop(4);
	struct loop_timer t;
	struct rd r;
	rd_open(&r);
	wake_rd = &r;
	cr_assert_eq(loop_io_add(l, &r.io, r.rfd, EPOLLIN, on_read, &r), 0);
	loop_timer_init(&t, on_wake_fire, (void *)(intptr_t)7);
	/* A minute: only the fd can wake the loop in this test. */
	cr_assert_eq(loop_timer_on_wake(l, &t, 60 * LOOP_NS_PER_SEC), 0);
	cr_assert(loop_timer_armed(&t));
	cr_assert_eq(write(r.wfd, "x", 1), 1);
	cr_assert_eq(loop_run_once(l), 0);
	cr_assert_eq(fired.n, 1, "the on-wake timer did not run at the fd's wake-up");
	cr_assert_eq(wake_calls_seen, 0, "the fd's handler ran before the on-wake timer");
	cr_assert_eq(r.calls, 1);
	cr_assert_not(loop_timer_armed(&t), "still armed after it ran");
	/* Once: the next wake-up is the fd's alone. */
	cr_assert_eq(loop_run_once(l), 0);
	cr_assert_eq(fired.n, 1);
	cr_assert_eq(r.calls, 2);
	wake_rd = NULL;
	rd_close(&r);
	loop_free(l);
}

Test(loop, an_on_wake_timer_runs_at_its_deadline_when_nothing_else_wakes_the_loop)
{
	struct loop *l = new_loop(4);
	struct loop_timer t;
	loop_timer_init(&t, on_fire, (void *)(intptr_t)8);
	cr_assert_eq(loop_timer_on_wake(l, &t, LOOP_NS_PER_MS), 0);
	while (fired.n == 0)
		cr_assert_eq(loop_run_once(l), 0);
	cr_assert_eq(fired.id[0], 8);
	cr_assert_leq(fired.due[0], loop_now(), "ran before its deadline");
	loop_free(l);
}

Test(loop, one_on_wake_timer_at_a_time_and_a_cancelled_one_never_runs)
{
	struct loop *l = new_loop(4);
	struct loop_timer a, b, guard;
	loop_timer_init(&a, on_fire, (void *)(intptr_t)1);
	loop_timer_init(&b, on_fire, (void *)(intptr_t)2);
	loop_timer_init(&guard, on_fire, (void *)(intptr_t)3);
	cr_assert_eq(loop_timer_on_wake(l, &a, 60 * LOOP_NS_PER_SEC), 0);
	cr_assert_eq(loop_timer_on_wake(l, &b, 60 * LOOP_NS_PER_SEC), -1);
	cr_assert_eq(errno, EBUSY);
	cr_assert_not(loop_timer_armed(&b));
	cr_assert_eq(loop_timer_on_wake(l, &a, 60 * LOOP_NS_PER_SEC), 0, "re-arming the same one");
	loop_timer_cancel(l, &a);
	cr_assert_eq(loop_timer_on_wake(l, &b, 60 * LOOP_NS_PER_SEC), 0, "the slot is free once cancelled");
	loop_timer_cancel(l, &b);
	/* A plain timer wakes the loop: the cancelled ones do not run. */
	loop_timer_in(l, &guard, LOOP_NS_PER_MS);
	while (fired.n == 0)
		cr_assert_eq(loop_run_once(l), 0);
	cr_assert_eq(fired.n, 1);
	cr_assert_eq(fired.id[0], 3);
	loop_free(l);
}

/* A sleep's timeout is not left late by the default 50 µs timer slack: a
 * reap pass in a storm waits for it (init/reap.c). */
Test(loop, new_sets_a_timer_slack_of_one_ns)
{
	struct loop *l;
	prctl(PR_SET_TIMERSLACK, 50000UL, 0UL, 0UL, 0UL);
	cr_assert_eq(prctl(PR_GET_TIMERSLACK, 0UL, 0UL, 0UL, 0UL), 50000);
	l = loop_new(4);
	cr_assert_not_null(l);
	cr_assert_eq(prctl(PR_GET_TIMERSLACK, 0UL, 0UL, 0UL, 0UL), 1, "timer slack 1 ns");
	loop_free(l);
}

/* Mappings of this process that a fork leaves out of the child (smaps'
 * VmFlags "dc"). */
static int dontfork_mappings(void)
{
	char line[512];
	int n = 0;
	FILE *f = fopen("/proc/self/smaps", "r");
	cr_assert_not_null(f);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmFlags:", 8) && strstr(line, " dc"))
			n++;
	fclose(f);
	return n;
}

/* The timer heap is left out of a forked child (each spawn forks): else the
 * fork write-protects it, and arming a timer after it, a stop's between its
 * SIGTERM and PID 1's sleep, is a copy-on-write page fault. */
Test(loop, the_timer_heap_is_not_copied_into_a_forked_child)
{
	int before = dontfork_mappings();
	struct loop *l = loop_new(4096);
	cr_assert_not_null(l);
	cr_assert_eq(dontfork_mappings(), before + 1, "the heap's mapping is marked do-not-copy");
	loop_free(l);
}
