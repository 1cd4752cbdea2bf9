/* probe_fixture.h - what the probe's tests (test_probe.c, test_probe_life.c)
 * share: the loop run until an event, the callback's record, servers on
 * loopback in this process on the same loop, and a fixture that checks no
 * fd is left behind (probe_fixture.c).
 *
 * Nothing here races the wall clock (CI runs on a loaded machine): a check
 * that must pass has a timeout far above what it needs (LONG_MS), every wait
 * is for an event with a bound far above what it takes (WAIT_MS: a passing
 * test never waits that long), and a test that needs a deadline to pass
 * moves the clock past it (unit_clock_shift, as a stalled machine would)
 * once the probe is where the test wants it, then asserts what came of it. */
#ifndef VMINIT_TEST_PROBE_FIXTURE_H
#define VMINIT_TEST_PROBE_FIXTURE_H

#include "tests/unit/unit.h"

#include "base/loop.h"
#include "health/probe.h"

#define MS LOOP_NS_PER_MS
#define LONG_MS 60000   /* the timeout of every check */
#define WAIT_MS 30000   /* the most a test waits for an event */

/* ---- the loop ---- */

/* Run the loop (one turn at least) until done(arg), or for ms of real time
 * (the test's clock may be shifted). */
void run_until(struct loop *l, uint64_t ms, int (*done)(void *), void *arg);
void run_for(struct loop *l, uint64_t ms);
/* The loop's turns so far. */
uint64_t turns(struct loop *l);

/* ---- results ---- */

struct rec {
	int calls;
	int pass;
	char reason[HC_PROBE_REASON_MAX];
	uint64_t at;
	uint64_t turn;
	struct loop *l;
};

/* The probe's callback: records into ctx, a struct rec. */
void on_result(void *ctx, int pass, const char *reason);
int rec_called(void *arg);

/* ---- servers on loopback ---- */

enum srv_mode {
	SRV_SILENT,        /* accept, read, never answer */
	SRV_REPLY,         /* answer, keep the connection open */
	SRV_REPLY_CLOSE,   /* answer, close */
	SRV_REPLY_SHUT,    /* answer, shutdown(SHUT_WR), keep the fd for the test */
	SRV_RESET,         /* close with SO_LINGER 0 */
	SRV_DRIP,          /* the reply one byte per loop turn */
	SRV_ENDLESS,       /* the reply, then a body without end */
	SRV_CLOSE_AT_ONCE, /* close on accept, unread */
};

#define SRV_CONNS 8

struct srv;
struct srv_conn {
	struct srv *s;
	int fd;
	struct loop_io io;
	char req[2048];
	size_t got;
	int replied;
	size_t off;
	uint64_t body;
	int eof;           /* the probe closed its end */
	int send_err;
};

struct srv {
	struct loop *l;
	int lfd, hold_fd;
	uint16_t port;
	struct loop_io lio;
	enum srv_mode mode;
	const char *reply;
	size_t reply_len;
	struct srv_conn c[SRV_CONNS];
	int nconn;
};

int have_ipv6(void);
/* A port where neither 127.0.0.1 nor ::1 listens: both bound, neither
 * listening, so both refuse. ret_fds[1] is -1 without IPv6. */
uint16_t refused_port(int ret_fds[2]);
/* Listen on family's loopback. For ::1 the same port of 127.0.0.1 is held
 * bound but not listening, so 127.0.0.1 refuses for sure. */
void srv_open(struct srv *s, struct loop *l, int family, enum srv_mode mode, const char *reply);
void srv_close(struct srv *s);

/* Conditions to wait for. */
int conn_eof(void *arg);
int not_draining(void *arg);
int conn_closed(void *arg);
/* The server has the whole request of its latest connection: the probe waits
 * for the status line. */
int srv_requested(void *arg);
/* The deadline of the probe's check, or of its drain, passes: the clock moves
 * on by the timeout, as if the machine had stalled that long. */
void pass_deadline(struct hc_probe *p);

/* ---- set-up ---- */

struct fixture {
	struct loop *l;
	struct hc_probe p;
	struct rec r;
	int fds;
};

void fx_init(struct fixture *f);
/* Everything the probe opened is closed; the loop is freed. */
void fx_fini(struct fixture *f);
/* Start a check of kind on port (path for HTTP) with a LONG_MS timeout. */
void start(struct fixture *f, enum hc_kind kind, uint16_t port, const char *path);
/* Run until the callback; assert it came once. */
void wait_result(struct fixture *f);
void expect_result(struct fixture *f, int pass, const char *reason);

#define R200 "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

#endif
