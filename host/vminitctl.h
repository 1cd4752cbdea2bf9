/* vminitctl.h - what the files of vminitctl share (not a library: the host
 * side's library is client.h).
 *
 * vminitctl.c: the entry, options, errors, the exchange with vminit;
 * vminitctl_cmd.c: the commands; vminitctl_fmt.c: how replies are printed.
 * One struct vctl per run holds the connection and the one line buffer and
 * token array every reply and stream item is parsed into.
 */
#ifndef VMINIT_VMINITCTL_H
#define VMINIT_VMINITCTL_H

#include <stddef.h>

#include "channel/json.h"

enum {
	EXIT_REFUSED = 1,     /* ok:false */
	EXIT_USAGE = 2,
	EXIT_TRANSPORT = 3,   /* cannot connect, timeout, malformed reply */
	EXIT_TIMED_OUT = 124, /* exec: the command ran out of time (as timeout(1)) */
};

#define CTL_TOKENS 65536              /* JSON values in one reply */

struct vmc;

struct vctl {
	const char *addr;
	int json;
	long long timeout_ms;    /* --timeout, or -1 */
	long long deadline;      /* connect + reply, CLOCK_MONOTONIC ms */
	char id[24];             /* our request id, as JSON */
	struct vmc *c;
	char *line;              /* VMC_LINE_MAX */
	jsmntok_t *tok;          /* CTL_TOKENS */
	struct jr r;             /* the last line parsed */
	size_t len;              /* of line */
};

/* ---- vminitctl.c ---- */

/* "vminitctl: " and the message on stderr; EXIT_USAGE (with a pointer to
 * --help) or EXIT_TRANSPORT. */
int vctl_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vctl_transport_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct opt {
	const char *name;
	char shrt;
	int arg;
};
/* The next option at argv[*i]: its index in opts (its value, if it takes
 * one, in *ret_val), -1 at the first operand (a "--" is skipped), or -2
 * after saying what is wrong. */
int vctl_opt_next(char **argv, int *i, const struct opt *opts, const char **ret_val);
/* vminitctl_secrets.c */
int vctl_cmd_secrets(struct vctl *x, char **argv);
/* vminitctl_clock.c: clock, entropy and resume (argv[0] says which) */
int vctl_cmd_clock(struct vctl *x, char **argv);
void vctl_print_clock(const struct jr *r, int res);
/* Seconds, with a fraction if wanted ("1.5"), over 0 and up to a day. */
int vctl_parse_seconds(const char *s, long long *ret_ms);
int vctl_parse_count(const char *s, long long max, long long *ret);

/* {"id":ID,"op":OP, then the caller's fields. */
void vctl_req_begin(struct vctl *x, struct jw *w, char *buf, size_t cap, const char *op);
/* Connect, send the request and read its reply. 0 with *ret_result the
 * reply's result object (a token of x->r), or an exit code: 1 for ok:false,
 * 3 for the rest. reply_ms bounds connect + reply. */
int vctl_call(struct vctl *x, struct jw *w, long long reply_ms, int *ret_result);
/* --timeout, else the default. */
long long vctl_reply_ms(const struct vctl *x);
/* Print the items after a stream's ok reply until the connection ends (or
 * the end item, when until_end). No deadline: a stream may be quiet. */
int vctl_stream(struct vctl *x, const char *what, int until_end);

/* ---- vminitctl_cmd.c ---- */

/* Run the command argv[0]: its exit code, or -1 when there is none of
 * that name. */
int vctl_run(struct vctl *x, char **argv);

/* ---- vminitctl_fmt.c ---- */

int vctl_tok_len(const struct jr *r, int i);
const char *vctl_tok_text(const struct jr *r, int i);
/* A string field into buf, or dflt when absent, null or not a string. */
const char *vctl_get_str(const struct jr *r, int obj, const char *key, char *buf, size_t cap,
			 const char *dflt);
/* An integer field: 0, or -1 when absent, null or not an integer. */
int vctl_get_int(const struct jr *r, int obj, const char *key, long long *ret);
int vctl_get_bool(const struct jr *r, int obj, const char *key, int dflt);
/* The bytes of the string at token i, unescaped in place in x->line, NUL
 * and control bytes kept. Its length, or -1 if not a string. */
long vctl_str_bytes(struct vctl *x, int i, char **ret);
/* A value for key=value output: a plain string bare, anything else as JSON. */
void vctl_print_value(const struct jr *r, int i);
/* " key=value" for each field of obj but those named in skip. */
void vctl_print_fields(const struct jr *r, int obj, const char *const *skip);
void vctl_fmt_duration(char *b, size_t n, long long ms);
void vctl_print_event(struct vctl *x, int ev);
void vctl_print_log(struct vctl *x, int lg);
/* The status table, then the spec's errors and the shutdown, if any. */
void vctl_print_status(struct vctl *x, int res);

#endif
