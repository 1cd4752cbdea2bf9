#include "tests/unit/control/ctl_test.h"
#include <poll.h>
#include <termios.h>

/* test_conn.c - the control server's connections (control/conn.c,
 * evict.c, listen.c) through real sockets: line framing (a request split
 * across writes, several in one, \r\n, empty lines, a half-closed client),
 * the bounds (a line too long, a half request's 30 s), and who gets in at
 * the connection limit: an idle connection makes room, a stalled one before
 * an idle one, and with nothing to give up the newcomer is refused. */

TestSuite(ctl_conn, .init = fx_start, .fini = fx_stop);

#define PING_REPLY(id) "{\"id\":" #id ",\"ok\":true,\"result\":{\"uptime_ms\":"

/* Nothing comes for QUIET_MS. */
static void quiet(int fd)
{
	struct fx_in in = { .len = 0 };
	fx_read_for(fd, &in, 1, QUIET_MS);
	cr_assert_eq(in.len, 0, "unexpected: [%s]", in.buf);
	cr_assert_not(in.eof, "closed");
}

Test(ctl_conn, request_split_across_writes)
{
	int fd = fx_connect();
	fx_sends(fd, "{\"id\":7,");
	quiet(fd);
	fx_sends(fd, "\"op\":\"pi");
	quiet(fd);
	cr_assert_eq(strncmp(fx_ask(fd, "ng\"}\r\n"), PING_REPLY(7), strlen(PING_REPLY(7))), 0);
	close(fd);
}

Test(ctl_conn, several_requests_in_one_write_answered_in_order)
{
	struct fx_in in = { .len = 0 };
	int fd = fx_connect();
	char *second;
	fx_sends(fd, "\n\r\n{\"id\":1,\"op\":\"ping\"}\n\n{\"id\":2,\"op\":\"ping\"}\r\n{\"id\":3,\"op\":\"nope\"}\n");
	fx_read(fd, &in, 3);
	cr_assert_eq(strncmp(in.buf, PING_REPLY(1), strlen(PING_REPLY(1))), 0, "%s", in.buf);
	second = strchr(in.buf, '\n') + 1;
	cr_assert_eq(strncmp(second, PING_REPLY(2), strlen(PING_REPLY(2))), 0, "%s", in.buf);
	cr_assert_str_eq(strchr(second, '\n') + 1,
			 "{\"id\":3,\"ok\":false,\"error\":{\"code\":\"unknown_op\",\"message\":\"no operation \\\"nope\\\" in protocol 1\"}}\n");
	close(fd);
}

/* One request at a time (a one-shot client's, or a client waiting for each
 * reply): the reply goes straight to the socket, and the connection keeps
 * no output buffer. */
Test(ctl_conn, a_lone_request_is_answered_without_a_queue)
{
	int fd = fx_connect();
	for (int i = 1; i <= 3; i++) {
		cr_assert_eq(strncmp(fx_ask(fd, "{\"id\":1,\"op\":\"status\"}\n"), "{\"id\":1,\"ok\":true,", 17), 0);
		for (struct conn *c = fx.ctl->conns; c; c = c->next)
			cr_assert_null(c->out, "a reply buffer kept after reply %d", i);
		cr_assert_eq(fx.ctl->out_total, 0);
	}
	close(fd);
}

/* A client that shut its sending side still gets its answer, then the end. */
Test(ctl_conn, half_closed_client_answered_then_closed)
{
	struct fx_in in = { .len = 0 };
	int fd = fx_connect();
	fx_sends(fd, "{\"id\":1,\"op\":\"ping\"}\n{\"id\":2,\"op\"");
	cr_assert_eq(shutdown(fd, SHUT_WR), 0);
	fx_read(fd, &in, -1);
	cr_assert_eq(strncmp(in.buf, PING_REPLY(1), strlen(PING_REPLY(1))), 0, "%s", in.buf);
	cr_assert_eq(fx_lines(&in), 1, "the half request at the end got an answer: %s", in.buf);
	close(fd);
}

Test(ctl_conn, line_over_the_limit_closes)
{
	static char big[PROTO_REQUEST_MAX + 100];
	struct fx_in in = { .len = 0 };
	int fd = fx_connect();
	memset(big, 'x', sizeof(big));
	fx_send(fd, big, sizeof(big));
	fx_read(fd, &in, -1);
	cr_assert_str_eq(in.buf, "{\"ok\":false,\"error\":{\"code\":\"too_large\",\"message\":"
				 "\"a request line is over 16383 bytes: closing\"}}\n");
	close(fd);
}

/* One byte short of the limit, with its newline, is a request. */
Test(ctl_conn, line_at_the_limit_is_read)
{
	static char req[PROTO_REQUEST_MAX];
	int fd = fx_connect();
	size_t n = (size_t)snprintf(req, sizeof(req), "{\"id\":1,\"op\":\"ping\",\"pad\":\"");
	memset(req + n, 'p', sizeof(req) - n - 3);
	memcpy(req + sizeof(req) - 3, "\"}\n", 3);
	fx_send(fd, req, sizeof(req) - 1);
	quiet(fd);
	cr_assert_eq(strncmp(fx_ask(fd, "\n"), PING_REPLY(1), strlen(PING_REPLY(1))), 0);
	close(fd);
}

Test(ctl_conn, half_request_times_out)
{
	struct fx_in in = { .len = 0 };
	int fd = fx_connect();
	fx_sends(fd, "{\"op\":");
	quiet(fd);
	unit_clock_shift((CTL_PARTIAL_TIMEOUT_SEC - 1) * LOOP_NS_PER_SEC);
	quiet(fd);
	unit_clock_shift(2 * LOOP_NS_PER_SEC);
	fx_read(fd, &in, -1);
	cr_assert_str_eq(in.buf, "{\"ok\":false,\"error\":{\"code\":\"bad_request\",\"message\":"
				 "\"no complete request within 30 s: closing\"}}\n");
	close(fd);
	fd = fx_connect();
	cr_assert_str_eq(fx_field(fx_ask(fd, "{\"op\":\"status\"}\n"), "request_timeouts"), "1");
	close(fd);
}

/* A whole request resets the half request's clock. */
Test(ctl_conn, progress_restarts_the_half_request_clock)
{
	int fd = fx_connect();
	fx_sends(fd, "{\"op\":");
	quiet(fd);
	unit_clock_shift(20 * LOOP_NS_PER_SEC);
	cr_assert_eq(strncmp(fx_ask(fd, "\"ping\"}\n{\"op\":"), "{\"ok\":true,", 11), 0);
	unit_clock_shift(20 * LOOP_NS_PER_SEC);
	quiet(fd);
	close(fd);
}

/* ---- the connection limit ---- */

#define LOCAL_MAX (CTL_MAX_CONNS - CTL_HOST_RESERVED)

/* Open connections until the server holds n, each answered once. */
static void fill(int *fds, int from, int n)
{
	for (int i = from; i < n; i++) {
		fds[i] = fx_connect();
		cr_assert_eq(strncmp(fx_ask(fds[i], "{\"op\":\"ping\"}\n"), "{\"ok\":true,", 11), 0, "connection %d", i);
	}
	cr_assert_eq(fx.ctl->nconns, (size_t)n);
}

static void close_all(int *fds, int n)
{
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* At the local limit, the connection idle the longest makes room. */
Test(ctl_conn, idle_longest_makes_room)
{
	static int fds[LOCAL_MAX + 1];
	struct fx_in in = { .len = 0 };
	fill(fds, 0, 1);
	unit_clock_shift(LOOP_NS_PER_SEC);
	fill(fds, 1, LOCAL_MAX);
	fds[LOCAL_MAX] = fx_connect();
	cr_assert_eq(strncmp(fx_ask(fds[LOCAL_MAX], "{\"op\":\"ping\"}\n"), "{\"ok\":true,", 11), 0);
	fx_read(fds[0], &in, -1);
	cr_assert_eq(in.len, 0);
	cr_assert_eq(fx.ctl->nconns, (size_t)LOCAL_MAX);
	cr_assert_str_eq(fx_field(fx_ask(fds[1], "{\"op\":\"status\"}\n"), "connections_evicted"), "1");
	close_all(fds, LOCAL_MAX + 1);
}

/* A half request goes before a connection idle for longer. */
Test(ctl_conn, stalled_goes_before_idle)
{
	static int fds[LOCAL_MAX + 1];
	struct fx_in in = { .len = 0 };
	fill(fds, 0, LOCAL_MAX);
	unit_clock_shift(LOOP_NS_PER_SEC);
	fx_sends(fds[LOCAL_MAX - 1], "{\"op\":");   /* the newest, stalled */
	quiet(fds[LOCAL_MAX - 1]);
	fds[LOCAL_MAX] = fx_connect();
	cr_assert_eq(strncmp(fx_ask(fds[LOCAL_MAX], "{\"op\":\"ping\"}\n"), "{\"ok\":true,", 11), 0);
	fx_read(fds[LOCAL_MAX - 1], &in, -1);
	quiet(fds[0]);
	close_all(fds, LOCAL_MAX + 1);
}

/* Streams are kept: with only those, a newcomer is refused, with a reason. */
Test(ctl_conn, refused_when_nothing_can_go)
{
	static int fds[LOCAL_MAX + 1];
	struct fx_in in = { .len = 0 };
	for (int i = 0; i < LOCAL_MAX; i++) {
		fds[i] = fx_connect();
		cr_assert_eq(strncmp(fx_ask(fds[i], "{\"op\":\"events\"}\n"), "{\"ok\":true,", 11), 0);
	}
	fds[LOCAL_MAX] = fx_connect();
	fx_read(fds[LOCAL_MAX], &in, -1);
	cr_assert_str_eq(in.buf, "{\"ok\":false,\"error\":{\"code\":\"busy\",\"message\":"
				 "\"too many local connections (224; 32 more are the host's)\"}}\n");
	cr_assert_eq(fx.ctl->nconns, (size_t)LOCAL_MAX);
	cr_assert_eq(fx.ctl->count[ENC_C_CONNECTIONS_REFUSED], 1);
	cr_assert_eq(fx.ctl->count[ENC_C_CONNECTIONS_EVICTED], 0);
	close_all(fds, LOCAL_MAX + 1);
}

/* The virtio-serial port (a socket pair stands in for it): a guest's kernel
 * may hand PID 1 a new host's request and then say the host has gone (it
 * learns of the host's arrival later). The request was once dropped with the
 * session, and the host waited for its reply forever. */
Test(ctl_conn, serial_request_read_with_an_end_is_answered)
{
	struct fx_in in = { .len = 0 };
	int sv[2];
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	cr_assert_eq(fcntl(sv[0], F_SETFL, O_NONBLOCK), 0);
	cr_assert_eq(fcntl(sv[1], F_SETFL, O_NONBLOCK), 0);
	cr_assert_eq(ctl_serial_adopt(fx.ctl, sv[0]), 0);
	fx_sends(sv[1], "\n{\"id\":5,\"op\":\"ping\"}\n");
	cr_assert_eq(shutdown(sv[1], SHUT_WR), 0);   /* read together with the bytes */
	fx_read(sv[1], &in, 1);
	cr_assert_eq(strncmp(in.buf, PING_REPLY(5), strlen(PING_REPLY(5))), 0, "%s", in.buf);
	close(sv[1]);
}

/* A request that comes during a stream on a serial port is a new host's
 * (its kernel had not said the last host went): the stream ends and the
 * request is answered. It was once read as the stream's input and dropped. */
Test(ctl_conn, serial_request_during_a_stream_is_answered)
{
	struct fx_in in = { .len = 0 };
	int sv[2];
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	cr_assert_eq(fcntl(sv[0], F_SETFL, O_NONBLOCK), 0);
	cr_assert_eq(fcntl(sv[1], F_SETFL, O_NONBLOCK), 0);
	cr_assert_eq(ctl_serial_adopt(fx.ctl, sv[0]), 0);
	fx_sends(sv[1], "\n{\"id\":1,\"op\":\"events\"}\n");
	fx_read(sv[1], &in, 1);
	cr_assert(strstr(in.buf, "\"id\":1,\"ok\":true"), "%s", in.buf);
	fx_sends(sv[1], "\n{\"id\":2,\"op\":\"ping\"}\n");
	for (int i = 0; i < 50 && !strstr(in.buf, PING_REPLY(2)); i++)
		fx_read_for(sv[1], &in, fx_lines(&in) + 1, QUIET_MS);
	cr_assert(strstr(in.buf, PING_REPLY(2)), "no reply to the new request: %s", in.buf);
	close(sv[1]);
}

/* A pseudo-terminal stands in for a port whose host comes and goes: its
 * master is the guest's end, and with no slave open it reports EPOLLHUP
 * without EPOLLIN, as a virtio-serial port without a host does; opening the
 * slave again is the host coming back. */
struct port {
	int guest, host;
	char name[64];
};

static void port_open_host(struct port *p)
{
	struct termios t;
	p->host = open(p->name, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	cr_assert_geq(p->host, 0, "open %s: %s", p->name, strerror(errno));
	cr_assert_eq(tcgetattr(p->host, &t), 0);
	cfmakeraw(&t);
	cr_assert_eq(tcsetattr(p->host, TCSANOW, &t), 0);
	/* What an earlier host was sent went to that host, not this one. */
	cr_assert_eq(tcflush(p->host, TCIFLUSH), 0);
}

static struct conn *port_adopt(struct port *p)
{
	p->guest = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	cr_assert_geq(p->guest, 0, "posix_openpt: %s", strerror(errno));
	cr_assert_eq(grantpt(p->guest), 0);
	cr_assert_eq(unlockpt(p->guest), 0);
	cr_assert_eq(ptsname_r(p->guest, p->name, sizeof(p->name)), 0);
	port_open_host(p);
	cr_assert_eq(ctl_serial_adopt(fx.ctl, p->guest), 0);
	for (struct conn *c = fx.ctl->conns; c; c = c->next)
		if (c->kind == CK_SERIAL)
			return c;
	cr_assert_fail("no serial connection");
	return NULL;
}

/* The host closes its end; the loop turns until the server has seen it. */
static void port_hangup(struct port *p, struct conn *c)
{
	close(p->host);
	p->host = -1;
	for (int i = 0; i < 1000 && c->hup == SERIAL_HUP_NONE; i++)
		fx_turn();
	cr_assert_eq(c->hup, SERIAL_HUP_SEEN, "the hangup was not seen");
}

/* The port's next look (0.5 s on), and a few turns after it. */
static void port_next_look(void)
{
	unit_clock_shift(600 * LOOP_NS_PER_MS);
	fx_turns(4);
}

/* A request that begins a stream is read before the port says the last host
 * went and came back (the guest's kernel saw the two queues in that order).
 * The stream is the host's that is there: it goes on. It was once forgotten
 * at the hangup, and `vminitctl events` waited for events that never came
 * (QEMU's t-lifecycle on a busy machine). */
Test(ctl_conn, serial_stream_goes_on_when_the_host_is_there_at_the_next_look)
{
	struct fx_in in = { .len = 0 };
	struct port p;
	struct conn *c = port_adopt(&p);
	fx_sends(p.host, "\n{\"id\":1,\"op\":\"events\"}\n");
	fx_read(p.host, &in, 1);
	cr_assert(strstr(in.buf, "{\"id\":1,\"ok\":true"), "%s", in.buf);
	port_hangup(&p, c);
	port_open_host(&p);
	ctl_event_shutdown(fx.ctl, "after the hangup", 0);
	port_next_look();
	in.len = 0;
	fx_read(p.host, &in, 1);
	cr_assert(strstr(in.buf, "{\"event\":{\"seq\":1,"), "%s", in.buf);
	cr_assert(strstr(in.buf, "\"reason\":\"after the hangup\""), "%s", in.buf);
	cr_assert_eq(c->mode, CM_EVENTS);
	close(p.host);
}

/* A port still without a host at the next look: the stream ends, and the
 * next host gets no item of it. */
Test(ctl_conn, serial_stream_ends_when_the_host_is_gone_at_the_next_look)
{
	struct fx_in in = { .len = 0 };
	struct port p;
	struct conn *c = port_adopt(&p);
	fx_sends(p.host, "\n{\"id\":1,\"op\":\"events\"}\n");
	fx_read(p.host, &in, 1);
	port_hangup(&p, c);
	port_next_look();
	cr_assert_eq(c->hup, SERIAL_HUP_GONE);
	cr_assert_eq(c->mode, CM_REQ, "the stream outlived its host");
	port_open_host(&p);
	port_next_look();
	cr_assert_eq(strncmp(fx_ask(p.host, "\n{\"id\":2,\"op\":\"ping\"}\n"), PING_REPLY(2), strlen(PING_REPLY(2))), 0);
	ctl_event_shutdown(fx.ctl, "nobody follows", 0);
	quiet(p.host);
	close(p.host);
}

/* The host went in the middle of a line; a new host's request comes before
 * the port's next look, and nothing more goes out before it. The stream ends, the rest of the line is dropped,
 * and every line the new host gets is whole: the old stream's last items
 * (which it skips by their id) and its reply. */
Test(ctl_conn, serial_request_after_a_hangup_cuts_the_half_sent_line)
{
	struct fx_in in = { .len = 0 };
	char reason[300], *line;
	struct port p;
	struct conn *c = port_adopt(&p);
	int tries;
	memset(reason, 'r', sizeof(reason) - 1);
	reason[sizeof(reason) - 1] = '\0';
	fx_sends(p.host, "\n{\"id\":1,\"op\":\"events\"}\n");
	fx_read(p.host, &in, 1);
	/* More than the terminal holds: read a little at a time until every
	 * item is made and what is left to send (less than a batch, which the
	 * end of each batch tries to write) begins in the middle of a line. */
	for (int i = 0; i < CTL_EVENT_SLOTS; i++)
		ctl_event_shutdown(fx.ctl, reason, 0);
	fx_turns(20);
	for (tries = 0; tries < 5000 && !(c->cursor == ring_next(&fx.ctl->events) && ctl_pending(c) > 0 &&
					  ctl_pending(c) < CTL_OUT_LOW && ctl_conn_mid_line(c)); tries++) {
		char sink[777];
		(void)!read(p.host, sink, sizeof(sink));
		fx_turns(2);
	}
	cr_assert(ctl_pending(c) > 0 && ctl_pending(c) < CTL_OUT_LOW && ctl_conn_mid_line(c),
		  "the output never stopped in a line: %zu bytes left", ctl_pending(c));
	port_hangup(&p, c);
	port_open_host(&p);
	/* An item made before the next look does not go out either. */
	ctl_event_shutdown(fx.ctl, "while the port looked empty", 0);
	fx_turns(4);
	fx_sends(p.host, "\n{\"id\":2,\"op\":\"ping\"}\n");
	{
		/* The terminal hands the bytes over in a kernel worker: wait
		 * until the guest's end has them, as the port would. */
		struct pollfd q = { .fd = p.guest, .events = POLLIN };
		cr_assert_eq(poll(&q, 1, WAIT_MS), 1, "the request never reached the guest's end");
	}
	port_next_look();
	in.len = 0;
	for (int i = 0; i < 2000 && !strstr(in.buf, PING_REPLY(2)); i++)
		fx_read_for(p.host, &in, fx_lines(&in) + 1, QUIET_MS);
	cr_assert(strstr(in.buf, PING_REPLY(2)), "no reply to the new host");
	cr_assert_eq(c->mode, CM_REQ);
	for (line = in.buf; *line; line = strchr(line, '\n') + 1) {
		if (!strncmp(line, PING_REPLY(2), strlen(PING_REPLY(2))))
			break;
		cr_assert_eq(strncmp(line, "{\"event\":{\"seq\":", 16), 0, "a broken line: %.80s", line);
	}
	close(p.host);
}
