/* encode.h - the replies and events of the host channel, as they are spelled
 * on the wire (docs/protocol.md §2-§5).
 *
 * The server (control/) decides what to say and hands plain C values to these
 * functions; they write the JSON into a struct jw, key by key, in the order
 * the protocol's documents and tests show. A *message* encoder writes one
 * whole line, its newline included; a *members* encoder writes members into
 * an object the caller opened (a reply's result, or an event kept in the
 * event ring as its members after "seq" and "at_ms"). Nothing here allocates
 * or knows the server's state; an output that does not fit marks the writer's
 * overflow, as any jw_* call does.
 */
#ifndef VMINIT_ENCODE_H
#define VMINIT_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "keys.h"
#include "proto.h"

/* An error reply's message is cut to this many bytes. */
#define ENC_ERROR_MESSAGE_MAX 512

/* ---- replies ---- */

/* {"id":ID,"ok":true,"result":{ ; id is JSON text, "" or NULL for none. */
void enc_reply_begin(struct jw *w, const char *id);
/* The result's and the reply's ends, and the newline. */
void enc_reply_end(struct jw *w);
/* A whole error reply: {"id":ID,"ok":false,"error":{"code":..,"message":..}}. */
void enc_error_reply(struct jw *w, const char *id, enum ctl_err code, const char *msg);

/* Boot timings in boot-clock ms; -1: not yet (null). */
struct enc_boot {
	int64_t pid1_ms, spec_loaded_ms, first_process_ms;
};

/* The server's own limits that hello reports (the protocol's are known here). */
struct enc_limits {
	long connections, local_connections, execs;
};

/* hello's result members. */
void enc_hello(struct jw *w, int pid1, const struct enc_boot *boot, const struct enc_limits *lim);
/* ping's: "uptime_ms". */
void enc_ping(struct jw *w, uint64_t uptime_ms);
/* events': "next_seq". */
void enc_events_started(struct jw *w, uint64_t next_seq);
/* signal's: "pid" and "signal". */
void enc_signal_sent(struct jw *w, long pid, int sig);
/* stop, start, restart: "state" and "want". */
void enc_process_state(struct jw *w, const char *state, const char *want);

/* An exec's result, once the command has been reaped. */
struct enc_exec {
	int status;               /* shell-style: code or 128 + signal */
	int signal;               /* the signal that ended it, or 0 */
	int timed_out;
	uint64_t duration_ms;
	const char *out, *err;    /* what was kept of each stream */
	size_t out_len, err_len;
	uint64_t out_total, err_total;   /* what each stream wrote */
};
void enc_exec_result(struct jw *w, const struct enc_exec *r);

/* ---- status ---- */

/* "uptime_ms" and "shutdown" (the phase's name, or NULL: null). */
void enc_status_head(struct jw *w, uint64_t uptime_ms, const char *shutdown);
/* "spec": its path (NULL: null), whether it may be used, its errors (each
 * "FILE:LINE: KEY: MESSAGE" taken apart, as enc_spec_error does) and how
 * many more were dropped. */
void enc_spec_summary(struct jw *w, const char *path, int ok, char *const *errors, size_t nerrors,
		      uint64_t dropped);

/* "modules": null when no list was read (enc_modules_none), else begin, one
 * enc_module_error per failure, end. */
struct enc_modules {
	unsigned loaded, already_loaded, builtin, failed;
};
void enc_modules_none(struct jw *w);
void enc_modules_begin(struct jw *w, const struct enc_modules *m);
void enc_module_error(struct jw *w, const char *module, const char *error);
void enc_modules_end(struct jw *w, int64_t ms);

/* The secret bundle (docs/secrets.md): never a value. */
struct enc_secrets {
	const char *version;
	long long keys;
	int64_t at_ms;
	uint64_t deliveries, refused;
};
/* The secrets op's result: {"version":...,"keys":N} */
void enc_secrets_delivered(struct jw *w, const struct enc_secrets *s);
/* status's "secrets": null (none delivered, or off), else the bundle's
 * version, keys, at_ms, deliveries and refused. */
void enc_secrets(struct jw *w, const struct enc_secrets *s);
/* secrets.delivered {version, keys}, or secrets.refused {error} */
void enc_ev_secrets(struct jw *w, const struct enc_secrets *s, const char *error);

/* Clock, entropy and resume (docs/resume.md). The ops' results: */
void enc_clock_result(struct jw *w, int64_t offset_ns, int stepped, int64_t uncertainty_ns);
void enc_entropy_result(struct jw *w, uint64_t bytes, uint64_t credited_bits);
void enc_resumed_result(struct jw *w, uint64_t count, int folded);
/* status's "clock", "resume" and "entropy"; ms -1: null; the last offset
 * and uncertainty are null before the first request. */
struct enc_clock {
	uint64_t requests, steps;
	int64_t last_offset_ns, last_uncertainty_ns, last_ms;
	uint64_t resumes, resume_signals;
	const char *resume_source;     /* NULL: null */
	int64_t resume_ms;
	uint64_t entropy_requests, entropy_bytes, entropy_bits;
};
void enc_clock_state(struct jw *w, const struct enc_clock *c);
/* clock.stepped {offset_ns, uncertainty_ns}; resumed {source, count} */
void enc_ev_clock_stepped(struct jw *w, int64_t offset_ns, int64_t uncertainty_ns);
void enc_ev_resumed(struct jw *w, const char *source, uint64_t count);

/* "storage" (docs/storage.md): the root and the volumes. Strings NULL:
 * null; numbers -1: null. */
struct enc_root {
	const char *device, *path, *filesystem, *mode, *upper, *state, *error;
	int64_t freed_bytes;
};
struct enc_volume {
	const char *name, *device, *path, *filesystem, *where, *state, *error;
	int read_only, recovered;
	int64_t size_bytes, used_bytes, since_ms;
};
/* "storage":{"root":ROOT or null,"volumes":[ enc_volume ... ]} */
void enc_storage_begin(struct jw *w, const struct enc_root *root);
void enc_volume(struct jw *w, const struct enc_volume *v);
void enc_storage_end(struct jw *w);
/* "storage": null: vminit does not manage storage (`vminit run`, a bad spec). */
void enc_storage_none(struct jw *w);

/* One health check as status shows it. */
struct enc_check {
	const char *type, *state;
	int64_t since_ms;             /* -1: null */
	int last_pass;                /* -1: never checked, else 0 or 1 */
	int64_t last_check_ms;
	const char *last_failure;     /* NULL: null */
	long passes, failures;        /* in a row */
	uint64_t checks, failed_checks, skipped_rounds;
};

/* One process as status shows it. */
/* An OOM kill (docs/resources.md): kind "limit" (the process's own
 * memory.max) or "vm" (the VM ran short); bytes -1: unknown. */
struct enc_oom {
	const char *kind;
	uint64_t kills;
	int64_t limit, peak;
};
/* k (ENC_K):{"kind":..,"kills":..,"limit_bytes":..,"peak_bytes":..}, or null. */
void enc_koom(struct jw *w, unsigned k, const struct enc_oom *o);

/* A process's cgroup in status (docs/resources.md); -1: null. */
struct enc_cgroup {
	const char *path;            /* in the hierarchy: "/app/web" */
	int64_t memory_current, memory_peak, memory_max;   /* max -1: "max" */
	int64_t cpu_usage_usec, cpu_user_usec, cpu_system_usec;
	int64_t tasks, pids_max, cpu_weight;               /* pids_max -1: "max" */
	uint64_t oom_kills;
};

struct enc_process {
	const char *name, *want, *state;
	long pid;                     /* 0: null */
	unsigned starts, restarts, failures;
	int stopped_by;               /* the signal that stopped it, or 0: null */
	unsigned deferrals;
	const char *deferred;         /* why its start is deferred, or NULL: null */
	uint64_t output_dropped_lines;
	int64_t uptime_ms;            /* -1: null */
	int has_last_exit;
	int last_status, last_signal;
	int64_t last_exit_ms;
	int64_t rss_bytes, cpu_user_ms, cpu_system_ms;   /* -1: null */
	const struct enc_check *readiness, *liveness;    /* NULL: none */
	const char *waiting_for, *waiting_cond;          /* NULL: null; cond NULL:
	                                                  * waiting_for alone ("secrets") */
	const char *blocked;                              /* why a volume holds its start back, or NULL */
	const struct enc_oom *last_oom;   /* the last exit's OOM kill, or NULL */
	const struct enc_cgroup *cgroup;  /* NULL: null (it has none) */
	const char *cgroup_error;         /* why it has none, or NULL */
};

/* "processes":[ ... enc_process per process ... ] */
void enc_processes_begin(struct jw *w);
void enc_process(struct jw *w, const struct enc_process *p);
void enc_processes_end(struct jw *w);

/* status's "counters", in this order. */
enum enc_counter {
	ENC_C_REAPED, ENC_C_ORPHANS,   /* PID 1's: left out without them */
	ENC_C_CONSOLE_DROPPED_LINES, ENC_C_LOG_LINES, ENC_C_LOG_LINES_OVERWRITTEN,
	ENC_C_EVENTS, ENC_C_EVENTS_OVERWRITTEN, ENC_C_ITEMS_LOST, ENC_C_ITEMS_DROPPED,
	ENC_C_STREAM_WAITS, ENC_C_CONNECTIONS, ENC_C_CONNECTIONS_ACCEPTED,
	ENC_C_CONNECTIONS_REFUSED, ENC_C_CONNECTIONS_REFUSED_PEER, ENC_C_CONNECTIONS_EVICTED,
	ENC_C_REQUESTS, ENC_C_BAD_REQUESTS, ENC_C_REQUEST_TIMEOUTS, ENC_C_BUSY_REPLIES,
	ENC_C_DROPPED_REPLIES, ENC_C_EXECS_RUNNING, ENC_C_PUSH_CONNECTS, ENC_C_PUSH_SENT,
	ENC_C_PUSH_RESENT, ENC_C_LOG_HOLDS, ENC_C_LOG_HELD_MS,
	ENC_C_COUNT
};
/* has_vm: PID 1's counters (reaped, orphans) are known. */
void enc_counters(struct jw *w, const uint64_t v[ENC_C_COUNT], int has_vm);

/* ---- members shared by replies and events ---- */

/* k (ENC_K): the signal's name ("SIGTERM"), or its number when it has none. */
void enc_ksignal(struct jw *w, unsigned k, int sig);
/* "status" (shell-style) and "code" or "signal": sig is what ended it, or 0. */
void enc_exit_status(struct jw *w, int status, int sig);
/* A spec error "FILE:LINE: KEY: MESSAGE" (KEY: only in an error about one
 * key) as the members "line", "key", "message" and "text". */
void enc_spec_error_members(struct jw *w, const char *path, const char *text);

/* ---- events: the members kept in the event ring ---- */

/* "type" only, for an event whose members the caller writes. */
void enc_ev_type(struct jw *w, const char *type);
void enc_ev_shutdown(struct jw *w, const char *reason, int reboot);
/* final: begin, one enc_final_process per process, end. */
void enc_ev_final_begin(struct jw *w);
void enc_final_process(struct jw *w, const char *name, const char *state, int last_status,
		       int last_signal, unsigned restarts, const struct enc_oom *oom);
/* ... then, with storage, "volumes": enc_ev_final_volumes, one
 * enc_final_volume each (error: null when it ended clean), end. */
void enc_ev_final_volumes(struct jw *w);
void enc_final_volume(struct jw *w, const char *name, const char *state, const char *error);
void enc_ev_final_end(struct jw *w);
void enc_ev_health(struct jw *w, const char *process, int liveness, const char *state,
		   const char *reason);
/* process.oom: OOM kills in a process's cgroup, as the kernel told them. */
void enc_ev_oom(struct jw *w, const char *process, const struct enc_oom *o);
/* status's "resources" (docs/resources.md). */
struct enc_resources {
	int on;
	const char *base, *error;       /* error NULL: none */
	const char *const *controllers; /* NULL-terminated */
	int64_t memory_current, memory_min;   /* PID 1's cgroup; -1: null */
	int64_t oom_score_adj;                /* PID 1's; -1001: null */
};
void enc_resources(struct jw *w, const struct enc_resources *r);
void enc_ev_give_up(struct jw *w, const char *process, const char *reason);
void enc_ev_spec_error(struct jw *w, const char *path, const char *text);
void enc_ev_module_failed(struct jw *w, const char *module, const char *error);
void enc_ev_root(struct jw *w, const struct enc_root *r);
void enc_ev_volume(struct jw *w, const struct enc_volume *v);

/* ---- stream items: one line each ---- */

/* {"event":{"seq":..,"at_ms":..,MEMBERS}}: members as the ring keeps them. */
void enc_event(struct jw *w, uint64_t seq, uint64_t at_ms, const char *members, size_t len);
/* The push's first item: who we are and how boot went. */
void enc_ready(struct jw *w, uint64_t at_ms, const struct enc_boot *boot);
/* {"log":{..}}: stream 1 is stdout, 2 stderr. At most ENC_LOG_MAX bytes
 * (every byte of the name and the line escaped 6 to 1). plain: the caller
 * knows that no byte of line is below 0x20, over 0x7f, '"' or '\\', so it
 * goes out as it is, not looked at (ENC_LOG_MAX_PLAIN bytes at most); a
 * line said plain that is not makes a JSON string that is not either. */
#define ENC_LOG_MAX(process_len, line_len) (128 + 6 * ((size_t)(process_len) + (size_t)(line_len)))
#define ENC_LOG_MAX_PLAIN(process_len, line_len) (128 + 6 * (size_t)(process_len) + (size_t)(line_len))
void enc_log(struct jw *w, uint64_t seq, uint64_t at_ms, const char *process, int stream,
	     const char *line, size_t len, int plain);
/* n lines of process dropped over its budget, where they would have been. */
/* n items this reader fell behind on, overwritten in the ring. */
void enc_lost(struct jw *w, uint64_t n);
/* The end of a logs request that does not follow. */
void enc_logs_end(struct jw *w, uint64_t lines);

#endif
