#include "tests/unit/unit.h"

/* test_resume_proto.c - the clock, entropy and resumed requests
 * (channel/proto.c) and strict base64 (channel/base64.c): what is accepted,
 * what is refused and why, and that entropy's bytes arrive intact. */

#include "channel/base64.h"
#include "channel/proto.h"

static struct ctl_req rq;
static char rmsg[512];

static enum ctl_err rparse(const char *line)
{
	memset(&rq, 0x5a, sizeof(rq));
	return proto_parse_request(line, strlen(line), &rq, rmsg, sizeof(rmsg));
}

static void refused(const char *line, const char *needle)
{
	cr_assert_eq(rparse(line), CTL_E_BAD_REQUEST, "accepted: %s", line);
	cr_assert(strstr(rmsg, needle), "[%s] does not say %s", rmsg, needle);
}

Test(base64, round_trips_every_length)
{
	unsigned char in[40], out[40];
	char text[B64_LEN(40) + 1];
	for (size_t n = 0; n <= sizeof(in); n++) {
		for (size_t i = 0; i < n; i++)
			in[i] = (unsigned char)(i * 37 + n);
		b64_encode(in, n, text);
		cr_assert_eq(strlen(text), B64_LEN(n));
		cr_assert_eq(b64_decode(text, strlen(text), out, sizeof(out)), (long)n, "%zu: %s", n, text);
		cr_assert_eq(memcmp(in, out, n), 0);
	}
	b64_encode((const unsigned char *)"foobar", 6, text);
	cr_assert_str_eq(text, "Zm9vYmFy");
	b64_encode((const unsigned char *)"fo", 2, text);
	cr_assert_str_eq(text, "Zm8=");
}

Test(base64, strict)
{
	unsigned char out[16];
	static const char *const bad[] = {
		"Zm8", "Zm8==", "Z===", "Zm=8", "Zm8=Zm8=", "Zm 8", "Zm8-", "Zm8_", "Zm9=",   /* 9: bits left */
		"Zh==",                                                                     /* h: bits left */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(b64_decode(bad[i], strlen(bad[i]), out, sizeof(out)), -1, "accepted %s", bad[i]);
	cr_assert_eq(b64_decode("Zg==", 4, out, sizeof(out)), 1);
	cr_assert_eq(out[0], 'f');
	cr_assert_eq(b64_decode("Zm9vYmFy", 8, out, 5), -1, "past cap");
	cr_assert_eq(b64_decode("", 0, out, sizeof(out)), 0);
}

Test(resume_proto, clock)
{
	cr_assert_eq(rparse("{\"op\":\"clock\",\"unix_ns\":1700000000123456789}"), CTL_OK, "%s", rmsg);
	cr_assert_eq(rq.op, CTL_OP_CLOCK);
	cr_assert_eq(rq.unix_ns, 1700000000123456789LL);
	cr_assert_eq(rq.uncertainty_ns, 0, "the default");
	cr_assert_eq(rparse("{\"op\":\"clock\",\"unix_ns\":5,\"uncertainty_ns\":60000000000}"), CTL_OK);
	cr_assert_eq(rq.uncertainty_ns, 60000000000LL);
	refused("{\"op\":\"clock\"}", "unix_ns: missing");
	refused("{\"op\":\"clock\",\"unix_ns\":0}", "unix_ns");
	refused("{\"op\":\"clock\",\"unix_ns\":-5}", "unix_ns");
	refused("{\"op\":\"clock\",\"unix_ns\":\"5\"}", "unix_ns");
	refused("{\"op\":\"clock\",\"unix_ns\":1.5}", "unix_ns");
	refused("{\"op\":\"clock\",\"unix_ns\":5,\"uncertainty_ns\":60000000001}", "uncertainty_ns");
	refused("{\"op\":\"clock\",\"unix_ns\":5,\"uncertainty_ns\":-1}", "uncertainty_ns");
}

Test(resume_proto, entropy)
{
	static char line[PROTO_REQUEST_MAX];
	unsigned char bytes[PROTO_ENTROPY_MAX + 1];
	char text[B64_LEN(PROTO_ENTROPY_MAX + 1) + 1];
	for (size_t i = 0; i < sizeof(bytes); i++)
		bytes[i] = (unsigned char)(255 - i);
	b64_encode(bytes, PROTO_ENTROPY_MAX, text);
	snprintf(line, sizeof(line), "{\"op\":\"entropy\",\"data\":\"%s\"}", text);
	cr_assert_eq(rparse(line), CTL_OK, "%s", rmsg);
	cr_assert_eq(rq.op, CTL_OP_ENTROPY);
	cr_assert_eq(rq.entropy_len, PROTO_ENTROPY_MAX);
	cr_assert_eq(memcmp(rq.entropy, bytes, PROTO_ENTROPY_MAX), 0);
	/* One byte more is too many; none is too few. */
	b64_encode(bytes, PROTO_ENTROPY_MAX + 1, text);
	snprintf(line, sizeof(line), "{\"op\":\"entropy\",\"data\":\"%s\"}", text);
	refused(line, "1 to 512 bytes");
	refused("{\"op\":\"entropy\",\"data\":\"\"}", "1 to 512 bytes");
	refused("{\"op\":\"entropy\"}", "data: missing");
	refused("{\"op\":\"entropy\",\"data\":7}", "data: must be");
	refused("{\"op\":\"entropy\",\"data\":\"Zm8\"}", "base64");
	refused("{\"op\":\"entropy\",\"data\":\"Zm9=\"}", "base64");
	/* The message never quotes the data. */
	refused("{\"op\":\"entropy\",\"data\":\"SECRETSECRET!\"}", "base64");
	cr_assert_null(strstr(rmsg, "SECRET"));
	cr_assert_eq(rparse("{\"op\":\"entropy\",\"data\":\"Zm8=\"}"), CTL_OK);
	cr_assert_eq(rq.entropy_len, 2);
	cr_assert_eq(memcmp(rq.entropy, "fo", 2), 0);
}

Test(resume_proto, resumed)
{
	cr_assert_eq(rparse("{\"id\":3,\"op\":\"resumed\"}"), CTL_OK);
	cr_assert_eq(rq.op, CTL_OP_RESUMED);
	cr_assert_str_eq(proto_op_name(CTL_OP_RESUMED), "resumed");
	cr_assert_str_eq(proto_op_name(CTL_OP_CLOCK), "clock");
	cr_assert_str_eq(proto_op_name(CTL_OP_ENTROPY), "entropy");
}
