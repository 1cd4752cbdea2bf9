/* svc.c - the lifecycle of one supervised process: one table of
 * row x input, each cell one small action (s6-supervise's shape).
 *
 * Owns: want, row (and the public state it maps to), counters and the
 * restart decision.
 * Invariants (tests/unit/supervisor/test_svc_table.c checks them at each step):
 *   - pid != 0 exactly in the rows hook, hook-kill, run, fail-term,
 *     fail-kill, stop-term and stop-kill (the hook or main process that is
 *     alive or not yet reaped);
 *   - the timer is armed exactly in hook (the hook's timeout), fail-term and
 *     stop-term (TERM -> KILL), backoff and deferred (the restart delay); a
 *     -kill row waits for the exit with no timer (its timer fired);
 *   - the want is up in every row from hook to deferred: a want down moves
 *     each of them on at once, so an ended run never finds it down;
 *   - a settled row (inactive, waiting, exited, failed) has no pid and no
 *     timer;
 *   - state == svc_sub_state(sub), written only by enter().
 * An action that emits SVC_EV_SETTLED does so last: the hook behind it may
 * call back in (init's shutdown calls svc_want_down on every process).
 * Never: blocks, forks or signals directly (ops do), or restarts a process the
 * policy has given up on unless it is asked to start again.
 */
#include "svc.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <sys/wait.h>

static const char *const state_names[] = {
	[SVC_INACTIVE] = "inactive", [SVC_STARTING] = "starting",
	[SVC_RUNNING] = "running",   [SVC_BACKOFF] = "backoff",
	[SVC_STOPPING] = "stopping", [SVC_EXITED] = "exited",
	[SVC_FAILED] = "failed",
};

static const unsigned char sub_state[SVC_SUB_N] = {
	[SVC_SUB_INACTIVE] = SVC_INACTIVE,  [SVC_SUB_WAITING] = SVC_INACTIVE,
	[SVC_SUB_HOOK] = SVC_STARTING,      [SVC_SUB_HOOK_KILL] = SVC_STARTING,
	[SVC_SUB_RUN] = SVC_RUNNING,        [SVC_SUB_FAIL_TERM] = SVC_RUNNING,
	[SVC_SUB_FAIL_KILL] = SVC_RUNNING,  [SVC_SUB_BACKOFF] = SVC_BACKOFF,
	[SVC_SUB_DEFERRED] = SVC_BACKOFF,   [SVC_SUB_STOP_TERM] = SVC_STOPPING,
	[SVC_SUB_STOP_KILL] = SVC_STOPPING, [SVC_SUB_EXITED] = SVC_EXITED,
	[SVC_SUB_FAILED] = SVC_FAILED,
};

const char *svc_state_name(enum svc_state st)
{
	return state_names[st];
}

const char *svc_want_name(enum svc_want w)
{
	return w == SVC_WANT_UP ? "up" : "down";
}

enum svc_state svc_sub_state(enum svc_sub sub)
{
	return (enum svc_state)sub_state[sub];
}

int svc_exit_status(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 255;
}

uint64_t svc_backoff_delay(uint64_t base_ns, unsigned n, uint64_t cap_ns)
{
	uint64_t d = base_ns;
	if (n == 0 || base_ns == 0)
		return 0;
	for (unsigned i = 1; i < n && d < cap_ns; i++)
		d = d > UINT64_MAX / 2 ? UINT64_MAX : d * 2;
	return d < cap_ns ? d : cap_ns;
}

int svc_settled(const struct svc *s)
{
	return s->state == SVC_INACTIVE || s->state == SVC_EXITED || s->state == SVC_FAILED;
}

void svc_init(struct svc *s, const char *name, const struct svc_policy *pol,
	      const struct svc_ops *ops, void *ctx)
{
	*s = (struct svc){ .name = name, .pol = *pol, .ops = ops, .ctx = ctx,
			   .want = SVC_WANT_DOWN, .sub = SVC_SUB_INACTIVE,
			   .state = SVC_INACTIVE, .last_status = -1 };
}

/* ---- the steps the actions are made of ---- */

static void enter(struct svc *s, enum svc_sub sub)
{
	s->sub = sub;
	s->state = (enum svc_state)sub_state[sub];
	s->deferred = sub == SVC_SUB_DEFERRED;
}

static void settle(struct svc *s, enum svc_sub sub)
{
	enter(s, sub);
	s->pid = 0;
	s->stopped_sig = 0;
	s->ops->event(s, SVC_EV_SETTLED, s->state);
}

static enum svc_phase first_phase(const struct svc *s)
{
	if (s->pol.has_hook[0])
		return SVC_PHASE_ENV_PRESTART;
	if (s->pol.has_hook[1])
		return SVC_PHASE_PRESTART;
	return SVC_PHASE_MAIN;
}

/* A run is over (main exited, a hook failed, or a spawn failed); the want is
 * up (invariants). Decide. */
static void run_ended(struct svc *s, int status, int success)
{
	uint64_t now = s->ops->now(s);
	s->pid = 0;
	s->last_status = status;
	s->last_signal = s->exit_sig;
	s->exit_sig = 0;
	s->last_exit_at = now;
	if (now - s->started_at >= s->pol.reset_after_ns)
		s->failures = 0;
	switch (s->pol.restart) {
	case SPEC_RESTART_NEVER:
		s->succeeded = success;
		settle(s, success ? SVC_SUB_EXITED : SVC_SUB_FAILED);
		return;
	case SPEC_RESTART_ON_FAILURE:
		if (success) {
			s->succeeded = 1;
			settle(s, SVC_SUB_EXITED);
			return;
		}
		if (s->failures < UINT_MAX)
			s->failures++;
		if (s->failures > (unsigned)s->pol.max_retries) {
			s->ops->event(s, SVC_EV_GAVE_UP, s->failures);
			settle(s, SVC_SUB_FAILED);
			return;
		}
		break;
	case SPEC_RESTART_ALWAYS:
		/* Every end counts toward the backoff, so a process that exits
		 * 0 at once is throttled like one that crashes. */
		if (s->failures < UINT_MAX)
			s->failures++;
		break;
	}
	{
		uint64_t d = svc_backoff_delay(s->pol.backoff_ns, s->failures, s->pol.backoff_max_ns);
		uint64_t ran = now >= s->started_at ? now - s->started_at : 0;
		if (ran + d < SVC_RESTART_FLOOR_NS)
			d = SVC_RESTART_FLOOR_NS - ran;
		enter(s, SVC_SUB_BACKOFF);
		s->ops->event(s, SVC_EV_BACKOFF, (long)(d / 1000000));
		s->ops->timer_arm(s, d);
	}
}

/* fork failed for lack of resources (pids, memory), most likely because of
 * another process (a fork bomb): this process did nothing wrong, so its
 * retries and backoff are not spent. The whole start is tried again later. */
static void defer_start(struct svc *s, int err)
{
	s->pid = 0;
	s->defer_errno = err;
	if (s->deferrals < UINT_MAX)
		s->deferrals++;
	enter(s, SVC_SUB_DEFERRED);
	s->ops->event(s, SVC_EV_DEFERRED, (long)(SVC_DEFER_NS / 1000000));
	s->ops->timer_arm(s, SVC_DEFER_NS);
}

static void run_phase(struct svc *s)
{
	pid_t pid;
	s->stopped_sig = 0;
	enter(s, s->phase == SVC_PHASE_MAIN ? SVC_SUB_RUN : SVC_SUB_HOOK);
	pid = s->ops->spawn(s, s->phase);
	if (pid < 0) {
		int err = errno;
		s->ops->event(s, SVC_EV_SPAWN_FAILED, err);
		if (err == EAGAIN || err == ENOMEM) {
			defer_start(s, err);
			return;
		}
		run_ended(s, -1, 0);
		return;
	}
	s->pid = pid;
	s->ops->event(s, SVC_EV_SPAWNED, s->phase);
	if (s->phase != SVC_PHASE_MAIN)
		s->ops->timer_arm(s, s->pol.hook_timeout_ns[s->phase]);
}

/* counted: a new start; a deferred start tried again is the same start. */
static void begin_start(struct svc *s, int counted)
{
	s->exit_sig = 0;   /* a spawn failure is no signal */
	s->succeeded = 0;
	if (counted && s->starts++ > 0)
		s->restarts++;
	s->started_at = s->ops->now(s);
	s->phase = first_phase(s);
	run_phase(s);
}

/* ---- the actions: one per kind of cell ---- */

static void act_start(struct svc *s)
{
	s->failures = 0;
	begin_start(s, 1);
}

static void act_restart(struct svc *s)
{
	s->ops->timer_cancel(s);   /* asked early, or the delay is over */
	begin_start(s, 1);
}

static void act_retry(struct svc *s)
{
	s->ops->timer_cancel(s);
	begin_start(s, 0);
}

static void act_wait(struct svc *s)
{
	enter(s, SVC_SUB_WAITING);
}

static void act_unwait(struct svc *s)
{
	enter(s, SVC_SUB_INACTIVE);
}

static void act_stop(struct svc *s)
{
	enter(s, SVC_SUB_STOP_TERM);
	s->ops->timer_cancel(s);
	/* The signal first, the report after: the process hears of its stop
	 * without waiting for a console line or an event to be built. */
	s->ops->signal(s, s->pid, SIGTERM);
	s->ops->event(s, SVC_EV_STOPPING, 0);
	s->ops->timer_arm(s, s->pol.stop_timeout_ns);
}

static void act_next(struct svc *s)
{
	s->ops->timer_cancel(s);
	s->pid = 0;
	s->ops->event(s, SVC_EV_PRESTART_OK, s->phase);
	s->phase = s->phase == SVC_PHASE_ENV_PRESTART && s->pol.has_hook[1]
			   ? SVC_PHASE_PRESTART : SVC_PHASE_MAIN;
	run_phase(s);
}

static void act_hook_failed(struct svc *s, int status)
{
	s->ops->timer_cancel(s);
	s->ops->event(s, SVC_EV_PRESTART_FAILED, status);
	run_ended(s, status, 0);
}

/* The hook ran too long: kill its whole group; the exit that follows ends
 * the run as a failure, whatever its status. */
static void act_hook_timeout(struct svc *s)
{
	enter(s, SVC_SUB_HOOK_KILL);
	s->ops->signal(s, s->pid, SIGKILL);
	s->ops->event(s, SVC_EV_PRESTART_TIMEOUT, s->phase);
}

static void act_hook_killed(struct svc *s, int status)
{
	s->ops->timer_cancel(s);
	run_ended(s, status, 0);   /* the timeout was the report */
}

static void act_exit_ok(struct svc *s, int status)
{
	s->ops->event(s, SVC_EV_EXITED, status);
	run_ended(s, status, 1);
}

/* Also every exit of a run given up on: an exit 0 on the TERM of
 * svc_fail_run is still a failed run. */
static void act_exit_fail(struct svc *s, int status)
{
	s->ops->timer_cancel(s);
	s->ops->event(s, SVC_EV_EXITED, status);
	run_ended(s, status, 0);
}

static void act_fail(struct svc *s)
{
	enter(s, SVC_SUB_FAIL_TERM);
	s->ops->signal(s, s->pid, SIGTERM);
	s->ops->timer_arm(s, s->pol.stop_timeout_ns);
}

static void act_stop_kill(struct svc *s)
{
	enter(s, SVC_SUB_STOP_KILL);
	s->ops->signal(s, s->pid, SIGKILL);
	s->ops->event(s, SVC_EV_STOP_TIMEOUT, 0);
}

static void act_fail_kill(struct svc *s)
{
	enter(s, SVC_SUB_FAIL_KILL);
	s->ops->signal(s, s->pid, SIGKILL);
	s->ops->event(s, SVC_EV_STOP_TIMEOUT, 0);
}

/* Stopped: not a run's end (nothing is counted); a want up that came
 * meanwhile starts it again now. */
static void act_stopped(struct svc *s, int status)
{
	s->ops->timer_cancel(s);
	s->last_status = status;
	s->last_signal = s->exit_sig;
	s->last_exit_at = s->ops->now(s);
	if (s->phase == SVC_PHASE_MAIN)
		s->ops->event(s, SVC_EV_EXITED, status);
	if (s->want == SVC_WANT_UP) {
		s->pid = 0;
		begin_start(s, 1);
	} else {
		settle(s, SVC_SUB_EXITED);
	}
}

static void act_cancel(struct svc *s)
{
	s->ops->timer_cancel(s);
	settle(s, SVC_SUB_EXITED);
}

/* ---- the table ---- */

/* Every transition of a process's life, row by row: what each row does on
 * each input; an input a row does not name does nothing (SVC_ACT_NONE).
 * docs/supervisor.md prints this table (tests/house/svc_table.c). */
static const unsigned char table[SVC_SUB_N][SVC_IN_N] = {
	[SVC_SUB_INACTIVE] = { [SVC_IN_UP] = SVC_ACT_START, [SVC_IN_WAIT] = SVC_ACT_WAIT },
	[SVC_SUB_WAITING] = { [SVC_IN_UP] = SVC_ACT_START, [SVC_IN_DOWN] = SVC_ACT_UNWAIT },
	[SVC_SUB_HOOK] = { [SVC_IN_DOWN] = SVC_ACT_STOP, [SVC_IN_EXIT_OK] = SVC_ACT_NEXT,
		[SVC_IN_EXIT_FAIL] = SVC_ACT_HOOK_FAILED, [SVC_IN_TIMER] = SVC_ACT_HOOK_TIMEOUT },
	[SVC_SUB_HOOK_KILL] = { [SVC_IN_DOWN] = SVC_ACT_STOP,
		[SVC_IN_EXIT_OK] = SVC_ACT_HOOK_KILLED, [SVC_IN_EXIT_FAIL] = SVC_ACT_HOOK_KILLED },
	[SVC_SUB_RUN] = { [SVC_IN_DOWN] = SVC_ACT_STOP, [SVC_IN_EXIT_OK] = SVC_ACT_EXIT_OK,
		[SVC_IN_EXIT_FAIL] = SVC_ACT_EXIT_FAIL, [SVC_IN_FAIL] = SVC_ACT_FAIL },
	[SVC_SUB_FAIL_TERM] = { [SVC_IN_DOWN] = SVC_ACT_STOP, [SVC_IN_EXIT_OK] = SVC_ACT_EXIT_FAIL,
		[SVC_IN_EXIT_FAIL] = SVC_ACT_EXIT_FAIL, [SVC_IN_TIMER] = SVC_ACT_FAIL_KILL },
	[SVC_SUB_FAIL_KILL] = { [SVC_IN_DOWN] = SVC_ACT_STOP, [SVC_IN_EXIT_OK] = SVC_ACT_EXIT_FAIL,
		[SVC_IN_EXIT_FAIL] = SVC_ACT_EXIT_FAIL },
	[SVC_SUB_BACKOFF] = { [SVC_IN_UP] = SVC_ACT_RESTART, [SVC_IN_DOWN] = SVC_ACT_CANCEL,
		[SVC_IN_TIMER] = SVC_ACT_RESTART },
	[SVC_SUB_DEFERRED] = { [SVC_IN_UP] = SVC_ACT_RETRY, [SVC_IN_DOWN] = SVC_ACT_CANCEL,
		[SVC_IN_TIMER] = SVC_ACT_RETRY },
	[SVC_SUB_STOP_TERM] = { [SVC_IN_EXIT_OK] = SVC_ACT_STOPPED,
		[SVC_IN_EXIT_FAIL] = SVC_ACT_STOPPED, [SVC_IN_TIMER] = SVC_ACT_STOP_KILL },
	[SVC_SUB_STOP_KILL] = { [SVC_IN_EXIT_OK] = SVC_ACT_STOPPED,
		[SVC_IN_EXIT_FAIL] = SVC_ACT_STOPPED },
	[SVC_SUB_EXITED] = { [SVC_IN_UP] = SVC_ACT_START },
	[SVC_SUB_FAILED] = { [SVC_IN_UP] = SVC_ACT_START },
};

/* Run the cell's action. A switch rather than an array of function
 * pointers: built -fPIE (as the musl build is), such an array is relocated
 * data, and the switch costs ~380 bytes less in build/vminit. */
static void step(struct svc *s, enum svc_input in, int status)
{
	switch ((enum svc_act)table[s->sub][in]) {
	case SVC_ACT_NONE: break;
	case SVC_ACT_START: act_start(s); break;
	case SVC_ACT_RESTART: act_restart(s); break;
	case SVC_ACT_RETRY: act_retry(s); break;
	case SVC_ACT_WAIT: act_wait(s); break;
	case SVC_ACT_UNWAIT: act_unwait(s); break;
	case SVC_ACT_STOP: act_stop(s); break;
	case SVC_ACT_NEXT: act_next(s); break;
	case SVC_ACT_HOOK_FAILED: act_hook_failed(s, status); break;
	case SVC_ACT_HOOK_TIMEOUT: act_hook_timeout(s); break;
	case SVC_ACT_HOOK_KILLED: act_hook_killed(s, status); break;
	case SVC_ACT_EXIT_OK: act_exit_ok(s, status); break;
	case SVC_ACT_EXIT_FAIL: act_exit_fail(s, status); break;
	case SVC_ACT_FAIL: act_fail(s); break;
	case SVC_ACT_STOP_KILL: act_stop_kill(s); break;
	case SVC_ACT_FAIL_KILL: act_fail_kill(s); break;
	case SVC_ACT_STOPPED: act_stopped(s, status); break;
	case SVC_ACT_CANCEL: act_cancel(s); break;
	case SVC_ACT_N: break;
	}
}

/* ---- the inputs ---- */

void svc_want_up(struct svc *s)
{
	s->want = SVC_WANT_UP;
	step(s, SVC_IN_UP, 0);
}

void svc_want_down(struct svc *s)
{
	if (s->want != SVC_WANT_HELD)   /* a hold stays until the host lifts it */
		s->want = SVC_WANT_DOWN;
	step(s, SVC_IN_DOWN, 0);
}

void svc_hold(struct svc *s)
{
	s->want = SVC_WANT_HELD;
	step(s, SVC_IN_DOWN, 0);
}

void svc_wait(struct svc *s)
{
	step(s, SVC_IN_WAIT, 0);
}

int svc_on_exit(struct svc *s, pid_t pid, int wstatus)
{
	int status;
	if (pid <= 0 || pid != s->pid)
		return 0;
	status = svc_exit_status(wstatus);
	s->exit_sig = WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;
	s->stopped_sig = 0;
	step(s, status == 0 ? SVC_IN_EXIT_OK : SVC_IN_EXIT_FAIL, status);
	return 1;
}

void svc_on_timer(struct svc *s)
{
	step(s, SVC_IN_TIMER, 0);
}

int svc_fail_run(struct svc *s)
{
	if (table[s->sub][SVC_IN_FAIL] == SVC_ACT_NONE) {
		errno = ESRCH;
		return -1;
	}
	step(s, SVC_IN_FAIL, 0);
	return 0;
}

int svc_on_job_control(struct svc *s, pid_t pid, int sig)
{
	if (pid <= 0 || pid != s->pid || s->phase != SVC_PHASE_MAIN)
		return 0;
	if (s->stopped_sig == sig)
		return 1;
	s->stopped_sig = sig;
	s->ops->event(s, sig ? SVC_EV_JOB_STOPPED : SVC_EV_JOB_CONTINUED, sig);
	return 1;
}

enum svc_act svc_cell(enum svc_sub sub, enum svc_input in)
{
	return (enum svc_act)table[sub][in];
}
