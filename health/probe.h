/* probe.h - one health check attempt, TCP or HTTP, on the loop, never blocking.
 *
 * A struct hc_probe lives inside its owner (no allocation) and runs one check
 * at a time. It must not be copied or moved after hc_probe_init: its timers
 * and ios point at it. Semantics:
 * - Address: a non-blocking connect (SOCK_NONBLOCK | SOCK_CLOEXEC) to
 *   127.0.0.1:port. If that is refused (ECONNREFUSED, at once or through
 *   SO_ERROR), [::1]:port is tried within the same deadline, so a server
 *   bound only to ::1 passes. Only a refusal falls back: any other error
 *   of 127.0.0.1 is the result.
 * - TCP passes when the connect completes; the socket is closed at once.
 * - HTTP sends hc_http_request() (Host "127.0.0.1:PORT" or "[::1]:PORT", as
 *   connected), with send(MSG_NOSIGNAL) and EPOLLOUT for partial writes, and
 *   reads the response into `http` (http.h) until there is a verdict. If the
 *   server closes its reading side early (EPIPE) the rest of the request is
 *   dropped and the response is read all the same.
 * - One deadline, timeout_ns from hc_probe_start, covers connect, request and
 *   the status line: "timed out after N ms connecting", "... sending the
 *   request", "... waiting for the status line".
 * - Reasons name what failed: "connection refused (127.0.0.1 and ::1)",
 *   "connection refused (127.0.0.1), ::1: network unreachable",
 *   "connection reset", "network unreachable (127.0.0.1)", "status 500",
 *   `malformed status line: "..."`, "closed before a complete status line".
 *   A pass says "connected to 127.0.0.1:8080" (TCP) or "status 200" (HTTP).
 * - hc_probe_start only checks its arguments and arms the timer for now:
 *   the attempt itself (socket, connect) begins on the loop's next turn, so
 *   the callback never runs inside hc_probe_start, whatever connect() says.
 * - The callback fires exactly once per successful hc_probe_start and never
 *   after hc_probe_cancel. reason is valid during the callback only. The
 *   callback may call hc_probe_start on the same probe again, or
 *   hc_probe_cancel. After hc_probe_cancel (or with the probe idle and not
 *   draining) the owner may free the memory: nothing of it stays registered.
 * - PID 1 out of fds or memory fails the check ("cannot connect to
 *   127.0.0.1: Too many open files"): the callback still fires.
 *
 * The drain. After an HTTP verdict (pass or fail, the callback fires at once)
 * the connection is not closed at once: a server whose response we leave
 * unread would see a reset. It moves to the probe's second slot, the drain
 * (its own fd, io and timer, apart from the check's), which reads and
 * discards until EOF, HC_PROBE_DRAIN_MAX bytes after the status line
 * (counting what came with it), or the check's original deadline, whichever
 * comes first, then closes. Because the drain has its own slot, a new check
 * started from inside the callback runs beside it and does not cut it short.
 * A probe drains at most one connection: a newer verdict closes the older
 * drain at once. hc_probe_cancel closes the drain too. A transport error,
 * EOF or timeout closes the connection at once: there is nothing to drain.
 */
#ifndef VMINIT_HEALTH_PROBE_H
#define VMINIT_HEALTH_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "http.h"
#include "base/loop.h"

#define HC_PROBE_REQUEST_MAX 1024          /* a path of up to 768 bytes fits */
#define HC_PROBE_DRAIN_MAX (64u * 1024u)   /* bytes read after the verdict */
#define HC_PROBE_REASON_MAX (HC_HTTP_REASON_MAX + 64)

enum hc_kind { HC_TCP, HC_HTTP };

struct hc_target {
	enum hc_kind kind;
	uint16_t port;         /* 1-65535 */
	const char *path;      /* HTTP: "/...", kept valid until the callback */
	uint64_t timeout_ns;   /* > 0 */
};

typedef void (*hc_probe_fn)(void *ctx, int pass, const char *reason);

enum hc_probe_phase {
	HC_PROBE_IDLE,         /* no check: hc_probe_start may be called */
	HC_PROBE_DIAL,         /* started: the timer, due now, begins the attempt */
	HC_PROBE_CONNECT,      /* waiting for connect (EPOLLOUT) */
	HC_PROBE_SEND,         /* the request is partly sent (EPOLLOUT) */
	HC_PROBE_RECV,         /* waiting for the status line (EPOLLIN) */
};

struct hc_probe {
	struct loop *loop;
	enum hc_probe_phase phase;
	struct hc_target target;
	hc_probe_fn fn;
	void *ctx;
	uint64_t deadline;
	struct loop_timer timer;     /* "now" in DIAL, then the deadline */

	/* The check's connection. */
	int fd;
	int family;                  /* AF_INET, or AF_INET6 after a refusal */
	struct loop_io io;
	char request[HC_PROBE_REQUEST_MAX];
	size_t request_len, request_sent;
	struct hc_http http;
	int pass;                    /* the last result */
	char reason[HC_PROBE_REASON_MAX];

	/* The drain: a past check's connection, read until done (above). */
	int drain_fd;
	struct loop_io drain_io;
	struct loop_timer drain_timer;
	uint64_t drained;            /* bytes discarded after its verdict */
};

void hc_probe_init(struct hc_probe *p);
/* Start one check. 0, or -1 with errno and then no callback: EBUSY (a check
 * is running), EINVAL (port 0, timeout 0, an unknown kind, a bad path),
 * ENOSPC (the path does not fit the request, or the loop has no timer
 * left). Every other failure is a result, given to the callback. */
int hc_probe_start(struct hc_probe *p, struct loop *l, const struct hc_target *t,
		   hc_probe_fn fn, void *ctx);
/* Stop the check and the drain: no callback; closes everything. Safe when
 * idle, and from inside the callback. */
void hc_probe_cancel(struct hc_probe *p);
/* 1 while a check runs (its callback is still to come). The drain does not
 * count: it never calls back. */
int hc_probe_busy(const struct hc_probe *p);
/* 1 while a past check's connection drains. */
int hc_probe_draining(const struct hc_probe *p);

#endif
