/* supervisor.c - the real world behind svc.c's state machine.
 *
 * Owns: one struct sup_proc per spec process (fixed array, made once), its
 * merged env, its output pipes, its timer, and the console messages about
 * its life. Resolves what the spec leaves to merge rules: argv (command, else
 * entrypoint + cmd), env (image < env < process), workdir and user (process
 * > env > image).
 * Never: waits for a child (init reaps and calls sup_on_exit) or blocks.
 */
#include "supervisor.h"
#include "env.h"
#include "output.h"
#include "spawn.h"
#include "base/console.h"
#include "base/loop.h"
#include "base/names.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sup_proc {
	struct svc svc;
	struct sup *sup;
	const struct spec_process *sp;
	char **envp;
	const char *workdir, *user;
	struct output out, err;
	struct ratelimit rate;
	struct loop_timer timer;
	int held;                /* stopped by the host */
	int waiting;             /* its first start waits for x-depends_on */
	int main_started;        /* its main command started at least once */
};

struct sup {
	struct loop *loop;
	const struct spec *spec;
	struct sup_hooks hooks;
	struct sup_proc *procs;
	size_t n;
	int rechecking, recheck_again;
};

static void recheck(struct sup *s);

static struct sup_proc *P(struct svc *s)
{
	return s->ctx;
}

static const char *const phase_names[] = { "env prestart", "prestart", "process" };

/* ---- ops ---- */

static pid_t op_spawn(struct svc *s, enum svc_phase phase)
{
	struct sup_proc *p = P(s);
	const struct spec *spec = p->sup->spec;
	struct spawn_req r = {
		.argv = phase == SVC_PHASE_ENV_PRESTART ? spec->env.prestart.v
			: phase == SVC_PHASE_PRESTART ? p->sp->prestart.v : p->sp->argv.v,
		.envp = p->envp,
		.workdir = p->workdir,
		.user = p->user,
		.root = "/",
		.out_fd = p->out.wfd,
		.err_fd = p->err.wfd,
	};
	if (!p->envp)   /* out of memory at set-up: a deferred start tries again */
		p->envp = env_merge(&spec->image.env, &spec->env.vars, &p->sp->vars);
	if (!p->envp || p->out.rfd < 0 || p->err.rfd < 0) {
		errno = !p->envp ? ENOMEM : EMFILE;
		return -1;
	}
	return spawn_process(&r);
}

static void op_signal(struct svc *s, pid_t pid, int sig)
{
	(void)s;
	/* The child calls setsid() first thing; until it has, its group is
	 * still ours, so fall back to the pid itself. */
	if (kill(-pid, sig) < 0 && errno == ESRCH)
		kill(pid, sig);
	/* A stopped process would sit on its TERM until the KILL: wake it so it
	 * can act on it (systemd does the same). */
	if (sig == SIGTERM && kill(-pid, SIGCONT) < 0 && errno == ESRCH)
		kill(pid, SIGCONT);
}

static void on_timer(struct loop *l, struct loop_timer *t)
{
	(void)l;
	svc_on_timer(&((struct sup_proc *)t->ctx)->svc);
}

static void op_timer_arm(struct svc *s, uint64_t delay_ns)
{
	struct sup_proc *p = P(s);
	if (loop_timer_in(p->sup->loop, &p->timer, delay_ns) < 0)
		log_error("%s: no timer slot left: %s", s->name, strerror(errno));
}

static void op_timer_cancel(struct svc *s)
{
	struct sup_proc *p = P(s);
	loop_timer_cancel(p->sup->loop, &p->timer);
}

static uint64_t op_now(struct svc *s)
{
	(void)s;
	return loop_now();
}

static void op_event(struct svc *s, enum svc_event ev, long arg)
{
	struct sup_proc *p = P(s);
	struct sup *sup = p->sup;
	char st[64];
	/* Output first, so the host sees a process's last lines before its exit. */
	if (ev == SVC_EV_EXITED || ev == SVC_EV_PRESTART_OK || ev == SVC_EV_PRESTART_FAILED) {
		output_drain(&p->out);
		output_drain(&p->err);
	}
	if (sup->hooks.event)
		sup->hooks.event(sup->hooks.ctx, (size_t)(p - sup->procs), s, ev, arg);
	switch (ev) {
	case SVC_EV_SPAWNED:
		if (arg == SVC_PHASE_MAIN) {
			log_info("%s: running, pid %d%s", s->name, (int)s->pid,
				 s->restarts ? " (restarted)" : "");
			p->main_started = 1;
			recheck(sup);
		} else {
			log_info("%s: %s running, pid %d", s->name, phase_names[arg], (int)s->pid);
		}
		break;
	case SVC_EV_SPAWN_FAILED:
		log_error("%s: cannot start %s: %s", s->name, phase_names[s->phase], strerror((int)arg));
		break;
	case SVC_EV_PRESTART_OK:
		log_info("%s: %s succeeded", s->name, phase_names[arg]);
		break;
	case SVC_EV_PRESTART_FAILED:
		names_status((int)arg, s->exit_sig, st, sizeof(st));
		log_error("%s: %s failed: %s", s->name, phase_names[s->phase], st);
		break;
	case SVC_EV_PRESTART_TIMEOUT:
		log_error("%s: %s timed out after %llus: killing it", s->name, phase_names[arg],
			  (unsigned long long)(s->pol.hook_timeout_ns[arg] / 1000000000ull));
		break;
	case SVC_EV_EXITED:
		names_status((int)arg, s->exit_sig, st, sizeof(st));
		log_info("%s: %s", s->name, st);
		break;
	case SVC_EV_BACKOFF:
		log_info("%s: restarting in %ld ms (restart policy %s, failure %u)", s->name, arg,
			 spec_restart_name(s->pol.restart), s->failures);
		break;
	case SVC_EV_GAVE_UP:
		log_error("%s: giving up after %ld failed runs (restart.max_retries = %d)", s->name,
			  arg, s->pol.max_retries);
		break;
	case SVC_EV_STOPPING:
		log_info("%s: stopping (SIGTERM to its process group)", s->name);
		break;
	case SVC_EV_STOP_TIMEOUT:
		log_warn("%s: still running %llus after SIGTERM: SIGKILL", s->name,
			 (unsigned long long)(s->pol.stop_timeout_ns / 1000000000ull));
		break;
	case SVC_EV_SETTLED:
		log_info("%s: %s", s->name, svc_state_name(s->state));
		/* A dependent may start now: before "is all work done?". */
		recheck(sup);
		if (p->sup->hooks.settled)
			p->sup->hooks.settled(p->sup->hooks.ctx);
		break;
	case SVC_EV_WAITING:
		break;
	case SVC_EV_DEFERRED:
		log_warn("%s: start deferred for lack of resources (%s): trying again in %ld ms, "
			 "not counted as a failure", s->name, strerror(s->defer_errno), arg);
		break;
	case SVC_EV_JOB_STOPPED: {
		const char *n = names_signal((int)arg);
		log_info("%s: stopped by %s", s->name, n ? n : "a signal");
		break;
	}
	case SVC_EV_JOB_CONTINUED:
		log_info("%s: continued", s->name);
		break;
	}
}

static const struct svc_ops real_ops = {
	.spawn = op_spawn,
	.signal = op_signal,
	.timer_arm = op_timer_arm,
	.timer_cancel = op_timer_cancel,
	.event = op_event,
	.now = op_now,
};

static void on_line(void *ctx, int stream, const char *line, size_t len)
{
	struct sup_proc *p = ctx;
	struct sup *sup = p->sup;
	if (sup->hooks.log)
		sup->hooks.log(sup->hooks.ctx, (size_t)(p - sup->procs), stream, line, len);
}

static void on_dropped(void *ctx, uint64_t n)
{
	struct sup_proc *p = ctx;
	struct sup *sup = p->sup;
	if (sup->hooks.log_dropped)
		sup->hooks.log_dropped(sup->hooks.ctx, (size_t)(p - sup->procs), n);
}

/* ---- table ---- */

#define NS(sec) ((uint64_t)(sec) * 1000000000ull)

static const char *first_set(const char *a, const char *b, const char *c)
{
	return a ? a : b ? b : c;
}

struct sup *sup_new(struct loop *l, const struct spec *spec, const struct sup_hooks *hooks)
{
	struct sup *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->loop = l;
	s->spec = spec;
	if (hooks)
		s->hooks = *hooks;
	s->n = spec->nprocs;
	s->procs = calloc(s->n ? s->n : 1, sizeof(*s->procs));
	if (!s->procs) {
		free(s);
		return NULL;
	}
	for (size_t i = 0; i < s->n; i++) {
		struct sup_proc *p = &s->procs[i];
		const struct spec_process *sp = &spec->procs[i];
		struct svc_policy pol = {
			.restart = sp->restart,
			.max_retries = sp->max_retries,
			.backoff_ns = NS(sp->backoff),
			.backoff_max_ns = NS(spec->guest.backoff_max),
			.reset_after_ns = NS(spec->guest.reset_after),
			.stop_timeout_ns = NS(spec->guest.stop_timeout),
			.has_hook = { spec->env.prestart.set, sp->prestart.set },
			.hook_timeout_ns = { NS(spec->env.prestart_timeout), NS(sp->prestart_timeout) },
		};
		p->sup = s;
		p->sp = sp;
		p->out.rfd = p->err.rfd = -1;
		p->workdir = first_set(sp->workdir, spec->env.workdir, spec->image.workdir);
		p->user = first_set(sp->user, spec->env.user, spec->image.user);
		p->envp = env_merge(&spec->image.env, &spec->env.vars, &sp->vars);
		loop_timer_init(&p->timer, on_timer, p);
		ratelimit_init(&p->rate, loop_now());
		svc_init(&p->svc, sp->name, &pol, &real_ops, p);
		if (!p->envp) {
			log_error("%s: cannot set up its environment: out of memory", sp->name);
		} else if (output_open(&p->out, l, sp->name, &p->rate) < 0) {
			log_error("%s: cannot set up its output: %s", sp->name, strerror(errno));
		} else if (output_open(&p->err, l, sp->name, &p->rate) < 0) {
			log_error("%s: cannot set up its output: %s", sp->name, strerror(errno));
			output_close(&p->out, l);
		} else {
			p->out.tap = p->err.tap = on_line;
			p->out.drop_tap = p->err.drop_tap = on_dropped;
			p->out.tap_ctx = p->err.tap_ctx = p;
			p->out.stream = 1;
			p->err.stream = 2;
		}
	}
	return s;
}

void sup_free(struct sup *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		loop_timer_cancel(s->loop, &s->procs[i].timer);
		output_close(&s->procs[i].out, s->loop);
		output_close(&s->procs[i].err, s->loop);
		env_free(s->procs[i].envp);
	}
	free(s->procs);
	free(s);
}

/* ---- x-depends_on: the first start waits (docs/health.md) ---- */

static const char *const cond_names[] = { "started", "healthy", "succeeded" };

static int dep_met(const struct sup *s, const struct spec_dep *d)
{
	const struct sup_proc *t = &s->procs[d->index];
	switch (d->cond) {
	case SPEC_DEP_STARTED:
		return t->main_started;
	case SPEC_DEP_HEALTHY:
		return s->hooks.healthy && s->hooks.healthy(s->hooks.ctx, d->index);
	case SPEC_DEP_SUCCEEDED:
		return t->svc.state == SVC_EXITED && t->svc.succeeded;
	}
	return 0;
}

static int first_unmet(const struct sup *s, size_t i)
{
	const struct spec_process *sp = s->procs[i].sp;
	for (size_t j = 0; j < sp->ndeps; j++)
		if (!dep_met(s, &sp->deps[j]))
			return (int)j;
	return -1;
}

int sup_waiting(const struct sup *s, size_t i)
{
	return s->procs[i].waiting ? first_unmet(s, i) : -1;
}

/* Starting one process can make another's condition true (started), and
 * that start runs events that call back here: loop until nothing changes,
 * one pass at a time. */
static void recheck(struct sup *s)
{
	if (s->rechecking) {
		s->recheck_again = 1;
		return;
	}
	s->rechecking = 1;
	do {
		s->recheck_again = 0;
		for (size_t i = 0; i < s->n; i++) {
			struct sup_proc *p = &s->procs[i];
			if (p->waiting && first_unmet(s, i) < 0) {
				p->waiting = 0;
				log_info("%s: its dependencies are met: starting", p->svc.name);
				svc_want_up(&p->svc);
			}
		}
	} while (s->recheck_again);
	s->rechecking = 0;
}

void sup_recheck(struct sup *s)
{
	recheck(s);
}

void sup_start_all(struct sup *s)
{
	/* Everything whose conditions hold starts; then what that made true
	 * starts too; only what still waits after that says so. */
	for (size_t i = 0; i < s->n; i++) {
		if (first_unmet(s, i) < 0)
			svc_want_up(&s->procs[i].svc);
		else
			s->procs[i].waiting = 1;
	}
	recheck(s);
	for (size_t i = 0; i < s->n; i++) {
		struct sup_proc *p = &s->procs[i];
		int j = p->waiting ? first_unmet(s, i) : -1;
		if (j < 0)
			continue;
		log_info("%s: waiting for %s to be %s", p->svc.name, p->sp->deps[j].name,
			 cond_names[p->sp->deps[j].cond]);
		if (s->hooks.event)
			s->hooks.event(s->hooks.ctx, i, &p->svc, SVC_EV_WAITING, j);
	}
}

void sup_stop_all(struct sup *s)
{
	/* No waiter may start on a settle that the stopping itself causes. */
	for (size_t i = 0; i < s->n; i++)
		s->procs[i].waiting = 0;
	for (size_t i = 0; i < s->n; i++)
		svc_want_down(&s->procs[i].svc);
}

int sup_fail(struct sup *s, size_t i, const char *why)
{
	struct svc *v = &s->procs[i].svc;
	if (svc_fail_run(v) < 0)
		return -1;
	log_warn("%s: %s: ending it (SIGTERM to its process group); restart.policy %s decides",
		 v->name, why, spec_restart_name(v->pol.restart));
	return 0;
}

void sup_before_reap(struct sup *s, pid_t pid)
{
	for (size_t i = 0; i < s->n; i++)
		if (pid > 0 && s->procs[i].svc.pid == pid) {
			kill(-pid, SIGKILL);
			return;
		}
}

int sup_on_exit(struct sup *s, pid_t pid, int wstatus)
{
	for (size_t i = 0; i < s->n; i++)
		if (svc_on_exit(&s->procs[i].svc, pid, wstatus))
			return 1;
	return 0;
}

int sup_on_job_control(struct sup *s, pid_t pid, int sig)
{
	for (size_t i = 0; i < s->n; i++)
		if (svc_on_job_control(&s->procs[i].svc, pid, sig))
			return 1;
	return 0;
}

uint64_t sup_output_dropped(const struct sup *s, size_t i)
{
	return s->procs[i].rate.dropped;
}

int sup_all_settled(const struct sup *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (!svc_settled(&s->procs[i].svc))
			return 0;
	return 1;
}

int sup_exit_code(const struct sup *s)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct svc *v = &s->procs[i].svc;
		if (v->state == SVC_FAILED)
			return v->last_status > 0 ? v->last_status : 1;
	}
	return 0;
}

void sup_log_final(const struct sup *s)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct svc *v = &s->procs[i].svc;
		char st[64];
		names_status(v->last_status, v->last_signal, st, sizeof(st));
		log_info("final: %s %s, %s, %u restarts", v->name, svc_state_name(v->state),
			 v->last_status < 0 ? "never ran" : st, v->restarts);
	}
}

size_t sup_count(const struct sup *s)
{
	return s->n;
}

const struct svc *sup_svc(const struct sup *s, size_t i)
{
	return &s->procs[i].svc;
}

int sup_find(const struct sup *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->procs[i].svc.name, name))
			return (int)i;
	return -1;
}

void sup_stop(struct sup *s, size_t i)
{
	s->procs[i].waiting = 0;
	/* Held before the want changes: settling right away (from backoff)
	 * must not look like "all work done". */
	s->procs[i].held = 1;
	svc_want_down(&s->procs[i].svc);
}

void sup_start(struct sup *s, size_t i)
{
	s->procs[i].held = 0;
	s->procs[i].waiting = 0;   /* the host overrides x-depends_on */
	svc_want_up(&s->procs[i].svc);
}

void sup_restart(struct sup *s, size_t i)
{
	s->procs[i].waiting = 0;
	s->procs[i].held = 1;
	svc_want_down(&s->procs[i].svc);
	s->procs[i].held = 0;
	svc_want_up(&s->procs[i].svc);
}

int sup_any_held(const struct sup *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->procs[i].held)
			return 1;
	return 0;
}

pid_t sup_signal(struct sup *s, size_t i, int sig)
{
	const struct svc *v = &s->procs[i].svc;
	if (v->pid <= 0 || v->phase != SVC_PHASE_MAIN ||
	    (v->state != SVC_RUNNING && v->state != SVC_STOPPING)) {
		errno = ESRCH;
		return -1;
	}
	op_signal(&s->procs[i].svc, v->pid, sig);
	return v->pid;
}
