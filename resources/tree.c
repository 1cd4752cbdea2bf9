/* tree.c - the cgroup tree vminit makes at boot (resources.h): where cgroup2
 * is, whether BASE is ours, BASE/vminit with PID 1 in it, the controllers,
 * BASE/app and BASE/exec, and one cgroup per process with its limits.
 *
 * Invariants: nothing here aborts; what cannot be made is written in the
 * tree's or the process's error, and that part goes without a cgroup (a
 * process without one runs as before this module). Every buffer is fixed;
 * files of any length are read a buffer at a time. Nothing is ever removed:
 * the tree lives as long as the VM, and a cgroup left from before (EEXIST)
 * is used as it is.
 */
#include "rsc_int.h"
#include "base/path.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct { const char *name; unsigned bit; } rsc_ctrls[] = {
	{ "memory", RSC_MEMORY }, { "pids", RSC_PIDS }, { "cpu", RSC_CPU },
};

int rsc_write(const struct rsc *r, const char *dir, const char *name, const char *value)
{
	char path[RSC_PATH_MAX + 32], kpath[RSC_PATH_MAX + 64];
	size_t len = strlen(value);
	int fd, e;
	ssize_t n;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/* Beneath PID 1's read-only /sys (path.h) once it has one. */
	fd = open(path_kernel(path, kpath, sizeof(kpath)), O_WRONLY | O_CLOEXEC | (r->plain ? O_CREAT | O_APPEND : 0),
		  0644);
	if (fd < 0)
		return -1;
	do
		n = write(fd, value, len);
	while (n < 0 && errno == EINTR);
	e = n < 0 ? errno : EIO;
	close(fd);
	if (n == (ssize_t)len)
		return 0;
	errno = e;
	return -1;
}

static int rsc_fail(struct rsc *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int rsc_fail(struct rsc *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->tree.error, sizeof(r->tree.error), fmt, ap);
	va_end(ap);
	return -1;
}

/* Feed path's whole lines, a buffer at a time, to parse; a later success
 * overwrites an earlier one. A line longer than the buffer is skipped
 * whole. 0 if parse succeeded on some block, else -1. */
static int rsc_scan(const char *path, int (*parse)(const char *, size_t, char *, size_t),
		    char *ret, size_t retlen)
{
	char buf[8192];
	size_t have = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), found = -1, skip = 0;
	ssize_t n;
	if (fd < 0)
		return -1;
	for (;;) {
		char *nl;
		n = read(fd, buf + have, sizeof(buf) - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		have += (size_t)n;
		if (skip) {
			if (!(nl = memchr(buf, '\n', have))) {
				have = 0;
				continue;
			}
			have -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, have);
			skip = 0;
		}
		if ((nl = memrchr(buf, '\n', have))) {
			size_t done = (size_t)(nl + 1 - buf);
			if (parse(buf, done, ret, retlen) == 0)
				found = 0;
			have -= done;
			memmove(buf, nl + 1, have);
		} else if (have == sizeof(buf)) {
			have = 0;
			skip = 1;
		}
	}
	close(fd);
	return found;
}

struct rsc_deleg {
	pid_t self;
	long outside, other;
	pid_t other_pid;
};

static void rsc_deleg_pid(void *ctx, pid_t pid)
{
	struct rsc_deleg *d = ctx;
	if (pid == 0)
		d->outside++;
	else if (pid != d->self && !d->other++)
		d->other_pid = pid;
}

/* The initial namespaces' fixed inode numbers (linux/proc_ns.h). */
#define RSC_INIT_PID_NS 0xEFFFFFFCU
#define RSC_INIT_CGROUP_NS 0xEFFFFFFBU

static int rsc_init_ns(const char *link, unsigned long ino)
{
	struct stat st;
	return stat(link, &st) == 0 && st.st_ino == ino;
}

/* For the root, what reading its cgroup.procs would say (it lists every
 * task of the machine: a read that took more than every other boot step),
 * when the namespaces tell: in the initial pid namespace every task is
 * ours (a VM); in the initial cgroup namespace but not that pid namespace,
 * the root is the host's, where kthreadd always is (it cannot be moved),
 * outside our pid namespace (a container). 0, -1 (not delegated), or 1:
 * read it. */
static int rsc_root_known(const struct rsc *r)
{
	if (strcmp(r->tree.base, "/") || !r->proc)
		return 1;
	if (rsc_init_ns("/proc/self/ns/pid", RSC_INIT_PID_NS))
		return 0;
	return rsc_init_ns("/proc/self/ns/cgroup", RSC_INIT_CGROUP_NS) ? -1 : 1;
}

/* BASE is ours when every task in it is PID 1, or BASE is the root and
 * every task in it is in our pid namespace (a task outside reads as 0). */
static int rsc_delegated(struct rsc *r, int known)
{
	struct rsc_deleg d = { .self = getpid() };
	const char *base = r->tree.base;
	if (known <= 0)
		return known ? rsc_fail(r, "cgroup /: not delegated: it holds tasks outside vminit's pid namespace")
			     : 0;
	if (rsc_procs_each(r->basedir, rsc_deleg_pid, &d) < 0)
		return rsc_fail(r, "cgroup %s: cgroup.procs: %s", base, strerror(errno));
	if (d.outside)
		return rsc_fail(r, "cgroup %s: not delegated: it holds tasks outside vminit's pid namespace",
				base);
	if (d.other && strcmp(base, "/"))
		return rsc_fail(r, "cgroup %s: not delegated: it holds other processes (pid %ld)", base,
				(long)d.other_pid);
	return 0;
}

/* A subdirectory of BASE, made if missing, its path into ret. */
static int rsc_mkdir(struct rsc *r, const char *name, char *ret)
{
	if ((size_t)snprintf(ret, RSC_PATH_MAX, "%s/%s", r->basedir, name) >= RSC_PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return mkdir(ret, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

/* The words of BASE/cgroup.controllers we want, as enum rsc_ctrl bits. */
static unsigned rsc_offered(struct rsc *r)
{
	char path[RSC_PATH_MAX + 32], buf[512], *save = NULL;
	unsigned bits = 0;
	ssize_t n = -1;
	int fd;
	snprintf(path, sizeof(path), "%s/cgroup.controllers", r->basedir);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		n = rsc_read_fd(fd, buf, sizeof(buf));
		close(fd);
	}
	if (n < 0)
		return 0;
	for (char *w = strtok_r(buf, " \n", &save); w; w = strtok_r(NULL, " \n", &save))
		for (size_t k = 0; k < sizeof(rsc_ctrls) / sizeof(rsc_ctrls[0]); k++)
			if (!strcmp(w, rsc_ctrls[k].name))
				bits |= rsc_ctrls[k].bit;
	return bits;
}

/* Enable what is offered in BASE's and BASE/app's subtree_control, one at
 * a time (one refused must not keep the others off); name the rest. */
static void rsc_enable(struct rsc *r, const char *app)
{
	unsigned offered = rsc_offered(r);
	char missing[64] = "", why[96] = "";
	size_t nmissing = 0;
	for (size_t k = 0; k < sizeof(rsc_ctrls) / sizeof(rsc_ctrls[0]); k++) {
		char plus[16];
		snprintf(plus, sizeof(plus), "+%s", rsc_ctrls[k].name);
		if ((offered & rsc_ctrls[k].bit) &&
		    rsc_write(r, r->basedir, "cgroup.subtree_control", plus) == 0 &&
		    rsc_write(r, app, "cgroup.subtree_control", plus) == 0) {
			r->tree.ctrls |= rsc_ctrls[k].bit;
			continue;
		}
		if ((offered & rsc_ctrls[k].bit) && !why[0])
			snprintf(why, sizeof(why), " (%s: %s)", plus, strerror(errno));
		snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing), "%s%s",
			 nmissing++ ? ", " : "", rsc_ctrls[k].name);
	}
	if (nmissing)
		rsc_fail(r, "no %s controller%s%s: limits not enforced", missing, nmissing > 1 ? "s" : "",
			 why);
}

/* The boot steps in order, each failure its own message. */
static int rsc_tree_make(struct rsc *r, const struct rsc_paths *paths)
{
	const char *mi = paths && paths->mountinfo ? paths->mountinfo : "/proc/self/mountinfo";
	const char *sc = paths && paths->self_cgroup ? paths->self_cgroup : "/proc/self/cgroup";
	struct rsc_tree *t = &r->tree;
	char app[RSC_PATH_MAX];
	int known;
	/* Our cgroup first: a container's root is known not to be ours
	 * before mountinfo is read (rsc_root_known). */
	if (rsc_scan(sc, rsc_parse_self_cgroup, t->base, sizeof(t->base)) < 0)
		return rsc_fail(r, "%s: no cgroup2 entry", sc);
	if ((known = rsc_root_known(r)) < 0)
		return rsc_delegated(r, known);
	if (rsc_scan(mi, rsc_parse_mountinfo, t->mount, sizeof(t->mount)) < 0)
		return rsc_fail(r, "no cgroup2 file system mounted (%s)", mi);
	if ((size_t)snprintf(r->basedir, sizeof(r->basedir), "%s%s", t->mount,
			     strcmp(t->base, "/") ? t->base : "") >= sizeof(r->basedir))
		return rsc_fail(r, "cgroup %s: path too long", t->base);
	if (rsc_delegated(r, known) < 0)
		return -1;
	if (rsc_mkdir(r, "vminit", r->self.dir) < 0 || rsc_write(r, r->self.dir, "cgroup.procs", "0") < 0)
		return rsc_fail(r, "%s: %s", r->self.dir, strerror(errno));
	if (rsc_mkdir(r, "app", app) < 0 || rsc_mkdir(r, "exec", r->execdir) < 0) {
		r->execdir[0] = '\0';
		return rsc_fail(r, "%s: %s", app, strerror(errno));
	}
	rsc_enable(r, app);
	if (t->ctrls & RSC_MEMORY) {
		char num[24];
		snprintf(num, sizeof(num), "%llu", (unsigned long long)RSC_RESERVE_BYTES);
		t->reserve = rsc_write(r, r->self.dir, "memory.min", num) == 0;
		if (!t->reserve && !t->error[0])
			rsc_fail(r, "%s/memory.min: %s: no memory reserved for vminit", r->self.dir,
				 strerror(errno));
	}
	/* The root has no cgroup.kill: look in app (Linux 5.14 and later). */
	t->has_kill = !(paths && paths->no_kill) && strlen(app) + 13 < sizeof(app) &&
		      access(strcat(app, "/cgroup.kill"), F_OK) == 0;
	r->self.memory_max = r->self.pids_max = -1;
	r->self.cpu_weight = (t->ctrls & RSC_CPU) ? 100 : -1;
	/* PID 1's cgroup weighs against app/ as its nice would against a
	 * process (rsc_protect_self): a task outside the root cgroup is out of
	 * its autogroup's reach, so nice alone would weigh only within
	 * vminit/, where PID 1 is alone. */
	if ((t->ctrls & RSC_CPU) && rsc_write(r, r->self.dir, "cpu.weight.nice", RSC_PID1_NICE_S) == 0)
		r->self.cpu_weight = RSC_PID1_WEIGHT;
	rsc_cg_open(&r->self);
	t->on = 1;
	return 0;
}

static int rsc_proc_fail(struct rsc_proc *p, const char *what)
{
	snprintf(p->error, sizeof(p->error), "cgroup %s: %s", what, strerror(errno));
	return -1;
}

static int rsc_put(struct rsc *r, struct rsc_proc *p, const char *dir, const char *name, int64_t v)
{
	char num[24];
	snprintf(num, sizeof(num), "%lld", (long long)v);
	if (rsc_write(r, dir, name, num) == 0 || (!strcmp(name, "memory.swap.max") && errno == ENOENT))
		return 0;
	return rsc_proc_fail(p, name);
}

static void rsc_oom_io(struct loop *l, struct loop_io *io, uint32_t events)
{
	struct rsc_proc *p = io->ctx;
	(void)l;
	(void)events;
	rsc_check_oom(p->r, p->i);
}

/* Process i's cgroup with its limits; on any failure, none (and why). */
static void rsc_proc_make(struct rsc *r, struct rsc_proc *p, const struct spec_process *sp)
{
	char dir[RSC_PATH_MAX];
	unsigned c = r->tree.ctrls;
	long pids = sp->pids_max > 0 ? sp->pids_max : SPEC_PIDS_DEFAULT;
	double w = sp->cpu * 100 + 0.5;
	int64_t weight = !(w >= 1) ? 1 : w > 10000 ? 10000 : (int64_t)w;
	if (!sp->name || !sp->name[0] || strchr(sp->name, '/') || !strcmp(sp->name, ".") ||
	    !strcmp(sp->name, "..")) {
		snprintf(p->error, sizeof(p->error), "cgroup: a process name that is no directory name");
		return;
	}
	if ((size_t)snprintf(dir, sizeof(dir), "%s/app/%s", r->basedir, sp->name) >= sizeof(dir)) {
		snprintf(p->error, sizeof(p->error), "cgroup: its path is too long");
		return;
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		rsc_proc_fail(p, dir);
		return;
	}
	if (((c & RSC_MEMORY) &&
	     ((sp->memory_bytes && rsc_put(r, p, dir, "memory.max", (int64_t)sp->memory_bytes) < 0) ||
	      rsc_put(r, p, dir, "memory.swap.max", 0) < 0 || rsc_put(r, p, dir, "memory.oom.group", 1) < 0)) ||
	    ((c & RSC_CPU) && rsc_put(r, p, dir, "cpu.weight", weight) < 0) ||
	    ((c & RSC_PIDS) && rsc_put(r, p, dir, "pids.max", pids) < 0))
		return;
	memcpy(p->cg.dir, dir, sizeof(dir));
	p->cg.memory_max = (c & RSC_MEMORY) && sp->memory_bytes ? (int64_t)sp->memory_bytes : -1;
	p->cg.cpu_weight = (c & RSC_CPU) ? weight : -1;
	p->cg.pids_max = (c & RSC_PIDS) ? pids : -1;
	rsc_cg_open(&p->cg);
	if (p->cg.events_fd < 0)
		return;
	rsc_run_started(r, p->i);
	p->seen = p->at_start;
	if (r->l && loop_io_add(r->l, &p->io, p->cg.events_fd, EPOLLPRI, rsc_oom_io, p) < 0)
		snprintf(p->error, sizeof(p->error), "cgroup memory.events: %s: OOM kills not watched",
			 strerror(errno));
}

static void rsc_cg_init(struct rsc_cg *cg)
{
	cg->dir[0] = '\0';
	cg->events_fd = cg->current_fd = cg->peak_fd = cg->cpu_fd = cg->pids_fd = cg->cg_events_fd = -1;
	cg->memory_max = cg->pids_max = cg->cpu_weight = -1;
}

struct rsc *rsc_new(struct loop *l, const struct spec *spec, const struct rsc_hooks *h,
		    const struct rsc_paths *paths)
{
	struct rsc *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->nprocs = spec ? spec->nprocs : 0;
	if (!(r->procs = calloc(r->nprocs ? r->nprocs : 1, sizeof(*r->procs)))) {
		free(r);
		return NULL;
	}
	r->l = l;
	if (h)
		r->hooks = *h;
	r->plain = paths && paths->plain_files;
	r->proc = !paths || (!paths->mountinfo && !paths->self_cgroup);
	rsc_cg_init(&r->self);
	for (size_t i = 0; i < r->nprocs; i++) {
		struct rsc_proc *p = &r->procs[i];
		rsc_cg_init(&p->cg);
		p->r = r;
		p->i = i;
		p->io.fd = -1;
		p->last = (struct rsc_oom){ RSC_OOM_NONE, 0, -1, -1 };
	}
	if (rsc_tree_make(r, paths) == 0)
		for (size_t i = 0; i < r->nprocs; i++)
			rsc_proc_make(r, &r->procs[i], &spec->procs[i]);
	return r;
}

void rsc_free(struct rsc *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nprocs; i++) {
		if (r->l)
			loop_io_del(r->l, &r->procs[i].io);
		rsc_cg_close(&r->procs[i].cg);
	}
	rsc_cg_close(&r->self);
	free(r->procs);
	free(r);
}

const struct rsc_tree *rsc_tree(const struct rsc *r)
{
	return &r->tree;
}

const char *rsc_proc_dir(const struct rsc *r, size_t i)
{
	return r && i < r->nprocs && r->procs[i].cg.dir[0] ? r->procs[i].cg.dir : NULL;
}

const char *rsc_exec_dir(const struct rsc *r)
{
	return r && r->tree.on && r->execdir[0] ? r->execdir : NULL;
}

const char *rsc_proc_error(const struct rsc *r, size_t i)
{
	return r && i < r->nprocs ? r->procs[i].error : "";
}
