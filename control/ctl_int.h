/* ctl_int.h - what the files of the control server share. Not for the rest
 * of vminit: ctl.h is the module's interface.
 *
 * The server is one struct ctl_server, made by ctl_new() and passed to every
 * function. A connection, a listener and the push reach it through their ctl
 * pointer, and so do the loop's handlers, through the io's or timer's ctx:
 * there is no state outside it. Its files, one concern each:
 *   ctl.c     the object: made, freed, told of the spec's parts; after a batch
 *   conn.c    connections: reading, line framing, writing, replies, budgets
 *   evict.c   who gets in at the connection limit, who goes for output room
 *   stream.c  events and logs streams: a cursor into a ring each
 *   listen.c  the vsock and unix listeners: accept, refuse
 *   serial.c  the virtio-serial port
 *   push.c    the push: a connection vminit makes, retried
 *   ops.c     the operations: what each request does
 *   status.c  status, the big reply
 *   events.c  supervisor, health and PID 1 events -> the event ring
 * The wire's spelling of every reply and event is channel/encode.c's.
 */
#ifndef VMINIT_CTL_INT_H
#define VMINIT_CTL_INT_H

/* An event's members, as the ring keeps them. */
#define CTL_EVENT_MAX 32768
/* A log record's kind: its stream (1 stdout, 2 stderr), and whether the
 * line was found plain as it was read (enc_log copies it as it is). */
#define CTL_LOG_STREAM 0x7f
#define CTL_LOG_PLAIN 0x80

#include "ctl.h"
#include "base/loop.h"
#include "base/ring.h"
#include "channel/addr.h"
#include "channel/encode.h"
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
	struct ctl_server *ctl;
	struct loop_io io;
	struct loop_timer timer;     /* half-sent request; serial poll; push retry */
	int fd;
	enum conn_kind kind;
	enum conn_mode mode;
	int closing;                 /* close once the output is sent */
	int peer_eof;
	int dead;
	int blocked;                 /* a stream item found no budget: retry next batch */
	int last_request;            /* the request being answered has none behind it */
	int hup;                     /* serial: the port said the host went (SERIAL_HUP_*) */
	int hup_cut;                 /* ... in the middle of a line, and nothing went out since */
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

struct listener {
	struct ctl_server *ctl;
	struct loop_io io;
	struct loop_timer pause;
	int fd;
	int vsock;
	int host;                /* its connections are the host's */
	uint32_t peer_cid;       /* vsock: the one peer CID let in, or ADDR_CID_ANY */
	char path[ADDR_PATH_MAX];  /* unix: the file to remove at the end */
	char name[128];
};

/* clock.c's state: the clock and entropy requests, and the listen
 * addresses that failed (tried again after a resume). */
struct timespec;
struct ctl_clock {
	uint64_t requests, steps;
	int64_t last_offset_ns, last_uncertainty_ns, last_ms;
	uint64_t entropy_requests, entropy_bytes, entropy_bits;
	/* clock_settime, or a test's fake. */
	int (*settime)(const struct timespec *ts);
	char listen_retry[1024];     /* comma-separated, "" for none */
};

/* Working memory, one use at a time. Pages of its own (base/mem.h): as with
 * the static buffers it once was, a page costs memory only once it is used
 * (a small reply touches one page of the 1 MiB), and no allocator header
 * page sits in front of it. */
struct ctl_work {
	char scratch[CTL_OUT_MAX];   /* the reply or stream item being made */
	char evbuf[CTL_EVENT_MAX];   /* the event being made */
	struct ctl_req req;          /* the request being answered */
};

struct ctl_server {
	struct ctl_vm vm;
	const struct spec *spec;
	struct sup *sup;
	struct ring events, logs;
	struct conn *conns, *dead, *push;
	size_t nconns;
	size_t nlocal;               /* of nconns, those not from the host */
	size_t out_total;
	int finalized;
	struct enc_boot boot;        /* -1: not yet */
	const struct modules_report *modules;   /* NULL: none were asked for */
	struct hc_set *hc;                      /* NULL: no checks */
	const struct storage *st;               /* NULL: storage is off */
	struct secrets_store *sec;              /* NULL: secrets are off */
	struct ctl_clock clk;                   /* clock.c: clock, entropy, resume */
	struct rsc *rs;                         /* NULL: no cgroups (not PID 1) */
	const struct net *net;                  /* NULL: the network is off */
	struct listener listeners[CTL_MAX_LISTENERS];
	size_t nlisteners;
	struct addr push_addr;
	uint64_t push_cursor, push_backoff;
	/* Status's "counters" that the server keeps, by enum enc_counter
	 * (channel/encode.h): ctl->count[ENC_C_REQUESTS]++. The rest of that
	 * array (PID 1's, the rings', the connections now) is filled in when
	 * status is asked. These three are for a debugger only. */
	uint64_t count[ENC_C_COUNT];
	uint64_t bytes_in, bytes_out, push_attempts;
	struct ctl_work *work;
	struct ctl_pstat *pstat;     /* status.c: one per process, or NULL */
	int oom_fd;                  /* resources.c: /proc/self/oom_score_adj, or -1 */
	size_t npstat;
	struct jw reply;             /* writing into work->scratch */
	struct jw ev;                /* writing into work->evbuf */
	/* stream.c: a pipe is held for a follower (since log_held_since); the
	 * timer wakes the loop when that follower's hold limit runs out. */
	int log_waiting;
	uint64_t log_held_since;
	/* events.c: the log lines' time in this loop turn (0: not read yet;
	 * ctl_after_batch forgets it): one clock read a turn, not a line. */
	uint64_t log_at_ms;
	struct loop_timer log_timer;
};

static inline size_t ctl_pending(const struct conn *c)
{
	return c->outlen - c->outoff;
}

/* conn.c */
struct conn *ctl_conn_new(struct ctl_server *ctl, int fd, enum conn_kind kind, int host);
/* A connection object that is not (yet) on the list nor watched: the push. */
void ctl_conn_init(struct conn *c, struct ctl_server *ctl, enum conn_kind kind);
/* Watch c->fd for events, with the connections' handler. 0, or -1. */
int ctl_conn_watch(struct conn *c, uint32_t events);
void ctl_conn_close(struct conn *c);
/* A push or serial "connection" lost its peer: its session is forgotten, the
 * object kept. */
void ctl_conn_drop(struct conn *c);
/* A serial port's host went: its stream ends and, with cut, the rest of a
 * half-sent line is dropped; the rest is kept for what may be the next
 * host's (serial.c). */
void ctl_conn_host_gone(struct conn *c, int cut);
/* Read what came and go on from there, as when epoll says it came. */
void ctl_conn_input(struct conn *c);
/* The output stopped in the middle of a line. */
int ctl_conn_mid_line(const struct conn *c);
void ctl_conn_update(struct conn *c);
void ctl_conn_process(struct conn *c);
void ctl_conn_flush(struct conn *c);
/* An exec finished, or anything else that let a waiting connection go on. */
void ctl_conn_resume(struct conn *c);
/* Close its fd and free it at once (ctl_free). */
void ctl_conn_free(struct conn *c);
/* Queue bytes; -1 when they do not fit. small: may pass the global budget. */
int ctl_out_append(struct conn *c, const char *p, size_t n, int small);
/* Room for n more bytes at the end of the output, within its bounds: where
 * they go (ctl_out_commit then queues what was written there), or NULL. */
char *ctl_out_space(struct conn *c, size_t n, int small);
static inline void ctl_out_commit(struct conn *c, size_t n) { c->outlen += n; }
struct jw *ctl_reply_begin(struct conn *c, const char *id);
/* 0, or -1 when the reply was refused (an error reply went instead). */
int ctl_reply_end(struct conn *c, struct jw *w, const char *id);
/* exempt: past the global budget (an exec's result: it ran already). */
int ctl_reply_end_ex(struct conn *c, struct jw *w, const char *id, int exempt);
void ctl_reply_error(struct conn *c, const char *id, enum ctl_err code, const char *msg);

/* evict.c */
/* Room for a new connection (closing one if need be): 1, or 0 to refuse. */
int ctl_admit(struct ctl_server *ctl, int host);
/* Close a connection whose output waits for its reader, for c's reply. */
int ctl_evict_for_output(const struct conn *c);

/* stream.c */
void ctl_stream_start(struct conn *c, enum conn_mode mode, uint64_t cursor);
/* Make items while the output is small. */
void ctl_stream_pump(struct conn *c);

/* listen.c: ctl_listen, ctl_close_listeners (ctl.h). */

/* serial.c */
int ctl_serial_open(struct ctl_server *ctl, const char *name);
/* The port fd as the serial connection (ctl_serial_open's second half). */
int ctl_serial_adopt(struct ctl_server *ctl, int fd);
/* The port says the host went (EPOLLHUP, EOF, an error) or the connection
 * was to close: stop polling it and look again every 0.5 s. What the host
 * had (a stream, a half-sent line) is forgotten only when the next look
 * still finds it gone, or when a request comes (serial.c). */
enum { SERIAL_HUP_NONE, SERIAL_HUP_SEEN, SERIAL_HUP_GONE };
void ctl_serial_lost(struct conn *c);
void ctl_serial_timer(struct conn *c);
/* A request came on the port: after a hangup, or during a stream, it is a
 * new host's. */
void ctl_serial_request(struct conn *c);

/* push.c */
void ctl_push_lost(struct conn *c);
void ctl_push_timer(struct conn *c);
void ctl_push_connected(struct conn *c, uint32_t events);
/* Retry now, if waiting to (the final event is out). */
void ctl_push_hurry(struct ctl_server *ctl);

/* ops.c */
void ctl_dispatch(struct conn *c, struct ctl_req *req);
/* The index of the process the request names, or -1 (a not_found reply went). */
int ctl_find_process(struct conn *c, const struct ctl_req *q);

/* status.c */
void ctl_op_status(struct conn *c, const struct ctl_req *q);
/* Process i's supervisor event ev: its kept /proc fd goes once the main
 * process it names has been reaped. */
void ctl_status_on_svc(struct ctl_server *ctl, size_t i, const struct svc *s, enum svc_event ev);
/* Closes every kept /proc fd (ctl_free). */
void ctl_status_free(struct ctl_server *ctl);

/* storage.c: the root and the volumes as plain values, and status's
 * "storage". */
struct storage;
struct enc_root;
struct enc_volume;
void ctl_storage_root(const struct storage *st, const struct spec *s, struct enc_root *ret);
void ctl_storage_volume(const struct storage *st, size_t i, struct enc_volume *ret);
void ctl_write_storage(const struct ctl_server *ctl, struct jw *w);

/* resources.c: a process's cgroup and OOM kills as plain values, status's
 * "resources". */
struct rsc_oom;
struct ctl_cg_bufs {
	struct enc_cgroup cg;
	struct enc_oom oom;
	char path[640];   /* RSC_PATH_MAX, "/app/" and a name */
};
const char *ctl_oom_kind(int kind);
void ctl_oom_of(const struct rsc_oom *o, struct enc_oom *ret);
/* Fills p's cgroup, cgroup_error, last_oom (storage in the bufs), and its
 * rss and CPU from the cgroup: 1 when it did, 0 when it has none. */
int ctl_process_cgroup(const struct ctl_server *ctl, size_t i, struct enc_process *p, struct ctl_cg_bufs *b);
void ctl_write_resources(struct ctl_server *ctl, struct jw *w);

/* network.c: status's "network". */
void ctl_write_network(const struct ctl_server *ctl, struct jw *w);

/* secrets.c: the bundle's version and counts as plain values; status's
 * "secrets"; events.c: secrets.delivered, or .refused with why. */
struct enc_secrets;
void ctl_secrets_of(const struct ctl_server *ctl, struct enc_secrets *ret);
void ctl_write_secrets(const struct ctl_server *ctl, struct jw *w);
void ctl_event_secrets(struct ctl_server *ctl, const char *error);
void ctl_event_clock_stepped(struct ctl_server *ctl, int64_t offset_ns, int64_t uncertainty_ns);
void ctl_event_resumed(struct ctl_server *ctl, const char *source, uint64_t count);

/* clock.c: the clock, entropy and resumed ops, status's "clock", "resume"
 * and "entropy", and a vsock connection reset by the transport. */
void ctl_op_clock(struct conn *c, struct ctl_req *q);
void ctl_write_clock(const struct ctl_server *ctl, struct jw *w);
/* 1 when fd is a vsock connection that was established and the kernel
 * reset it (sk_err ECONNRESET: Firecracker's transport reset), not closed
 * by its peer (that is an EOF). Reads and so clears the socket's error. */
int ctl_vsock_was_reset(int fd, int established);
/* The same decision from plain values (unit-tested). */
int ctl_reset_is_resume(int domain, int established, int so_error);
/* Tell PID 1 a vsock connection was reset: a sign of a restore. */
void ctl_vsock_reset(struct ctl_server *ctl);
/* Listening on addr failed: tried again after a resume. */
void ctl_listen_failed(struct ctl_server *ctl, const char *addr);

/* events.c */
const char *ctl_proc_name(const struct ctl_server *ctl, size_t i);

#endif
