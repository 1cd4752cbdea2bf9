#include "tests/unit/unit.h"

/* test_encode.c - the wire's spelling of replies, events and stream items
 * (channel/encode.c), byte for byte as docs/protocol.md shows them: key
 * order, null for what is not known, signals by name or number, and a whole
 * line (newline included) from each message encoder. */

#include <signal.h>

#include "base/version.h"
#include "channel/encode.h"

/* What the encoder calls in body make, as a C string (asserts no overflow). */
#define ENC(w, body)                                                            \
	({                                                                      \
		static char buf_[16384];                                        \
		struct jw w;                                                    \
		jw_init(&w, buf_, sizeof(buf_) - 1);                            \
		body;                                                           \
		cr_assert_eq(w.overflow, 0, "overflow");                        \
		buf_[w.len] = '\0';                                             \
		(const char *)buf_;                                             \
	})

/* Members, inside an object of their own. */
#define MEMBERS(w, body) ENC(w, (jw_obj(&w), body, jw_end(&w)))

Test(encode, reply_with_and_without_id)
{
	cr_assert_str_eq(ENC(w, (enc_reply_begin(&w, "7"), enc_ping(&w, 12), enc_reply_end(&w))),
			 "{\"id\":7,\"ok\":true,\"result\":{\"uptime_ms\":12}}\n");
	cr_assert_str_eq(ENC(w, (enc_reply_begin(&w, "\"a\\u0062\""), enc_reply_end(&w))),
			 "{\"id\":\"a\\u0062\",\"ok\":true,\"result\":{}}\n");
	cr_assert_str_eq(ENC(w, (enc_reply_begin(&w, ""), enc_events_started(&w, 9), enc_reply_end(&w))),
			 "{\"ok\":true,\"result\":{\"next_seq\":9}}\n");
	cr_assert_str_eq(ENC(w, (enc_reply_begin(&w, NULL), enc_reply_end(&w))), "{\"ok\":true,\"result\":{}}\n");
}

Test(encode, error_reply)
{
	cr_assert_str_eq(ENC(w, enc_error_reply(&w, "3", CTL_E_NOT_FOUND, "no process named \"x\"")),
			 "{\"id\":3,\"ok\":false,\"error\":{\"code\":\"not_found\",\"message\":\"no process named \\\"x\\\"\"}}\n");
	cr_assert_str_eq(ENC(w, enc_error_reply(&w, NULL, CTL_E_BUSY, "too many connections (256)")),
			 "{\"ok\":false,\"error\":{\"code\":\"busy\",\"message\":\"too many connections (256)\"}}\n");
}

Test(encode, error_message_cut_at_512_bytes)
{
	char msg[700], want[800];
	memset(msg, 'm', sizeof(msg) - 1);
	msg[sizeof(msg) - 1] = '\0';
	snprintf(want, sizeof(want), "{\"ok\":false,\"error\":{\"code\":\"failed\",\"message\":\"%.*s\"}}\n",
		 ENC_ERROR_MESSAGE_MAX, msg);
	cr_assert_str_eq(ENC(w, enc_error_reply(&w, "", CTL_E_FAILED, msg)), want);
}

Test(encode, hello)
{
	static const struct enc_boot boot = { 10, -1, 30 };
	static const struct enc_limits lim = { 256, 224, 16 };
	cr_assert_str_eq(MEMBERS(w, enc_hello(&w, 1, &boot, &lim)),
			 "{\"protocol\":1,\"vminit\":\"" VMINIT_VERSION "\",\"pid1\":true,"
			 "\"features\":[\"status\",\"events\",\"logs\",\"signal\",\"stop\",\"start\",\"restart\","
			 "\"shutdown\",\"exec\",\"ping\",\"secrets\",\"clock\",\"entropy\",\"resumed\"],"
			 "\"boot\":{\"pid1_ms\":10,\"spec_loaded_ms\":null,\"first_process_ms\":30},"
			 "\"limits\":{\"request_bytes\":16384,\"connections\":256,\"local_connections\":224,"
			 "\"execs\":16,\"exec_output_bytes\":32768}}");
}

Test(encode, small_results)
{
	cr_assert_str_eq(MEMBERS(w, enc_signal_sent(&w, 42, SIGHUP)), "{\"pid\":42,\"signal\":\"SIGHUP\"}");
	cr_assert_str_eq(MEMBERS(w, enc_signal_sent(&w, 42, 40)), "{\"pid\":42,\"signal\":40}");
	cr_assert_str_eq(MEMBERS(w, enc_process_state(&w, "stopping", "down")),
			 "{\"state\":\"stopping\",\"want\":\"down\"}");
	cr_assert_str_eq(MEMBERS(w, enc_status_head(&w, 5, NULL)), "{\"uptime_ms\":5,\"shutdown\":null}");
	cr_assert_str_eq(MEMBERS(w, enc_status_head(&w, 5, "killing")), "{\"uptime_ms\":5,\"shutdown\":\"killing\"}");
}

Test(encode, exit_status)
{
	cr_assert_str_eq(MEMBERS(w, enc_exit_status(&w, 3, 0)), "{\"status\":3,\"code\":3,\"signal\":null}");
	/* 137 from exit(137) is a code, not SIGKILL: sig says which. */
	cr_assert_str_eq(MEMBERS(w, enc_exit_status(&w, 137, 0)), "{\"status\":137,\"code\":137,\"signal\":null}");
	cr_assert_str_eq(MEMBERS(w, enc_exit_status(&w, 137, SIGKILL)),
			 "{\"status\":137,\"code\":null,\"signal\":\"SIGKILL\"}");
	cr_assert_str_eq(MEMBERS(w, enc_exit_status(&w, 168, 40)), "{\"status\":168,\"code\":null,\"signal\":40}");
}

Test(encode, exec_result)
{
	struct enc_exec x = {
		.status = 3, .duration_ms = 12, .out = "hi\n", .out_len = 3, .err = "", .err_len = 0,
		.out_total = 3, .err_total = 0,
	};
	cr_assert_str_eq(MEMBERS(w, enc_exec_result(&w, &x)),
			 "{\"status\":3,\"code\":3,\"signal\":null,\"timed_out\":false,\"duration_ms\":12,"
			 "\"stdout\":\"hi\\n\",\"stderr\":\"\",\"stdout_bytes\":3,\"stderr_bytes\":0,"
			 "\"stdout_truncated\":false,\"stderr_truncated\":false}");
	x = (struct enc_exec){
		.status = 137, .signal = SIGKILL, .timed_out = 1, .out = "1234", .out_len = 4, .err = "a\0b",
		.err_len = 3, .out_total = 9, .err_total = 3,
	};
	cr_assert_str_eq(MEMBERS(w, enc_exec_result(&w, &x)),
			 "{\"status\":137,\"code\":null,\"signal\":\"SIGKILL\",\"timed_out\":true,\"duration_ms\":0,"
			 "\"stdout\":\"1234\",\"stderr\":\"a\\u0000b\",\"stdout_bytes\":9,\"stderr_bytes\":3,"
			 "\"stdout_truncated\":true,\"stderr_truncated\":false}");
}

Test(encode, spec_error_members)
{
	cr_assert_str_eq(MEMBERS(w, enc_spec_error_members(&w, "/s.ini", "/s.ini:4: processes.x.command: must be an array")),
			 "{\"line\":4,\"key\":\"processes.x.command\",\"message\":\"must be an array\","
			 "\"text\":\"/s.ini:4: processes.x.command: must be an array\"}");
	/* No key: the message has a space before its first ": ". */
	cr_assert_str_eq(MEMBERS(w, enc_spec_error_members(&w, "/s.ini", "/s.ini:6: malformed header: [x")),
			 "{\"line\":6,\"key\":null,\"message\":\"malformed header: [x\",\"text\":\"/s.ini:6: malformed header: [x\"}");
	/* No line: not the path's, or no number. */
	cr_assert_str_eq(MEMBERS(w, enc_spec_error_members(&w, "/s.ini", "/other: x: y")),
			 "{\"line\":null,\"key\":null,\"message\":\"/other: x: y\",\"text\":\"/other: x: y\"}");
	cr_assert_str_eq(MEMBERS(w, enc_spec_error_members(&w, "/s.ini", "/s.ini:x: y")),
			 "{\"line\":null,\"key\":null,\"message\":\"/s.ini:x: y\",\"text\":\"/s.ini:x: y\"}");
}

Test(encode, spec_summary)
{
	char *errors[] = { "p:2: bogus: unknown key", "p: too many" };
	cr_assert_str_eq(MEMBERS(w, enc_spec_summary(&w, NULL, 0, NULL, 0, 0)),
			 "{\"spec\":{\"path\":null,\"ok\":false,\"errors\":[],\"errors_dropped\":0}}");
	cr_assert_str_eq(MEMBERS(w, enc_spec_summary(&w, "p", 0, errors, 2, 7)),
			 "{\"spec\":{\"path\":\"p\",\"ok\":false,\"errors\":[{\"line\":2,\"key\":\"bogus\",\"message\":\"unknown key\","
			 "\"text\":\"p:2: bogus: unknown key\"},{\"line\":null,\"key\":null,\"message\":\"p: too many\","
			 "\"text\":\"p: too many\"}],\"errors_dropped\":7}}");
}

Test(encode, modules)
{
	static const struct enc_modules m = { 3, 1, 2, 1 };
	cr_assert_str_eq(MEMBERS(w, enc_modules_none(&w)), "{\"modules\":null}");
	cr_assert_str_eq(MEMBERS(w, (enc_modules_begin(&w, &m), enc_module_error(&w, "vsock", "No such file"),
				     enc_modules_end(&w, 17))),
			 "{\"modules\":{\"loaded\":3,\"already_loaded\":1,\"builtin\":2,\"failed\":1,"
			 "\"errors\":[{\"module\":\"vsock\",\"error\":\"No such file\"}],\"ms\":17}}");
}

Test(encode, process_unknowns_are_null)
{
	struct enc_process p = {
		.name = "web", .want = "down", .state = "inactive", .uptime_ms = -1, .rss_bytes = -1,
		.cpu_user_ms = -1, .cpu_system_ms = -1,
	};
	cr_assert_str_eq(ENC(w, (jw_arr(&w), enc_process(&w, &p), jw_end_arr(&w))),
			 "[{\"name\":\"web\",\"want\":\"down\",\"state\":\"inactive\",\"pid\":null,\"starts\":0,"
			 "\"restarts\":0,\"failures\":0,\"stopped_by\":null,\"deferrals\":0,\"deferred\":null,"
			 "\"output_dropped_lines\":0,\"uptime_ms\":null,\"last_exit\":null,\"memory_rss_bytes\":null,"
			 "\"cpu_user_ms\":null,\"cpu_system_ms\":null,\"health\":null,\"waiting_for\":null,\"blocked\":null,"
			 "\"cgroup\":null,\"cgroup_error\":null}]");
}

Test(encode, process_all_known)
{
	struct enc_check ready = {
		.type = "http", .state = "healthy", .since_ms = 100, .last_pass = 1, .last_check_ms = 200,
		.last_failure = "status 500", .passes = 3, .failures = 0, .checks = 9, .failed_checks = 2,
		.skipped_rounds = 1,
	};
	struct enc_process p = {
		.name = "web", .want = "up", .state = "running", .pid = 42, .starts = 2, .restarts = 1,
		.failures = 1, .stopped_by = SIGSTOP, .deferrals = 4, .deferred = "Resource temporarily unavailable",
		.output_dropped_lines = 6, .uptime_ms = 700, .has_last_exit = 1, .last_status = 137,
		.last_signal = SIGKILL, .last_exit_ms = 50, .rss_bytes = 4096, .cpu_user_ms = 5,
		.cpu_system_ms = 6, .readiness = &ready, .waiting_for = "db", .waiting_cond = "healthy",
	};
	cr_assert_str_eq(MEMBERS(w, (enc_processes_begin(&w), enc_process(&w, &p), enc_processes_end(&w))),
			 "{\"processes\":[{\"name\":\"web\",\"want\":\"up\",\"state\":\"running\",\"pid\":42,\"starts\":2,"
			 "\"restarts\":1,\"failures\":1,\"stopped_by\":\"SIGSTOP\",\"deferrals\":4,"
			 "\"deferred\":\"Resource temporarily unavailable\",\"output_dropped_lines\":6,\"uptime_ms\":700,"
			 "\"last_exit\":{\"status\":137,\"code\":null,\"signal\":\"SIGKILL\",\"at_ms\":50,\"oom\":null},"
			 "\"memory_rss_bytes\":4096,\"cpu_user_ms\":5,\"cpu_system_ms\":6,"
			 "\"health\":{\"readiness\":{\"type\":\"http\",\"state\":\"healthy\",\"since_ms\":100,"
			 "\"last_result\":\"pass\",\"last_check_ms\":200,\"last_failure\":\"status 500\","
			 "\"passes_in_a_row\":3,\"failures_in_a_row\":0,\"checks\":9,\"failed_checks\":2,"
			 "\"skipped_rounds\":1},\"liveness\":null},\"waiting_for\":\"db:healthy\",\"blocked\":null,"
			 "\"cgroup\":null,\"cgroup_error\":null}]}");
	/* A check never run; only a liveness check. */
	ready = (struct enc_check){ .type = "process", .state = "unknown", .since_ms = -1, .last_pass = -1 };
	p.readiness = NULL;
	p.liveness = &ready;
	cr_assert(strstr(MEMBERS(w, enc_process(&w, &p)),
			 "\"health\":{\"readiness\":null,\"liveness\":{\"type\":\"process\",\"state\":\"unknown\","
			 "\"since_ms\":null,\"last_result\":null,\"last_check_ms\":null,\"last_failure\":null,"));
	p.stopped_by = 45;
	cr_assert(strstr(MEMBERS(w, enc_process(&w, &p)), "\"stopped_by\":45,"));
}

Test(encode, process_cgroup_and_oom)
{
	struct enc_oom oom = { .kind = "limit", .kills = 2, .limit = 67108864, .peak = 67100000 };
	struct enc_cgroup cg = {
		.path = "/app/web", .memory_current = 4096, .memory_peak = 8192, .memory_max = 67108864,
		.cpu_usage_usec = 30, .cpu_user_usec = 20, .cpu_system_usec = 10, .tasks = 3, .pids_max = -1,
		.cpu_weight = 50, .oom_kills = 2,
	};
	struct enc_process p = {
		.name = "web", .want = "up", .state = "running", .uptime_ms = -1, .rss_bytes = -1,
		.cpu_user_ms = -1, .cpu_system_ms = -1, .has_last_exit = 1, .last_status = 137,
		.last_signal = SIGKILL, .last_exit_ms = 50, .last_oom = &oom, .cgroup = &cg,
	};
	const char *s = MEMBERS(w, enc_process(&w, &p));
	cr_assert(strstr(s, "\"last_exit\":{\"status\":137,\"code\":null,\"signal\":\"SIGKILL\",\"at_ms\":50,"
			 "\"oom\":{\"kind\":\"limit\",\"kills\":2,\"limit_bytes\":67108864,\"peak_bytes\":67100000}}"), "%s", s);
	cr_assert(strstr(s, "\"cgroup\":{\"path\":\"/app/web\",\"memory_current_bytes\":4096,\"memory_peak_bytes\":8192,"
			 "\"memory_max_bytes\":67108864,\"cpu_usage_usec\":30,\"cpu_user_usec\":20,\"cpu_system_usec\":10,"
			 "\"cpu_weight\":50,\"tasks\":3,\"pids_max\":\"max\",\"oom_kills\":2},\"cgroup_error\":null}"), "%s", s);
	/* Without the controllers: null, not "max". */
	cg.memory_current = cg.memory_peak = cg.memory_max = cg.tasks = cg.pids_max = cg.cpu_weight = -1;
	s = MEMBERS(w, enc_process(&w, &p));
	cr_assert(strstr(s, "\"memory_max_bytes\":null,") && strstr(s, "\"pids_max\":null,"), "%s", s);
	p.cgroup = NULL;
	p.cgroup_error = "mkdir: No space left on device";
	s = MEMBERS(w, enc_process(&w, &p));
	cr_assert(strstr(s, "\"cgroup\":null,\"cgroup_error\":\"mkdir: No space left on device\"}"), "%s", s);
}

Test(encode, resources_and_oom_event)
{
	const char *const ctrls[] = { "memory", "cpu", NULL };
	struct enc_resources r = { .on = 1, .base = "/", .controllers = ctrls, .error = "no pids controller",
				   .memory_current = 900000, .memory_min = 16777216, .oom_score_adj = -1000 };
	struct enc_oom o = { .kind = "vm", .kills = 1, .limit = -1, .peak = 5 };
	cr_assert_str_eq(MEMBERS(w, enc_resources(&w, &r)),
			 "{\"resources\":{\"cgroups\":true,\"base\":\"/\",\"controllers\":[\"memory\",\"cpu\"],"
			 "\"error\":\"no pids controller\",\"vminit_memory_current_bytes\":900000,"
			 "\"vminit_memory_min_bytes\":16777216,\"vminit_oom_score_adj\":-1000}}");
	r = (struct enc_resources){ .error = "not delegated", .memory_current = -1, .memory_min = -1,
				    .oom_score_adj = -1001 };
	cr_assert_str_eq(MEMBERS(w, enc_resources(&w, &r)),
			 "{\"resources\":{\"cgroups\":false,\"base\":null,\"controllers\":[],"
			 "\"error\":\"not delegated\",\"vminit_memory_current_bytes\":null,"
			 "\"vminit_memory_min_bytes\":null,\"vminit_oom_score_adj\":null}}");
	cr_assert_str_eq(MEMBERS(w, enc_ev_oom(&w, "web", &o)),
			 "{\"type\":\"process.oom\",\"process\":\"web\",\"kind\":\"vm\",\"kills\":1,"
			 "\"limit_bytes\":null,\"peak_bytes\":5}");
}

Test(encode, counters)
{
	uint64_t v[ENC_C_COUNT];
	const char *s;
	for (int i = 0; i < ENC_C_COUNT; i++)
		v[i] = (uint64_t)i + 100;
	s = MEMBERS(w, enc_counters(&w, v, 1));
	cr_assert_str_eq(s, "{\"counters\":{\"reaped\":100,\"orphans\":101,\"console_dropped_lines\":102,"
			    "\"log_lines\":103,\"log_lines_overwritten\":104,\"events\":105,\"events_overwritten\":106,"
			    "\"items_lost\":107,\"items_dropped\":108,\"stream_waits\":109,\"connections\":110,"
			    "\"connections_accepted\":111,\"connections_refused\":112,\"connections_refused_peer\":113,"
			    "\"connections_evicted\":114,\"requests\":115,\"bad_requests\":116,\"request_timeouts\":117,"
			    "\"busy_replies\":118,\"dropped_replies\":119,\"execs_running\":120,\"push_connects\":121,"
			    "\"push_sent\":122,\"push_resent\":123,\"log_holds\":124,\"log_held_ms\":125}}");
	/* Without PID 1's own. */
	s = MEMBERS(w, enc_counters(&w, v, 0));
	cr_assert_eq(strncmp(s, "{\"counters\":{\"console_dropped_lines\":102,", 41), 0, "%s", s);
}

Test(encode, events)
{
	cr_assert_str_eq(MEMBERS(w, enc_ev_shutdown(&w, "SIGTERM", 0)),
			 "{\"type\":\"shutdown\",\"reason\":\"SIGTERM\",\"reboot\":false}");
	static const struct enc_oom oom = { .kind = "limit", .kills = 1, .limit = 64, .peak = 64 };
	cr_assert_str_eq(MEMBERS(w, (enc_ev_final_begin(&w), enc_final_process(&w, "a", "exited", -1, 0, 0, NULL),
				     enc_final_process(&w, "b", "failed", 137, SIGKILL, 2, &oom), enc_ev_final_end(&w))),
			 "{\"type\":\"final\",\"processes\":[{\"name\":\"a\",\"state\":\"exited\",\"status\":null,\"restarts\":0,\"oom\":null},"
			 "{\"name\":\"b\",\"state\":\"failed\",\"status\":137,\"code\":null,\"signal\":\"SIGKILL\",\"restarts\":2,"
			 "\"oom\":{\"kind\":\"limit\",\"kills\":1,\"limit_bytes\":64,\"peak_bytes\":64}}]}");
	cr_assert_str_eq(MEMBERS(w, enc_ev_health(&w, "web", 0, "healthy", NULL)),
			 "{\"type\":\"health.changed\",\"process\":\"web\",\"check\":\"readiness\",\"state\":\"healthy\",\"reason\":null}");
	cr_assert_str_eq(MEMBERS(w, enc_ev_health(&w, "web", 1, "unhealthy", "refused")),
			 "{\"type\":\"health.changed\",\"process\":\"web\",\"check\":\"liveness\",\"state\":\"unhealthy\",\"reason\":\"refused\"}");
	cr_assert_str_eq(MEMBERS(w, enc_ev_give_up(&w, "web", "liveness")),
			 "{\"type\":\"health.give_up\",\"process\":\"web\",\"reason\":\"liveness\"}");
	cr_assert_str_eq(MEMBERS(w, enc_ev_spec_error(&w, "p", "p:1: k: bad")),
			 "{\"type\":\"spec.error\",\"line\":1,\"key\":\"k\",\"message\":\"bad\",\"text\":\"p:1: k: bad\"}");
	cr_assert_str_eq(MEMBERS(w, enc_ev_module_failed(&w, "vsock", "Exec format error")),
			 "{\"type\":\"module.failed\",\"module\":\"vsock\",\"error\":\"Exec format error\"}");
	cr_assert_str_eq(MEMBERS(w, enc_ev_type(&w, "process.stopping")), "{\"type\":\"process.stopping\"}");
}

Test(encode, stream_items)
{
	static const struct enc_boot boot = { 1, 2, -1 };
	static const char members[] = "\"type\":\"x\"";
	cr_assert_str_eq(ENC(w, enc_event(&w, 4, 900, members, strlen(members))),
			 "{\"event\":{\"seq\":4,\"at_ms\":900,\"type\":\"x\"}}\n");
	cr_assert_str_eq(ENC(w, enc_event(&w, 4, 900, "", 0)), "{\"event\":{\"seq\":4,\"at_ms\":900}}\n");
	cr_assert_str_eq(ENC(w, enc_ready(&w, 77, &boot)),
			 "{\"event\":{\"type\":\"ready\",\"at_ms\":77,\"vminit\":\"" VMINIT_VERSION "\",\"protocol\":1,"
			 "\"boot\":{\"pid1_ms\":1,\"spec_loaded_ms\":2,\"first_process_ms\":null}}}\n");
	cr_assert_str_eq(ENC(w, enc_log(&w, 5, 60, "web", 2, "a \"b\"\xff", 6, 0)),
			 "{\"log\":{\"seq\":5,\"at_ms\":60,\"process\":\"web\",\"stream\":\"stderr\",\"line\":\"a \\\"b\\\"\\ufffd\"}}\n");
	cr_assert_str_eq(ENC(w, enc_log(&w, 5, 60, "web", 1, "", 0, 0)),
			 "{\"log\":{\"seq\":5,\"at_ms\":60,\"process\":\"web\",\"stream\":\"stdout\",\"line\":\"\"}}\n");
	/* A line known plain: its bytes, as the escaping would have made them. */
	cr_assert_str_eq(ENC(w, enc_log(&w, 5, 60, "web", 1, "", 0, 1)),
			 "{\"log\":{\"seq\":5,\"at_ms\":60,\"process\":\"web\",\"stream\":\"stdout\",\"line\":\"\"}}\n");
	cr_assert_str_eq(ENC(w, enc_log(&w, 6, 61, "web", 2, "GET /a?b=c 200 ~{x}", 19, 1)),
			 "{\"log\":{\"seq\":6,\"at_ms\":61,\"process\":\"web\",\"stream\":\"stderr\","
			 "\"line\":\"GET /a?b=c 200 ~{x}\"}}\n");
	cr_assert_str_eq(ENC(w, enc_lost(&w, 3)), "{\"lost\":3}\n");
	cr_assert_str_eq(ENC(w, enc_logs_end(&w, 2)), "{\"end\":{\"lines\":2}}\n");
}

/* A message that does not fit marks the writer; the caller drops it whole. */
Test(encode, overflow_is_marked)
{
	char buf[40];
	struct jw w;
	jw_init(&w, buf, sizeof(buf));
	enc_error_reply(&w, "1", CTL_E_FAILED, "a message longer than the forty bytes there are");
	cr_assert(w.overflow);
	cr_assert_leq(w.len, sizeof(buf));
}

/* Every key of the table (channel/keys.h) spells its own name: ENC_K's
 * offset and length land on it, whatever its place in the table. */
static void key_is_its_name(unsigned k, const char *name)
{
	char want[64];
	snprintf(want, sizeof(want), "{\"x\":1,\"%s\":2}", name);
	cr_assert_str_eq(MEMBERS(w, (jw_kint(&w, "x", 1), enc_kint(&w, k, 2))), want);
}

Test(encode, keys_spell_their_names)
{
#define KEY_IS_ITS_NAME(name) key_is_its_name(ENC_K(name), #name);
	ENC_KEYS(KEY_IS_ITS_NAME)
#undef KEY_IS_ITS_NAME
	cr_assert_str_eq(MEMBERS(w, (enc_kkey(&w, ENC_K(stdout)), jw_int(&w, 1), enc_kstr(&w, ENC_K(via), NULL),
				     enc_kbool(&w, ENC_K(ok), 1), enc_knull(&w, ENC_K(log_held_ms)))),
			 "{\"stdout\":1,\"via\":null,\"ok\":true,\"log_held_ms\":null}");
}
