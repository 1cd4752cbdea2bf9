#include "tests/unit/unit.h"

/* test_svc.c - the pure process state machine (supervisor/svc.c), driven
 * through a fake struct svc_ops (svc_fake.h): no fork, no signals, no real
 * timer. Here: its helpers, starting (hooks included) and the restart
 * policies; test_svc_stop.c: stopping, spawn failures and deferred starts;
 * test_svc_table.c: the table cell by cell, job control, giving up on a run
 * (svc_fail_run) and the random walk over the invariants. */

#include "tests/unit/supervisor/svc_fake.h"

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
	cr_assert_eq(s.sub, SVC_SUB_HOOK, "row %s: the timeout leaked", svc_sub_name(s.sub));
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
