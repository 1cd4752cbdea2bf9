/* spawn.h - fork and exec one process the way the spec says.
 *
 * The child: its own session and process group (the wrap form: its own
 * process group in PID 1's session, the terminal's foreground group when
 * stdin is one), default signal dispositions
 * and an empty mask, stdin from /dev/null (or PID 1's own), stdout/stderr to
 * the given fds,
 * every other fd closed, user and groups switched (names resolved from the
 * image's /etc/passwd and /etc/group, in the child), no ambient capabilities,
 * workdir, then execve with PATH search in the process's own env.
 * A setup failure is written to the child's stderr and ends it with 126
 * (127 when the executable is not found), as a shell would.
 */
#ifndef VMINIT_SPAWN_H
#define VMINIT_SPAWN_H

#include <stdint.h>
#include <sys/types.h>

#include "spec/spec.h"

struct spawn_req {
	char *const *argv;
	char *const *envp;        /* HOME is added from passwd when missing */
	const char *workdir;      /* NULL: "/" */
	const char *user;         /* NULL: stay as we are */
	const char *root;         /* where /etc/passwd lives: "/" */
	int out_fd, err_fd;
	int stdin_inherit;        /* 1: PID 1's fd 0 (the wrap form); 0: /dev/null */
	/* Its own view of the volumes (docs/storage.md). vol_dir NULL: none, it
	 * shares PID 1's mounts. Else the child gets its own mount namespace:
	 * each mount's vol_dir/VOLUME bound at its path (made when missing),
	 * read-only where it says, and hide (PID 1's own mounts) detached. */
	const char *vol_dir, *hide;
	const struct spec_mount *mounts;
	size_t nmounts;
	/* Bound onto /run/secrets in its own mount namespace (docs/secrets.md):
	 * its user's copy of the secret bundle; NULL: none. */
	const char *secrets_dir;
	/* Its cgroup's directory (docs/resources.md): the child moves itself
	 * in (writes "0" to its cgroup.procs) before anything else, so that
	 * all it forks is there too; a child that cannot does not run (126).
	 * NULL: it stays in PID 1's. */
	const char *cgroup;
	/* Its privileges (docs/resources.md). bound 0: it keeps PID 1's
	 * (`exec` without a process). bound 1: running as root, caps (bits
	 * 1ull << CAP_X) are its effective, permitted and bounding sets and
	 * nothing is ambient or inheritable; running as any other user it has
	 * no capability in any set, bounding included, and no_new_privs. A
	 * child that cannot do so does not run (126). */
	int bound;
	uint64_t caps;
	/* bound 1: /proc/sys, /proc/sysrq-trigger and /sys are read-only for
	 * it. PID 1 makes them so in its own namespace once
	 * (spawn_guard_pid1), which the process then shares, unless it has a
	 * view or keeps CAP_SYS_ADMIN (which could unmount the guard): then a
	 * namespace of its own, with copies. Without PID 1's guard (`vminit
	 * run`), its own namespace where it makes them read-only. bound 0
	 * under PID 1's guard: its own namespace without it (the operator's
	 * `exec` keeps PID 1's write access). */
	/* RLIMIT_NOFILE's soft limit the child gets back (PID 1 raises its
	 * own, docs/resources.md); 0: as it inherits it. */
	unsigned long nofile;
};

/* PID 1, once, before its first start: /proc/sys, /proc/sysrq-trigger and
 * /sys read-only in its own mount namespace, on binds, so that fds of the
 * mounts beneath (path_kernel_fds, opened here) stay writable for PID 1's
 * own writes. 0, or -1 with errno: then every bound process guards its own
 * namespace, as `vminit run`'s do. */
int spawn_guard_pid1(void);

/* pid > 0 in the parent, or -1 with errno (fork failed). */
pid_t spawn_process(const struct spawn_req *r);

/* Reset signal mask and dispositions to what a fresh process expects once it
 * execs. Used by every child vminit makes. Async-signal-safe. Resets the
 * signals spawn_note_signals() found ignored, or every one if it was never
 * called. */
void spawn_reset_signals(void);

/* Note which signals PID 1 ignores (its own, or inherited ignored): the only
 * ones a child resets, since execve resets a caught one itself (PID 1's
 * fatal handler ends a child that faults before its exec). Called once,
 * when PID 1's dispositions are final but for `dfl` (bit sig - 1), the
 * signals PID 1 is about to set back to SIG_DFL: they are left out. Returns
 * every ignored signal found (a failed look counts as ignored), so PID 1
 * resets only those of `dfl` that need it. One changed later would not be
 * reset. */
uint64_t spawn_note_signals(uint64_t dfl);
/* PID 1 is about to change its own nice (rsc_protect_self) from before: a
 * child sets that back first thing, so every process, the first and a
 * restarted one alike, runs at the nice PID 1 started with. */
void spawn_note_niced(int before);
/* PID 1 has changed its own oom_score_adj (rsc_protect_self) from before:
 * a child sets that back, so every process runs at the one PID 1 started
 * with (the kernel's 0 in a VM), never at PID 1's -1000. Until then a child
 * inherits that one and touches nothing. */
void spawn_note_oom(int before);

#endif
