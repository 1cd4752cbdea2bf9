/* ctl.h - the host channel's server in PID 1 (docs/protocol.md).
 *
 * Listens on vsock, unix sockets and a virtio-serial port, answers requests,
 * streams events and log lines from two bounded rings, and pushes events to
 * the host. Everything runs from the one loop and nothing blocks: a slow or
 * hostile client costs only its own bounded buffers.
 *
 * The server is one object (struct ctl_server) that init makes and passes in;
 * it keeps no state anywhere else, so a test can make one on a loop of its
 * own. control/ctl_int.h lists the files it is made of.
 */
#ifndef VMINIT_CTL_H
#define VMINIT_CTL_H

#include <stddef.h>
#include <stdint.h>

#include "supervisor/svc.h"

struct ctl_server;
struct loop;
struct sup;
struct spec;
struct modules_report;
struct hc_set;

#define CTL_MAX_CONNS 256
#define CTL_HOST_RESERVED 32               /* of CTL_MAX_CONNS, only for the host */
#define CTL_LISTEN_BACKLOG 4096            /* the kernel caps it at net.core.somaxconn */
#define CTL_MAX_LISTENERS 8
#define CTL_OUT_MAX (1024u * 1024u)        /* a connection's unsent bytes */
#define CTL_OUT_LOW (64u * 1024u)          /* read requests / make items below this */
#define CTL_OUT_KEEP (16u * 1024u)         /* the output buffer an idle connection keeps */
#define CTL_OUT_BUDGET (16u * 1024u * 1024u)
#define CTL_PARTIAL_TIMEOUT_SEC 30
#define CTL_EVENT_SLOTS 1024
#define CTL_EVENT_BYTES (256u * 1024u)
#define CTL_LOG_SLOTS 8192
#define CTL_LOG_BYTES (512u * 1024u)
#define CTL_LOG_HOLD_MS 500                /* a follower whose reader took nothing this long holds no one */
#define CTL_FLUSH_MS 2000                  /* at shutdown, for the last events */
#define CTL_DEFAULT_CONTROL "vsock:1024,serial:vminit.ctl"

/* PID 1's own counters (status's "counters"). */
struct ctl_vm_counters {
	uint64_t reaped;          /* children reaped, supervised or not */
	uint64_t orphans;         /* of those, children no process owned */
};

/* The resumes vminit has seen (init/resume.c keeps them). */
struct ctl_resume {
	uint64_t count;           /* resumes: signals not folded */
	uint64_t signals;         /* every sign of one, folded or not */
	const char *last_source;  /* NULL before the first */
	int64_t last_ms;          /* boot clock; -1 before the first */
};

/* What the server needs from the rest of PID 1. */
struct ctl_vm {
	struct loop *loop;
	int pid1;
	int64_t started_ms;       /* clock_boot_ms() when vminit started */
	/* NULL while shutting down has not begun, else the phase's name. */
	const char *(*shutdown_phase)(void *ctx);
	/* Begin the shutdown (or hurry it, as a second SIGTERM does). */
	void (*shutdown)(void *ctx, const char *why, int reboot);
	/* The VM's own counters, for status's "counters" object. */
	void (*counters)(void *ctx, struct ctl_vm_counters *ret);
	/* A new secret bundle was delivered (docs/secrets.md). NULL: nothing. */
	void (*secrets_changed)(void *ctx);
	/* A sign the VM was restored from a snapshot (docs/resume.md): source
	 * "host", "vmgenid" or "vsock". 1 when it was folded into the last
	 * resume, else 0. NULL: the resumed op is refused. */
	int (*resumed)(void *ctx, const char *source);
	/* The resumes so far, for status's "resume". NULL: none. */
	void (*resume_info)(void *ctx, struct ctl_resume *ret);
	void *ctx;                /* given to each hook above */
};

/* The server: its rings and state, before anything else here; nothing
 * listens yet. NULL (ENOMEM). Every other function takes what it returns. */
struct ctl_server *ctl_new(const struct ctl_vm *vm);
/* Close every connection and listener (removing unix sockets' files) and free
 * the server. Not from inside a loop handler of the server's own. */
void ctl_free(struct ctl_server *ctl);
/* The spec and its supervisor (sup NULL when the spec has errors). */
void ctl_set_spec(struct ctl_server *ctl, const struct spec *spec, struct sup *sup);
/* The kernel modules loaded at boot (kept by the caller): status and one
 * module.failed event per failure. */
void ctl_set_modules(struct ctl_server *ctl, const struct modules_report *r);
/* Listen on each address of a comma-separated list; failures are logged. */
void ctl_listen(struct ctl_server *ctl, const char *list);
/* Push events to addr (vsock:CID:PORT or unix:PATH). */
void ctl_push(struct ctl_server *ctl, const char *addr);

/* Boot timings: the spec is loaded (the first process is seen by itself). */
enum ctl_mark { CTL_MARK_SPEC };
void ctl_mark(struct ctl_server *ctl, enum ctl_mark m);

/* Event sources. These three have the shape of struct sup_hooks' members:
 * ctx is the server. */
void ctl_on_svc(void *ctx, size_t i, const struct svc *s, enum svc_event ev, long arg);
void ctl_on_log(void *ctx, size_t i, int stream, const char *line, size_t len, int plain);
/* struct sup_hooks' log_room (ctx: the server): how many pipe bytes PID 1
 * may read now without overwriting a log record a healthy `logs -f` follower
 * has yet to send, and in *lines how many lines the ring can take so
 * (docs/logs.md); SIZE_MAX for both with no follower. */
size_t ctl_log_room(void *ctx, size_t *lines);
/* After a batch: 1 when a pipe held for want of room may be read again. */
int ctl_log_resume(struct ctl_server *ctl);
/* PID 1's own. */
void ctl_event_shutdown(struct ctl_server *ctl, const char *reason, int reboot);
void ctl_event_final(struct ctl_server *ctl);
/* Health checks (docs/health.md): their states for status, and events. */
void ctl_set_health(struct ctl_server *ctl, struct hc_set *hc);
void ctl_event_health(struct ctl_server *ctl, size_t i, int role, int state, const char *reason);
void ctl_event_give_up(struct ctl_server *ctl, size_t i, const char *why);
/* Storage (docs/storage.md): its state for status, and an event when the
 * root (i == -1) or volume i changed. */
struct storage;
void ctl_set_storage(struct ctl_server *ctl, const struct storage *st);
/* The secret bundle's store (docs/secrets.md): the secrets op writes to it;
 * status shows its version. NULL: the op is refused. */
struct secrets_store;
void ctl_set_secrets(struct ctl_server *ctl, struct secrets_store *sec);
void ctl_event_storage(struct ctl_server *ctl, int i);
/* A resume (not folded), the server's part (control/clock.c): the resumed
 * event, the push reconnected now, listeners that failed tried again. */
void ctl_resumed(struct ctl_server *ctl, const char *source, uint64_t count);
/* cgroups (docs/resources.md): status's "resources" and each process's
 * "cgroup"; process.oom when an OOM kill is seen. NULL: none. */
struct rsc;
struct rsc_oom;
void ctl_set_resources(struct ctl_server *ctl, struct rsc *rs);
void ctl_event_oom(struct ctl_server *ctl, size_t i, const struct rsc_oom *o);
/* The guest's network (docs/network.md): status's "network" (NULL: off),
 * network.failed per failure, network.applied once it settled. */
struct net;
void ctl_set_network(struct ctl_server *ctl, const struct net *net);
struct net_failure;
void ctl_event_net_failed(struct ctl_server *ctl, const struct net_failure *f);
void ctl_event_net_applied(struct ctl_server *ctl, const char *state, long interfaces, long failures);

/* After every loop batch: send what streams have to send, free closed
 * connections (their memory stays valid until the batch ends). */
void ctl_after_batch(struct ctl_server *ctl);
/* Every reply and stream item sent, and the push (if any) caught up. */
int ctl_flushed(struct ctl_server *ctl);
/* Stop listening and remove the unix sockets' files (`vminit run` at exit). */
void ctl_close_listeners(struct ctl_server *ctl);

#endif
