/* health.c - the checks of every process, scheduled on the loop.
 *
 * Owns: per process, up to two checks (readiness = the schema's health,
 * liveness = x-liveness), each with its probe, its threshold tracker and its
 * interval timer, and the x-startup_timeout_seconds timer. All fixed at
 * hc_new: nothing is allocated per check run.
 * Invariants: checks run only while the process's main command runs (between
 * hc_process_started and hc_process_stopped, or a give_up); at most one
 * attempt per check is in flight; a round that comes due while one runs
 * starts when it ends, and a further one is skipped and counted. Rounds keep
 * to a grid (start + k * interval), so they do not drift.
 * Never: acts on a process itself (hooks do), blocks, or calls a hook from
 * inside hc_process_started: the first round (a process check's pass
 * included) runs on the loop's next turn, after the process's own events.
 */
#include "health.h"
#include "probe.h"
#include "base/loop.h"
#include "spec/spec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS(sec) ((uint64_t)(sec) * LOOP_NS_PER_SEC)

struct hc_check {
	struct hc_set *set;
	size_t proc;
	enum hc_role role;
	const struct spec_health *sh;    /* NULL: the process has no such check */
	struct hc_target target;
	struct hc_thresholds th;
	struct hc_probe probe;
	struct hc_track track;
	struct loop_timer timer;         /* the next round */
	uint64_t due;                    /* of the next round: a fixed grid */
	int pending;                     /* a round came due while an attempt ran */
	int last_pass;
	uint64_t last_at;
	uint64_t skipped;                /* rounds skipped: the last still ran */
	char last_failure[HC_PROBE_REASON_MAX];
};

struct hc_proc {
	struct hc_check check[2];        /* by enum hc_role */
	struct loop_timer startup;
	int running;
	int startup_met;                 /* healthy once during this run */
};

struct hc_set {
	struct loop *loop;
	const struct spec *spec;
	struct hc_hooks hooks;
	struct hc_proc *procs;
	size_t n;
};

static const char *const type_names[] = { "tcp", "http", "process" };

/* The check whose "healthy" x-startup_timeout_seconds and "healthy"
 * dependencies wait for: readiness, else liveness. */
static const struct hc_check *main_check(const struct hc_proc *p)
{
	if (p->check[HC_READINESS].sh)
		return &p->check[HC_READINESS];
	return p->check[HC_LIVENESS].sh ? &p->check[HC_LIVENESS] : NULL;
}

static void stop_checks(struct hc_set *s, size_t i);

/* vminit gives up on this run: its checks end with it, so a check that
 * passes while the process is being ended starts no dependent. */
/* The run's checks end: timers, probes, and the states go off. */
static void end_run(struct hc_set *s, size_t i)
{
	uint64_t now = loop_now();
	stop_checks(s, i);
	s->procs[i].running = 0;
	for (int r = 0; r < 2; r++)
		if (s->procs[i].check[r].sh)
			hc_track_stop(&s->procs[i].check[r].track, now);
}

static void give_up(struct hc_set *s, size_t i, const char *why)
{
	end_run(s, i);
	if (s->hooks.give_up)
		s->hooks.give_up(s->hooks.ctx, i, why);
}

static void changed(struct hc_check *c)
{
	struct hc_set *s = c->set;
	struct hc_proc *p = &s->procs[c->proc];
	enum hc_state st = c->track.state;
	if (st == HC_HEALTHY && c == main_check(p) && !p->startup_met) {
		p->startup_met = 1;
		loop_timer_cancel(s->loop, &p->startup);
	}
	if (s->hooks.changed)
		s->hooks.changed(s->hooks.ctx, c->proc, c->role, st,
				 c->last_failure[0] ? c->last_failure : NULL);
	if (c->role == HC_LIVENESS && st == HC_UNHEALTHY) {
		char why[HC_PROBE_REASON_MAX + 48];
		snprintf(why, sizeof(why), "liveness check unhealthy (%s)",
			 c->last_failure[0] ? c->last_failure : "failed");
		give_up(s, c->proc, why);
	}
}

static void result(struct hc_check *c, int pass, const char *reason)
{
	uint64_t now = loop_now();
	c->last_pass = pass;
	c->last_at = now;
	if (!pass)
		snprintf(c->last_failure, sizeof(c->last_failure), "%s", reason ? reason : "failed");
	if (hc_track_result(&c->track, &c->th, pass, now))
		changed(c);
}

static void run_round(struct hc_check *c);

static void on_probe(void *ctx, int pass, const char *reason)
{
	struct hc_check *c = ctx;
	if (!c->set->procs[c->proc].running)
		return;
	result(c, pass, reason);
	/* The round that came due meanwhile, now (unless the result ended the run). */
	if (c->pending && c->set->procs[c->proc].running) {
		c->pending = 0;
		run_round(c);
	}
}

static void run_round(struct hc_check *c)
{
	struct hc_set *s = c->set;
	if (c->sh->type == SPEC_HEALTH_PROCESS) {
		/* Alive is healthy: one pass, whatever the thresholds. */
		struct hc_thresholds once = { 1, c->th.failure, 0 };
		uint64_t now = loop_now();
		c->last_pass = 1;
		c->last_at = now;
		if (hc_track_result(&c->track, &once, 1, now))
			changed(c);
		return;
	}
	if (hc_probe_busy(&c->probe)) {
		/* Never two attempts at once: this round starts when the running
		 * one ends; one more while it still runs is skipped. */
		if (c->pending)
			c->skipped++;
		c->pending = 1;
		return;
	}
	if (hc_probe_start(&c->probe, s->loop, &c->target, on_probe, c) < 0) {
		char why[96];
		snprintf(why, sizeof(why), "cannot start the check: %s", strerror(errno));
		result(c, 0, why);
	}
}

static void on_round(struct loop *l, struct loop_timer *t)
{
	struct hc_check *c = t->ctx;
	uint64_t now = loop_now();
	if (c->sh->type != SPEC_HEALTH_PROCESS) {
		c->due += NS(c->sh->interval);
		if (c->due <= now)   /* a stall longer than an interval: no burst */
			c->due = now + NS(c->sh->interval);
		if (loop_timer_at(l, &c->timer, c->due) < 0) {
			/* Shown, not silent: the check's last word is why it stops. */
			result(c, 0, "no timer slot left: this check stops");
			return;
		}
	}
	run_round(c);
}

static void on_startup(struct loop *l, struct loop_timer *t)
{
	struct hc_proc *p = t->ctx;
	struct hc_set *s = p->check[0].set;
	size_t i = (size_t)(p - s->procs);
	char why[96];
	(void)l;
	if (!p->running || p->startup_met)
		return;
	snprintf(why, sizeof(why), "not healthy within x-startup_timeout_seconds = %d",
		 s->spec->procs[i].startup_timeout);
	give_up(s, i, why);
}

struct hc_set *hc_new(struct loop *l, const struct spec *spec, const struct hc_hooks *hooks)
{
	struct hc_set *s = calloc(1, sizeof(*s));
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
		struct hc_proc *p = &s->procs[i];
		const struct spec_process *sp = &spec->procs[i];
		const struct spec_health *specs[2] = { &sp->health, &sp->liveness };
		loop_timer_init(&p->startup, on_startup, p);
		for (int r = 0; r < 2; r++) {
			struct hc_check *c = &p->check[r];
			const struct spec_health *h = specs[r];
			c->set = s;
			c->proc = i;
			c->role = (enum hc_role)r;
			c->last_pass = -1;
			hc_probe_init(&c->probe);
			loop_timer_init(&c->timer, on_round, c);
			if (!h->present)
				continue;
			c->sh = h;
			c->target.kind = h->type == SPEC_HEALTH_HTTP ? HC_HTTP : HC_TCP;
			c->target.port = (uint16_t)h->port;
			c->target.path = h->path;
			c->target.timeout_ns = NS(h->timeout);
			c->th.success = (unsigned)h->success_threshold;
			c->th.failure = (unsigned)h->failure_threshold;
			c->th.grace_ns = NS(h->grace);
		}
	}
	return s;
}

static void stop_checks(struct hc_set *s, size_t i)
{
	struct hc_proc *p = &s->procs[i];
	loop_timer_cancel(s->loop, &p->startup);
	for (int r = 0; r < 2; r++) {
		hc_probe_cancel(&p->check[r].probe);
		loop_timer_cancel(s->loop, &p->check[r].timer);
		p->check[r].pending = 0;
	}
}

void hc_free(struct hc_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		stop_checks(s, i);
	free(s->procs);
	free(s);
}

void hc_process_started(struct hc_set *s, size_t i)
{
	struct hc_proc *p;
	uint64_t now = loop_now();
	if (!s || i >= s->n)
		return;
	p = &s->procs[i];
	stop_checks(s, i);
	p->running = 1;
	p->startup_met = 0;
	if (s->spec->procs[i].startup_timeout)
		loop_timer_in(s->loop, &p->startup, NS(s->spec->procs[i].startup_timeout));
	for (int r = 0; r < 2; r++) {
		struct hc_check *c = &p->check[r];
		if (!c->sh)
			continue;
		hc_track_start(&c->track, now);
		c->last_failure[0] = '\0';
		c->last_pass = -1;
		c->last_at = 0;
		/* The first round on the loop's next turn, the others on a grid. */
		c->due = now;
		if (loop_timer_at(s->loop, &c->timer, now) < 0)
			snprintf(c->last_failure, sizeof(c->last_failure), "no timer slot left: no checks");
	}
}

void hc_process_stopped(struct hc_set *s, size_t i)
{
	if (s && i < s->n)
		end_run(s, i);
}

int hc_get(const struct hc_set *s, size_t i, enum hc_role role, struct hc_view *ret)
{
	const struct hc_check *c;
	if (!s || i >= s->n || !s->procs[i].check[role].sh)
		return -1;
	c = &s->procs[i].check[role];
	ret->type = type_names[c->sh->type];
	ret->state = c->track.state;
	ret->since_ns = c->track.since;
	ret->last_pass = c->last_pass;
	ret->last_at_ns = c->last_at;
	ret->last_failure = c->last_failure[0] ? c->last_failure : NULL;
	ret->passes = c->track.passes;
	ret->failures = c->track.fails;
	ret->checks = c->track.checks;
	ret->failed_checks = c->track.failed_checks;
	ret->skipped = c->skipped;
	return 0;
}

int hc_healthy(const struct hc_set *s, size_t i)
{
	const struct hc_check *c;
	if (!s || i >= s->n)
		return 0;
	c = main_check(&s->procs[i]);
	return c && c->track.state == HC_HEALTHY;
}

/* After a snapshot restore (docs/resume.md): an attempt that was in flight
 * across the pause answers for a peer that may be gone, so it is abandoned
 * uncounted; the failures in a row start again from 0 (a check that was
 * passing must fail `failure` times anew); and the next rounds are spread
 * over one interval, k/(n+1) of it for the k-th of n checks, so the probes
 * do not all start in the same turn. States and passes are kept. */
void hc_resumed(struct hc_set *s)
{
	uint64_t now = loop_now(), n = 0, k = 0;
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		for (int r = 0; r < 2; r++)
			n += s->procs[i].running && s->procs[i].check[r].sh &&
			     s->procs[i].check[r].sh->type != SPEC_HEALTH_PROCESS;
	for (size_t i = 0; i < s->n; i++) {
		for (int r = 0; r < 2; r++) {
			struct hc_check *c = &s->procs[i].check[r];
			if (!s->procs[i].running || !c->sh || c->sh->type == SPEC_HEALTH_PROCESS)
				continue;
			hc_probe_cancel(&c->probe);
			c->pending = 0;
			c->track.fails = 0;
			c->due = now + NS(c->sh->interval) * ++k / (n + 1);
			loop_timer_at(s->loop, &c->timer, c->due);
		}
	}
}
