/* svc.h - one supervised process: its want, its state, and the table of
 * transitions between them (docs/supervisor.md prints the table).
 *
 * The state machine is pure: it acts on the world only through struct
 * svc_ops (spawn, signal, timer, event), so the whole lifecycle is unit-tested
 * without a fork. supervisor.c provides the real ops.
 */
#ifndef VMINIT_SVC_H
#define VMINIT_SVC_H

#include <stdint.h>
#include <sys/types.h>

#include "spec/spec.h"

/* What is asked of the process, apart from where it is. HELD is a down that
 * the host asked for: the VM does not power off for "all work done" while a
 * process is held (supervisor.h). Status shows it as "down". */
enum svc_want { SVC_WANT_DOWN, SVC_WANT_UP, SVC_WANT_HELD };

/* The public state: what status shows and events carry. */
enum svc_state {
	SVC_INACTIVE,   /* never started */
	SVC_STARTING,   /* a prestart hook runs */
	SVC_RUNNING,    /* the main process runs */
	SVC_BACKOFF,    /* waiting to start again */
	SVC_STOPPING,   /* TERM sent, waiting for the exit (KILL at the timeout) */
	SVC_EXITED,     /* ended and will not restart: success, or stopped */
	SVC_FAILED,     /* ended in failure and the policy gives up */
};

/* The rows of the table: where the process is, finer than its public state
 * (each row maps to one public state, shown first). */
enum svc_sub {
	SVC_SUB_INACTIVE,   /* inactive */
	SVC_SUB_WAITING,    /* inactive: its first start waits for x-depends_on */
	SVC_SUB_HOOK,       /* starting: a prestart hook runs; timer: its timeout */
	SVC_SUB_HOOK_KILL,  /* starting: the hook timed out, SIGKILL sent */
	SVC_SUB_RUN,        /* running */
	SVC_SUB_FAIL_TERM,  /* running, given up on (svc_fail_run): SIGTERM
	                     * sent; timer: the stop timeout */
	SVC_SUB_FAIL_KILL,  /* running, given up on: SIGKILL sent */
	SVC_SUB_BACKOFF,    /* backoff; timer: the restart delay */
	SVC_SUB_DEFERRED,   /* backoff after a start that failed for lack of
	                     * resources; timer: SVC_DEFER_NS */
	SVC_SUB_STOP_TERM,  /* stopping: SIGTERM sent; timer: the stop timeout */
	SVC_SUB_STOP_KILL,  /* stopping: SIGKILL sent */
	SVC_SUB_EXITED,     /* exited */
	SVC_SUB_FAILED,     /* failed */
	SVC_SUB_N
};

/* The columns of the table: what can happen to a process. */
enum svc_input {
	SVC_IN_UP,          /* svc_want_up */
	SVC_IN_DOWN,        /* svc_want_down, svc_hold */
	SVC_IN_WAIT,        /* svc_wait */
	SVC_IN_EXIT_OK,     /* its hook or main process exited with code 0 */
	SVC_IN_EXIT_FAIL,   /* ... with another code, or by a signal */
	SVC_IN_TIMER,       /* its one timer fired */
	SVC_IN_FAIL,        /* svc_fail_run */
	SVC_IN_N
};

enum svc_phase { SVC_PHASE_ENV_PRESTART, SVC_PHASE_PRESTART, SVC_PHASE_MAIN };

/* What happened, for the console and the host's event stream
 * (supervisor/events.c maps each to its words). */
enum svc_event {
	SVC_EV_SPAWNED,          /* arg: phase; svc->pid is set */
	SVC_EV_SPAWN_FAILED,     /* arg: errno */
	SVC_EV_PRESTART_OK,      /* arg: phase */
	SVC_EV_PRESTART_FAILED,  /* arg: exit status (code or 128+signal) */
	SVC_EV_PRESTART_TIMEOUT, /* arg: phase */
	SVC_EV_EXITED,           /* main process ended; arg: exit status */
	SVC_EV_BACKOFF,          /* arg: delay in ms */
	SVC_EV_GAVE_UP,          /* now FAILED; arg: consecutive failures */
	SVC_EV_STOPPING,
	SVC_EV_STOP_TIMEOUT,     /* KILL sent */
	SVC_EV_SETTLED,          /* now INACTIVE/EXITED/FAILED with nothing running */
	SVC_EV_WAITING,          /* from supervisor.c, not svc.c: the first start
	                          * waits for x-depends_on; arg: the dependency's
	                          * index in the process's deps */
	SVC_EV_DEFERRED,         /* a start failed for lack of resources (fork:
	                          * EAGAIN, ENOMEM): retried without counting a
	                          * failure; now BACKOFF; arg: delay in ms */
	SVC_EV_JOB_STOPPED,      /* the main process was stopped (SIGSTOP ...);
	                          * arg: the signal */
	SVC_EV_JOB_CONTINUED,    /* ... and continued (SIGCONT) */
	SVC_EV_BLOCKED,          /* from supervisor.c: its first start waits for
	                          * the machine (a volume): arg 1 while it may
	                          * still come, -1 when it failed; the why is
	                          * sup_why() */
	SVC_EV_N
};

struct svc;

struct svc_ops {
	/* Start the hook or the main process; pid > 0, or -1 with errno. */
	pid_t (*spawn)(struct svc *s, enum svc_phase phase);
	/* Signal the process group of pid (and pid itself). */
	void (*signal)(struct svc *s, pid_t pid, int sig);
	/* Arm the svc's single timer delay_ns from now; cancel it. */
	void (*timer_arm)(struct svc *s, uint64_t delay_ns);
	void (*timer_cancel)(struct svc *s);
	void (*event)(struct svc *s, enum svc_event ev, long arg);
	uint64_t (*now)(struct svc *s);
};

struct svc_policy {
	enum spec_restart restart;
	int max_retries;
	uint64_t backoff_ns;        /* first delay */
	uint64_t backoff_max_ns;    /* cap */
	uint64_t reset_after_ns;    /* a run this long resets the failure count */
	uint64_t stop_timeout_ns;   /* TERM -> KILL */
	int has_hook[2];            /* env prestart, process prestart */
	uint64_t hook_timeout_ns[2];
};

struct svc {
	const char *name;
	struct svc_policy pol;
	const struct svc_ops *ops;
	void *ctx;

	enum svc_want want;
	enum svc_sub sub;          /* the table's row */
	enum svc_state state;      /* svc_sub_state(sub), kept beside it for
	                            * readers: written only with sub */
	int deferred;              /* sub == SVC_SUB_DEFERRED, likewise */
	enum svc_phase phase;
	pid_t pid;                 /* the running hook or main process, or 0 */
	int succeeded;             /* EXITED because its last run succeeded (not
	                            * stopped, not given up on): "succeeded" for
	                            * x-depends_on */

	unsigned failures;         /* consecutive failed (or, for always, ended) runs */
	unsigned restarts;         /* starts after the first */
	unsigned starts;
	int last_status;           /* code, 128+signal, or -1 for none yet */
	int last_signal;           /* the signal that ended that run, or 0: an exit
	                            * code of 137 is not SIGKILL */
	int exit_sig;              /* of the exit being handled (for its events) */
	uint64_t started_at;       /* when the current run began (ns) */
	uint64_t last_exit_at;
	int stopped_sig;           /* the running main process is stopped by this
	                            * signal (SIGSTOP, SIGTSTP ...), or 0 */
	int defer_errno;           /* the errno of the last deferred start */
	unsigned deferrals;        /* starts deferred so, in total */
};

/* A start that fails for lack of resources is retried after this, however
 * often, without spending the process's retries (docs/supervisor.md). */
#define SVC_DEFER_NS 1000000000ull
/* Consecutive starts of a process are at least this far apart, whatever the
 * backoff: a crash loop with backoff_seconds = 0 costs at most 10 starts/s. */
#define SVC_RESTART_FLOOR_NS 100000000ull

void svc_init(struct svc *s, const char *name, const struct svc_policy *pol,
	      const struct svc_ops *ops, void *ctx);
void svc_want_up(struct svc *s);
void svc_want_down(struct svc *s);
/* svc_want_down for the host: the want is HELD. */
void svc_hold(struct svc *s);
/* Its first start waits (x-depends_on): inactive -> waiting, which stays
 * settled and starts at svc_want_up. Nothing else changes. */
void svc_wait(struct svc *s);
/* A child was reaped. 1 if it was this svc's, else 0. */
int svc_on_exit(struct svc *s, pid_t pid, int wstatus);
void svc_on_timer(struct svc *s);
/* Something outside (a liveness check, a startup timeout) gave up on the
 * running main process: TERM its group, KILL after the stop timeout. Its exit,
 * whatever the status, is a failed run: the restart policy decides. 0, or -1
 * when no main process runs (or it is already being stopped). */
int svc_fail_run(struct svc *s);
/* The main process pid was stopped by sig, or continued (sig 0): job
 * control, seen by PID 1's waitid(WSTOPPED | WCONTINUED). Not an input of
 * the table: it changes no state; status and events show it. 1 if pid is this
 * svc's main process, else 0. */
int svc_on_job_control(struct svc *s, pid_t pid, int sig);

int svc_settled(const struct svc *s);
const char *svc_state_name(enum svc_state st);
const char *svc_want_name(enum svc_want w);
enum svc_state svc_sub_state(enum svc_sub sub);

/* The cells of the table: one action each (svc.c; svc_doc.c says what each
 * does). */
enum svc_act {
	SVC_ACT_NONE, SVC_ACT_START, SVC_ACT_RESTART, SVC_ACT_RETRY, SVC_ACT_WAIT,
	SVC_ACT_UNWAIT, SVC_ACT_STOP, SVC_ACT_NEXT, SVC_ACT_HOOK_FAILED,
	SVC_ACT_HOOK_TIMEOUT, SVC_ACT_HOOK_KILLED, SVC_ACT_EXIT_OK, SVC_ACT_EXIT_FAIL,
	SVC_ACT_FAIL, SVC_ACT_STOP_KILL, SVC_ACT_FAIL_KILL, SVC_ACT_STOPPED,
	SVC_ACT_CANCEL, SVC_ACT_N
};
enum svc_act svc_cell(enum svc_sub sub, enum svc_input in);

/* The table in words (svc_doc.c), for docs/supervisor.md, which
 * tests/house/svc_table.c prints and `make docs-check` compares; PID 1 links
 * none of it. */
const char *svc_sub_name(enum svc_sub sub);
const char *svc_input_name(enum svc_input in);
const char *svc_act_name(enum svc_act a);
const char *svc_act_doc(enum svc_act a);

/* Exit code as a shell reports it: the code, or 128 + the signal. */
int svc_exit_status(int wstatus);
/* backoff * 2^(n-1), capped; n >= 1 is the number of consecutive failures. */
uint64_t svc_backoff_delay(uint64_t base_ns, unsigned n, uint64_t cap_ns);

#endif
