/* children.h - who owns each child of PID 1: one pid -> owner table for the
 * reaper.
 *
 * Whoever forks a child (the supervisor, the exec jobs) registers its pid
 * with its owner's hooks; the reaper (init) looks a pid up once, calls the
 * owner before the zombie is reaped, takes the entry out at the reap and
 * calls the owner again; or, for job control, only calls it.
 * A pid not in the table is an orphan. The table mirrors the kernel's list
 * of PID 1's children, which a process has one of: so there is one table,
 * not an object per caller.
 *
 * Bounded: CHILDREN_MAX entries, sized from what can exist (supervisor.c
 * checks it against SPEC_MAX_PROCESSES and EXEC_MAX_JOBS at compile time:
 * the base cannot see them). A full table refuses the pid (-1, ENOSPC): the
 * forker must kill the child it cannot register and say so, and the reaper
 * then counts that child as an orphan.
 */
#ifndef VMINIT_CHILDREN_H
#define VMINIT_CHILDREN_H

#include <sys/types.h>

/* SPEC_MAX_PROCESSES (128) x (main + prestart hook), + EXEC_MAX_JOBS (16).
 * A process has one of its hook and main at a time today; the room for both
 * keeps a later overlap (a post-start hook) from meeting the bound. */
#define CHILDREN_MAX (128 * 2 + 16)

struct child_owner {
	/* The child pid was just reaped, exited is next: what is left of its
	 * process group still holds the group's id (nothing else can have it;
	 * with no member left, the id is free but pids are handed out in turn,
	 * so it is not reused within microseconds), so signalling the group is
	 * safe here. NULL: nothing. */
	void (*group_end)(void *ctx, pid_t pid);
	/* The child was reaped (and is out of the table already). */
	void (*exited)(void *ctx, pid_t pid, int wstatus);
	/* The child was stopped by sig, or continued (sig 0). NULL: ignored. */
	void (*job_control)(void *ctx, pid_t pid, int sig);
};

struct child {
	pid_t pid;
	const struct child_owner *owner;
	void *ctx;
};

/* 0, or -1 with errno: EINVAL (pid <= 0, or already registered), ENOSPC. */
int children_add(pid_t pid, const struct child_owner *owner, void *ctx);
/* pid's entry, or NULL; valid until the table changes. */
const struct child *children_find(pid_t pid);
/* The child of entry c (from children_find) was reaped: take the entry out
 * of the table, then call its owner's exited (which may fork again). */
void children_reaped(const struct child *c, int wstatus);
/* Take the entry c out of the table without telling its owner (an owner
 * going away). */
void children_remove(const struct child *c);
size_t children_count(void);

#endif
