/* exec.h - commands the host runs in the VM (the channel's `exec`).
 *
 * A command is a child of PID 1 set up like a process of the spec (spawn.c),
 * with its stdout and stderr captured through pipes up to a bound each (the
 * rest is read and discarded, and counted), a timeout after which its
 * process group gets SIGKILL, and its group killed when it ends. The result
 * goes to a callback once the command has been reaped; nothing waits.
 */
#ifndef VMINIT_EXEC_H
#define VMINIT_EXEC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct loop;

#define EXEC_MAX_JOBS 16

struct exec_req {
	char *const *argv;
	char *const *envp;
	const char *user;         /* NULL: root */
	const char *workdir;      /* NULL: "/" */
	uint64_t timeout_ns;
	size_t max_output;        /* per stream */
	const struct spawn_req *view;   /* a process's view to run in (vol_dir,
	                                 * hide, mounts, cgroup, privileges), or
	                                 * NULL: PID 1's */
	const char *cgroup;       /* without a view: the cgroup it joins, or NULL */
};

struct exec_result {
	int status;               /* shell-style: code or 128 + signal */
	int wstatus;
	int timed_out;
	uint64_t duration_ns;
	const char *out, *err;    /* valid only during the callback */
	size_t out_len, err_len;
	uint64_t out_total, err_total;
};

typedef void (*exec_done_fn)(void *ctx, const struct exec_result *res);

/* Start a command: 0, or -1 with errno (EBUSY: EXEC_MAX_JOBS run already;
 * ENOMEM; EMFILE; a fork error). */
int exec_start(struct loop *l, const struct exec_req *r, exec_done_fn done, void *ctx);
/* The requester went away: its command is killed and no callback comes. */
void exec_cancel(void *ctx);
/* A command's pid is in the reap table (base/children.h) with its job as
 * owner: the reaper kills its group before the reap, then ends the job. */
size_t exec_running(void);

#endif
