/* keys.h - every key the encoders spell (encode.c, encode_net.c, the
 * control server's events), as one table of text.
 *
 * A key is named by ENC_K(name): one 32-bit constant, its offset in the
 * table and its length, both known when compiled. Passing it costs one
 * `mov` of an immediate where a pointer and a length cost two instructions
 * (7 and 5 bytes) at each of some 270 call sites; writing it costs one
 * bounded copy, with no strlen and no test of its bytes (jw_lkey): a status
 * reply writes some 280 keys. The names are plain ASCII identifiers, so
 * nothing in them needs escaping. A key not in ENC_KEYS does not compile.
 */
#ifndef VMINIT_KEYS_H
#define VMINIT_KEYS_H

#include <stddef.h>

#include "json.h"

#define ENC_KEYS(X) \
	X(id) X(ok) X(status) X(code) X(signal) X(result) X(error) X(message) X(boot) X(pid1_ms) \
	X(spec_loaded_ms) X(first_process_ms) X(protocol) X(vminit) X(pid1) X(features) X(limits) \
	X(request_bytes) X(connections) X(local_connections) X(execs) X(exec_output_bytes) X(uptime_ms) \
	X(next_seq) X(pid) X(state) X(want) X(timed_out) X(duration_ms) X(stdout) X(stderr) \
	X(stdout_bytes) X(stderr_bytes) X(stdout_truncated) X(stderr_truncated) X(shutdown) X(spec) \
	X(path) X(errors) X(errors_dropped) X(modules) X(loaded) X(already_loaded) X(builtin) X(failed) \
	X(module) X(ms) X(type) X(since_ms) X(last_result) X(last_check_ms) X(last_failure) \
	X(passes_in_a_row) X(failures_in_a_row) X(checks) X(failed_checks) X(skipped_rounds) X(health) \
	X(readiness) X(liveness) X(kind) X(kills) X(limit_bytes) X(peak_bytes) X(cgroup) X(cgroup_error) \
	X(memory_current_bytes) X(memory_peak_bytes) X(memory_max_bytes) X(cpu_usage_usec) \
	X(cpu_user_usec) X(cpu_system_usec) X(cpu_weight) X(tasks) X(pids_max) X(oom_kills) X(resources) \
	X(cgroups) X(base) X(controllers) X(vminit_memory_current_bytes) X(vminit_memory_min_bytes) \
	X(vminit_oom_score_adj) X(process) X(last_exit) X(at_ms) X(oom) X(memory_rss_bytes) X(cpu_user_ms) \
	X(cpu_system_ms) X(waiting_for) X(blocked) X(processes) X(name) X(starts) X(restarts) X(failures) \
	X(stopped_by) X(deferrals) X(deferred) X(output_dropped_lines) X(counters) X(line) X(key) X(text) \
	X(reason) X(reboot) X(volumes) X(check) X(event) X(seq) X(lost) X(end) X(lines) X(device) \
	X(filesystem) X(mode) X(upper) X(initramfs_freed_bytes) X(where) X(read_only) X(recovered) \
	X(size_bytes) X(used_bytes) X(storage) X(root) X(version) X(keys) X(secrets) X(deliveries) \
	X(refused) X(offset_ns) X(stepped) X(uncertainty_ns) X(bytes) X(credited_bits) X(count) X(folded) \
	X(clock) X(requests) X(steps) X(last_offset_ns) X(last_uncertainty_ns) X(last_ms) X(resume) \
	X(signals) X(last_source) X(entropy) X(source) X(network) X(required) X(interfaces) X(mac) X(mtu) \
	X(up) X(addresses) X(family) X(applied) X(routes) X(dns) X(servers) X(search) X(resolv_conf) \
	X(hosts) X(interface) X(step) X(item) X(via) X(address) X(reaped) X(orphans) \
	X(console_dropped_lines) X(log_lines) X(log_lines_overwritten) X(events) X(events_overwritten) \
	X(items_lost) X(items_dropped) X(stream_waits) X(connections_accepted) X(connections_refused) \
	X(connections_refused_peer) X(connections_evicted) X(bad_requests) X(request_timeouts) \
	X(busy_replies) X(dropped_replies) X(execs_running) X(push_connects) X(push_sent) X(push_resent) \
	X(log_holds) X(log_held_ms)

/* Without their NULs: the writer takes lengths, never ends. GCC warns of
 * an unterminated string unless told (nonstring); clang has no such
 * attribute and no such warning (the fuzzers are built with clang). */
#if defined(__has_attribute) && __has_attribute(nonstring)
#define ENC_NONSTRING __attribute__((nonstring))
#else
#define ENC_NONSTRING
#endif
#define ENC_KEY_FIELD(k) char k_##k[sizeof(#k) - 1] ENC_NONSTRING;
struct enc_key_text {
	ENC_KEYS(ENC_KEY_FIELD)
};
#undef ENC_KEY_FIELD
extern const struct enc_key_text enc_key_text;

/* The key name's offset in enc_key_text (low 16 bits) and length. */
#define ENC_K(name)                                                   \
	((unsigned)offsetof(struct enc_key_text, k_##name) |          \
	 (unsigned)sizeof(((struct enc_key_text *)0)->k_##name) << 16)

/* The members of jw_lkey and its kin (json.h), by ENC_K. */
void enc_kkey(struct jw *w, unsigned k);
void enc_kstr(struct jw *w, unsigned k, const char *s);   /* NULL -> null */
void enc_kint(struct jw *w, unsigned k, long long v);
void enc_kbool(struct jw *w, unsigned k, int v);
void enc_knull(struct jw *w, unsigned k);

#endif
