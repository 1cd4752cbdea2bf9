/* reap.c - every child of vminit, supervised or not, is reaped here.
 *
 * Owns: the only waitpid() (and waitid()) that takes a child, and the
 * counters of children reaped and of orphans among them.
 *
 * Invariants: a child is looked at (WNOWAIT) before it is reaped, so while
 * its zombie pins its pid, its process group can be signalled safely. At most
 * REAP_BATCH children a turn; the rest on the next turn, never by waiting for
 * another SIGCHLD (it does not queue). A child's owner (a process's main
 * process or hook, an exec job) is found with one lookup in the pid -> owner
 * table (base/children.c); a pid nobody registered is an orphan.
 */
#include "vm.h"
#include "base/children.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#define REAP_BATCH 4096

void reap_children(struct vm *vm)
{
	int n;
	for (n = 0; n < REAP_BATCH; n++) {
		int st;
		siginfo_t si;
		pid_t pid;
		const struct child *owned;
		/* Look before reaping: while the child is a zombie its pid (and so
		 * its process group id) cannot be reused, so its group can be
		 * signalled safely. */
		memset(&si, 0, sizeof(si));
		if (waitid(P_ALL, 0, &si, WEXITED | WSTOPPED | WCONTINUED | WNOHANG | WNOWAIT) < 0 ||
		    si.si_pid == 0)
			break;
		owned = children_find(si.si_pid);   /* its owner, or an orphan */
		if (si.si_code == CLD_STOPPED || si.si_code == CLD_TRAPPED ||
		    si.si_code == CLD_CONTINUED) {
			/* Job control, not an exit: take the notice (WNOWAIT left it)
			 * and tell the owner, which only reports it. */
			siginfo_t jc;
			memset(&jc, 0, sizeof(jc));
			if (waitid(P_PID, (id_t)si.si_pid, &jc, WSTOPPED | WCONTINUED | WNOHANG) < 0 ||
			    jc.si_pid == 0)
				continue;
			if (owned && owned->owner->job_control)
				owned->owner->job_control(owned->ctx, jc.si_pid,
							  jc.si_code == CLD_CONTINUED ? 0 : jc.si_status);
			continue;
		}
		if (owned && owned->owner->before_reap)
			owned->owner->before_reap(owned->ctx, si.si_pid);
		pid = waitpid(si.si_pid, &st, WNOHANG);
		if (pid <= 0)
			break;
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
	if (vm->sd != SD_NONE)
		shutdown_progress(vm);
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
