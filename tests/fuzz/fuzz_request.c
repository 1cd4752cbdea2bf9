/* fuzz_request.c - libFuzzer target for the host channel's decoder
 * (channel/proto.c, channel/json.c, channel/json_read.c, channel/addr.c):
 * `make fuzz`.
 *
 * The input is what a client sends: it is cut into lines as control/conn.c does
 * (at '\n', one '\r' before it dropped, empty lines skipped, a line of
 * PROTO_REQUEST_MAX bytes or more ends the connection). Each line goes
 * through proto_parse_request(), and then these must hold, or we abort:
 *
 * - the reply is one of the codes a decoder may give, with a message exactly
 *   when it is an error, short enough for the server's error reply, which
 *   (channel/encode.c's enc_error_reply) reads back as JSON with the id,
 *   the code and the message;
 * - the id to echo is "" or JSON as it stands (an integer or a string);
 * - what parsed is in range (docs/protocol.md): ops, limits, defaults;
 * - jr_parse() agrees with an independent strict JSON checker (below) on
 *   whether the line is one JSON object, and with keys unescaped by
 *   jr_bytes() on whether one appears twice in an object;
 * - everything decoded, written back with jw_* and read with jr_*, comes
 *   back byte for byte, and the writer's text is JSON to both checkers;
 * - the writer cut at an arbitrary capacity never writes past it;
 * - the raw line itself, as a string through jw_strn(), reads back as valid
 *   UTF-8, and exactly when the line was valid UTF-8 without NUL;
 * - addr_parse() of the line, when it accepts, formats to text that parses
 *   to the same address;
 * - entropy's bytes encode back to the base64 text sent (strict base64);
 * - the whole input, as a uevent message and a /dev/kmsg record
 *   (base/vmgen.c), is read without a fault, and a kmsg "yes" has the
 *   kernel's text in it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel/addr.h"
#include "channel/base64.h"
#include "channel/encode.h"
#include "channel/json.h"
#include "channel/proto.h"
#include "base/names.h"
#include "base/vmgen.h"

/* control/conn.c's ctl_reply_error() has more room than this, and drops the
 * connection when an error reply does not fit. */
#define ERROR_REPLY_MAX 1023

#include "tests/fuzz/fuzz_check.h"

static struct ctl_req req;
static char msg[512];

/* ---- an independent JSON checker ---- */

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* A string at s[*i] == '"'. Its bytes are held to what JSON's grammar and
 * jsmn check (escapes; no NUL, where jsmn stops): control characters and
 * UTF-8 are json_read.c's business when a string is read (jr_str). */
static int ref_string(const char *s, size_t n, size_t *i)
{
	size_t k = *i + 1;
	while (k < n) {
		char c = s[k];
		if (c == '"') {
			*i = k + 1;
			return 1;
		}
		if (c == '\0')
			return 0;
		if (c != '\\') {
			k++;
			continue;
		}
		if (++k >= n)
			return 0;
		switch (s[k]) {
		case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
			k++;
			break;
		case 'u':
			if (n - k < 5 || !is_hex(s[k + 1]) || !is_hex(s[k + 2]) || !is_hex(s[k + 3]) ||
			    !is_hex(s[k + 4]))
				return 0;
			k += 5;
			break;
		default:
			return 0;
		}
	}
	return 0;
}

static int ref_literal(const char *s, size_t n, size_t *i, const char *lit)
{
	size_t l = strlen(lit);
	if (n - *i < l || memcmp(s + *i, lit, l))
		return 0;
	*i += l;
	return 1;
}

/* A number or a literal at s[*i]. */
static int ref_primitive(const char *s, size_t n, size_t *i)
{
	size_t k = *i;
	if (s[k] == 't')
		return ref_literal(s, n, i, "true");
	if (s[k] == 'f')
		return ref_literal(s, n, i, "false");
	if (s[k] == 'n')
		return ref_literal(s, n, i, "null");
	if (s[k] == '-')
		k++;
	if (k < n && s[k] == '0') {
		k++;
	} else if (k < n && s[k] >= '1' && s[k] <= '9') {
		while (k < n && is_digit(s[k]))
			k++;
	} else {
		return 0;
	}
	if (k < n && s[k] == '.') {
		if (++k >= n || !is_digit(s[k]))
			return 0;
		while (k < n && is_digit(s[k]))
			k++;
	}
	if (k < n && (s[k] == 'e' || s[k] == 'E')) {
		if (++k < n && (s[k] == '+' || s[k] == '-'))
			k++;
		if (k >= n || !is_digit(s[k]))
			return 0;
		while (k < n && is_digit(s[k]))
			k++;
	}
	*i = k;
	return 1;
}

/* 1 if s[0..n) is one JSON object with only white space around it; the
 * number of its values and keys (jsmn's tokens) in *ret_ntok. No recursion:
 * a line may nest thousands deep. */
static int ref_json(const char *s, size_t n, int *ret_ntok)
{
	static char stack[PROTO_REQUEST_MAX * 2];
	enum { VALUE, VALUE_OR_END, KEY, KEY_OR_END, COLON, COMMA_OR_END, DONE } st = VALUE;
	size_t i = 0, depth = 0;
	int ntok = 0;

	while (i < n && is_ws(s[i]))
		i++;
	if (i >= n || s[i] != '{')
		return 0;
	for (;;) {
		char c;
		while (i < n && is_ws(s[i]))
			i++;
		if (i >= n)
			break;
		c = s[i];
		switch (st) {
		case DONE:
			return 0;
		case VALUE_OR_END:
		case VALUE:
			if (st == VALUE_OR_END && c == ']')
				goto close;
			ntok++;
			if (c == '{' || c == '[') {
				if (depth >= sizeof(stack))
					return 0;
				stack[depth++] = c;
				st = c == '{' ? KEY_OR_END : VALUE_OR_END;
				i++;
				continue;
			}
			if (c == '"' ? !ref_string(s, n, &i) : !ref_primitive(s, n, &i))
				return 0;
			st = COMMA_OR_END;
			continue;
		case KEY_OR_END:
		case KEY:
			if (st == KEY_OR_END && c == '}')
				goto close;
			if (c != '"' || !ref_string(s, n, &i))
				return 0;
			ntok++;
			st = COLON;
			continue;
		case COLON:
			if (c != ':')
				return 0;
			i++;
			st = VALUE;
			continue;
		case COMMA_OR_END:
			if (c == ',') {
				i++;
				st = stack[depth - 1] == '{' ? KEY : VALUE;
				continue;
			}
			goto close;
		}
close:
		if (c != (stack[depth - 1] == '{' ? '}' : ']'))
			return 0;
		i++;
		depth--;
		st = depth ? COMMA_OR_END : DONE;
	}
	*ret_ntok = ntok;
	return st == DONE;
}

/* ---- helpers ---- */

static int utf8_valid(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t l = utf8_seq_len((const unsigned char *)s + i, n - i);
		if (!l)
			return 0;
		i += l;
	}
	return 1;
}

static int in_strbuf(const char *p)
{
	return p >= req.strbuf && p < req.strbuf + sizeof(req.strbuf) &&
	       memchr(p, '\0', (size_t)(req.strbuf + sizeof(req.strbuf) - p));
}

/* Whether some object in r holds a key twice, keys compared as the text
 * they stand for (unescaped with jr_bytes, not with json_read.c's key compare):
 * 1 yes, 0 no, -1 unknown (a key that does not unescape: a lone surrogate,
 * bad UTF-8; such a key is compared by json_read.c alone). */
static int ref_duplicate_keys(const struct jr *r)
{
	static char text[PROTO_REQUEST_MAX * 2];
	static size_t off[PROTO_TOKENS_MAX], len[PROTO_TOKENS_MAX];
	int unknown = 0;
	for (int i = 0; i < r->n; i++) {
		size_t used = 0;
		int nk = 0, k = i + 1, skip = 0;
		if (r->tok[i].type != JSMN_OBJECT)
			continue;
		for (int j = 0; j < r->tok[i].size; j++, k = jr_next(r, k + 1)) {
			long l = jr_bytes(r, k, text + used, sizeof(text) - used);
			if (l < 0) {
				skip = 1;
				break;
			}
			off[nk] = used;
			len[nk++] = (size_t)l;
			used += (size_t)l + 1;
		}
		if (skip) {
			unknown = 1;
			continue;
		}
		for (int a = 0; a < nk; a++)
			for (int b = a + 1; b < nk; b++)
				if (len[a] == len[b] && !memcmp(text + off[a], text + off[b], len[a]))
					return 1;
	}
	return unknown ? -1 : 0;
}

/* The line as jr_parse sees it must be judged alike by the checker. The
 * result of jr_parse. */
static int check_reader(const char *line, size_t len)
{
	static jsmntok_t tok[PROTO_TOKENS_MAX];
	struct jr r;
	const char *err = NULL;
	int ntok = -1, ref = ref_json(line, len, &ntok);
	int rc = jr_parse(&r, tok, PROTO_TOKENS_MAX, line, len, &err);

	if (rc == 0) {
		CHECK(ref, "jr_parse accepted what is not one JSON object");
		CHECK(r.n == ntok, "jr_parse found %d values, the checker %d", r.n, ntok);
		CHECK(jr_next(&r, 0) == r.n, "jr_next(0) is %d of %d", jr_next(&r, 0), r.n);
		CHECK(ref_duplicate_keys(&r) != 1, "jr_parse accepted a key twice in one object");
	} else if (ref) {
		/* Valid JSON that jr_parse refuses on purpose: too big, or a key
		 * twice in an object. */
		CHECK((ntok > PROTO_TOKENS_MAX && !strcmp(err, "too many JSON values")) ||
		      !strcmp(err, "a key appears twice in one object"),
		      "jr_parse refused a JSON object of %d values: %s", ntok, err);
		/* Its tokens are still there (jr_parse forgot only their count)
		 * when the keys were all that was wrong. */
		if (!strcmp(err, "a key appears twice in one object")) {
			struct jr all = r;
			all.n = ntok;
			CHECK(ref_duplicate_keys(&all) != 0, "jr_parse saw a key twice where there is none");
		}
	}
	return rc;
}

/* The decoded request: in range, as docs/protocol.md says. */
static void check_request(enum ctl_err e)
{
	CHECK(e == CTL_OK || e == CTL_E_BAD_REQUEST || e == CTL_E_UNKNOWN_OP ||
		      e == CTL_E_TOO_LARGE,
	      "code %d", e);
	CHECK(memchr(msg, '\0', sizeof(msg)), "message not terminated");
	CHECK((e == CTL_OK) == (msg[0] == '\0'), "code %s with message \"%s\"", proto_err_name(e), msg);
	CHECK(memchr(req.id, '\0', sizeof(req.id)), "id not terminated");
	CHECK(strlen(req.id) <= PROTO_ID_MAX + 2, "id of %zu bytes", strlen(req.id));
	if (e != CTL_OK)
		return;
	CHECK(req.op > CTL_OP_NONE && req.op < CTL_OP_COUNT, "op %d", req.op);
	if (req.has_process)
		CHECK(memchr(req.process, '\0', sizeof(req.process)), "process not terminated");
	switch (req.op) {
	case CTL_OP_SIGNAL:
		CHECK(req.signal >= 1 && req.signal <= 64, "signal %d", req.signal);
		/* fall through */
	case CTL_OP_STOP:
	case CTL_OP_START:
	case CTL_OP_RESTART:
		CHECK(req.has_process, "no process");
		break;
	case CTL_OP_LOGS:
		CHECK(req.lines >= 0 && req.lines <= PROTO_LOG_LINES_MAX, "lines %lld", req.lines);
		CHECK(req.follow == 0 || req.follow == 1, "follow %d", req.follow);
		break;
	case CTL_OP_EVENTS:
		CHECK(req.has_since || req.since == 0, "since without has_since");
		CHECK(req.since <= (unsigned long long)INT64_MAX, "since %llu", req.since);
		break;
	case CTL_OP_SHUTDOWN:
		CHECK(req.reboot == 0 || req.reboot == 1, "reboot %d", req.reboot);
		break;
	case CTL_OP_CLOCK:
		CHECK(req.unix_ns > 0, "unix_ns %lld", req.unix_ns);
		CHECK(req.uncertainty_ns >= 0 && req.uncertainty_ns <= PROTO_CLOCK_UNCERTAINTY_MAX,
		      "uncertainty_ns %lld", req.uncertainty_ns);
		break;
	case CTL_OP_ENTROPY: {
		/* Strict base64: the bytes encode back to the text sent. */
		char text[B64_LEN(PROTO_ENTROPY_MAX) + 1];
		CHECK(req.entropy_len >= 1 && req.entropy_len <= PROTO_ENTROPY_MAX, "entropy_len %zu",
		      req.entropy_len);
		b64_encode(req.entropy, req.entropy_len, text);
		CHECK(!strcmp(text, req.strbuf), "entropy does not encode back to its text");
		break;
	}
	case CTL_OP_EXEC:
		CHECK(req.argc >= 1 && req.argc <= PROTO_EXEC_ARGS_MAX, "argc %d", req.argc);
		CHECK(req.envc >= 0 && req.envc <= PROTO_EXEC_ARGS_MAX, "envc %d", req.envc);
		CHECK(!req.argv[req.argc] && !req.env[req.envc], "argv or env not NULL-terminated");
		for (int i = 0; i < req.argc; i++)
			CHECK(in_strbuf(req.argv[i]), "argv[%d] outside strbuf", i);
		CHECK(req.argv[0][0], "empty command");
		for (int i = 0; i < req.envc; i++) {
			CHECK(in_strbuf(req.env[i]), "env[%d] outside strbuf", i);
			CHECK(req.env[i][0] != '=' && strchr(req.env[i], '='), "env[%d] \"%s\"", i,
			      req.env[i]);
		}
		if (req.has_user)
			CHECK(req.user[0] && memchr(req.user, '\0', sizeof(req.user)), "user");
		if (req.has_workdir)
			CHECK(req.workdir[0] == '/' && memchr(req.workdir, '\0', sizeof(req.workdir)),
			      "workdir");
		CHECK(req.timeout_ms >= 1 && req.timeout_ms <= PROTO_EXEC_TIMEOUT_MAX_MS, "timeout_ms %lld",
		      req.timeout_ms);
		CHECK(req.max_output >= 0 && req.max_output <= PROTO_EXEC_OUTPUT_MAX, "max_output %lld",
		      req.max_output);
		break;
	default:
		break;
	}
}

/* The request and its reply written with jw_*: every string the decoder
 * produced, every number, the message, the echoed id. */
static void emit(struct jw *w, enum ctl_err e)
{
	jw_obj(w);
	if (req.id[0]) {
		jw_key(w, "id");
		jw_raw(w, req.id, strlen(req.id));
	}
	jw_kbool(w, "ok", e == CTL_OK);
	jw_kstr(w, "code", proto_err_name(e));
	jw_kstr(w, "message", msg);
	if (e == CTL_OK) {
		jw_kstr(w, "op", proto_op_name(req.op));
		if (req.has_process)
			jw_kstr(w, "process", req.process);
		switch (req.op) {
		case CTL_OP_SIGNAL:
			jw_kint(w, "signal", req.signal);
			jw_kstr(w, "name", names_signal(req.signal));
			break;
		case CTL_OP_LOGS:
			jw_kint(w, "lines", req.lines);
			jw_kbool(w, "follow", req.follow);
			break;
		case CTL_OP_EVENTS:
			if (req.has_since)
				jw_kint(w, "since", (long long)req.since);
			break;
		case CTL_OP_SHUTDOWN:
			jw_kbool(w, "reboot", req.reboot);
			break;
		case CTL_OP_EXEC:
			jw_key(w, "argv");
			jw_arr(w);
			for (int i = 0; i < req.argc; i++)
				jw_str(w, req.argv[i]);
			jw_end_arr(w);
			jw_key(w, "env");
			jw_arr(w);
			for (int i = 0; i < req.envc; i++)
				jw_str(w, req.env[i]);
			jw_end_arr(w);
			if (req.has_user)
				jw_kstr(w, "user", req.user);
			if (req.has_workdir)
				jw_kstr(w, "workdir", req.workdir);
			jw_kint(w, "timeout_ms", req.timeout_ms);
			jw_kint(w, "max_output", req.max_output);
			break;
		default:
			break;
		}
	}
	jw_end(w);
	jw_nl(w);
}

/* The string at token i reads back as exactly s (valid UTF-8 without NUL,
 * as everything jr_str produced is), or as valid UTF-8 if s is not. */
static void expect_str(const struct jr *r, int i, const char *s, const char *what)
{
	static char out[PROTO_REQUEST_MAX * 4];
	size_t n = strlen(s);
	int l;
	CHECK(jr_type(r, i) == JR_STRING, "%s: not a string", what);
	l = jr_str(r, i, out, sizeof(out));
	CHECK(l >= 0, "%s: the writer's string does not read back", what);
	CHECK(utf8_valid(out, (size_t)l), "%s: read back as invalid UTF-8", what);
	if (utf8_valid(s, n))
		CHECK((size_t)l == n && !memcmp(out, s, n), "%s: \"%s\" read back as \"%s\"", what, s,
		      out);
}

static void expect_int(const struct jr *r, int i, long long v, const char *what)
{
	long long got;
	CHECK(jr_int(r, i, &got) == 0 && got == v, "%s: %lld did not read back", what, v);
}

static void expect_bool(const struct jr *r, int i, int v, const char *what)
{
	int got;
	CHECK(jr_bool(r, i, &got) == 0 && got == !!v, "%s: %d did not read back", what, v);
}

static void check_round_trip(enum ctl_err e, uint32_t seed)
{
	static char full[PROTO_REQUEST_MAX * 8], cut[PROTO_REQUEST_MAX * 8 + 64];
	static jsmntok_t tok[PROTO_TOKENS_MAX * 2];
	struct jw w;
	struct jr r;
	const char *err = NULL;
	int ntok, i;
	size_t cap;

	jw_init(&w, full, sizeof(full));
	emit(&w, e);
	CHECK(!w.overflow, "%zu bytes were not enough", sizeof(full));
	CHECK(w.len > 0 && full[w.len - 1] == '\n' && !memchr(full, '\n', w.len - 1),
	      "a message is not one line");
	CHECK(ref_json(full, w.len, &ntok), "the writer's text is not JSON: %.*s", (int)w.len, full);
	CHECK(jr_parse(&r, tok, PROTO_TOKENS_MAX * 2, full, w.len, &err) == 0,
	      "the writer's text does not parse: %s: %.*s", err, (int)w.len, full);

	if (req.id[0]) {
		i = jr_get(&r, 0, "id");
		CHECK(i > 0, "no id");
		if (req.id[0] == '"') {
			size_t n = strlen(req.id) - 2;
			CHECK(jr_type(&r, i) == JR_STRING, "id: not a string");
			CHECK((size_t)(r.tok[i].end - r.tok[i].start) == n &&
				      !memcmp(full + r.tok[i].start, req.id + 1, n),
			      "id: not echoed verbatim");
			char tmp[PROTO_ID_MAX + 1];
			CHECK(jr_str(&r, i, tmp, sizeof(tmp)) >= 0, "id: %s does not read", req.id);
		} else {
			char num[32];
			long long v;
			CHECK(jr_int(&r, i, &v) == 0, "id: %s is not an integer", req.id);
			snprintf(num, sizeof(num), "%lld", v);
			CHECK(!strcmp(num, req.id), "id: %s read back as %s", req.id, num);
		}
	}
	expect_bool(&r, jr_get(&r, 0, "ok"), e == CTL_OK, "ok");
	expect_str(&r, jr_get(&r, 0, "code"), proto_err_name(e), "code");
	expect_str(&r, jr_get(&r, 0, "message"), msg, "message");
	if (e == CTL_OK) {
		expect_str(&r, jr_get(&r, 0, "op"), proto_op_name(req.op), "op");
		if (req.has_process)
			expect_str(&r, jr_get(&r, 0, "process"), req.process, "process");
		switch (req.op) {
		case CTL_OP_SIGNAL:
			expect_int(&r, jr_get(&r, 0, "signal"), req.signal, "signal");
			if (names_signal(req.signal))
				expect_str(&r, jr_get(&r, 0, "name"), names_signal(req.signal), "name");
			else
				CHECK(jr_is_null(&r, jr_get(&r, 0, "name")), "name: not null");
			break;
		case CTL_OP_LOGS:
			expect_int(&r, jr_get(&r, 0, "lines"), req.lines, "lines");
			expect_bool(&r, jr_get(&r, 0, "follow"), req.follow, "follow");
			break;
		case CTL_OP_EVENTS:
			if (req.has_since)
				expect_int(&r, jr_get(&r, 0, "since"), (long long)req.since, "since");
			break;
		case CTL_OP_SHUTDOWN:
			expect_bool(&r, jr_get(&r, 0, "reboot"), req.reboot, "reboot");
			break;
		case CTL_OP_EXEC: {
			int a = jr_get(&r, 0, "argv"), v = jr_get(&r, 0, "env");
			CHECK(jr_type(&r, a) == JR_ARRAY && r.tok[a].size == req.argc, "argv: count");
			CHECK(jr_type(&r, v) == JR_ARRAY && r.tok[v].size == req.envc, "env: count");
			i = a + 1;
			for (int k = 0; k < req.argc; k++, i = jr_next(&r, i))
				expect_str(&r, i, req.argv[k], "argv");
			i = v + 1;
			for (int k = 0; k < req.envc; k++, i = jr_next(&r, i))
				expect_str(&r, i, req.env[k], "env");
			if (req.has_user)
				expect_str(&r, jr_get(&r, 0, "user"), req.user, "user");
			if (req.has_workdir)
				expect_str(&r, jr_get(&r, 0, "workdir"), req.workdir, "workdir");
			expect_int(&r, jr_get(&r, 0, "timeout_ms"), req.timeout_ms, "timeout_ms");
			expect_int(&r, jr_get(&r, 0, "max_output"), req.max_output, "max_output");
			break;
		}
		default:
			break;
		}
	}

	/* The same text cut at some capacity: a prefix, nothing past cap. */
	cap = seed % (w.len + 1);
	memset(cut, 0xa5, cap + 64);
	{
		struct jw c;
		jw_init(&c, cut, cap);
		emit(&c, e);
		CHECK(c.overflow == (cap < w.len), "cap %zu of %zu: overflow %d", cap, w.len, c.overflow);
		CHECK(c.len <= cap && !memcmp(cut, full, c.len), "cap %zu: not a prefix", cap);
		for (size_t k = c.len; k < cap + 64; k++)
			CHECK((unsigned char)cut[k] == 0xa5, "cap %zu: byte %zu written", cap, k);
	}
}

/* The server's error reply, as channel/encode.c spells it: it fits its
 * buffer, and it is one JSON object whose id, code and message read back. */
static void check_error_reply(enum ctl_err e)
{
	char buf[ERROR_REPLY_MAX], out[ENC_ERROR_MESSAGE_MAX * 3 + 1];
	jsmntok_t tok[16];
	struct jr r;
	struct jw w;
	const char *err = NULL;
	size_t n = strlen(msg);
	int i, l;
	if (e == CTL_OK)
		return;
	jw_init(&w, buf, sizeof(buf));
	enc_error_reply(&w, req.id, e, msg);
	CHECK(!w.overflow, "the error reply to this line is over %d bytes: %s", ERROR_REPLY_MAX, msg);
	CHECK(w.len > 0 && buf[w.len - 1] == '\n', "the error reply is not one line");
	CHECK(jr_parse(&r, tok, 16, buf, w.len - 1, &err) == 0, "the error reply is not JSON: %s", err);
	i = jr_get(&r, 0, "id");
	if (req.id[0]) {
		int q = i >= 0 && jr_type(&r, i) == JR_STRING;   /* the token is inside the quotes */
		CHECK(i >= 0 && (size_t)(r.tok[i].end - r.tok[i].start + 2 * q) == strlen(req.id) &&
			      !memcmp(buf + r.tok[i].start - q, req.id, strlen(req.id)),
		      "the id is not echoed as it came");
	} else {
		CHECK(i < 0, "an id where the request had none");
	}
	i = jr_get(&r, 0, "error");
	CHECK(jr_str(&r, jr_get(&r, i, "code"), out, sizeof(out)) >= 0 && !strcmp(out, proto_err_name(e)),
	      "the code does not read back");
	l = jr_str(&r, jr_get(&r, i, "message"), out, sizeof(out));
	CHECK(l >= 0, "the message does not read back");
	if (n <= ENC_ERROR_MESSAGE_MAX && utf8_valid(msg, n))
		CHECK((size_t)l == n && !memcmp(out, msg, n), "the message reads back changed");
}

/* Any bytes as a string: valid UTF-8 back, and the same bytes when they
 * were valid UTF-8 without NUL. */
static void check_raw_string(const char *line, size_t len)
{
	static char buf[PROTO_REQUEST_MAX * 6 + 64], out[PROTO_REQUEST_MAX * 3 + 64];
	jsmntok_t tok[4];
	struct jr r;
	struct jw w;
	const char *err = NULL;
	int l;
	jw_init(&w, buf, sizeof(buf));
	jw_obj(&w);
	jw_key(&w, "s");
	jw_strn(&w, line, len);
	jw_end(&w);
	CHECK(!w.overflow, "a line of %zu bytes did not fit %zu", len, sizeof(buf));
	CHECK(jr_parse(&r, tok, 4, buf, w.len, &err) == 0, "jw_strn made bad JSON: %s", err);
	l = jr_str(&r, 2, out, sizeof(out));
	if (memchr(line, '\0', len)) {
		CHECK(l < 0, "\\u0000 read back");
		return;
	}
	CHECK(l >= 0, "the string does not read back");
	CHECK(utf8_valid(out, (size_t)l), "read back as invalid UTF-8");
	if (utf8_valid(line, len))
		CHECK((size_t)l == len && !memcmp(out, line, len), "valid UTF-8 changed");
	else
		CHECK((size_t)l != len || memcmp(out, line, len), "invalid UTF-8 kept");
}

static void check_addr(const char *line, size_t len)
{
	char s[512], text[512];
	struct addr a, b;
	const char *err = NULL;
	if (len >= sizeof(s))
		return;
	memcpy(s, line, len);
	s[len] = '\0';
	memset(&a, 0, sizeof(a));
	if (addr_parse(s, &a, &err) < 0) {
		CHECK(err && *err, "no reason");
		return;
	}
	CHECK(a.kind == ADDR_VSOCK || (a.path[0] && memchr(a.path, '\0', sizeof(a.path))), "path");
	addr_format(&a, text, sizeof(text));
	memset(&b, 0, sizeof(b));
	CHECK(addr_parse(text, &b, &err) == 0, "\"%s\" formats to \"%s\", which does not parse", s, text);
	CHECK(!memcmp(&a, &b, sizeof(a)), "\"%s\" formats to \"%s\", a different address", s, text);
}

static void one_line(const char *line, size_t len)
{
	enum ctl_err e;
	uint32_t seed = 2166136261u;   /* FNV-1a of the line: where to cut */
	for (size_t i = 0; i < len; i++)
		seed = (seed ^ (unsigned char)line[i]) * 16777619u;

	memset(&req, 0xa5, sizeof(req));
	memset(msg, 0xa5, sizeof(msg));
	e = proto_parse_request(line, len, &req, msg, sizeof(msg));
	if (len >= PROTO_REQUEST_MAX) {
		CHECK(e == CTL_E_TOO_LARGE, "a line of %zu bytes gave %s", len, proto_err_name(e));
		return;
	}
	CHECK(e != CTL_E_TOO_LARGE, "a line of %zu bytes is too large", len);
	check_request(e);
	if (check_reader(line, len) < 0)
		CHECK(e == CTL_E_BAD_REQUEST, "jr_parse refused the line, the decoder gave %s",
		      proto_err_name(e));
	check_error_reply(e);
	check_round_trip(e, seed);
	check_raw_string(line, len);
	check_addr(line, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	/* The kernel's VM fork notices (base/vmgen.c), read without trust:
	 * the whole input as a uevent message and as a kmsg record. A kmsg
	 * yes needs the kernel's text in the input. */
	vmgen_uevent(p, size);
	if (vmgen_kmsg(p, size))
		CHECK(memmem(p, size, "virtual machine fork", 20), "a kmsg yes without the text");
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)((nl ? nl : end) - p);
		/* control/conn.c: a line without its newline in PROTO_REQUEST_MAX bytes
		 * ends the connection; the last line without one is parsed here
		 * anyway, as if the newline came. */
		if (len >= PROTO_REQUEST_MAX) {
			one_line(p, len);
			break;
		}
		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (len > 0)
			one_line(p, len);
		p += (size_t)((nl ? nl : end) - p) + (nl != NULL);
	}
	return 0;
}
