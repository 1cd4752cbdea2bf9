/* svc.c - the lifecycle of one supervised process.
 *
 * Owns: want, state, counters and the restart decision.
 * Invariants:
 *   - pid != 0 exactly in STARTING, RUNNING and STOPPING (the hook or main
 *     process that is alive or not yet reaped);
 *   - the svc's timer is armed only in STARTING (hook timeout), BACKOFF
 *     (restart delay), STOPPING (TERM -> KILL) and RUNNING while failing
 *     (svc_fail_run: TERM -> KILL), and is cancelled on every transition out
 *     of those states;
 *   - a settled svc (INACTIVE, EXITED, FAILED) has no pid and no timer.
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

const char *svc_state_name(enum svc_state st)
{
	return state_names[st];
}

const char *svc_want_name(enum svc_want w)
{
	return w == SVC_WANT_UP ? "up" : "down";
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
			   .want = SVC_WANT_DOWN, .state = SVC_INACTIVE,
			   .last_status = -1 };
}

static void settle(struct svc *s, enum svc_state st)
{
	s->state = st;
	s->pid = 0;
	s->stopped_sig = 0;
	s->ops->event(s, SVC_EV_SETTLED, st);
}

static void run_phase(struct svc *s);

static enum svc_phase first_phase(const struct svc *s)
{
	if (s->pol.has_hook[0])
		return SVC_PHASE_ENV_PRESTART;
	if (s->pol.has_hook[1])
		return SVC_PHASE_PRESTART;
	return SVC_PHASE_MAIN;
}

static void begin_start(struct svc *s)
{
	s->exit_sig = 0;   /* a spawn failure is no signal */
	s->succeeded = 0;
	/* A deferred start is the same start tried again, not a restart. */
	if (!s->deferred && s->starts++ > 0)
		s->restarts++;
	s->deferred = 0;
	s->started_at = s->ops->now(s);
	s->phase = first_phase(s);
	run_phase(s);
}

/* A run is over (main exited, a hook failed, or a spawn failed). Decide. */
static void run_ended(struct svc *s, int status, int success)
{
	uint64_t now = s->ops->now(s);
	s->pid = 0;
	s->last_status = status;
	s->last_signal = s->exit_sig;
	s->exit_sig = 0;
	s->last_exit_at = now;
	if (s->want == SVC_WANT_DOWN) {
		settle(s, SVC_EXITED);
		return;
	}
	if (now - s->started_at >= s->pol.reset_after_ns)
		s->failures = 0;
	switch (s->pol.restart) {
	case SPEC_RESTART_NEVER:
		s->succeeded = success;
		settle(s, success ? SVC_EXITED : SVC_FAILED);
		return;
	case SPEC_RESTART_ON_FAILURE:
		if (success) {
			s->succeeded = 1;
			settle(s, SVC_EXITED);
			return;
		}
		if (s->failures < UINT_MAX)
			s->failures++;
		if (s->failures > (unsigned)s->pol.max_retries) {
			s->ops->event(s, SVC_EV_GAVE_UP, s->failures);
			settle(s, SVC_FAILED);
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
		s->state = SVC_BACKOFF;
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
	s->deferred = 1;
	s->defer_errno = err;
	if (s->deferrals < UINT_MAX)
		s->deferrals++;
	s->state = SVC_BACKOFF;
	s->ops->event(s, SVC_EV_DEFERRED, (long)(SVC_DEFER_NS / 1000000));
	s->ops->timer_arm(s, SVC_DEFER_NS);
}

static void run_phase(struct svc *s)
{
	pid_t pid;
	s->hook_timed_out = 0;
	s->kill_sent = 0;
	s->failing = 0;
	s->stopped_sig = 0;
	s->state = s->phase == SVC_PHASE_MAIN ? SVC_RUNNING : SVC_STARTING;
	pid = s->ops->spawn(s, s->phase);
	if (pid < 0) {
		int err = errno;
		s->ops->event(s, SVC_EV_SPAWN_FAILED, err);
		if ((err == EAGAIN || err == ENOMEM) && s->want == SVC_WANT_UP) {
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

void svc_want_up(struct svc *s)
{
	s->want = SVC_WANT_UP;
	switch (s->state) {
	case SVC_INACTIVE:
	case SVC_EXITED:
	case SVC_FAILED:
		s->failures = 0;
		begin_start(s);
		break;
	case SVC_BACKOFF:
		s->ops->timer_cancel(s);
		begin_start(s);
		break;
	case SVC_STARTING:
	case SVC_RUNNING:
		break;
	case SVC_STOPPING:
		/* Restarts once the stop completes (svc_on_exit). */
		break;
	}
}

static void begin_stop(struct svc *s)
{
	s->state = SVC_STOPPING;
	s->kill_sent = 0;
	s->ops->timer_cancel(s);
	s->ops->event(s, SVC_EV_STOPPING, 0);
	s->ops->signal(s, s->pid, SIGTERM);
	s->ops->timer_arm(s, s->pol.stop_timeout_ns);
}

void svc_want_down(struct svc *s)
{
	s->want = SVC_WANT_DOWN;
	switch (s->state) {
	case SVC_STARTING:
	case SVC_RUNNING:
		begin_stop(s);
		break;
	case SVC_BACKOFF:
		s->ops->timer_cancel(s);
		s->deferred = 0;
		settle(s, SVC_EXITED);
		break;
	case SVC_INACTIVE:
	case SVC_EXITED:
	case SVC_FAILED:
	case SVC_STOPPING:
		break;
	}
}

int svc_on_exit(struct svc *s, pid_t pid, int wstatus)
{
	int status;
	if (pid <= 0 || pid != s->pid)
		return 0;
	status = svc_exit_status(wstatus);
	s->exit_sig = WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;
	s->stopped_sig = 0;
	switch (s->state) {
	case SVC_STARTING:
		s->ops->timer_cancel(s);
		if (status == 0 && !s->hook_timed_out) {
			s->pid = 0;
			s->ops->event(s, SVC_EV_PRESTART_OK, s->phase);
			s->phase = s->phase == SVC_PHASE_ENV_PRESTART && s->pol.has_hook[1]
					   ? SVC_PHASE_PRESTART : SVC_PHASE_MAIN;
			run_phase(s);
		} else {
			if (!s->hook_timed_out)
				s->ops->event(s, SVC_EV_PRESTART_FAILED, status);
			run_ended(s, status, 0);
		}
		break;
	case SVC_RUNNING:
		if (s->failing)
			s->ops->timer_cancel(s);
		s->ops->event(s, SVC_EV_EXITED, status);
		/* An exit 0 on the TERM of svc_fail_run is still a failed run. */
		run_ended(s, status, status == 0 && !s->failing);
		break;
	case SVC_STOPPING:
		s->ops->timer_cancel(s);
		s->last_status = status;
		s->last_signal = s->exit_sig;
		s->last_exit_at = s->ops->now(s);
		if (s->phase == SVC_PHASE_MAIN)
			s->ops->event(s, SVC_EV_EXITED, status);
		if (s->want == SVC_WANT_UP) {
			s->pid = 0;
			begin_start(s);
		} else {
			settle(s, SVC_EXITED);
		}
		break;
	default:
		/* pid is only set in the three states above */
		break;
	}
	return 1;
}

void svc_on_timer(struct svc *s)
{
	switch (s->state) {
	case SVC_BACKOFF:
		begin_start(s);
		break;
	case SVC_STARTING:
		/* The hook ran too long: kill its whole group; the exit that
		 * follows ends the run as a failure. */
		s->hook_timed_out = 1;
		s->ops->event(s, SVC_EV_PRESTART_TIMEOUT, s->phase);
		s->ops->signal(s, s->pid, SIGKILL);
		break;
	case SVC_RUNNING:
	case SVC_STOPPING:
		if ((s->state == SVC_STOPPING || s->failing) && !s->kill_sent) {
			s->kill_sent = 1;
			s->ops->event(s, SVC_EV_STOP_TIMEOUT, 0);
			s->ops->signal(s, s->pid, SIGKILL);
		}
		break;
	default:
		break;
	}
}

int svc_fail_run(struct svc *s)
{
	if (s->state != SVC_RUNNING || s->failing || s->pid <= 0) {
		errno = ESRCH;
		return -1;
	}
	s->failing = 1;
	s->kill_sent = 0;
	s->ops->signal(s, s->pid, SIGTERM);
	s->ops->timer_arm(s, s->pol.stop_timeout_ns);
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
