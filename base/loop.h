/* loop.h - the one event loop of vminit.
 *
 * Every module registers file descriptors and timers here; none of them calls
 * epoll_wait, sleeps or blocks. Time is CLOCK_MONOTONIC in nanoseconds.
 *
 * Ownership: struct loop_io and struct loop_timer live inside their owner's
 * object (no allocation per registration). An owner must unregister them before
 * the memory goes away; loop_io_del() may be called from inside any handler,
 * even for an io whose event is still pending in the current batch: the loop
 * never dispatches to an io that has been deleted. The memory itself must stay
 * valid until the current dispatch batch ends: an owner that frees objects
 * from a handler must defer the free past loop_run_once().
 */
#ifndef VMINIT_LOOP_H
#define VMINIT_LOOP_H

#include <stdint.h>
#include <stddef.h>

struct loop;
struct loop_io;
struct loop_timer;

typedef void (*loop_io_fn)(struct loop *l, struct loop_io *io, uint32_t events);
typedef void (*loop_timer_fn)(struct loop *l, struct loop_timer *t);

struct loop_io {
	int fd;              /* -1 while not registered */
	uint32_t events;
	loop_io_fn fn;
	void *ctx;
	uint64_t gen;        /* registration generation: stale events are skipped */
};

struct loop_timer {
	uint64_t due;        /* CLOCK_MONOTONIC ns */
	loop_timer_fn fn;
	void *ctx;
	size_t slot;         /* index in the heap + 1; 0 when not armed */
};

#define LOOP_NS_PER_SEC 1000000000ULL
#define LOOP_NS_PER_MS  1000000ULL

struct loop *loop_new(size_t max_timers);
void loop_free(struct loop *l);

uint64_t loop_now(void);

/* Register fd for events (EPOLLIN...). 0, or -1 with errno. */
int loop_io_add(struct loop *l, struct loop_io *io, int fd, uint32_t events,
		loop_io_fn fn, void *ctx);
int loop_io_mod(struct loop *l, struct loop_io *io, uint32_t events);
/* Unregister; does not close the fd. Safe on an io that is not registered. */
void loop_io_del(struct loop *l, struct loop_io *io);

void loop_timer_init(struct loop_timer *t, loop_timer_fn fn, void *ctx);
/* Arm (or re-arm) for an absolute CLOCK_MONOTONIC time. 0, or -1 (ENOSPC). */
int loop_timer_at(struct loop *l, struct loop_timer *t, uint64_t due);
int loop_timer_in(struct loop *l, struct loop_timer *t, uint64_t delay_ns);
/* Arm t to run at the loop's next wake-up, whatever wakes it, before that
 * wake-up's handlers, or delay_ns from now if nothing wakes it sooner: for
 * work that should wait until the loop has slept once (a stop's words, once
 * its signals are out: init/shutdown.c). One such timer at a time: 0, or -1
 * (EBUSY: another one is armed; ENOSPC). Cancelled like any timer. */
int loop_timer_on_wake(struct loop *l, struct loop_timer *t, uint64_t delay_ns);
void loop_timer_cancel(struct loop *l, struct loop_timer *t);
static inline int loop_timer_armed(const struct loop_timer *t) { return t->slot != 0; }

/* Wait for and dispatch one batch of events and due timers. Blocks only in
 * epoll_wait, and only until the earliest timer: no periodic wake-ups. */
int loop_run_once(struct loop *l);

/* Counters for status and benchmarks. */
struct loop_stats {
	uint64_t wakeups;
	uint64_t io_dispatched;
	uint64_t timers_fired;
};
void loop_get_stats(const struct loop *l, struct loop_stats *ret);

#endif
