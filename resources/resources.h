/* resources.h - cgroup v2: PID 1 in a cgroup of its own, each process in
 * its own with the spec's limits, stop by cgroup, usage and OOM kills read
 * from the cgroup (docs/resources.md).
 *
 * The tree, under the cgroup vminit finds itself in (BASE, "/" in a VM):
 *   BASE/vminit      PID 1 alone; memory.min = RSC_RESERVE_BYTES
 *   BASE/app/NAME    process NAME: its prestart hooks, main process, execs
 *                    (memory.max, memory.swap.max 0, memory.oom.group 1,
 *                    cpu.weight, pids.max)
 *   BASE/exec        `exec` without a process
 * with memory, pids and cpu enabled in BASE's and BASE/app's subtree_control
 * (those the kernel offers: the others are named in the tree's error).
 *
 * vminit takes BASE over only when it is delegated: every task in it is
 * PID 1 itself, or BASE is the hierarchy's root and every task in it is in
 * PID 1's pid namespace (a VM's first process: only kernel threads beside
 * it). Otherwise (a namespace test in the host's root cgroup) the tree is
 * off, says why, and every process runs as without cgroups.
 *
 * Every file this module reads is read through an fd opened once (pread at
 * 0): status costs no open. memory.events is watched on the loop (EPOLLPRI):
 * an OOM kill in a process's cgroup is reported at once through the oom hook.
 */
#ifndef VMINIT_RESOURCES_H
#define VMINIT_RESOURCES_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/loop.h"
#include "spec/spec.h"

/* PID 1's memory.min: what the kernel does not reclaim from it. */
#define RSC_RESERVE_BYTES (16ull << 20)
#define RSC_PATH_MAX 512

enum rsc_ctrl { RSC_MEMORY = 1u, RSC_PIDS = 2u, RSC_CPU = 4u };

struct rsc_tree {
	int on;                     /* 1: vminit owns BASE and made the tree */
	char error[256];            /* why off; or, when on, what is missing
	                             * ("no memory controller: ..."), or "" */
	char mount[RSC_PATH_MAX];   /* where cgroup2 is mounted */
	char base[RSC_PATH_MAX];    /* BASE's path in the hierarchy: "/" ... */
	unsigned ctrls;             /* enum rsc_ctrl: enabled for processes */
	int has_kill;               /* cgroup.kill exists (Linux 5.14) */
	int reserve;                /* memory.min set on BASE/vminit */
};

/* What a cgroup says (status). -1: unknown (no such file, no controller). */
struct rsc_stats {
	int64_t memory_current, memory_peak, memory_max;   /* bytes; max -1: "max" */
	int64_t cpu_usage_usec, cpu_user_usec, cpu_system_usec;
	int64_t tasks, pids_max;                           /* pids_max -1: "max" */
	int64_t cpu_weight;
	uint64_t oom_kills;          /* memory.events oom_kill, since boot */
};

/* memory.events. */
struct rsc_events {
	uint64_t low, high, max, oom, oom_kill, oom_group_kill;
};

enum rsc_oom_kind {
	RSC_OOM_NONE,
	RSC_OOM_LIMIT,     /* the cgroup hit its memory.max ("limit") */
	RSC_OOM_VM,        /* the VM ran short: a global OOM kill ("vm") */
};

struct rsc_oom {
	enum rsc_oom_kind kind;
	uint64_t kills;          /* in this report (the oom hook) or this run */
	int64_t limit, peak;     /* memory.max and memory.peak, -1 unknown */
};

struct rsc_hooks {
	/* OOM kills happened in process i's cgroup, seen on the loop. */
	void (*oom)(void *ctx, size_t i, const struct rsc_oom *o);
	void *ctx;
};

/* For tests: where the kernel's files are. NULL members: the real ones
 * ("/proc/self/mountinfo", "/proc/self/cgroup"). plain_files: the tree is
 * plain files in a temporary directory (a write creates the file and
 * appends). no_kill: act as if the kernel had no cgroup.kill. */
struct rsc_paths {
	const char *mountinfo, *self_cgroup;
	int plain_files, no_kill;
};

struct rsc;

/* Make the tree (or find it off) and one cgroup per process of spec, with
 * its limits. NULL only when out of memory. Never fails otherwise: what
 * cannot be made is in rsc_tree()->error and the process goes without. */
struct rsc *rsc_new(struct loop *l, const struct spec *spec, const struct rsc_hooks *h,
		    const struct rsc_paths *paths);
void rsc_free(struct rsc *r);
const struct rsc_tree *rsc_tree(const struct rsc *r);

/* The directory process i's children join (spawn.h's cgroup), or NULL. */
const char *rsc_proc_dir(const struct rsc *r, size_t i);
/* ... and `exec` without a process. */
const char *rsc_exec_dir(const struct rsc *r);
/* The error process i's cgroup met ("" none), for status. */
const char *rsc_proc_error(const struct rsc *r, size_t i);

/* Signal every task in process i's cgroup but those in process group
 * skip_pgrp (already signalled through it: a handler must not see the
 * signal twice; 0: none); SIGKILL: cgroup.kill, or (no cgroup.kill) every
 * task killed until none is left, in bounded rounds, none skipped.
 * 0, or -1 when it has no cgroup. */
int rsc_signal(struct rsc *r, size_t i, int sig, pid_t skip_pgrp);
/* 1 while process i's cgroup has a task, 0 when empty, -1 unknown. */
int rsc_populated(const struct rsc *r, size_t i);

/* A run of process i begins (its first hook or main process spawned): OOM
 * kills are counted from here. */
void rsc_run_started(struct rsc *r, size_t i);
/* The run ended (its main process exited): memory.events read now. 1 with
 * ret filled if the run saw an OOM kill, else 0. */
int rsc_run_ended(struct rsc *r, size_t i, struct rsc_oom *ret);
/* The last run's OOM, for status (kind NONE: none). */
const struct rsc_oom *rsc_last_oom(const struct rsc *r, size_t i);

/* Process i's cgroup now: 0, or -1 (it has none). */
int rsc_stats(const struct rsc *r, size_t i, struct rsc_stats *ret);
/* PID 1's own cgroup (BASE/vminit). */
int rsc_self_stats(const struct rsc *r, struct rsc_stats *ret);

/* Parsers of the kernel's files, exposed for the unit tests and the fuzzer.
 * Bytes in, never trusted: 0, or -1 when key is absent or malformed. */
int rsc_parse_key(const char *buf, size_t len, const char *key, uint64_t *ret);  /* "key N\n" lines */
int rsc_parse_max(const char *buf, size_t len, int64_t *ret);   /* "N\n" or "max\n" (-1) */
int rsc_parse_events(const char *buf, size_t len, struct rsc_events *ret);
/* A /proc/self/cgroup: the "0::PATH" line's PATH into ret. */
int rsc_parse_self_cgroup(const char *buf, size_t len, char *ret, size_t retlen);
/* A /proc/self/mountinfo: the mount point of the cgroup2 file system whose
 * root is "/", into ret (octal escapes undone). */
int rsc_parse_mountinfo(const char *buf, size_t len, char *ret, size_t retlen);

/* PID 1 only: oom_score_adj -1000 (never the OOM killer's choice), its
 * pages locked in memory (mlockall, current and future, on fault), and nice
 * RSC_PID1_NICE, for itself and, leading a session of its own, for its
 * autogroup: reaping and forwarding a signal do not wait behind a busy
 * process (docs/resources.md). 0, or -1 with every failure in err (len
 * bytes: 256 hold them all); each is only a warning. */
#define RSC_PID1_NICE -10
#define RSC_PID1_NICE_S "-10"
/* The cpu.weight the kernel makes of cpu.weight.nice RSC_PID1_NICE (its
 * nice -10 weight 9548, as 100 is 1024): PID 1's cgroup (rsc_tree_make). */
#define RSC_PID1_WEIGHT 932
/* *oom_before: its oom_score_adj before (0 if it could not be read). */
int rsc_protect_self(int *oom_before, char *err, size_t len);

#endif
