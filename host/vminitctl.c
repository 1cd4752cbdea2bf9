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
 *
 * This file: the entry, the options, the errors and the exchange with
 * vminit (a request and its reply, a stream's items). The commands are in
 * vminitctl_cmd.c, the output's format in vminitctl_fmt.c.
 */
#include "vminitctl.h"
#include "client.h"
#include "channel/proto.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CTL_TIMEOUT_DEFAULT_MS 10000
#define CTL_DEFAULT_ADDR "vsock:3:1024"

static const char usage_text[] =
	"usage: vminitctl [-a|--addr ADDR] [--json] [--timeout SECONDS] COMMAND ...\n"
	"\n"
	"Talk to vminit inside a VM over the host channel (docs/protocol.md).\n"
	"\n"
	"commands:\n"
	"  status [PROC]                  the processes, as a table; spec errors if any\n"
	"  events [--since N]             stream events until the connection ends\n"
	"  logs [-f] [-n LINES] [PROC]    recent output lines (100); -f keeps following\n"
	"  exec [--process P] [--user U] [--workdir D] [--env K=V]... [--timeout S] [--] CMD ARGS...\n"
	"                                 run a command, print its stdout and stderr\n"
	"  signal PROC SIG                send SIG (HUP, SIGHUP, 1) to PROC's group\n"
	"  stop PROC | start PROC | restart PROC\n"
	"  shutdown [--reboot]            power the VM off (or reboot it)\n"
	"  secrets --version V [--file ENVFILE|-]... [--none] [KEY=VALUE]...\n"
	"                                 deliver a secret bundle (/run/secrets/platform.env)\n"
	"  clock [--offset S]             set the guest's clock to the host's (+S seconds)\n"
	"  entropy [BYTES]                add BYTES (64) random bytes to the guest's pool\n"
	"  resume                         after a snapshot restore: clock, entropy, resumed\n"
	"  resumed                        only tell vminit the VM was restored\n"
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

/* ---- errors ---- */

int vctl_usage_error(const char *fmt, ...)
{
	va_list ap;
	fputs("vminitctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'vminitctl --help'.\n", stderr);
	return EXIT_USAGE;
}

int vctl_transport_error(const char *fmt, ...)
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

/* The next option at argv[*i]: its index in opts (its value, if it takes
 * one, in *ret_val), -1 at the first operand (a "--" is skipped), or -2
 * after saying what is wrong. */
int vctl_opt_next(char **argv, int *i, const struct opt *opts, const char **ret_val)
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
					vctl_usage_error("option --%s takes no value", o->name);
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
				vctl_usage_error("option %s needs a value", a);
				return -2;
			}
			val = argv[(*i)++];
		}
		*ret_val = val;
		return k;
	}
	vctl_usage_error("unknown option %s", a);
	return -2;
}

/* Seconds, with a fraction if wanted ("1.5"), over 0 and up to a day. */
int vctl_parse_seconds(const char *s, long long *ret_ms)
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

int vctl_parse_count(const char *s, long long max, long long *ret)
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

/* ---- the exchange ---- */

static int vctl_alloc(struct vctl *x)
{
	if (x->line)
		return 0;
	x->line = malloc(VMC_LINE_MAX);
	x->tok = malloc(sizeof(*x->tok) * CTL_TOKENS);
	if (!x->line || !x->tok)
		return vctl_transport_error("out of memory");
	return 0;
}

/* {"id":ID,"op":OP, then the caller's fields. */
void vctl_req_begin(struct vctl *x, struct jw *w, char *buf, size_t cap, const char *op)
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
int vctl_call(struct vctl *x, struct jw *w, long long reply_ms, int *ret_result)
{
	char err[512];
	const char *why;
	int rc, ok, res;

	jw_end(w);
	if (w->overflow)
		return vctl_usage_error("the request is over %d bytes", PROTO_REQUEST_MAX - 1);
	if ((rc = vctl_alloc(x)))
		return rc;
	x->deadline = now_ms() + reply_ms;
	/* One connection for every request of a run (resume sends three). */
	if (!x->c)
		x->c = vmc_connect(x->addr, ms_left(x->deadline), err, sizeof(err));
	if (!x->c)
		return vctl_transport_error("cannot connect: %s", err);
	if (vmc_send_line(x->c, w->buf, w->len, ms_left(x->deadline)) < 0)
		return vctl_transport_error("sending the request to %s: %s", x->addr, strerror(errno));
	for (;;) {
		ssize_t n = vmc_read_line(x->c, x->line, VMC_LINE_MAX, ms_left(x->deadline));
		int id;
		if (n == 0)
			return vctl_transport_error("%s closed the connection before the reply", x->addr);
		if (n < 0 && errno == ETIMEDOUT)
			return vctl_transport_error("no reply from %s within %lld ms", x->addr, reply_ms);
		if (n < 0 && errno == EMSGSIZE)
			return vctl_transport_error("a reply line over %d bytes", VMC_LINE_MAX - 1);
		if (n < 0)
			return vctl_transport_error("reading the reply from %s: %s", x->addr, strerror(errno));
		x->len = (size_t)n;
		if (jr_parse(&x->r, x->tok, CTL_TOKENS, x->line, x->len, &why) < 0) {
			/* On a serial port, the rest of a line an earlier
			 * client did not take (docs/protocol.md §6). */
			if (!strncmp(x->addr, "serial:", 7))
				continue;
			return vctl_transport_error("malformed reply (%s): %.100s", why, x->line);
		}
		id = jr_get(&x->r, 0, "id");
		if (id >= 0 && (jr_type(&x->r, id) != JR_PRIMITIVE || vctl_tok_len(&x->r, id) != (int)strlen(x->id) ||
				memcmp(vctl_tok_text(&x->r, id), x->id, strlen(x->id))))
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
		return vctl_transport_error("malformed reply (\"ok\" is not true or false): %.100s", x->line);
	if (!ok) {
		int e = jr_get(&x->r, 0, "error");
		char code[64], msg[1024];
		if (jr_type(&x->r, e) != JR_OBJECT)
			return vctl_transport_error("malformed reply (ok:false without an error): %.100s", x->line);
		fprintf(stderr, "vminitctl: %s: %s\n", vctl_get_str(&x->r, e, "code", code, sizeof(code), "?"),
			vctl_get_str(&x->r, e, "message", msg, sizeof(msg), "(no message)"));
		return EXIT_REFUSED;
	}
	res = jr_get(&x->r, 0, "result");
	if (jr_type(&x->r, res) != JR_OBJECT)
		return vctl_transport_error("malformed reply (ok:true without a result object): %.100s", x->line);
	*ret_result = res;
	return 0;
}

long long vctl_reply_ms(const struct vctl *x)
{
	return x->timeout_ms > 0 ? x->timeout_ms : CTL_TIMEOUT_DEFAULT_MS;
}

/* ---- streams ---- */

/* Print the items after a stream's ok reply until the connection ends (or
 * the end item, when until_end). No deadline: a stream may be quiet. */
int vctl_stream(struct vctl *x, const char *what, int until_end)
{
	const char *why;
	for (;;) {
		ssize_t n = vmc_read_line(x->c, x->line, VMC_LINE_MAX, -1);
		int i;
		long long lost;
		if (n == 0) {
			if (until_end)
				return vctl_transport_error("%s closed the connection before the end of the %s", x->addr, what);
			return 0;
		}
		if (n < 0 && errno == EMSGSIZE) {
			fprintf(stderr, "vminitctl: skipped an item over %d bytes\n", VMC_LINE_MAX - 1);
			continue;
		}
		if (n < 0)
			return vctl_transport_error("reading from %s: %s", x->addr, strerror(errno));
		x->len = (size_t)n;
		if (x->json) {
			fwrite(x->line, 1, x->len, stdout);
			fputc('\n', stdout);
		}
		if (jr_parse(&x->r, x->tok, CTL_TOKENS, x->line, x->len, &why) < 0)
			return vctl_transport_error("malformed item (%s): %.100s", why, x->line);
		if (jr_get(&x->r, 0, "end") >= 0)
			return 0;
		if (!x->json) {
			if (jr_type(&x->r, i = jr_get(&x->r, 0, "event")) == JR_OBJECT)
				vctl_print_event(x, i);
			else if (jr_type(&x->r, i = jr_get(&x->r, 0, "log")) == JR_OBJECT)
				vctl_print_log(x, i);
			else if (vctl_get_int(&x->r, 0, "lost", &lost) == 0) {
				char proc[PROTO_NAME_MAX];
				if (vctl_get_str(&x->r, 0, "process", proc, sizeof(proc), NULL))
					fprintf(stderr, "vminitctl: %s: %lld lines dropped by vminit "
						"(over the process's line budget)\n", proc, lost);
				else
					fprintf(stderr, "vminitctl: %lld %s lost: read too slowly\n", lost, what);
			}
			/* Anything else is newer than us: ignored. */
		}
		if (fflush(stdout) != 0)
			return vctl_transport_error("writing to stdout: %s", strerror(errno));
	}
}

int main(int argc, char **argv)
{
	static const struct opt opts[] = { { "addr", 'a', 1 }, { "json", 0, 0 }, { "timeout", 0, 1 },
					   { "help", 'h', 0 }, { NULL, 0, 0 } };
	struct vctl x;
	const char *v;
	int i = 1, k, rc;

	(void)argc;
	memset(&x, 0, sizeof(x));
	x.addr = getenv("VMINITCTL_ADDR");
	if (!x.addr || !*x.addr)
		x.addr = CTL_DEFAULT_ADDR;
	x.timeout_ms = -1;
	snprintf(x.id, sizeof(x.id), "%ld", (long)getpid());
	while ((k = vctl_opt_next(argv, &i, opts, &v)) >= 0) {
		switch (k) {
		case 0:
			x.addr = v;
			break;
		case 1:
			x.json = 1;
			break;
		case 2:
			if (vctl_parse_seconds(v, &x.timeout_ms) < 0)
				return vctl_usage_error("--timeout: want seconds (over 0, up to 86400), not %s", v);
			break;
		case 3:
			fputs(usage_text, stdout);
			return 0;
		}
	}
	if (k == -2)
		return EXIT_USAGE;
	if (!argv[i])
		return vctl_usage_error("no command");
	rc = vctl_run(&x, argv + i);
	if (rc < 0)
		return vctl_usage_error("unknown command %s", argv[i]);
	vmc_close(x.c);
	free(x.line);
	free(x.tok);
	if (fflush(stdout) != 0 || ferror(stdout))
		return vctl_transport_error("writing to stdout: %s", strerror(errno));
	return rc;
}
