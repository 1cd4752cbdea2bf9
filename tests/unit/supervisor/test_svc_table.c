#include "tests/unit/unit.h"

/* test_svc_table.c - the process state machine (supervisor/svc.c) as a
 * table: every cell from every row, job control (not an input of the table),
 * stray pids, giving up on a run (svc_fail_run: the fail-term and fail-kill
 * rows), and a long random walk checking the invariants at each step. The
 * fake world is svc_fake.h. */

#include "tests/unit/supervisor/svc_fake.h"

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

/* A long random-ish walk through the table from policy p, checking the
 * invariants at every step; the public states and the rows it went through
 * are added to *seen and *rows. */
static void walk(struct svc_policy p, unsigned seed, unsigned *seen, unsigned *rows)
{
	struct svc s; struct fake f;
	setup(&s, &f, &p);
	*rows |= 1u << s.sub;
	svc_wait(&s);   /* a start waits first, once (x-depends_on) */
	check_inv(&s, &f);
	*rows |= 1u << s.sub;
	for (int step = 0; step < 5000; step++) {
		seed = seed * 1103515245u + 12345u;
		unsigned r = (seed >> 16) % 12;
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
		case 10: {
			/* liveness gives up: only on a run, and only once */
			int was_run = s.sub == SVC_SUB_RUN;
			cr_assert_eq(svc_fail_run(&s) == 0, was_run, "fail_run in row %s",
				     svc_sub_name(s.sub));
			break;
		}
		case 11:
			svc_hold(&s);   /* the host's stop */
			break;
		default:
			cr_assert_eq(svc_on_exit(&s, 99999, 0), 0);
			break;
		}
		check_inv(&s, &f);
		*seen |= 1u << s.state;
		*rows |= 1u << s.sub;
		if (s.state == SVC_BACKOFF || s.sub == SVC_SUB_STOP_TERM)
			cr_assert(f.armed, "step %d: %s without a timer", step,
				  svc_state_name(s.state));
		if (s.sub == SVC_SUB_HOOK)
			cr_assert(f.armed, "step %d: hook running without its timeout", step);
	}
}

Test(svc, invariants_hold_on_a_long_walk)
{
	struct svc_policy p = policy(SPEC_RESTART_ON_FAILURE);
	unsigned seen = 0, rows = 0;
	p.has_hook[0] = p.has_hook[1] = 1;
	p.max_retries = 4;
	walk(p, 12345, &seen, &rows);
	/* the walk is only worth something if it went everywhere */
	for (int st = SVC_STARTING; st <= SVC_FAILED; st++)
		cr_assert(seen & (1u << st), "walk never reached %s", svc_state_name(st));
	/* ... and without hooks, where it runs more often, through every row */
	walk(policy(SPEC_RESTART_ALWAYS), 54321, &seen, &rows);
	for (int r = 0; r < SVC_SUB_N; r++)
		cr_assert(rows & (1u << r), "walk never reached row %s", svc_sub_name(r));
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
	cr_assert_eq(s.sub, SVC_SUB_RUN, "row %s: the fail leaked", svc_sub_name(s.sub));
	svc_on_timer(&s);
	cr_assert_eq(f.sig[f.nsig - 1], SIGTERM, "a timer in a healthy run kills nothing");
	down(&s, &f);
	cr_assert_eq(svc_fail_run(&s), -1, "stopping");
}

/* ---- the table, cell by cell ---- */

/* A fresh svc brought to row r the way a process gets there. */
static void reach(struct svc *s, struct fake *f, struct svc_policy *p, enum svc_sub r)
{
	int hooked = r == SVC_SUB_HOOK || r == SVC_SUB_HOOK_KILL;
	*p = policy(r == SVC_SUB_EXITED || r == SVC_SUB_FAILED ? SPEC_RESTART_NEVER
							       : SPEC_RESTART_ALWAYS);
	p->has_hook[1] = hooked;
	setup(s, f, p);
	if (r == SVC_SUB_WAITING)
		svc_wait(s);
	if (r == SVC_SUB_DEFERRED) {
		f->fail_spawns = 1;
		f->spawn_errno = EAGAIN;
	}
	if (r != SVC_SUB_INACTIVE && r != SVC_SUB_WAITING)
		up(s, f);
	if (r == SVC_SUB_FAIL_TERM || r == SVC_SUB_FAIL_KILL)
		cr_assert_eq(svc_fail_run(s), 0);
	if (r == SVC_SUB_STOP_TERM || r == SVC_SUB_STOP_KILL)
		down(s, f);
	if (r == SVC_SUB_HOOK_KILL || r == SVC_SUB_FAIL_KILL || r == SVC_SUB_STOP_KILL)
		fire(s, f);
	if (r == SVC_SUB_BACKOFF || r == SVC_SUB_FAILED)
		exit_code(s, f, 1);
	if (r == SVC_SUB_EXITED)
		exit_code(s, f, 0);
	check_inv(s, f);
	cr_assert_eq(s->sub, r, "reached row %s, not %s", svc_sub_name(s->sub), svc_sub_name(r));
}

/* Input in, as the world gives it: an exit of the svc's own pid, a timer
 * that fires only if armed (else a stray call, which the loop never makes
 * but which must change nothing). */
static void apply(struct svc *s, struct fake *f, enum svc_input in)
{
	switch (in) {
	case SVC_IN_UP:        svc_want_up(s); break;
	case SVC_IN_DOWN:      svc_want_down(s); break;
	case SVC_IN_WAIT:      svc_wait(s); break;
	case SVC_IN_EXIT_OK:   svc_on_exit(s, s->pid, W_EXITCODE(0, 0)); break;
	case SVC_IN_EXIT_FAIL: svc_on_exit(s, s->pid, W_EXITCODE(3, 0)); break;
	case SVC_IN_TIMER:
		if (f->armed)
			f->armed = 0;
		svc_on_timer(s);
		break;
	case SVC_IN_FAIL:      svc_fail_run(s); break;
	case SVC_IN_N:         break;
	}
}

Test(svc, table_every_cell_keeps_the_invariants)
{
	for (int r = 0; r < SVC_SUB_N; r++) {
		for (int in = 0; in < SVC_IN_N; in++) {
			struct svc s; struct fake f; struct svc_policy p;
			enum svc_act a = svc_cell(r, in);
			reach(&s, &f, &p, r);
			int nev = f.nev, nspawn = f.nspawn, nsig = f.nsig, narm = f.narm;
			f.now += 5 * SEC;
			apply(&s, &f, in);
			if (a == SVC_ACT_NONE) {
				cr_assert_eq(s.sub, r, "%s x %s: no action, yet now %s",
					     svc_sub_name(r), svc_input_name(in), svc_sub_name(s.sub));
				cr_assert_eq(f.nev + f.nspawn + f.nsig + f.narm,
					     nev + nspawn + nsig + narm, "%s x %s: no action acted",
					     svc_sub_name(r), svc_input_name(in));
			}
			check_inv(&s, &f);
		}
	}
}

Test(svc, table_has_a_cell_for_what_each_row_waits_for)
{
	for (int r = 0; r < SVC_SUB_N; r++) {
		/* an exit only where a pid is, a timer only where one is armed */
		cr_assert_eq(svc_cell(r, SVC_IN_EXIT_OK) != SVC_ACT_NONE, row_live(r), "%s",
			     svc_sub_name(r));
		cr_assert_eq(svc_cell(r, SVC_IN_EXIT_FAIL) != SVC_ACT_NONE, row_live(r), "%s",
			     svc_sub_name(r));
		cr_assert_eq(svc_cell(r, SVC_IN_TIMER) != SVC_ACT_NONE, row_timed(r), "%s",
			     svc_sub_name(r));
		/* a want down leaves every row where the want must be up */
		if (r >= SVC_SUB_HOOK && r <= SVC_SUB_DEFERRED)
			cr_assert_neq(svc_cell(r, SVC_IN_DOWN), SVC_ACT_NONE, "%s", svc_sub_name(r));
		/* only the settled rows start on a want up */
		cr_assert_eq(svc_cell(r, SVC_IN_UP) == SVC_ACT_START,
			     svc_settled(&(struct svc){ .state = svc_sub_state(r) }), "%s",
			     svc_sub_name(r));
	}
	/* the docs name every row, column and action */
	for (int r = 0; r < SVC_SUB_N; r++)
		cr_assert(svc_sub_name(r) && *svc_sub_name(r));
	for (int in = 0; in < SVC_IN_N; in++)
		cr_assert(svc_input_name(in) && *svc_input_name(in));
	for (int a = 0; a < SVC_ACT_N; a++)
		cr_assert(svc_act_name(a) && *svc_act_doc(a), "action %d", a);
}

Test(svc, held_is_down_and_stays_held_until_up)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ALWAYS);
	setup(&s, &f, &p);
	up(&s, &f);
	svc_hold(&s);
	cr_assert_eq(s.want, SVC_WANT_HELD);
	cr_assert_str_eq(svc_want_name(s.want), "down");
	cr_assert_eq(s.sub, SVC_SUB_STOP_TERM);
	down(&s, &f);   /* the shutdown's want down keeps the hold */
	cr_assert_eq(s.want, SVC_WANT_HELD);
	exit_sig(&s, &f, SIGTERM);
	cr_assert_eq(s.state, SVC_EXITED);
	up(&s, &f);
	cr_assert_eq(s.want, SVC_WANT_UP);
	cr_assert_eq(s.state, SVC_RUNNING);
}

Test(svc, waiting_is_settled_and_starts_on_want_up)
{
	struct svc s; struct fake f; struct svc_policy p = policy(SPEC_RESTART_ALWAYS);
	setup(&s, &f, &p);
	svc_wait(&s);
	check_inv(&s, &f);
	cr_assert_eq(s.sub, SVC_SUB_WAITING);
	cr_assert_eq(s.state, SVC_INACTIVE);
	cr_assert_eq(s.want, SVC_WANT_DOWN);
	cr_assert(svc_settled(&s));
	cr_assert_eq(f.nev + f.nspawn, 0, "waiting is silent: supervisor.c reports it");
	up(&s, &f);
	cr_assert_eq(s.state, SVC_RUNNING);
	cr_assert_eq(s.restarts, 0);
	svc_wait(&s);   /* only an inactive process waits */
	cr_assert_eq(s.sub, SVC_SUB_RUN);
}
