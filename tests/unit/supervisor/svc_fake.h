/* svc_fake.h - the fake world the state machine's tests drive it in
 * (tests/unit/supervisor/test_svc*.c): struct svc_ops that record what the
 * machine does, with no fork, no signals and no real timer, and the steps a
 * test takes, each followed by the invariants of supervisor/svc.c.
 * Static inline: each test file gets its own copy, unused ones cost nothing. */
#ifndef VMINIT_TEST_SVC_FAKE_H
#define VMINIT_TEST_SVC_FAKE_H

#include "tests/unit/unit.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/wait.h>

#include "supervisor/svc.h"

#define SEC 1000000000ULL
#define MS  1000000ULL
#define MAXREC 256

struct fake {
	/* spawn */
	pid_t next_pid;
	int fail_spawns;          /* the next n spawns fail */
	int spawn_errno;
	int nspawn;
	enum svc_phase spawn_phase[MAXREC];
	/* signal */
	int nsig;
	pid_t sig_pid[MAXREC];
	int sig[MAXREC];
	/* timer */
	int armed;
	uint64_t delay;           /* of the last arm */
	int narm, ncancel;
	uint64_t arms[MAXREC];
	/* events */
	int nev;
	enum svc_event ev[MAXREC];
	long evarg[MAXREC];
	enum svc_state ev_state[MAXREC];
	/* clock */
	uint64_t now;
};

static inline struct fake *F(struct svc *s) { return s->ctx; }

static inline pid_t f_spawn(struct svc *s, enum svc_phase phase)
{
	struct fake *f = F(s);
	cr_assert_lt(f->nspawn, MAXREC);
	f->spawn_phase[f->nspawn++] = phase;
	if (f->fail_spawns > 0) {
		f->fail_spawns--;
		errno = f->spawn_errno;
		return -1;
	}
	return f->next_pid++;
}

static inline void f_signal(struct svc *s, pid_t pid, int sig)
{
	struct fake *f = F(s);
	cr_assert_lt(f->nsig, MAXREC);
	f->sig_pid[f->nsig] = pid;
	f->sig[f->nsig++] = sig;
}

static inline void f_timer_arm(struct svc *s, uint64_t delay_ns)
{
	struct fake *f = F(s);
	cr_assert_lt(f->narm, MAXREC);
	f->armed = 1;
	f->delay = delay_ns;
	f->arms[f->narm++] = delay_ns;
}

static inline void f_timer_cancel(struct svc *s)
{
	struct fake *f = F(s);
	f->armed = 0;
	f->ncancel++;
}

static inline void f_event(struct svc *s, enum svc_event ev, long arg)
{
	struct fake *f = F(s);
	cr_assert_lt(f->nev, MAXREC);
	f->ev[f->nev] = ev;
	f->evarg[f->nev] = arg;
	f->ev_state[f->nev++] = s->state;
}

static inline uint64_t f_now(struct svc *s)
{
	return F(s)->now;
}

static const struct svc_ops fake_ops = {
	.spawn = f_spawn, .signal = f_signal, .timer_arm = f_timer_arm,
	.timer_cancel = f_timer_cancel, .event = f_event, .now = f_now,
};

static inline struct svc_policy policy(enum spec_restart r)
{
	return (struct svc_policy){
		.restart = r,
		.max_retries = 3,
		.backoff_ns = 1 * SEC,
		.backoff_max_ns = 8 * SEC,
		.reset_after_ns = 60 * SEC,
		.stop_timeout_ns = 10 * SEC,
		.has_hook = { 0, 0 },
		.hook_timeout_ns = { 30 * SEC, 45 * SEC },
	};
}

static inline void setup(struct svc *s, struct fake *f, const struct svc_policy *p)
{
	memset(f, 0, sizeof(*f));
	f->next_pid = 100;
	f->now = 1000 * SEC;
	svc_init(s, "web", p, &fake_ops, f);
}

/* The rows with a hook or main process alive or not yet reaped, and those
 * with the timer armed (svc.c's header). */
static inline int row_live(enum svc_sub r)
{
	return r == SVC_SUB_HOOK || r == SVC_SUB_HOOK_KILL || r == SVC_SUB_RUN ||
	       r == SVC_SUB_FAIL_TERM || r == SVC_SUB_FAIL_KILL ||
	       r == SVC_SUB_STOP_TERM || r == SVC_SUB_STOP_KILL;
}

static inline int row_timed(enum svc_sub r)
{
	return r == SVC_SUB_HOOK || r == SVC_SUB_FAIL_TERM || r == SVC_SUB_BACKOFF ||
	       r == SVC_SUB_DEFERRED || r == SVC_SUB_STOP_TERM;
}

/* The invariants stated in svc.c's header comment. */
static inline void check_inv(const struct svc *s, const struct fake *f)
{
	int live = s->state == SVC_STARTING || s->state == SVC_RUNNING ||
		   s->state == SVC_STOPPING;
	const char *row = svc_sub_name(s->sub);
	cr_assert_eq(s->state, svc_sub_state(s->sub), "row %s in state %s", row,
		     svc_state_name(s->state));
	cr_assert_eq(!!s->deferred, s->sub == SVC_SUB_DEFERRED, "row %s, deferred %d", row,
		     s->deferred);
	if (live)
		cr_assert_neq(s->pid, 0, "state %s with pid 0", svc_state_name(s->state));
	else
		cr_assert_eq(s->pid, 0, "state %s with pid %d", svc_state_name(s->state),
			     (int)s->pid);
	cr_assert_eq(!!s->pid, row_live(s->sub), "row %s with pid %d", row, (int)s->pid);
	/* The timer is armed exactly in the timed rows: a -kill row's timer
	 * fired, and nothing else keeps one. */
	cr_assert_eq(f->armed, row_timed(s->sub), "row %s, timer armed %d", row, f->armed);
	if (s->sub >= SVC_SUB_HOOK && s->sub <= SVC_SUB_DEFERRED)
		cr_assert_eq(s->want, SVC_WANT_UP, "row %s with want %s", row,
			     svc_want_name(s->want));
	if (svc_settled(s)) {
		cr_assert_eq(s->pid, 0);
		cr_assert_not(f->armed);
	}
}

/* The timer fires: the loop disarms it, then calls svc_on_timer. */
static inline void fire(struct svc *s, struct fake *f)
{
	cr_assert(f->armed, "fire: timer not armed (state %s)", svc_state_name(s->state));
	f->armed = 0;
	f->now += f->delay;
	svc_on_timer(s);
	check_inv(s, f);
}

static inline int exit_code(struct svc *s, struct fake *f, int code)
{
	int r = svc_on_exit(s, s->pid, W_EXITCODE(code, 0));
	check_inv(s, f);
	return r;
}

static inline int exit_sig(struct svc *s, struct fake *f, int sig)
{
	int r = svc_on_exit(s, s->pid, W_EXITCODE(0, sig));
	check_inv(s, f);
	return r;
}

static inline void up(struct svc *s, struct fake *f)
{
	svc_want_up(s);
	check_inv(s, f);
}

static inline void down(struct svc *s, struct fake *f)
{
	svc_want_down(s);
	check_inv(s, f);
}

static inline int count_ev(const struct fake *f, enum svc_event ev)
{
	int n = 0;
	for (int i = 0; i < f->nev; i++)
		n += f->ev[i] == ev;
	return n;
}

/* Index of the last event ev, or -1. */
static inline int last_ev(const struct fake *f, enum svc_event ev)
{
	for (int i = f->nev - 1; i >= 0; i--)
		if (f->ev[i] == ev)
			return i;
	return -1;
}

#endif
