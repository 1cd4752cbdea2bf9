/* vminitctl.c - the command line of the host channel (docs/protocol.md §8).
 *
 *   vminitctl [-a ADDR] [--json] [--timeout SECONDS] COMMAND ...
 *
 * One connection, one request. The request is built with jw_* into a buffer
 * of PROTO_REQUEST_MAX; the reply is read into one line buffer of
 * VMC_LINE_MAX and parsed with jr_* into one token array, both allocated once
 * and reused for every item of a stream, so a stream runs in constant memory.
 *
 * A reply is the first object with "ok" whose "id", if it has one, is ours
 * (our pid): on a virtio-serial port, lines meant for an earlier client can
 * still be on their way, and they are skipped.
 *
 * Exit codes: 0 ok; 1 vminit said ok:false; 2 usage; 3 transport, timeout or
 * a malformed reply; exec: the command's status, 124 when it timed out.
 */
#include "client.h"
#include "channel/json.h"
#include "channel/proto.h"
#include "base/names.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum {
	EXIT_REFUSED = 1,     /* ok:false */
	EXIT_USAGE = 2,
	EXIT_TRANSPORT = 3,   /* cannot connect, timeout, malformed reply */
	EXIT_TIMED_OUT = 124, /* exec: the command ran out of time (as timeout(1)) */
};

#define CTL_TOKENS 65536              /* JSON values in one reply */
#define CTL_TIMEOUT_DEFAULT_MS 10000
#define CTL_EXEC_GRACE_MS 5000        /* exec: its timeout, plus this for the reply */
#define CTL_DEFAULT_ADDR "vsock:3:1024"

struct ctl {
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

static const char usage_text[] =
	"usage: vminitctl [-a|--addr ADDR] [--json] [--timeout SECONDS] COMMAND ...\n"
	"\n"
	"Talk to vminit inside a VM over the host channel (docs/protocol.md).\n"
	"\n"
	"commands:\n"
	"  status [PROC]                  the processes, as a table; spec errors if any\n"
	"  events [--since N]             stream events until the connection ends\n"
	"  logs [-f] [-n LINES] [PROC]    recent output lines (100); -f keeps following\n"
	"  exec [--user U] [--workdir D] [--env K=V]... [--timeout S] [--] CMD ARGS...\n"
	"                                 run a command, print its stdout and stderr\n"
	"  signal PROC SIG                send SIG (HUP, SIGHUP, 1) to PROC's group\n"
	"  stop PROC | start PROC | restart PROC\n"
	"  shutdown [--reboot]            power the VM off (or reboot it)\n"
	"  ping | hello\n"
	"\n"
	"options:\n"
	"  -a, --addr ADDR     vsock:CID:PORT, unix:PATH, fc:UDS_PATH:PORT, serial:PATH\n"
	"                      (default: $VMINITCTL_ADDR, else " CTL_DEFAULT_ADDR ")\n"
	"  --json              print the reply (and stream items) as received, one JSON a line\n"
	"  --timeout SECONDS   bound the connect and the reply (default 10; exec: its\n"
	"                      timeout + 5; streams: the connect and the first reply only)\n"
	"\n"
	"exit status:\n"
	"  0    ok\n"
	"  1    vminit refused the request (ok:false): CODE: message on stderr\n"
	"  2    usage error\n"
	"  3    cannot connect, transport error, timeout, or a malformed reply\n"
	"  exec: the command's status (its exit code, or 128 + its signal), 124 if it timed out\n";

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;
	fputs("vminitctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'vminitctl --help'.\n", stderr);
	return EXIT_USAGE;
}

static int transport_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int transport_error(const char *fmt, ...)
{
	va_list ap;
	fputs("vminitctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_TRANSPORT;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int ms_left(long long deadline)
{
	long long left = deadline - now_ms();
	return left <= 0 ? 0 : left > 0x7fffffff ? 0x7fffffff : (int)left;
}

/* ---- arguments ---- */

struct opt {
	const char *name;
	char shrt;
	int arg;
};

/* The next option at argv[*i]: its index in opts (its value, if it takes
 * one, in *ret_val), -1 at the first operand (a "--" is skipped), or -2
 * after saying what is wrong. */
static int opt_next(char **argv, int *i, const struct opt *opts, const char **ret_val)
{
	const char *a = argv[*i];
	if (!a || a[0] != '-' || !a[1])
		return -1;
	if (!strcmp(a, "--")) {
		(*i)++;
		return -1;
	}
	for (int k = 0; opts[k].name; k++) {
		const struct opt *o = &opts[k];
		const char *val = NULL;
		if (a[1] == '-') {
			size_t l = strlen(o->name);
			if (strncmp(a + 2, o->name, l) || (a[2 + l] && a[2 + l] != '='))
				continue;
			if (a[2 + l] == '=') {
				if (!o->arg) {
					usage_error("option --%s takes no value", o->name);
					return -2;
				}
				val = a + 3 + l;
			}
		} else {
			if (!o->shrt || a[1] != o->shrt)
				continue;
			if (a[2]) {
				if (!o->arg)
					break;
				val = a + 2;
			}
		}
		(*i)++;
		if (o->arg && !val) {
			if (!argv[*i]) {
				usage_error("option %s needs a value", a);
				return -2;
			}
			val = argv[(*i)++];
		}
		*ret_val = val;
		return k;
	}
	usage_error("unknown option %s", a);
	return -2;
}

/* Seconds, with a fraction if wanted ("1.5"), over 0 and up to a day. */
static int parse_seconds(const char *s, long long *ret_ms)
{
	char *end;
	double v;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v <= 0 || v > 86400)
		return -1;
	*ret_ms = (long long)(v * 1000 + 0.5);
	if (*ret_ms < 1)
		*ret_ms = 1;
	return 0;
}

static int parse_count(const char *s, long long max, long long *ret)
{
	char *end;
	long long v;
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*ret = v;
	return 0;
}

/* ---- JSON helpers ---- */

static int tok_len(const struct jr *r, int i)
{
	return r->tok[i].end - r->tok[i].start;
}

static const char *tok_text(const struct jr *r, int i)
{
	return r->js + r->tok[i].start;
}

/* A string field into buf, or dflt when absent, null or not a string. */
static const char *get_str(const struct jr *r, int obj, const char *key, char *buf, size_t cap,
			   const char *dflt)
{
	int i = jr_get(r, obj, key);
	return i >= 0 && jr_str(r, i, buf, cap) >= 0 ? buf : dflt;
}

/* An integer field: 0, or -1 when absent, null or not an integer. */
static int get_int(const struct jr *r, int obj, const char *key, long long *ret)
{
	int i = jr_get(r, obj, key);
	return i >= 0 ? jr_int(r, i, ret) : -1;
}

static int get_bool(const struct jr *r, int obj, const char *key, int dflt)
{
	int i = jr_get(r, obj, key), v;
	return i >= 0 && jr_bool(r, i, &v) == 0 ? v : dflt;
}

/* The bytes of the string at token i, unescaped in place in x->line (an
 * escape is never shorter than what it stands for). Unlike jr_str it keeps
 * NUL and control bytes, which a command's output or a log line may hold.
 * Each token is unescaped at most once. Its length, or -1 if not a string. */
static long str_bytes(struct ctl *x, int i, char **ret)
{
	if (jr_type(&x->r, i) != JR_STRING)
		return -1;
	*ret = x->line + x->r.tok[i].start;
	return jr_bytes(&x->r, i, *ret, (size_t)(x->r.tok[i].end - x->r.tok[i].start) + 1);
}

/* A value for key=value output: a plain string bare, anything else as JSON. */
static void print_value(const struct jr *r, int i)
{
	const char *t = tok_text(r, i);
	int n = tok_len(r, i);
	if (jr_type(r, i) == JR_STRING) {
		int plain = n > 0;
		for (int k = 0; k < n && plain; k++)
			plain = (unsigned char)t[k] > ' ' && !strchr("\"\\=", t[k]);
		if (plain)
			printf("%.*s", n, t);
		else
			printf("\"%.*s\"", n, t);
		return;
	}
	printf("%.*s", n, t);
}

/* " key=value" for each field of obj but those named in skip. */
static void print_fields(const struct jr *r, int obj, const char *const *skip)
{
	int k = obj + 1;
	for (int j = 0; j < r->tok[obj].size; j++, k = jr_next(r, k + 1)) {
		int skipped = 0;
		for (const char *const *s = skip; s && *s && !skipped; s++)
			skipped = tok_len(r, k) == (int)strlen(*s) && !memcmp(tok_text(r, k), *s, strlen(*s));
		if (skipped)
			continue;
		printf(" %.*s=", tok_len(r, k), tok_text(r, k));
		print_value(r, k + 1);
	}
}

/* ---- formatting ---- */

static void fmt_duration(char *b, size_t n, long long ms)
{
	if (ms < 0)
		ms = 0;
	if (ms < 1000)
		snprintf(b, n, "%lldms", ms);
	else if (ms < 60000)
		snprintf(b, n, "%lld.%llds", ms / 1000, ms % 1000 / 100);
	else if (ms < 3600000)
		snprintf(b, n, "%lldm%02llds", ms / 60000, ms / 1000 % 60);
	else if (ms < 86400000)
		snprintf(b, n, "%lldh%02lldm", ms / 3600000, ms / 60000 % 60);
	else
		snprintf(b, n, "%lldd%02lldh", ms / 86400000, ms / 3600000 % 24);
}

static void fmt_bytes(char *b, size_t n, long long v)
{
	static const char unit[] = "BKMGTPE";
	double d = (double)v;
	int k = 0;
	while (d >= 1024 && k < 6) {
		d /= 1024;
		k++;
	}
	if (k == 0)
		snprintf(b, n, "%lldB", v);
	else if (d < 9.95)
		snprintf(b, n, "%.1f%c", d, unit[k]);
	else
		snprintf(b, n, "%.0f%c", d, unit[k]);
}

/* ---- the exchange ---- */

static int ctl_alloc(struct ctl *x)
{
	if (x->line)
		return 0;
	x->line = malloc(VMC_LINE_MAX);
	x->tok = malloc(sizeof(*x->tok) * CTL_TOKENS);
	if (!x->line || !x->tok)
		return transport_error("out of memory");
	return 0;
}

/* {"id":ID,"op":OP, then the caller's fields. */
static void req_begin(struct ctl *x, struct jw *w, char *buf, size_t cap, const char *op)
{
	jw_init(w, buf, cap);
	jw_obj(w);
	jw_key(w, "id");
	jw_raw(w, x->id, strlen(x->id));
	jw_kstr(w, "op", op);
}

/* Connect, send the request and read its reply. 0 with *ret_result the
 * reply's result object (a token of x->r), or an exit code: 1 for ok:false,
 * 3 for the rest. reply_ms bounds connect + reply. */
static int call(struct ctl *x, struct jw *w, long long reply_ms, int *ret_result)
{
	char err[512];
	const char *why;
	int rc, ok, res;

	jw_end(w);
	if (w->overflow)
		return usage_error("the request is over %d bytes", PROTO_REQUEST_MAX - 1);
	if ((rc = ctl_alloc(x)))
		return rc;
	x->deadline = now_ms() + reply_ms;
	x->c = vmc_connect(x->addr, ms_left(x->deadline), err, sizeof(err));
	if (!x->c)
		return transport_error("cannot connect: %s", err);
	if (vmc_send_line(x->c, w->buf, w->len, ms_left(x->deadline)) < 0)
		return transport_error("sending the request to %s: %s", x->addr, strerror(errno));
	for (;;) {
		ssize_t n = vmc_read_line(x->c, x->line, VMC_LINE_MAX, ms_left(x->deadline));
		int id;
		if (n == 0)
			return transport_error("%s closed the connection before the reply", x->addr);
		if (n < 0 && errno == ETIMEDOUT)
			return transport_error("no reply from %s within %lld ms", x->addr, reply_ms);
		if (n < 0 && errno == EMSGSIZE)
			return transport_error("a reply line over %d bytes", VMC_LINE_MAX - 1);
		if (n < 0)
			return transport_error("reading the reply from %s: %s", x->addr, strerror(errno));
		x->len = (size_t)n;
		if (jr_parse(&x->r, x->tok, CTL_TOKENS, x->line, x->len, &why) < 0)
			return transport_error("malformed reply (%s): %.100s", why, x->line);
		id = jr_get(&x->r, 0, "id");
		if (id >= 0 && (jr_type(&x->r, id) != JR_PRIMITIVE || tok_len(&x->r, id) != (int)strlen(x->id) ||
				memcmp(tok_text(&x->r, id), x->id, strlen(x->id))))
			continue;   /* an earlier client's */
		if (jr_get(&x->r, 0, "ok") >= 0)
			break;
		/* An item of an earlier client's stream, or something newer. */
	}
	if (x->json) {
		fwrite(x->line, 1, x->len, stdout);
		fputc('\n', stdout);
		fflush(stdout);
	}
	if (jr_bool(&x->r, jr_get(&x->r, 0, "ok"), &ok) < 0)
		return transport_error("malformed reply (\"ok\" is not true or false): %.100s", x->line);
	if (!ok) {
		int e = jr_get(&x->r, 0, "error");
		char code[64], msg[1024];
		if (jr_type(&x->r, e) != JR_OBJECT)
			return transport_error("malformed reply (ok:false without an error): %.100s", x->line);
		fprintf(stderr, "vminitctl: %s: %s\n", get_str(&x->r, e, "code", code, sizeof(code), "?"),
			get_str(&x->r, e, "message", msg, sizeof(msg), "(no message)"));
		return EXIT_REFUSED;
	}
	res = jr_get(&x->r, 0, "result");
	if (jr_type(&x->r, res) != JR_OBJECT)
		return transport_error("malformed reply (ok:true without a result object): %.100s", x->line);
	*ret_result = res;
	return 0;
}

static long long reply_ms(const struct ctl *x)
{
	return x->timeout_ms > 0 ? x->timeout_ms : CTL_TIMEOUT_DEFAULT_MS;
}

/* ---- streams ---- */

static void print_event(struct ctl *x, int ev)
{
	static const char *const skip[] = { "seq", "at_ms", "type", "process", NULL };
	long long at;
	char type[64], proc[PROTO_NAME_MAX];
	if (get_int(&x->r, ev, "at_ms", &at) == 0 && at >= 0)
		printf("[%5lld.%03lld]", at / 1000, at % 1000);
	else
		printf("[%9s]", "?");
	printf(" %s", get_str(&x->r, ev, "type", type, sizeof(type), "?"));
	if (get_str(&x->r, ev, "process", proc, sizeof(proc), NULL))
		printf(" %s", proc);
	print_fields(&x->r, ev, skip);
	putchar('\n');
}

static void print_log(struct ctl *x, int lg)
{
	char *p, *l;
	long pn = str_bytes(x, jr_get(&x->r, lg, "process"), &p);
	long ln = str_bytes(x, jr_get(&x->r, lg, "line"), &l);
	if (pn < 0) {
		p = "-";
		pn = 1;
	}
	if (ln < 0)
		ln = 0;
	fwrite(p, 1, (size_t)pn, stdout);
	fputs(" | ", stdout);
	fwrite(l, 1, (size_t)ln, stdout);
	putchar('\n');
}

/* Print the items after a stream's ok reply until the connection ends (or
 * the end item, when until_end). No deadline: a stream may be quiet. */
static int stream(struct ctl *x, const char *what, int until_end)
{
	const char *why;
	for (;;) {
		ssize_t n = vmc_read_line(x->c, x->line, VMC_LINE_MAX, -1);
		int i;
		long long lost;
		if (n == 0) {
			if (until_end)
				return transport_error("%s closed the connection before the end of the %s", x->addr, what);
			return 0;
		}
		if (n < 0 && errno == EMSGSIZE) {
			fprintf(stderr, "vminitctl: skipped an item over %d bytes\n", VMC_LINE_MAX - 1);
			continue;
		}
		if (n < 0)
			return transport_error("reading from %s: %s", x->addr, strerror(errno));
		x->len = (size_t)n;
		if (x->json) {
			fwrite(x->line, 1, x->len, stdout);
			fputc('\n', stdout);
		}
		if (jr_parse(&x->r, x->tok, CTL_TOKENS, x->line, x->len, &why) < 0)
			return transport_error("malformed item (%s): %.100s", why, x->line);
		if (jr_get(&x->r, 0, "end") >= 0)
			return 0;
		if (!x->json) {
			if (jr_type(&x->r, i = jr_get(&x->r, 0, "event")) == JR_OBJECT)
				print_event(x, i);
			else if (jr_type(&x->r, i = jr_get(&x->r, 0, "log")) == JR_OBJECT)
				print_log(x, i);
			else if (get_int(&x->r, 0, "lost", &lost) == 0) {
				char proc[PROTO_NAME_MAX];
				if (get_str(&x->r, 0, "process", proc, sizeof(proc), NULL))
					fprintf(stderr, "vminitctl: %s: %lld lines dropped by vminit "
						"(over the process's line budget)\n", proc, lost);
				else
					fprintf(stderr, "vminitctl: %lld %s lost: read too slowly\n", lost, what);
			}
			/* Anything else is newer than us: ignored. */
		}
		if (fflush(stdout) != 0)
			return transport_error("writing to stdout: %s", strerror(errno));
	}
}

/* ---- commands ---- */

static int no_more_args(char **argv, int i)
{
	return argv[i] ? usage_error("unexpected argument %s", argv[i]) : 0;
}

static int cmd_ping(struct ctl *x, char **argv)
{
	static const struct opt opts[] = { { NULL, 0, 0 } };
	char buf[PROTO_REQUEST_MAX];
	struct jw w;
	int i = 1, res, rc;
	long long up;
	const char *v;
	if (opt_next(argv, &i, opts, &v) == -2 || (rc = no_more_args(argv, i)))
		return EXIT_USAGE;
	req_begin(x, &w, buf, sizeof(buf) - 1, "ping");
	if ((rc = call(x, &w, reply_ms(x), &res)) || x->json)
		return rc;
	if (get_int(&x->r, res, "uptime_ms", &up) == 0) {
		char d[32];
		fmt_duration(d, sizeof(d), up);
		printf("pong (up %s)\n", d);
	} else {
		printf("pong\n");
	}
	return 0;
}

static int cmd_hello(struct ctl *x, char **argv)
{
	static const struct opt opts[] = { { NULL, 0, 0 } };
	char buf[PROTO_REQUEST_MAX], s[128], proto[24] = "?";
	struct jw w;
	int i = 1, res, rc, k;
	long long v;
	const char *val;
	if (opt_next(argv, &i, opts, &val) == -2 || (rc = no_more_args(argv, i)))
		return EXIT_USAGE;
	req_begin(x, &w, buf, sizeof(buf) - 1, "hello");
	jw_kint(&w, "protocol", PROTO_VERSION);
	if ((rc = call(x, &w, reply_ms(x), &res)) || x->json)
		return rc;
	if (get_int(&x->r, res, "protocol", &v) == 0)
		snprintf(proto, sizeof(proto), "%lld", v);
	printf("vminit %s, protocol %s, %s\n", get_str(&x->r, res, "vminit", s, sizeof(s), "?"), proto,
	       get_bool(&x->r, res, "pid1", 0) ? "PID 1" : "not PID 1");
	if (jr_type(&x->r, k = jr_get(&x->r, res, "features")) == JR_ARRAY) {
		printf("features:");
		for (int j = 0, t = k + 1; j < x->r.tok[k].size; j++, t = jr_next(&x->r, t)) {
			putchar(' ');
			print_value(&x->r, t);
		}
		putchar('\n');
	}
	if (jr_type(&x->r, k = jr_get(&x->r, res, "boot")) == JR_OBJECT) {
		printf("boot (ms):");
		print_fields(&x->r, k, NULL);
		putchar('\n');
	}
	if (jr_type(&x->r, k = jr_get(&x->r, res, "limits")) == JR_OBJECT) {
		printf("limits:");
		print_fields(&x->r, k, NULL);
		putchar('\n');
	}
	return 0;
}

enum { COL_NAME, COL_STATE, COL_HEALTH, COL_WANT, COL_PID, COL_RESTARTS, COL_EXIT, COL_UPTIME, COL_RSS, COL_CPU,
       COL_COUNT };

struct row {
	char f[COL_COUNT][PROTO_NAME_MAX];
};

static void status_row(const struct jr *r, int p, struct row *row)
{
	long long v, u, s;
	int e;
	get_str(r, p, "name", row->f[COL_NAME], sizeof(row->f[0]), "?");
	get_str(r, p, "state", row->f[COL_STATE], sizeof(row->f[0]), "?");
	/* What the state alone hides: a running process stopped by a signal
	 * (as ps shows T), a start deferred for lack of resources. */
	{
		char why[PROTO_NAME_MAX];
		if (get_str(r, p, "stopped_by", why, sizeof(why), NULL))
			strcpy(row->f[COL_STATE], "stopped");
		else if (get_str(r, p, "deferred", why, sizeof(why), NULL))
			strcpy(row->f[COL_STATE], "deferred");
	}
	get_str(r, p, "want", row->f[COL_WANT], sizeof(row->f[0]), "?");
	for (int c = COL_PID; c < COL_COUNT; c++)
		strcpy(row->f[c], "-");
	/* The readiness state, else the liveness one; what a waiting one waits for. */
	strcpy(row->f[COL_HEALTH], "-");
	if (jr_type(r, e = jr_get(r, p, "health")) == JR_OBJECT) {
		int c = jr_get(r, e, "readiness");
		if (jr_type(r, c) != JR_OBJECT)
			c = jr_get(r, e, "liveness");
		if (jr_type(r, c) == JR_OBJECT)
			get_str(r, c, "state", row->f[COL_HEALTH], sizeof(row->f[0]), "?");
	}
	{
		char dep[PROTO_NAME_MAX];
		if (get_str(r, p, "waiting_for", dep, sizeof(dep), NULL))
			snprintf(row->f[COL_HEALTH], sizeof(row->f[0]), "waits %.*s", (int)sizeof(row->f[0]) - 7, dep);
	}
	if (get_int(r, p, "pid", &v) == 0)
		snprintf(row->f[COL_PID], sizeof(row->f[0]), "%lld", v);
	if (get_int(r, p, "restarts", &v) == 0)
		snprintf(row->f[COL_RESTARTS], sizeof(row->f[0]), "%lld", v);
	if (jr_type(r, e = jr_get(r, p, "last_exit")) == JR_OBJECT) {
		if (!get_str(r, e, "signal", row->f[COL_EXIT], sizeof(row->f[0]), NULL)) {
			if (get_int(r, e, "code", &v) == 0 || get_int(r, e, "status", &v) == 0)
				snprintf(row->f[COL_EXIT], sizeof(row->f[0]), "%lld", v);
			else
				strcpy(row->f[COL_EXIT], "?");
		}
	}
	if (get_int(r, p, "uptime_ms", &v) == 0)
		fmt_duration(row->f[COL_UPTIME], sizeof(row->f[0]), v);
	if (get_int(r, p, "memory_rss_bytes", &v) == 0)
		fmt_bytes(row->f[COL_RSS], sizeof(row->f[0]), v);
	if (get_int(r, p, "cpu_user_ms", &u) == 0 && get_int(r, p, "cpu_system_ms", &s) == 0)
		fmt_duration(row->f[COL_CPU], sizeof(row->f[0]), u + s);
}

static void print_row(const struct row *row, const int *width)
{
	for (int c = 0; c < COL_COUNT; c++) {
		if (c == COL_COUNT - 1)
			printf("%s\n", row->f[c]);
		else
			printf("%-*s  ", width[c], row->f[c]);
	}
}

static void print_status(struct ctl *x, int res)
{
	static const struct row head = { { "NAME", "STATE", "HEALTH", "WANT", "PID", "RESTARTS", "LAST-EXIT", "UPTIME",
					   "RSS", "CPU" } };
	struct row row;
	int width[COL_COUNT], procs, spec, errs;
	char path[4096], shut[64];
	long long dropped = 0;

	for (int c = 0; c < COL_COUNT; c++)
		width[c] = (int)strlen(head.f[c]);
	procs = jr_get(&x->r, res, "processes");
	if (jr_type(&x->r, procs) != JR_ARRAY)
		procs = -1;
	/* Two passes over the reply: the widths, then the rows. */
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1)
			print_row(&head, width);
		for (int j = 0, p = procs + 1; procs >= 0 && j < x->r.tok[procs].size; j++, p = jr_next(&x->r, p)) {
			status_row(&x->r, p, &row);
			if (pass == 1) {
				print_row(&row, width);
				continue;
			}
			for (int c = 0; c < COL_COUNT; c++)
				if ((int)strlen(row.f[c]) > width[c])
					width[c] = (int)strlen(row.f[c]);
		}
	}
	spec = jr_get(&x->r, res, "spec");
	errs = jr_get(&x->r, spec, "errors");
	get_int(&x->r, spec, "errors_dropped", &dropped);
	if (jr_type(&x->r, errs) == JR_ARRAY && (x->r.tok[errs].size > 0 || dropped > 0)) {
		printf("\nspec %s: %lld error%s\n", get_str(&x->r, spec, "path", path, sizeof(path), "?"),
		       x->r.tok[errs].size + dropped, x->r.tok[errs].size + dropped == 1 ? "" : "s");
		for (int j = 0, e = errs + 1; j < x->r.tok[errs].size; j++, e = jr_next(&x->r, e)) {
			char text[2048], key[256];
			long long line = 0;
			/* "text" is the whole error as vminit check prints it. */
			if (get_str(&x->r, e, "text", text, sizeof(text), NULL)) {
				printf("  %s\n", text);
				continue;
			}
			printf(" ");
			if (get_int(&x->r, e, "line", &line) == 0 && line > 0)
				printf(" line %lld:", line);
			if (get_str(&x->r, e, "key", key, sizeof(key), NULL))
				printf(" %s:", key);
			printf(" %s\n", get_str(&x->r, e, "message", text, sizeof(text), "?"));
		}
		if (dropped > 0)
			printf("  ... and %lld more\n", dropped);
	}
	if (get_str(&x->r, res, "shutdown", shut, sizeof(shut), NULL))
		printf("\nshutting down: %s\n", shut);
}

static int cmd_status(struct ctl *x, char **argv)
{
	static const struct opt opts[] = { { NULL, 0, 0 } };
	char buf[PROTO_REQUEST_MAX];
	struct jw w;
	int i = 1, res, rc;
	const char *v;
	if (opt_next(argv, &i, opts, &v) == -2)
		return EXIT_USAGE;
	req_begin(x, &w, buf, sizeof(buf) - 1, "status");
	if (argv[i])
		jw_kstr(&w, "process", argv[i++]);
	if ((rc = no_more_args(argv, i)))
		return rc;
	if ((rc = call(x, &w, reply_ms(x), &res)) || x->json)
		return rc;
	print_status(x, res);
	return 0;
}

static int cmd_events(struct ctl *x, char **argv)
{
	static const struct opt opts[] = { { "since", 0, 1 }, { NULL, 0, 0 } };
	char buf[PROTO_REQUEST_MAX];
	struct jw w;
	int i = 1, res, rc, k;
	long long since = -1;
	const char *v;
	while ((k = opt_next(argv, &i, opts, &v)) >= 0)
		if (parse_count(v, 0x7fffffffffffffffLL, &since) < 0)
			return usage_error("--since: want an event seq (an integer >= 0), not %s", v);
	if (k == -2 || (rc = no_more_args(argv, i)))
		return EXIT_USAGE;
	req_begin(x, &w, buf, sizeof(buf) - 1, "events");
	if (since >= 0)
		jw_kint(&w, "since", since);
	if ((rc = call(x, &w, reply_ms(x), &res)))
		return rc;
	return stream(x, "events", 0);
}

static int cmd_logs(struct ctl *x, char **argv)
{
	static const struct opt opts[] = { { "follow", 'f', 0 }, { "lines", 'n', 1 }, { NULL, 0, 0 } };
	char buf[PROTO_REQUEST_MAX];
	struct jw w;
	int i = 1, res, rc, k, follow = 0;
	long long lines = -1;
	const char *v, *proc = NULL;
	while ((k = opt_next(argv, &i, opts, &v)) >= 0) {
		if (k == 0)
			follow = 1;
		else if (parse_count(v, PROTO_LOG_LINES_MAX, &lines) < 0)
			return usage_error("-n: want a number of lines from 0 to %d, not %s", PROTO_LOG_LINES_MAX, v);
	}
	if (k == -2)
		return EXIT_USAGE;
	if (argv[i])
		proc = argv[i++];
	if ((rc = no_more_args(argv, i)))
		return rc;
	req_begin(x, &w, buf, sizeof(buf) - 1, "logs");
	if (proc)
		jw_kstr(&w, "process", proc);
	if (lines >= 0)
		jw_kint(&w, "lines", lines);
	jw_kbool(&w, "follow", follow);
	if ((rc = call(x, &w, reply_ms(x), &res)))
		return rc;
	return stream(x, "log lines", !follow);
}

static int cmd_exec(struct ctl *x, char **argv)
{
	static const struct opt opts[] = { { "user", 'u', 1 }, { "workdir", 'w', 1 }, { "env", 'e', 1 },
					   { "timeout", 't', 1 }, { NULL, 0, 0 } };
	char buf[PROTO_REQUEST_MAX];
	const char *user = NULL, *workdir = NULL, *v;
	const char *env[PROTO_EXEC_ARGS_MAX];
	struct jw w;
	int i = 1, res, rc, k, envc = 0, timed_out;
	long long timeout = -1, status, bytes;
	char *out;
	long n;

	while ((k = opt_next(argv, &i, opts, &v)) >= 0) {
		switch (k) {
		case 0:
			user = v;
			break;
		case 1:
			if (v[0] != '/')
				return usage_error("--workdir: want an absolute path, not %s", v);
			workdir = v;
			break;
		case 2:
			if (!strchr(v, '=') || v[0] == '=')
				return usage_error("--env: want KEY=VALUE, not %s", v);
			if (envc == PROTO_EXEC_ARGS_MAX)
				return usage_error("--env: at most %d", PROTO_EXEC_ARGS_MAX);
			env[envc++] = v;
			break;
		case 3:
			if (parse_seconds(v, &timeout) < 0)
				return usage_error("--timeout: want seconds (over 0, up to 86400), not %s", v);
			break;
		}
	}
	if (k == -2)
		return EXIT_USAGE;
	if (!argv[i])
		return usage_error("exec: no command");
	if (!argv[i][0])
		return usage_error("exec: the command is an empty string");

	req_begin(x, &w, buf, sizeof(buf) - 1, "exec");
	jw_key(&w, "argv");
	jw_arr(&w);
	for (; argv[i]; i++)
		jw_str(&w, argv[i]);
	jw_end_arr(&w);
	if (envc) {
		jw_key(&w, "env");
		jw_arr(&w);
		for (int j = 0; j < envc; j++)
			jw_str(&w, env[j]);
		jw_end_arr(&w);
	}
	if (user)
		jw_kstr(&w, "user", user);
	if (workdir)
		jw_kstr(&w, "workdir", workdir);
	if (timeout > 0)
		jw_kint(&w, "timeout_ms", timeout);
	rc = call(x, &w, x->timeout_ms > 0 ? x->timeout_ms
		  : (timeout > 0 ? timeout : PROTO_EXEC_TIMEOUT_DEFAULT_MS) + CTL_EXEC_GRACE_MS, &res);
	if (rc)
		return rc;
	if (get_int(&x->r, res, "status", &status) < 0 || status < 0 || status > 255)
		return transport_error("malformed exec reply (no status from 0 to 255): %.100s", x->line);
	timed_out = get_bool(&x->r, res, "timed_out", 0);
	if (!x->json) {
		fflush(stdout);
		if ((n = str_bytes(x, jr_get(&x->r, res, "stdout"), &out)) > 0)
			fwrite(out, 1, (size_t)n, stdout);
		fflush(stdout);
		if ((n = str_bytes(x, jr_get(&x->r, res, "stderr"), &out)) > 0)
			fwrite(out, 1, (size_t)n, stderr);
		if (get_bool(&x->r, res, "stdout_truncated", 0))
			fprintf(stderr, "vminitctl: exec: stdout truncated: the command wrote %lld bytes\n",
				get_int(&x->r, res, "stdout_bytes", &bytes) == 0 ? bytes : -1LL);
		if (get_bool(&x->r, res, "stderr_truncated", 0))
			fprintf(stderr, "vminitctl: exec: stderr truncated: the command wrote %lld bytes\n",
				get_int(&x->r, res, "stderr_bytes", &bytes) == 0 ? bytes : -1LL);
		if (timed_out)
			fprintf(stderr, "vminitctl: exec: timed out, killed\n");
	}
	return timed_out ? EXIT_TIMED_OUT : (int)status;
}

static int cmd_signal(struct ctl *x, char **argv)
{
	static const struct opt opts[] = { { NULL, 0, 0 } };
	char buf[PROTO_REQUEST_MAX], sig[32];
	struct jw w;
	int i = 1, res, rc;
	long long pid;
	const char *v;
	if (opt_next(argv, &i, opts, &v) == -2)
		return EXIT_USAGE;
	if (!argv[i] || !argv[i + 1])
		return usage_error("signal: want PROC SIG");
	if (names_signal_parse(argv[i + 1]) < 0)
		return usage_error("signal: %s is not a signal (HUP, SIGHUP or a number from 1 to 64)", argv[i + 1]);
	if ((rc = no_more_args(argv, i + 2)))
		return rc;
	req_begin(x, &w, buf, sizeof(buf) - 1, "signal");
	jw_kstr(&w, "process", argv[i]);
	if (argv[i + 1][0] >= '0' && argv[i + 1][0] <= '9')
		jw_kint(&w, "signal", names_signal_parse(argv[i + 1]));
	else
		jw_kstr(&w, "signal", argv[i + 1]);
	if ((rc = call(x, &w, reply_ms(x), &res)) || x->json)
		return rc;
	printf("%s: %s sent", argv[i], get_str(&x->r, res, "signal", sig, sizeof(sig), argv[i + 1]));
	if (get_int(&x->r, res, "pid", &pid) == 0)
		printf(" to pid %lld", pid);
	putchar('\n');
	return 0;
}

/* stop, start, restart */
static int cmd_want(struct ctl *x, char **argv)
{
	static const struct opt opts[] = { { NULL, 0, 0 } };
	char buf[PROTO_REQUEST_MAX], state[64];
	struct jw w;
	int i = 1, res, rc;
	const char *v;
	if (opt_next(argv, &i, opts, &v) == -2)
		return EXIT_USAGE;
	if (!argv[i])
		return usage_error("%s: want PROC", argv[0]);
	if ((rc = no_more_args(argv, i + 1)))
		return rc;
	req_begin(x, &w, buf, sizeof(buf) - 1, argv[0]);
	jw_kstr(&w, "process", argv[i]);
	if ((rc = call(x, &w, reply_ms(x), &res)) || x->json)
		return rc;
	printf("%s: %s\n", argv[i], get_str(&x->r, res, "state", state, sizeof(state), "ok"));
	return 0;
}

static int cmd_shutdown(struct ctl *x, char **argv)
{
	static const struct opt opts[] = { { "reboot", 'r', 0 }, { NULL, 0, 0 } };
	char buf[PROTO_REQUEST_MAX];
	struct jw w;
	int i = 1, res, rc, k, reboot = 0;
	const char *v;
	while ((k = opt_next(argv, &i, opts, &v)) >= 0)
		reboot = 1;
	if (k == -2 || (rc = no_more_args(argv, i)))
		return EXIT_USAGE;
	req_begin(x, &w, buf, sizeof(buf) - 1, "shutdown");
	jw_kbool(&w, "reboot", reboot);
	if ((rc = call(x, &w, reply_ms(x), &res)) || x->json)
		return rc;
	printf("%s started\n", reboot ? "reboot" : "shutdown");
	return 0;
}

static const struct cmd {
	const char *name;
	int (*run)(struct ctl *x, char **argv);
} cmds[] = {
	{ "status", cmd_status }, { "events", cmd_events }, { "logs", cmd_logs }, { "exec", cmd_exec },
	{ "signal", cmd_signal }, { "stop", cmd_want }, { "start", cmd_want }, { "restart", cmd_want },
	{ "shutdown", cmd_shutdown }, { "ping", cmd_ping }, { "hello", cmd_hello },
};

int main(int argc, char **argv)
{
	static const struct opt opts[] = { { "addr", 'a', 1 }, { "json", 0, 0 }, { "timeout", 0, 1 },
					   { "help", 'h', 0 }, { NULL, 0, 0 } };
	struct ctl x;
	const char *v;
	int i = 1, k, rc;

	(void)argc;
	memset(&x, 0, sizeof(x));
	x.addr = getenv("VMINITCTL_ADDR");
	if (!x.addr || !*x.addr)
		x.addr = CTL_DEFAULT_ADDR;
	x.timeout_ms = -1;
	snprintf(x.id, sizeof(x.id), "%ld", (long)getpid());
	while ((k = opt_next(argv, &i, opts, &v)) >= 0) {
		switch (k) {
		case 0:
			x.addr = v;
			break;
		case 1:
			x.json = 1;
			break;
		case 2:
			if (parse_seconds(v, &x.timeout_ms) < 0)
				return usage_error("--timeout: want seconds (over 0, up to 86400), not %s", v);
			break;
		case 3:
			fputs(usage_text, stdout);
			return 0;
		}
	}
	if (k == -2)
		return EXIT_USAGE;
	if (!argv[i])
		return usage_error("no command");
	rc = -1;
	for (size_t c = 0; c < sizeof(cmds) / sizeof(cmds[0]); c++)
		if (!strcmp(argv[i], cmds[c].name))
			rc = cmds[c].run(&x, argv + i);
	if (rc < 0)
		return usage_error("unknown command %s", argv[i]);
	vmc_close(x.c);
	free(x.line);
	free(x.tok);
	if (fflush(stdout) != 0 || ferror(stdout))
		return transport_error("writing to stdout: %s", strerror(errno));
	return rc;
}
