#include "tests/unit/unit.h"

/* test_svc.c - the pure process state machine (supervisor/svc.c), driven
 * through a fake struct svc_ops: no fork, no signals, no real timer. */

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

static struct fake *F(struct svc *s) { return s->ctx; }

static pid_t f_spawn(struct svc *s, enum svc_phase phase)
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

static void f_signal(struct svc *s, pid_t pid, int sig)
{
	struct fake *f = F(s);
	cr_assert_lt(f->nsig, MAXREC);
	f->sig_pid[f->nsig] = pid;
	f->sig[f->nsig++] = sig;
}

static void f_timer_arm(struct svc *s, uint64_t delay_ns)
{
	struct fake *f = F(s);
	cr_assert_lt(f->narm, MAXREC);
	f->armed = 1;
	f->delay = delay_ns;
	f->arms[f->narm++] = delay_ns;
}

static void f_timer_cancel(struct svc *s)
{
	struct fake *f = F(s);
	f->armed = 0;
	f->ncancel++;
}

static void f_event(struct svc *s, enum svc_event ev, long arg)
{
	struct fake *f = F(s);
	cr_assert_lt(f->nev, MAXREC);
	f->ev[f->nev] = ev;
	f->evarg[f->nev] = arg;
	f->ev_state[f->nev++] = s->state;
}

static uint64_t f_now(struct svc *s)
{
	return F(s)->now;
}

static const struct svc_ops fake_ops = {
	.spawn = f_spawn, .signal = f_signal, .timer_arm = f_timer_arm,
	.timer_cancel = f_timer_cancel, .event = f_event, .now = f_now,
};

static struct svc_policy policy(enum spec_restart r)
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

static void setup(struct svc *s, struct fake *f, const struct svc_policy *p)
{
	memset(f, 0, sizeof(*f));
	f->next_pid = 100;
	f->now = 1000 * SEC;
	svc_init(s, "web", p, &fake_ops, f);
}

/* The invariants stated in svc.c's header comment. */
static void check_inv(const struct svc *s, const struct fake *f)
{
	int live = s->state == SVC_STARTING || s->state == SVC_RUNNING ||
		   s->state == SVC_STOPPING;
	int timed = s->state == SVC_STARTING || s->state == SVC_BACKOFF ||
		    s->state == SVC_STOPPING;
	if (live)
		cr_assert_neq(s->pid, 0, "state %s with pid 0", svc_state_name(s->state));
	else
		cr_assert_eq(s->pid, 0, "state %s with pid %d", svc_state_name(s->state),
			     (int)s->pid);
	if (!timed)
		cr_assert_not(f->armed, "timer armed in state %s", svc_state_name(s->state));
	if (svc_settled(s)) {
		cr_assert_eq(s->pid, 0);
		cr_assert_not(f->armed);
	}
}

/* The timer fires: the loop disarms it, then calls svc_on_timer. */
static void fire(struct svc *s, struct fake *f)
{
	cr_assert(f->armed, "fire: timer not armed (state %s)", svc_state_name(s->state));
	f->armed = 0;
	f->now += f->delay;
	svc_on_timer(s);
	check_inv(s, f);
}

static int exit_code(struct svc *s, struct fake *f, int code)
{
	int r = svc_on_exit(s, s->pid, W_EXITCODE(code, 0));
	check_inv(s, f);
	return r;
}

static int exit_sig(struct svc *s, struct fake *f, int sig)
{
	int r = svc_on_exit(s, s->pid, W_EXITCODE(0, sig));
	check_inv(s, f);
	return r;
}

static void up(struct svc *s, struct fake *f)
{
	svc_want_up(s);
	check_inv(s, f);
}

static void down(struct svc *s, struct fake *f)
{
	svc_want_down(s);
	check_inv(s, f);
}

static int count_ev(const struct fake *f, enum svc_event ev)
{
	int n = 0;
	for (int i = 0; i < f->nev; i++)
		n += f->ev[i] == ev;
	return n;
}

/* Index of the last event ev, or -1. */
static int last_ev(const struct fake *f, enum svc_event ev)
{
	for (int i = f->nev - 1; i >= 0; i--)
		if (f->ev[i] == ev)
			return i;
	return -1;
}

/* ---- helpers tested directly ---- */

Test(svc, exit_status_codes_and_signals)
{
	cr_assert_eq(svc_exit_status(W_EXITCODE(0, 0)), 0);
	cr_assert_eq(svc_exit_status(W_EXITCODE(1, 0)), 1);
	cr_assert_eq(svc_exit_status(W_EXITCODE(42, 0)), 42);
	cr_assert_eq(svc_exit_status(W_EXITCODE(255, 0)), 255);
	cr_assert_eq(svc_exit_status(W_EXITCODE(0, SIGKILL)), 137);
	cr_assert_eq(svc_exit_status(W_EXITCODE(0, SIGTERM)), 143);
	cr_assert_eq(svc_exit_status(W_EXITCODE(0, SIGHUP)), 129);
	/* the core-dump flag does not change the signal */
	cr_assert_eq(svc_exit_status(W_EXITCODE(0, SIGSEGV) | WCOREFLAG), 128 + SIGSEGV);
}

Test(svc, backoff_delay_doubles_to_cap)
{
	cr_assert_eq(svc_backoff_delay(SEC, 0, 8 * SEC), 0);
	cr_assert_eq(svc_backoff_delay(SEC, 1, 8 * SEC), 1 * SEC);
	cr_assert_eq(svc_backoff_delay(SEC, 2, 8 * SEC), 2 * SEC);
	cr_assert_eq(svc_backoff_delay(SEC, 3, 8 * SEC), 4 * SEC);
	cr_assert_eq(svc_backoff_delay(SEC, 4, 8 * SEC), 8 * SEC);
	cr_assert_eq(svc_backoff_delay(SEC, 5, 8 * SEC), 8 * SEC);
	cr_assert_eq(svc_backoff_delay(3 * SEC, 3, 10 * SEC), 10 * SEC);
	cr_assert_eq(svc_backoff_delay(3 * SEC, 2, 10 * SEC), 6 * SEC);
	/* a first delay above the cap is capped */
	cr_assert_eq(svc_backoff_delay(20 * SEC, 1, 10 * SEC), 10 * SEC);
	/* huge n neither overflows nor loops forever */
	cr_assert_eq(svc_backoff_delay(SEC, 4000000000u, 300 * SEC), 300 * SEC);
	cr_assert_eq(svc_backoff_delay(UINT64_MAX / 2 + 1, 3, UINT64_MAX), UINT64_MAX);
	cr_assert_eq(svc_backoff_delay(UINT64_MAX / 4, 2, UINT64_MAX), UINT64_MAX / 4 * 2);
}

Test(svc, names)
{
	cr_assert_str_eq(svc_state_name(SVC_INACTIVE), "inactive");
	cr_assert_str_eq(svc_state_name(SVC_STARTING), "starting");
	cr_assert_str_eq(svc_state_name(SVC_RUNNING), "running");
	cr_assert_str_eq(svc_state_name(SVC_BACKOFF), "backoff");
	cr_assert_str_eq(svc_state_name(SVC_STOPPING), "stopping");
	cr_assert_str_eq(svc_state_name(SVC_EXITED), "exited");
	cr_assert_str_eq(svc_state_name(SVC_FAILED), "failed");
	cr_assert_str_eq(svc_want_name(SVC_WANT_UP), "up");
	cr_assert_str_eq(svc_want_name(SVC_WANT_DOWN), "down");
}

Test(svc, settled_per_state)
{
	struct svc s = { 0 };
	const struct { enum svc_state st; int settled; } t[] = {
		{ SVC_INACTIVE, 1 }, { SVC_STARTING, 0 }, { SVC_RUNNING, 0 },
		{ SVC_BACKOFF, 0 },  { SVC_STOPPING, 0 }, { SVC_EXITED, 1 },
		{ SVC_FAILED, 1 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		s.state = t[i].st;
		cr_assert_eq(!!svc_settled(&s), t[i].settled, "state %s",
			     svc_state_name(t[i].st));
	}
}

/* ---- lifecycle ---- */

Test(svc, init_is_inactive)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ALWAYS);
	setup(&s, &f, &p);
	cr_assert_eq(s.state, SVC_INACTIVE);
	cr_assert_eq(s.want, SVC_WANT_DOWN);
	cr_assert_eq(s.pid, 0);
	cr_assert_eq(s.last_status, -1);
	cr_assert_eq(s.starts, 0);
	cr_assert_eq(s.restarts, 0);
	cr_assert_eq(s.failures, 0);
	cr_assert_str_eq(s.name, "web");
	cr_assert(svc_settled(&s));
	cr_assert_eq(f.nspawn + f.nev + f.narm + f.nsig, 0, "svc_init acted on the world");
	/* down while inactive: nothing happens */
	down(&s, &f);
	cr_assert_eq(s.state, SVC_INACTIVE);
	cr_assert_eq(f.nspawn + f.nsig + f.narm, 0);
}

Test(svc, start_without_hooks_runs)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ALWAYS);
	setup(&s, &f, &p);
	up(&s, &f);
	cr_assert_eq(s.want, SVC_WANT_UP);
	cr_assert_eq(s.state, SVC_RUNNING);
	cr_assert_eq(s.phase, SVC_PHASE_MAIN);
	cr_assert_eq(s.pid, 100);
	cr_assert_eq(s.starts, 1);
	cr_assert_eq(s.restarts, 0);
	cr_assert_eq(s.started_at, 1000 * SEC);
	cr_assert_eq(f.nspawn, 1);
	cr_assert_eq(f.spawn_phase[0], SVC_PHASE_MAIN);
	cr_assert_not(f.armed);
	cr_assert_eq(f.narm, 0);
	cr_assert_eq(f.nev, 1);
	cr_assert_eq(f.ev[0], SVC_EV_SPAWNED);
	cr_assert_eq(f.evarg[0], SVC_PHASE_MAIN);
	cr_assert_not(svc_settled(&s));

	/* want_up again while running: nothing new */
	up(&s, &f);
	cr_assert_eq(f.nspawn, 1);
	cr_assert_eq(s.state, SVC_RUNNING);
	cr_assert_eq(s.pid, 100);
	cr_assert_eq(s.starts, 1);
}

Test(svc, both_hooks_run_in_order_env_first)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ALWAYS);
	p.has_hook[0] = p.has_hook[1] = 1;
	setup(&s, &f, &p);

	up(&s, &f);
	cr_assert_eq(s.state, SVC_STARTING);
	cr_assert_eq(s.phase, SVC_PHASE_ENV_PRESTART);
	cr_assert_eq(s.pid, 100);
	cr_assert_eq(f.spawn_phase[0], SVC_PHASE_ENV_PRESTART);
	cr_assert(f.armed);
	cr_assert_eq(f.delay, 30 * SEC, "env hook timeout armed with %llu",
		     (unsigned long long)f.delay);
	cr_assert_eq(f.ev[f.nev - 1], SVC_EV_SPAWNED);
	cr_assert_eq(f.evarg[f.nev - 1], SVC_PHASE_ENV_PRESTART);

	f.now += 2 * SEC;
	cr_assert_eq(exit_code(&s, &f, 0), 1);
	cr_assert_eq(s.state, SVC_STARTING);
	cr_assert_eq(s.phase, SVC_PHASE_PRESTART);
	cr_assert_eq(s.pid, 101);
	cr_assert_eq(f.spawn_phase[1], SVC_PHASE_PRESTART);
	cr_assert(f.armed);
	cr_assert_eq(f.delay, 45 * SEC, "process hook timeout armed with %llu",
		     (unsigned long long)f.delay);
	cr_assert_geq(f.ncancel, 1, "env hook timeout not cancelled");

	f.now += 2 * SEC;
	cr_assert_eq(exit_code(&s, &f, 0), 1);
	cr_assert_eq(s.state, SVC_RUNNING);
	cr_assert_eq(s.phase, SVC_PHASE_MAIN);
	cr_assert_eq(s.pid, 102);
	cr_assert_eq(f.nspawn, 3);
	cr_assert_eq(f.spawn_phase[2], SVC_PHASE_MAIN);
	cr_assert_not(f.armed, "hook timeout still armed while running");
	cr_assert_eq(f.narm, 2);
	/* one start, not three */
	cr_assert_eq(s.starts, 1);
	cr_assert_eq(s.restarts, 0);
	cr_assert_eq(s.started_at, 1000 * SEC);

	{
		const enum svc_event want[] = {
			SVC_EV_SPAWNED, SVC_EV_PRESTART_OK, SVC_EV_SPAWNED,
			SVC_EV_PRESTART_OK, SVC_EV_SPAWNED,
		};
		const long arg[] = {
			SVC_PHASE_ENV_PRESTART, SVC_PHASE_ENV_PRESTART, SVC_PHASE_PRESTART,
			SVC_PHASE_PRESTART, SVC_PHASE_MAIN,
		};
		cr_assert_eq(f.nev, 5, "events: %d", f.nev);
		for (int i = 0; i < 5; i++) {
			cr_assert_eq(f.ev[i], want[i], "event %d is %d", i, f.ev[i]);
			cr_assert_eq(f.evarg[i], arg[i], "event %d arg %ld", i, f.evarg[i]);
		}
	}
}

Test(svc, only_process_hook)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ALWAYS);
	p.has_hook[1] = 1;
	setup(&s, &f, &p);
	up(&s, &f);
	cr_assert_eq(s.state, SVC_STARTING);
	cr_assert_eq(s.phase, SVC_PHASE_PRESTART);
	cr_assert_eq(f.spawn_phase[0], SVC_PHASE_PRESTART);
	cr_assert(f.armed);
	cr_assert_eq(f.delay, 45 * SEC);
	exit_code(&s, &f, 0);
	cr_assert_eq(s.state, SVC_RUNNING);
	cr_assert_eq(f.nspawn, 2);
	cr_assert_eq(f.spawn_phase[1], SVC_PHASE_MAIN);
	cr_assert_not(f.armed);
}

Test(svc, only_env_hook)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ALWAYS);
	p.has_hook[0] = 1;
	setup(&s, &f, &p);
	up(&s, &f);
	cr_assert_eq(s.phase, SVC_PHASE_ENV_PRESTART);
	cr_assert_eq(f.delay, 30 * SEC);
	exit_code(&s, &f, 0);
	cr_assert_eq(s.state, SVC_RUNNING);
	cr_assert_eq(f.nspawn, 2);
	cr_assert_eq(f.spawn_phase[1], SVC_PHASE_MAIN, "process hook ran though absent");
	cr_assert_not(f.armed);
}

Test(svc, hook_failure_backoff_then_restart_from_first_hook)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ALWAYS);
	p.has_hook[0] = p.has_hook[1] = 1;
	setup(&s, &f, &p);
	up(&s, &f);
	exit_code(&s, &f, 0);            /* env hook ok */
	cr_assert_eq(s.phase, SVC_PHASE_PRESTART);
	exit_code(&s, &f, 3);            /* process hook fails */
	cr_assert_eq(s.state, SVC_BACKOFF);
	cr_assert_eq(s.pid, 0);
	cr_assert_eq(s.last_status, 3);
	cr_assert_eq(s.failures, 1);
	cr_assert_eq(count_ev(&f, SVC_EV_PRESTART_FAILED), 1);
	cr_assert_eq(f.evarg[last_ev(&f, SVC_EV_PRESTART_FAILED)], 3);
	cr_assert_eq(count_ev(&f, SVC_EV_EXITED), 0, "a hook's end is not the main exit");
	cr_assert(f.armed);
	cr_assert_eq(f.delay, 1 * SEC);
	cr_assert_eq(f.nspawn, 2, "main process started after a failed hook");

	fire(&s, &f);
	cr_assert_eq(s.state, SVC_STARTING);
	cr_assert_eq(s.phase, SVC_PHASE_ENV_PRESTART);
	cr_assert_eq(f.spawn_phase[2], SVC_PHASE_ENV_PRESTART);
	cr_assert_eq(f.delay, 30 * SEC);
	cr_assert_eq(s.starts, 2);
	cr_assert_eq(s.restarts, 1);
}

Test(svc, hook_killed_by_signal_reports_128_plus_signal)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ALWAYS);
	p.has_hook[0] = 1;
	setup(&s, &f, &p);
	up(&s, &f);
	exit_sig(&s, &f, SIGSEGV);
	cr_assert_eq(s.state, SVC_BACKOFF);
	cr_assert_eq(s.last_status, 128 + SIGSEGV);
	cr_assert_eq(f.evarg[last_ev(&f, SVC_EV_PRESTART_FAILED)], 128 + SIGSEGV);
}

Test(svc, hook_failure_policy_never_fails)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_NEVER);
	p.has_hook[1] = 1;
	setup(&s, &f, &p);
	up(&s, &f);
	exit_code(&s, &f, 1);
	cr_assert_eq(s.state, SVC_FAILED);
	cr_assert_eq(s.last_status, 1);
	cr_assert_eq(f.nspawn, 1);
	cr_assert_eq(f.ev[f.nev - 1], SVC_EV_SETTLED);
	cr_assert_eq(f.evarg[f.nev - 1], SVC_FAILED);
}

Test(svc, hook_failure_on_failure_zero_retries_gives_up)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ON_FAILURE);
	p.max_retries = 0;
	p.has_hook[0] = 1;
	setup(&s, &f, &p);
	up(&s, &f);
	exit_code(&s, &f, 2);
	cr_assert_eq(s.state, SVC_FAILED);
	cr_assert_eq(count_ev(&f, SVC_EV_GAVE_UP), 1);
	cr_assert_eq(f.evarg[last_ev(&f, SVC_EV_GAVE_UP)], 1);
	cr_assert_eq(f.nspawn, 1);
}

Test(svc, hook_success_with_on_failure_does_not_end_the_run)
{
	/* A hook exiting 0 is not a "success" of the run under on-failure. */
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ON_FAILURE);
	p.has_hook[1] = 1;
	setup(&s, &f, &p);
	up(&s, &f);
	exit_code(&s, &f, 0);
	cr_assert_eq(s.state, SVC_RUNNING);
	cr_assert_eq(count_ev(&f, SVC_EV_SETTLED), 0);
}

Test(svc, hook_timeout_kills_hook_and_counts_as_failure)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ALWAYS);
	p.has_hook[0] = p.has_hook[1] = 1;
	setup(&s, &f, &p);
	up(&s, &f);
	exit_code(&s, &f, 0);
	cr_assert_eq(s.phase, SVC_PHASE_PRESTART);
	cr_assert_eq(s.pid, 101);

	fire(&s, &f);                    /* 45 s later */
	cr_assert_eq(s.state, SVC_STARTING, "hook not reaped yet: still starting");
	cr_assert_eq(s.pid, 101);
	cr_assert_eq(f.nsig, 1);
	cr_assert_eq(f.sig_pid[0], 101);
	cr_assert_eq(f.sig[0], SIGKILL);
	cr_assert_eq(f.ev[f.nev - 1], SVC_EV_PRESTART_TIMEOUT);
	cr_assert_eq(f.evarg[f.nev - 1], SVC_PHASE_PRESTART);

	exit_sig(&s, &f, SIGKILL);
	cr_assert_eq(s.state, SVC_BACKOFF);
	cr_assert_eq(s.last_status, 137);
	cr_assert_eq(s.failures, 1);
	cr_assert_eq(count_ev(&f, SVC_EV_PRESTART_FAILED), 0,
		     "timeout already reported; no second failure event");
	cr_assert_eq(f.nspawn, 2, "main process started after a hook timeout");
	cr_assert(f.armed);
	cr_assert_eq(f.delay, 1 * SEC);
}

Test(svc, hook_timeout_then_exit_zero_is_still_a_failure)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_NEVER);
	p.has_hook[0] = 1;
	setup(&s, &f, &p);
	up(&s, &f);
	fire(&s, &f);
	cr_assert_eq(f.sig[0], SIGKILL);
	/* the hook raced the KILL and exited 0 */
	exit_code(&s, &f, 0);
	cr_assert_eq(s.state, SVC_FAILED);
	cr_assert_eq(f.nspawn, 1);
}

Test(svc, hook_timeout_resets_on_next_start)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ALWAYS);
	p.has_hook[0] = 1;
	setup(&s, &f, &p);
	up(&s, &f);
	fire(&s, &f);
	exit_sig(&s, &f, SIGKILL);
	cr_assert_eq(s.state, SVC_BACKOFF);
	fire(&s, &f);                    /* restart: hook again */
	cr_assert_eq(s.state, SVC_STARTING);
	cr_assert_eq(s.hook_timed_out, 0);
	exit_code(&s, &f, 0);            /* this time in time */
	cr_assert_eq(s.state, SVC_RUNNING, "a timeout of the previous run leaked");
}

/* ---- restart policies ---- */

Test(svc, always_restarts_after_success_with_backoff)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ALWAYS);
	setup(&s, &f, &p);
	up(&s, &f);
	f.now += 1 * SEC;
	cr_assert_eq(exit_code(&s, &f, 0), 1);
	cr_assert_eq(s.state, SVC_BACKOFF);
	cr_assert_eq(s.last_status, 0);
	cr_assert_eq(s.last_exit_at, 1001 * SEC);
	cr_assert_eq(count_ev(&f, SVC_EV_EXITED), 1);
	cr_assert_eq(f.evarg[last_ev(&f, SVC_EV_EXITED)], 0);
	cr_assert_eq(f.evarg[last_ev(&f, SVC_EV_BACKOFF)], 1000);
	cr_assert(f.armed);
	cr_assert_eq(f.delay, 1 * SEC);
	fire(&s, &f);
	cr_assert_eq(s.state, SVC_RUNNING);
	cr_assert_eq(s.pid, 101);
	cr_assert_eq(s.starts, 2);
	cr_assert_eq(s.restarts, 1);
	cr_assert_eq(s.started_at, f.now);
	f.now += 1 * SEC;
	exit_code(&s, &f, 0);
	cr_assert_eq(s.state, SVC_BACKOFF);
	cr_assert_eq(f.delay, 2 * SEC, "second quick end: delay %llu",
		     (unsigned long long)f.delay);
}

Test(svc, always_backoff_doubles_to_cap)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ALWAYS);
	const uint64_t want[] = { 1, 2, 4, 8, 8, 8 };
	setup(&s, &f, &p);
	up(&s, &f);
	for (int i = 0; i < 6; i++) {
		f.now += 10 * MS;
		exit_code(&s, &f, i % 2 ? 0 : 1);
		cr_assert_eq(s.state, SVC_BACKOFF);
		cr_assert_eq(s.failures, (unsigned)i + 1);
		cr_assert_eq(f.delay, want[i] * SEC, "end %d: delay %llu ns", i,
			     (unsigned long long)f.delay);
		cr_assert_eq(f.evarg[last_ev(&f, SVC_EV_BACKOFF)], (long)(want[i] * 1000));
		fire(&s, &f);
		cr_assert_eq(s.state, SVC_RUNNING);
	}
	cr_assert_eq(s.restarts, 6);
	cr_assert_eq(count_ev(&f, SVC_EV_GAVE_UP), 0, "always never gives up");
}

Test(svc, zero_backoff_restarts_at_the_floor)
{
	/* docs/supervisor.md: backoff_seconds = 0 restarts at once, but starts
	 * are at least SVC_RESTART_FLOOR_NS apart: a run that ended at once
	 * waits the floor, one that ran 30 ms waits the rest of it, one that
	 * ran past it restarts at once. */
	static const uint64_t ran[] = { 0, 30 * MS, 99 * MS, 100 * MS, 5 * SEC };
	static const uint64_t want[] = { 100 * MS, 70 * MS, 1 * MS, 0, 0 };
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ALWAYS);
	p.backoff_ns = 0;
	setup(&s, &f, &p);
	up(&s, &f);
	for (int i = 0; i < 5; i++) {
		f.now += ran[i];
		exit_code(&s, &f, 1);
		cr_assert_eq(s.state, SVC_BACKOFF);
		cr_assert_eq(f.delay, want[i], "run %d: delay %llu", i, (unsigned long long)f.delay);
		cr_assert_eq(f.evarg[last_ev(&f, SVC_EV_BACKOFF)], (long)(want[i] / MS));
		fire(&s, &f);
		cr_assert_eq(s.state, SVC_RUNNING);
	}
}

Test(svc, the_floor_never_shortens_a_backoff)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ALWAYS);
	setup(&s, &f, &p);
	up(&s, &f);
	exit_code(&s, &f, 1);   /* ran 0 ns: backoff 1 s is above the floor */
	cr_assert_eq(f.delay, 1 * SEC);
}

Test(svc, on_failure_retries_then_gives_up)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ON_FAILURE);
	p.max_retries = 2;
	setup(&s, &f, &p);
	up(&s, &f);
	exit_code(&s, &f, 1);
	cr_assert_eq(s.state, SVC_BACKOFF);
	cr_assert_eq(f.delay, 1 * SEC);
	fire(&s, &f);
	exit_sig(&s, &f, SIGSEGV);
	cr_assert_eq(s.state, SVC_BACKOFF);
	cr_assert_eq(f.delay, 2 * SEC);
	fire(&s, &f);
	exit_code(&s, &f, 7);
	cr_assert_eq(s.state, SVC_FAILED);
	cr_assert_eq(s.last_status, 7);
	cr_assert_eq(s.failures, 3);
	cr_assert_eq(s.starts, 3, "max_retries 2 means 3 runs in all");
	cr_assert_eq(s.restarts, 2);
	cr_assert_eq(count_ev(&f, SVC_EV_GAVE_UP), 1);
	cr_assert_eq(f.evarg[last_ev(&f, SVC_EV_GAVE_UP)], 3);
	cr_assert_eq(f.ev[f.nev - 1], SVC_EV_SETTLED);
	cr_assert_eq(f.evarg[f.nev - 1], SVC_FAILED);
	cr_assert(svc_settled(&s));
	cr_assert_eq(f.nspawn, 3);
}

Test(svc, on_failure_success_exits)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ON_FAILURE);
	setup(&s, &f, &p);
	up(&s, &f);
	exit_code(&s, &f, 1);
	fire(&s, &f);
	exit_code(&s, &f, 0);
	cr_assert_eq(s.state, SVC_EXITED);
	cr_assert_eq(s.last_status, 0);
	cr_assert_eq(f.nspawn, 2);
	cr_assert_eq(count_ev(&f, SVC_EV_GAVE_UP), 0);
	cr_assert_eq(f.ev[f.nev - 1], SVC_EV_SETTLED);
	cr_assert_eq(f.evarg[f.nev - 1], SVC_EXITED);
}

Test(svc, on_failure_zero_retries)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ON_FAILURE);
	p.max_retries = 0;
	setup(&s, &f, &p);
	up(&s, &f);
	exit_code(&s, &f, 1);
	cr_assert_eq(s.state, SVC_FAILED);
	cr_assert_eq(f.nspawn, 1);
}

Test(svc, never_zero_exits)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_NEVER);
	setup(&s, &f, &p);
	up(&s, &f);
	exit_code(&s, &f, 0);
	cr_assert_eq(s.state, SVC_EXITED);
	cr_assert_eq(s.last_status, 0);
	cr_assert_eq(f.nspawn, 1);
	cr_assert_eq(f.narm, 0);
}

Test(svc, never_nonzero_fails)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_NEVER);
	setup(&s, &f, &p);
	up(&s, &f);
	exit_code(&s, &f, 3);
	cr_assert_eq(s.state, SVC_FAILED);
	cr_assert_eq(s.last_status, 3);
	cr_assert_eq(f.nspawn, 1);
	cr_assert_eq(f.narm, 0);
}

Test(svc, never_signal_fails_with_128_plus_signal)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_NEVER);
	setup(&s, &f, &p);
	up(&s, &f);
	exit_sig(&s, &f, SIGABRT);
	cr_assert_eq(s.state, SVC_FAILED);
	cr_assert_eq(s.last_status, 128 + SIGABRT);
	cr_assert_eq(f.evarg[last_ev(&f, SVC_EV_EXITED)], 128 + SIGABRT);
}

Test(svc, on_failure_long_run_resets_failures)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ON_FAILURE);
	p.max_retries = 1;
	setup(&s, &f, &p);
	up(&s, &f);
	f.now += 1 * SEC;
	exit_code(&s, &f, 1);                /* failure 1 */
	cr_assert_eq(s.failures, 1);
	fire(&s, &f);
	f.now += 60 * SEC;                   /* exactly reset_after */
	exit_code(&s, &f, 1);
	cr_assert_eq(s.state, SVC_BACKOFF, "a long run should reset the count");
	cr_assert_eq(s.failures, 1);
	cr_assert_eq(f.delay, 1 * SEC, "delay back to the first step");
	fire(&s, &f);
	f.now += 60 * SEC - 1;               /* just short of reset_after */
	exit_code(&s, &f, 1);
	cr_assert_eq(s.state, SVC_FAILED);
	cr_assert_eq(s.failures, 2);
}

Test(svc, always_long_run_resets_backoff)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ALWAYS);
	setup(&s, &f, &p);
	up(&s, &f);
	for (int i = 0; i < 3; i++) {
		exit_code(&s, &f, 1);
		fire(&s, &f);
	}
	cr_assert_eq(s.failures, 3);
	f.now += 120 * SEC;
	exit_code(&s, &f, 1);
	cr_assert_eq(s.failures, 1);
	cr_assert_eq(f.delay, 1 * SEC);
}

/* ---- stopping ---- */

Test(svc, stop_from_running_term_then_exit)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ALWAYS);
	setup(&s, &f, &p);
	up(&s, &f);
	down(&s, &f);
	cr_assert_eq(s.want, SVC_WANT_DOWN);
	cr_assert_eq(s.state, SVC_STOPPING);
	cr_assert_eq(s.pid, 100);
	cr_assert_eq(f.nsig, 1);
	cr_assert_eq(f.sig_pid[0], 100);
	cr_assert_eq(f.sig[0], SIGTERM);
	cr_assert(f.armed);
	cr_assert_eq(f.delay, 10 * SEC);
	cr_assert_eq(f.ev[f.nev - 1], SVC_EV_STOPPING);

	/* a second want_down changes nothing */
	down(&s, &f);
	cr_assert_eq(f.nsig, 1);
	cr_assert_eq(f.narm, 1);

	f.now += 1 * SEC;
	cr_assert_eq(exit_sig(&s, &f, SIGTERM), 1);
	cr_assert_eq(s.state, SVC_EXITED);
	cr_assert_eq(s.pid, 0);
	cr_assert_not(f.armed, "stop timer left armed");
	cr_assert_eq(s.last_status, 143);
	cr_assert_eq(s.last_exit_at, 1001 * SEC);
	cr_assert_eq(f.nspawn, 1, "restarted after a stop");
	cr_assert_eq(f.evarg[last_ev(&f, SVC_EV_EXITED)], 143);
	cr_assert_eq(f.ev[f.nev - 1], SVC_EV_SETTLED);
	cr_assert_eq(f.evarg[f.nev - 1], SVC_EXITED);
	cr_assert_eq(count_ev(&f, SVC_EV_BACKOFF), 0);
}

Test(svc, stop_timeout_sends_kill_once)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ALWAYS);
	setup(&s, &f, &p);
	up(&s, &f);
	down(&s, &f);
	fire(&s, &f);
	cr_assert_eq(s.state, SVC_STOPPING);
	cr_assert_eq(f.nsig, 2);
	cr_assert_eq(f.sig_pid[1], 100);
	cr_assert_eq(f.sig[1], SIGKILL);
	cr_assert_eq(count_ev(&f, SVC_EV_STOP_TIMEOUT), 1);
	/* a spurious second timer call does not signal again */
	svc_on_timer(&s);
	cr_assert_eq(f.nsig, 2);
	exit_sig(&s, &f, SIGKILL);
	cr_assert_eq(s.state, SVC_EXITED);
	cr_assert_eq(s.last_status, 137);
	cr_assert_eq(f.nspawn, 1);
}

Test(svc, stop_from_backoff_cancels_timer)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ALWAYS);
	setup(&s, &f, &p);
	up(&s, &f);
	exit_code(&s, &f, 1);
	cr_assert_eq(s.state, SVC_BACKOFF);
	cr_assert(f.armed);
	down(&s, &f);
	cr_assert_eq(s.state, SVC_EXITED);
	cr_assert_not(f.armed, "backoff timer not cancelled");
	cr_assert_geq(f.ncancel, 1);
	cr_assert_eq(f.nsig, 0, "nothing to signal in backoff");
	cr_assert_eq(f.nspawn, 1);
	cr_assert_eq(s.last_status, 1);
	cr_assert_eq(f.ev[f.nev - 1], SVC_EV_SETTLED);
	cr_assert_eq(f.evarg[f.nev - 1], SVC_EXITED);
}

Test(svc, stop_from_starting_stops_the_hook)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ALWAYS);
	p.has_hook[0] = p.has_hook[1] = 1;
	setup(&s, &f, &p);
	up(&s, &f);
	cr_assert_eq(f.delay, 30 * SEC);
	down(&s, &f);
	cr_assert_eq(s.state, SVC_STOPPING);
	cr_assert_eq(f.nsig, 1);
	cr_assert_eq(f.sig_pid[0], 100);
	cr_assert_eq(f.sig[0], SIGTERM);
	cr_assert(f.armed);
	cr_assert_eq(f.delay, 10 * SEC, "stop timeout replaces the hook timeout");
	cr_assert_geq(f.ncancel, 1);
	exit_sig(&s, &f, SIGTERM);
	cr_assert_eq(s.state, SVC_EXITED);
	cr_assert_eq(f.nspawn, 1, "next phase started after a stop");
	cr_assert_eq(count_ev(&f, SVC_EV_EXITED), 0, "a hook's end is not the main exit");
	cr_assert_eq(count_ev(&f, SVC_EV_PRESTART_OK), 0);
}

Test(svc, stop_from_starting_hook_exit_zero_does_not_continue)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ALWAYS);
	p.has_hook[1] = 1;
	setup(&s, &f, &p);
	up(&s, &f);
	down(&s, &f);
	exit_code(&s, &f, 0);
	cr_assert_eq(s.state, SVC_EXITED);
	cr_assert_eq(f.nspawn, 1);
}

Test(svc, want_up_while_stopping_restarts_after_exit)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ALWAYS);
	setup(&s, &f, &p);
	up(&s, &f);
	down(&s, &f);
	up(&s, &f);
	cr_assert_eq(s.want, SVC_WANT_UP);
	cr_assert_eq(s.state, SVC_STOPPING, "must wait for the old process");
	cr_assert_eq(f.nspawn, 1);
	cr_assert_eq(s.pid, 100);
	f.now += 2 * SEC;
	exit_sig(&s, &f, SIGTERM);
	cr_assert_eq(s.state, SVC_RUNNING);
	cr_assert_eq(s.pid, 101);
	cr_assert_eq(f.nspawn, 2);
	cr_assert_eq(s.starts, 2);
	cr_assert_eq(s.restarts, 1);
	cr_assert_eq(s.last_status, 143);
	cr_assert_eq(s.started_at, 1002 * SEC);
	cr_assert_not(f.armed, "stop timer left armed after the restart");
}

Test(svc, want_up_while_stopping_after_kill_restarts)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ALWAYS);
	setup(&s, &f, &p);
	up(&s, &f);
	down(&s, &f);
	fire(&s, &f);                        /* KILL sent */
	up(&s, &f);
	exit_sig(&s, &f, SIGKILL);
	cr_assert_eq(s.state, SVC_RUNNING);
	cr_assert_eq(s.kill_sent, 0);
	/* a later stop sends TERM again, then KILL at its own timeout */
	down(&s, &f);
	cr_assert_eq(f.sig[f.nsig - 1], SIGTERM);
	fire(&s, &f);
	cr_assert_eq(f.sig[f.nsig - 1], SIGKILL);
	cr_assert_eq(f.sig_pid[f.nsig - 1], 101);
}

Test(svc, down_up_down_while_stopping_ends_exited)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ALWAYS);
	setup(&s, &f, &p);
	up(&s, &f);
	down(&s, &f);
	up(&s, &f);
	down(&s, &f);
	cr_assert_eq(f.nsig, 1, "TERM sent twice");
	exit_sig(&s, &f, SIGTERM);
	cr_assert_eq(s.state, SVC_EXITED);
	cr_assert_eq(f.nspawn, 1);
}

Test(svc, want_up_from_backoff_starts_now)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ALWAYS);
	setup(&s, &f, &p);
	up(&s, &f);
	exit_code(&s, &f, 1);
	cr_assert_eq(s.state, SVC_BACKOFF);
	up(&s, &f);
	cr_assert_eq(s.state, SVC_RUNNING);
	cr_assert_not(f.armed, "backoff timer left armed");
	cr_assert_eq(f.nspawn, 2);
	cr_assert_eq(s.restarts, 1);
}

Test(svc, want_up_after_failed_resets_failures)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ON_FAILURE);
	p.max_retries = 1;
	setup(&s, &f, &p);
	up(&s, &f);
	exit_code(&s, &f, 1);
	fire(&s, &f);
	exit_code(&s, &f, 1);
	cr_assert_eq(s.state, SVC_FAILED);
	up(&s, &f);
	cr_assert_eq(s.state, SVC_RUNNING);
	cr_assert_eq(s.failures, 0);
	cr_assert_eq(s.starts, 3);
	cr_assert_eq(s.restarts, 2);
	exit_code(&s, &f, 1);
	cr_assert_eq(s.state, SVC_BACKOFF, "the given-up count carried over");
	cr_assert_eq(f.delay, 1 * SEC);
}

Test(svc, want_up_after_exited_starts_again)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_NEVER);
	setup(&s, &f, &p);
	up(&s, &f);
	exit_code(&s, &f, 0);
	cr_assert_eq(s.state, SVC_EXITED);
	up(&s, &f);
	cr_assert_eq(s.state, SVC_RUNNING);
	cr_assert_eq(s.pid, 101);
	cr_assert_eq(s.restarts, 1);
	down(&s, &f);
	exit_sig(&s, &f, SIGTERM);
	cr_assert_eq(s.state, SVC_EXITED);
}

/* ---- spawn failure, stray pids ---- */

Test(svc, spawn_failure_backs_off)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ALWAYS);
	setup(&s, &f, &p);
	f.fail_spawns = 1;
	f.spawn_errno = ENOENT;
	up(&s, &f);
	cr_assert_eq(s.state, SVC_BACKOFF);
	cr_assert_eq(s.pid, 0);
	cr_assert_eq(count_ev(&f, SVC_EV_SPAWN_FAILED), 1);
	cr_assert_eq(count_ev(&f, SVC_EV_SPAWNED), 0);
	cr_assert(f.armed);
	cr_assert_eq(f.delay, 1 * SEC);
	fire(&s, &f);
	cr_assert_eq(s.state, SVC_RUNNING);
	cr_assert_eq(s.pid, 100);
}

Test(svc, spawn_failure_event_carries_errno)
{
	/* svc.h: SVC_EV_SPAWN_FAILED, arg: errno */
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ALWAYS);
	setup(&s, &f, &p);
	f.fail_spawns = 1;
	f.spawn_errno = EACCES;
	up(&s, &f);
	cr_assert_eq(f.ev[0], SVC_EV_SPAWN_FAILED);
	cr_assert_eq(f.evarg[0], EACCES, "SPAWN_FAILED arg is %ld, not errno %d",
		     f.evarg[0], EACCES);
}

Test(svc, spawn_failure_policy_never_fails)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_NEVER);
	setup(&s, &f, &p);
	f.fail_spawns = 1;
	f.spawn_errno = ENOENT;
	up(&s, &f);
	cr_assert_eq(s.state, SVC_FAILED);
	cr_assert_eq(f.narm, 0);
}

Test(svc, spawn_failure_on_failure_counts)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ON_FAILURE);
	p.max_retries = 1;
	setup(&s, &f, &p);
	f.fail_spawns = 2;
	f.spawn_errno = EACCES;
	up(&s, &f);
	cr_assert_eq(s.state, SVC_BACKOFF);
	fire(&s, &f);
	cr_assert_eq(s.state, SVC_FAILED);
	cr_assert_eq(f.nspawn, 2);
}

Test(svc, spawn_failure_of_hook_and_of_main_after_hook)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ALWAYS);
	p.has_hook[0] = 1;
	setup(&s, &f, &p);
	f.fail_spawns = 1;
	f.spawn_errno = ENOENT;
	up(&s, &f);
	cr_assert_eq(s.state, SVC_BACKOFF);
	cr_assert_not(svc_settled(&s));
	cr_assert_eq(f.delay, 1 * SEC, "backoff armed, not the hook timeout");
	fire(&s, &f);
	cr_assert_eq(s.state, SVC_STARTING);
	f.fail_spawns = 1;
	exit_code(&s, &f, 0);                /* hook ok, main fails to spawn */
	cr_assert_eq(s.state, SVC_BACKOFF);
	cr_assert_eq(s.pid, 0);
	cr_assert(f.armed);
	cr_assert_eq(f.delay, 2 * SEC);
}

/* ---- a start that fails for lack of resources (fork: EAGAIN, ENOMEM) ---- */

static void defer_once(struct fake *f, int err)
{
	f->fail_spawns = 1;
	f->spawn_errno = err;
}

Test(svc, fork_eagain_is_deferred_not_a_failure)
{
	/* Another process's fork bomb must not spend this one's retries. */
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ON_FAILURE);
	p.max_retries = 0;
	setup(&s, &f, &p);
	f.fail_spawns = 50;
	f.spawn_errno = EAGAIN;
	up(&s, &f);
	for (int i = 0; i < 50; i++) {
		cr_assert_eq(s.state, SVC_BACKOFF, "try %d: %s", i, svc_state_name(s.state));
		cr_assert(s.deferred);
		cr_assert_eq(s.defer_errno, EAGAIN);
		cr_assert_eq(s.failures, 0, "try %d: a deferral counted as a failure", i);
		cr_assert_eq(f.delay, SVC_DEFER_NS);
		cr_assert_eq(f.evarg[last_ev(&f, SVC_EV_DEFERRED)], (long)(SVC_DEFER_NS / MS));
		fire(&s, &f);
	}
	cr_assert_eq(s.state, SVC_RUNNING);
	cr_assert_not(s.deferred);
	cr_assert_eq(s.deferrals, 50);
	cr_assert_eq(s.starts, 1, "a deferred start is the same start");
	cr_assert_eq(s.restarts, 0);
	cr_assert_eq(count_ev(&f, SVC_EV_SPAWN_FAILED), 50);
	cr_assert_eq(count_ev(&f, SVC_EV_DEFERRED), 50);
	cr_assert_eq(count_ev(&f, SVC_EV_GAVE_UP), 0);
	cr_assert_eq(count_ev(&f, SVC_EV_BACKOFF), 0);
}

Test(svc, fork_enomem_is_deferred_too_and_a_hook_start_restarts_whole)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_NEVER);
	p.has_hook[1] = 1;
	setup(&s, &f, &p);
	up(&s, &f);
	cr_assert_eq(s.state, SVC_STARTING);
	defer_once(&f, ENOMEM);
	exit_code(&s, &f, 0);       /* the hook succeeded; the main's fork fails */
	cr_assert_eq(s.state, SVC_BACKOFF, "never: a deferral is not the end of a run");
	cr_assert(s.deferred);
	fire(&s, &f);
	cr_assert_eq(s.state, SVC_STARTING, "the start is tried again from its first phase");
	cr_assert_eq(s.phase, SVC_PHASE_PRESTART);
	exit_code(&s, &f, 0);
	cr_assert_eq(s.state, SVC_RUNNING);
	cr_assert_eq(s.restarts, 0);
}

Test(svc, a_deferred_start_can_be_stopped_and_started_again)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ALWAYS);
	setup(&s, &f, &p);
	defer_once(&f, EAGAIN);
	up(&s, &f);
	cr_assert(s.deferred);
	down(&s, &f);
	cr_assert_eq(s.state, SVC_EXITED);
	cr_assert_not(s.deferred);
	cr_assert_not(f.armed);
	defer_once(&f, EAGAIN);
	up(&s, &f);
	cr_assert(s.deferred);
	up(&s, &f);                 /* the host's start while deferred: now */
	cr_assert_eq(s.state, SVC_RUNNING);
	cr_assert_eq(s.deferrals, 2);
}

Test(svc, other_spawn_errors_still_count)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ON_FAILURE);
	p.max_retries = 0;
	setup(&s, &f, &p);
	defer_once(&f, ENOENT);
	up(&s, &f);
	cr_assert_eq(s.state, SVC_FAILED);
	cr_assert_eq(s.deferrals, 0);
}

/* ---- job control: stopped and continued (seen by PID 1's waitid) ---- */

Test(svc, job_control_is_shown_not_a_transition)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ALWAYS);
	setup(&s, &f, &p);
	up(&s, &f);
	cr_assert_eq(svc_on_job_control(&s, 999, SIGSTOP), 0, "not its pid");
	cr_assert_eq(svc_on_job_control(&s, s.pid, SIGSTOP), 1);
	cr_assert_eq(s.stopped_sig, SIGSTOP);
	cr_assert_eq(s.state, SVC_RUNNING);
	cr_assert_eq(f.evarg[last_ev(&f, SVC_EV_JOB_STOPPED)], SIGSTOP);
	cr_assert_eq(svc_on_job_control(&s, s.pid, SIGSTOP), 1);
	cr_assert_eq(count_ev(&f, SVC_EV_JOB_STOPPED), 1, "a repeated notice is one event");
	cr_assert_eq(svc_on_job_control(&s, s.pid, 0), 1);
	cr_assert_eq(s.stopped_sig, 0);
	cr_assert_eq(count_ev(&f, SVC_EV_JOB_CONTINUED), 1);
	svc_on_job_control(&s, s.pid, SIGTSTP);
	exit_sig(&s, &f, SIGKILL);
	cr_assert_eq(s.stopped_sig, 0, "a process that ended is not stopped");
}

Test(svc, job_control_of_a_hook_is_not_the_process)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ALWAYS);
	p.has_hook[0] = 1;
	setup(&s, &f, &p);
	up(&s, &f);
	cr_assert_eq(svc_on_job_control(&s, s.pid, SIGSTOP), 0);
	cr_assert_eq(s.stopped_sig, 0);
}

Test(svc, exit_of_unknown_pid_is_ignored)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ALWAYS);
	setup(&s, &f, &p);
	/* nothing running: pid 0 is never ours */
	cr_assert_eq(svc_on_exit(&s, 0, 0), 0);
	cr_assert_eq(svc_on_exit(&s, 555, 0), 0);
	cr_assert_eq(s.state, SVC_INACTIVE);
	up(&s, &f);
	int nev = f.nev;
	cr_assert_eq(svc_on_exit(&s, 555, W_EXITCODE(1, 0)), 0);
	cr_assert_eq(svc_on_exit(&s, -1, W_EXITCODE(1, 0)), 0);
	cr_assert_eq(svc_on_exit(&s, 0, W_EXITCODE(1, 0)), 0);
	cr_assert_eq(s.state, SVC_RUNNING);
	cr_assert_eq(s.pid, 100);
	cr_assert_eq(s.last_status, -1);
	cr_assert_eq(f.nev, nev, "events for a stranger's exit");
	cr_assert_eq(svc_on_exit(&s, 100, W_EXITCODE(1, 0)), 1);
	/* the old pid, reaped again (cannot happen, must not matter) */
	fire(&s, &f);
	cr_assert_eq(s.pid, 101);
	cr_assert_eq(svc_on_exit(&s, 100, W_EXITCODE(1, 0)), 0);
	cr_assert_eq(s.state, SVC_RUNNING);
}

Test(svc, timer_in_settled_or_running_state_is_ignored)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ALWAYS);
	setup(&s, &f, &p);
	svc_on_timer(&s);
	cr_assert_eq(s.state, SVC_INACTIVE);
	cr_assert_eq(f.nspawn, 0);
	up(&s, &f);
	svc_on_timer(&s);
	cr_assert_eq(s.state, SVC_RUNNING);
	cr_assert_eq(f.nsig, 0);
	cr_assert_eq(f.nspawn, 1);
}

Test(svc, last_status_code_or_signal)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ALWAYS);
	setup(&s, &f, &p);
	up(&s, &f);
	exit_code(&s, &f, 42);
	cr_assert_eq(s.last_status, 42);
	fire(&s, &f);
	exit_sig(&s, &f, SIGKILL);
	cr_assert_eq(s.last_status, 137);
	fire(&s, &f);
	svc_on_exit(&s, s.pid, W_EXITCODE(0, SIGSEGV) | WCOREFLAG);
	cr_assert_eq(s.last_status, 139);
	fire(&s, &f);
	exit_code(&s, &f, 255);
	cr_assert_eq(s.last_status, 255);
}

Test(svc, settled_event_once_per_settle_with_state)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_NEVER);
	setup(&s, &f, &p);
	up(&s, &f);
	exit_code(&s, &f, 0);
	cr_assert_eq(count_ev(&f, SVC_EV_SETTLED), 1);
	int i = last_ev(&f, SVC_EV_SETTLED);
	cr_assert_eq(f.ev_state[i], SVC_EXITED, "SETTLED emitted before the state changed");
	cr_assert_eq(i, f.nev - 1);
}

/* A long random-ish walk through the table, checking the invariants at
 * every step. */
Test(svc, invariants_hold_on_a_long_walk)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ON_FAILURE);
	unsigned seed = 12345, seen = 0;
	p.has_hook[0] = p.has_hook[1] = 1;
	p.max_retries = 4;
	setup(&s, &f, &p);
	for (int step = 0; step < 5000; step++) {
		seed = seed * 1103515245u + 12345u;
		unsigned r = (seed >> 16) % 10;
		f.nev = f.nspawn = f.nsig = f.narm = 0;   /* records per step only */
		f.now += ((seed >> 8) % 5000) * MS;
		switch (r) {
		case 0: up(&s, &f); break;
		case 1: down(&s, &f); break;
		case 2: case 3:
			if (s.pid)
				exit_code(&s, &f, (int)(seed % 3));
			break;
		case 4:
			if (s.pid)
				exit_sig(&s, &f, SIGKILL);
			break;
		case 5: case 6:
			if (f.armed)
				fire(&s, &f);
			break;
		case 7:
			f.fail_spawns = 1;
			f.spawn_errno = (seed >> 4) % 2 ? ENOENT : EAGAIN;
			up(&s, &f);
			f.fail_spawns = 0;
			break;
		default:
			cr_assert_eq(svc_on_exit(&s, 99999, 0), 0);
			break;
		}
		check_inv(&s, &f);
		seen |= 1u << s.state;
		if (s.state == SVC_BACKOFF || (s.state == SVC_STOPPING && !s.kill_sent))
			cr_assert(f.armed, "step %d: %s without a timer", step,
				  svc_state_name(s.state));
		if (s.state == SVC_STARTING && !s.hook_timed_out)
			cr_assert(f.armed, "step %d: hook running without its timeout", step);
	}
	/* the walk is only worth something if it went everywhere */
	for (int st = SVC_STARTING; st <= SVC_FAILED; st++)
		cr_assert(seen & (1u << st), "walk never reached %s", svc_state_name(st));
}

/* svc_fail_run: the liveness check or the startup timeout gives up on a run. */
Test(svc, fail_run_terms_then_kills_and_counts_as_failure)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ON_FAILURE);
	setup(&s, &f, &p);
	up(&s, &f);
	cr_assert_eq(svc_fail_run(&s), 0);
	cr_assert_eq(s.state, SVC_RUNNING);
	cr_assert_eq(f.sig[f.nsig - 1], SIGTERM);
	cr_assert(f.armed);
	cr_assert_eq(f.delay, 10 * SEC);
	cr_assert_eq(svc_fail_run(&s), -1, "twice");
	fire(&s, &f);
	cr_assert_eq(f.sig[f.nsig - 1], SIGKILL);
	cr_assert_eq(count_ev(&f, SVC_EV_STOP_TIMEOUT), 1);
	svc_on_timer(&s);
	cr_assert_eq(count_ev(&f, SVC_EV_STOP_TIMEOUT), 1, "KILL once");
	exit_sig(&s, &f, SIGKILL);
	cr_assert_eq(s.state, SVC_BACKOFF, "on-failure restarts a failed run");
	cr_assert_eq(s.failures, 1);
}

Test(svc, fail_run_exit_zero_is_still_a_failure)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_NEVER);
	setup(&s, &f, &p);
	up(&s, &f);
	cr_assert_eq(svc_fail_run(&s), 0);
	exit_code(&s, &f, 0);
	cr_assert_not(f.armed, "the KILL timer is cancelled by the exit");
	cr_assert_eq(s.state, SVC_FAILED);
	cr_assert_eq(s.last_status, 0);
}

Test(svc, fail_run_only_while_running_and_reset_on_next_run)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ALWAYS);
	setup(&s, &f, &p);
	cr_assert_eq(svc_fail_run(&s), -1, "inactive");
	up(&s, &f);
	cr_assert_eq(svc_fail_run(&s), 0);
	exit_sig(&s, &f, SIGTERM);
	cr_assert_eq(s.state, SVC_BACKOFF);
	cr_assert_eq(svc_fail_run(&s), -1, "in backoff");
	fire(&s, &f);
	cr_assert_eq(s.state, SVC_RUNNING);
	cr_assert_eq(s.failing, 0);
	svc_on_timer(&s);
	cr_assert_eq(f.sig[f.nsig - 1], SIGTERM, "a timer in a healthy run kills nothing");
	down(&s, &f);
	cr_assert_eq(svc_fail_run(&s), -1, "stopping");
}
