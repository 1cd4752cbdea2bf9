/* reap.c - every child of vminit, supervised or not, is reaped here.
 *
 * Owns: the only waitpid() that takes a child, and the counters of children
 * reaped and of orphans among them.
 *
 * Invariants: one waitpid() a child, in one pass until none is left (0 or
 * ECHILD): an orphan costs that call and nothing else. An owned child's
 * leftover process group is killed right after its reap, before anything
 * else runs: the group's members still hold its id (the kernel frees an id
 * only when no process uses it as pid, group or session), so the id cannot
 * have been reused. At most REAP_BATCH children a turn; the rest on the next
 * turn, never by waiting for another SIGCHLD (it does not queue). In a storm
 * (reap_pace) SIGCHLD is held out of the signalfd and a timer makes the
 * passes, REAP_HOLD_NS apart: no child waits longer than that plus the
 * wake-up, and the hold ends at the first pass that takes none. A child's
 * owner (a process's main process or hook, an exec job) is found with one
 * lookup in the pid -> owner table (base/children.c); a pid nobody
 * registered is an orphan.
 */
#include "vm.h"
#include "base/children.h"
#include "base/console.h"

#include <signal.h>
#include <sys/wait.h>

#define REAP_BATCH 4096

/* After a pass: in a storm (children taken twice within REAP_STORM_NS, or
 * already held), SIGCHLD leaves the signalfd and the next pass is a timer
 * REAP_HOLD_NS on, so a storm costs one wake-up a pass, not three calls an
 * orphan; a pass that takes none ends it. Not during a shutdown, which
 * waits for each child. */
static void reap_pace(struct vm *vm, int took)
{
	uint64_t now = loop_now();
	int storm = took && vm->sd == SD_NONE &&
		    (vm->chld_held || (vm->reap_last_ns && now - vm->reap_last_ns < REAP_STORM_NS));
	if (took)
		vm->reap_last_ns = now;
	if (storm && (vm->chld_held || signals_watch_chld(vm, 0) == 0)) {
		vm->chld_held = 1;
		loop_timer_at(vm->loop, &vm->reap_more, now + REAP_HOLD_NS);
	} else if (vm->chld_held) {
		/* A SIGCHLD that came meanwhile is pending: the signalfd is
		 * readable at once. Should the mask not change, keep passing. */
		if (signals_watch_chld(vm, 1) == 0)
			vm->chld_held = 0;
		else
			loop_timer_at(vm->loop, &vm->reap_more, now + REAP_HOLD_NS);
	}
}

void reap_children(struct vm *vm)
{
	int n;
	/* The pass's console lines (exits, a shutdown's words, its end) in
	 * one write at its end: the last child's pass is on the path from
	 * its exit to PID 1's. */
	console_batch(1);
	/* A stop's words before its exits (they wait for this wake-up). */
	shutdown_say(vm);
	for (n = 0; n < REAP_BATCH; n++) {
		int st;
		const struct child *owned;
		pid_t pid = waitpid(-1, &st, WNOHANG | WUNTRACED | WCONTINUED);
		if (pid <= 0)
			break;
		owned = children_find(pid);   /* its owner, or an orphan */
		if (WIFSTOPPED(st) || WIFCONTINUED(st)) {
			/* Job control, not an exit: tell the owner, which only
			 * reports it. */
			if (owned && owned->owner->job_control)
				owned->owner->job_control(owned->ctx, pid,
							  WIFCONTINUED(st) ? 0 : WSTOPSIG(st));
			continue;
		}
		if (owned && owned->owner->group_end)
			owned->owner->group_end(owned->ctx, pid);
		vm->reaped++;
		if (owned)
			children_reaped(owned, st);
		else
			vm->orphans++;
	}
	/* More may be waiting: continue on the next turn rather than starve
	 * the other fds (SIGCHLD does not queue, so do not wait for one). */
	if (n == REAP_BATCH)
		loop_timer_in(vm->loop, &vm->reap_more, 0);
	else
		reap_pace(vm, n > 0);
	if (vm->sd != SD_NONE)
		shutdown_progress(vm);
	console_batch(0);
}

static void on_reap_more(struct loop *l, struct loop_timer *t)
{
	(void)l;
	reap_children(t->ctx);
}

void reap_init(struct vm *vm)
{
	loop_timer_init(&vm->reap_more, on_reap_more, vm);
}
