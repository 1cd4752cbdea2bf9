/* ctl_int.h - what ctl.c (connections) and ctl_ops.c (operations) share.
 * Not for the rest of vminit: ctl.h is the module's interface. */
#ifndef VMINIT_CTL_INT_H
#define VMINIT_CTL_INT_H

/* The kind of a log ring record: 1 stdout, 2 stderr, or this: lines dropped
 * over a process's budget (the record's text is the count). */
#define CTL_LOG_DROPPED 3

#include "ctl.h"
#include "base/loop.h"
#include "base/ring.h"
#include "channel/addr.h"
#include "channel/json.h"
#include "channel/proto.h"

enum conn_kind { CK_SOCKET, CK_SERIAL, CK_PUSH };
enum conn_mode {
	CM_REQ,          /* reading requests */
	CM_EXEC,         /* an exec runs: its reply comes first */
	CM_EVENTS,       /* streaming events */
	CM_LOGS,         /* streaming log lines */
	CM_CONNECTING,   /* the push, not connected */
};

struct conn {
	struct conn *next;
	struct loop_io io;
	struct loop_timer timer;     /* half-sent request; serial poll; push retry */
	int fd;
	enum conn_kind kind;
	enum conn_mode mode;
	int closing;                 /* close once the output is sent */
	int peer_eof;
	int dead;
	int blocked;                 /* a stream item found no budget: retry next batch */
	/* streams */
	uint64_t cursor, end_seq, sent, inflight;
	uint64_t connected_at;       /* the push: when it connected */
	uint64_t last_progress;      /* a request read or bytes written */
	uint64_t last_in;            /* any byte read: a half request's progress */
	int host;                    /* came over a host transport (docs/protocol.md §7) */
	int follow;
	int filter;                  /* process index, or -1 */
	/* exec */
	char exec_id[PROTO_ID_MAX + 3];
	/* buffers */
	char *out;
	size_t outoff, outlen, outcap;
	size_t inlen;
	char in[PROTO_REQUEST_MAX];
};

struct ctl {
	struct ctl_vm vm;
	const struct spec *spec;
	struct sup *sup;
	struct ring events, logs;
	struct conn *conns, *dead, *push;
	size_t nconns;
	size_t nlocal;               /* of nconns, those not from the host */
	size_t out_total;
	int finalized;
	int64_t pid1_ms, spec_ms, first_process_ms;
	const struct modules_report *modules;   /* NULL: none were asked for */
	struct hc_set *hc;                      /* NULL: no checks */
	struct addr push_addr;
	uint64_t push_cursor, push_backoff;
	/* counters */
	uint64_t accepted, refused, refused_peers, evicted, requests, bad_requests, timeouts;
	uint64_t bytes_in, bytes_out, busy_replies, dropped_replies;
	uint64_t items_lost, items_dropped, stream_waits;
	uint64_t push_attempts, push_connects, push_sent, push_resent;
};

extern struct ctl ctl;

void ctl_dispatch(struct conn *c, struct ctl_req *req);
struct jw *ctl_reply_begin(const char *id);
/* 0, or -1 when the reply was refused (an error reply went instead). */
int ctl_reply_end(struct conn *c, struct jw *w, const char *id);
/* exempt: past the global budget (an exec's result: it ran already). */
int ctl_reply_end_ex(struct conn *c, struct jw *w, const char *id, int exempt);
void ctl_reply_error(struct conn *c, const char *id, enum ctl_err code, const char *msg);
void ctl_stream_start(struct conn *c, enum conn_mode mode, uint64_t cursor);
void ctl_conn_resume(struct conn *c);
void ctl_conn_drop(struct conn *c);
void ctl_format_event(struct jw *w, const struct ring_rec *r);
void ctl_write_boot(struct jw *w);
const char *ctl_proc_name(size_t i);

int ctl_serial_open(const char *name);
void ctl_serial_lost(struct conn *c);
void ctl_serial_timer(struct conn *c);
void ctl_push_lost(struct conn *c);
void ctl_push_timer(struct conn *c);
void ctl_push_connected(struct conn *c, uint32_t events);
void ctl_push_hurry(void);

#endif
