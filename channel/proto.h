/* proto.h - the requests of the host channel, decoded and checked
 * (docs/protocol.md). Shared by vminit and the host-side client.
 *
 * proto_parse_request() is the one entry point for untrusted bytes: it takes
 * one line and fills a struct ctl_req whose strings point into the caller's
 * struct, never into the line. It is what `make fuzz` drives.
 */
#ifndef VMINIT_PROTO_H
#define VMINIT_PROTO_H

#include <stddef.h>

#define PROTO_VERSION 1
#define PROTO_REQUEST_MAX 16384          /* bytes, newline included */
#define PROTO_TOKENS_MAX 1024          /* JSON values in one request */
#define PROTO_ID_MAX 64
#define PROTO_NAME_MAX 256
#define PROTO_EXEC_ARGS_MAX 256          /* argv + env entries; a bundle's vars */
#define PROTO_VERSION_MAX 64             /* a secret bundle's version */
#define PROTO_EXEC_OUTPUT_MAX 32768
#define PROTO_EXEC_TIMEOUT_DEFAULT_MS 30000
#define PROTO_EXEC_TIMEOUT_MAX_MS 86400000LL
#define PROTO_LOG_LINES_DEFAULT 100
#define PROTO_LOG_LINES_MAX 100000
#define PROTO_ENTROPY_MAX 512            /* bytes of entropy in one request */
#define PROTO_CLOCK_UNCERTAINTY_MAX 60000000000LL   /* ns: a minute */

enum ctl_op {
	CTL_OP_NONE,
	CTL_OP_HELLO, CTL_OP_PING, CTL_OP_STATUS, CTL_OP_EVENTS, CTL_OP_LOGS,
	CTL_OP_SIGNAL, CTL_OP_STOP, CTL_OP_START, CTL_OP_RESTART,
	CTL_OP_SHUTDOWN, CTL_OP_EXEC, CTL_OP_SECRETS,
	CTL_OP_CLOCK, CTL_OP_ENTROPY, CTL_OP_RESUMED,
	CTL_OP_COUNT
};

enum ctl_err {
	CTL_OK,
	CTL_E_BAD_REQUEST, CTL_E_TOO_LARGE, CTL_E_UNKNOWN_OP, CTL_E_NOT_FOUND,
	CTL_E_INVALID_STATE, CTL_E_BUSY, CTL_E_SHUTTING_DOWN, CTL_E_FAILED,
};

struct ctl_req {
	enum ctl_op op;
	char id[PROTO_ID_MAX + 3];   /* the id as JSON text (quoted if a string), "" if none */
	int has_process;
	char process[PROTO_NAME_MAX];
	int signal;                  /* signal */
	int reboot;                  /* shutdown */
	int follow;                  /* logs */
	long long lines;             /* logs */
	int has_since;
	unsigned long long since;    /* events */
	/* exec: argv[0..argc) then env[0..envc), each pointing into strbuf */
	char *argv[PROTO_EXEC_ARGS_MAX + 1];
	char *env[PROTO_EXEC_ARGS_MAX + 1];
	int argc, envc;
	int has_user, has_workdir;
	char user[PROTO_NAME_MAX];
	char workdir[4096];
	long long timeout_ms;
	long long max_output;
	/* secrets: env[0..envc) are its vars */
	char version[PROTO_VERSION_MAX + 1];
	/* clock: the host's CLOCK_REALTIME and how far off it may be */
	long long unix_ns, uncertainty_ns;
	/* entropy: the decoded bytes (never logged or echoed) */
	size_t entropy_len;
	unsigned char entropy[PROTO_ENTROPY_MAX];
	char strbuf[PROTO_REQUEST_MAX];
};

/* Decode one request line (without its newline). CTL_OK, or an error code
 * with a message in msg. The id is filled in as soon as it is known, so
 * even an error reply can carry it. */
enum ctl_err proto_parse_request(const char *line, size_t len, struct ctl_req *req,
				 char *msg, size_t msglen);

const char *proto_op_name(enum ctl_op op);
const char *proto_err_name(enum ctl_err e);

#endif
