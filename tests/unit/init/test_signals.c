#include "tests/unit/unit.h"

/* test_signals.c - the signals PID 1 reads from its signalfd
 * (init/signals.c): SIGHUP, SIGUSR1 and SIGUSR2 are ignored, with at most one
 * console line a second and a count of the rest; ignoring one begins no
 * shutdown. The stop signals are in test_shutdown.c. */

#include "vm_fixture.h"

TestSuite(signals, .init = fx_watchdog);

Test(signals, ignored_ones_are_noted_at_most_once_a_second)
{
	struct sig_notes n = { 0, 0 };
	uint64_t first;
	unit_clock_freeze();
	signals_note_ignored(&n, SIGHUP, 42);
	first = n.last_ns;
	cr_assert_neq(first, 0, "the first one is written");
	cr_assert_eq(n.unlogged, 0);
	for (int i = 0; i < 3; i++)
		signals_note_ignored(&n, SIGUSR1, 42);
	cr_assert_eq(n.unlogged, 3, "within the second: counted, not written");
	cr_assert_eq(n.last_ns, first);
	unit_clock_shift(LOOP_NS_PER_SEC - 1);
	signals_note_ignored(&n, SIGUSR2, 43);
	cr_assert_eq(n.unlogged, 4);
	cr_assert_eq(n.last_ns, first);
	unit_clock_shift(1);
	signals_note_ignored(&n, SIGHUP, 44);
	cr_assert_eq(n.unlogged, 0, "a second later: written with the count");
	cr_assert_eq(n.last_ns, first + LOOP_NS_PER_SEC);
}

Test(signals, sighup_usr1_usr2_through_the_signalfd_are_ignored)
{
	static const int sigs[] = { SIGHUP, SIGUSR1, SIGUSR2 };
	struct vm vm;
	fx_vm_open(&vm, FX_LONG_NS);
	/* Frozen: however slow the machine, the three fall in one second. */
	unit_clock_freeze();
	for (uint64_t k = 0; k < 3; k++) {
		uint64_t end = unit_clock_real_ns() + FX_WAIT_MS * LOOP_NS_PER_MS;
		cr_assert_eq(kill(getpid(), sigs[k]), 0);
		/* One at a time: pending signals of one number merge. */
		while (!(vm.ignored.last_ns && vm.ignored.unlogged == k) && unit_clock_real_ns() < end)
			fx_turn(&vm, end);
		cr_assert_neq(vm.ignored.last_ns, 0, "signal %d not read", sigs[k]);
		cr_assert_eq(vm.ignored.unlogged, k, "signal %d: %llu unlogged", sigs[k],
			     (unsigned long long)vm.ignored.unlogged);
	}
	cr_assert_null(shutdown_phase(&vm), "an ignored signal began a shutdown");
	fx_vm_close(&vm);
}
