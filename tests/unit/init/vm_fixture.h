/* vm_fixture.h - PID 1's pieces (init/vm.h) on a real loop in a unit test:
 * a vm as `vminit run` has it (a subreaper signals its own children), with
 * the signalfd, the reaper and the shutdown's timer, and children to stop.
 *
 * Nothing races the wall clock: the loop is run until what a test waits for
 * has happened, bounded by FX_WAIT_MS of real time that a passing test never
 * needs, and a deadline is passed by moving the loop's clock
 * (unit_clock_shift), not by waiting for it.
 */
#ifndef VMINIT_TEST_VM_FIXTURE_H
#define VMINIT_TEST_VM_FIXTURE_H

#include "tests/unit/unit.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/loop.h"
#include "init/vm.h"

#define FX_WAIT_MS 30000ULL    /* the most a test waits for an event */
#define FX_LONG_NS (60 * LOOP_NS_PER_SEC)  /* a timeout no test reaches by itself */

/* Only a broken piece hangs a test: SIGALRM reports it as a crash. */
static inline void fx_watchdog(void)
{
	alarm(120);
}

/* A vm with its signals blocked and read from a signalfd on a new loop, the
 * reaper and the shutdown's timer ready: what wire_setup makes of them,
 * without the spec, the supervisor or the host channel. */
static inline void fx_vm_open(struct vm *vm, uint64_t stop_timeout_ns)
{
	memset(vm, 0, sizeof(*vm));
	vm->halt = SPEC_HALT_POWEROFF;
	vm->stop_timeout_ns = stop_timeout_ns;
	signals_block(vm);
	cr_assert_geq(vm->sigfd, 0, "signalfd: %s", strerror(errno));
	vm->loop = loop_new(64);
	cr_assert_not_null(vm->loop);
	cr_assert_eq(signals_watch(vm), 0);
	shutdown_init(vm);
	reap_init(vm);
}

static inline void fx_vm_close(struct vm *vm)
{
	loop_free(vm->loop);
	close(vm->sigfd);
}

static inline void fx_on_guard(struct loop *l, struct loop_timer *t)
{
	(void)l; (void)t;
}

/* One turn of the loop, woken at the latest when end (real time) comes. */
static inline void fx_turn(struct vm *vm, uint64_t end)
{
	struct loop_timer guard;
	uint64_t real = unit_clock_real_ns();
	loop_timer_init(&guard, fx_on_guard, NULL);
	cr_assert_eq(loop_timer_at(vm->loop, &guard, loop_now() + (real < end ? end - real : 0)), 0);
	cr_assert_eq(loop_run_once(vm->loop), 0);
	loop_timer_cancel(vm->loop, &guard);
}

/* Run the loop until the shutdown's phase is want (asserted), adding each
 * phase seen after a turn to seen (a string of their first letters:
 * "t" terminating, "k" killing, "d" done). */
static inline void fx_run_to_phase(struct vm *vm, enum sd_phase want, char *seen, size_t cap)
{
	uint64_t end = unit_clock_real_ns() + FX_WAIT_MS * LOOP_NS_PER_MS;
	while (vm->sd != want && unit_clock_real_ns() < end) {
		fx_turn(vm, end);
		const char *ph = shutdown_phase(vm);
		size_t n = strlen(seen);
		if (ph && (n == 0 || seen[n - 1] != ph[0]) && n + 1 < cap) {
			seen[n] = ph[0];
			seen[n + 1] = '\0';
		}
	}
	cr_assert_eq(vm->sd, want, "phase %s after %llu ms, want %d", shutdown_phase(vm) ? shutdown_phase(vm) : "none",
		     (unsigned long long)FX_WAIT_MS, (int)want);
}

/* A child running sleep(1) for a minute, with the signal mask cleared (ours
 * blocks what the signalfd reads) and SIGTERM ignored when ignore_term.
 * Returns once it has exec'ed, so a signal cannot come before it is set. */
static inline pid_t fx_spawn_sleep(int ignore_term)
{
	int p[2];
	char c;
	pid_t pid;
	cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		sigset_t none;
		sigemptyset(&none);
		if (ignore_term)
			signal(SIGTERM, SIG_IGN);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execlp("sleep", "sleep", "60", (char *)NULL);
		if (write(p[1], "x", 1) < 0) {
			/* the parent sees EOF and an exit 127 */
		}
		_exit(127);
	}
	close(p[1]);
	/* EOF: the exec closed the pipe (O_CLOEXEC); a byte: it failed. */
	cr_assert_eq(read(p[0], &c, 1), 0, "cannot exec sleep");
	close(p[0]);
	return pid;
}

/* pid is gone: reaped (not ours any more) and not running. */
static inline void fx_assert_gone(pid_t pid)
{
	cr_assert_eq(waitpid(pid, NULL, WNOHANG), -1, "pid %d not reaped", (int)pid);
	cr_assert_eq(errno, ECHILD);
	cr_assert_eq(kill(pid, 0), -1, "pid %d still there", (int)pid);
}

#endif
