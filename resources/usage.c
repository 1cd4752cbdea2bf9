/* usage.c - what the cgroups say (resources.h): status's figures and the
 * OOM kills, read through the fds opened once when a cgroup is made.
 *
 * Invariants: every read is a pread at 0 of a kernfs file into a fixed
 * buffer (fast, in memory, never blocks). The memory.events watch never
 * spins: each wake reads the file (which is what re-arms kernfs's poll), and
 * a read that fails takes the watch off the loop for good.
 *
 * OOM kills are told apart by memory.events: oom_kill counts the tasks the
 * kernel killed in the cgroup for any reason, oom the times the cgroup hit
 * its own memory.max. Kills with oom grown since the last report are the
 * limit's; kills without are the VM's (a global OOM picked a task here).
 */
#include "rsc_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const struct rsc_oom rsc_no_oom = { RSC_OOM_NONE, 0, -1, -1 };

ssize_t rsc_read_fd(int fd, char *buf, size_t size)
{
	ssize_t n;
	if (fd < 0 || size == 0) {
		errno = EBADF;
		return -1;
	}
	do
		n = pread(fd, buf, size - 1, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

static int rsc_open_in(const char *dir, const char *name)
{
	char path[RSC_PATH_MAX + 32];
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return -1;
	return open(path, O_RDONLY | O_CLOEXEC);
}

void rsc_cg_open(struct rsc_cg *cg)
{
	cg->events_fd = rsc_open_in(cg->dir, "memory.events");
	cg->current_fd = rsc_open_in(cg->dir, "memory.current");
	cg->peak_fd = rsc_open_in(cg->dir, "memory.peak");
	cg->cpu_fd = rsc_open_in(cg->dir, "cpu.stat");
	cg->pids_fd = rsc_open_in(cg->dir, "pids.current");
	cg->cg_events_fd = rsc_open_in(cg->dir, "cgroup.events");
}

void rsc_cg_close(struct rsc_cg *cg)
{
	int *fds[] = { &cg->events_fd, &cg->current_fd, &cg->peak_fd,
		       &cg->cpu_fd, &cg->pids_fd, &cg->cg_events_fd };
	for (size_t k = 0; k < sizeof(fds) / sizeof(fds[0]); k++) {
		if (*fds[k] >= 0)
			close(*fds[k]);
		*fds[k] = -1;
	}
}

/* A file of one number ("max" too): the number, or -1. */
static int64_t rsc_read_num(int fd)
{
	char buf[64];
	ssize_t n = rsc_read_fd(fd, buf, sizeof(buf));
	int64_t v;
	return n >= 0 && rsc_parse_max(buf, (size_t)n, &v) == 0 ? v : -1;
}

static int rsc_read_events(int fd, struct rsc_events *ret)
{
	char buf[512];
	ssize_t n = rsc_read_fd(fd, buf, sizeof(buf));
	if (n < 0)
		return -1;
	if (rsc_parse_events(buf, (size_t)n, ret) < 0) {
		errno = EPROTO;
		return -1;
	}
	return 0;
}

static int64_t rsc_key_or(const char *buf, ssize_t n, const char *key)
{
	uint64_t v;
	return n >= 0 && rsc_parse_key(buf, (size_t)n, key, &v) == 0 && v <= INT64_MAX ? (int64_t)v : -1;
}

static int rsc_cg_stats(const struct rsc_cg *cg, struct rsc_stats *ret)
{
	char buf[1024];
	ssize_t n;
	struct rsc_events e;
	if (!cg->dir[0])
		return -1;
	ret->memory_current = rsc_read_num(cg->current_fd);
	ret->memory_peak = rsc_read_num(cg->peak_fd);
	ret->memory_max = cg->memory_max;
	n = rsc_read_fd(cg->cpu_fd, buf, sizeof(buf));
	ret->cpu_usage_usec = rsc_key_or(buf, n, "usage_usec");
	ret->cpu_user_usec = rsc_key_or(buf, n, "user_usec");
	ret->cpu_system_usec = rsc_key_or(buf, n, "system_usec");
	ret->tasks = rsc_read_num(cg->pids_fd);
	ret->pids_max = cg->pids_max;
	ret->cpu_weight = cg->cpu_weight;
	ret->oom_kills = rsc_read_events(cg->events_fd, &e) == 0 ? e.oom_kill : 0;
	return 0;
}

int rsc_stats(const struct rsc *r, size_t i, struct rsc_stats *ret)
{
	if (!r || i >= r->nprocs)
		return -1;
	return rsc_cg_stats(&r->procs[i].cg, ret);
}

int rsc_self_stats(const struct rsc *r, struct rsc_stats *ret)
{
	return r && r->tree.on ? rsc_cg_stats(&r->self, ret) : -1;
}

/* kills since from, with their kind, limit and peak. */
static struct rsc_oom rsc_oom_since(const struct rsc_proc *p, const struct rsc_events *from,
				    const struct rsc_events *now)
{
	struct rsc_oom o = rsc_no_oom;
	if (now->oom_kill <= from->oom_kill)
		return o;
	o.kind = now->oom > from->oom ? RSC_OOM_LIMIT : RSC_OOM_VM;
	o.kills = now->oom_kill - from->oom_kill;
	o.limit = p->cg.memory_max;
	o.peak = rsc_read_num(p->cg.peak_fd);
	return o;
}

/* `seen` moves only when kills are reported: the kernel counts oom before
 * it kills, and a wake between the two must not lose the oom. */
void rsc_check_oom(struct rsc *r, size_t i)
{
	struct rsc_proc *p = &r->procs[i];
	struct rsc_events e;
	struct rsc_oom o;
	if (p->cg.events_fd < 0)
		return;
	if (rsc_read_events(p->cg.events_fd, &e) < 0) {
		if (r->l)
			loop_io_del(r->l, &p->io);
		snprintf(p->error, sizeof(p->error), "cgroup memory.events: %s: OOM kills no longer watched",
			 strerror(errno));
		return;
	}
	o = rsc_oom_since(p, &p->seen, &e);
	if (o.kind == RSC_OOM_NONE)
		return;
	p->seen = e;
	if (r->hooks.oom)
		r->hooks.oom(r->hooks.ctx, i, &o);
}

void rsc_run_started(struct rsc *r, size_t i)
{
	struct rsc_proc *p;
	if (!r || i >= r->nprocs)
		return;
	p = &r->procs[i];
	if (rsc_read_events(p->cg.events_fd, &p->at_start) < 0)
		memset(&p->at_start, 0, sizeof(p->at_start));
}

int rsc_run_ended(struct rsc *r, size_t i, struct rsc_oom *ret)
{
	struct rsc_proc *p;
	struct rsc_events e;
	if (!r || i >= r->nprocs)
		return 0;
	p = &r->procs[i];
	/* Kills the loop has not seen yet are told now, before the exit: each
	 * once, and none lost. */
	rsc_check_oom(r, i);
	if (rsc_read_events(p->cg.events_fd, &e) < 0) {
		p->last = rsc_no_oom;
		return 0;
	}
	p->last = rsc_oom_since(p, &p->at_start, &e);
	if (p->last.kind == RSC_OOM_NONE)
		return 0;
	if (ret)
		*ret = p->last;
	return 1;
}

const struct rsc_oom *rsc_last_oom(const struct rsc *r, size_t i)
{
	return r && i < r->nprocs ? &r->procs[i].last : &rsc_no_oom;
}
