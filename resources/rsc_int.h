/* rsc_int.h - what the files of resources/ share, and the unit tests see:
 * the objects behind struct rsc, and the small helpers the files share.
 * Not for other modules: they use resources.h.
 */
#ifndef VMINIT_RSC_INT_H
#define VMINIT_RSC_INT_H

#include "resources.h"

/* A cgroup vminit made, with the files status reads kept open (-1: the
 * file is absent, e.g. no such controller). */
struct rsc_cg {
	char dir[RSC_PATH_MAX];     /* full path; "" when there is none */
	int events_fd;              /* memory.events */
	int current_fd, peak_fd;    /* memory.current, memory.peak */
	int cpu_fd;                 /* cpu.stat */
	int pids_fd;                /* pids.current */
	int cg_events_fd;           /* cgroup.events ("populated N") */
	int64_t memory_max, pids_max, cpu_weight;   /* as written; -1: none */
};

struct rsc_proc {
	struct rsc_cg cg;
	char error[192];
	struct rsc *r;              /* the io's ctx leads back here */
	size_t i;
	struct loop_io io;          /* memory.events, EPOLLPRI */
	struct rsc_events seen;     /* what the oom hook was told of */
	struct rsc_events at_start; /* at rsc_run_started */
	struct rsc_oom last;
};

struct rsc {
	struct loop *l;
	struct rsc_hooks hooks;
	struct rsc_tree tree;
	int plain;                  /* rsc_paths.plain_files */
	int proc;                   /* the real /proc/self (no paths given):
	                             * its namespaces may answer (tree.c) */
	char basedir[RSC_PATH_MAX]; /* mount + base */
	char execdir[RSC_PATH_MAX]; /* "" when off */
	struct rsc_cg self;         /* BASE/vminit */
	struct rsc_proc *procs;
	size_t nprocs;
};

/* Write value to dir/name. 0, or -1 with errno. */
int rsc_write(const struct rsc *r, const char *dir, const char *name, const char *value);
/* pread at 0 into buf (NUL-terminated); the length, or -1. */
ssize_t rsc_read_fd(int fd, char *buf, size_t size);
/* Open cg's kept files; close them. */
void rsc_cg_open(struct rsc_cg *cg);
void rsc_cg_close(struct rsc_cg *cg);
/* Call fn on each pid in dir/cgroup.procs, read through a fixed buffer.
 * The number of pids, or -1 with errno if it cannot be read. */
long rsc_procs_each(const char *dir, void (*fn)(void *ctx, pid_t pid), void *ctx);
/* What memory.events says now for process i, reported if it grew: the io's
 * work, and the tests'. */
void rsc_check_oom(struct rsc *r, size_t i);

#endif
