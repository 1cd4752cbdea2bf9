#include "tests/unit/unit.h"

/* test_probe.c - one health check attempt (health/probe.c) with a real loop
 * and real servers on loopback in this process, on the same loop: TCP, the
 * ::1 fallback, HTTP verdicts, timeouts, closes and resets, a dripping
 * status line, an endless body and the drain's bounds. Start, cancel and
 * restart are in test_probe_life.c; the servers and the fixture in
 * probe_fixture.c, which says why nothing here races the wall clock. */

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/version.h"
#include "probe_fixture.h"

/* ---- TCP ---- */

Test(probe, tcp_passes_when_the_connect_completes)
{
	struct fixture f;
	struct srv s;
	char want[64];
	fx_init(&f);
	srv_open(&s, f.l, AF_INET, SRV_SILENT, NULL);
	start(&f, HC_TCP, s.port, NULL);
	snprintf(want, sizeof(want), "connected to 127.0.0.1:%u", s.port);
	expect_result(&f, 1, want);
	/* Closed at once: the server sees EOF. */
	run_until(f.l, WAIT_MS, conn_eof, &s.c[0]);
	cr_assert_eq(s.nconn, 1);
	cr_assert(s.c[0].eof, "the probe's connection is still open");
	srv_close(&s);
	fx_fini(&f);
}

Test(probe, tcp_refused_on_both_families)
{
	struct fixture f;
	int hold[2];
	fx_init(&f);
	uint16_t port = refused_port(hold);
	start(&f, HC_TCP, port, NULL);
	uint64_t t0 = turns(f.l);
	expect_result(&f, 0, NULL);
	if (hold[1] >= 0)
		cr_assert_str_eq(f.r.reason, "connection refused (127.0.0.1 and ::1)");
	else
		cr_assert(strncmp(f.r.reason, "connection refused (127.0.0.1), ::1: ", 37) == 0, "%s",
			  f.r.reason);
	/* A refusal is known within a few turns (start, 127.0.0.1, ::1), not
	 * at the deadline. */
	cr_assert_leq(f.r.turn - t0, 4, "delivered after %llu turns",
		      (unsigned long long)(f.r.turn - t0));
	close(hold[0]);
	if (hold[1] >= 0)
		close(hold[1]);
	fx_fini(&f);
}

Test(probe, tcp_server_only_on_ipv6_loopback_passes)
{
	struct fixture f;
	struct srv s;
	char want[64];
	if (!have_ipv6())
		cr_skip_test("no IPv6 loopback here (socket(AF_INET6) + bind ::1 failed)");
	fx_init(&f);
	srv_open(&s, f.l, AF_INET6, SRV_SILENT, NULL);
	start(&f, HC_TCP, s.port, NULL);
	snprintf(want, sizeof(want), "connected to [::1]:%u", s.port);
	expect_result(&f, 1, want);
	srv_close(&s);
	fx_fini(&f);
}

/* ---- HTTP ---- */

Test(probe, http_200_passes_and_sends_the_request)
{
	struct fixture f;
	struct srv s;
	char want[512];
	fx_init(&f);
	srv_open(&s, f.l, AF_INET, SRV_REPLY_CLOSE, R200);
	start(&f, HC_HTTP, s.port, "/healthz?deep=1");
	expect_result(&f, 1, "status 200");
	snprintf(want, sizeof(want),
		 "GET /healthz?deep=1 HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
		 "User-Agent: vminit/" VMINIT_VERSION " (health check)\r\n"
		 "Accept: */*\r\nConnection: close\r\n\r\n", s.port);
	cr_assert_str_eq(s.c[0].req, want);
	cr_assert_eq(f.p.http.status, 200);
	run_until(f.l, WAIT_MS, not_draining, &f.p);
	cr_assert_not(hc_probe_draining(&f.p), "the drain did not end at EOF");
	srv_close(&s);
	fx_fini(&f);
}

Test(probe, http_on_ipv6_loopback_names_it_in_host)
{
	struct fixture f;
	struct srv s;
	char want[64];
	if (!have_ipv6())
		cr_skip_test("no IPv6 loopback here (socket(AF_INET6) + bind ::1 failed)");
	fx_init(&f);
	srv_open(&s, f.l, AF_INET6, SRV_REPLY_CLOSE, R200);
	start(&f, HC_HTTP, s.port, "/");
	expect_result(&f, 1, "status 200");
	snprintf(want, sizeof(want), "\r\nHost: [::1]:%u\r\n", s.port);
	cr_assert_not_null(strstr(s.c[0].req, want), "%s", s.c[0].req);
	srv_close(&s);
	fx_fini(&f);
}

Test(probe, http_500_fails_301_passes)
{
	struct fixture f;
	struct srv s;
	fx_init(&f);
	srv_open(&s, f.l, AF_INET, SRV_REPLY_CLOSE, "HTTP/1.1 500 Internal Server Error\r\n\r\n");
	start(&f, HC_HTTP, s.port, "/");
	expect_result(&f, 0, "status 500");
	srv_close(&s);

	memset(&f.r, 0, sizeof(f.r));
	srv_open(&s, f.l, AF_INET, SRV_REPLY_CLOSE,
		 "HTTP/1.1 301 Moved Permanently\r\nLocation: http://elsewhere/\r\n\r\n");
	start(&f, HC_HTTP, s.port, "/");
	expect_result(&f, 1, "status 301");
	cr_assert_eq(s.nconn, 1, "a redirect was followed");
	run_for(f.l, 20);
	srv_close(&s);
	fx_fini(&f);
}

Test(probe, http_garbage_fails_malformed)
{
	struct fixture f;
	struct srv s;
	fx_init(&f);
	srv_open(&s, f.l, AF_INET, SRV_REPLY_CLOSE, "SSH-2.0-OpenSSH_9.6\r\n");
	start(&f, HC_HTTP, s.port, "/");
	expect_result(&f, 0, "malformed status line: \"SSH-2.0-OpenSSH_9.6\\r\\n\"");
	run_for(f.l, 20);
	srv_close(&s);
	fx_fini(&f);
}

Test(probe, http_hung_endpoint_times_out)
{
	struct fixture f;
	struct srv s;
	fx_init(&f);
	srv_open(&s, f.l, AF_INET, SRV_SILENT, NULL);
	uint64_t t0 = loop_now();
	start(&f, HC_HTTP, s.port, "/");
	/* The request is in: the probe waits for the status line, and keeps
	 * waiting while its deadline is ahead. */
	run_until(f.l, WAIT_MS, srv_requested, &s);
	cr_assert_not_null(strstr(s.c[0].req, "GET / HTTP/1.1\r\n"), "the request was not sent");
	run_for(f.l, 50);
	cr_assert_eq(f.r.calls, 0, "a result before the deadline: %s", f.r.reason);
	pass_deadline(&f.p);
	expect_result(&f, 0, "timed out after 60000 ms waiting for the status line");
	cr_assert_geq(f.r.at - t0, LONG_MS * MS, "the timeout fired before the deadline");
	run_until(f.l, WAIT_MS, conn_eof, &s.c[0]);
	cr_assert(s.c[0].eof, "the connection was not closed at the timeout");
	srv_close(&s);
	fx_fini(&f);
}

Test(probe, http_close_mid_status_line_fails)
{
	struct fixture f;
	struct srv s;
	fx_init(&f);
	srv_open(&s, f.l, AF_INET, SRV_REPLY_CLOSE, "HTTP/1.1 20");
	start(&f, HC_HTTP, s.port, "/");
	expect_result(&f, 0, "closed before a complete status line");
	srv_close(&s);
	fx_fini(&f);
}

Test(probe, http_close_without_a_response_fails)
{
	struct fixture f;
	struct srv s;
	fx_init(&f);
	srv_open(&s, f.l, AF_INET, SRV_REPLY_CLOSE, "");
	start(&f, HC_HTTP, s.port, "/");
	expect_result(&f, 0, "closed without a response");
	srv_close(&s);
	fx_fini(&f);
}

Test(probe, http_reset_fails)
{
	struct fixture f;
	struct srv s;
	fx_init(&f);
	srv_open(&s, f.l, AF_INET, SRV_RESET, NULL);
	start(&f, HC_HTTP, s.port, "/");
	expect_result(&f, 0, "connection reset");
	srv_close(&s);
	fx_fini(&f);
}

Test(probe, http_server_closing_unread_raises_no_sigpipe)
{
	/* SIGPIPE is at its default here: a send without MSG_NOSIGNAL to a
	 * closed peer would kill the test (Criterion reports a crash). */
	struct fixture f;
	struct srv s;
	fx_init(&f);
	srv_open(&s, f.l, AF_INET, SRV_CLOSE_AT_ONCE, NULL);
	for (int i = 0; i < 5; i++) {
		memset(&f.r, 0, sizeof(f.r));
		f.r.l = f.l;
		s.nconn = 0;
		start(&f, HC_HTTP, s.port, "/");
		expect_result(&f, 0, NULL);
		cr_assert(strcmp(f.r.reason, "connection reset") == 0 ||
			  strcmp(f.r.reason, "closed without a response") == 0 ||
			  strcmp(f.r.reason, "connection reset (127.0.0.1)") == 0, "%s", f.r.reason);
	}
	srv_close(&s);
	fx_fini(&f);
}

Test(probe, http_status_line_dripping_a_byte_per_turn_passes)
{
	struct fixture f;
	struct srv s;
	fx_init(&f);
	srv_open(&s, f.l, AF_INET, SRV_DRIP, "HTTP/1.1 204 No Content\r\n\r\n");
	start(&f, HC_HTTP, s.port, "/");
	expect_result(&f, 1, "status 204");
	cr_assert_geq(s.c[0].off, 25, "the verdict came before the line was complete");
	run_for(f.l, 20);
	srv_close(&s);
	fx_fini(&f);
}

Test(probe, http_endless_body_verdict_at_once_drain_bounded)
{
	struct fixture f;
	struct srv s;
	fx_init(&f);
	srv_open(&s, f.l, AF_INET, SRV_ENDLESS, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n");
	start(&f, HC_HTTP, s.port, "/");
	/* A verdict that waited for the end of the body would be the timeout's. */
	expect_result(&f, 1, "status 200");
	/* The drain stops at its byte bound, before the deadline. */
	cr_assert(hc_probe_draining(&f.p));
	run_until(f.l, WAIT_MS, not_draining, &f.p);
	cr_assert_not(hc_probe_draining(&f.p), "still draining an endless body");
	cr_assert_lt(loop_now(), f.p.deadline, "the drain ended by the deadline, not its bound");
	cr_assert_eq(f.p.drained, HC_PROBE_DRAIN_MAX, "drained %llu", (unsigned long long)f.p.drained);
	/* Our close with data unread resets the sender: it is told, not stuck. */
	run_until(f.l, WAIT_MS, conn_closed, &s.c[0]);
	cr_assert_gt(s.c[0].body, 0);
	cr_assert_eq(s.c[0].fd, -1, "the server still sends");
	srv_close(&s);
	fx_fini(&f);
}

Test(probe, http_drain_reads_to_eof_so_the_server_sees_no_reset)
{
	static char reply[10000];
	struct fixture f;
	struct srv s;
	char buf[4096];
	ssize_t n;
	size_t head;
	fx_init(&f);
	head = (size_t)snprintf(reply, sizeof(reply), "HTTP/1.1 200 OK\r\nContent-Length: 8000\r\n\r\n");
	memset(reply + head, 'b', 8000);
	reply[head + 8000] = '\0';
	srv_open(&s, f.l, AF_INET, SRV_REPLY_SHUT, reply);
	start(&f, HC_HTTP, s.port, "/");
	expect_result(&f, 1, "status 200");
	run_until(f.l, WAIT_MS, not_draining, &f.p);
	cr_assert_not(hc_probe_draining(&f.p));
	/* The server reads the rest of the request, then a clean EOF. */
	while ((n = read(s.c[0].fd, buf, sizeof(buf))) > 0)
		;
	cr_assert_eq(n, 0, "the server saw %s", n < 0 ? strerror(errno) : "?");
	cr_assert_eq(f.p.drained, head + 8000 - 17, "drained %llu", (unsigned long long)f.p.drained);
	srv_close(&s);
	fx_fini(&f);
}

Test(probe, http_drain_of_a_quiet_connection_ends_at_the_deadline)
{
	struct fixture f;
	struct srv s;
	fx_init(&f);
	srv_open(&s, f.l, AF_INET, SRV_REPLY, R200);
	uint64_t t0 = loop_now();
	start(&f, HC_HTTP, s.port, "/");
	expect_result(&f, 1, "status 200");
	run_for(f.l, 100);
	cr_assert(hc_probe_draining(&f.p), "the drain ended before the deadline");
	cr_assert_not(s.c[0].eof);
	pass_deadline(&f.p);
	run_until(f.l, WAIT_MS, not_draining, &f.p);
	cr_assert_not(hc_probe_draining(&f.p), "the drain outlived its deadline");
	cr_assert_geq(loop_now() - t0, LONG_MS * MS);
	run_until(f.l, WAIT_MS, conn_eof, &s.c[0]);
	cr_assert(s.c[0].eof, "the server did not see the close");
	srv_close(&s);
	fx_fini(&f);
}
