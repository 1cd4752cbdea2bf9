/* vminitctl_clock.c - `vminitctl clock`, `entropy` and `resume`: what a
 * host agent sends after a snapshot restore (docs/resume.md), by hand.
 *
 * clock measures the round trip with a ping first and sends the host's
 * CLOCK_REALTIME plus half of it, with the whole round trip as the
 * uncertainty. entropy sends bytes from getrandom(), never printed and
 * wiped once sent. resume sends clock, entropy (64 bytes) and resumed, in
 * that order, on one connection; resumed sends the notice alone.
 */
#include "vminitctl.h"
#include "channel/base64.h"
#include "channel/json.h"
#include "channel/proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#define ENTROPY_DEFAULT 64

static long long ns_of(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* "+3600.012" */
static const char *secs(char *b, size_t n, long long ns, int sign)
{
	unsigned long long a = ns < 0 ? 0ULL - (unsigned long long)ns : (unsigned long long)ns;
	unsigned long long ms = (a + 500000) / 1000000;
	snprintf(b, n, "%s%llu.%03llu", sign ? (ns < 0 ? "-" : "+") : "", ms / 1000, ms % 1000);
	return b;
}

/* offset_ns: added to the host's time (a test's deliberately wrong clock). */
static int send_clock(struct vctl *x, long long offset_ns)
{
	char buf[256], a[32], b[32];
	long long t0, rtt, off = 0, unc = 0;
	struct jw w;
	int rc, res;
	int json = x->json;
	vctl_req_begin(x, &w, buf, sizeof(buf) - 1, "ping");
	t0 = ns_of(CLOCK_MONOTONIC);
	x->json = 0;   /* --json prints the clock's reply only */
	rc = vctl_call(x, &w, vctl_reply_ms(x), &res);
	x->json = json;
	if (rc)
		return rc;
	rtt = ns_of(CLOCK_MONOTONIC) - t0;
	vctl_req_begin(x, &w, buf, sizeof(buf) - 1, "clock");
	jw_kint(&w, "unix_ns", ns_of(CLOCK_REALTIME) + rtt / 2 + offset_ns);
	jw_kint(&w, "uncertainty_ns", rtt < PROTO_CLOCK_UNCERTAINTY_MAX ? rtt : PROTO_CLOCK_UNCERTAINTY_MAX);
	if ((rc = vctl_call(x, &w, vctl_reply_ms(x), &res)) || x->json)
		return rc;
	vctl_get_int(&x->r, res, "offset_ns", &off);
	vctl_get_int(&x->r, res, "uncertainty_ns", &unc);
	printf("clock: the guest was %s s off (\xc2\xb1%s s): %s\n", secs(a, sizeof(a), off, 1),
	       secs(b, sizeof(b), unc, 0), vctl_get_bool(&x->r, res, "stepped", 0) ? "stepped" : "not stepped");
	return 0;
}

static int send_entropy(struct vctl *x, long long n)
{
	static char buf[PROTO_REQUEST_MAX];
	unsigned char bytes[PROTO_ENTROPY_MAX];
	char text[B64_LEN(PROTO_ENTROPY_MAX) + 1];
	long long got = 0, bits = 0;
	struct jw w;
	int rc, res;
	if (getrandom(bytes, (size_t)n, 0) != (ssize_t)n)
		return vctl_transport_error("getrandom: no %lld random bytes", n);
	b64_encode(bytes, (size_t)n, text);
	vctl_req_begin(x, &w, buf, sizeof(buf) - 1, "entropy");
	jw_kstr(&w, "data", text);
	explicit_bzero(bytes, sizeof(bytes));
	explicit_bzero(text, sizeof(text));
	rc = vctl_call(x, &w, vctl_reply_ms(x), &res);
	explicit_bzero(buf, sizeof(buf));
	if (rc || x->json)
		return rc;
	vctl_get_int(&x->r, res, "bytes", &got);
	vctl_get_int(&x->r, res, "credited_bits", &bits);
	printf("entropy: %lld bytes added, %lld bits credited\n", got, bits);
	return 0;
}

static int send_resumed(struct vctl *x)
{
	char buf[128];
	long long count = 0;
	struct jw w;
	int rc, res;
	vctl_req_begin(x, &w, buf, sizeof(buf) - 1, "resumed");
	if ((rc = vctl_call(x, &w, vctl_reply_ms(x), &res)) || x->json)
		return rc;
	vctl_get_int(&x->r, res, "count", &count);
	printf("resumed: resume %lld%s\n", count,
	       vctl_get_bool(&x->r, res, "folded", 0) ? " (vminit had noticed it already)" : "");
	return 0;
}

static int cmd_clock(struct vctl *x, char **argv)
{
	static const struct opt opts[] = { { "offset", 'o', 1 }, { NULL, 0, 0 } };
	double off = 0;
	const char *v;
	char *end;
	int i = 1, k;
	while ((k = vctl_opt_next(argv, &i, opts, &v)) >= 0) {
		off = strtod(v, &end);
		if (end == v || *end || off < -1e9 || off > 1e9)
			return vctl_usage_error("--offset %s: want seconds, e.g. 3600 or -1.5", v);
	}
	if (k == -2)
		return EXIT_USAGE;
	if (argv[i])
		return vctl_usage_error("unexpected argument %s", argv[i]);
	return send_clock(x, (long long)(off * 1e9));
}

static int cmd_entropy(struct vctl *x, char **argv)
{
	static const struct opt opts[] = { { NULL, 0, 0 } };
	long long n = ENTROPY_DEFAULT;
	const char *v;
	int i = 1;
	if (vctl_opt_next(argv, &i, opts, &v) == -2)
		return EXIT_USAGE;
	if (argv[i] && (vctl_parse_count(argv[i++], PROTO_ENTROPY_MAX, &n) < 0 || n < 1))
		return vctl_usage_error("entropy: BYTES is from 1 to %d", PROTO_ENTROPY_MAX);
	if (argv[i])
		return vctl_usage_error("unexpected argument %s", argv[i]);
	return send_entropy(x, n);
}

static int cmd_resume(struct vctl *x, char **argv)
{
	int rc;
	(void)argv;
	if ((rc = send_clock(x, 0)) || (rc = send_entropy(x, ENTROPY_DEFAULT)))
		return rc;
	return send_resumed(x);
}

int vctl_cmd_clock(struct vctl *x, char **argv)
{
	if (!strcmp(argv[0], "clock"))
		return cmd_clock(x, argv);
	if (!strcmp(argv[0], "entropy"))
		return cmd_entropy(x, argv);
	if (argv[1])
		return vctl_usage_error("unexpected argument %s", argv[1]);
	return !strcmp(argv[0], "resumed") ? send_resumed(x) : cmd_resume(x, argv);
}

/* status: one line for the clock, resumes and entropy, once any happened. */
void vctl_print_clock(const struct jr *r, int res)
{
	int c = jr_get(r, res, "clock"), m = jr_get(r, res, "resume"), e = jr_get(r, res, "entropy");
	long long req = 0, steps = 0, off = 0, count = 0, sig = 0, bytes = 0, bits = 0;
	char a[32], src[16];
	vctl_get_int(r, c, "requests", &req);
	vctl_get_int(r, c, "steps", &steps);
	vctl_get_int(r, m, "count", &count);
	vctl_get_int(r, m, "signals", &sig);
	vctl_get_int(r, e, "bytes", &bytes);
	vctl_get_int(r, e, "credited_bits", &bits);
	if (!req && !count && !sig && !bytes)
		return;
	printf("\nclock: %lld requests, %lld steps", req, steps);
	if (vctl_get_int(r, c, "last_offset_ns", &off) == 0)
		printf(" (last %s s)", secs(a, sizeof(a), off, 1));
	printf("; resumes: %lld", count);
	if (count)
		printf(" (last told by %s, %lld signals)", vctl_get_str(r, m, "last_source", src, sizeof(src), "?"), sig);
	printf("; entropy: %lld bytes, %lld bits credited\n", bytes, bits);
}
