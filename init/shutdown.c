/* shutdown.c - the shutdown sequence, in phases on the loop.
 *
 * Owns: vm->sd, its timer, and the killing of what is left.
 *
 * Shutdown (SIGTERM, SIGINT from Ctrl-Alt-Del, SIGPWR, SIGQUIT, the host, or
 * all work done):
 *   1. SD_STOPPING: every process's want goes down: SIGTERM to its group,
 *      SIGKILL after guest.stop_timeout_seconds (svc.c); a safety net kills
 *      everything if they have not all settled KILL_GRACE after that. The
 *      signals go first; their words (each "stopping", "shutting down")
 *      wait for the loop's next wake-up (shutdown_say), so a process that
 *      shares PID 1's CPU handles its SIGTERM before PID 1 writes a line;
 *   2. SD_TERM_REST: once all processes have settled, SIGTERM (and SIGCONT)
 *      to everything left, and stop_timeout for it to go;
 *   3. SD_KILLED: then SIGKILL to everything left, and up to KILL_GRACE for
 *      the kernel to deliver it;
 *   4. SD_DONE: when no child is left: final statuses and the final event.
 *      The caller then halts (halt.c: in a VM it syncs and unmounts
 *      first; in a PID namespace it does neither).
 * A second shutdown request during 1-2, a second or more after the first,
 * skips to 3.
 *
 * Invariants: the phases only move forward; each waits on the loop (a timer,
 * or shutdown_progress when a child is reaped), never in a sleep.
 */
#include "vm.h"
#include "base/console.h"
#include "base/procstat.h"
#include "control/ctl.h"
#include "storage/storage.h"
#include "supervisor/supervisor.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define KILL_GRACE_NS (5 * LOOP_NS_PER_SEC)
#define ESCALATE_AFTER_NS LOOP_NS_PER_SEC
/* The longest the words after the signals wait for the loop's next wake-up
 * (a reaped child, anything): enough for a process's SIGTERM handler to
 * begin on PID 1's CPU, unnoticeable on a console. */
#define SD_SAY_NS LOOP_NS_PER_MS

/* ---- killing what is left ---- */

/* Signal every process left: in PID 1, kill(-1) (all but ourselves); as a
 * subreaper, each of our children (orphans re-parented to us included). */
static int kill_rest(const struct vm *vm, int sig)
{
	DIR *d;
	struct dirent *de;
	int count = 0;
	pid_t self = getpid();

	if (vm->pid1)
		return kill(-1, sig) == 0 ? 1 : 0;
	d = opendir("/proc");
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char path[64], buf[512];
		long long ppid = 0;
		int fd, n, pid = atoi(de->d_name);
		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		n = (int)read(fd, buf, sizeof(buf));
		close(fd);
		if (n <= 0 || procstat_field(buf, (size_t)n, 4, &ppid) < 0)
			continue;
		if (ppid == self && kill(pid, sig) == 0)
			count++;
	}
	closedir(d);
	return count;
}

static int have_children(void)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	return waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) == 0;
}

/* SIGKILL to everything left. Called again as children are reaped: a
 * subreaper finds grandchildren re-parented to it after their parent died. */
static void kill_everything_left(const struct vm *vm)
{
	kill_rest(vm, SIGKILL);
}

/* ---- the phases ---- */

static void shutdown_finish(struct vm *vm)
{
	if (vm->sd == SD_DONE)
		return;
	vm->sd = SD_DONE;
	loop_timer_cancel(vm->loop, &vm->sd_timer);
	if (vm->sup) {
		sup_log_final(vm->sup);
		vm->exit_code = sup_exit_code(vm->sup);
	}
	log_info("reaped %llu children, %llu of them orphans",
		 (unsigned long long)vm->reaped, (unsigned long long)vm->orphans);
	/* Nothing runs any more: the volumes can be made clean. */
	if (vm->st && storage_shutdown(vm->st) > 0)
		log_error("storage: not every volume is clean (see above)");
	if (vm->ctl)
		ctl_event_final(vm->ctl);
}

static void shutdown_kill(struct vm *vm, const char *why)
{
	vm->sd = SD_KILLED;
	log_warn("%s: SIGKILL to all", why);
	kill_everything_left(vm);
	loop_timer_in(vm->loop, &vm->sd_timer, KILL_GRACE_NS);
}

void shutdown_progress(struct vm *vm)
{
	if (vm->sd_signalling)
		return;   /* shutdown_request calls it once the signals are out */
	int left = -1;   /* have_children(), once asked: a signal reaps nothing */
	if (vm->sd == SD_STOPPING && (!vm->sup || sup_all_settled(vm->sup))) {
		/* Every process has stopped; what is left (orphans, daemons that
		 * left their group) gets its own SIGTERM and a full stop timeout. */
		vm->sd = SD_TERM_REST;
		if ((left = have_children())) {
			log_info("stopping the remaining processes (SIGTERM)");
			kill_rest(vm, SIGTERM);
			kill_rest(vm, SIGCONT);   /* a stopped one wakes to act on it */
			loop_timer_in(vm->loop, &vm->sd_timer, vm->stop_timeout_ns);
		}
	}
	if (vm->sd == SD_KILLED && (left = have_children()))
		kill_everything_left(vm);
	if ((vm->sd == SD_TERM_REST || vm->sd == SD_KILLED) && !(left < 0 ? have_children() : left))
		shutdown_finish(vm);
}

static void on_sd_timer(struct loop *l, struct loop_timer *t)
{
	struct vm *vm = t->ctx;
	(void)l;
	switch (vm->sd) {
	case SD_STOPPING:
		/* Each process has its own TERM -> KILL; this is the safety net
		 * for one that does not die even then. */
		shutdown_kill(vm, "processes did not stop, even after their SIGKILL");
		break;
	case SD_TERM_REST:
		shutdown_kill(vm, "processes still running after SIGTERM and the stop timeout");
		break;
	case SD_KILLED:
		log_error("processes survived SIGKILL for %llus (stuck in the kernel?): going on",
			  (unsigned long long)(KILL_GRACE_NS / LOOP_NS_PER_SEC));
		shutdown_finish(vm);
		break;
	default:
		break;
	}
	shutdown_progress(vm);
}

void shutdown_begin(struct vm *vm, const char *why)
{
	shutdown_request(vm, why, 0);
}

void shutdown_request(struct vm *vm, const char *why, int reboot)
{
	/* PID 1's own start-up first, if it still waits: the host's listener
	 * and push must be there for the final events. */
	wire_start_done(vm);
	/* Words still unsaid come before any answer to this one. */
	shutdown_say(vm);
	/* A reboot asked for while a power-off is under way still counts. */
	if (reboot)
		vm->halt = SPEC_HALT_REBOOT;
	if (vm->sd == SD_STOPPING || vm->sd == SD_TERM_REST) {
		/* One signal is often delivered twice (to us and to our process
		 * group, as timeout(1) does): only a request a second later means
		 * "hurry up". */
		if (loop_now() - vm->sd_started < ESCALATE_AFTER_NS) {
			log_info("%s: already shutting down", why);
			return;
		}
		shutdown_kill(vm, why);
		shutdown_progress(vm);
		return;
	}
	if (vm->sd != SD_NONE)
		return;
	vm->sd = SD_STOPPING;
	vm->sd_started = loop_now();
	/* The signals first, and nothing else until PID 1 has slept once: a
	 * signalled process that shares PID 1's CPU runs only when PID 1
	 * sleeps (the kernel does not preempt PID 1 for a process in another
	 * session or cgroup), so every console line or event made now would be
	 * time it waits for its SIGTERM. Their words come at the loop's next
	 * wake-up, SD_SAY_NS later at the latest. A process that settles at
	 * once must not move the shutdown on (its final lines) before them
	 * either: the progress waits until they are said. */
	vm->sd_signalling = 1;
	vm->sd_why = why;
	if (vm->sup) {
		sup_hold_news(vm->sup);
		sup_stop_all(vm->sup);
	}
	/* The safety net after them: arming a timer can be a page fault
	 * (the timer heap, copy-on-write since the last fork). */
	loop_timer_in(vm->loop, &vm->sd_timer, vm->stop_timeout_ns + KILL_GRACE_NS);
	/* Nothing signalled (every process had settled): no one to wait for. */
	if (!vm->sup || !sup_unsaid(vm->sup) || loop_timer_on_wake(vm->loop, &vm->sd_say, SD_SAY_NS) < 0)
		shutdown_say(vm);
}

void shutdown_say(struct vm *vm)
{
	const char *why = vm->sd_why;
	if (!why)
		return;
	vm->sd_why = NULL;
	loop_timer_cancel(vm->loop, &vm->sd_say);
	/* The host's event before the processes': the host reads their stops
	 * as part of the shutdown. */
	if (vm->ctl)
		ctl_event_shutdown(vm->ctl, why, vm->halt == SPEC_HALT_REBOOT);
	if (vm->sup)
		sup_say(vm->sup);
	vm->sd_signalling = 0;
	log_info("shutting down: %s", why);
	shutdown_progress(vm);
}

static void on_sd_say(struct loop *l, struct loop_timer *t)
{
	(void)l;
	shutdown_say(t->ctx);
}

const char *shutdown_phase(const struct vm *vm)
{
	static const char *const names[] = {
		[SD_NONE] = NULL, [SD_STOPPING] = "stopping", [SD_TERM_REST] = "terminating",
		[SD_KILLED] = "killing", [SD_DONE] = "done",
	};
	return names[vm->sd];
}

void shutdown_init(struct vm *vm)
{
	loop_timer_init(&vm->sd_timer, on_sd_timer, vm);
	loop_timer_init(&vm->sd_say, on_sd_say, vm);
}
