/* loop.c - epoll plus a binary min-heap of deadlines.
 *
 * Owns: the epoll fd and the timer heap.
 * Invariants: heap[i]->slot == i + 1 for every armed timer; the heap holds at
 * most max_timers entries (fixed at creation: no growth with uptime). An io's
 * epoll data carries a pointer plus nothing else, so deletion bumps io->gen and
 * sets io->fd = -1; a pending event for a deleted io is dropped because the
 * dispatcher re-checks io->fd before calling.
 * Timers are exact to the ns where the kernel has epoll_pwait2, else to the
 * ms, rounded up (never early); the process's timer slack is 1 ns (loop_new),
 * so the kernel does not fire them up to 50 µs late. At most one timer is the
 * on-wake one (loop_timer_on_wake): in the heap like the others, so its
 * deadline bounds the sleep, and run first at the next wake-up, whatever
 * woke the loop.
 * The heap is not in a forked child (MADV_DONTFORK): a child never runs the
 * loop, and a fork must not make the next timer's arming a page fault.
 * Never: sleeps, blocks outside epoll_wait, or allocates after loop_new().
 */
#include "loop.h"
#include "mem.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define LOOP_BATCH 64

struct loop {
	int epfd;
	int ms_only;         /* epoll_pwait2 refused: whole-ms epoll_wait */
	struct loop_timer **heap;
	size_t nheap, maxheap;
	struct loop_timer *on_wake;   /* loop_timer_on_wake's, or NULL */
	struct loop_stats stats;
};

uint64_t loop_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * LOOP_NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

struct loop *loop_new(size_t max_timers)
{
	struct loop *l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	/* Its own pages (base/mem.h): the heap is used from its start. */
	l->heap = mem_pages((max_timers ? max_timers : 1) * sizeof(*l->heap));
	if (!l->heap)
		goto err_heap;
	/* No page fault at a timer's arming: it can be a stop's, between a
	 * SIGTERM and PID 1's sleep, where a fault (~5 µs in a VM) is time
	 * the signalled process waits for the CPU. So the first page is
	 * touched now, and a fork (each spawn) leaves the heap out of the
	 * child: else the fork write-protects it and the first write after
	 * it is a copy-on-write fault. A forked child never runs the loop. */
	madvise(l->heap, (max_timers ? max_timers : 1) * sizeof(*l->heap), MADV_DONTFORK);
	l->heap[0] = NULL;
	l->maxheap = max_timers;
	/* The kernel lets a sleep's timeout run late by the process's timer
	 * slack (50 µs unless set) to batch wake-ups: a reap pass in a storm
	 * (init/reap.c) came that much later for nothing. 1 ns: on time. */
	prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0)
		goto err_epoll;
	return l;
err_epoll:
	mem_pages_free(l->heap, (max_timers ? max_timers : 1) * sizeof(*l->heap));
err_heap:
	free(l);
	return NULL;
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	close(l->epfd);
	mem_pages_free(l->heap, (l->maxheap ? l->maxheap : 1) * sizeof(*l->heap));
	free(l);
}

int loop_io_add(struct loop *l, struct loop_io *io, int fd, uint32_t events,
		loop_io_fn fn, void *ctx)
{
	struct epoll_event ev = { .events = events, .data.ptr = io };
	io->fd = fd;
	io->events = events;
	io->fn = fn;
	io->ctx = ctx;
	io->gen++;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		io->fd = -1;
		return -1;
	}
	return 0;
}

int loop_io_mod(struct loop *l, struct loop_io *io, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = io };
	if (io->fd < 0) {
		errno = EBADF;
		return -1;
	}
	if (io->events == events)
		return 0;
	if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, io->fd, &ev) < 0)
		return -1;
	io->events = events;
	return 0;
}

void loop_io_del(struct loop *l, struct loop_io *io)
{
	if (io->fd < 0)
		return;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, io->fd, NULL);
	io->fd = -1;
	io->gen++;
}

/* ---- timer heap ---- */

static void heap_set(struct loop *l, size_t i, struct loop_timer *t)
{
	l->heap[i] = t;
	t->slot = i + 1;
}

static void heap_up(struct loop *l, size_t i)
{
	struct loop_timer *t = l->heap[i];
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (l->heap[p]->due <= t->due)
			break;
		heap_set(l, i, l->heap[p]);
		i = p;
	}
	heap_set(l, i, t);
}

static void heap_down(struct loop *l, size_t i)
{
	struct loop_timer *t = l->heap[i];
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= l->nheap)
			break;
		if (c + 1 < l->nheap && l->heap[c + 1]->due < l->heap[c]->due)
			c++;
		if (t->due <= l->heap[c]->due)
			break;
		heap_set(l, i, l->heap[c]);
		i = c;
	}
	heap_set(l, i, t);
}

void loop_timer_init(struct loop_timer *t, loop_timer_fn fn, void *ctx)
{
	t->due = 0;
	t->fn = fn;
	t->ctx = ctx;
	t->slot = 0;
}

void loop_timer_cancel(struct loop *l, struct loop_timer *t)
{
	size_t i;
	struct loop_timer *last;
	/* A timer never armed may belong to no loop yet (NULL). */
	if (l && l->on_wake == t)
		l->on_wake = NULL;
	if (!t->slot)
		return;
	i = t->slot - 1;
	t->slot = 0;
	last = l->heap[--l->nheap];
	if (last == t)
		return;
	heap_set(l, i, last);
	heap_up(l, i);
	heap_down(l, last->slot - 1);
}

int loop_timer_at(struct loop *l, struct loop_timer *t, uint64_t due)
{
	if (t->slot) {
		size_t i = t->slot - 1;
		t->due = due;
		heap_up(l, i);
		heap_down(l, t->slot - 1);
		return 0;
	}
	if (l->nheap == l->maxheap) {
		errno = ENOSPC;
		return -1;
	}
	t->due = due;
	heap_set(l, l->nheap, t);
	l->nheap++;
	heap_up(l, l->nheap - 1);
	return 0;
}

int loop_timer_in(struct loop *l, struct loop_timer *t, uint64_t delay_ns)
{
	return loop_timer_at(l, t, loop_now() + delay_ns);
}

int loop_timer_on_wake(struct loop *l, struct loop_timer *t, uint64_t delay_ns)
{
	if (l->on_wake && l->on_wake != t) {
		errno = EBUSY;
		return -1;
	}
	if (loop_timer_in(l, t, delay_ns) < 0)
		return -1;
	l->on_wake = t;
	return 0;
}

/* The on-wake timer, before anything else of this wake-up: whatever woke
 * the loop, what it was asked to wait for comes first. */
static void run_on_wake(struct loop *l)
{
	struct loop_timer *t = l->on_wake;
	if (!t)
		return;
	loop_timer_cancel(l, t);
	l->stats.timers_fired++;
	t->fn(l, t);
}

/* ns until the earliest timer is due (0: now), or -1: no timer, so the
 * wait is for an fd only (no periodic wake-up). */
static int64_t next_timeout_ns(struct loop *l)
{
	uint64_t now, due;
	if (l->nheap == 0)
		return -1;
	now = loop_now();
	due = l->heap[0]->due;
	if (due <= now)
		return 0;
	return due - now > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)(due - now);
}

static void run_timers(struct loop *l)
{
	uint64_t now = loop_now();
	/* Timers armed by a handler for "now" run in the next batch, so a timer
	 * that re-arms itself with no delay cannot starve the fds. */
	size_t budget = l->nheap;
	while (budget-- > 0 && l->nheap > 0 && l->heap[0]->due <= now) {
		struct loop_timer *t = l->heap[0];
		loop_timer_cancel(l, t);
		l->stats.timers_fired++;
		t->fn(l, t);
	}
}

/* Wait until an fd is ready or the earliest timer is due. epoll_pwait2
 * (Linux 5.11) takes the timeout in ns, so a sub-ms timer (reap.c's storm)
 * fires when due; where it is refused (an older kernel, or a seccomp filter
 * that does not know it) epoll_wait's whole ms, rounded up, from then on. */
static int wait_events(struct loop *l, struct epoll_event *evs)
{
	int64_t ns = next_timeout_ns(l);
	int64_t ms;
#ifdef SYS_epoll_pwait2
	if (!l->ms_only) {
		struct timespec ts = {
			.tv_sec = (time_t)(ns / (int64_t)LOOP_NS_PER_SEC),
			.tv_nsec = (long)(ns % (int64_t)LOOP_NS_PER_SEC),
		};
		long n = syscall(SYS_epoll_pwait2, l->epfd, evs, LOOP_BATCH, ns < 0 ? NULL : &ts, NULL, 0);
		if (n >= 0 || errno == EINTR)
			return (int)n;
		l->ms_only = 1;
	}
#endif
	/* Round up: waking early would only spin until the deadline. */
	ms = ns < 0 ? -1 : ns / (int64_t)LOOP_NS_PER_MS + (ns % (int64_t)LOOP_NS_PER_MS != 0);
	return epoll_wait(l->epfd, evs, LOOP_BATCH, ms > 0x7fffffff ? 0x7fffffff : (int)ms);
}

int loop_run_once(struct loop *l)
{
	struct epoll_event evs[LOOP_BATCH];
	struct { struct loop_io *io; uint64_t gen; } snap[LOOP_BATCH];
	int n, i;

	n = wait_events(l, evs);
	if (n < 0) {
		if (errno != EINTR)
			return -1;
		n = 0;
	}
	l->stats.wakeups++;
	for (i = 0; i < n; i++) {
		snap[i].io = evs[i].data.ptr;
		snap[i].gen = snap[i].io->gen;
	}
	run_on_wake(l);
	for (i = 0; i < n; i++) {
		struct loop_io *io = snap[i].io;
		/* Deleted (or deleted and re-added) by an earlier handler of this
		 * batch: the event belongs to a registration that no longer exists. */
		if (io->fd < 0 || io->gen != snap[i].gen)
			continue;
		l->stats.io_dispatched++;
		io->fn(l, io, evs[i].events);
	}
	run_timers(l);
	return 0;
}

void loop_get_stats(const struct loop *l, struct loop_stats *ret)
{
	*ret = l->stats;
}
