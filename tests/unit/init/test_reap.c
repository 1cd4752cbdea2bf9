#include "tests/unit/unit.h"

/* test_reap.c - how children are reaped (init/reap.c) on a real loop with
 * real children: one exit is taken on its SIGCHLD; children taken twice
 * within REAP_STORM_NS make a storm, during which SIGCHLD is held out of the
 * signalfd and a timer makes a pass every REAP_HOLD_NS; a pass that takes
 * none gives SIGCHLD back. The clock is frozen, so what counts as "within"
 * is the test's choice, not the machine's speed. */

#include "vm_fixture.h"
#include "base/children.h"
#include "base/console.h"

TestSuite(reap, .init = fx_watchdog);

/* A child that exits at once; returns once it is a zombie (not reaped). */
static pid_t exit_now(void)
{
	siginfo_t si;
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0)
		_exit(0);
	memset(&si, 0, sizeof(si));
	cr_assert_eq(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT), 0);
	return pid;
}

/* Turns of the loop until vm->reaped is want, within FX_WAIT_MS real time. */
static void run_until_reaped(struct vm *vm, uint64_t want)
{
	uint64_t end = unit_clock_real_ns() + FX_WAIT_MS * LOOP_NS_PER_MS;
	while (vm->reaped < want && unit_clock_real_ns() < end)
		fx_turn(vm, end);
	cr_assert_eq(vm->reaped, want, "reaped %llu, want %llu", (unsigned long long)vm->reaped,
		     (unsigned long long)want);
}

Test(reap, a_storm_is_reaped_in_timed_passes_then_sigchld_comes_back)
{
	struct vm vm;
	uint64_t now;
	pid_t c;
	fx_vm_open(&vm, FX_LONG_NS);
	unit_clock_freeze();
	now = loop_now();

	exit_now();
	run_until_reaped(&vm, 1);
	cr_assert_not(vm.chld_held, "one exit is no storm");
	cr_assert_not(loop_timer_armed(&vm.reap_more));

	/* A second within REAP_STORM_NS of the first (the clock stands still). */
	exit_now();
	run_until_reaped(&vm, 2);
	cr_assert(vm.chld_held, "two reaps at once make a storm");
	cr_assert(loop_timer_armed(&vm.reap_more));
	cr_assert_eq(vm.reap_more.due, now + REAP_HOLD_NS, "the next pass is REAP_HOLD_NS on");

	/* Held: a child's SIGCHLD wakes nothing; it waits for the pass. */
	c = exit_now();
	for (int i = 0; i < 3; i++)
		fx_turn(&vm, unit_clock_real_ns() + 5 * LOOP_NS_PER_MS);
	cr_assert_eq(vm.reaped, 2, "SIGCHLD reaped a child while held");
	unit_clock_shift(REAP_HOLD_NS);
	run_until_reaped(&vm, 3);
	fx_assert_gone(c);
	cr_assert(vm.chld_held, "a pass that took a child keeps the hold");
	cr_assert_eq(vm.reap_more.due, now + 2 * REAP_HOLD_NS);

	/* A pass that takes none ends the storm. */
	unit_clock_shift(REAP_HOLD_NS);
	fx_turn(&vm, unit_clock_real_ns() + 5 * LOOP_NS_PER_MS);
	cr_assert_not(vm.chld_held, "the storm did not end with a pass that took none");
	cr_assert_not(loop_timer_armed(&vm.reap_more));

	/* SIGCHLD is back: a later child is taken on it, without a hold. */
	unit_clock_shift(2 * REAP_STORM_NS);
	exit_now();
	run_until_reaped(&vm, 4);
	cr_assert_not(vm.chld_held);
	cr_assert_eq(vm.orphans, 4, "none of them had an owner");
	fx_vm_close(&vm);
}

Test(reap, no_hold_during_a_shutdown)
{
	struct vm vm;
	fx_vm_open(&vm, FX_LONG_NS);
	unit_clock_freeze();
	/* A shutdown waits for each child: no pass is put off. */
	vm.sd = SD_STOPPING;
	exit_now();
	run_until_reaped(&vm, 1);
	exit_now();
	run_until_reaped(&vm, 2);
	cr_assert_not(vm.chld_held, "held SIGCHLD during a shutdown");
	fx_vm_close(&vm);
}

/* A pass's console lines (an owner's words at its child's exit) go out in
 * one write at the pass's end, not one each as they are made. */
static int con_rfd = -1;
static size_t written_in_pass = (size_t)-1;

static size_t con_read(char *buf, size_t cap)
{
	ssize_t r = read(con_rfd, buf, cap);
	return r > 0 ? (size_t)r : 0;
}

static void say_exit(void *ctx, pid_t pid, int wstatus)
{
	char buf[128];
	(void)ctx, (void)pid, (void)wstatus;
	log_info("one");
	log_info("two");
	written_in_pass = con_read(buf, sizeof(buf));
}

Test(reap, a_pass_writes_its_console_lines_at_its_end)
{
	static const struct child_owner owner = { .exited = say_exit };
	struct vm vm;
	char buf[128];
	int p[2];
	cr_assert_eq(pipe(p), 0);
	con_rfd = p[0];
	fcntl(con_rfd, F_SETFL, O_NONBLOCK);
	console_init(p[1]);
	fx_vm_open(&vm, FX_LONG_NS);
	cr_assert_eq(children_add(exit_now(), &owner, NULL), 0);
	run_until_reaped(&vm, 1);
	cr_assert_eq(written_in_pass, 0, "%zu bytes written within the pass", written_in_pass);
	cr_assert_eq(con_read(buf, sizeof(buf)), strlen("vminit: one\nvminit: two\n"));
	fx_vm_close(&vm);
}
