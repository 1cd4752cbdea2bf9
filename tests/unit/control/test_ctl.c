#include "tests/unit/control/ctl_test.h"

/* test_ctl.c - the control server's operations and streams (control/ops.c,
 * status.c, events.c, stream.c, push.c) through real sockets: hello, ping,
 * status without a spec and with one, errors, events and logs streams, exec,
 * shutdown, the push with its ready event and its retry, and the server
 * freed with everything open. */

#include "base/version.h"
#include "health/health.h"
#include "supervisor/supervisor.h"

#define FEATURES "[\"status\",\"events\",\"logs\",\"signal\",\"stop\",\"start\",\"restart\",\"shutdown\",\"exec\",\"ping\",\"secrets\",\"clock\",\"entropy\",\"resumed\"]"

TestSuite(ctl, .init = fx_start, .fini = fx_stop);

Test(ctl, hello_exact)
{
	int fd = fx_connect();
	cr_assert_str_eq(fx_ask(fd, "{\"id\":1,\"op\":\"hello\",\"protocol\":1}\n"),
			 "{\"id\":1,\"ok\":true,\"result\":{\"protocol\":1,\"vminit\":\"" VMINIT_VERSION "\","
			 "\"pid1\":false,\"features\":" FEATURES ","
			 "\"boot\":{\"pid1_ms\":42,\"spec_loaded_ms\":null,\"first_process_ms\":null},"
			 "\"limits\":{\"request_bytes\":16384,\"connections\":256,\"local_connections\":224,"
			 "\"execs\":16,\"exec_output_bytes\":32768}}}\n");
	/* The spec's time, once marked. */
	ctl_mark(fx.ctl, CTL_MARK_SPEC);
	cr_assert_str_neq(fx_field(fx_ask(fd, "{\"op\":\"hello\"}\n"), "spec_loaded_ms"), "null");
	close(fd);
}

Test(ctl, ping)
{
	int fd = fx_connect();
	const char *r = fx_ask(fd, "{\"id\":\"p\\u0031\",\"op\":\"ping\"}\n");
	long long up;
	cr_assert_eq(strncmp(r, "{\"id\":\"p\\u0031\",\"ok\":true,\"result\":{\"uptime_ms\":", 46), 0, "%s", r);
	cr_assert_eq(sscanf(fx_field(r, "uptime_ms"), "%lld", &up), 1);
	cr_assert_geq(up, 0);
	cr_assert_str_eq(r + strlen(r) - 3, "}}\n");
	/* No id: none in the reply. */
	cr_assert_eq(strncmp(fx_ask(fd, "{\"op\":\"ping\"}\n"), "{\"ok\":true,", 11), 0);
	close(fd);
}

Test(ctl, status_without_a_spec)
{
	int fd = fx_connect();
	const char *r = fx_ask(fd, "{\"id\":2,\"op\":\"status\"}\n");
	cr_assert(strstr(r, "\"shutdown\":null,\"spec\":{\"path\":null,\"ok\":false,\"errors\":[],"
			    "\"errors_dropped\":0},\"modules\":null,\"storage\":null,\"secrets\":null,"
			    "\"clock\":{\"requests\":0,\"steps\":0,\"last_offset_ns\":null,"
			    "\"last_uncertainty_ns\":null,\"last_ms\":null},"
			    "\"resume\":{\"count\":0,\"signals\":0,\"last_source\":null,\"last_ms\":null},"
			    "\"entropy\":{\"requests\":0,\"bytes\":0,\"credited_bits\":0},"
			    "\"resources\":{\"cgroups\":false,\"base\":null,\"controllers\":[],"
			    "\"error\":\"not PID 1 (vminit run): no cgroups\",\"vminit_memory_current_bytes\":null,"
			    "\"vminit_memory_min_bytes\":null,\"vminit_oom_score_adj\":null},"
			    "\"network\":{\"state\":\"off\",\"required\":false,\"interfaces\":[],\"dns\":{\"servers\":[],"
			    "\"search\":[],\"resolv_conf\":null,\"hosts\":null,\"error\":null}},\"processes\":[],"
			    "\"counters\":{\"reaped\":5,\"orphans\":2,"), "%s", r);
	cr_assert_str_eq(fx_field(r, "connections"), "1");
	cr_assert_str_eq(fx_field(r, "connections_accepted"), "1");
	cr_assert_str_eq(fx_field(strstr(r, "\"counters\""), "requests"), "1");
	cr_assert_str_eq(fx_field(r, "push_resent"), "0");
	fx.phase = "stopping";
	r = fx_ask(fd, "{\"id\":3,\"op\":\"status\"}\n");
	cr_assert_str_eq(fx_field(r, "shutdown"), "\"stopping\"");
	cr_assert_str_eq(fx_field(strstr(r, "\"counters\""), "requests"), "2");
	cr_assert_str_eq(fx_ask(fd, "{\"id\":4,\"op\":\"status\",\"process\":\"web\"}\n"),
			 "{\"id\":4,\"ok\":false,\"error\":{\"code\":\"not_found\",\"message\":\"no process named \\\"web\\\"\"}}\n");
	close(fd);
}

Test(ctl, bad_requests_keep_the_connection)
{
	int fd = fx_connect();
	cr_assert_str_eq(fx_ask(fd, "not json\n"),
			 "{\"ok\":false,\"error\":{\"code\":\"bad_request\",\"message\":\"not valid JSON\"}}\n");
	cr_assert_str_eq(fx_ask(fd, "{\"id\":5,\"op\":\"dance\"}\n"),
			 "{\"id\":5,\"ok\":false,\"error\":{\"code\":\"unknown_op\",\"message\":\"no operation \\\"dance\\\" in protocol 1\"}}\n");
	cr_assert_str_eq(fx_ask(fd, "{\"id\":6,\"op\":\"signal\",\"process\":\"x\",\"signal\":\"NOPE\"}\n"),
			 "{\"id\":6,\"ok\":false,\"error\":{\"code\":\"bad_request\",\"message\":\"signal: not a signal name (\\\"TERM\\\", \\\"SIGHUP\\\", ...)\"}}\n");
	cr_assert_str_eq(fx_ask(fd, "{\"id\":7,\"op\":\"stop\",\"process\":\"x\"}\n"),
			 "{\"id\":7,\"ok\":false,\"error\":{\"code\":\"not_found\",\"message\":\"no process named \\\"x\\\"\"}}\n");
	/* Still answering; bad_request and unknown_op were counted, not_found not. */
	cr_assert_str_eq(fx_field(fx_ask(fd, "{\"op\":\"status\"}\n"), "bad_requests"), "3");
	close(fd);
}

static const char spec_text[] =
	"schema_version = \"v1\"\n"
	"[processes.db]\ncommand = [\"/bin/sleep\", \"100\"]\nresources.memory = \"64Mi\"\n"
	"ports.0.internal = 19103\nhealth.port = 19103\n"
	"[processes.web]\ncommand = [\"/bin/sleep\", \"100\"]\nresources.memory = \"64Mi\"\n"
	"x-depends_on = [\"db:healthy\"]\n";

Test(ctl, status_with_a_spec)
{
	static const struct sup_hooks none;
	static const struct hc_hooks no_hc;
	struct spec *spec = unit_spec(spec_text);
	struct hc_set *hc;
	struct sup *sup;
	const char *r;
	int fd;
	cr_assert_eq(spec->nerrors, 0, "%s", unit_errors(spec));
	sup = sup_new(fx.loop, spec, &none);
	hc = hc_new(fx.loop, spec, &no_hc);
	cr_assert(sup && hc);
	ctl_set_spec(fx.ctl, spec, sup);
	ctl_set_health(fx.ctl, hc);
	fd = fx_connect();
	r = fx_ask(fd, "{\"id\":1,\"op\":\"status\",\"process\":\"web\"}\n");
	cr_assert(strstr(r, "\"spec\":{\"path\":\"t.ini\",\"ok\":true,\"errors\":[],\"errors_dropped\":0}"), "%s", r);
	cr_assert(strstr(r, "\"processes\":[{\"name\":\"web\",\"want\":\"down\",\"state\":\"inactive\","
			    "\"pid\":null,\"starts\":0,\"restarts\":0,\"failures\":0,\"stopped_by\":null,"
			    "\"deferrals\":0,\"deferred\":null,\"output_dropped_lines\":0,\"uptime_ms\":null,"
			    "\"last_exit\":null,\"memory_rss_bytes\":null,\"cpu_user_ms\":null,"
			    "\"cpu_system_ms\":null,\"health\":null,\"waiting_for\":null,\"blocked\":null,"
			    "\"cgroup\":null,\"cgroup_error\":null}]"), "%s", r);
	r = fx_ask(fd, "{\"id\":2,\"op\":\"status\"}\n");
	cr_assert(strstr(r, "{\"name\":\"db\","), "%s", r);
	cr_assert(strstr(r, "\"health\":{\"readiness\":{\"type\":\"tcp\",\"state\":\"off\",\"since_ms\":null,"), "%s", r);
	cr_assert_str_eq(fx_ask(fd, "{\"id\":3,\"op\":\"signal\",\"process\":\"db\",\"signal\":\"HUP\"}\n"),
			 "{\"id\":3,\"ok\":false,\"error\":{\"code\":\"invalid_state\",\"message\":\"db is not running (state inactive)\"}}\n");
	fx.phase = "stopping";
	cr_assert_str_eq(fx_ask(fd, "{\"id\":4,\"op\":\"start\",\"process\":\"db\"}\n"),
			 "{\"id\":4,\"ok\":false,\"error\":{\"code\":\"shutting_down\",\"message\":\"the VM is shutting down\"}}\n");
	cr_assert_str_eq(fx_ask(fd, "{\"id\":5,\"op\":\"stop\",\"process\":\"web\"}\n"),
			 "{\"id\":5,\"ok\":true,\"result\":{\"state\":\"inactive\",\"want\":\"down\"}}\n");
	close(fd);
	ctl_set_spec(fx.ctl, NULL, NULL);
	ctl_set_health(fx.ctl, NULL);
	hc_free(hc);
	sup_free(sup);
	spec_free(spec);
}

/* The spec's errors: one spec.error event each, and status lists them. */
Test(ctl, spec_errors_become_events)
{
	struct spec *spec = unit_spec("schema_version = \"v1\"\nbogus = 1\n");
	struct fx_in in = { .len = 0 };
	int fd;
	cr_assert_gt(spec->nerrors, 0);
	ctl_set_spec(fx.ctl, spec, NULL);
	fd = fx_connect();
	fx_sends(fd, "{\"op\":\"events\",\"since\":0}\n");
	fx_read(fd, &in, 1 + (int)spec->nerrors);
	cr_assert(strstr(in.buf, "\"type\":\"spec.error\",\"line\":2,\"key\":\"bogus\",\"message\":\"unknown key\","
				 "\"text\":\"t.ini:2: bogus: unknown key\"}}\n"), "%s", in.buf);
	close(fd);
	fd = fx_connect();
	cr_assert(strstr(fx_ask(fd, "{\"op\":\"status\"}\n"),
			 "{\"line\":2,\"key\":\"bogus\",\"message\":\"unknown key\",\"text\":\"t.ini:2: bogus: unknown key\"}"));
	close(fd);
	ctl_set_spec(fx.ctl, NULL, NULL);
	spec_free(spec);
}

Test(ctl, events_stream_from_the_start_and_live)
{
	struct fx_in in = { .len = 0 };
	int fd = fx_connect();
	ctl_event_shutdown(fx.ctl, "first", 0);
	ctl_event_give_up(fx.ctl, 3, "why \"not\"");
	fx_sends(fd, "{\"id\":1,\"op\":\"events\",\"since\":0}\n");
	fx_read(fd, &in, 3);
	cr_assert_eq(strncmp(in.buf, "{\"id\":1,\"ok\":true,\"result\":{\"next_seq\":3}}\n{\"event\":{\"seq\":1,\"at_ms\":", 68), 0,
		     "%s", in.buf);
	cr_assert(strstr(in.buf, ",\"type\":\"shutdown\",\"reason\":\"first\",\"reboot\":false}}\n"), "%s", in.buf);
	cr_assert(strstr(in.buf, ",\"type\":\"health.give_up\",\"process\":\"?\",\"reason\":\"why \\\"not\\\"\"}}\n"),
		  "%s", in.buf);
	/* Live: what happens now comes without asking; the input is ignored. */
	fx_sends(fd, "{\"op\":\"ping\"}\n");
	ctl_event_health(fx.ctl, 0, 1, HC_UNHEALTHY, NULL);
	ctl_event_final(fx.ctl);
	fx_read(fd, &in, 5);
	cr_assert(strstr(in.buf, "{\"event\":{\"seq\":3,"), "%s", in.buf);
	cr_assert(strstr(in.buf, "\"type\":\"health.changed\",\"process\":\"?\",\"check\":\"liveness\",\"state\":\"unhealthy\",\"reason\":null}}\n"),
		  "%s", in.buf);
	cr_assert(strstr(in.buf, "\"type\":\"final\",\"processes\":[]}}\n"), "%s", in.buf);
	cr_assert_null(strstr(in.buf, "uptime_ms"), "a streaming connection answered a request");
	cr_assert(ctl_flushed(fx.ctl));
	close(fd);
}

Test(ctl, events_lost_when_the_ring_overwrote_them)
{
	struct fx_in in = { .len = 0 };
	int fd = fx_connect();
	for (int i = 0; i < CTL_EVENT_SLOTS + 5; i++)
		ctl_event_shutdown(fx.ctl, "x", 0);
	fx_sends(fd, "{\"op\":\"events\",\"since\":1}\n");
	fx_read(fd, &in, 3);
	cr_assert(strstr(in.buf, "}}\n{\"lost\":5}\n{\"event\":{\"seq\":6,"), "%s", in.buf);
	close(fd);
	fd = fx_connect();
	cr_assert_str_eq(fx_field(fx_ask(fd, "{\"op\":\"status\"}\n"), "items_lost"), "5");
	close(fd);
}

Test(ctl, logs_tail_and_end)
{
	struct fx_in in = { .len = 0 };
	int fd = fx_connect();
	ctl_on_log(fx.ctl, 0, 1, "one", 3, 1);
	ctl_on_log(fx.ctl, 0, 2, "two \xff", 5, 0);
	ctl_on_log(fx.ctl, 1, 1, "other", 5, 1);   /* known plain: kept with its stream */
	fx_sends(fd, "{\"id\":1,\"op\":\"logs\",\"lines\":2}\n");
	fx_read(fd, &in, 4);
	cr_assert(strstr(in.buf, "{\"id\":1,\"ok\":true,\"result\":{}}\n{\"log\":{\"seq\":2,\"at_ms\":"), "%s", in.buf);
	cr_assert(strstr(in.buf, ",\"process\":\"?\",\"stream\":\"stderr\",\"line\":\"two \\ufffd\"}}\n{\"log\":{\"seq\":3,"),
		  "%s", in.buf);
	cr_assert(strstr(in.buf, "\"stream\":\"stdout\",\"line\":\"other\"}}\n{\"end\":{\"lines\":2}}\n"),
		  "%s", in.buf);
	/* Back to requests after the end. */
	cr_assert_eq(strncmp(fx_ask(fd, "{\"op\":\"ping\"}\n"), "{\"ok\":true,\"result\":{\"uptime_ms\":", 33), 0);
	close(fd);
}

Test(ctl, exec_runs_and_replies)
{
	int fd = fx_connect();
	const char *r = fx_ask(fd, "{\"id\":9,\"op\":\"exec\",\"argv\":[\"/bin/sh\",\"-c\",\"echo hi; echo $X >&2; exit 3\"],"
				   "\"env\":[\"X=y\"]}\n");
	static const char head[] =
		"{\"id\":9,\"ok\":true,\"result\":{\"status\":3,\"code\":3,\"signal\":null,\"timed_out\":false,";
	cr_assert_eq(strncmp(r, head, strlen(head)), 0, "%s", r);
	cr_assert(strstr(r, ",\"stdout\":\"hi\\n\",\"stderr\":\"y\\n\",\"stdout_bytes\":3,\"stderr_bytes\":2,"
			    "\"stdout_truncated\":false,\"stderr_truncated\":false}}\n"), "%s", r);
	r = fx_ask(fd, "{\"id\":10,\"op\":\"exec\",\"argv\":[\"/bin/sh\",\"-c\",\"kill -9 $$\"]}\n");
	cr_assert(strstr(r, "{\"status\":137,\"code\":null,\"signal\":\"SIGKILL\","), "%s", r);
	fx.phase = "stopping";
	cr_assert_str_eq(fx_ask(fd, "{\"id\":11,\"op\":\"exec\",\"argv\":[\"/bin/true\"]}\n"),
			 "{\"id\":11,\"ok\":false,\"error\":{\"code\":\"shutting_down\",\"message\":\"the VM is shutting down\"}}\n");
	close(fd);
}

Test(ctl, shutdown_replies_then_asks)
{
	int fd = fx_connect();
	cr_assert_str_eq(fx_ask(fd, "{\"id\":1,\"op\":\"shutdown\",\"reboot\":true}\n"),
			 "{\"id\":1,\"ok\":true,\"result\":{}}\n");
	cr_assert_eq(fx.shutdowns, 1);
	cr_assert_eq(fx.reboot, 1);
	cr_assert_str_eq(fx.why, "requested by the host (reboot)");
	close(fd);
}

/* Once the final event is out, a new connection is told the VM powers off. */
Test(ctl, refused_after_the_final_event)
{
	struct fx_in in = { .len = 0 };
	int fd;
	ctl_event_final(fx.ctl);
	fd = fx_connect();
	fx_read(fd, &in, -1);
	cr_assert_str_eq(in.buf, "{\"ok\":false,\"error\":{\"code\":\"busy\",\"message\":\"the VM is powering off\"}}\n");
	close(fd);
}

/* ---- the push ---- */

static int push_listener(char *path, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	snprintf(path, len, "%s/push.sock", fx.dir);
	cr_assert_lt(strlen(path), sizeof(sa.sun_path));
	memcpy(sa.sun_path, path, strlen(path) + 1);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert_eq(listen(fd, 4), 0);
	return fd;
}

static int push_accept(int lfd)
{
	uint64_t end = unit_clock_real_ns() + WAIT_MS * LOOP_NS_PER_MS;
	int fd = -1;
	while (fd < 0 && unit_clock_real_ns() < end) {
		fx_turn();
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	}
	cr_assert_geq(fd, 0, "the push did not connect");
	return fd;
}

Test(ctl, push_ready_events_and_retry)
{
	struct fx_in in = { .len = 0 }, again = { .len = 0 };
	char path[128], addr[160];
	int lfd = push_listener(path, sizeof(path)), fd;
	ctl_event_shutdown(fx.ctl, "before", 0);
	snprintf(addr, sizeof(addr), "unix:%s", path);
	ctl_push(fx.ctl, addr);
	fd = push_accept(lfd);
	fx_read(fd, &in, 2);
	cr_assert_eq(strncmp(in.buf, "{\"event\":{\"type\":\"ready\",\"at_ms\":", 33), 0, "%s", in.buf);
	cr_assert(strstr(in.buf, ",\"vminit\":\"" VMINIT_VERSION "\",\"protocol\":1,\"boot\":{\"pid1_ms\":42,"
				 "\"spec_loaded_ms\":null,\"first_process_ms\":null}}}\n{\"event\":{\"seq\":1,"), "%s", in.buf);
	cr_assert(ctl_flushed(fx.ctl));
	/* The host goes away; what happens meanwhile comes on the next
	 * connection, after its ready event. */
	close(fd);
	fx_turns(3);
	ctl_event_shutdown(fx.ctl, "while away", 0);
	fx_turns(3);
	cr_assert_not(ctl_flushed(fx.ctl));
	unit_clock_shift(6 * LOOP_NS_PER_SEC);   /* past any retry delay */
	fd = push_accept(lfd);
	fx_read(fd, &again, 2);
	cr_assert_eq(strncmp(again.buf, "{\"event\":{\"type\":\"ready\",", 25), 0, "%s", again.buf);
	cr_assert(strstr(again.buf, "{\"event\":{\"seq\":2,"), "%s", again.buf);
	cr_assert(strstr(again.buf, "\"reason\":\"while away\""), "%s", again.buf);
	close(fd);
	close(lfd);
	unlink(path);
}

/* ctl_free with a connection in each state: ASan finds what it leaks. */
Test(ctl, free_with_everything_open)
{
	struct fx_in in = { .len = 0 };
	int a = fx_connect(), b = fx_connect(), c = fx_connect();
	fx_sends(a, "{\"op\":\"events\"}\n");
	fx_read(a, &in, 1);
	fx_sends(b, "{\"op\":\"exec\",\"argv\":[\"/bin/sleep\",\"100\"]}\n");
	fx_sends(c, "{\"op\":");
	fx_turns(5);
	cr_assert_eq(exec_running(), 1);
	cr_assert_eq(fx.ctl->nconns, 3);
	/* The exec is cancelled with the server, the listener's file goes. */
	ctl_free(fx.ctl);
	fx.ctl = NULL;
	close(a);
	close(b);
	close(c);
}
