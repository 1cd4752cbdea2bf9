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

static void kint_or_null(struct jw *w, unsigned k, int64_t v)
{
	if (v < 0)
		enc_knull(w, k);
	else
		enc_kint(w, k, v);
}

/* {"id":ID,"ok":OK, - every reply's start. */
static void reply_head(struct jw *w, const char *id, int ok)
{
	jw_obj(w);
	if (id && *id) {
		enc_kkey(w, ENC_K(id));
		jw_raw(w, id, strlen(id));
	}
	enc_kbool(w, ENC_K(ok), ok);
}

/* The end of n objects, then the line's newline. */
static void end_line(struct jw *w, int n)
{
	while (n-- > 0)
		jw_end(w);
	jw_nl(w);
}

void enc_ksignal(struct jw *w, unsigned k, int sig)
{
	const char *name = names_signal(sig);
	if (name)
		enc_kstr(w, k, name);
	else
		enc_kint(w, k, sig);
}

void enc_exit_status(struct jw *w, int status, int sig)
{
	enc_kint(w, ENC_K(status), status);
	if (sig > 0) {
		enc_knull(w, ENC_K(code));
		enc_ksignal(w, ENC_K(signal), sig);
	} else {
		enc_kint(w, ENC_K(code), status);
		enc_knull(w, ENC_K(signal));
	}
}

/* ---- replies ---- */

void enc_reply_begin(struct jw *w, const char *id)
{
	reply_head(w, id, 1);
	enc_kkey(w, ENC_K(result));
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
	enc_kkey(w, ENC_K(error));
	jw_obj(w);
	enc_kstr(w, ENC_K(code), proto_err_name(code));
	enc_kkey(w, ENC_K(message));
	jw_strn(w, msg, n > ENC_ERROR_MESSAGE_MAX ? ENC_ERROR_MESSAGE_MAX : n);
	end_line(w, 2);
}

static void write_boot(struct jw *w, const struct enc_boot *b)
{
	enc_kkey(w, ENC_K(boot));
	jw_obj(w);
	kint_or_null(w, ENC_K(pid1_ms), b->pid1_ms);
	kint_or_null(w, ENC_K(spec_loaded_ms), b->spec_loaded_ms);
	kint_or_null(w, ENC_K(first_process_ms), b->first_process_ms);
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
	enc_kint(w, ENC_K(protocol), PROTO_VERSION);
	enc_kstr(w, ENC_K(vminit), VMINIT_VERSION);
	enc_kbool(w, ENC_K(pid1), pid1);
	enc_kkey(w, ENC_K(features));
	jw_arr(w);
	for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++)
		jw_str(w, features[i]);
	jw_end_arr(w);
	write_boot(w, boot);
	enc_kkey(w, ENC_K(limits));
	jw_obj(w);
	enc_kint(w, ENC_K(request_bytes), PROTO_REQUEST_MAX);
	enc_kint(w, ENC_K(connections), lim->connections);
	enc_kint(w, ENC_K(local_connections), lim->local_connections);
	enc_kint(w, ENC_K(execs), lim->execs);
	enc_kint(w, ENC_K(exec_output_bytes), PROTO_EXEC_OUTPUT_MAX);
	jw_end(w);
}

void enc_ping(struct jw *w, uint64_t uptime_ms)
{
	enc_kint(w, ENC_K(uptime_ms), (long long)uptime_ms);
}

void enc_events_started(struct jw *w, uint64_t next_seq)
{
	enc_kint(w, ENC_K(next_seq), (long long)next_seq);
}

void enc_signal_sent(struct jw *w, long pid, int sig)
{
	enc_kint(w, ENC_K(pid), pid);
	enc_ksignal(w, ENC_K(signal), sig);
}

void enc_process_state(struct jw *w, const char *state, const char *want)
{
	enc_kstr(w, ENC_K(state), state);
	enc_kstr(w, ENC_K(want), want);
}

void enc_exec_result(struct jw *w, const struct enc_exec *r)
{
	enc_exit_status(w, r->status, r->signal);
	enc_kbool(w, ENC_K(timed_out), r->timed_out);
	enc_kint(w, ENC_K(duration_ms), (long long)r->duration_ms);
	enc_kkey(w, ENC_K(stdout));
	jw_strn(w, r->out, r->out_len);
	enc_kkey(w, ENC_K(stderr));
	jw_strn(w, r->err, r->err_len);
	enc_kint(w, ENC_K(stdout_bytes), (long long)r->out_total);
	enc_kint(w, ENC_K(stderr_bytes), (long long)r->err_total);
	enc_kbool(w, ENC_K(stdout_truncated), r->out_total > r->out_len);
	enc_kbool(w, ENC_K(stderr_truncated), r->err_total > r->err_len);
}

/* ---- status ---- */

void enc_status_head(struct jw *w, uint64_t uptime_ms, const char *shutdown)
{
	enc_kint(w, ENC_K(uptime_ms), (long long)uptime_ms);
	enc_kstr(w, ENC_K(shutdown), shutdown);
}

void enc_spec_summary(struct jw *w, const char *path, int ok, char *const *errors, size_t nerrors,
		      uint64_t dropped)
{
	enc_kkey(w, ENC_K(spec));
	jw_obj(w);
	enc_kstr(w, ENC_K(path), path);
	enc_kbool(w, ENC_K(ok), ok);
	enc_kkey(w, ENC_K(errors));
	jw_arr(w);
	for (size_t i = 0; i < nerrors; i++) {
		jw_obj(w);
		enc_spec_error_members(w, path, errors[i]);
		jw_end(w);
	}
	jw_end_arr(w);
	enc_kint(w, ENC_K(errors_dropped), (long long)dropped);
	jw_end(w);
}

void enc_modules_none(struct jw *w)
{
	enc_kkey(w, ENC_K(modules));
	jw_null(w);
}

void enc_modules_begin(struct jw *w, const struct enc_modules *m)
{
	enc_kkey(w, ENC_K(modules));
	jw_obj(w);
	enc_kint(w, ENC_K(loaded), m->loaded);
	enc_kint(w, ENC_K(already_loaded), m->already_loaded);
	enc_kint(w, ENC_K(builtin), m->builtin);
	enc_kint(w, ENC_K(failed), m->failed);
	enc_kkey(w, ENC_K(errors));
	jw_arr(w);
}

static void module_members(struct jw *w, const char *module, const char *error)
{
	enc_kstr(w, ENC_K(module), module);
	enc_kstr(w, ENC_K(error), error);
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
	enc_kint(w, ENC_K(ms), ms);
	jw_end(w);
}

static void write_check(struct jw *w, unsigned role, const struct enc_check *c)
{
	enc_kkey(w, role);
	if (!c) {
		jw_null(w);
		return;
	}
	jw_obj(w);
	enc_kstr(w, ENC_K(type), c->type);
	enc_kstr(w, ENC_K(state), c->state);
	kint_or_null(w, ENC_K(since_ms), c->since_ms);
	if (c->last_pass < 0) {
		enc_knull(w, ENC_K(last_result));
		enc_knull(w, ENC_K(last_check_ms));
	} else {
		enc_kstr(w, ENC_K(last_result), c->last_pass ? "pass" : "fail");
		enc_kint(w, ENC_K(last_check_ms), c->last_check_ms);
	}
	enc_kstr(w, ENC_K(last_failure), c->last_failure);
	enc_kint(w, ENC_K(passes_in_a_row), c->passes);
	enc_kint(w, ENC_K(failures_in_a_row), c->failures);
	enc_kint(w, ENC_K(checks), (long long)c->checks);
	enc_kint(w, ENC_K(failed_checks), (long long)c->failed_checks);
	enc_kint(w, ENC_K(skipped_rounds), (long long)c->skipped_rounds);
	jw_end(w);
}

/* "health": null without checks, else {"readiness": ..., "liveness": ...}. */
static void write_health(struct jw *w, const struct enc_process *p)
{
	enc_kkey(w, ENC_K(health));
	if (!p->readiness && !p->liveness) {
		jw_null(w);
		return;
	}
	jw_obj(w);
	write_check(w, ENC_K(readiness), p->readiness);
	write_check(w, ENC_K(liveness), p->liveness);
	jw_end(w);
}

/* The rest of a process after its counts: what it is doing and using. */
void enc_koom(struct jw *w, unsigned k, const struct enc_oom *o)
{
	enc_kkey(w, k);
	if (!o) {
		jw_null(w);
		return;
	}
	jw_obj(w);
	enc_kstr(w, ENC_K(kind), o->kind);
	enc_kint(w, ENC_K(kills), (long long)o->kills);
	kint_or_null(w, ENC_K(limit_bytes), o->limit);
	kint_or_null(w, ENC_K(peak_bytes), o->peak);
	jw_end(w);
}

/* "max" where the kernel says it, else the number or null. */
static void kmax(struct jw *w, unsigned k, int64_t v, int known)
{
	if (!known)
		enc_knull(w, k);
	else if (v < 0)
		enc_kstr(w, k, "max");
	else
		enc_kint(w, k, v);
}

static void write_cgroup(struct jw *w, const struct enc_cgroup *c, const char *error)
{
	enc_kkey(w, ENC_K(cgroup));
	if (!c) {
		jw_null(w);
		enc_kstr(w, ENC_K(cgroup_error), error);
		return;
	}
	jw_obj(w);
	enc_kstr(w, ENC_K(path), c->path);
	kint_or_null(w, ENC_K(memory_current_bytes), c->memory_current);
	kint_or_null(w, ENC_K(memory_peak_bytes), c->memory_peak);
	kmax(w, ENC_K(memory_max_bytes), c->memory_max, c->memory_current >= 0);
	kint_or_null(w, ENC_K(cpu_usage_usec), c->cpu_usage_usec);
	kint_or_null(w, ENC_K(cpu_user_usec), c->cpu_user_usec);
	kint_or_null(w, ENC_K(cpu_system_usec), c->cpu_system_usec);
	kint_or_null(w, ENC_K(cpu_weight), c->cpu_weight);
	kint_or_null(w, ENC_K(tasks), c->tasks);
	kmax(w, ENC_K(pids_max), c->pids_max, c->tasks >= 0);
	enc_kint(w, ENC_K(oom_kills), (long long)c->oom_kills);
	jw_end(w);
	enc_kstr(w, ENC_K(cgroup_error), error);
}

void enc_resources(struct jw *w, const struct enc_resources *r)
{
	enc_kkey(w, ENC_K(resources));
	jw_obj(w);
	enc_kbool(w, ENC_K(cgroups), r->on);
	enc_kstr(w, ENC_K(base), r->base);
	enc_kkey(w, ENC_K(controllers));
	jw_arr(w);
	for (const char *const *c = r->controllers; c && *c; c++)
		jw_str(w, *c);
	jw_end_arr(w);
	enc_kstr(w, ENC_K(error), r->error);
	kint_or_null(w, ENC_K(vminit_memory_current_bytes), r->memory_current);
	kint_or_null(w, ENC_K(vminit_memory_min_bytes), r->memory_min);
	if (r->oom_score_adj < -1000)
		enc_knull(w, ENC_K(vminit_oom_score_adj));
	else
		enc_kint(w, ENC_K(vminit_oom_score_adj), r->oom_score_adj);
	jw_end(w);
}

void enc_ev_oom(struct jw *w, const char *process, const struct enc_oom *o)
{
	enc_ev_type(w, "process.oom");
	enc_kstr(w, ENC_K(process), process);
	enc_kstr(w, ENC_K(kind), o->kind);
	enc_kint(w, ENC_K(kills), (long long)o->kills);
	kint_or_null(w, ENC_K(limit_bytes), o->limit);
	kint_or_null(w, ENC_K(peak_bytes), o->peak);
}

static void write_process_now(struct jw *w, const struct enc_process *p)
{
	kint_or_null(w, ENC_K(uptime_ms), p->uptime_ms);
	enc_kkey(w, ENC_K(last_exit));
	if (!p->has_last_exit) {
		jw_null(w);
	} else {
		jw_obj(w);
		enc_exit_status(w, p->last_status, p->last_signal);
		enc_kint(w, ENC_K(at_ms), p->last_exit_ms);
		enc_koom(w, ENC_K(oom), p->last_oom);
		jw_end(w);
	}
	kint_or_null(w, ENC_K(memory_rss_bytes), p->rss_bytes);
	kint_or_null(w, ENC_K(cpu_user_ms), p->cpu_user_ms);
	kint_or_null(w, ENC_K(cpu_system_ms), p->cpu_system_ms);
	write_health(w, p);
	if (p->waiting_for) {
		char text[PROTO_NAME_MAX + 16];
		snprintf(text, sizeof(text), "%s%s%s", p->waiting_for, p->waiting_cond ? ":" : "",
			 p->waiting_cond ? p->waiting_cond : "");
		enc_kstr(w, ENC_K(waiting_for), text);
	} else {
		enc_knull(w, ENC_K(waiting_for));
	}
	enc_kstr(w, ENC_K(blocked), p->blocked);
	write_cgroup(w, p->cgroup, p->cgroup_error);
}

void enc_processes_begin(struct jw *w)
{
	enc_kkey(w, ENC_K(processes));
	jw_arr(w);
}

void enc_process(struct jw *w, const struct enc_process *p)
{
	jw_obj(w);
	enc_kstr(w, ENC_K(name), p->name);
	enc_kstr(w, ENC_K(want), p->want);
	enc_kstr(w, ENC_K(state), p->state);
	kint_or_null(w, ENC_K(pid), p->pid > 0 ? p->pid : -1);
	enc_kint(w, ENC_K(starts), p->starts);
	enc_kint(w, ENC_K(restarts), p->restarts);
	enc_kint(w, ENC_K(failures), p->failures);
	if (p->stopped_by)
		enc_ksignal(w, ENC_K(stopped_by), p->stopped_by);
	else
		enc_knull(w, ENC_K(stopped_by));
	enc_kint(w, ENC_K(deferrals), p->deferrals);
	enc_kstr(w, ENC_K(deferred), p->deferred);
	enc_kint(w, ENC_K(output_dropped_lines), (long long)p->output_dropped_lines);
	write_process_now(w, p);
	jw_end(w);
}

void enc_processes_end(struct jw *w)
{
	jw_end_arr(w);
}

void enc_counters(struct jw *w, const uint64_t v[ENC_C_COUNT], int has_vm)
{
	/* The keys in enum enc_counter's order. */
	static const unsigned keys[ENC_C_COUNT] = {
		ENC_K(reaped), ENC_K(orphans), ENC_K(console_dropped_lines), ENC_K(log_lines),
		ENC_K(log_lines_overwritten), ENC_K(events), ENC_K(events_overwritten), ENC_K(items_lost),
		ENC_K(items_dropped), ENC_K(stream_waits), ENC_K(connections), ENC_K(connections_accepted),
		ENC_K(connections_refused), ENC_K(connections_refused_peer), ENC_K(connections_evicted),
		ENC_K(requests), ENC_K(bad_requests), ENC_K(request_timeouts), ENC_K(busy_replies),
		ENC_K(dropped_replies), ENC_K(execs_running), ENC_K(push_connects), ENC_K(push_sent),
		ENC_K(push_resent), ENC_K(log_holds), ENC_K(log_held_ms),
	};
	enc_kkey(w, ENC_K(counters));
	jw_obj(w);
	for (int i = has_vm ? 0 : ENC_C_ORPHANS + 1; i < ENC_C_COUNT; i++)
		enc_kint(w, keys[i], (long long)v[i]);
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
	kint_or_null(w, ENC_K(line), line > 0 ? line : -1);
	colon = strstr(p, ": ");
	if (p != e && colon && !memchr(p, ' ', (size_t)(colon - p))) {
		enc_kkey(w, ENC_K(key));
		jw_strn(w, p, (size_t)(colon - p));
		enc_kstr(w, ENC_K(message), colon + 2);
	} else {
		enc_knull(w, ENC_K(key));
		enc_kstr(w, ENC_K(message), p);
	}
	enc_kstr(w, ENC_K(text), e);
}

void enc_ev_type(struct jw *w, const char *type)
{
	enc_kstr(w, ENC_K(type), type);
}

void enc_ev_shutdown(struct jw *w, const char *reason, int reboot)
{
	enc_ev_type(w, "shutdown");
	enc_kstr(w, ENC_K(reason), reason);
	enc_kbool(w, ENC_K(reboot), reboot);
}

void enc_ev_final_begin(struct jw *w)
{
	enc_ev_type(w, "final");
	enc_kkey(w, ENC_K(processes));
	jw_arr(w);
}

void enc_final_process(struct jw *w, const char *name, const char *state, int last_status,
		       int last_signal, unsigned restarts, const struct enc_oom *oom)
{
	jw_obj(w);
	enc_kstr(w, ENC_K(name), name);
	enc_kstr(w, ENC_K(state), state);
	if (last_status < 0)
		enc_knull(w, ENC_K(status));
	else
		enc_exit_status(w, last_status, last_signal);
	enc_kint(w, ENC_K(restarts), restarts);
	enc_koom(w, ENC_K(oom), oom);
	jw_end(w);
}

void enc_ev_final_volumes(struct jw *w)
{
	jw_end_arr(w);
	enc_kkey(w, ENC_K(volumes));
	jw_arr(w);
}

void enc_final_volume(struct jw *w, const char *name, const char *state, const char *error)
{
	jw_obj(w);
	enc_kstr(w, ENC_K(name), name);
	enc_kstr(w, ENC_K(state), state);
	enc_kstr(w, ENC_K(error), error);
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
	enc_kstr(w, ENC_K(process), process);
	enc_kstr(w, ENC_K(check), liveness ? "liveness" : "readiness");
	enc_kstr(w, ENC_K(state), state);
	enc_kstr(w, ENC_K(reason), reason);
}

void enc_ev_give_up(struct jw *w, const char *process, const char *reason)
{
	enc_ev_type(w, "health.give_up");
	enc_kstr(w, ENC_K(process), process);
	enc_kstr(w, ENC_K(reason), reason);
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
	enc_kkey(w, ENC_K(event));
	jw_obj(w);
	enc_kint(w, ENC_K(seq), (long long)seq);
	enc_kint(w, ENC_K(at_ms), (long long)at_ms);
	/* The stored text is the object's other members, already JSON. */
	if (len)
		jw_raw(w, members, len);
	end_line(w, 2);
}

void enc_ready(struct jw *w, uint64_t at_ms, const struct enc_boot *boot)
{
	jw_obj(w);
	enc_kkey(w, ENC_K(event));
	jw_obj(w);
	enc_ev_type(w, "ready");
	enc_kint(w, ENC_K(at_ms), (long long)at_ms);
	enc_kstr(w, ENC_K(vminit), VMINIT_VERSION);
	enc_kint(w, ENC_K(protocol), PROTO_VERSION);
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
	     const char *line, size_t len, int plain)
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
	if (plain)   /* known plain as it was read (supervisor/output.c) */
		jw_strn_plain(w, line, len);
	else
		jw_strn(w, line, len);
	raw(w, "}}\n", 3);
	w->comma = 0;
}

void enc_lost(struct jw *w, uint64_t n)
{
	jw_obj(w);
	enc_kint(w, ENC_K(lost), (long long)n);
	end_line(w, 1);
}

void enc_logs_end(struct jw *w, uint64_t lines)
{
	jw_obj(w);
	enc_kkey(w, ENC_K(end));
	jw_obj(w);
	enc_kint(w, ENC_K(lines), (long long)lines);
	end_line(w, 2);
}

/* ---- storage ---- */

static void root_members(struct jw *w, const struct enc_root *r)
{
	enc_kstr(w, ENC_K(device), r->device);
	enc_kstr(w, ENC_K(path), r->path);
	enc_kstr(w, ENC_K(filesystem), r->filesystem);
	enc_kstr(w, ENC_K(mode), r->mode);
	enc_kstr(w, ENC_K(upper), r->upper);
	enc_kstr(w, ENC_K(state), r->state);
	enc_kstr(w, ENC_K(error), r->error);
	kint_or_null(w, ENC_K(initramfs_freed_bytes), r->freed_bytes);
}

static void volume_members(struct jw *w, const struct enc_volume *v)
{
	enc_kstr(w, ENC_K(name), v->name);
	enc_kstr(w, ENC_K(device), v->device);
	enc_kstr(w, ENC_K(path), v->path);
	enc_kstr(w, ENC_K(filesystem), v->filesystem);
	enc_kstr(w, ENC_K(where), v->where);
	enc_kbool(w, ENC_K(read_only), v->read_only);
	enc_kstr(w, ENC_K(state), v->state);
	enc_kstr(w, ENC_K(error), v->error);
	enc_kbool(w, ENC_K(recovered), v->recovered);
	kint_or_null(w, ENC_K(size_bytes), v->size_bytes);
	kint_or_null(w, ENC_K(used_bytes), v->used_bytes);
	kint_or_null(w, ENC_K(since_ms), v->since_ms);
}

void enc_storage_begin(struct jw *w, const struct enc_root *root)
{
	enc_kkey(w, ENC_K(storage));
	jw_obj(w);
	enc_kkey(w, ENC_K(root));
	if (root) {
		jw_obj(w);
		root_members(w, root);
		jw_end(w);
	} else {
		jw_null(w);
	}
	enc_kkey(w, ENC_K(volumes));
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
	enc_knull(w, ENC_K(storage));
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
	enc_kstr(w, ENC_K(version), s->version);
	enc_kint(w, ENC_K(keys), s->keys);
}

void enc_secrets(struct jw *w, const struct enc_secrets *s)
{
	if (!s) {
		enc_knull(w, ENC_K(secrets));
		return;
	}
	enc_kkey(w, ENC_K(secrets));
	jw_obj(w);
	enc_secrets_delivered(w, s);
	kint_or_null(w, ENC_K(at_ms), s->at_ms);
	enc_kint(w, ENC_K(deliveries), (long long)s->deliveries);
	enc_kint(w, ENC_K(refused), (long long)s->refused);
	jw_end(w);
}

void enc_ev_secrets(struct jw *w, const struct enc_secrets *s, const char *error)
{
	if (error) {
		enc_ev_type(w, "secrets.refused");
		enc_kstr(w, ENC_K(error), error);
		return;
	}
	enc_ev_type(w, "secrets.delivered");
	enc_secrets_delivered(w, s);
}

/* ---- clock, entropy, resume (docs/resume.md): never an entropy byte ---- */

void enc_clock_result(struct jw *w, int64_t offset_ns, int stepped, int64_t uncertainty_ns)
{
	enc_kint(w, ENC_K(offset_ns), offset_ns);
	enc_kbool(w, ENC_K(stepped), stepped);
	enc_kint(w, ENC_K(uncertainty_ns), uncertainty_ns);
}

void enc_entropy_result(struct jw *w, uint64_t bytes, uint64_t credited_bits)
{
	enc_kint(w, ENC_K(bytes), (long long)bytes);
	enc_kint(w, ENC_K(credited_bits), (long long)credited_bits);
}

void enc_resumed_result(struct jw *w, uint64_t count, int folded)
{
	enc_kint(w, ENC_K(count), (long long)count);
	enc_kbool(w, ENC_K(folded), folded);
}

void enc_clock_state(struct jw *w, const struct enc_clock *c)
{
	enc_kkey(w, ENC_K(clock));
	jw_obj(w);
	enc_kint(w, ENC_K(requests), (long long)c->requests);
	enc_kint(w, ENC_K(steps), (long long)c->steps);
	if (c->requests) {
		enc_kint(w, ENC_K(last_offset_ns), c->last_offset_ns);
		enc_kint(w, ENC_K(last_uncertainty_ns), c->last_uncertainty_ns);
	} else {
		enc_knull(w, ENC_K(last_offset_ns));
		enc_knull(w, ENC_K(last_uncertainty_ns));
	}
	kint_or_null(w, ENC_K(last_ms), c->last_ms);
	jw_end(w);
	enc_kkey(w, ENC_K(resume));
	jw_obj(w);
	enc_kint(w, ENC_K(count), (long long)c->resumes);
	enc_kint(w, ENC_K(signals), (long long)c->resume_signals);
	enc_kstr(w, ENC_K(last_source), c->resume_source);
	kint_or_null(w, ENC_K(last_ms), c->resume_ms);
	jw_end(w);
	enc_kkey(w, ENC_K(entropy));
	jw_obj(w);
	enc_kint(w, ENC_K(requests), (long long)c->entropy_requests);
	enc_kint(w, ENC_K(bytes), (long long)c->entropy_bytes);
	enc_kint(w, ENC_K(credited_bits), (long long)c->entropy_bits);
	jw_end(w);
}

void enc_ev_clock_stepped(struct jw *w, int64_t offset_ns, int64_t uncertainty_ns)
{
	enc_ev_type(w, "clock.stepped");
	enc_kint(w, ENC_K(offset_ns), offset_ns);
	enc_kint(w, ENC_K(uncertainty_ns), uncertainty_ns);
}

void enc_ev_resumed(struct jw *w, const char *source, uint64_t count)
{
	enc_ev_type(w, "resumed");
	enc_kstr(w, ENC_K(source), source);
	enc_kint(w, ENC_K(count), (long long)count);
}
