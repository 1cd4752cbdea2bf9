#include "tests/unit/unit.h"

/* test_svc_stop.c - the process state machine (supervisor/svc.c): stopping
 * (TERM, KILL at the timeout, a want up meanwhile), spawn failures, and
 * starts deferred for lack of resources. The fake world is svc_fake.h. */

#include "tests/unit/supervisor/svc_fake.h"

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
	cr_assert_eq(s.sub, SVC_SUB_RUN, "row %s: the KILL of the stop leaked", svc_sub_name(s.sub));
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
