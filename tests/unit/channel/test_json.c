#include "tests/unit/unit.h"

/* test_json.c - the host channel's JSON (channel/json.c): the writer's
 * nesting, escapes, UTF-8 repair and overflow at every cut point; the reader's
 * strictness (jsmn plus the exact checks json.c adds); and the two together:
 * whatever the writer makes, the reader takes back byte for byte. */

#include <limits.h>

#include "channel/json.h"

#define TOKS 256

/* ---- helpers ---- */

/* What the writer makes of calls, as a C string (asserts no overflow). */
#define WRITE(w, body)                                                          \
	({                                                                      \
		static char buf_[8192];                                         \
		struct jw w;                                                    \
		jw_init(&w, buf_, sizeof(buf_) - 1);                            \
		body;                                                           \
		cr_assert_eq(w.overflow, 0, "overflow");                        \
		buf_[w.len] = '\0';                                             \
		(const char *)buf_;                                             \
	})

/* jw_strn(s, n) alone, as a C string. */
static const char *enc(const char *s, size_t n)
{
	return WRITE(w, jw_strn(&w, s, n));
}

static const char *enc0(const char *s)
{
	return enc(s, strlen(s));
}

/* The reader over js, which must parse. */
static struct jr *parse_ok_n(const char *js, size_t len)
{
	static struct jr r;
	static jsmntok_t tok[TOKS];
	const char *err = NULL;
	cr_assert_eq(jr_parse(&r, tok, TOKS, js, len, &err), 0, "jr_parse rejected [%.*s]: %s",
		     (int)len, js, err);
	return &r;
}

static struct jr *parse_ok(const char *js)
{
	return parse_ok_n(js, strlen(js));
}

/* jr_parse fails, with a reason containing needle (if not NULL). */
static void parse_err_n(const char *js, size_t len, const char *needle)
{
	struct jr r;
	jsmntok_t tok[TOKS];
	const char *err = NULL;
	cr_assert_eq(jr_parse(&r, tok, TOKS, js, len, &err), -1, "jr_parse accepted [%.*s]",
		     (int)len, js);
	cr_assert_not_null(err, "no reason for [%.*s]", (int)len, js);
	if (needle)
		cr_assert(strstr(err, needle), "reason for [%.*s] is \"%s\", want \"%s\"", (int)len,
			  js, err, needle);
	cr_assert_eq(r.n, 0, "tokens left after a failure");
	cr_assert_eq(jr_type(&r, 0), JR_NONE);
}

static void parse_err(const char *js, const char *needle)
{
	parse_err_n(js, strlen(js), needle);
}

/* The string value of "k" in {"k":<json>}, or NULL when jr_str refuses it. */
static const char *str_of(const char *json_value)
{
	static char doc[4096], out[4096];
	struct jr *r;
	int i, n;
	snprintf(doc, sizeof(doc), "{\"k\":%s}", json_value);
	r = parse_ok(doc);
	i = jr_get(r, 0, "k");
	cr_assert_eq(jr_type(r, i), JR_STRING, "%s is not a string", json_value);
	n = jr_str(r, i, out, sizeof(out));
	if (n < 0)
		return NULL;
	cr_assert_eq((size_t)n, strlen(out), "jr_str's length is not the text's for %s", json_value);
	return out;
}

/* The integer value of "k" in {"k":<json>}: 0 and *v, or -1. Asserts that
 * the object parses. */
static int int_of(const char *json_value, long long *v)
{
	static char doc[256];
	struct jr *r;
	snprintf(doc, sizeof(doc), "{\"k\":%s}", json_value);
	r = parse_ok(doc);
	return jr_int(r, jr_get(r, 0, "k"), v);
}

#define U_FFFD "\\ufffd"

/* ---- writer: structure ---- */

Test(jw, empty_object)
{
	cr_assert_str_eq(WRITE(w, (jw_obj(&w), jw_end(&w))), "{}");
	cr_assert_str_eq(WRITE(w, (jw_obj(&w), jw_end(&w), jw_nl(&w))), "{}\n");
}

Test(jw, nesting_and_commas)
{
	const char *s = WRITE(w, ({
		jw_obj(&w);
		jw_kint(&w, "a", 1);
		jw_key(&w, "b");
		jw_arr(&w);
		jw_int(&w, 1);
		jw_str(&w, "x");
		jw_obj(&w);
		jw_knull(&w, "c");
		jw_end(&w);
		jw_arr(&w);
		jw_end_arr(&w);
		jw_arr(&w);
		jw_arr(&w);
		jw_bool(&w, 0);
		jw_end_arr(&w);
		jw_end_arr(&w);
		jw_end_arr(&w);
		jw_key(&w, "d");
		jw_obj(&w);
		jw_end(&w);
		jw_kbool(&w, "e", 1);
		jw_kstr(&w, "f", "g");
		jw_kstr(&w, "h", NULL);
		jw_key(&w, "i");
		jw_raw(&w, "\"raw\"", 5);
		jw_end(&w);
		jw_nl(&w);
	}));
	cr_assert_str_eq(s, "{\"a\":1,\"b\":[1,\"x\",{\"c\":null},[],[[false]]],\"d\":{},\"e\":true,"
			    "\"f\":\"g\",\"h\":null,\"i\":\"raw\"}\n");
	parse_ok(s);
}

Test(jw, message_after_message)
{
	/* jw_nl ends a message: the next one starts without a comma. */
	const char *s = WRITE(w, ({
		jw_obj(&w);
		jw_kint(&w, "a", 1);
		jw_end(&w);
		jw_nl(&w);
		jw_obj(&w);
		jw_kint(&w, "b", 2);
		jw_end(&w);
		jw_nl(&w);
	}));
	cr_assert_str_eq(s, "{\"a\":1}\n{\"b\":2}\n");
}

Test(jw, integers)
{
	cr_assert_str_eq(WRITE(w, jw_int(&w, 0)), "0");
	cr_assert_str_eq(WRITE(w, jw_int(&w, -1)), "-1");
	cr_assert_str_eq(WRITE(w, jw_int(&w, LLONG_MAX)), "9223372036854775807");
	cr_assert_str_eq(WRITE(w, jw_int(&w, LLONG_MIN)), "-9223372036854775808");
	cr_assert_str_eq(WRITE(w, (jw_arr(&w), jw_int(&w, 1), jw_int(&w, 2), jw_end_arr(&w))),
			 "[1,2]");
}

Test(jw, literals)
{
	cr_assert_str_eq(WRITE(w, jw_bool(&w, 1)), "true");
	cr_assert_str_eq(WRITE(w, jw_bool(&w, 42)), "true");
	cr_assert_str_eq(WRITE(w, jw_bool(&w, 0)), "false");
	cr_assert_str_eq(WRITE(w, jw_null(&w)), "null");
}

/* ---- writer: escapes ---- */

Test(jw, escapes)
{
	cr_assert_str_eq(enc0(""), "\"\"");
	cr_assert_str_eq(enc0("plain text"), "\"plain text\"");
	cr_assert_str_eq(enc0("\""), "\"\\\"\"");
	cr_assert_str_eq(enc0("\\"), "\"\\\\\"");
	cr_assert_str_eq(enc0("\n"), "\"\\n\"");
	cr_assert_str_eq(enc0("\r"), "\"\\r\"");
	cr_assert_str_eq(enc0("\t"), "\"\\t\"");
	cr_assert_str_eq(enc0("\b"), "\"\\u0008\"");
	cr_assert_str_eq(enc0("\f"), "\"\\u000c\"");
	/* '/' and DEL need no escape */
	cr_assert_str_eq(enc0("a/b\x7f"), "\"a/b\x7f\"");
	cr_assert_str_eq(enc0("say \"hi\"\\n\r\n"), "\"say \\\"hi\\\"\\\\n\\r\\n\"");
}

Test(jw, control_characters_as_u00xx)
{
	for (int c = 0; c < 0x20; c++) {
		char in[3] = { 'a', (char)c, 'b' }, want[16];
		if (c == '\n' || c == '\r' || c == '\t')
			continue;
		snprintf(want, sizeof(want), "\"a\\u00%02xb\"", c);
		cr_assert_str_eq(enc(in, 3), want, "byte 0x%02x", c);
	}
}

Test(jw, printable_ascii_kept)
{
	for (int c = 0x20; c < 0x80; c++) {
		char in[1] = { (char)c }, want[8];
		if (c == '"' || c == '\\')
			continue;
		snprintf(want, sizeof(want), "\"%c\"", c);
		cr_assert_str_eq(enc(in, 1), want, "byte 0x%02x", c);
	}
}

Test(jw, nul_byte_with_length)
{
	cr_assert_str_eq(enc("a\0b", 3), "\"a\\u0000b\"");
}

Test(jw, key_is_escaped)
{
	cr_assert_str_eq(WRITE(w, (jw_obj(&w), jw_kint(&w, "a\"b\n", 1), jw_end(&w))),
			 "{\"a\\\"b\\n\":1}");
}

/* ---- writer: UTF-8 ---- */

Test(jw, valid_utf8_kept)
{
	static const char *const ok[] = {
		"\xc2\x80",                 /* U+0080, the first 2-byte */
		"\xc3\xa9",                 /* é */
		"\xdf\xbf",                 /* U+07FF */
		"\xe0\xa0\x80",             /* U+0800, the first 3-byte */
		"\xe2\x82\xac",             /* € */
		"\xed\x9f\xbf",             /* U+D7FF, just below the surrogates */
		"\xee\x80\x80",             /* U+E000, just above */
		"\xef\xbf\xbd",             /* U+FFFD itself */
		"\xef\xbf\xbf",             /* U+FFFF */
		"\xf0\x90\x80\x80",         /* U+10000, the first 4-byte */
		"\xf0\x9f\x98\x80",         /* 😀 */
		"\xf4\x8f\xbf\xbf",         /* U+10FFFF, the last */
		"na\xc3\xafve caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac",
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char want[64];
		snprintf(want, sizeof(want), "\"%s\"", ok[i]);
		cr_assert_str_eq(enc0(ok[i]), want, "case %zu", i);
	}
}

Test(jw, invalid_utf8_replaced)
{
	static const struct { const char *in, *out; } cases[] = {
		/* stray continuation bytes */
		{ "\x80", "\"" U_FFFD "\"" },
		{ "a\xbfz", "\"a" U_FFFD "z\"" },
		{ "\xc3\xa9\xa9", "\"\xc3\xa9" U_FFFD "\"" },
		/* bytes that never start a sequence */
		{ "\xc0", "\"" U_FFFD "\"" },
		{ "\xc1", "\"" U_FFFD "\"" },
		{ "\xf5\x80\x80\x80", "\"" U_FFFD U_FFFD U_FFFD U_FFFD "\"" },
		{ "\xfe\xff", "\"" U_FFFD U_FFFD "\"" },
		/* overlong */
		{ "\xc0\xaf", "\"" U_FFFD U_FFFD "\"" },
		{ "\xc1\xbf", "\"" U_FFFD U_FFFD "\"" },
		{ "\xe0\x80\xaf", "\"" U_FFFD U_FFFD U_FFFD "\"" },
		{ "\xe0\x9f\xbf", "\"" U_FFFD U_FFFD U_FFFD "\"" },
		{ "\xf0\x80\x80\xaf", "\"" U_FFFD U_FFFD U_FFFD U_FFFD "\"" },
		{ "\xf0\x8f\xbf\xbf", "\"" U_FFFD U_FFFD U_FFFD U_FFFD "\"" },
		/* UTF-16 surrogates */
		{ "\xed\xa0\x80", "\"" U_FFFD U_FFFD U_FFFD "\"" },
		{ "\xed\xbf\xbf", "\"" U_FFFD U_FFFD U_FFFD "\"" },
		{ "\xed\xa0\xbd\xed\xb8\x80", "\"" U_FFFD U_FFFD U_FFFD U_FFFD U_FFFD U_FFFD "\"" },
		/* over U+10FFFF */
		{ "\xf4\x90\x80\x80", "\"" U_FFFD U_FFFD U_FFFD U_FFFD "\"" },
		{ "\xf7\xbf\xbf\xbf", "\"" U_FFFD U_FFFD U_FFFD U_FFFD "\"" },
		/* a lead byte without its continuation, then ASCII */
		{ "\xc3z", "\"" U_FFFD "z\"" },
		{ "\xe2\x82z", "\"" U_FFFD U_FFFD "z\"" },
		{ "\xe2\x82\xc3\xa9", "\"" U_FFFD U_FFFD "\xc3\xa9\"" },
		/* a sequence cut by the end of the text */
		{ "a\xc3", "\"a" U_FFFD "\"" },
		{ "a\xe2\x82", "\"a" U_FFFD U_FFFD "\"" },
		{ "a\xf0\x9f\x98", "\"a" U_FFFD U_FFFD U_FFFD "\"" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_assert_str_eq(enc0(cases[i].in), cases[i].out, "case %zu", i);
}

Test(jw, truncated_sequence_with_explicit_length)
{
	/* The sequence is whole in memory but cut by n: n is the end. */
	cr_assert_str_eq(enc("\xe2\x82\xac", 2), "\"" U_FFFD U_FFFD "\"");
	cr_assert_str_eq(enc("\xf0\x9f\x98\x80", 3), "\"" U_FFFD U_FFFD U_FFFD "\"");
	cr_assert_str_eq(enc("\xc3\xa9", 1), "\"" U_FFFD "\"");
	cr_assert_str_eq(enc("\xc3\xa9", 2), "\"\xc3\xa9\"");
}

Test(jw, utf8_seq_len)
{
	const unsigned char *u = (const unsigned char *)"\xf0\x9f\x98\x80";
	cr_assert_eq(utf8_seq_len((const unsigned char *)"A", 1), 1);
	cr_assert_eq(utf8_seq_len((const unsigned char *)"\xc3\xa9", 2), 2);
	cr_assert_eq(utf8_seq_len((const unsigned char *)"\xe2\x82\xac", 3), 3);
	cr_assert_eq(utf8_seq_len(u, 4), 4);
	cr_assert_eq(utf8_seq_len(u, 3), 0);
	cr_assert_eq(utf8_seq_len((const unsigned char *)"\xc3\xa9", 1), 0);
	cr_assert_eq(utf8_seq_len((const unsigned char *)"\x80", 1), 0);
	cr_assert_eq(utf8_seq_len((const unsigned char *)"\xc3\x28", 2), 0);
	cr_assert_eq(utf8_seq_len((const unsigned char *)"\xe2\x28\xa1", 3), 0);
	cr_assert_eq(utf8_seq_len((const unsigned char *)"\xe2\x82\x28", 3), 0);
	cr_assert_eq(utf8_seq_len((const unsigned char *)"\xf0\x9f\x98\x28", 4), 0);
}

/* Every 1-, 2- and 3-byte sequence and the 4-byte ones around each boundary,
 * checked against the code point it would decode to. */
Test(jw, utf8_seq_len_exhaustive)
{
	for (unsigned b0 = 0x80; b0 < 0x100; b0++) {
		unsigned char s[1] = { (unsigned char)b0 };
		cr_assert_eq(utf8_seq_len(s, 1), 0, "lone 0x%02x", b0);
	}
	for (unsigned b0 = 0xc0; b0 < 0x100; b0++)
		for (unsigned b1 = 0; b1 < 0x100; b1++) {
			unsigned char s[2] = { (unsigned char)b0, (unsigned char)b1 };
			unsigned cp = (b0 & 0x1f) << 6 | (b1 & 0x3f);
			size_t want = b0 < 0xe0 && (b1 & 0xc0) == 0x80 && cp >= 0x80 ? 2 : 0;
			cr_assert_eq(utf8_seq_len(s, 2), want, "%02x %02x", b0, b1);
		}
	for (unsigned b0 = 0xe0; b0 < 0xf0; b0++)
		for (unsigned b1 = 0x80; b1 < 0xc0; b1++)
			for (unsigned b2 = 0x70; b2 < 0xd0; b2 += 0x0f) {
				unsigned char s[3] = { (unsigned char)b0, (unsigned char)b1,
						       (unsigned char)b2 };
				unsigned cp = (b0 & 0x0f) << 12 | (b1 & 0x3f) << 6 | (b2 & 0x3f);
				size_t want = (b2 & 0xc0) == 0x80 && cp >= 0x800 &&
							      !(cp >= 0xd800 && cp <= 0xdfff)
						      ? 3
						      : 0;
				cr_assert_eq(utf8_seq_len(s, 3), want, "%02x %02x %02x", b0, b1, b2);
			}
	for (unsigned b0 = 0xf0; b0 < 0x100; b0++)
		for (unsigned b1 = 0x80; b1 < 0xc0; b1++) {
			unsigned char s[4] = { (unsigned char)b0, (unsigned char)b1, 0x80, 0xbf };
			unsigned cp = (b0 & 0x07) << 18 | (b1 & 0x3f) << 12 | 0x3f;
			size_t want = b0 < 0xf8 && cp >= 0x10000 && cp <= 0x10ffff ? 4 : 0;
			cr_assert_eq(utf8_seq_len(s, 4), want, "%02x %02x 80 bf", b0, b1);
		}
}

/* ---- writer: overflow ---- */

/* One message with every kind of write. */
static void write_all_kinds(struct jw *w)
{
	jw_obj(w);
	jw_kint(w, "id", -42);
	jw_kbool(w, "ok", 1);
	jw_key(w, "result");
	jw_obj(w);
	jw_kstr(w, "esc", "q\"b\\n\nr\rt\t\x01\x1f");
	jw_kstr(w, "utf8", "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	jw_kstr(w, "bad", "\xff\xc3\xe2\x82");
	jw_knull(w, "none");
	jw_key(w, "list");
	jw_arr(w);
	jw_int(w, LLONG_MIN);
	jw_bool(w, 0);
	jw_null(w);
	jw_strn(w, "x\0y", 3);
	jw_end_arr(w);
	jw_end(w);
	jw_key(w, "echo");
	jw_raw(w, "\"a7\"", 4);
	jw_end(w);
	jw_nl(w);
}

Test(jw, overflow_at_every_cut_point)
{
	char full[1024];
	struct jw w;
	size_t n;

	jw_init(&w, full, sizeof(full));
	write_all_kinds(&w);
	cr_assert_eq(w.overflow, 0);
	n = w.len;
	cr_assert(n > 100 && n < sizeof(full));

	for (size_t cap = 0; cap <= n; cap++) {
		/* Canaries after cap, in a buffer big enough for all of it. */
		char buf[1024 + 16];
		memset(buf, 0xa5, sizeof(buf));
		jw_init(&w, buf, cap);
		write_all_kinds(&w);
		cr_assert_eq(w.overflow, cap < n, "cap %zu: overflow %d", cap, w.overflow);
		cr_assert_leq(w.len, cap, "cap %zu: len %zu", cap, w.len);
		cr_assert_eq(memcmp(buf, full, w.len), 0, "cap %zu: not a prefix of the whole", cap);
		for (size_t i = cap; i < sizeof(buf); i++)
			cr_assert_eq((unsigned char)buf[i], 0xa5, "cap %zu: byte %zu written", cap, i);
		for (size_t i = w.len; i < cap; i++)
			cr_assert_eq((unsigned char)buf[i], 0xa5, "cap %zu: byte %zu after len", cap,
				     i);
	}
}

Test(jw, overflow_exact_size_heap_buffers)
{
	/* The same under ASan with nothing after cap to absorb a stray write. */
	char full[1024];
	struct jw w;
	size_t n;
	jw_init(&w, full, sizeof(full));
	write_all_kinds(&w);
	n = w.len;
	for (size_t cap = 0; cap <= n; cap++) {
		char *buf = malloc(cap ? cap : 1);
		cr_assert_not_null(buf);
		jw_init(&w, buf, cap);
		write_all_kinds(&w);
		cr_assert_eq(w.overflow, cap < n);
		free(buf);
	}
}

Test(jw, overflow_sticks)
{
	/* Once something did not fit, nothing more is written, even what fits. */
	char buf[8];
	struct jw w;
	jw_init(&w, buf, sizeof(buf));
	jw_str(&w, "0123456789");
	cr_assert(w.overflow);
	size_t len = w.len;
	jw_int(&w, 1);
	jw_nl(&w);
	jw_null(&w);
	cr_assert_eq(w.len, len);
	cr_assert(w.overflow);
}

Test(jw, zero_capacity)
{
	char buf[1] = { 'Z' };
	struct jw w;
	jw_init(&w, buf, 0);
	jw_obj(&w);
	cr_assert(w.overflow);
	cr_assert_eq(w.len, 0);
	cr_assert_eq(buf[0], 'Z');
}

/* ---- reader: structure ---- */

Test(jr, object)
{
	struct jr *r = parse_ok("{\"a\":1,\"b\":\"x\",\"c\":true,\"d\":null,\"e\":{},\"f\":[]}");
	long long v;
	int b;
	char s[8];
	cr_assert_eq(jr_type(r, 0), JR_OBJECT);
	cr_assert_eq(jr_int(r, jr_get(r, 0, "a"), &v), 0);
	cr_assert_eq(v, 1);
	cr_assert_eq(jr_str(r, jr_get(r, 0, "b"), s, sizeof(s)), 1);
	cr_assert_str_eq(s, "x");
	cr_assert_eq(jr_bool(r, jr_get(r, 0, "c"), &b), 0);
	cr_assert_eq(b, 1);
	cr_assert(jr_is_null(r, jr_get(r, 0, "d")));
	cr_assert_eq(jr_type(r, jr_get(r, 0, "e")), JR_OBJECT);
	cr_assert_eq(jr_type(r, jr_get(r, 0, "f")), JR_ARRAY);
	cr_assert_eq(r->n, 13);
}

Test(jr, empty_object_and_white_space)
{
	struct jr *r = parse_ok("{}");
	cr_assert_eq(r->n, 1);
	cr_assert_eq(jr_get(r, 0, "a"), -1);
	parse_ok(" \t\r\n{ \t\r\n} \t\r\n");
	parse_ok("{ \"a\" : [ 1 , { \"b\" : null } ] , \"c\" : \"d\" }\r\n");
}

Test(jr, nested_arrays_and_jr_next)
{
	const char *js = "{\"a\":[[1,2],[3,[4,5]],[]],\"b\":2,\"c\":{\"d\":{\"e\":[{}]}},\"z\":0}";
	struct jr *r = parse_ok(js);
	int a = jr_get(r, 0, "a"), b = jr_get(r, 0, "b"), c = jr_get(r, 0, "c"), z;
	long long v;

	cr_assert_eq(jr_type(r, a), JR_ARRAY);
	cr_assert_eq(r->tok[a].size, 3);
	/* a's elements, walked with jr_next */
	int e0 = a + 1, e1 = jr_next(r, e0), e2 = jr_next(r, e1);
	cr_assert_eq(jr_type(r, e0), JR_ARRAY);
	cr_assert_eq(r->tok[e0].size, 2);
	cr_assert_eq(jr_type(r, e1), JR_ARRAY);
	cr_assert_eq(r->tok[e1].size, 2);
	cr_assert_eq(jr_type(r, e2), JR_ARRAY);
	cr_assert_eq(r->tok[e2].size, 0);
	cr_assert_eq(jr_int(r, jr_next(r, e1 + 1), &v), -1, "[4,5] is not an integer");
	cr_assert_eq(jr_next(r, a), b - 1, "after a comes the key b");
	cr_assert_eq(jr_int(r, b, &v), 0);
	cr_assert_eq(v, 2);
	cr_assert_eq(jr_next(r, 0), r->n, "the whole object");
	cr_assert_eq(jr_next(r, r->n - 1), r->n, "the last token");
	/* jr_get in a nested object */
	int d = jr_get(r, c, "d");
	cr_assert_eq(jr_type(r, d), JR_OBJECT);
	cr_assert_eq(jr_type(r, jr_get(r, d, "e")), JR_ARRAY);
	cr_assert_eq(jr_get(r, c, "e"), -1, "e is not a key of c");
	cr_assert_eq(jr_get(r, 0, "d"), -1, "d is not a key of the top");
	z = jr_get(r, 0, "z");
	cr_assert_eq(jr_int(r, z, &v), 0);
	cr_assert_eq(v, 0);
	cr_assert_eq(z, r->n - 1);
}

Test(jr, get_missing_and_non_object)
{
	struct jr *r = parse_ok("{\"a\":[\"b\",1],\"x\":\"b\"}");
	int a = jr_get(r, 0, "a");
	cr_assert_eq(jr_get(r, 0, "b"), -1, "a value is not a key");
	cr_assert_eq(jr_get(r, 0, ""), -1);
	cr_assert_eq(jr_get(r, 0, "A"), -1, "keys are case-sensitive");
	cr_assert_eq(jr_get(r, 0, "aa"), -1);
	cr_assert_eq(jr_get(r, a, "b"), -1, "an array has no keys");
	cr_assert_eq(jr_get(r, -1, "a"), -1);
	cr_assert_eq(jr_get(r, r->n, "a"), -1);
	cr_assert_eq(jr_type(r, -1), JR_NONE);
	cr_assert_eq(jr_type(r, r->n), JR_NONE);
}

Test(jr, duplicate_keys_refused)
{
	/* Go and Python keep the last of duplicate keys: a reader that kept the
	 * first would read another request than they do. Refused at any depth;
	 * the same key in two different objects is fine. */
	const char *err;
	struct jr r;
	jsmntok_t tok[64];
	cr_assert_eq(jr_parse(&r, tok, 64, "{\"a\":1,\"b\":2,\"a\":2}", 19, &err), -1);
	cr_assert_eq(jr_parse(&r, tok, 64, "{\"x\":{\"a\":1,\"a\":1}}", 19, &err), -1);
	cr_assert_eq(jr_parse(&r, tok, 64, "{\"x\":[{\"k\":[1,2],\"k\":3}]}", 25, &err), -1);
	cr_assert_eq(jr_parse(&r, tok, 64, "{\"a\":1,\"b\":{\"a\":3}}", 19, &err), 0);
	cr_assert_eq(jr_parse(&r, tok, 64, "{\"a\":{\"a\":{\"a\":0}},\"aa\":1}", 26, &err), 0);
}

Test(jr, duplicate_keys_compared_unescaped)
{
	/* "o\u0070" is "op" to Go and Python: a reader that compared the raw
	 * text would let {"op":"shutdown","o\u0070":"ping"} be ping to a host
	 * that checks it and shutdown to vminit. */
	static const char *const dup[] = {
		"{\"op\":\"shutdown\",\"o\\u0070\":\"ping\"}",
		"{\"\\u006f\\u0070\":1,\"op\":2}",
		"{\"\\u006F\\u0070\":1,\"\\u006fp\":2}",
		"{\"a/b\":1,\"a\\/b\":2}",
		"{\"q\\\"\":1,\"q\\u0022\":2}",
		"{\"\\n\":1,\"\\u000a\":2}",
		"{\"\xc3\xa9\":1,\"\\u00e9\":2}",
		"{\"\xf0\x9f\x98\x80\":1,\"\\ud83d\\ude00\":2}",
		"{\"\\ud800\":1,\"\\ud800\":2}",
		"{\"x\":{\"k\\u0000\":1,\"k\\u0000\":2}}",
	};
	static const char *const distinct[] = {
		"{\"op\":1,\"o\\u0071\":2}",
		"{\"o\\u0070\":1,\"o\\u0070p\":2}",
		"{\"\\ud83d\\ude00\":1,\"\\ud83d\\ude01\":2}",
		"{\"\\ud800\":1,\"\\udc00\":2}",
		"{\"k\\u0000\":1,\"k\":2}",
		"{\"\\/\":1,\"\\\\\":2}",
	};
	const char *err;
	struct jr r;
	jsmntok_t tok[64];
	for (size_t i = 0; i < sizeof(dup) / sizeof(dup[0]); i++) {
		err = NULL;
		cr_assert_eq(jr_parse(&r, tok, 64, dup[i], strlen(dup[i]), &err), -1, "%s", dup[i]);
		cr_assert_str_eq(err, "a key appears twice in one object", "%s", dup[i]);
	}
	for (size_t i = 0; i < sizeof(distinct) / sizeof(distinct[0]); i++)
		cr_assert_eq(jr_parse(&r, tok, 64, distinct[i], strlen(distinct[i]), &err), 0, "%s: %s",
			     distinct[i], err);
}

Test(jr, get_escaped_keys_match_their_text)
{
	struct jr *r = parse_ok("{\"\\u0061\":1,\"b\\/c\":2,\"\\u00e9t\\u00e9\":3,\"\\ud83d\\ude00\":4}");
	cr_assert_eq(jr_get(r, 0, "a"), 2);
	cr_assert_eq(jr_get(r, 0, "b/c"), 4);
	cr_assert_eq(jr_get(r, 0, "\xc3\xa9t\xc3\xa9"), 6);
	cr_assert_eq(jr_get(r, 0, "\xf0\x9f\x98\x80"), 8);
	cr_assert_eq(jr_get(r, 0, "b"), -1);
	cr_assert_eq(jr_get(r, 0, "b/"), -1);
	cr_assert_eq(jr_get(r, 0, "\xc3\xa9t"), -1);
	cr_assert_eq(jr_get(r, 0, "ab"), -1);
}

Test(jr, get_empty_key)
{
	struct jr *r = parse_ok("{\"\":1}");
	cr_assert_eq(jr_get(r, 0, ""), 2);
}

/* ---- reader: integers ---- */

Test(jr, integers_valid)
{
	static const struct { const char *js; long long v; } ok[] = {
		{ "0", 0 }, { "-0", 0 }, { "7", 7 }, { "-7", -7 }, { "1234567890", 1234567890 },
		{ "9223372036854775807", LLONG_MAX }, { "-9223372036854775808", LLONG_MIN },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		long long v = 12345;
		cr_assert_eq(int_of(ok[i].js, &v), 0, "%s", ok[i].js);
		cr_assert_eq(v, ok[i].v, "%s", ok[i].js);
	}
}

Test(jr, integers_json_but_not_integers)
{
	/* Valid JSON numbers that jr_int refuses, leaving *ret alone. */
	static const char *const bad[] = {
		"1.5", "1.0", "-0.0", "1e3", "1E3", "1e+3", "1e-3", "0e0",
		"9223372036854775808", "-9223372036854775809", "99999999999999999999999999999",
		"123456789012345678901234567890123456789",
		"true", "false", "null", "\"1\"", "[1]", "{}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		long long v = 12345;
		cr_assert_eq(int_of(bad[i], &v), -1, "%s", bad[i]);
		cr_assert_eq(v, 12345, "%s changed *ret", bad[i]);
	}
}

Test(jr, numbers_not_json)
{
	static const char *const bad[] = {
		"{\"k\":01}", "{\"k\":-01}", "{\"k\":00}", "{\"k\":-}", "{\"k\":+1}", "{\"k\":1.}",
		"{\"k\":.5}", "{\"k\":1e}", "{\"k\":1e+}", "{\"k\":--1}", "{\"k\":1.2.3}",
		"{\"k\":0x10}", "{\"k\":1-2}", "{\"k\":-a}", "{\"k\":1a}", "{\"k\":Infinity}",
		"{\"k\":NaN}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		parse_err(bad[i], "not valid JSON");
}

Test(jr, numbers_any_json_form_parse)
{
	/* Not integers, but JSON: an unknown field may hold them. */
	parse_ok("{\"k\":-0.5e-3,\"l\":1E+10,\"m\":0.0,\"n\":[1.25,-3e7]}");
}

/* ---- reader: literals ---- */

Test(jr, booleans_and_null)
{
	struct jr *r = parse_ok("{\"t\":true,\"f\":false,\"n\":null,\"s\":\"true\",\"i\":1}");
	int b = 7;
	cr_assert_eq(jr_bool(r, jr_get(r, 0, "t"), &b), 0);
	cr_assert_eq(b, 1);
	cr_assert_eq(jr_bool(r, jr_get(r, 0, "f"), &b), 0);
	cr_assert_eq(b, 0);
	b = 7;
	cr_assert_eq(jr_bool(r, jr_get(r, 0, "n"), &b), -1);
	cr_assert_eq(jr_bool(r, jr_get(r, 0, "s"), &b), -1);
	cr_assert_eq(jr_bool(r, jr_get(r, 0, "i"), &b), -1);
	cr_assert_eq(jr_bool(r, jr_get(r, 0, "missing"), &b), -1);
	cr_assert_eq(b, 7);
	cr_assert(jr_is_null(r, jr_get(r, 0, "n")));
	cr_assert_not(jr_is_null(r, jr_get(r, 0, "f")));
	cr_assert_not(jr_is_null(r, jr_get(r, 0, "s")));
	cr_assert_not(jr_is_null(r, jr_get(r, 0, "missing")));
}

Test(jr, literals_exact)
{
	static const char *const bad[] = {
		"{\"k\":tru}", "{\"k\":truee}", "{\"k\":True}", "{\"k\":fals}", "{\"k\":falsey}",
		"{\"k\":nul}", "{\"k\":nulll}", "{\"k\":NULL}", "{\"k\":nope}", "{\"k\":t}",
		"{\"k\":[true,nul]}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		parse_err(bad[i], "not valid JSON");
}

/* ---- reader: strings ---- */

Test(jr, string_escapes)
{
	cr_assert_str_eq(str_of("\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t\""), "q\" b\\ s/ \b\f\n\r\t");
	cr_assert_str_eq(str_of("\"\\u0041\\u00e9\\u20AC\\u003b\\u007f\""),
			 "A\xc3\xa9\xe2\x82\xac;\x7f");
	cr_assert_str_eq(str_of("\"\\u0001\\u001F\\u0080\\u07ff\\u0800\\uFFFF\""),
			 "\x01\x1f\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf");
	cr_assert_str_eq(str_of("\"\""), "");
	cr_assert_str_eq(str_of("\"\xc3\xa9\xf0\x9f\x98\x80\x7f\""), "\xc3\xa9\xf0\x9f\x98\x80\x7f");
}

Test(jr, string_surrogate_pairs)
{
	cr_assert_str_eq(str_of("\"\\ud83d\\ude00\""), "\xf0\x9f\x98\x80");
	cr_assert_str_eq(str_of("\"\\uD83D\\uDE00\""), "\xf0\x9f\x98\x80");
	cr_assert_str_eq(str_of("\"\\ud800\\udc00\""), "\xf0\x90\x80\x80");   /* U+10000 */
	cr_assert_str_eq(str_of("\"\\udbff\\udfff\""), "\xf4\x8f\xbf\xbf");   /* U+10FFFF */
	cr_assert_str_eq(str_of("\"a\\ud83d\\ude00b\""), "a\xf0\x9f\x98\x80" "b");
}

Test(jr, string_lone_surrogates_rejected)
{
	static const char *const bad[] = {
		"\"\\ud83d\"", "\"\\ud83dx\"", "\"\\ud83d\\u0041\"", "\"\\ud83d\\ud83d\"",
		"\"\\ude00\"", "\"\\ude00\\ud83d\"", "\"x\\udfff\"", "\"\\ud83d\\n\"",
		"\"\\ud83d\\\\ude00\"",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_null(str_of(bad[i]), "%s", bad[i]);
}

Test(jr, string_nul_rejected)
{
	cr_assert_null(str_of("\"\\u0000\""));
	cr_assert_null(str_of("\"a\\u0000b\""));
}

Test(jr, string_raw_control_characters_rejected)
{
	for (int c = 1; c < 0x20; c++) {
		char v[8] = { '"', 'a', (char)c, 'b', '"', 0 };
		cr_assert_null(str_of(v), "raw 0x%02x", c);
	}
}

Test(jr, string_invalid_utf8_rejected)
{
	static const char *const bad[] = {
		"\"\x80\"", "\"\xff\"", "\"\xc3\"", "\"a\xc3\"", "\"\xc0\xaf\"", "\"\xe0\x80\xaf\"",
		"\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"", "\"\xe2\x82\"", "\"\xf0\x9f\x98\"",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_null(str_of(bad[i]), "case %zu", i);
}

Test(jr, string_output_too_small)
{
	struct jr *r = parse_ok("{\"a\":\"abcd\",\"e\":\"\\u20ac\",\"q\":\"\\\"\",\"x\":5}");
	char out[8];
	int a = jr_get(r, 0, "a"), e = jr_get(r, 0, "e"), q = jr_get(r, 0, "q");
	cr_assert_eq(jr_str(r, a, out, 0), -1);
	cr_assert_eq(jr_str(r, a, out, 4), -1, "no room for the NUL");
	cr_assert_eq(jr_str(r, a, out, 5), 4);
	cr_assert_str_eq(out, "abcd");
	cr_assert_eq(jr_str(r, e, out, 3), -1, "3 bytes of UTF-8 and a NUL in 3");
	cr_assert_eq(jr_str(r, e, out, 4), 3);
	cr_assert_str_eq(out, "\xe2\x82\xac");
	cr_assert_eq(jr_str(r, q, out, 1), -1);
	cr_assert_eq(jr_str(r, q, out, 2), 1);
	cr_assert_eq(jr_str(r, jr_get(r, 0, "x"), out, sizeof(out)), -1, "not a string");
	cr_assert_eq(jr_str(r, -1, out, sizeof(out)), -1);
	/* a multi-byte character that would straddle the end */
	r = parse_ok("{\"u\":\"ab\xc3\xa9\"}");
	cr_assert_eq(jr_str(r, jr_get(r, 0, "u"), out, 4), -1);
	cr_assert_eq(jr_str(r, jr_get(r, 0, "u"), out, 5), 4);
}

/* jsmn's own string checks: bad escapes never reach jr_str. */
Test(jr, string_bad_escapes_not_json)
{
	parse_err("{\"k\":\"\\x\"}", "not valid JSON");
	parse_err("{\"k\":\"\\u12\"}", "not valid JSON");
	parse_err("{\"k\":\"\\u12g4\"}", "not valid JSON");
	parse_err("{\"k\":\"\\'\"}", "not valid JSON");
	parse_err("{\"k\":\"abc}", "not valid JSON");
	parse_err("{\"k\":\"abc\\\"}", "not valid JSON");
}

/* ---- reader: what is not one JSON object ---- */

Test(jr, trailing_garbage)
{
	parse_err("{} x", "not valid JSON");
	parse_err("{}}", "not valid JSON");
	parse_err("{}]", "not valid JSON");
	parse_err("{},", "not valid JSON");
	parse_err("{}:", "not valid JSON");
	parse_err("{} 1", "not valid JSON");
	parse_err_n("{}\0", 3, "not valid JSON");
	parse_err_n("{\"a\":1}\0{\"b\":2}", 15, "not valid JSON");
	parse_err("{\"op\":\"ping\"}\v", "not valid JSON");
	parse_ok("{} \t\r\n");
}

Test(jr, leading_garbage)
{
	parse_err(",{}", "not valid JSON");
	parse_err(":{}", "not valid JSON");
	parse_err(":{\"op\":\"ping\"}", "not valid JSON");
	parse_err("\v{}", NULL);
}

Test(jr, two_objects)
{
	parse_err("{}{}", "more than one JSON value");
	parse_err("{\"a\":1} {\"b\":2}", "more than one JSON value");
	parse_err("{\"a\":1}\n{\"b\":2}", "more than one JSON value");
	parse_err("{} \"x\"", "more than one JSON value");
	parse_err("{} []", "more than one JSON value");
}

Test(jr, not_an_object)
{
	parse_err("", "not a JSON object");
	parse_err("   ", "not a JSON object");
	parse_err("[]", "not a JSON object");
	parse_err("[{}]", "not a JSON object");
	parse_err("\"x\"", "not a JSON object");
	parse_err("1 ", "not a JSON object");
	parse_err("true ", "not a JSON object");
	parse_err("1", NULL);
	parse_err("null", NULL);
	parse_err("{", "not valid JSON");
	parse_err("}", "not valid JSON");
	parse_err("{\"a\":1", "not valid JSON");
	parse_err("{\"a\":[1}", "not valid JSON");
	parse_err("{\"a\":{]}", "not valid JSON");
	parse_err("x", "not valid JSON");
}

Test(jr, keys_must_be_strings)
{
	parse_err("{1:2}", "not valid JSON");
	parse_err("{true:1}", "not valid JSON");
	parse_err("{null:1}", "not valid JSON");
	parse_err("{{}:1}", "not valid JSON");
	parse_err("{[]:1}", "not valid JSON");
	parse_err("{a:1}", "not valid JSON");
	parse_err("{\"a\":1,2:3}", "not valid JSON");
	parse_err("{\"a\":{\"b\":1,2:3}}", "not valid JSON");
}

Test(jr, each_key_one_value)
{
	parse_err("{\"a\"}", "not valid JSON");
	parse_err("{\"a\":}", "not valid JSON");
	parse_err("{\"a\",\"b\"}", "not valid JSON");
	parse_err("{\"a\" \"b\"}", "not valid JSON");
	parse_err("{\"a\":1,\"b\"}", "not valid JSON");
	parse_err("{\"a\" 1}", "not valid JSON");
	parse_err("{\"a\":\"b\":\"c\"}", "not valid JSON");
	parse_err("{\"a\":1:2}", "not valid JSON");
	parse_err("{\"a\":[1]:2}", "not valid JSON");
	parse_err("{\"a\":{}:2}", "not valid JSON");
	parse_err("{\"a\"::1}", "not valid JSON");
}

/* jsmn lets these through; json.c must not. */
Test(jr, commas_and_colons_exact)
{
	static const char *const bad[] = {
		"{\"a\":1,}", "{,\"a\":1}", "{,}", "{\"a\":1,,\"b\":2}", "{\"a\":1 , , \"b\":2}",
		"{\"a\",:1}", "{\"a\":1 \"b\":2}", "{\"a\":[1,]}", "{\"a\":[,1]}", "{\"a\":[,]}",
		"{\"a\":[1 2]}", "{\"a\":[\"x\" \"y\"]}", "{\"a\":[1,,2]}", "{\"a\":[\"x\":\"y\"]}",
		"{\"a\":[\"x\":1]}", "{\"a\":[1:2]}", "{\"a\":[[1] [2]]}", "{\"a\":[{} {}]}",
		"{\"a\":{\"b\":1,}}", "{\"a\":{}, }", "{\"a\":[]:[]}", "{:\"a\":1}", "{\"a\":1:}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		parse_err(bad[i], "not valid JSON");
}

Test(jr, too_many_tokens)
{
	/* {"a":[0,0,...]}: 3 tokens, then one per element. */
	char js[4096];
	struct jr r;
	jsmntok_t tok[TOKS];
	const char *err;
	size_t n = (size_t)snprintf(js, sizeof(js), "{\"a\":[");
	for (int i = 0; i < TOKS - 3; i++)
		n += (size_t)snprintf(js + n, sizeof(js) - n, "%s0", i ? "," : "");
	snprintf(js + n, sizeof(js) - n, "]}");
	cr_assert_eq(jr_parse(&r, tok, TOKS, js, strlen(js), &err), 0, "exactly %d tokens", TOKS);
	cr_assert_eq(r.n, TOKS);
	snprintf(js + n, sizeof(js) - n, ",0]}");
	cr_assert_eq(jr_parse(&r, tok, TOKS, js, strlen(js), &err), -1);
	cr_assert_str_eq(err, "too many JSON values");
	cr_assert_eq(jr_parse(&r, tok, 1, "{\"a\":1}", 7, &err), -1);
	cr_assert_str_eq(err, "too many JSON values");
}

Test(jr, deep_nesting)
{
	/* 200 levels of arrays in a value: parses, and jr_next spans all. */
	char js[512];
	size_t n = 0;
	n += (size_t)snprintf(js, sizeof(js), "{\"a\":");
	for (int i = 0; i < 200; i++)
		js[n++] = '[';
	for (int i = 0; i < 200; i++)
		js[n++] = ']';
	js[n++] = ',';
	n += (size_t)snprintf(js + n, sizeof(js) - n, "\"b\":1}");
	struct jr *r = parse_ok(js);
	cr_assert_eq(r->n, 204);
	cr_assert_eq(jr_get(r, 0, "b"), 203);
	cr_assert_eq(jr_next(r, 2), 202);
}

/* ---- writer and reader together ---- */

/* {"k":s} through the writer and back through the reader. */
static void round_trip(const char *s, size_t n)
{
	static char buf[65536], out[16384];
	struct jw w;
	struct jr *r;
	int i, l;
	jw_init(&w, buf, sizeof(buf));
	jw_obj(&w);
	jw_key(&w, "k");
	jw_strn(&w, s, n);
	jw_end(&w);
	cr_assert_eq(w.overflow, 0);
	r = parse_ok_n(buf, w.len);
	i = jr_get(r, 0, "k");
	l = jr_str(r, i, out, sizeof(out));
	cr_assert_eq(l, (int)n, "round trip of %zu bytes gave %d", n, l);
	cr_assert_eq(memcmp(out, s, n), 0, "round trip changed the bytes");
}

Test(jw_jr, round_trip_every_byte)
{
	char s[256];
	size_t n = 0;
	for (int c = 1; c < 0x80; c++)
		s[n++] = (char)c;
	round_trip(s, n);
	for (int c = 1; c < 0x80; c++)
		round_trip((char[]){ (char)c }, 1);
}

Test(jw_jr, round_trip_fixed)
{
	static const char *const cases[] = {
		"", "a", "\"", "\\", "\\\"", "\"\\\"", "\\u0041", "/", "\\/", "\b\f\n\r\t",
		"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf", "\xef\xbf\xbd", "\x7f",
		"line one\nline two\r\n\ttabbed \"quoted\" \\back\\",
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		round_trip(cases[i], strlen(cases[i]));
}

/* Deterministic pseudo-random numbers (xorshift). */
static unsigned long long rnd_state = 0x9e3779b97f4a7c15ull;
static unsigned rnd(unsigned n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (unsigned)(rnd_state % n);
}

static size_t put_utf8(unsigned cp, char *o)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

Test(jw_jr, round_trip_random_valid_utf8)
{
	char s[4096];
	for (int iter = 0; iter < 3000; iter++) {
		size_t n = 0, want = rnd(200);
		while (n + 4 < sizeof(s) && want--) {
			unsigned cp;
			switch (rnd(4)) {
			case 0: cp = 1 + rnd(0x7f); break;
			case 1: cp = 0x80 + rnd(0x800 - 0x80); break;
			case 2: cp = 0x800 + rnd(0x10000 - 0x800); break;
			default: cp = 0x10000 + rnd(0x110000 - 0x10000); break;
			}
			if (cp >= 0xd800 && cp <= 0xdfff)
				cp = 0xfffd;
			n += put_utf8(cp, s + n);
		}
		round_trip(s, n);
	}
}

/* Any bytes at all (but NUL, which the reader refuses): the writer's output
 * parses, decodes to valid UTF-8, and keeps every ASCII byte in place. */
Test(jw_jr, random_bytes_give_valid_json)
{
	static char s[512], buf[8192], out[8192];
	for (int iter = 0; iter < 3000; iter++) {
		size_t n = rnd(sizeof(s));
		struct jw w;
		struct jr *r;
		int l;
		for (size_t i = 0; i < n; i++) {
			s[i] = (char)(1 + rnd(255));
			if (rnd(3) == 0)   /* more sequence starts and continuations */
				s[i] = (char)(0x80 + rnd(0x80));
		}
		jw_init(&w, buf, sizeof(buf));
		jw_obj(&w);
		jw_key(&w, "k");
		jw_strn(&w, s, n);
		jw_end(&w);
		cr_assert_eq(w.overflow, 0);
		r = parse_ok_n(buf, w.len);
		l = jr_str(r, jr_get(r, 0, "k"), out, sizeof(out));
		cr_assert_geq(l, 0, "iteration %d: the writer's string does not read back", iter);
		for (int i = 0; i < l;) {
			size_t k = utf8_seq_len((const unsigned char *)out + i, (size_t)(l - i));
			cr_assert_neq(k, 0, "iteration %d: invalid UTF-8 at %d", iter, i);
			i += (int)k;
		}
		/* ASCII survives in order; each other byte becomes at most 3. */
		size_t ai = 0, ao = 0;
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)s[i] < 0x80)
				ai++;
		for (int i = 0; i < l; i++)
			if ((unsigned char)out[i] < 0x80)
				ao++;
		cr_assert_eq(ai, ao, "iteration %d: ASCII bytes lost or added", iter);
		cr_assert_leq((size_t)l, 3 * n);
	}
}

Test(jw_jr, nul_in_writer_input_is_refused_by_reader)
{
	/* The writer must encode NUL (process output may hold it); the reader
	 * refuses \u0000 on purpose, since its strings are C strings. */
	char buf[64];
	struct jw w;
	struct jr *r;
	char out[16];
	jw_init(&w, buf, sizeof(buf));
	jw_obj(&w);
	jw_key(&w, "k");
	jw_strn(&w, "a\0b", 3);
	jw_end(&w);
	r = parse_ok_n(buf, w.len);
	cr_assert_eq(jr_str(r, jr_get(r, 0, "k"), out, sizeof(out)), -1);
}

Test(jw_jr, document_round_trip)
{
	char buf[2048];
	struct jw w;
	struct jr *r;
	long long v;
	int b;
	char out[64];
	jw_init(&w, buf, sizeof(buf));
	write_all_kinds(&w);
	cr_assert_eq(w.overflow, 0);
	r = parse_ok_n(buf, w.len);
	cr_assert_eq(jr_int(r, jr_get(r, 0, "id"), &v), 0);
	cr_assert_eq(v, -42);
	cr_assert_eq(jr_bool(r, jr_get(r, 0, "ok"), &b), 0);
	cr_assert_eq(b, 1);
	int res = jr_get(r, 0, "result");
	cr_assert_geq(jr_str(r, jr_get(r, res, "esc"), out, sizeof(out)), 0);
	cr_assert_str_eq(out, "q\"b\\n\nr\rt\t\x01\x1f");
	cr_assert_geq(jr_str(r, jr_get(r, res, "bad"), out, sizeof(out)), 0);
	cr_assert_str_eq(out, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	cr_assert(jr_is_null(r, jr_get(r, res, "none")));
	int list = jr_get(r, res, "list");
	cr_assert_eq(r->tok[list].size, 4);
	cr_assert_eq(jr_int(r, list + 1, &v), 0);
	cr_assert_eq(v, LLONG_MIN);
	cr_assert_eq(jr_str(r, jr_get(r, 0, "echo"), out, sizeof(out)), 2);
	cr_assert_str_eq(out, "a7");
}

Test(jr, bytes_keep_nul_and_unescape_in_place)
{
	char js[] = "{\"s\":\"a\\u0000b\\n\\u00e9\",\"t\":\"\\u0000\"}";
	const char *err;
	struct jr r;
	jsmntok_t tok[8];
	char out[16];
	long n;
	cr_assert_eq(jr_parse(&r, tok, 8, js, strlen(js), &err), 0);
	cr_assert_eq(jr_str(&r, jr_get(&r, 0, "s"), out, sizeof(out)), -1, "jr_str refuses NUL");
	n = jr_bytes(&r, jr_get(&r, 0, "s"), out, sizeof(out));
	cr_assert_eq(n, 6);
	cr_assert_eq(memcmp(out, "a\0b\n\xc3\xa9", 6), 0);
	/* In place, in the parsed text itself. */
	{
		int i = jr_get(&r, 0, "s");
		char *at = js + tok[i].start;
		n = jr_bytes(&r, i, at, (size_t)(tok[i].end - tok[i].start) + 1);
		cr_assert_eq(n, 6);
		cr_assert_eq(memcmp(at, "a\0b\n\xc3\xa9", 6), 0);
	}
	cr_assert_eq(jr_bytes(&r, jr_get(&r, 0, "t"), out, 1), -1, "no room for the NUL after");
	cr_assert_eq(jr_bytes(&r, jr_get(&r, 0, "t"), out, 2), 1);
}
