/* ctl_ops.c - the host channel's operations and events (docs/protocol.md §4,
 * §5): what each request does and what its reply says, and how supervisor
 * events become stream events.
 *
 * Requests arrive decoded and checked (channel/proto.c). Each handler either
 * queues one reply, or turns the connection into a stream, or (exec) leaves
 * it waiting for a callback. Never blocks: status reads /proc, which is
 * memory.
 */
#include "ctl_int.h"
#include "kmod/modules.h"
#include "health/health.h"
#include "base/console.h"
#include "supervisor/env.h"
#include "supervisor/events.h"
#include "supervisor/exec.h"
#include "spec/spec.h"
#include "supervisor/supervisor.h"
#include "base/clock.h"
#include "base/names.h"
#include "base/version.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- events ---- */

static char evbuf[32768];
static struct jw evw;

/* An event's members after seq and at_ms, as JSON text: "\"type\":..." */
static struct jw *ev_begin(const char *type)
{
	jw_init(&evw, evbuf, sizeof(evbuf));
	jw_kstr(&evw, "type", type);
	return &evw;
}

static void ev_commit(void)
{
	if (evw.overflow) {
		ctl.items_dropped++;
		return;
	}
	ring_add(&ctl.events, 0, 0, clock_boot_ms(), evbuf, evw.len);
}

const char *ctl_proc_name(size_t i)
{
	return ctl.spec && i < ctl.spec->nprocs ? ctl.spec->procs[i].name : "?";
}

/* status (shell-style), and code or signal: sig is what ended it, or 0. */
static void write_status_fields(struct jw *w, int status, int sig)
{
	jw_kint(w, "status", status);
	if (sig > 0) {
		const char *name = names_signal(sig);
		jw_knull(w, "code");
		if (name)
			jw_kstr(w, "signal", name);
		else
			jw_kint(w, "signal", sig);
	} else {
		jw_kint(w, "code", status);
		jw_knull(w, "signal");
	}
}

static const char *const dep_conds[] = { "started", "healthy", "succeeded" };
static const char *const role_names[] = { "readiness", "liveness" };

/* A supervisor event as a stream event: its type and members are the event
 * map's (supervisor/events.c), which gives the console its words too. */
void ctl_on_svc(void *ctx, size_t i, const struct svc *s, enum svc_event ev, long arg)
{
	const struct sup_event e = {
		.svc = s, .ev = ev, .arg = arg,
		.sp = ctl.spec && i < ctl.spec->nprocs ? &ctl.spec->procs[i] : NULL,
	};
	const struct sup_event_map *m = sup_event_map(&e);
	struct jw *w = ev_begin(m->type);
	char buf[64];
	(void)ctx;
	if (ev == SVC_EV_SPAWNED && arg == SVC_PHASE_MAIN && ctl.first_process_ms < 0)
		ctl.first_process_ms = (int64_t)clock_boot_ms();
	jw_kstr(w, "process", s->name);
	for (size_t k = 0; k < SUP_EVENT_FIELDS && m->fields[k]; k++) {
		struct sup_value v = sup_event_value(&e, m->fields[k], buf, sizeof(buf));
		if (v.s || v.is_null)
			jw_kstr(w, sup_field_key(m->fields[k]), v.s);
		else
			jw_kint(w, sup_field_key(m->fields[k]), v.i);
	}
	ev_commit();
}

void ctl_on_log(void *ctx, size_t i, int stream, const char *line, size_t len)
{
	(void)ctx;
	ring_add(&ctl.logs, (uint16_t)i, (uint8_t)stream, clock_boot_ms(), line, len);
}

void ctl_on_log_dropped(void *ctx, size_t i, uint64_t n)
{
	char text[24];
	int len = snprintf(text, sizeof(text), "%llu", (unsigned long long)n);
	(void)ctx;
	ring_add(&ctl.logs, (uint16_t)i, CTL_LOG_DROPPED, clock_boot_ms(), text, (size_t)len);
}

void ctl_event_shutdown(const char *reason, int reboot)
{
	struct jw *w = ev_begin("shutdown");
	jw_kstr(w, "reason", reason);
	jw_kbool(w, "reboot", reboot);
	ev_commit();
}

void ctl_event_final(void)
{
	struct jw *w = ev_begin("final");
	jw_key(w, "processes");
	jw_arr(w);
	for (size_t i = 0; ctl.sup && i < sup_count(ctl.sup); i++) {
		const struct svc *v = sup_svc(ctl.sup, i);
		jw_obj(w);
		jw_kstr(w, "name", v->name);
		jw_kstr(w, "state", svc_state_name(v->state));
		if (v->last_status < 0)
			jw_knull(w, "status");
		else
			write_status_fields(w, v->last_status, v->last_signal);
		jw_kint(w, "restarts", v->restarts);
		jw_end(w);
	}
	jw_end_arr(w);
	ev_commit();
	ctl.finalized = 1;
	ctl_push_hurry();
}

/* The members line, key, message and text of "FILE:LINE: KEY: MESSAGE"
 * (KEY: only in an error about one key). */
static void write_spec_error_members(struct jw *w, const char *path, const char *e)
{
	const char *p = e, *colon;
	long line = 0;
	size_t pl = strlen(path);
	if (!strncmp(p, path, pl) && p[pl] == ':') {
		char *end;
		line = strtol(p + pl + 1, &end, 10);
		if (*end == ':' && end[1] == ' ')
			p = end + 2;
		else
			line = 0;
	}
	if (line > 0)
		jw_kint(w, "line", line);
	else
		jw_knull(w, "line");
	colon = strstr(p, ": ");
	if (p != e && colon && !memchr(p, ' ', (size_t)(colon - p))) {
		jw_key(w, "key");
		jw_strn(w, p, (size_t)(colon - p));
		jw_kstr(w, "message", colon + 2);
	} else {
		jw_knull(w, "key");
		jw_kstr(w, "message", p);
	}
	jw_kstr(w, "text", e);
}

static void write_spec_error(struct jw *w, const char *path, const char *e)
{
	jw_obj(w);
	write_spec_error_members(w, path, e);
	jw_end(w);
}

void ctl_set_spec(const struct spec *spec, struct sup *sup)
{
	ctl.spec = spec;
	ctl.sup = sup;
	if (!spec)
		return;
	for (size_t i = 0; i < spec->nerrors; i++) {
		write_spec_error_members(ev_begin("spec.error"), spec->path, spec->errors[i]);
		ev_commit();
	}
}

void ctl_set_modules(const struct modules_report *r)
{
	if (!r->present)
		return;
	ctl.modules = r;
	for (unsigned i = 0; i < r->nfail; i++) {
		struct jw *w = ev_begin("module.failed");
		jw_kstr(w, "module", r->fail[i].module);
		jw_kstr(w, "error", r->fail[i].error);
		ev_commit();
	}
}

static void write_modules(struct jw *w)
{
	const struct modules_report *r = ctl.modules;
	jw_key(w, "modules");
	if (!r) {
		jw_null(w);
		return;
	}
	jw_obj(w);
	jw_kint(w, "loaded", r->loaded);
	jw_kint(w, "already_loaded", r->already);
	jw_kint(w, "builtin", r->builtin);
	jw_kint(w, "failed", r->failed);
	jw_key(w, "errors");
	jw_arr(w);
	for (unsigned i = 0; i < r->nfail; i++) {
		jw_obj(w);
		jw_kstr(w, "module", r->fail[i].module);
		jw_kstr(w, "error", r->fail[i].error);
		jw_end(w);
	}
	jw_end_arr(w);
	jw_kint(w, "ms", r->ms);
	jw_end(w);
}

void ctl_mark(enum ctl_mark m)
{
	if (m == CTL_MARK_SPEC)
		ctl.spec_ms = (int64_t)clock_boot_ms();
}

static void kint_or_null(struct jw *w, const char *key, int64_t v)
{
	if (v < 0)
		jw_knull(w, key);
	else
		jw_kint(w, key, v);
}

void ctl_write_boot(struct jw *w)
{
	jw_key(w, "boot");
	jw_obj(w);
	kint_or_null(w, "pid1_ms", ctl.pid1_ms);
	kint_or_null(w, "spec_loaded_ms", ctl.spec_ms);
	kint_or_null(w, "first_process_ms", ctl.first_process_ms);
	jw_end(w);
}

/* ---- operations ---- */

static void op_hello(struct conn *c, struct ctl_req *q)
{
	static const char *const features[] = {
		"status", "events", "logs", "signal", "stop", "start", "restart", "shutdown", "exec", "ping",
	};
	struct jw *w = ctl_reply_begin(q->id);
	jw_kint(w, "protocol", PROTO_VERSION);
	jw_kstr(w, "vminit", VMINIT_VERSION);
	jw_kbool(w, "pid1", ctl.vm.pid1);
	jw_key(w, "features");
	jw_arr(w);
	for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++)
		jw_str(w, features[i]);
	jw_end_arr(w);
	ctl_write_boot(w);
	jw_key(w, "limits");
	jw_obj(w);
	jw_kint(w, "request_bytes", PROTO_REQUEST_MAX);
	jw_kint(w, "connections", CTL_MAX_CONNS);
	jw_kint(w, "local_connections", CTL_MAX_CONNS - CTL_HOST_RESERVED);
	jw_kint(w, "execs", EXEC_MAX_JOBS);
	jw_kint(w, "exec_output_bytes", PROTO_EXEC_OUTPUT_MAX);
	jw_end(w);
	ctl_reply_end(c, w, q->id);
}

static void op_ping(struct conn *c, struct ctl_req *q)
{
	struct jw *w = ctl_reply_begin(q->id);
	jw_kint(w, "uptime_ms", (long long)clock_boot_ms());
	ctl_reply_end(c, w, q->id);
}

/* utime, stime (ms) and rss (bytes) of pid from /proc; -1 when unknown. */
static void proc_usage(pid_t pid, int64_t *ret_user, int64_t *ret_sys, int64_t *ret_rss)
{
	char path[64], buf[1024], *p;
	unsigned long long ut = 0, st = 0;
	long long rss = 0;
	long tck = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	int fd, n;
	*ret_user = *ret_sys = *ret_rss = -1;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = (int)read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	/* after ")": state(3) ... utime(14) stime(15) ... rss(24) */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d %*d %*d %*u %*u %lld",
			 &ut, &st, &rss) != 3)
		return;
	if (tck <= 0)
		tck = 100;
	*ret_user = (int64_t)(ut * 1000 / (unsigned long long)tck);
	*ret_sys = (int64_t)(st * 1000 / (unsigned long long)tck);
	*ret_rss = rss * (page > 0 ? page : 4096);
}


/* A loop time as the boot clock's ms (what every at_ms is). */
static long long boot_ms_of(uint64_t t, uint64_t now, uint64_t bnow)
{
	uint64_t ago = t <= now ? (now - t) / LOOP_NS_PER_MS : 0;
	return (long long)(bnow > ago ? bnow - ago : 0);
}

/* "health": null without checks, else {"readiness": ..., "liveness": ...}. */
static void write_health(struct jw *w, size_t i, uint64_t now, uint64_t bnow)
{
	struct hc_view v[2];
	int has[2];
	jw_key(w, "health");
	has[0] = hc_get(ctl.hc, i, HC_READINESS, &v[0]) == 0;
	has[1] = hc_get(ctl.hc, i, HC_LIVENESS, &v[1]) == 0;
	if (!has[0] && !has[1]) {
		jw_null(w);
		return;
	}
	jw_obj(w);
	for (int r = 0; r < 2; r++) {
		jw_key(w, role_names[r]);
		if (!has[r]) {
			jw_null(w);
			continue;
		}
		jw_obj(w);
		jw_kstr(w, "type", v[r].type);
		jw_kstr(w, "state", hc_state_name(v[r].state));
		if (v[r].since_ns)
			jw_kint(w, "since_ms", boot_ms_of(v[r].since_ns, now, bnow));
		else
			jw_knull(w, "since_ms");
		if (v[r].last_pass < 0) {
			jw_knull(w, "last_result");
			jw_knull(w, "last_check_ms");
		} else {
			jw_kstr(w, "last_result", v[r].last_pass ? "pass" : "fail");
			jw_kint(w, "last_check_ms", boot_ms_of(v[r].last_at_ns, now, bnow));
		}
		jw_kstr(w, "last_failure", v[r].last_failure);
		jw_kint(w, "passes_in_a_row", v[r].passes);
		jw_kint(w, "failures_in_a_row", v[r].failures);
		jw_kint(w, "checks", (long long)v[r].checks);
		jw_kint(w, "failed_checks", (long long)v[r].failed_checks);
		jw_kint(w, "skipped_rounds", (long long)v[r].skipped);
		jw_end(w);
	}
	jw_end(w);
}

void ctl_set_health(struct hc_set *hc)
{
	ctl.hc = hc;
}

void ctl_event_health(size_t i, int role, int state, const char *reason)
{
	struct jw *w = ev_begin("health.changed");
	jw_kstr(w, "process", ctl_proc_name(i));
	jw_kstr(w, "check", role_names[role ? 1 : 0]);
	jw_kstr(w, "state", hc_state_name((enum hc_state)state));
	jw_kstr(w, "reason", reason);
	ev_commit();
}

void ctl_event_give_up(size_t i, const char *why)
{
	struct jw *w = ev_begin("health.give_up");
	jw_kstr(w, "process", ctl_proc_name(i));
	jw_kstr(w, "reason", why);
	ev_commit();
}

static void write_process(struct jw *w, size_t i)
{
	const struct svc *v = sup_svc(ctl.sup, i);
	uint64_t now = loop_now(), bnow = clock_boot_ms();
	int running = v->pid > 0 && v->phase == SVC_PHASE_MAIN &&
		      (v->state == SVC_RUNNING || v->state == SVC_STOPPING);
	int64_t ut = -1, st = -1, rss = -1;
	jw_obj(w);
	jw_kstr(w, "name", v->name);
	jw_kstr(w, "want", svc_want_name(v->want));
	jw_kstr(w, "state", svc_state_name(v->state));
	if (v->pid > 0)
		jw_kint(w, "pid", v->pid);
	else
		jw_knull(w, "pid");
	jw_kint(w, "starts", v->starts);
	jw_kint(w, "restarts", v->restarts);
	jw_kint(w, "failures", v->failures);
	if (running && v->stopped_sig) {
		const char *sn = names_signal(v->stopped_sig);
		if (sn)
			jw_kstr(w, "stopped_by", sn);
		else
			jw_kint(w, "stopped_by", v->stopped_sig);
	} else {
		jw_knull(w, "stopped_by");
	}
	jw_kint(w, "deferrals", v->deferrals);
	if (v->state == SVC_BACKOFF && v->deferred)
		jw_kstr(w, "deferred", strerror(v->defer_errno));
	else
		jw_knull(w, "deferred");
	jw_kint(w, "output_dropped_lines", (long long)sup_output_dropped(ctl.sup, i));
	if (running) {
		jw_kint(w, "uptime_ms", (long long)((now - v->started_at) / LOOP_NS_PER_MS));
		proc_usage(v->pid, &ut, &st, &rss);
	} else {
		jw_knull(w, "uptime_ms");
	}
	jw_key(w, "last_exit");
	if (v->last_status < 0 || !v->last_exit_at) {
		jw_null(w);
	} else {
		uint64_t ago = (now - v->last_exit_at) / LOOP_NS_PER_MS;
		jw_obj(w);
		write_status_fields(w, v->last_status, v->last_signal);
		jw_kint(w, "at_ms", (long long)(bnow > ago ? bnow - ago : 0));
		jw_end(w);
	}
	kint_or_null(w, "memory_rss_bytes", rss);
	kint_or_null(w, "cpu_user_ms", ut);
	kint_or_null(w, "cpu_system_ms", st);
	write_health(w, i, now, bnow);
	{
		int d = sup_waiting(ctl.sup, i);
		if (d < 0) {
			jw_knull(w, "waiting_for");
		} else {
			const struct spec_dep *dep = &ctl.spec->procs[i].deps[d];
			char text[PROTO_NAME_MAX + 16];
			snprintf(text, sizeof(text), "%s:%s", dep->name, dep_conds[dep->cond]);
			jw_kstr(w, "waiting_for", text);
		}
	}
	jw_end(w);
}

static void op_status(struct conn *c, struct ctl_req *q)
{
	struct jw *w;
	struct console_stats cs;
	const char *phase = ctl.vm.shutdown_phase ? ctl.vm.shutdown_phase() : NULL;
	int only = -1;
	if (q->has_process) {
		only = ctl.sup ? sup_find(ctl.sup, q->process) : -1;
		if (only < 0) {
			char msg[PROTO_NAME_MAX + 32];
			snprintf(msg, sizeof(msg), "no process named \"%s\"", q->process);
			ctl_reply_error(c, q->id, CTL_E_NOT_FOUND, msg);
			return;
		}
	}
	w = ctl_reply_begin(q->id);
	jw_kint(w, "uptime_ms", (long long)clock_boot_ms());
	jw_kstr(w, "shutdown", phase);
	jw_key(w, "spec");
	jw_obj(w);
	jw_kstr(w, "path", ctl.spec ? ctl.spec->path : NULL);
	jw_kbool(w, "ok", ctl.spec && ctl.spec->nerrors == 0);
	jw_key(w, "errors");
	jw_arr(w);
	for (size_t i = 0; ctl.spec && i < ctl.spec->nerrors; i++)
		write_spec_error(w, ctl.spec->path, ctl.spec->errors[i]);
	jw_end_arr(w);
	jw_kint(w, "errors_dropped", ctl.spec ? (long long)ctl.spec->errors_dropped : 0);
	jw_end(w);
	write_modules(w);
	jw_key(w, "processes");
	jw_arr(w);
	for (size_t i = 0; ctl.sup && i < sup_count(ctl.sup); i++)
		if (only < 0 || (size_t)only == i)
			write_process(w, i);
	jw_end_arr(w);
	console_get_stats(&cs);
	jw_key(w, "counters");
	jw_obj(w);
	if (ctl.vm.counters) {
		struct ctl_vm_counters vc = { 0 };
		ctl.vm.counters(&vc);
		jw_kint(w, "reaped", (long long)vc.reaped);
		jw_kint(w, "orphans", (long long)vc.orphans);
	}
	jw_kint(w, "console_dropped_lines", (long long)cs.dropped_lines);
	jw_kint(w, "log_lines", (long long)(ring_next(&ctl.logs) - 1));
	jw_kint(w, "log_lines_overwritten", (long long)ctl.logs.evicted);
	jw_kint(w, "events", (long long)(ring_next(&ctl.events) - 1));
	jw_kint(w, "events_overwritten", (long long)ctl.events.evicted);
	jw_kint(w, "items_lost", (long long)ctl.items_lost);
	jw_kint(w, "items_dropped", (long long)ctl.items_dropped);
	jw_kint(w, "stream_waits", (long long)ctl.stream_waits);
	jw_kint(w, "connections", (long long)ctl.nconns);
	jw_kint(w, "connections_accepted", (long long)ctl.accepted);
	jw_kint(w, "connections_refused", (long long)ctl.refused);
	jw_kint(w, "connections_refused_peer", (long long)ctl.refused_peers);
	jw_kint(w, "connections_evicted", (long long)ctl.evicted);
	jw_kint(w, "requests", (long long)ctl.requests);
	jw_kint(w, "bad_requests", (long long)ctl.bad_requests);
	jw_kint(w, "request_timeouts", (long long)ctl.timeouts);
	jw_kint(w, "busy_replies", (long long)ctl.busy_replies);
	jw_kint(w, "dropped_replies", (long long)ctl.dropped_replies);
	jw_kint(w, "execs_running", (long long)exec_running());
	jw_kint(w, "push_connects", (long long)ctl.push_connects);
	jw_kint(w, "push_sent", (long long)ctl.push_sent);
	jw_kint(w, "push_resent", (long long)ctl.push_resent);
	jw_end(w);
	ctl_reply_end(c, w, q->id);
}

static void op_events(struct conn *c, struct ctl_req *q)
{
	uint64_t from = ring_next(&ctl.events);
	struct jw *w;
	/* 0: the oldest kept; an older seq than that gets a "lost" first. */
	if (q->has_since)
		from = q->since == 0 ? ring_first(&ctl.events) : q->since;
	if (from > ring_next(&ctl.events))
		from = ring_next(&ctl.events);
	w = ctl_reply_begin(q->id);
	jw_kint(w, "next_seq", (long long)ring_next(&ctl.events));
	if (ctl_reply_end(c, w, q->id) == 0)
		ctl_stream_start(c, CM_EVENTS, from);
}

static int find_process(struct conn *c, struct ctl_req *q)
{
	int i = ctl.sup ? sup_find(ctl.sup, q->process) : -1;
	if (i < 0) {
		char msg[PROTO_NAME_MAX + 32];
		snprintf(msg, sizeof(msg), "no process named \"%s\"", q->process);
		ctl_reply_error(c, q->id, CTL_E_NOT_FOUND, msg);
	}
	return i;
}

static void op_logs(struct conn *c, struct ctl_req *q)
{
	int filter = -1;
	uint64_t from = ring_next(&ctl.logs);
	long long want = q->lines;
	struct jw *w;
	if (q->has_process && (filter = find_process(c, q)) < 0)
		return;
	/* Walk back to the want-th most recent matching line. */
	while (want > 0 && from > ring_first(&ctl.logs)) {
		const struct ring_rec *r = ring_get(&ctl.logs, from - 1);
		from--;
		if ((filter < 0 || r->tag == (unsigned)filter) && r->kind != CTL_LOG_DROPPED)
			want--;
	}
	w = ctl_reply_begin(q->id);
	if (ctl_reply_end(c, w, q->id) < 0)
		return;
	ctl_stream_start(c, CM_LOGS, from);
	c->filter = filter;
	c->follow = q->follow;
	c->end_seq = ring_next(&ctl.logs);
}

static void op_process(struct conn *c, struct ctl_req *q)
{
	int i = find_process(c, q);
	const struct svc *v;
	struct jw *w;
	if (i < 0)
		return;
	if ((q->op == CTL_OP_START || q->op == CTL_OP_RESTART) && ctl.vm.shutdown_phase &&
	    ctl.vm.shutdown_phase()) {
		ctl_reply_error(c, q->id, CTL_E_SHUTTING_DOWN, "the VM is shutting down");
		return;
	}
	if (q->op == CTL_OP_SIGNAL) {
		pid_t pid = sup_signal(ctl.sup, (size_t)i, q->signal);
		const char *sn = names_signal(q->signal);
		if (pid < 0) {
			char msg[PROTO_NAME_MAX + 64];
			snprintf(msg, sizeof(msg), "%s is not running (state %s)", q->process,
				 svc_state_name(sup_svc(ctl.sup, (size_t)i)->state));
			ctl_reply_error(c, q->id, CTL_E_INVALID_STATE, msg);
			return;
		}
		log_info("%s: signal %d from the host", q->process, q->signal);
		w = ctl_reply_begin(q->id);
		jw_kint(w, "pid", pid);
		if (sn)
			jw_kstr(w, "signal", sn);
		else
			jw_kint(w, "signal", q->signal);
		ctl_reply_end(c, w, q->id);
		return;
	}
	log_info("%s: %s from the host", q->process, proto_op_name(q->op));
	if (q->op == CTL_OP_STOP)
		sup_stop(ctl.sup, (size_t)i);
	else if (q->op == CTL_OP_START)
		sup_start(ctl.sup, (size_t)i);
	else
		sup_restart(ctl.sup, (size_t)i);
	v = sup_svc(ctl.sup, (size_t)i);
	w = ctl_reply_begin(q->id);
	jw_kstr(w, "state", svc_state_name(v->state));
	jw_kstr(w, "want", svc_want_name(v->want));
	ctl_reply_end(c, w, q->id);
}

static void op_shutdown(struct conn *c, struct ctl_req *q)
{
	struct jw *w = ctl_reply_begin(q->id);
	ctl_reply_end(c, w, q->id);
	if (ctl.vm.shutdown)
		ctl.vm.shutdown(q->reboot ? "requested by the host (reboot)" : "requested by the host",
				q->reboot);
}

/* ---- exec ---- */

static void exec_done(void *ctx, const struct exec_result *r)
{
	struct conn *c = ctx;
	struct jw *w = ctl_reply_begin(c->exec_id);
	jw_kint(w, "status", r->status);
	if (WIFSIGNALED(r->wstatus)) {
		const char *sn = names_signal(WTERMSIG(r->wstatus));
		jw_knull(w, "code");
		if (sn)
			jw_kstr(w, "signal", sn);
		else
			jw_kint(w, "signal", WTERMSIG(r->wstatus));
	} else {
		jw_kint(w, "code", r->status);
		jw_knull(w, "signal");
	}
	jw_kbool(w, "timed_out", r->timed_out);
	jw_kint(w, "duration_ms", (long long)(r->duration_ns / LOOP_NS_PER_MS));
	jw_key(w, "stdout");
	jw_strn(w, r->out, r->out_len);
	jw_key(w, "stderr");
	jw_strn(w, r->err, r->err_len);
	jw_kint(w, "stdout_bytes", (long long)r->out_total);
	jw_kint(w, "stderr_bytes", (long long)r->err_total);
	jw_kbool(w, "stdout_truncated", r->out_total > r->out_len);
	jw_kbool(w, "stderr_truncated", r->err_total > r->err_len);
	c->mode = CM_REQ;
	/* Past the budget: the command ran, "busy, try again" would run it
	 * twice. Bounded by EXEC_MAX_JOBS replies. */
	ctl_reply_end_ex(c, w, c->exec_id, 1);
	ctl_conn_resume(c);
}

static void op_exec(struct conn *c, struct ctl_req *q)
{
	static const struct spec_strv none;
	struct spec_strv extra = { q->env, (size_t)q->envc, q->envc > 0 };
	struct exec_req er;
	char **envp;
	int rc;
	if (ctl.vm.shutdown_phase && ctl.vm.shutdown_phase()) {
		ctl_reply_error(c, q->id, CTL_E_SHUTTING_DOWN, "the VM is shutting down");
		return;
	}
	if (q->envc == 0)
		extra.v = NULL;
	envp = env_merge(ctl.spec ? &ctl.spec->image.env : &none, ctl.spec ? &ctl.spec->env.vars : &none,
			 &extra);
	if (!envp) {
		ctl_reply_error(c, q->id, CTL_E_FAILED, "out of memory");
		return;
	}
	er = (struct exec_req){
		.argv = q->argv,
		.envp = envp,
		.user = q->has_user ? q->user : NULL,
		.workdir = q->has_workdir ? q->workdir : NULL,
		.timeout_ns = (uint64_t)q->timeout_ms * LOOP_NS_PER_MS,
		.max_output = (size_t)q->max_output,
	};
	snprintf(c->exec_id, sizeof(c->exec_id), "%s", q->id);
	rc = exec_start(ctl.vm.loop, &er, exec_done, c);
	env_free(envp);
	if (rc < 0) {
		char msg[128];
		if (errno == EBUSY) {
			snprintf(msg, sizeof(msg), "%d commands run already", EXEC_MAX_JOBS);
			ctl_reply_error(c, q->id, CTL_E_BUSY, msg);
		} else {
			snprintf(msg, sizeof(msg), "cannot start the command: %s", strerror(errno));
			ctl_reply_error(c, q->id, CTL_E_FAILED, msg);
		}
		return;
	}
	log_info("exec from the host: %s (%d args)", q->argv[0], q->argc);
	c->mode = CM_EXEC;
}

void ctl_dispatch(struct conn *c, struct ctl_req *q)
{
	switch (q->op) {
	case CTL_OP_HELLO: op_hello(c, q); break;
	case CTL_OP_PING: op_ping(c, q); break;
	case CTL_OP_STATUS: op_status(c, q); break;
	case CTL_OP_EVENTS: op_events(c, q); break;
	case CTL_OP_LOGS: op_logs(c, q); break;
	case CTL_OP_SIGNAL:
	case CTL_OP_STOP:
	case CTL_OP_START:
	case CTL_OP_RESTART: op_process(c, q); break;
	case CTL_OP_SHUTDOWN: op_shutdown(c, q); break;
	case CTL_OP_EXEC: op_exec(c, q); break;
	default:
		ctl_reply_error(c, q->id, CTL_E_UNKNOWN_OP, "unknown operation");
		break;
	}
}
