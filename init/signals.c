/* signals.c - the signals PID 1 gets: through the signalfd, or fatal.
 *
 * Owns: the signalfd's handler, the ignored signals' rate limit, the fatal
 * signals' handler.
 *
 * Invariants: every signal vminit handles is blocked and read from the
 * signalfd on the loop, at most SIGNAL_READ_BATCH reads a turn (one, unless
 * a read fills the buffer). SIGCHLD is left out of the signalfd (still
 * blocked) only while reap.c reaps a storm on a timer. SIGTERM,
 * SIGINT, SIGPWR and SIGQUIT shut down; SIGHUP, SIGUSR1 and SIGUSR2 are
 * ignored with at most one line a second. The fatal ones (SIGSEGV ...) run
 * on_fatal, the one code outside the loop: it must not touch the heap, which
 * may be corrupt, and never returns.
 */
#include "vm.h"
#include "base/console.h"
#include "supervisor/spawn.h"
#include "supervisor/supervisor.h"

#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#define SIGNAL_READ_BATCH 4          /* signalfd reads per wake-up */

static const int handled_signals[] = {
	SIGCHLD, SIGTERM, SIGINT, SIGPWR, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2,
};
static const int fatal_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGSYS, SIGTRAP };

/* A signal handler has no ctx: the vm it powers off, set once before the
 * loop (signals_catch_fatal), and vminit's own pid: a child between fork
 * and exec still has the handler (spawn.h: execve resets it). */
static const struct vm *fatal_vm;
static pid_t fatal_pid;

/* ---- fatal signals: the one place outside the loop ---- */

static void write_str(const char *s)
{
	/* The console's non-blocking fd: a stuck console must not stop the
	 * power-off. */
	if (write(console_fd(), s, strlen(s)) < 0) {
		/* nothing more to do */
	}
}

static void on_fatal(int sig)
{
	static volatile sig_atomic_t in_fatal;
	const struct vm *vm = fatal_vm;
	char num[8] = "";
	int n = sig, i = 6;
	/* A child's fault before its exec is the child's: it ends, as the
	 * signal would have ended it, and PID 1 reaps it. */
	if (getpid() != fatal_pid)
		_exit(128 + sig);
	if (in_fatal++) {
		/* A fault inside this handler: no more words, just end. */
		if (!vm->pid1)
			_exit(128 + sig);
		kill(-1, SIGKILL);
		sync();
		reboot(vm->halt == SPEC_HALT_REBOOT ? RB_AUTOBOOT : RB_POWER_OFF);
		for (;;)
			pause();
	}
	num[7] = '\0';
	do {
		num[i--] = (char)('0' + n % 10);
		n /= 10;
	} while (n && i >= 0);
	write_str("\nvminit: fatal signal ");
	write_str(num + i + 1);
	write_str(" in vminit itself; stopping everything\n");
	if (!vm->pid1)
		_exit(128 + sig);
	/* PID 1 returning or dying panics the kernel. Do the minimum that is
	 * safe with a possibly corrupt heap: TERM, a second, KILL, sync, off. */
	kill(-1, SIGTERM);
	{
		struct timespec ts = { 1, 0 };
		nanosleep(&ts, NULL);
	}
	kill(-1, SIGKILL);
	sync();
	write_str("vminit: powering off after a fatal error\n");
	reboot(vm->halt == SPEC_HALT_REBOOT ? RB_AUTOBOOT : RB_POWER_OFF);
	for (;;)
		pause();
}

void signals_catch_fatal(const struct vm *vm)
{
	static char altstack[16384];
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
	struct sigaction sa;

	fatal_vm = vm;
	fatal_pid = getpid();
	sigaltstack(&ss, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal;
	/* NODEFER: a fault inside the handler re-enters it (and its guard)
	 * instead of being forced on a blocked signal, which kills PID 1. */
	sa.sa_flags = SA_ONSTACK | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
		sigaction(fatal_signals[i], &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sa.sa_flags = 0;
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGTTIN, &sa, NULL);
	sigaction(SIGTTOU, &sa, NULL);
}

static void handled_set(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < sizeof(handled_signals) / sizeof(handled_signals[0]); i++)
		sigaddset(set, handled_signals[i]);
}

void signals_block(struct vm *vm)
{
	struct sigaction sa;
	sigset_t set;
	uint64_t dfl = 0, ign;

	/* Whoever started us may have left some of these ignored. POSIX leaves
	 * open whether a blocked, ignored signal stays pending (Linux keeps it);
	 * with the default disposition the signalfd sees it everywhere. Only
	 * the ignored ones are set back: execve left every other one at
	 * SIG_DFL already, and a call each was 8 of boot's calls. The rest of
	 * PID 1's dispositions are final now: a child resets only those. */
	for (size_t i = 0; i < sizeof(handled_signals) / sizeof(handled_signals[0]); i++)
		dfl |= 1ULL << (handled_signals[i] - 1);
	ign = spawn_note_signals(dfl);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(handled_signals) / sizeof(handled_signals[0]); i++)
		if (ign & (1ULL << (handled_signals[i] - 1)))
			sigaction(handled_signals[i], &sa, NULL);
	handled_set(&set);
	sigprocmask(SIG_BLOCK, &set, NULL);
	vm->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

/* ---- the signalfd ---- */

int signals_watch_chld(struct vm *vm, int on)
{
	sigset_t set;
	handled_set(&set);
	/* Still blocked either way: a SIGCHLD left out stays pending, and
	 * makes the signalfd readable the moment it is back in its mask. */
	if (!on)
		sigdelset(&set, SIGCHLD);
	return signalfd(vm->sigfd, &set, 0) < 0 ? -1 : 0;
}

/* At most one line a second about ignored signals, with a count of the rest:
 * a process sending them in a loop must not flood the console. */
void signals_note_ignored(struct sig_notes *n, int sig, uint32_t from)
{
	uint64_t now = loop_now();
	if (n->last_ns && now - n->last_ns < LOOP_NS_PER_SEC) {
		n->unlogged++;
		return;
	}
	if (n->unlogged)
		log_info("ignoring signal %d from pid %u (and %llu more since the last notice)",
			 sig, from, (unsigned long long)n->unlogged);
	else
		log_info("ignoring signal %d from pid %u", sig, from);
	n->last_ns = now;
	n->unlogged = 0;
}

static void on_signal(struct loop *l, struct loop_io *io, uint32_t events)
{
	struct vm *vm = io->ctx;
	struct signalfd_siginfo si[16];
	ssize_t n;
	int chld = 0, reads = 0;
	(void)l; (void)events;

	/* Bounded per wake-up: a process sending signals in a loop cannot hold
	 * the loop (epoll is level-triggered: the rest comes next turn). */
	while (reads++ < SIGNAL_READ_BATCH && (n = read(io->fd, si, sizeof(si))) > 0) {
		/* A short read took all there was: one read a wake-up, not a
		 * second one to hear EAGAIN. */
		int all = (size_t)n < sizeof(si);
		for (size_t i = 0; i < (size_t)n / sizeof(si[0]); i++) {
			int sig = (int)si[i].ssi_signo;
			switch (sig) {
			case SIGCHLD:
				chld = 1;
				break;
			case SIGTERM:
				shutdown_begin(vm, "SIGTERM");
				break;
			case SIGINT:
				shutdown_begin(vm, vm->pid1 ? "SIGINT (Ctrl-Alt-Del)" : "SIGINT");
				break;
			case SIGPWR:
				shutdown_begin(vm, "SIGPWR");
				break;
			case SIGQUIT:
				shutdown_begin(vm, "SIGQUIT");
				break;
			default:
				/* The wrap form passes them on, as tini does
				 * (docs/wrap.md); else they are ignored. */
				if (vm->wrap && vm->sup)
					sup_signal(vm->sup, 0, sig);
				else
					signals_note_ignored(&vm->ignored, sig, si[i].ssi_pid);
				break;
			}
		}
		if (all)
			break;
	}
	if (chld)
		reap_children(vm);
}

int signals_watch(struct vm *vm)
{
	vm->sigio.fd = -1;
	return loop_io_add(vm->loop, &vm->sigio, vm->sigfd, EPOLLIN, on_signal, vm);
}
