/* vm.h - the one object of PID 1's runtime, and the pieces of init/ that act
 * on it.
 *
 * Both modes (PID 1 and `vminit run`) keep their whole state in one struct
 * vm, passed to each piece: signals.c (the signalfd and the fatal handler),
 * reap.c (every child), shutdown.c (the phases), wire.c (where the modules
 * are created and hooked together). No piece keeps state of its own, so each
 * can be driven on a real loop by the unit tests (tests/unit/init/).
 */
#ifndef VMINIT_VM_H
#define VMINIT_VM_H

#include <stddef.h>
#include <stdint.h>

#include "base/loop.h"
#include "kmod/modules.h"
#include "spec/spec.h"
#include "resume.h"
#include "vminit.h"

struct sup;
struct hc_set;
struct storage;
struct secrets_store;
struct rsc;
struct net;

/* The shutdown's phases, in the order they come (shutdown.c). */
enum sd_phase { SD_NONE, SD_STOPPING, SD_TERM_REST, SD_KILLED, SD_DONE };

/* The ignored signals' notices: at most one console line a second. */
struct sig_notes {
	uint64_t last_ns;    /* loop_now() of the last line, 0 before the first */
	uint64_t unlogged;   /* ignored since that line, counted in the next */
};

struct vm {
	int pid1;                          /* else `vminit run`, a subreaper */
	int wrap;                          /* the wrap form: opts->wrap's command
	                                    * as process 0 (docs/wrap.md) */
	int contained;                     /* PID 1 of a PID namespace that is
	                                    * not the machine's (a container) */
	const struct vminit_opts *opts;
	int64_t started_ms;                /* clock_boot_ms() at start */
	struct loop *loop;
	struct spec *spec;                 /* NULL: no memory to read it */
	struct sup *sup;                   /* NULL: spec errors, or no memory */
	struct hc_set *hc;                 /* NULL: health checks are off */
	struct storage *st;                /* the root and the volumes; NULL:
	                                    * off (`vminit run`, spec errors) */
	struct secrets_store *sec;         /* the secret bundle; NULL: off */
	int sec_later;                     /* the store is made after the
	                                    * first processes' fork (wire.c) */
	struct resume resume;              /* snapshot restores (resume.c) */
	struct rsc *rs;                    /* the cgroups; NULL: off (`vminit
	                                    * run`, spec errors) */
	struct net *net;                   /* the guest's network; NULL: off
	                                    * (`vminit run`, spec errors) */
	unsigned long nofile;              /* RLIMIT_NOFILE's soft limit PID 1
	                                    * started with: its children's */
	struct modules_report modules;     /* PID 1's, from boot */
	struct ctl_server *ctl;            /* the host channel; NULL: it is off */
	int started;                       /* the processes were started */
	/* wire.c: PID 1's own start-up, once the first processes have exec'd */
	struct loop_io first_exec;         /* the exec pipe's read end */
	struct loop_timer first_exec_late; /* at most FIRST_EXEC_WAIT_MS */
	int exit_code;                     /* `vminit run`'s, once done */
	enum spec_halt halt;               /* power off or reboot at the end */
	/* signals.c */
	int sigfd;                         /* -1 until signals_block */
	struct loop_io sigio;
	struct sig_notes ignored;
	/* reap.c */
	struct loop_timer reap_more;
	uint64_t reaped, orphans;
	uint64_t reap_last_ns;             /* loop_now() of the last pass that
	                                    * took a child */
	int chld_held;                     /* a storm: SIGCHLD out of the
	                                    * signalfd, a pass every REAP_HOLD_NS */
	/* shutdown.c */
	enum sd_phase sd;
	uint64_t sd_started;               /* loop_now() when it began */
	int sd_signalling;                 /* from its first sup_stop_all to
	                                    * shutdown_say */
	const char *sd_why;                /* its reason, until it is said */
	uint64_t stop_timeout_ns;
	struct loop_timer sd_timer;
	struct loop_timer sd_say;          /* the words after the signals */
};

/* ---- signals.c ---- */

/* The fatal signals (SIGSEGV ...) to a handler on an alternate stack, which
 * logs and powers off (outside PID 1: exits 128+n); SIGPIPE, SIGTTIN and
 * SIGTTOU ignored. vm must live as long as the process. */
void signals_catch_fatal(const struct vm *vm);
/* Block the signals vminit handles and open vm->sigfd for them (-1 if that
 * failed; wire_setup then gives up). */
void signals_block(struct vm *vm);
/* Read vm->sigfd from vm->loop: shutdown requests, SIGCHLD to reap_children,
 * the rest noted. 0, or -1 with errno. */
int signals_watch(struct vm *vm);
/* Signal sig from pid `from` is ignored: a line at most once a second, with
 * a count of the ones not written. */
void signals_note_ignored(struct sig_notes *n, int sig, uint32_t from);
/* SIGCHLD back in the signalfd (on), or out of it (still blocked, so it
 * waits pending): reap.c's storm. 0, or -1 with errno. */
int signals_watch_chld(struct vm *vm, int on);

/* ---- reap.c ---- */

/* Two passes that take children less than REAP_STORM_NS apart make a storm:
 * then one pass every REAP_HOLD_NS, not one per SIGCHLD, until a pass takes
 * none. A child waits at most about REAP_HOLD_NS for its reap. */
#define REAP_STORM_NS LOOP_NS_PER_MS
#define REAP_HOLD_NS (LOOP_NS_PER_MS / 2)

void reap_init(struct vm *vm);
/* Take every child that has exited (the only waitpid caller), at most
 * REAP_BATCH a turn: to its process, an exec job, or counted as an orphan.
 * Children exiting in a storm are taken in passes REAP_HOLD_NS apart. */
void reap_children(struct vm *vm);

/* ---- shutdown.c ---- */

void shutdown_init(struct vm *vm);
void shutdown_begin(struct vm *vm, const char *why);
/* Begin (or hurry, a second or more after it began) the shutdown; reboot
 * instead of powering off when reboot is set. */
void shutdown_request(struct vm *vm, const char *why, int reboot);
/* Something ended (a child reaped, a process settled): move on if the phase
 * is over. */
void shutdown_progress(struct vm *vm);
/* Say what the shutdown's signals have not said yet, if anything: the
 * processes' "stopping" and "shutting down: WHY" (at the loop's first wake-up
 * after the signals, or before anything else needs them said). */
void shutdown_say(struct vm *vm);
/* NULL before the shutdown, else its phase's name (status). */
const char *shutdown_phase(const struct vm *vm);

/* ---- net.c ---- */

/* PID 1 only: apply the spec's network (docs/network.md) and hook its news
 * to the console, the host channel and the supervisor. */
void wire_net_setup(struct vm *vm);

/* ---- wire.c ---- */

/* Where the host channel listens and pushes: vminit's options, else (PID 1
 * only) the kernel's command line, else the spec, else the defaults. */
struct wire_addrs {
	char control[1024];                /* comma-separated; "" for nowhere */
	const char *push;                  /* NULL: no push */
	char push_buf[256];                /* push, when it came from cmdline */
};
/* cmdline: the kernel's command line, NULL to read /proc/cmdline (looked at
 * only when pid1). spec may be NULL. Pure but for the /proc read. */
void wire_control_addrs(const struct vminit_opts *o, int pid1, const char *cmdline,
			const struct spec *spec, struct wire_addrs *ret);
/* Create the loop, watch the signals, bring up the host channel, read the
 * spec at spec_path and create health checks and the supervisor, all hooked
 * together. -1 only without a loop (nothing can run); any other failure is
 * logged and leaves that part off. vm->pid1, opts, started_ms and sigfd are
 * set before. */
int wire_setup(struct vm *vm, const char *spec_path);
/* Start the processes (none when the spec has errors). */
void wire_start(struct vm *vm);
/* PID 1's own start-up now, if it still waits for the first exec. */
void wire_start_done(struct vm *vm);
/* One turn of the loop, and what the host channel does after each. */
void wire_run_once(struct vm *vm);
/* After the final event: a bounded wait for the host to take the last
 * events and replies. */
void wire_flush_channel(struct vm *vm);

#endif
