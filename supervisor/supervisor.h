/* supervisor.h - every process of a spec, supervised from PID 1's loop. */
#ifndef VMINIT_SUPERVISOR_H
#define VMINIT_SUPERVISOR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "spec/spec.h"
#include "spawn.h"
#include "svc.h"

struct loop;
struct sup;

struct sup_hooks {
	/* A process settled (exited, failed, or stopped): the caller checks
	 * whether all work is done. */
	void (*settled)(void *ctx);
	/* Something happened to process i (for the host's event stream). */
	void (*event)(void *ctx, size_t i, const struct svc *s, enum svc_event ev, long arg);
	/* Process i wrote a line (stream 1: stdout, 2: stderr): every line,
	 * whether the console's budget let it through or not. */
	void (*log)(void *ctx, size_t i, int stream, const char *line, size_t len, int plain);
	/* How many bytes and lines of output may be read now
	 * (supervisor/output.h's room); NULL: no limit. sup_output_resume()
	 * when there is room again. */
	size_t (*log_room)(void *ctx, size_t *lines);
	/* Is process i healthy (its readiness check, else its liveness check)?
	 * For x-depends_on's "healthy"; NULL: never. */
	int (*healthy)(void *ctx, size_t i);
	/* May process i start, as far as the machine goes (its volumes)? 0:
	 * yes; 1: not yet; -1: not while this lasts; why in why either way.
	 * Asked before a first start, like x-depends_on; sup_recheck when it may
	 * have changed. NULL: always. */
	int (*ready)(void *ctx, size_t i, char *why, size_t len);
	/* Each process's own view of the volumes (supervisor/spawn.h): NULL:
	 * none, every process shares PID 1's mounts. */
	const char *vol_dir, *hide;
	/* The directory a process running as uid:gid sees as /run/secrets, made
	 * now (docs/secrets.md): 0 with it in ret, or -1 (no secrets for it).
	 * Asked before each start of a process that does not run as root. NULL:
	 * none. */
	int (*secrets_dir)(void *ctx, uid_t uid, gid_t gid, char *ret, size_t len);
	/* Process i's cgroup (docs/resources.md): the directory its hooks, its
	 * main process and the execs into it join, or NULL: none. NULL hook:
	 * no cgroups. */
	const char *(*cgroup)(void *ctx, size_t i);
	/* Signal every task in process i's cgroup but those in process
	 * group skip_pgrp (0: none), which had it already; SIGKILL kills the
	 * cgroup as a whole. 0, or -1 when it has none: then the supervisor
	 * signals the process group, as without the hook. */
	int (*cg_signal)(void *ctx, size_t i, int sig, pid_t skip_pgrp);
	/* RLIMIT_NOFILE's soft limit for every child (spawn.h); 0: inherited. */
	unsigned long nofile;
	void *ctx;
};

struct sup *sup_new(struct loop *l, const struct spec *spec, const struct sup_hooks *hooks);
void sup_free(struct sup *s);
/* The log_room hook has room again: read the pipes it held. */
void sup_output_resume(struct sup *s);

/* Start every process, except those whose x-depends_on is not met yet:
 * they wait, and start as the conditions come true (sup_recheck). */
void sup_start_all(struct sup *s);
/* Something a dependency may wait for changed (a health state): start what
 * can start now. Started and exited are noticed without it. */
void sup_recheck(struct sup *s);
/* The index in process i's deps of the first one it waits for, or -1. */
int sup_waiting(const struct sup *s, size_t i);
/* Why process i's first start is held back by the machine (a volume), or
 * NULL when it is not. */
const char *sup_why(const struct sup *s, size_t i);
/* Give up on process i's running main process (liveness, startup timeout):
 * svc_fail_run with a console line naming why. 0, or -1 if it does not run. */
int sup_fail(struct sup *s, size_t i, const char *why);
void sup_stop_all(struct sup *s);
/* From here until sup_say, each process's next event (its "stopping": the
 * host's event, the console line, what it moves) is held back, so that a
 * shutdown's signals all go out, and PID 1 sleeps once, before a word is
 * made of them (init/shutdown.c). A second event of a process says what is
 * held first: each process's events keep their order. */
void sup_hold_news(struct sup *s);
/* Say what is held, in process order, and hold no more: how many. */
size_t sup_say(struct sup *s);
/* How many events are held. */
size_t sup_unsaid(const struct sup *s);
/* Lines of process i dropped over its output budget, in total. */
uint64_t sup_output_dropped(const struct sup *s, size_t i);
int sup_all_settled(const struct sup *s);
/* For `vminit run`: 0 if no process failed, else the first failed one's status. */
int sup_exit_code(const struct sup *s);
/* One console line per process with its final state and status. */
void sup_log_final(const struct sup *s);

size_t sup_count(const struct sup *s);
const struct svc *sup_svc(const struct sup *s, size_t i);
/* The index of the process called name, or -1. */
int sup_find(const struct sup *s, const char *name);

/* The host's commands (docs/protocol.md). A process the host stopped is
 * "held" (its want is SVC_WANT_HELD): while one is, the VM does not power
 * off just because every process has settled. start and restart release it.
 * A process's children are in the reap table (base/children.h) with the
 * supervisor as their owner: init's reaper reaches it through that. */
void sup_stop(struct sup *s, size_t i);
void sup_start(struct sup *s, size_t i);
void sup_restart(struct sup *s, size_t i);
int sup_any_held(const struct sup *s);
/* Is a process's first start held back by the machine (sup_why)? */
int sup_any_blocked(const struct sup *s);
/* Process i's view of the volumes into ret (vol_dir, hide, mounts), its
 * cgroup and its privileges (cgroup, bound, caps, nofile). */
void sup_view(const struct sup *s, size_t i, struct spawn_req *ret);
/* What a command run in process i's context (the host's exec into it)
 * inherits: its view, merged env (NULL when out of memory at set-up), user
 * and workdir. */
void sup_context(const struct sup *s, size_t i, struct spawn_req *ret);
/* Signal the main process's group: the pid, or -1 (errno ESRCH) when the main
 * process is not running. */
pid_t sup_signal(struct sup *s, size_t i, int sig);


#endif
