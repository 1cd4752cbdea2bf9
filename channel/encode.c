/* encode.c - the wire shapes of the host channel's replies, events and stream
 * items (see encode.h; docs/protocol.md has each one).
 *
 * Only spelling lives here: key names, their order, null for what is not
 * known, names for signals. What to say, and when, is the server's. The order
 * of keys is part of the protocol as clients see it (tests compare bytes), so
 * every function writes its members in one fixed order.
 */
#include "encode.h"
#include "base/names.h"
#include "base/version.h"

#include <stdio.h>
#include <string.h>
#include <stdlib.h>

/* ---- small pieces ---- */

static void kint_or_null(struct jw *w, const char *key, size_t n, int64_t v)
{
	if (v < 0)
		jw_lknull(w, key, n);
	else
		jw_lkint(w, key, n, v);
}

/* {"id":ID,"ok":OK, - every reply's start. */
static void reply_head(struct jw *w, const char *id, int ok)
{
	jw_obj(w);
	if (id && *id) {
		jw_lkey(w, JW_LIT("id"));
		jw_raw(w, id, strlen(id));
	}
	jw_lkbool(w, JW_LIT("ok"), ok);
}

/* The end of n objects, then the line's newline. */
static void end_line(struct jw *w, int n)
{
	while (n-- > 0)
		jw_end(w);
	jw_nl(w);
}

void enc_ksignal(struct jw *w, const char *key, size_t n, int sig)
{
	const char *name = names_signal(sig);
	if (name)
		jw_lkstr(w, key, n, name);
	else
		jw_lkint(w, key, n, sig);
}

void enc_exit_status(struct jw *w, int status, int sig)
{
	jw_lkint(w, JW_LIT("status"), status);
	if (sig > 0) {
		jw_lknull(w, JW_LIT("code"));
		enc_ksignal(w, JW_LIT("signal"), sig);
	} else {
		jw_lkint(w, JW_LIT("code"), status);
		jw_lknull(w, JW_LIT("signal"));
	}
}

/* ---- replies ---- */

void enc_reply_begin(struct jw *w, const char *id)
{
	reply_head(w, id, 1);
	jw_lkey(w, JW_LIT("result"));
	jw_obj(w);
}

void enc_reply_end(struct jw *w)
{
	end_line(w, 2);
}

void enc_error_reply(struct jw *w, const char *id, enum ctl_err code, const char *msg)
{
	size_t n = strlen(msg);
	reply_head(w, id, 0);
	jw_lkey(w, JW_LIT("error"));
	jw_obj(w);
	jw_lkstr(w, JW_LIT("code"), proto_err_name(code));
	jw_lkey(w, JW_LIT("message"));
	jw_strn(w, msg, n > ENC_ERROR_MESSAGE_MAX ? ENC_ERROR_MESSAGE_MAX : n);
	end_line(w, 2);
}

static void write_boot(struct jw *w, const struct enc_boot *b)
{
	jw_lkey(w, JW_LIT("boot"));
	jw_obj(w);
	kint_or_null(w, JW_LIT("pid1_ms"), b->pid1_ms);
	kint_or_null(w, JW_LIT("spec_loaded_ms"), b->spec_loaded_ms);
	kint_or_null(w, JW_LIT("first_process_ms"), b->first_process_ms);
	jw_end(w);
}

void enc_hello(struct jw *w, int pid1, const struct enc_boot *boot, const struct enc_limits *lim)
{
	/* Not the order of the protocol's list of operations: the order hello
	 * has always sent them in. */
	static const char *const features[] = {
		"status", "events", "logs", "signal", "stop", "start", "restart", "shutdown", "exec", "ping",
		"secrets", "clock", "entropy", "resumed",
	};
	jw_lkint(w, JW_LIT("protocol"), PROTO_VERSION);
	jw_lkstr(w, JW_LIT("vminit"), VMINIT_VERSION);
	jw_lkbool(w, JW_LIT("pid1"), pid1);
	jw_lkey(w, JW_LIT("features"));
	jw_arr(w);
	for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++)
		jw_str(w, features[i]);
	jw_end_arr(w);
	write_boot(w, boot);
	jw_lkey(w, JW_LIT("limits"));
	jw_obj(w);
	jw_lkint(w, JW_LIT("request_bytes"), PROTO_REQUEST_MAX);
	jw_lkint(w, JW_LIT("connections"), lim->connections);
	jw_lkint(w, JW_LIT("local_connections"), lim->local_connections);
	jw_lkint(w, JW_LIT("execs"), lim->execs);
	jw_lkint(w, JW_LIT("exec_output_bytes"), PROTO_EXEC_OUTPUT_MAX);
	jw_end(w);
}

void enc_ping(struct jw *w, uint64_t uptime_ms)
{
	jw_lkint(w, JW_LIT("uptime_ms"), (long long)uptime_ms);
}

void enc_events_started(struct jw *w, uint64_t next_seq)
{
	jw_lkint(w, JW_LIT("next_seq"), (long long)next_seq);
}

void enc_signal_sent(struct jw *w, long pid, int sig)
{
	jw_lkint(w, JW_LIT("pid"), pid);
	enc_ksignal(w, JW_LIT("signal"), sig);
}

void enc_process_state(struct jw *w, const char *state, const char *want)
{
	jw_lkstr(w, JW_LIT("state"), state);
	jw_lkstr(w, JW_LIT("want"), want);
}

void enc_exec_result(struct jw *w, const struct enc_exec *r)
{
	enc_exit_status(w, r->status, r->signal);
	jw_lkbool(w, JW_LIT("timed_out"), r->timed_out);
	jw_lkint(w, JW_LIT("duration_ms"), (long long)r->duration_ms);
	jw_lkey(w, JW_LIT("stdout"));
	jw_strn(w, r->out, r->out_len);
	jw_lkey(w, JW_LIT("stderr"));
	jw_strn(w, r->err, r->err_len);
	jw_lkint(w, JW_LIT("stdout_bytes"), (long long)r->out_total);
	jw_lkint(w, JW_LIT("stderr_bytes"), (long long)r->err_total);
	jw_lkbool(w, JW_LIT("stdout_truncated"), r->out_total > r->out_len);
	jw_lkbool(w, JW_LIT("stderr_truncated"), r->err_total > r->err_len);
}

/* ---- status ---- */

void enc_status_head(struct jw *w, uint64_t uptime_ms, const char *shutdown)
{
	jw_lkint(w, JW_LIT("uptime_ms"), (long long)uptime_ms);
	jw_lkstr(w, JW_LIT("shutdown"), shutdown);
}

void enc_spec_summary(struct jw *w, const char *path, int ok, char *const *errors, size_t nerrors,
		      uint64_t dropped)
{
	jw_lkey(w, JW_LIT("spec"));
	jw_obj(w);
	jw_lkstr(w, JW_LIT("path"), path);
	jw_lkbool(w, JW_LIT("ok"), ok);
	jw_lkey(w, JW_LIT("errors"));
	jw_arr(w);
	for (size_t i = 0; i < nerrors; i++) {
		jw_obj(w);
		enc_spec_error_members(w, path, errors[i]);
		jw_end(w);
	}
	jw_end_arr(w);
	jw_lkint(w, JW_LIT("errors_dropped"), (long long)dropped);
	jw_end(w);
}

void enc_modules_none(struct jw *w)
{
	jw_lkey(w, JW_LIT("modules"));
	jw_null(w);
}

void enc_modules_begin(struct jw *w, const struct enc_modules *m)
{
	jw_lkey(w, JW_LIT("modules"));
	jw_obj(w);
	jw_lkint(w, JW_LIT("loaded"), m->loaded);
	jw_lkint(w, JW_LIT("already_loaded"), m->already_loaded);
	jw_lkint(w, JW_LIT("builtin"), m->builtin);
	jw_lkint(w, JW_LIT("failed"), m->failed);
	jw_lkey(w, JW_LIT("errors"));
	jw_arr(w);
}

static void module_members(struct jw *w, const char *module, const char *error)
{
	jw_lkstr(w, JW_LIT("module"), module);
	jw_lkstr(w, JW_LIT("error"), error);
}

void enc_module_error(struct jw *w, const char *module, const char *error)
{
	jw_obj(w);
	module_members(w, module, error);
	jw_end(w);
}

void enc_modules_end(struct jw *w, int64_t ms)
{
	jw_end_arr(w);
	jw_lkint(w, JW_LIT("ms"), ms);
	jw_end(w);
}

static void write_check(struct jw *w, const char *role, size_t n, const struct enc_check *c)
{
	jw_lkey(w, role, n);
	if (!c) {
		jw_null(w);
		return;
	}
	jw_obj(w);
	jw_lkstr(w, JW_LIT("type"), c->type);
	jw_lkstr(w, JW_LIT("state"), c->state);
	kint_or_null(w, JW_LIT("since_ms"), c->since_ms);
	if (c->last_pass < 0) {
		jw_lknull(w, JW_LIT("last_result"));
		jw_lknull(w, JW_LIT("last_check_ms"));
	} else {
		jw_lkstr(w, JW_LIT("last_result"), c->last_pass ? "pass" : "fail");
		jw_lkint(w, JW_LIT("last_check_ms"), c->last_check_ms);
	}
	jw_lkstr(w, JW_LIT("last_failure"), c->last_failure);
	jw_lkint(w, JW_LIT("passes_in_a_row"), c->passes);
	jw_lkint(w, JW_LIT("failures_in_a_row"), c->failures);
	jw_lkint(w, JW_LIT("checks"), (long long)c->checks);
	jw_lkint(w, JW_LIT("failed_checks"), (long long)c->failed_checks);
	jw_lkint(w, JW_LIT("skipped_rounds"), (long long)c->skipped_rounds);
	jw_end(w);
}

/* "health": null without checks, else {"readiness": ..., "liveness": ...}. */
static void write_health(struct jw *w, const struct enc_process *p)
{
	jw_lkey(w, JW_LIT("health"));
	if (!p->readiness && !p->liveness) {
		jw_null(w);
		return;
	}
	jw_obj(w);
	write_check(w, JW_LIT("readiness"), p->readiness);
	write_check(w, JW_LIT("liveness"), p->liveness);
	jw_end(w);
}

/* The rest of a process after its counts: what it is doing and using. */
void enc_koom(struct jw *w, const char *key, size_t n, const struct enc_oom *o)
{
	jw_lkey(w, key, n);
	if (!o) {
		jw_null(w);
		return;
	}
	jw_obj(w);
	jw_lkstr(w, JW_LIT("kind"), o->kind);
	jw_lkint(w, JW_LIT("kills"), (long long)o->kills);
	kint_or_null(w, JW_LIT("limit_bytes"), o->limit);
	kint_or_null(w, JW_LIT("peak_bytes"), o->peak);
	jw_end(w);
}

/* "max" where the kernel says it, else the number or null. */
static void kmax(struct jw *w, const char *key, size_t n, int64_t v, int known)
{
	if (!known)
		jw_lknull(w, key, n);
	else if (v < 0)
		jw_lkstr(w, key, n, "max");
	else
		jw_lkint(w, key, n, v);
}

static void write_cgroup(struct jw *w, const struct enc_cgroup *c, const char *error)
{
	jw_lkey(w, JW_LIT("cgroup"));
	if (!c) {
		jw_null(w);
		jw_lkstr(w, JW_LIT("cgroup_error"), error);
		return;
	}
	jw_obj(w);
	jw_lkstr(w, JW_LIT("path"), c->path);
	kint_or_null(w, JW_LIT("memory_current_bytes"), c->memory_current);
	kint_or_null(w, JW_LIT("memory_peak_bytes"), c->memory_peak);
	kmax(w, JW_LIT("memory_max_bytes"), c->memory_max, c->memory_current >= 0);
	kint_or_null(w, JW_LIT("cpu_usage_usec"), c->cpu_usage_usec);
	kint_or_null(w, JW_LIT("cpu_user_usec"), c->cpu_user_usec);
	kint_or_null(w, JW_LIT("cpu_system_usec"), c->cpu_system_usec);
	kint_or_null(w, JW_LIT("cpu_weight"), c->cpu_weight);
	kint_or_null(w, JW_LIT("tasks"), c->tasks);
	kmax(w, JW_LIT("pids_max"), c->pids_max, c->tasks >= 0);
	jw_lkint(w, JW_LIT("oom_kills"), (long long)c->oom_kills);
	jw_end(w);
	jw_lkstr(w, JW_LIT("cgroup_error"), error);
}

void enc_resources(struct jw *w, const struct enc_resources *r)
{
	jw_lkey(w, JW_LIT("resources"));
	jw_obj(w);
	jw_lkbool(w, JW_LIT("cgroups"), r->on);
	jw_lkstr(w, JW_LIT("base"), r->base);
	jw_lkey(w, JW_LIT("controllers"));
	jw_arr(w);
	for (const char *const *c = r->controllers; c && *c; c++)
		jw_str(w, *c);
	jw_end_arr(w);
	jw_lkstr(w, JW_LIT("error"), r->error);
	kint_or_null(w, JW_LIT("vminit_memory_current_bytes"), r->memory_current);
	kint_or_null(w, JW_LIT("vminit_memory_min_bytes"), r->memory_min);
	if (r->oom_score_adj < -1000)
		jw_lknull(w, JW_LIT("vminit_oom_score_adj"));
	else
		jw_lkint(w, JW_LIT("vminit_oom_score_adj"), r->oom_score_adj);
	jw_end(w);
}

void enc_ev_oom(struct jw *w, const char *process, const struct enc_oom *o)
{
	enc_ev_type(w, "process.oom");
	jw_lkstr(w, JW_LIT("process"), process);
	jw_lkstr(w, JW_LIT("kind"), o->kind);
	jw_lkint(w, JW_LIT("kills"), (long long)o->kills);
	kint_or_null(w, JW_LIT("limit_bytes"), o->limit);
	kint_or_null(w, JW_LIT("peak_bytes"), o->peak);
}

static void write_process_now(struct jw *w, const struct enc_process *p)
{
	kint_or_null(w, JW_LIT("uptime_ms"), p->uptime_ms);
	jw_lkey(w, JW_LIT("last_exit"));
	if (!p->has_last_exit) {
		jw_null(w);
	} else {
		jw_obj(w);
		enc_exit_status(w, p->last_status, p->last_signal);
		jw_lkint(w, JW_LIT("at_ms"), p->last_exit_ms);
		enc_koom(w, JW_LIT("oom"), p->last_oom);
		jw_end(w);
	}
	kint_or_null(w, JW_LIT("memory_rss_bytes"), p->rss_bytes);
	kint_or_null(w, JW_LIT("cpu_user_ms"), p->cpu_user_ms);
	kint_or_null(w, JW_LIT("cpu_system_ms"), p->cpu_system_ms);
	write_health(w, p);
	if (p->waiting_for) {
		char text[PROTO_NAME_MAX + 16];
		snprintf(text, sizeof(text), "%s%s%s", p->waiting_for, p->waiting_cond ? ":" : "",
			 p->waiting_cond ? p->waiting_cond : "");
		jw_lkstr(w, JW_LIT("waiting_for"), text);
	} else {
		jw_lknull(w, JW_LIT("waiting_for"));
	}
	jw_lkstr(w, JW_LIT("blocked"), p->blocked);
	write_cgroup(w, p->cgroup, p->cgroup_error);
}

void enc_processes_begin(struct jw *w)
{
	jw_lkey(w, JW_LIT("processes"));
	jw_arr(w);
}

void enc_process(struct jw *w, const struct enc_process *p)
{
	jw_obj(w);
	jw_lkstr(w, JW_LIT("name"), p->name);
	jw_lkstr(w, JW_LIT("want"), p->want);
	jw_lkstr(w, JW_LIT("state"), p->state);
	kint_or_null(w, JW_LIT("pid"), p->pid > 0 ? p->pid : -1);
	jw_lkint(w, JW_LIT("starts"), p->starts);
	jw_lkint(w, JW_LIT("restarts"), p->restarts);
	jw_lkint(w, JW_LIT("failures"), p->failures);
	if (p->stopped_by)
		enc_ksignal(w, JW_LIT("stopped_by"), p->stopped_by);
	else
		jw_lknull(w, JW_LIT("stopped_by"));
	jw_lkint(w, JW_LIT("deferrals"), p->deferrals);
	jw_lkstr(w, JW_LIT("deferred"), p->deferred);
	jw_lkint(w, JW_LIT("output_dropped_lines"), (long long)p->output_dropped_lines);
	write_process_now(w, p);
	jw_end(w);
}

void enc_processes_end(struct jw *w)
{
	jw_end_arr(w);
}

void enc_counters(struct jw *w, const uint64_t v[ENC_C_COUNT], int has_vm)
{
	/* The names in enum enc_counter's order, one after another: no table
	 * of pointers in the binary. */
	static const char names[] =
		"reaped\0orphans\0console_dropped_lines\0log_lines\0log_lines_overwritten\0"
		"events\0events_overwritten\0items_lost\0items_dropped\0stream_waits\0"
		"connections\0connections_accepted\0connections_refused\0connections_refused_peer\0"
		"connections_evicted\0requests\0bad_requests\0request_timeouts\0busy_replies\0"
		"dropped_replies\0execs_running\0push_connects\0push_sent\0push_resent\0"
		"log_holds\0log_held_ms";
	const char *name = names;
	jw_lkey(w, JW_LIT("counters"));
	jw_obj(w);
	for (int i = 0; i < ENC_C_COUNT; i++) {
		size_t n = strlen(name);
		if (has_vm || i > ENC_C_ORPHANS)
			jw_lkint(w, name, n, (long long)v[i]);
		name += n + 1;
	}
	jw_end(w);
}

/* ---- events ---- */

void enc_spec_error_members(struct jw *w, const char *path, const char *e)
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
	kint_or_null(w, JW_LIT("line"), line > 0 ? line : -1);
	colon = strstr(p, ": ");
	if (p != e && colon && !memchr(p, ' ', (size_t)(colon - p))) {
		jw_lkey(w, JW_LIT("key"));
		jw_strn(w, p, (size_t)(colon - p));
		jw_lkstr(w, JW_LIT("message"), colon + 2);
	} else {
		jw_lknull(w, JW_LIT("key"));
		jw_lkstr(w, JW_LIT("message"), p);
	}
	jw_lkstr(w, JW_LIT("text"), e);
}

void enc_ev_type(struct jw *w, const char *type)
{
	jw_lkstr(w, JW_LIT("type"), type);
}

void enc_ev_shutdown(struct jw *w, const char *reason, int reboot)
{
	enc_ev_type(w, "shutdown");
	jw_lkstr(w, JW_LIT("reason"), reason);
	jw_lkbool(w, JW_LIT("reboot"), reboot);
}

void enc_ev_final_begin(struct jw *w)
{
	enc_ev_type(w, "final");
	jw_lkey(w, JW_LIT("processes"));
	jw_arr(w);
}

void enc_final_process(struct jw *w, const char *name, const char *state, int last_status,
		       int last_signal, unsigned restarts, const struct enc_oom *oom)
{
	jw_obj(w);
	jw_lkstr(w, JW_LIT("name"), name);
	jw_lkstr(w, JW_LIT("state"), state);
	if (last_status < 0)
		jw_lknull(w, JW_LIT("status"));
	else
		enc_exit_status(w, last_status, last_signal);
	jw_lkint(w, JW_LIT("restarts"), restarts);
	enc_koom(w, JW_LIT("oom"), oom);
	jw_end(w);
}

void enc_ev_final_volumes(struct jw *w)
{
	jw_end_arr(w);
	jw_lkey(w, JW_LIT("volumes"));
	jw_arr(w);
}

void enc_final_volume(struct jw *w, const char *name, const char *state, const char *error)
{
	jw_obj(w);
	jw_lkstr(w, JW_LIT("name"), name);
	jw_lkstr(w, JW_LIT("state"), state);
	jw_lkstr(w, JW_LIT("error"), error);
	jw_end(w);
}

void enc_ev_final_end(struct jw *w)
{
	jw_end_arr(w);
}

void enc_ev_health(struct jw *w, const char *process, int liveness, const char *state,
		   const char *reason)
{
	enc_ev_type(w, "health.changed");
	jw_lkstr(w, JW_LIT("process"), process);
	jw_lkstr(w, JW_LIT("check"), liveness ? "liveness" : "readiness");
	jw_lkstr(w, JW_LIT("state"), state);
	jw_lkstr(w, JW_LIT("reason"), reason);
}

void enc_ev_give_up(struct jw *w, const char *process, const char *reason)
{
	enc_ev_type(w, "health.give_up");
	jw_lkstr(w, JW_LIT("process"), process);
	jw_lkstr(w, JW_LIT("reason"), reason);
}

void enc_ev_spec_error(struct jw *w, const char *path, const char *text)
{
	enc_ev_type(w, "spec.error");
	enc_spec_error_members(w, path, text);
}

void enc_ev_module_failed(struct jw *w, const char *module, const char *error)
{
	enc_ev_type(w, "module.failed");
	module_members(w, module, error);
}

/* ---- stream items ---- */

void enc_event(struct jw *w, uint64_t seq, uint64_t at_ms, const char *members, size_t len)
{
	jw_obj(w);
	jw_lkey(w, JW_LIT("event"));
	jw_obj(w);
	jw_lkint(w, JW_LIT("seq"), (long long)seq);
	jw_lkint(w, JW_LIT("at_ms"), (long long)at_ms);
	/* The stored text is the object's other members, already JSON. */
	if (len)
		jw_raw(w, members, len);
	end_line(w, 2);
}

void enc_ready(struct jw *w, uint64_t at_ms, const struct enc_boot *boot)
{
	jw_obj(w);
	jw_lkey(w, JW_LIT("event"));
	jw_obj(w);
	enc_ev_type(w, "ready");
	jw_lkint(w, JW_LIT("at_ms"), (long long)at_ms);
	jw_lkstr(w, JW_LIT("vminit"), VMINIT_VERSION);
	jw_lkint(w, JW_LIT("protocol"), PROTO_VERSION);
	write_boot(w, boot);
	end_line(w, 2);
}

/* Raw text where no separator is due (the caller wrote it). */
static void raw(struct jw *w, const char *s, size_t n)
{
	w->comma = 0;
	jw_raw(w, s, n);
}

/* The hot path of a log stream (docs/logs.md): its fixed text in pieces,
 * the numbers without printf, the line escaped only where it needs it. */
void enc_log(struct jw *w, uint64_t seq, uint64_t at_ms, const char *process, int stream,
	     const char *line, size_t len)
{
	static const char head[] = "{\"log\":{\"seq\":";
	char num[24];
	raw(w, head, sizeof(head) - 1);
	raw(w, num, jw_fmt_u64(num, seq));
	raw(w, ",\"at_ms\":", 9);
	raw(w, num, jw_fmt_u64(num, at_ms));
	raw(w, ",\"process\":", 11);
	w->comma = 0;
	jw_str(w, process);
	if (stream == 1 || stream == 2)
		raw(w, stream == 1 ? ",\"stream\":\"stdout\",\"line\":" : ",\"stream\":\"stderr\",\"line\":", 26);
	else
		raw(w, ",\"stream\":\"\",\"line\":", 20);
	w->comma = 0;
	jw_strn(w, line, len);
	raw(w, "}}\n", 3);
	w->comma = 0;
}

void enc_lost(struct jw *w, uint64_t n)
{
	jw_obj(w);
	jw_lkint(w, JW_LIT("lost"), (long long)n);
	end_line(w, 1);
}

void enc_logs_end(struct jw *w, uint64_t lines)
{
	jw_obj(w);
	jw_lkey(w, JW_LIT("end"));
	jw_obj(w);
	jw_lkint(w, JW_LIT("lines"), (long long)lines);
	end_line(w, 2);
}

/* ---- storage ---- */

static void root_members(struct jw *w, const struct enc_root *r)
{
	jw_lkstr(w, JW_LIT("device"), r->device);
	jw_lkstr(w, JW_LIT("path"), r->path);
	jw_lkstr(w, JW_LIT("filesystem"), r->filesystem);
	jw_lkstr(w, JW_LIT("mode"), r->mode);
	jw_lkstr(w, JW_LIT("upper"), r->upper);
	jw_lkstr(w, JW_LIT("state"), r->state);
	jw_lkstr(w, JW_LIT("error"), r->error);
	kint_or_null(w, JW_LIT("initramfs_freed_bytes"), r->freed_bytes);
}

static void volume_members(struct jw *w, const struct enc_volume *v)
{
	jw_lkstr(w, JW_LIT("name"), v->name);
	jw_lkstr(w, JW_LIT("device"), v->device);
	jw_lkstr(w, JW_LIT("path"), v->path);
	jw_lkstr(w, JW_LIT("filesystem"), v->filesystem);
	jw_lkstr(w, JW_LIT("where"), v->where);
	jw_lkbool(w, JW_LIT("read_only"), v->read_only);
	jw_lkstr(w, JW_LIT("state"), v->state);
	jw_lkstr(w, JW_LIT("error"), v->error);
	jw_lkbool(w, JW_LIT("recovered"), v->recovered);
	kint_or_null(w, JW_LIT("size_bytes"), v->size_bytes);
	kint_or_null(w, JW_LIT("used_bytes"), v->used_bytes);
	kint_or_null(w, JW_LIT("since_ms"), v->since_ms);
}

void enc_storage_begin(struct jw *w, const struct enc_root *root)
{
	jw_lkey(w, JW_LIT("storage"));
	jw_obj(w);
	jw_lkey(w, JW_LIT("root"));
	if (root) {
		jw_obj(w);
		root_members(w, root);
		jw_end(w);
	} else {
		jw_null(w);
	}
	jw_lkey(w, JW_LIT("volumes"));
	jw_arr(w);
}

void enc_volume(struct jw *w, const struct enc_volume *v)
{
	jw_obj(w);
	volume_members(w, v);
	jw_end(w);
}

void enc_storage_end(struct jw *w)
{
	jw_end_arr(w);
	jw_end(w);
}

void enc_storage_none(struct jw *w)
{
	jw_lknull(w, JW_LIT("storage"));
}

void enc_ev_root(struct jw *w, const struct enc_root *r)
{
	enc_ev_type(w, "storage.root");
	root_members(w, r);
}

void enc_ev_volume(struct jw *w, const struct enc_volume *v)
{
	enc_ev_type(w, "storage.volume");
	volume_members(w, v);
}

/* ---- secrets: a version and counts, never a value ---- */

void enc_secrets_delivered(struct jw *w, const struct enc_secrets *s)
{
	jw_lkstr(w, JW_LIT("version"), s->version);
	jw_lkint(w, JW_LIT("keys"), s->keys);
}

void enc_secrets(struct jw *w, const struct enc_secrets *s)
{
	if (!s) {
		jw_lknull(w, JW_LIT("secrets"));
		return;
	}
	jw_lkey(w, JW_LIT("secrets"));
	jw_obj(w);
	enc_secrets_delivered(w, s);
	kint_or_null(w, JW_LIT("at_ms"), s->at_ms);
	jw_lkint(w, JW_LIT("deliveries"), (long long)s->deliveries);
	jw_lkint(w, JW_LIT("refused"), (long long)s->refused);
	jw_end(w);
}

void enc_ev_secrets(struct jw *w, const struct enc_secrets *s, const char *error)
{
	if (error) {
		enc_ev_type(w, "secrets.refused");
		jw_lkstr(w, JW_LIT("error"), error);
		return;
	}
	enc_ev_type(w, "secrets.delivered");
	enc_secrets_delivered(w, s);
}

/* ---- clock, entropy, resume (docs/resume.md): never an entropy byte ---- */

void enc_clock_result(struct jw *w, int64_t offset_ns, int stepped, int64_t uncertainty_ns)
{
	jw_lkint(w, JW_LIT("offset_ns"), offset_ns);
	jw_lkbool(w, JW_LIT("stepped"), stepped);
	jw_lkint(w, JW_LIT("uncertainty_ns"), uncertainty_ns);
}

void enc_entropy_result(struct jw *w, uint64_t bytes, uint64_t credited_bits)
{
	jw_lkint(w, JW_LIT("bytes"), (long long)bytes);
	jw_lkint(w, JW_LIT("credited_bits"), (long long)credited_bits);
}

void enc_resumed_result(struct jw *w, uint64_t count, int folded)
{
	jw_lkint(w, JW_LIT("count"), (long long)count);
	jw_lkbool(w, JW_LIT("folded"), folded);
}

void enc_clock_state(struct jw *w, const struct enc_clock *c)
{
	jw_lkey(w, JW_LIT("clock"));
	jw_obj(w);
	jw_lkint(w, JW_LIT("requests"), (long long)c->requests);
	jw_lkint(w, JW_LIT("steps"), (long long)c->steps);
	if (c->requests) {
		jw_lkint(w, JW_LIT("last_offset_ns"), c->last_offset_ns);
		jw_lkint(w, JW_LIT("last_uncertainty_ns"), c->last_uncertainty_ns);
	} else {
		jw_lknull(w, JW_LIT("last_offset_ns"));
		jw_lknull(w, JW_LIT("last_uncertainty_ns"));
	}
	kint_or_null(w, JW_LIT("last_ms"), c->last_ms);
	jw_end(w);
	jw_lkey(w, JW_LIT("resume"));
	jw_obj(w);
	jw_lkint(w, JW_LIT("count"), (long long)c->resumes);
	jw_lkint(w, JW_LIT("signals"), (long long)c->resume_signals);
	jw_lkstr(w, JW_LIT("last_source"), c->resume_source);
	kint_or_null(w, JW_LIT("last_ms"), c->resume_ms);
	jw_end(w);
	jw_lkey(w, JW_LIT("entropy"));
	jw_obj(w);
	jw_lkint(w, JW_LIT("requests"), (long long)c->entropy_requests);
	jw_lkint(w, JW_LIT("bytes"), (long long)c->entropy_bytes);
	jw_lkint(w, JW_LIT("credited_bits"), (long long)c->entropy_bits);
	jw_end(w);
}

void enc_ev_clock_stepped(struct jw *w, int64_t offset_ns, int64_t uncertainty_ns)
{
	enc_ev_type(w, "clock.stepped");
	jw_lkint(w, JW_LIT("offset_ns"), offset_ns);
	jw_lkint(w, JW_LIT("uncertainty_ns"), uncertainty_ns);
}

void enc_ev_resumed(struct jw *w, const char *source, uint64_t count)
{
	enc_ev_type(w, "resumed");
	jw_lkstr(w, JW_LIT("source"), source);
	jw_lkint(w, JW_LIT("count"), (long long)count);
}
