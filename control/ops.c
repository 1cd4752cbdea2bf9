/* ops.c - the host channel's operations (docs/protocol.md §4): what each
 * request does, and what its reply says. status, the big one, is status.c's.
 *
 * Requests arrive decoded and checked (channel/proto.c). Each handler either
 * queues one reply, or turns the connection into a stream, or (exec) leaves
 * it waiting for a callback. Never blocks. How a reply is spelled is
 * channel/encode.c's; here is only what it says.
 */
#include "ctl_int.h"
#include "base/clock.h"
#include "base/console.h"
#include "spec/spec.h"
#include "resources/resources.h"
#include "supervisor/env.h"
#include "supervisor/exec.h"
#include "secrets/store.h"
#include "supervisor/supervisor.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

static void op_hello(struct conn *c, const struct ctl_req *q)
{
	static const struct enc_limits lim = {
		.connections = CTL_MAX_CONNS,
		.local_connections = CTL_MAX_CONNS - CTL_HOST_RESERVED,
		.execs = EXEC_MAX_JOBS,
	};
	struct jw *w = ctl_reply_begin(c, q->id);
	enc_hello(w, c->ctl->vm.pid1, &c->ctl->boot, &lim);
	ctl_reply_end(c, w, q->id);
}

static void op_ping(struct conn *c, const struct ctl_req *q)
{
	struct jw *w = ctl_reply_begin(c, q->id);
	enc_ping(w, clock_boot_ms());
	ctl_reply_end(c, w, q->id);
}

static void op_events(struct conn *c, const struct ctl_req *q)
{
	const struct ring *ev = &c->ctl->events;
	uint64_t from = ring_next(ev);
	struct jw *w;
	/* 0: the oldest kept; an older seq than that gets a "lost" first. */
	if (q->has_since)
		from = q->since == 0 ? ring_first(ev) : q->since;
	if (from > ring_next(ev))
		from = ring_next(ev);
	w = ctl_reply_begin(c, q->id);
	enc_events_started(w, ring_next(ev));
	if (ctl_reply_end(c, w, q->id) == 0)
		ctl_stream_start(c, CM_EVENTS, from);
}

int ctl_find_process(struct conn *c, const struct ctl_req *q)
{
	int i = c->ctl->sup ? sup_find(c->ctl->sup, q->process) : -1;
	if (i < 0) {
		char msg[PROTO_NAME_MAX + 32];
		snprintf(msg, sizeof(msg), "no process named \"%s\"", q->process);
		ctl_reply_error(c, q->id, CTL_E_NOT_FOUND, msg);
	}
	return i;
}

static void op_logs(struct conn *c, const struct ctl_req *q)
{
	const struct ring *logs = &c->ctl->logs;
	int filter = -1;
	uint64_t from = ring_next(logs);
	long long want = q->lines;
	struct jw *w;
	if (q->has_process && (filter = ctl_find_process(c, q)) < 0)
		return;
	/* Walk back to the want-th most recent matching line. */
	while (want > 0 && from > ring_first(logs)) {
		const struct ring_rec *r = ring_get(logs, from - 1);
		from--;
		if (filter < 0 || r->tag == (unsigned)filter)
			want--;
	}
	w = ctl_reply_begin(c, q->id);
	if (ctl_reply_end(c, w, q->id) < 0)
		return;
	ctl_stream_start(c, CM_LOGS, from);
	c->filter = filter;
	c->follow = q->follow;
	c->end_seq = ring_next(logs);
}

static int shutting_down(const struct ctl_server *ctl)
{
	return ctl->vm.shutdown_phase && ctl->vm.shutdown_phase(ctl->vm.ctx);
}

static void op_signal(struct conn *c, const struct ctl_req *q, size_t i)
{
	struct sup *sup = c->ctl->sup;
	pid_t pid = sup_signal(sup, i, q->signal);
	struct jw *w;
	if (pid < 0) {
		char msg[PROTO_NAME_MAX + 64];
		snprintf(msg, sizeof(msg), "%s is not running (state %s)", q->process,
			 svc_state_name(sup_svc(sup, i)->state));
		ctl_reply_error(c, q->id, CTL_E_INVALID_STATE, msg);
		return;
	}
	log_info("%s: signal %d from the host", q->process, q->signal);
	w = ctl_reply_begin(c, q->id);
	enc_signal_sent(w, pid, q->signal);
	ctl_reply_end(c, w, q->id);
}

/* signal, stop, start, restart: one process. */
static void op_process(struct conn *c, const struct ctl_req *q)
{
	struct sup *sup = c->ctl->sup;
	int i = ctl_find_process(c, q);
	const struct svc *v;
	struct jw *w;
	if (i < 0)
		return;
	if ((q->op == CTL_OP_START || q->op == CTL_OP_RESTART) && shutting_down(c->ctl)) {
		ctl_reply_error(c, q->id, CTL_E_SHUTTING_DOWN, "the VM is shutting down");
		return;
	}
	if (q->op == CTL_OP_SIGNAL) {
		op_signal(c, q, (size_t)i);
		return;
	}
	log_info("%s: %s from the host", q->process, proto_op_name(q->op));
	if (q->op == CTL_OP_STOP)
		sup_stop(sup, (size_t)i);
	else if (q->op == CTL_OP_START)
		sup_start(sup, (size_t)i);
	else
		sup_restart(sup, (size_t)i);
	v = sup_svc(sup, (size_t)i);
	w = ctl_reply_begin(c, q->id);
	enc_process_state(w, svc_state_name(v->state), svc_want_name(v->want));
	ctl_reply_end(c, w, q->id);
}

static void op_shutdown(struct conn *c, const struct ctl_req *q)
{
	const struct ctl_vm *vm = &c->ctl->vm;
	struct jw *w = ctl_reply_begin(c, q->id);
	ctl_reply_end(c, w, q->id);
	if (vm->shutdown)
		vm->shutdown(vm->ctx, q->reboot ? "requested by the host (reboot)" : "requested by the host", q->reboot);
}

/* ---- exec ---- */

static void exec_done(void *ctx, const struct exec_result *r)
{
	struct conn *c = ctx;
	struct enc_exec x = {
		.status = r->status,
		.signal = WIFSIGNALED(r->wstatus) ? WTERMSIG(r->wstatus) : 0,
		.timed_out = r->timed_out,
		.duration_ms = r->duration_ns / LOOP_NS_PER_MS,
		.out = r->out, .err = r->err,
		.out_len = r->out_len, .err_len = r->err_len,
		.out_total = r->out_total, .err_total = r->err_total,
	};
	struct jw *w = ctl_reply_begin(c, c->exec_id);
	enc_exec_result(w, &x);
	c->mode = CM_REQ;
	/* Past the budget: the command ran, "busy, try again" would run it
	 * twice. Bounded by EXEC_MAX_JOBS replies. */
	ctl_reply_end_ex(c, w, c->exec_id, 1);
	ctl_conn_resume(c);
}

/* Why exec_start() failed, as the error reply says it. */
static void exec_refused(struct conn *c, const struct ctl_req *q)
{
	char msg[128];
	if (errno == EBUSY) {
		snprintf(msg, sizeof(msg), "%d commands run already", EXEC_MAX_JOBS);
		ctl_reply_error(c, q->id, CTL_E_BUSY, msg);
	} else {
		snprintf(msg, sizeof(msg), "cannot start the command: %s", strerror(errno));
		ctl_reply_error(c, q->id, CTL_E_FAILED, msg);
	}
}

static void op_exec(struct conn *c, struct ctl_req *q)
{
	static const struct spec_strv none;
	const struct spec *spec = c->ctl->spec;
	struct spec_strv extra = { q->env, (size_t)q->envc, q->envc > 0 };
	struct exec_req er;
	struct spawn_req ctx = { 0 };
	char **envp;
	int rc;
	if (shutting_down(c->ctl)) {
		ctl_reply_error(c, q->id, CTL_E_SHUTTING_DOWN, "the VM is shutting down");
		return;
	}
	if (q->envc == 0)
		extra.v = NULL;
	if (q->has_process) {
		/* Into a process: what it gets, the request's env, user and
		 * workdir over it. */
		int i = ctl_find_process(c, q);
		struct spec_strv mine = { 0 };
		if (i < 0)
			return;
		sup_context(c->ctl->sup, (size_t)i, &ctx);
		for (char *const *e = ctx.envp; e && *e; e++)
			mine.n++;
		mine.v = (char **)ctx.envp;
		envp = env_merge(&mine, &none, &extra);
	} else {
		envp = env_merge(spec ? &spec->image.env : &none, spec ? &spec->env.vars : &none, &extra);
	}
	if (!envp) {
		ctl_reply_error(c, q->id, CTL_E_FAILED, "out of memory");
		return;
	}
	er = (struct exec_req){
		.argv = q->argv,
		.envp = envp,
		.user = q->has_user ? q->user : ctx.user,
		.workdir = q->has_workdir ? q->workdir : ctx.workdir,
		.timeout_ns = (uint64_t)q->timeout_ms * LOOP_NS_PER_MS,
		.max_output = (size_t)q->max_output,
		.view = q->has_process ? &ctx : NULL,
		/* Without a process: a cgroup of the execs' own (docs/resources.md). */
		.cgroup = c->ctl->rs ? rsc_exec_dir(c->ctl->rs) : NULL,
	};
	snprintf(c->exec_id, sizeof(c->exec_id), "%s", q->id);
	rc = exec_start(c->ctl->vm.loop, &er, exec_done, c);
	env_free(envp);
	if (rc < 0) {
		exec_refused(c, q);
		return;
	}
	log_info("exec from the host: %s (%d args)", q->argv[0], q->argc);
	c->mode = CM_EXEC;
}

/* A secret bundle (docs/secrets.md). No reply, event or line here holds a
 * value: the store's errors never do. */
static void op_secrets(struct conn *c, struct ctl_req *q)
{
	struct ctl_server *ctl = c->ctl;
	struct enc_secrets si;
	char err[256];
	struct jw *w;
	if (!ctl->sec) {
		ctl_reply_error(c, q->id, CTL_E_FAILED, "secrets are off here (not PID 1, or no /run/secrets)");
		return;
	}
	if (shutting_down(ctl)) {
		ctl_reply_error(c, q->id, CTL_E_SHUTTING_DOWN, "the VM is shutting down");
		return;
	}
	if (secrets_store_deliver(ctl->sec, q->env, (size_t)q->envc, q->version, err, sizeof(err)) < 0) {
		log_warn("secrets: a bundle was refused: %s", err);
		ctl_event_secrets(ctl, err);
		ctl_reply_error(c, q->id, CTL_E_BAD_REQUEST, err);
		return;
	}
	ctl_secrets_of(ctl, &si);
	log_info("secrets: version %s delivered, %lld keys", si.version, si.keys);
	ctl_event_secrets(ctl, NULL);
	w = ctl_reply_begin(c, q->id);
	enc_secrets_delivered(w, &si);
	ctl_reply_end(c, w, q->id);
	if (ctl->vm.secrets_changed)
		ctl->vm.secrets_changed(ctl->vm.ctx);
}

void ctl_dispatch(struct conn *c, struct ctl_req *q)
{
	switch (q->op) {
	case CTL_OP_HELLO: op_hello(c, q); break;
	case CTL_OP_PING: op_ping(c, q); break;
	case CTL_OP_STATUS: ctl_op_status(c, q); break;
	case CTL_OP_EVENTS: op_events(c, q); break;
	case CTL_OP_LOGS: op_logs(c, q); break;
	case CTL_OP_SIGNAL:
	case CTL_OP_STOP:
	case CTL_OP_START:
	case CTL_OP_RESTART: op_process(c, q); break;
	case CTL_OP_SHUTDOWN: op_shutdown(c, q); break;
	case CTL_OP_EXEC: op_exec(c, q); break;
	case CTL_OP_SECRETS: op_secrets(c, q); break;
	case CTL_OP_CLOCK:
	case CTL_OP_ENTROPY:
	case CTL_OP_RESUMED: ctl_op_clock(c, q); break;
	default:
		ctl_reply_error(c, q->id, CTL_E_UNKNOWN_OP, "unknown operation");
		break;
	}
}
