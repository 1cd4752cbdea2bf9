/* proto.c - request decoding for the host channel (see proto.h).
 *
 * Every field is checked for type and range here, so the server's handlers
 * see only requests that make sense. Strings are unescaped into the request's
 * own buffer; nothing is allocated.
 */
#include "proto.h"
#include "base64.h"
#include "json.h"
#include "base/names.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const op_names[CTL_OP_COUNT] = {
	[CTL_OP_HELLO] = "hello", [CTL_OP_PING] = "ping", [CTL_OP_STATUS] = "status",
	[CTL_OP_EVENTS] = "events", [CTL_OP_LOGS] = "logs", [CTL_OP_SIGNAL] = "signal",
	[CTL_OP_STOP] = "stop", [CTL_OP_START] = "start", [CTL_OP_RESTART] = "restart",
	[CTL_OP_SHUTDOWN] = "shutdown", [CTL_OP_EXEC] = "exec", [CTL_OP_SECRETS] = "secrets",
	[CTL_OP_CLOCK] = "clock", [CTL_OP_ENTROPY] = "entropy", [CTL_OP_RESUMED] = "resumed",
};

static const char *const err_names[] = {
	[CTL_OK] = "ok", [CTL_E_BAD_REQUEST] = "bad_request", [CTL_E_TOO_LARGE] = "too_large",
	[CTL_E_UNKNOWN_OP] = "unknown_op", [CTL_E_NOT_FOUND] = "not_found",
	[CTL_E_INVALID_STATE] = "invalid_state", [CTL_E_BUSY] = "busy",
	[CTL_E_SHUTTING_DOWN] = "shutting_down", [CTL_E_FAILED] = "failed",
};

const char *proto_op_name(enum ctl_op op)
{
	return op > CTL_OP_NONE && op < CTL_OP_COUNT ? op_names[op] : "?";
}

const char *proto_err_name(enum ctl_err e)
{
	return (size_t)e < sizeof(err_names) / sizeof(err_names[0]) ? err_names[e] : "failed";
}

struct pctx {
	struct jr *r;
	struct ctl_req *req;
	char *msg;
	size_t msglen;
	size_t used;      /* of req->strbuf */
};

static enum ctl_err bad(struct pctx *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static enum ctl_err bad(struct pctx *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->msg, p->msglen, fmt, ap);
	va_end(ap);
	return CTL_E_BAD_REQUEST;
}

/* 1 if key is present and a valid string (copied), 0 if absent, -1 bad. */
static int get_str(struct pctx *p, const char *key, char *out, size_t cap)
{
	int i = jr_get(p->r, 0, key);
	if (i < 0)
		return 0;
	if (jr_str(p->r, i, out, cap) < 0)
		return -1;
	return 1;
}

/* 1 present and in [lo, hi], 0 absent, -1 bad. */
static int get_int(struct pctx *p, const char *key, long long lo, long long hi, long long *ret)
{
	int i = jr_get(p->r, 0, key);
	long long v;
	if (i < 0)
		return 0;
	if (jr_int(p->r, i, &v) < 0 || v < lo || v > hi)
		return -1;
	*ret = v;
	return 1;
}

static int get_bool(struct pctx *p, const char *key, int *ret)
{
	int i = jr_get(p->r, 0, key);
	if (i < 0)
		return 0;
	return jr_bool(p->r, i, ret) < 0 ? -1 : 1;
}

/* An array of strings into v[], each in strbuf. Count, 0 absent, -1 bad. */
static int get_strv(struct pctx *p, const char *key, char **v, int max)
{
	int i = jr_get(p->r, 0, key), n, k;
	if (i < 0)
		return 0;
	if (jr_type(p->r, i) != JR_ARRAY)
		return -1;
	n = p->r->tok[i].size;
	if (n > max)
		return -1;
	k = i + 1;
	for (int j = 0; j < n; j++) {
		int l = jr_str(p->r, k, p->req->strbuf + p->used, sizeof(p->req->strbuf) - p->used);
		if (l < 0)
			return -1;
		v[j] = p->req->strbuf + p->used;
		p->used += (size_t)l + 1;
		k = jr_next(p->r, k);
	}
	v[n] = NULL;
	return n;
}

static enum ctl_err need_process(struct pctx *p)
{
	int rc = get_str(p, "process", p->req->process, sizeof(p->req->process));
	if (rc < 0)
		return bad(p, "process: must be a string of at most %d bytes", PROTO_NAME_MAX - 1);
	if (rc == 0)
		return bad(p, "process: missing");
	p->req->has_process = 1;
	return CTL_OK;
}

static enum ctl_err parse_signal(struct pctx *p)
{
	int i = jr_get(p->r, 0, "signal");
	long long v;
	char name[16];
	if (i < 0)
		return bad(p, "signal: missing");
	if (jr_type(p->r, i) == JR_STRING) {
		if (jr_str(p->r, i, name, sizeof(name)) < 0 || (p->req->signal = names_signal_parse(name)) < 0 ||
		    (name[0] >= '0' && name[0] <= '9'))
			return bad(p, "signal: not a signal name (\"TERM\", \"SIGHUP\", ...)");
		return CTL_OK;
	}
	if (jr_int(p->r, i, &v) < 0 || v < 1 || v > 64)
		return bad(p, "signal: must be a name or a number from 1 to 64");
	p->req->signal = (int)v;
	return CTL_OK;
}

static enum ctl_err parse_exec(struct pctx *p)
{
	struct ctl_req *q = p->req;
	int rc;

	rc = get_strv(p, "argv", q->argv, PROTO_EXEC_ARGS_MAX);
	if (rc < 0)
		return bad(p, "argv: must be an array of at most %d strings", PROTO_EXEC_ARGS_MAX);
	if (rc == 0)
		return bad(p, "argv: missing or empty");
	q->argc = rc;
	if (!q->argv[0][0])
		return bad(p, "argv: the command is an empty string");
	rc = get_strv(p, "env", q->env, PROTO_EXEC_ARGS_MAX);
	if (rc < 0)
		return bad(p, "env: must be an array of at most %d \"KEY=value\" strings", PROTO_EXEC_ARGS_MAX);
	q->envc = rc;
	for (int j = 0; j < q->envc; j++) {
		const char *eq = strchr(q->env[j], '=');
		if (!eq || eq == q->env[j])
			return bad(p, "env: \"%.64s\" is not KEY=value", q->env[j]);
	}
	rc = get_str(p, "user", q->user, sizeof(q->user));
	if (rc < 0 || (rc == 1 && !q->user[0]))
		return bad(p, "user: must be a non-empty string (a name, a uid, or user:group)");
	q->has_user = rc == 1;
	rc = get_str(p, "workdir", q->workdir, sizeof(q->workdir));
	if (rc < 0 || (rc == 1 && q->workdir[0] != '/'))
		return bad(p, "workdir: must be an absolute path");
	q->has_workdir = rc == 1;
	q->timeout_ms = PROTO_EXEC_TIMEOUT_DEFAULT_MS;
	if (get_int(p, "timeout_ms", 1, PROTO_EXEC_TIMEOUT_MAX_MS, &q->timeout_ms) < 0)
		return bad(p, "timeout_ms: must be an integer from 1 to %lld", PROTO_EXEC_TIMEOUT_MAX_MS);
	q->max_output = PROTO_EXEC_OUTPUT_MAX;
	if (get_int(p, "max_output", 0, PROTO_EXEC_OUTPUT_MAX, &q->max_output) < 0)
		return bad(p, "max_output: must be an integer from 0 to %d", PROTO_EXEC_OUTPUT_MAX);
	/* Into a process: its env, user, workdir and volumes. */
	rc = get_str(p, "process", q->process, sizeof(q->process));
	if (rc < 0)
		return bad(p, "process: must be a string of at most %d bytes", PROTO_NAME_MAX - 1);
	q->has_process = rc == 1;
	return CTL_OK;
}

/* A secret bundle: its version and vars. The vars' contents are checked
 * where they are used (secrets/); no message here quotes one. */
static enum ctl_err parse_secrets(struct pctx *p)
{
	struct ctl_req *q = p->req;
	int rc = get_str(p, "version", q->version, sizeof(q->version));
	if (rc < 0)
		return bad(p, "version: must be a string of at most %d bytes", PROTO_VERSION_MAX);
	if (rc == 0)
		return bad(p, "version: missing");
	rc = get_strv(p, "vars", q->env, PROTO_EXEC_ARGS_MAX);
	if (rc < 0)
		return bad(p, "vars: must be an array of at most %d \"KEY=VALUE\" strings", PROTO_EXEC_ARGS_MAX);
	if (jr_get(p->r, 0, "vars") < 0)
		return bad(p, "vars: missing (an empty array is an empty bundle)");
	q->envc = rc;
	/* A "\u0000" would cut a value short without a word: refused. */
	for (int j = 0; j < q->envc; j++) {
		size_t end = j + 1 < q->envc ? (size_t)(q->env[j + 1] - q->strbuf) : p->used;
		if ((size_t)(q->env[j] - q->strbuf) + strlen(q->env[j]) + 1 != end)
			return bad(p, "vars[%d]: holds a NUL", j);
	}
	return CTL_OK;
}

/* clock: the host's time (ns since the epoch) and its uncertainty. */
static enum ctl_err parse_clock(struct pctx *p)
{
	struct ctl_req *q = p->req;
	int rc = get_int(p, "unix_ns", 1, 0x7fffffffffffffffLL, &q->unix_ns);
	if (rc <= 0)
		return bad(p, "unix_ns: %s", rc < 0 ? "must be an integer over 0 (ns since 1970)" : "missing");
	q->uncertainty_ns = 0;
	if (get_int(p, "uncertainty_ns", 0, PROTO_CLOCK_UNCERTAINTY_MAX, &q->uncertainty_ns) < 0)
		return bad(p, "uncertainty_ns: must be an integer from 0 to %lld", PROTO_CLOCK_UNCERTAINTY_MAX);
	return CTL_OK;
}

/* entropy: 1 to PROTO_ENTROPY_MAX bytes in strict base64. No message
 * quotes the data. */
static enum ctl_err parse_entropy(struct pctx *p)
{
	struct ctl_req *q = p->req;
	char *text = q->strbuf + p->used;
	int i = jr_get(p->r, 0, "data"), len;
	long n;
	if (i < 0)
		return bad(p, "data: missing");
	len = jr_str(p->r, i, text, sizeof(q->strbuf) - p->used);
	if (len < 0)
		return bad(p, "data: must be a base64 string");
	n = b64_decode(text, (size_t)len, q->entropy, sizeof(q->entropy));
	if (n < 1)
		return bad(p, "data: must be 1 to %d bytes in standard base64 with padding", PROTO_ENTROPY_MAX);
	q->entropy_len = (size_t)n;
	return CTL_OK;
}

/* The id first, so every later error can carry it: req->id is "" (none),
 * or JSON text to echo as it stands. */
static enum ctl_err parse_id(struct pctx *p, const char *line)
{
	struct jr *r = p->r;
	struct ctl_req *req = p->req;
	int i = jr_get(r, 0, "id");
	if (i >= 0) {
		int t = jr_type(r, i);
		size_t n = (size_t)(r->tok[i].end - r->tok[i].start);
		long long v;
		char tmp[PROTO_ID_MAX + 1];
		if (t == JR_STRING && n <= PROTO_ID_MAX && jr_str(r, i, tmp, sizeof(tmp)) >= 0) {
			/* Echo the original escaped text: it is valid JSON. */
			req->id[0] = '"';
			memcpy(req->id + 1, line + r->tok[i].start, n);
			req->id[n + 1] = '"';
			req->id[n + 2] = '\0';
		} else if (t == JR_PRIMITIVE && jr_int(r, i, &v) == 0) {
			/* As "%lld" spells it, without printf (~900 instructions,
			 * on every request that has an id). */
			char *d = req->id;
			unsigned long long u = (unsigned long long)v;
			if (v < 0) {
				*d++ = '-';
				u = 0 - u;
			}
			d[jw_fmt_u64(d, u)] = '\0';
		} else {
			return bad(p, "id: must be an integer or a string of at most %d bytes", PROTO_ID_MAX);
		}
	}
	return CTL_OK;
}

static enum ctl_err parse_op(struct pctx *p)
{
	char op[32];
	int rc = get_str(p, "op", op, sizeof(op));
	if (rc == 0)
		return bad(p, "op: missing");
	if (rc < 0)
		return bad(p, "op: must be a string naming an operation");
	for (int k = 1; k < CTL_OP_COUNT; k++)
		if (!strcmp(op, op_names[k]))
			p->req->op = (enum ctl_op)k;
	if (p->req->op == CTL_OP_NONE) {
		snprintf(p->msg, p->msglen, "no operation \"%s\" in protocol %d", op, PROTO_VERSION);
		return CTL_E_UNKNOWN_OP;
	}
	return CTL_OK;
}

/* status and logs: an optional process. */
static enum ctl_err maybe_process(struct pctx *p)
{
	int rc = get_str(p, "process", p->req->process, sizeof(p->req->process));
	if (rc < 0)
		return bad(p, "process: must be a string");
	p->req->has_process = rc == 1;
	return CTL_OK;
}

/* The fields of req->op. */
static enum ctl_err parse_fields(struct pctx *p)
{
	struct ctl_req *req = p->req;
	enum ctl_err e;
	long long v;
	int rc;
	switch (req->op) {
	case CTL_OP_HELLO:
		if (get_int(p, "protocol", 1, 1000000, &v) < 0)
			return bad(p, "protocol: must be a positive integer");
		break;
	case CTL_OP_STATUS:
		return maybe_process(p);
	case CTL_OP_EVENTS:
		rc = get_int(p, "since", 0, 0x7fffffffffffffffLL, &v);
		if (rc < 0)
			return bad(p, "since: must be an event seq (an integer >= 0)");
		req->has_since = rc == 1;
		req->since = rc == 1 ? (unsigned long long)v : 0;
		break;
	case CTL_OP_LOGS:
		if ((e = maybe_process(p)) != CTL_OK)
			return e;
		req->lines = PROTO_LOG_LINES_DEFAULT;
		if (get_int(p, "lines", 0, PROTO_LOG_LINES_MAX, &req->lines) < 0)
			return bad(p, "lines: must be an integer from 0 to %d", PROTO_LOG_LINES_MAX);
		req->follow = 0;
		if (get_bool(p, "follow", &req->follow) < 0)
			return bad(p, "follow: must be true or false");
		break;
	case CTL_OP_SIGNAL:
		if ((e = need_process(p)) != CTL_OK)
			return e;
		return parse_signal(p);
	case CTL_OP_STOP:
	case CTL_OP_START:
	case CTL_OP_RESTART:
		return need_process(p);
	case CTL_OP_SHUTDOWN:
		req->reboot = 0;
		if (get_bool(p, "reboot", &req->reboot) < 0)
			return bad(p, "reboot: must be true or false");
		break;
	case CTL_OP_EXEC:
		return parse_exec(p);
	case CTL_OP_SECRETS:
		return parse_secrets(p);
	case CTL_OP_CLOCK:
		return parse_clock(p);
	case CTL_OP_ENTROPY:
		return parse_entropy(p);
	default:
		break;
	}
	return CTL_OK;
}

enum ctl_err proto_parse_request(const char *line, size_t len, struct ctl_req *req,
				 char *msg, size_t msglen)
{
	/* 16 KiB of tokens: not on PID 1's stack. Not reentrant: the server
	 * parses one request at a time. */
	static struct jr r;
	static jsmntok_t tok[PROTO_TOKENS_MAX];
	struct pctx p = { &r, req, msg, msglen, 0 };
	const char *err;
	enum ctl_err e;

	req->op = CTL_OP_NONE;
	req->id[0] = '\0';
	req->has_process = 0;
	req->argc = req->envc = 0;
	req->argv[0] = req->env[0] = NULL;
	req->entropy_len = 0;
	if (msglen)
		msg[0] = '\0';
	if (len >= PROTO_REQUEST_MAX) {
		snprintf(msg, msglen, "the request is over %d bytes", PROTO_REQUEST_MAX - 1);
		return CTL_E_TOO_LARGE;
	}
	if (jr_parse(&r, tok, PROTO_TOKENS_MAX, line, len, &err) < 0)
		return bad(&p, "%s", err);
	if ((e = parse_id(&p, line)) != CTL_OK || (e = parse_op(&p)) != CTL_OK)
		return e;
	return parse_fields(&p);
}
