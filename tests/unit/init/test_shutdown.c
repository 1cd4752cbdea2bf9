#include "tests/unit/unit.h"

/* test_shutdown.c - the shutdown's phases (init/shutdown.c) on a real loop
 * with real children, reaped through the signalfd (init/signals.c,
 * init/reap.c): SIGTERM and its stop timeout, then SIGKILL; a second request
 * that waits a second before it hurries; nothing left, done at once. As
 * `vminit run` does it: a subreaper signals its own children, so the test's
 * children are the only ones touched. */

#include "vm_fixture.h"

TestSuite(shutdown, .init = fx_watchdog);

Test(shutdown, nothing_left_is_done_at_once)
{
	struct vm vm;
	fx_vm_open(&vm, FX_LONG_NS);
	cr_assert_null(shutdown_phase(&vm), "a phase before the shutdown");
	shutdown_request(&vm, "test", 0);
	cr_assert_str_eq(shutdown_phase(&vm), "done");
	cr_assert_not(loop_timer_armed(&vm.sd_timer));
	cr_assert_eq(vm.halt, SPEC_HALT_POWEROFF);
	fx_vm_close(&vm);
}

Test(shutdown, sigterm_ends_what_is_left_then_done)
{
	struct vm vm;
	char seen[8] = "";
	pid_t pid;
	fx_vm_open(&vm, FX_LONG_NS);
	pid = fx_spawn_sleep(0);
	shutdown_request(&vm, "test", 0);
	/* No processes of a spec: straight to SIGTERM to the rest. */
	cr_assert_str_eq(shutdown_phase(&vm), "terminating");
	cr_assert(loop_timer_armed(&vm.sd_timer), "no stop timeout armed");
	fx_run_to_phase(&vm, SD_DONE, seen, sizeof(seen));
	cr_assert_str_eq(seen, "d", "phases seen: %s", seen);
	fx_assert_gone(pid);
	cr_assert_eq(vm.reaped, 1);
	cr_assert_eq(vm.orphans, 1, "a child no process owns is an orphan");
	cr_assert_not(loop_timer_armed(&vm.sd_timer), "the stop timeout outlived the shutdown");
	fx_vm_close(&vm);
}

Test(shutdown, sigkill_after_the_stop_timeout_for_one_that_ignores_sigterm)
{
	struct vm vm;
	char seen[8] = "";
	pid_t pid;
	fx_vm_open(&vm, FX_LONG_NS);
	pid = fx_spawn_sleep(1);
	shutdown_request(&vm, "test", 0);
	cr_assert_str_eq(shutdown_phase(&vm), "terminating");
	/* A few turns: the SIGTERM has come and changed nothing. */
	for (int i = 0; i < 3; i++)
		fx_turn(&vm, unit_clock_real_ns() + 20 * LOOP_NS_PER_MS);
	cr_assert_str_eq(shutdown_phase(&vm), "terminating");
	cr_assert_eq(kill(pid, 0), 0, "the child died of an ignored SIGTERM");
	cr_assert_eq(vm.reaped, 0);
	/* The stop timeout passes. */
	unit_clock_shift(FX_LONG_NS);
	fx_run_to_phase(&vm, SD_DONE, seen, sizeof(seen));
	cr_assert_str_eq(seen, "kd", "phases seen: %s", seen);
	fx_assert_gone(pid);
	cr_assert_eq(vm.reaped, 1);
	fx_vm_close(&vm);
}

Test(shutdown, a_second_request_hurries_only_a_second_later)
{
	struct vm vm;
	char seen[8] = "";
	pid_t pid;
	fx_vm_open(&vm, FX_LONG_NS);
	unit_clock_freeze();
	pid = fx_spawn_sleep(1);
	shutdown_request(&vm, "SIGTERM", 0);
	/* The same signal delivered twice at once (to vminit and to its group). */
	shutdown_request(&vm, "SIGTERM", 0);
	cr_assert_str_eq(shutdown_phase(&vm), "terminating");
	unit_clock_shift(LOOP_NS_PER_SEC - 1);
	shutdown_request(&vm, "SIGTERM", 0);
	cr_assert_str_eq(shutdown_phase(&vm), "terminating");
	/* A second after the first: SIGKILL now, and a reboot still counts. */
	unit_clock_shift(1);
	shutdown_request(&vm, "the host", 1);
	cr_assert_str_eq(shutdown_phase(&vm), "killing");
	cr_assert_eq(vm.halt, SPEC_HALT_REBOOT);
	fx_run_to_phase(&vm, SD_DONE, seen, sizeof(seen));
	cr_assert_str_eq(seen, "d", "phases seen: %s", seen);
	fx_assert_gone(pid);
	/* Done is done: a later request changes nothing. */
	shutdown_request(&vm, "SIGTERM", 0);
	cr_assert_str_eq(shutdown_phase(&vm), "done");
	fx_vm_close(&vm);
}

Test(shutdown, each_stop_signal_through_the_signalfd_begins_it)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGPWR, SIGQUIT };
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct vm vm;
		char seen[8] = "";
		fx_vm_open(&vm, FX_LONG_NS);
		cr_assert_eq(kill(getpid(), sigs[i]), 0);
		fx_run_to_phase(&vm, SD_DONE, seen, sizeof(seen));
		fx_vm_close(&vm);
	}
}

Test(shutdown, sigchld_reaps_every_child_as_an_orphan_before_any_shutdown)
{
	struct vm vm;
	pid_t pid[3];
	uint64_t end;
	fx_vm_open(&vm, FX_LONG_NS);
	for (int i = 0; i < 3; i++)
		pid[i] = fx_spawn_sleep(0);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(kill(pid[i], SIGKILL), 0);
	end = unit_clock_real_ns() + FX_WAIT_MS * LOOP_NS_PER_MS;
	while (vm.reaped < 3 && unit_clock_real_ns() < end)
		fx_turn(&vm, end);
	cr_assert_eq(vm.reaped, 3);
	cr_assert_eq(vm.orphans, 3);
	for (int i = 0; i < 3; i++)
		fx_assert_gone(pid[i]);
	cr_assert_null(shutdown_phase(&vm), "reaping began a shutdown");
	fx_vm_close(&vm);
}
