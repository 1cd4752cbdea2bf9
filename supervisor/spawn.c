/* spawn.c - fork + child setup + execve.
 *
 * Everything after fork() runs in the child only; the parent returns at once.
 * The child may allocate (PID 1 is single-threaded, so the allocator's state
 * is consistent) but never returns: it execs or _exit()s.
 * Privileges are shed last, after the mounts and the user switch that need
 * them, except the bounding set of a non-root user (see switch_user).
 */
#include "spawn.h"
#include "user.h"
#include "env.h"
#include "base/path.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* The kernel's struct sigaction (x86_64), for the signals libc keeps to itself. */
struct kernel_sigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	unsigned long mask;
};

/* The signals PID 1 ignores (bit sig - 1): those a child must reset, since
 * an ignored one stays ignored across execve. A caught one is reset by
 * execve itself; until then a fault runs PID 1's fatal handler, which in a
 * child only ends it (init/signals.c). Every one until spawn_note_signals()
 * has looked. */
static uint64_t spawn_changed_signals = ~0ULL;
/* PID 1's nice before rsc_protect_self changed it; SPAWN_NICE_KEPT: as
 * inherited (not PID 1, or not changed). */
#define SPAWN_NICE_KEPT 100
static int spawn_nice = SPAWN_NICE_KEPT;

void spawn_note_niced(int before)
{
	spawn_nice = before;
}

/* PID 1's oom_score_adj before rsc_protect_self changed it; SPAWN_OOM_KEPT:
 * not changed (yet). */
#define SPAWN_OOM_KEPT INT_MIN
static int spawn_oom = SPAWN_OOM_KEPT;

void spawn_note_oom(int before)
{
	spawn_oom = before;
}

/* A "Name:\t<hex>" line of /proc/self/status; 0, or -1 if missing. */
static int status_mask(const char *status, const char *name, uint64_t *ret)
{
	const char *p = strstr(status, name);
	char *end;
	if (!p)
		return -1;
	*ret = strtoull(p + strlen(name), &end, 16);
	return end == p + strlen(name) ? -1 : 0;
}

uint64_t spawn_note_signals(uint64_t dfl)
{
	char status[4096];
	uint64_t ign, changed = 0;
	ssize_t n = -1;
	/* No O_CLOEXEC (musl adds a call for it): nothing forks before the
	 * close. */
	int fd = open("/proc/self/status", O_RDONLY);
	if (fd >= 0) {
		n = read(fd, status, sizeof(status) - 1);
		close(fd);
	}
	/* The kernel's own list of ignored and caught signals: three calls
	 * where asking about each signal takes 64. */
	if (n > 0) {
		status[n] = '\0';
		if (status_mask(status, "\nSigIgn:\t", &ign) == 0) {
			spawn_changed_signals = ign & ~dfl;
			return ign;
		}
	}
	/* No /proc: ask the kernel one signal at a time (musl will not even
	 * read 32-34). A failed look counts as changed: reset it. */
	for (int sig = 1; sig < _NSIG && sig <= 64; sig++) {
		struct kernel_sigaction old;
		if (syscall(SYS_rt_sigaction, sig, NULL, &old, sizeof(old.mask)) < 0 ||
		    old.handler == SIG_IGN)
			changed |= 1ULL << (sig - 1);
	}
	spawn_changed_signals = changed & ~dfl;
	return changed;
}

void spawn_reset_signals(void)
{
	sigset_t none;
	struct kernel_sigaction ksa = { .handler = SIG_DFL };
	uint64_t changed = spawn_changed_signals;
	/* Only what PID 1 ignores: an ignored one stays ignored across the
	 * exec; a caught one the exec resets (spawn_changed_signals). The rest
	 * is SIG_DFL already (one call a signal was most of a spawn's calls). */
	for (int sig = 1; changed; sig++, changed >>= 1) {
		if (!(changed & 1) || sig == SIGKILL || sig == SIGSTOP)
			continue;
		/* Straight to the kernel: musl refuses 32-34 (its internal
		 * signals), though an ignored one is inherited across exec, and
		 * wraps SIGABRT's in two more calls. SIG_DFL needs no restorer. */
		syscall(SYS_rt_sigaction, sig, &ksa, NULL, sizeof(ksa.mask));
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static _Noreturn void child_fail(int code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int n = snprintf(msg, sizeof(msg), "vminit: ");
	va_start(ap, fmt);
	n += vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	if ((size_t)n >= sizeof(msg) - 1)
		n = sizeof(msg) - 2;
	msg[n++] = '\n';
	if (write(2, msg, (size_t)n) < 0) {
		/* nothing left to tell */
	}
	_exit(code);
}

/* Every fd above 2 closed at the exec, not before: PID 1's exec pipe
 * (init/wire.c) tells it the exec has happened. Before Linux 5.11 (no
 * CLOSE_RANGE_CLOEXEC) they are closed now, and PID 1 hears of it early. */
static void close_other_fds(void)
{
	if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0 ||
	    syscall(SYS_close_range, 3U, ~0U, 0U) == 0)
		return;
	for (int fd = 3; fd < 4096; fd++)
		close(fd);
}

static void setup_fds(const struct spawn_req *r)
{
	/* No O_CLOEXEC on the child's own opens (musl adds a call for it):
	 * each is closed before the exec. */
	int null = r->stdin_inherit ? 0 : open("/dev/null", O_RDONLY);
	if (null < 0 || (null != 0 && dup2(null, 0) < 0)) {
		/* No /dev/null (a bare root): an empty pipe's read end is just as
		 * good a stdin, it reads EOF. */
		int p[2];
		if (pipe(p) == 0) {
			dup2(p[0], 0);
			close(p[1]);
		}
	}
	if (dup2(r->out_fd, 1) < 0 || dup2(r->err_fd, 2) < 0)
		_exit(126);
	close_other_fds();
}

/* Into its cgroup before it can fork (spawn.h): 0, or the errno, told once
 * stderr is its own. Before the fds are closed: under PID 1's read-only
 * /sys, cgroup.procs is written through PID 1's fd of the mount beneath
 * (path_kernel). */
static int join_cgroup(const struct spawn_req *r)
{
	char path[600], kpath[640];
	int fd, n, err = 0;
	if (!r->cgroup)
		return 0;
	n = snprintf(path, sizeof(path), "%s/cgroup.procs", r->cgroup);
	if (n < 0 || (size_t)n >= sizeof(path))
		return ENAMETOOLONG;
	fd = open(path_kernel(path, kpath, sizeof(kpath)), O_WRONLY);
	if (fd < 0 || write(fd, "0", 1) != 1)
		err = errno;
	if (fd >= 0)
		close(fd);
	return err;
}

/* Back to the oom_score_adj and the fd limit programs expect (PID 1
 * changed its own). */
static void reset_limits(const struct spawn_req *r)
{
	/* PID 1's oom_score_adj (-1000: never killed) is inherited: a child
	 * at -1000 would hang at its memory cap instead of being killed. Back
	 * to the one PID 1 started with, once PID 1 has changed its own (not
	 * for the first starts: PID 1 protects itself after them); from -1000
	 * that is a raise, which needs no privilege. */
	if (spawn_oom != SPAWN_OOM_KEPT) {
		char v[16];
		int n = snprintf(v, sizeof(v), "%d", spawn_oom);
		int fd = open("/proc/self/oom_score_adj", O_WRONLY);
		if (fd >= 0 && write(fd, v, (size_t)n) != n)
			child_fail(126, "oom_score_adj: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	if (r->nofile) {
		struct rlimit rl;
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur > r->nofile) {
			rl.rlim_cur = r->nofile;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
	}
}

/* The process's own mount namespace: its volumes at their paths, and
 * nothing else of PID 1's (spawn.h). */
static void enter_view(const struct spawn_req *r)
{
	if (unshare(CLONE_NEWNS) < 0)
		child_fail(126, "a mount namespace of its own: %s", strerror(errno));
	/* Nothing mounted here goes back to PID 1 or another process. */
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		child_fail(126, "mount propagation: %s", strerror(errno));
	for (size_t i = 0; r->vol_dir && i < r->nmounts; i++) {
		const struct spec_mount *m = &r->mounts[i];
		char src[512];
		snprintf(src, sizeof(src), "%s/%s", r->vol_dir, m->volume);
		path_mkdirs(m->path, 0755);   /* a failure is the bind's to tell */
		if (mount(src, m->path, NULL, MS_BIND, NULL) < 0)
			child_fail(126, "volume %s at %s: %s", m->volume, m->path, strerror(errno));
		if (m->read_only && mount(NULL, m->path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV,
					  NULL) < 0)
			child_fail(126, "volume %s at %s read-only: %s", m->volume, m->path, strerror(errno));
	}
	if (r->secrets_dir && mount(r->secrets_dir, "/run/secrets", NULL, MS_BIND, NULL) < 0)
		child_fail(126, "its secrets at /run/secrets: %s", strerror(errno));
	if (r->hide && umount2(r->hide, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		child_fail(126, "hiding %s: %s", r->hide, strerror(errno));
}

static char **with_home(char *const *envp, const char *home)
{
	size_t n = 0;
	char **out;
	while (envp[n])
		n++;
	out = calloc(n + 2, sizeof(*out));
	if (!out)
		return NULL;
	memcpy(out, envp, n * sizeof(*out));
	if (asprintf(&out[n], "HOME=%s", home) < 0)
		return NULL;
	return out;
}

/* ---- the kernel's knobs, read-only (docs/resources.md §6) ---- */

#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

struct spawn_mount_attr {   /* struct mount_attr (linux/mount.h) */
	uint64_t attr_set, attr_clr, propagation, userns_fd;
};

/* path and every mount below it read-only, in this mount namespace only.
 * mount_setattr(2) (Linux 5.12) does it in one call; before it, the mount
 * at path alone. bind: on a bind of it, leaving the mount beneath as it
 * was. 0 (ENOENT: nothing there to guard), or -1 with errno. */
static int guard_ro(const char *path, int bind)
{
	struct spawn_mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY };
	if (bind && mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return errno == ENOENT ? 0 : -1;
	if (syscall(SYS_mount_setattr, AT_FDCWD, path, AT_RECURSIVE, &a, sizeof(a)) == 0 || errno == ENOENT)
		return 0;
	if (errno != ENOSYS ||
	    mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return -1;
	return 0;
}

/* What a root process with the default capabilities could still write to
 * reshape the VM behind PID 1's back: /proc/sys (sysctls),
 * /proc/sysrq-trigger (power off, crash) and /sys, the cgroups included (its
 * own limits, another cgroup). Read-only, as container runtimes make them.
 * bind_sys: /sys on a bind too (PID 1's namespace: the mount beneath stays
 * writable for PID 1's fds). 0, or -1 with errno and the path in *ret_path. */
static int guard_knobs(int bind_sys, const char **ret_path)
{
	static const char *const knobs[] = { "/proc/sys", "/proc/sysrq-trigger", "/sys" };
	for (size_t k = 0; k < 3; k++) {
		*ret_path = knobs[k];
		if (guard_ro(knobs[k], k < 2 || bind_sys) < 0)
			return -1;
	}
	return 0;
}

/* 1 once PID 1's own namespace has the knobs read-only (spawn_guard_pid1):
 * a process that shares it needs no namespace of its own. */
static int spawn_guarded;

int spawn_guard_pid1(void)
{
	const char *where = "/";
	/* openat(2) itself: musl's open() adds an F_SETFD call after each
	 * O_CLOEXEC one, for kernels older than 2.6.23. Before the first fork. */
	int sys = (int)syscall(SYS_openat, AT_FDCWD, "/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int proc_sys = (int)syscall(SYS_openat, AT_FDCWD, "/proc/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
	/* The writable mounts beneath, for PID 1's own writes (path.h). */
	path_kernel_fds(sys, proc_sys);
	/* Binds here must not reach a namespace that shares these mounts (a
	 * container's host): they only receive. */
	if (mount(NULL, "/proc", NULL, MS_REC | MS_SLAVE, NULL) < 0 ||
	    (mount(NULL, "/sys", NULL, MS_REC | MS_SLAVE, NULL) < 0 && errno != EINVAL) ||
	    guard_knobs(1, &where) < 0)
		return -1;
	spawn_guarded = 1;
	return 0;
}

/* A mount namespace of its own, whose mounts reach nobody else. A root that
 * is no mount point (a chroot-like root): the two the guard binds under.
 * Without the privilege to make one (`vminit run` by a user): 0, and it
 * shares vminit's, whose knobs it cannot write anyway. */
static int own_namespace(void)
{
	if (unshare(CLONE_NEWNS) < 0) {
		if (errno == EPERM)
			return 0;
		child_fail(126, "a mount namespace of its own: %s", strerror(errno));
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0 &&
	    (errno != EINVAL || mount(NULL, "/proc", NULL, MS_REC | MS_SLAVE, NULL) < 0 ||
	     mount(NULL, "/sys", NULL, MS_REC | MS_SLAVE, NULL) < 0))
		child_fail(126, "mount propagation: %s", strerror(errno));
	return 1;
}

/* The knobs read-only for a bound process (spawn.h). Under PID 1's guard it
 * shares PID 1's mounts; one with a view has their copies in its own. One
 * that keeps CAP_SYS_ADMIN could unmount the guard: in a namespace of its
 * own, it unmounts only its copy. Without PID 1's guard (`vminit run`, or
 * it could not be made), each in its own namespace, as before. */
static void guard_kernel(const struct spawn_req *r, int have_ns)
{
	const char *where = "/";
	if (spawn_guarded) {
		if (!have_ns && (r->caps >> CAP_SYS_ADMIN & 1))
			own_namespace();
		return;
	}
	if (!have_ns && !own_namespace())
		return;
	if (guard_knobs(0, &where) < 0)
		child_fail(126, "read-only %s: %s", where, strerror(errno));
}

/* `exec` without a process keeps PID 1's privileges (docs/resources.md),
 * the knobs' write access included: under PID 1's guard, a namespace of its
 * own without it. */
static void unguard_kernel(void)
{
	static const char *const knobs[] = { "/proc/sysrq-trigger", "/proc/sys", "/sys" };
	if (!spawn_guarded || !own_namespace())
		return;
	for (size_t k = 0; k < 3; k++)
		if (umount2(knobs[k], MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
			child_fail(126, "writable %s: %s", knobs[k], strerror(errno));
}

/* ---- privileges (spawn.h: bound, caps; docs/resources.md) ---- */

/* Shrink the bounding set to keep. It is what an exec can give back (a
 * root exec gets permitted = bounding), so it is the set that matters, and
 * shrinking it needs CAP_SETPCAP. Without that (vminit run by a user) the
 * child has nothing there it could use, and EPERM skips it. Every bit up to
 * 63, not only CAP_LAST_CAP: a newer kernel's capability this build does
 * not know is dropped too; the first EINVAL is past the kernel's last. */
static void privileges_bound(uint64_t keep)
{
	for (int cap = 0; cap < 64; cap++) {
		if (keep >> cap & 1 || prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0)
			continue;
		if (errno == EINVAL || errno == EPERM)
			return;
		child_fail(126, "capabilities: dropping %d from the bounding set: %s", cap, strerror(errno));
	}
}

/* effective = permitted = caps (of what we have), inheritable empty; the
 * ambient set follows (it was cleared before). Securebits stay as they are. */
static void privileges_set(uint64_t caps)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d) < 0)
		child_fail(126, "capabilities: capget: %s", strerror(errno));
	caps &= d[0].permitted | (uint64_t)d[1].permitted << 32;
	memset(d, 0, sizeof(d));
	d[0].effective = d[0].permitted = (uint32_t)caps;
	d[1].effective = d[1].permitted = (uint32_t)(caps >> 32);
	if (syscall(SYS_capset, &h, d) < 0)
		child_fail(126, "capabilities: capset: %s", strerror(errno));
}

/* After the user switch (which needs CAP_SETUID and CAP_SETGID): root keeps
 * r->caps, anyone else nothing and no way back (no_new_privs: no setuid
 * binary, no file capability raises it again). */
static void apply_privileges(const struct spawn_req *r)
{
	int root = getuid() == 0;
	privileges_bound(root ? r->caps : 0);
	privileges_set(root ? r->caps : 0);
	if (!root && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		child_fail(126, "capabilities: no_new_privs: %s", strerror(errno));
}

static void switch_user(const struct spawn_req *r, char ***envp)
{
	struct user_info u;
	char err[300];
	if (user_resolve(r->root, r->user, &u, err, sizeof(err)) < 0)
		child_fail(126, "%s", err);
	if (!env_get(*envp, "HOME")) {
		char **e = with_home(*envp, u.home);
		if (e)
			*envp = e;
	}
	/* Once setuid() has made it someone else, the bounding set can no
	 * longer shrink (no CAP_SETPCAP): before. */
	if (r->bound && u.uid != 0)
		privileges_bound(0);
	if (setgroups(u.ngroups, u.groups) < 0)
		child_fail(126, "setgroups for user %s: %s", r->user, strerror(errno));
	if (setgid(u.gid) < 0)
		child_fail(126, "setgid(%u) for user %s: %s", (unsigned)u.gid, r->user, strerror(errno));
	if (setuid(u.uid) < 0)
		child_fail(126, "setuid(%u) for user %s: %s", (unsigned)u.uid, r->user, strerror(errno));
	if (u.uid != 0) {
		/* setuid() to non-root empties the permitted set unless the
		 * securebits say otherwise; make sure, and leave nothing
		 * ambient (libcap: every set empty). */
		cap_t none = cap_init();
		if (!none || cap_set_proc(none) < 0)
			child_fail(126, "dropping capabilities for user %s: %s", r->user, strerror(errno));
		cap_free(none);
	}
}

static _Noreturn void do_exec(char *const *argv, char *const *envp)
{
	const char *path, *p;
	int saw_eacces = 0;
	char buf[4096];

	if (strchr(argv[0], '/')) {
		execve(argv[0], argv, envp);
		child_fail(errno == ENOENT ? 127 : 126, "exec %s: %s", argv[0], strerror(errno));
	}
	path = env_get(envp, "PATH");
	if (!path)
		path = ENV_DEFAULT_PATH;
	for (p = path;; p++) {
		const char *e = strchr(p, ':');
		size_t dl = e ? (size_t)(e - p) : strlen(p);
		int n = snprintf(buf, sizeof(buf), "%.*s%s%s", (int)dl, p, dl ? "/" : "", argv[0]);
		if (n > 0 && (size_t)n < sizeof(buf)) {
			execve(buf, argv, envp);
			if (errno == EACCES)
				saw_eacces = 1;
		}
		if (!e)
			break;
		p = e;
	}
	child_fail(saw_eacces ? 126 : 127, "exec %s: %s (searched PATH=%s)", argv[0],
		   saw_eacces ? "Permission denied" : "not found", path);
}

pid_t spawn_process(const struct spawn_req *r)
{
	char **envp;
	int cg_err;
	pid_t pid = fork();
	if (pid != 0)
		return pid;

	/* child */
	envp = (char **)r->envp;
	if (r->stdin_inherit) {
		/* The wrap form, as tini and catatonit do: its own process
		 * group in PID 1's session, the terminal's foreground group
		 * when stdin is one (job control for a shell; SIGTTOU is still
		 * PID 1's, ignored). No new session, so no new autogroup. */
		pid_t self = getpid();
		setpgid(0, 0);
		ioctl(0, TIOCSPGRP, &self);
	} else {
		setsid();
	}
	/* PID 1's nice is its own (rsc_protect_self): back to the one it
	 * started with. Raising a nice needs no privilege. */
	if (spawn_nice != SPAWN_NICE_KEPT)
		setpriority(PRIO_PROCESS, 0, spawn_nice);
	spawn_reset_signals();
	cg_err = join_cgroup(r);
	setup_fds(r);
	if (cg_err)
		child_fail(126, "joining cgroup %s: %s", r->cgroup, strerror(cg_err));
	reset_limits(r);
	if (r->vol_dir || r->secrets_dir)
		enter_view(r);
	if (r->bound)
		guard_kernel(r, r->vol_dir || r->secrets_dir);
	else
		unguard_kernel();
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (r->user)
		switch_user(r, &envp);
	else if (!env_get(envp, "HOME")) {
		/* Staying who we are: HOME from our own passwd entry, if any
		 * (and no /etc/group: no groups change). */
		char home[PATH_MAX];
		char **e;
		user_home(r->root, getuid(), home, sizeof(home));
		e = with_home(envp, home);
		if (e)
			envp = e;
	}
	if (r->bound)
		apply_privileges(r);
	if (chdir(r->workdir ? r->workdir : "/") < 0)
		child_fail(126, "workdir %s: %s", r->workdir ? r->workdir : "/", strerror(errno));
	do_exec(r->argv, envp);
}
