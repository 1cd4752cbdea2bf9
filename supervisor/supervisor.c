/* supervisor.c - the real world behind svc.c's state machine.
 *
 * Owns: one struct sup_proc per spec process (fixed array, made once), its
 * merged env, its output pipes, its timer, its children in the reap table
 * (base/children.h), and x-depends_on: which waiting process may start.
 * Resolves what the spec leaves to merge rules: argv (command, else
 * entrypoint + cmd), env (image < env < process), workdir and user (process
 * > env > image). The words of each event are events.c's.
 * Never: waits for a child (init reaps and calls the child's owner hooks
 * below) or blocks.
 */
#include "supervisor.h"
#include "env.h"
#include "events.h"
#include "exec.h"
#include "output.h"
#include "spawn.h"
#include "user.h"
#include "base/children.h"
#include "base/console.h"
#include "base/loop.h"
#include "base/mem.h"
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
	int main_started;        /* its main command started at least once */
	char secrets_dir[64];    /* its user's secrets, bound at /run/secrets, or "" */
	int blocked;             /* the ready hook's last answer that was said */
	int has_news;            /* an event held (sup_hold_news): ... */
	enum svc_event news_ev;  /* ... this one, */
	long news_arg;           /* ... with this arg */
	char why[192];           /* ... and its why */
};

struct sup {
	struct loop *loop;
	const struct spec *spec;
	struct sup_hooks hooks;
	struct sup_proc *procs;
	size_t n;
	int rechecking, recheck_again;
	int holding;             /* sup_hold_news until sup_say */
	size_t nnews;            /* procs with an event held */
};

/* The reap table holds a process's hook or main process, and the exec jobs'
 * commands: it has room for all of them at once. */
_Static_assert(CHILDREN_MAX >= SPEC_MAX_PROCESSES * 2 + EXEC_MAX_JOBS,
	       "base/children.h: CHILDREN_MAX is below what can run");

static void recheck(struct sup *s);

static struct sup_proc *P(struct svc *s)
{
	return s->ctx;
}

/* ---- a child's owner: what the reaper calls (base/children.h) ---- */

/* The process's group lives and dies with it: SIGKILL what is left of it
 * (its members still hold the group's id, base/children.h). */
static void child_group_end(void *ctx, pid_t pid)
{
	struct sup_proc *p = ctx;
	const struct sup_hooks *h = &p->sup->hooks;
	kill(-pid, SIGKILL);
	/* So does its cgroup: what it left there, by setsid() or a double
	 * fork, ends with it (docs/resources.md), and the next hook or run
	 * starts in an empty cgroup. */
	if (h->cg_signal)
		h->cg_signal(h->ctx, (size_t)(p - p->sup->procs), SIGKILL, 0);
}

static void child_exited(void *ctx, pid_t pid, int wstatus)
{
	svc_on_exit(&((struct sup_proc *)ctx)->svc, pid, wstatus);
}

static void child_job_control(void *ctx, pid_t pid, int sig)
{
	svc_on_job_control(&((struct sup_proc *)ctx)->svc, pid, sig);
}

static const struct child_owner child_owner = {
	.group_end = child_group_end,
	.exited = child_exited,
	.job_control = child_job_control,
};

/* ---- ops ---- */

/* Its user's copy of the secrets, when it does not run as root: the uid is
 * looked up here too (the child looks again, and fails on what is wrong). */
static void secrets_for(struct sup_proc *p)
{
	struct user_info u;
	char err[8];
	const struct sup_hooks *h = &p->sup->hooks;
	p->secrets_dir[0] = '\0';
	if (!h->secrets_dir || !p->user || user_resolve("/", p->user, &u, err, sizeof(err)) < 0 || u.uid == 0)
		return;
	if (h->secrets_dir(h->ctx, u.uid, u.gid, p->secrets_dir, sizeof(p->secrets_dir)) < 0)
		p->secrets_dir[0] = '\0';
}

static pid_t op_spawn(struct svc *s, enum svc_phase phase)
{
	struct sup_proc *p = P(s);
	const struct spec *spec = p->sup->spec;
	pid_t pid;
	struct spawn_req r = {
		.argv = phase == SVC_PHASE_ENV_PRESTART ? spec->env.prestart.v
			: phase == SVC_PHASE_PRESTART ? p->sp->prestart.v : p->sp->argv.v,
		.envp = p->envp,
		.workdir = p->workdir,
		.user = p->user,
		.root = "/",
		.out_fd = p->sp->wrapped ? 1 : p->out.wfd,
		.err_fd = p->sp->wrapped ? 2 : p->err.wfd,
		.stdin_inherit = p->sp->wrapped,
	};
	secrets_for(p);
	sup_view(p->sup, (size_t)(p - p->sup->procs), &r);
	if (!p->envp)   /* out of memory at set-up: a deferred start tries again */
		p->envp = env_merge(&spec->image.env, &spec->env.vars, &p->sp->vars);
	if (!p->envp || (!p->sp->wrapped && (p->out.rfd < 0 || p->err.rfd < 0))) {
		errno = !p->envp ? ENOMEM : EMFILE;
		return -1;
	}
	pid = spawn_process(&r);
	if (pid > 0 && children_add(pid, &child_owner, p) < 0) {
		/* Cannot happen (the table has room for every process): a
		 * child nobody would hear of is killed, and its start fails. */
		log_error("%s: pid %d: %s: killing it", s->name, (int)pid, strerror(errno));
		kill(pid, SIGKILL);
		errno = ENOSPC;
		return -1;
	}
	return pid;
}

static void op_signal(struct svc *s, pid_t pid, int sig)
{
	struct sup_proc *p = P(s);
	const struct sup_hooks *h = &p->sup->hooks;
	size_t i = (size_t)(p - p->sup->procs);
	/* A stopped process would sit on its TERM until the KILL: wake it so it
	 * can act on it (systemd does the same). Its group's CONT goes first:
	 * it wakes only a stopped process (a running one ignores it, unwoken),
	 * so the TERM is PID 1's last call before it goes on and the woken
	 * process waits for nothing else (docs/architecture.md, Shutdown). */
	int cont = 0, grouped;
	if (sig == SIGTERM && !(cont = kill(-pid, SIGCONT) == 0) && errno == ESRCH)
		kill(pid, SIGCONT);
	/* The child calls setsid() first thing; until it has, its group is
	 * still ours, so fall back to the pid itself. */
	if (!(grouped = kill(-pid, sig) == 0) && errno == ESRCH)
		kill(pid, sig);
	/* Every task in its cgroup too, whatever session it made: a stop
	 * reaches what left the group. The group's signal above stays for a
	 * child that has not joined the cgroup yet; the group's members, who
	 * had it, are left out (a handler would see it twice). Its CONT after
	 * its TERM: one stopped there wakes with the TERM pending. */
	if (h->cg_signal) {
		h->cg_signal(h->ctx, i, sig, grouped ? pid : 0);
		if (sig == SIGTERM)
			h->cg_signal(h->ctx, i, SIGCONT, cont ? pid : 0);
	}
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

/* An event to the host (hooks) and to the console, in the words of the
 * event map (events.c). */
static void emit(struct sup_proc *p, enum svc_event ev, long arg)
{
	struct sup *sup = p->sup;
	const struct sup_event e = { .svc = &p->svc, .sp = p->sp, .ev = ev, .arg = arg, .why = p->why };
	if (sup->hooks.event)
		sup->hooks.event(sup->hooks.ctx, (size_t)(p - sup->procs), &p->svc, ev, arg);
	sup_event_log(&e);
}

/* A process's event, now: to the host and the console (emit), and what it
 * moves (a start that waited for it, "is all work done?"). */
static void event_now(struct sup_proc *p, enum svc_event ev, long arg)
{
	struct sup *sup = p->sup;
	/* Output first, so the host sees a process's last lines before its exit. */
	if (ev == SVC_EV_EXITED || ev == SVC_EV_PRESTART_OK || ev == SVC_EV_PRESTART_FAILED) {
		output_drain(&p->out);
		output_drain(&p->err);
	}
	emit(p, ev, arg);
	if (ev == SVC_EV_SPAWNED && arg == SVC_PHASE_MAIN) {
		p->main_started = 1;
		recheck(sup);
	} else if (ev == SVC_EV_SETTLED) {
		/* A dependent may start now: before "is all work done?". */
		recheck(sup);
		if (sup->hooks.settled)
			sup->hooks.settled(sup->hooks.ctx);
	}
}

/* The held events, in process order (sup_hold_news). */
static size_t say_held(struct sup *s)
{
	size_t said = 0;
	for (size_t i = 0; s->nnews && i < s->n; i++)
		if (s->procs[i].has_news) {
			s->procs[i].has_news = 0;
			s->nnews--;
			said++;
			event_now(&s->procs[i], s->procs[i].news_ev, s->procs[i].news_arg);
		}
	return said;
}

static void op_event(struct svc *s, enum svc_event ev, long arg)
{
	struct sup_proc *p = P(s);
	struct sup *sup = p->sup;
	if (sup->holding && !p->has_news) {
		p->has_news = 1;
		p->news_ev = ev;
		p->news_arg = arg;
		sup->nnews++;
		return;
	}
	/* What is held comes first: each process's events stay in order. */
	if (sup->nnews)
		say_held(sup);
	event_now(p, ev, arg);
}

static const struct svc_ops real_ops = {
	.spawn = op_spawn,
	.signal = op_signal,
	.timer_arm = op_timer_arm,
	.timer_cancel = op_timer_cancel,
	.event = op_event,
	.now = op_now,
};

static void on_line(void *ctx, int stream, const char *line, size_t len, int plain)
{
	struct sup_proc *p = ctx;
	struct sup *sup = p->sup;
	if (sup->hooks.log)
		sup->hooks.log(sup->hooks.ctx, (size_t)(p - sup->procs), stream, line, len, plain);
}

static size_t on_room(void *ctx, size_t *lines)
{
	struct sup *sup = ((struct sup_proc *)ctx)->sup;
	return sup->hooks.log_room(sup->hooks.ctx, lines);
}

void sup_output_resume(struct sup *s)
{
	for (size_t i = 0; i < s->n; i++) {
		output_resume(&s->procs[i].out);
		output_resume(&s->procs[i].err);
	}
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
	/* Its own pages (base/mem.h): a process's output buffers (8 KiB)
	 * take memory only once it writes; calloc would write them all. */
	s->procs = mem_pages((s->n ? s->n : 1) * sizeof(*s->procs));
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
		} else if (sp->wrapped) {
			/* The wrap form: PID 1's own fds, nothing to relay. */
		} else if (output_open(&p->out, l, sp->name, &p->rate) < 0) {
			log_error("%s: cannot set up its output: %s", sp->name, strerror(errno));
		} else if (output_open(&p->err, l, sp->name, &p->rate) < 0) {
			log_error("%s: cannot set up its output: %s", sp->name, strerror(errno));
			output_close(&p->out, l);
		} else {
			p->out.tap = p->err.tap = on_line;
			if (s->hooks.log_room)
				p->out.room = p->err.room = on_room;
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
		const struct child *c = children_find(s->procs[i].svc.pid);
		if (c)
			children_remove(c);   /* no owner left to call */
		loop_timer_cancel(s->loop, &s->procs[i].timer);
		output_close(&s->procs[i].out, s->loop);
		output_close(&s->procs[i].err, s->loop);
		env_free(s->procs[i].envp);
	}
	mem_pages_free(s->procs, (s->n ? s->n : 1) * sizeof(*s->procs));
	free(s);
}

/* ---- x-depends_on: the first start waits (docs/health.md) ---- */

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
	return s->procs[i].svc.sub == SVC_SUB_WAITING ? first_unmet(s, i) : -1;
}

/* Is process i held back by the machine? Says so once per change. */
static int held_back(struct sup *s, size_t i)
{
	struct sup_proc *p = &s->procs[i];
	char why[sizeof(p->why)];
	int r = s->hooks.ready ? s->hooks.ready(s->hooks.ctx, i, why, sizeof(why)) : 0;
	if (r != p->blocked && r != 0) {
		p->blocked = r;
		memcpy(p->why, why, sizeof(why));
		p->why[sizeof(p->why) - 1] = '\0';
		emit(p, SVC_EV_BLOCKED, r);
	}
	p->blocked = r;
	return r != 0;
}

int sup_any_blocked(const struct sup *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (sup_why(s, i))
			return 1;
	return 0;
}

const char *sup_why(const struct sup *s, size_t i)
{
	const struct sup_proc *p = &s->procs[i];
	return p->blocked && (p->svc.sub == SVC_SUB_WAITING || p->svc.sub == SVC_SUB_INACTIVE) ? p->why : NULL;
}

void sup_context(const struct sup *s, size_t i, struct spawn_req *ret)
{
	const struct sup_proc *p = &s->procs[i];
	sup_view(s, i, ret);
	ret->envp = p->envp;
	ret->user = p->user;
	ret->workdir = p->workdir;
}

void sup_view(const struct sup *s, size_t i, struct spawn_req *ret)
{
	ret->cgroup = s->hooks.cgroup ? s->hooks.cgroup(s->hooks.ctx, i) : NULL;
	ret->bound = !s->procs[i].sp->wrapped;   /* the wrap form: as PID 1 */
	ret->caps = s->procs[i].sp->caps;
	ret->nofile = s->hooks.nofile;
	ret->vol_dir = s->hooks.vol_dir;
	ret->hide = s->hooks.hide;
	ret->mounts = s->procs[i].sp->mounts;
	ret->nmounts = s->procs[i].sp->nmounts;
	ret->secrets_dir = s->procs[i].secrets_dir[0] ? s->procs[i].secrets_dir : NULL;
}

/* Start every waiting process whose conditions now hold.
 *
 * The guard is for a real recursion: starting one process emits its
 * SPAWNED, which calls recheck again (its "started" may be what another
 * waits for), from inside this loop. The nested call only asks for one more
 * pass, so processes start in index order, pass by pass, and the stack stays
 * flat however long a chain of dependencies is. */
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
			if (p->svc.sub == SVC_SUB_WAITING && first_unmet(s, i) < 0 && !held_back(s, i)) {
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
		if (first_unmet(s, i) < 0 && !held_back(s, i))
			svc_want_up(&s->procs[i].svc);
		else
			svc_wait(&s->procs[i].svc);
	}
	recheck(s);
	for (size_t i = 0; i < s->n; i++) {
		int j = sup_waiting(s, i);
		if (j >= 0)
			emit(&s->procs[i], SVC_EV_WAITING, j);
	}
}

void sup_hold_news(struct sup *s)
{
	s->holding = 1;
}

size_t sup_unsaid(const struct sup *s)
{
	return s->nnews;
}

size_t sup_say(struct sup *s)
{
	s->holding = 0;
	return say_held(s);
}

void sup_stop_all(struct sup *s)
{
	/* No waiter may start on a settle that the stopping itself causes:
	 * every waiter stops waiting first. */
	for (size_t i = 0; i < s->n; i++)
		if (s->procs[i].svc.sub == SVC_SUB_WAITING)
			svc_want_down(&s->procs[i].svc);
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

/* The host's stop holds the process (its want is HELD before anything
 * moves: settling at once, from backoff, must not look like "all work
 * done"); start and restart release it and override x-depends_on. */
void sup_stop(struct sup *s, size_t i)
{
	svc_hold(&s->procs[i].svc);
}

void sup_start(struct sup *s, size_t i)
{
	svc_want_up(&s->procs[i].svc);
}

void sup_restart(struct sup *s, size_t i)
{
	svc_hold(&s->procs[i].svc);
	svc_want_up(&s->procs[i].svc);
}

int sup_any_held(const struct sup *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->procs[i].svc.want == SVC_WANT_HELD)
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
