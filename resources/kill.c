/* kill.c - signals to a whole cgroup, whether it is empty, and PID 1's own
 * protection (resources.h).
 *
 * Invariants: cgroup.procs is read a fixed buffer at a time and parsed as
 * it comes (a fork bomb's list is never held whole); PID 1 and a task
 * outside our pid namespace (read as 0) are never signalled. Without
 * cgroup.kill, SIGKILL is sent in rounds, at most RSC_KILL_ROUNDS, until a
 * round finds no task to signal: a task forked while a round ran is in the
 * next round's list (the kernel adds a child to the cgroup before fork
 * returns, and a task with SIGKILL pending forks no more).
 */
#include "rsc_int.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#define RSC_KILL_ROUNDS 64

long rsc_procs_each(const char *dir, void (*fn)(void *ctx, pid_t pid), void *ctx)
{
	char path[RSC_PATH_MAX + 32], buf[4096];
	unsigned long v = 0;
	long count = 0;
	int fd, digits = 0, bad = 0;
	ssize_t n;
	if ((size_t)snprintf(path, sizeof(path), "%s/cgroup.procs", dir) >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		for (ssize_t k = 0; k < n; k++) {
			unsigned d = (unsigned char)buf[k] - '0';
			if (d <= 9) {
				bad |= v > 0x7fffffff / 10;
				v = v * 10 + d;
				digits = 1;
				continue;
			}
			if (buf[k] == '\n' && digits && !bad && v <= 0x7fffffff) {
				fn(ctx, (pid_t)v);
				count++;
			}
			v = 0;
			digits = bad = 0;
		}
	}
	close(fd);
	return count;
}

struct rsc_kill {
	int sig;
	pid_t self, skip;
	long sent;
};

static void rsc_kill_pid(void *ctx, pid_t pid)
{
	struct rsc_kill *k = ctx;
	if (pid <= 0 || pid == k->self || (k->skip > 0 && getpgid(pid) == k->skip))
		return;
	if (kill(pid, k->sig) == 0)
		k->sent++;
}

int rsc_signal(struct rsc *r, size_t i, int sig, pid_t skip_pgrp)
{
	const char *dir = rsc_proc_dir(r, i);
	struct rsc_kill k = { sig, 0, sig == SIGKILL ? 0 : skip_pgrp, 0 };
	if (!dir) {
		errno = ENOENT;
		return -1;
	}
	k.self = getpid();   /* only now: no cgroup (a namespace) costs no call */
	if (sig == SIGKILL && r->tree.has_kill && rsc_write(r, dir, "cgroup.kill", "1") == 0)
		return 0;
	if (sig != SIGKILL)
		return rsc_procs_each(dir, rsc_kill_pid, &k) < 0 ? -1 : 0;
	for (int round = 0; round < RSC_KILL_ROUNDS; round++) {
		k.sent = 0;
		if (rsc_procs_each(dir, rsc_kill_pid, &k) < 0)
			return round ? 0 : -1;
		if (!k.sent)
			break;
	}
	return 0;
}

int rsc_populated(const struct rsc *r, size_t i)
{
	char buf[256];
	uint64_t v;
	ssize_t n;
	if (!rsc_proc_dir(r, i))
		return -1;
	n = rsc_read_fd(r->procs[i].cg.cg_events_fd, buf, sizeof(buf));
	if (n < 0 || rsc_parse_key(buf, (size_t)n, "populated", &v) < 0)
		return -1;
	return v != 0;
}

/* What failed, after what failed before it ("; " between). */
static void protect_failed(char *err, size_t len, const char *what)
{
	size_t n = strlen(err);
	snprintf(err + n, len - n, "%s%s: %s", n ? "; " : "", what, strerror(errno));
}

/* Each is tried, and every failure told: none stops PID 1. */
int rsc_protect_self(int *oom_before, char *err, size_t len)
{
	char v[16];
	int fd = open("/proc/self/oom_score_adj", O_RDWR | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, v, sizeof(v) - 1);
	err[0] = 0;
	*oom_before = 0;   /* the kernel's, when it cannot be read */
	if (n > 0) {
		v[n] = '\0';
		*oom_before = (int)strtol(v, NULL, 10);
	}
	if (fd < 0 || lseek(fd, 0, SEEK_SET) < 0 || write(fd, "-1000", 5) != 5)
		protect_failed(err, len, "/proc/self/oom_score_adj");
	if (fd >= 0)
		close(fd);
	if (mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) < 0)
		protect_failed(err, len, "mlockall");
	if (setpriority(PRIO_PROCESS, 0, RSC_PID1_NICE) < 0) {
		protect_failed(err, len, "nice " RSC_PID1_NICE_S);
		return -1;
	}
	/* With autogroups a session competes for the CPU as one, at its
	 * autogroup's nice: PID 1 leads a session of its own (a container's
	 * runtime may have made it one; never one it shares, whose nice would
	 * be others' too) and gives its autogroup its nice. Without
	 * autogroups (no file) its own nice is all. */
	if (getsid(0) != getpid())
		setsid();
	fd = getsid(0) == getpid() ? open("/proc/self/autogroup", O_WRONLY | O_CLOEXEC) : -1;
	if (fd >= 0) {
		if (write(fd, RSC_PID1_NICE_S, sizeof(RSC_PID1_NICE_S) - 1) < 0)
			protect_failed(err, len, "/proc/self/autogroup");
		close(fd);
	}
	return err[0] ? -1 : 0;
}
