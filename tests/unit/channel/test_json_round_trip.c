#include "tests/unit/channel/json_test.h"

#include <errno.h>
#include <iconv.h>

/* test_json_round_trip.c - the host channel's writer and reader together
 * (channel/json.c): whatever the writer makes, the reader takes back byte for
 * byte; and every code point, escaped as JSON writes it, reads back as the
 * UTF-8 that an independent encoder (glibc's iconv) makes of it. */

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

/* ---- UTF-8 against an independent encoder ----
 *
 * json_read.c encodes code points itself (utf8_put, for \uXXXX escapes). Its
 * oracle here is not a copy of it but glibc's iconv(3), UTF-32 to UTF-8,
 * and the other way for the decode-back check; and a table written by hand
 * from the Unicode standard's own examples pins both down. */

/* The UTF-8 of n code points, by iconv: its length. */
static size_t iconv_utf8(const uint32_t *cps, size_t n, char *out, size_t cap)
{
	iconv_t cd = iconv_open("UTF-8", "UTF-32LE");
	char *in = (char *)cps, *o = out;
	size_t inleft = n * 4, outleft = cap;
	cr_assert_neq(cd, (iconv_t)-1, "iconv_open: %s", strerror(errno));
	cr_assert_neq(iconv(cd, &in, &inleft, &o, &outleft), (size_t)-1, "iconv: %s", strerror(errno));
	cr_assert_eq(inleft, 0);
	iconv_close(cd);
	return cap - outleft;
}

/* The code points of n bytes of UTF-8, by iconv: how many. */
static size_t iconv_cps(const char *s, size_t n, uint32_t *cps, size_t max)
{
	iconv_t cd = iconv_open("UTF-32LE", "UTF-8");
	char *in = (char *)s, *o = (char *)cps;
	size_t inleft = n, outleft = max * 4;
	cr_assert_neq(cd, (iconv_t)-1);
	cr_assert_neq(iconv(cd, &in, &inleft, &o, &outleft), (size_t)-1, "not UTF-8 to iconv: %s",
		      strerror(errno));
	iconv_close(cd);
	return max - outleft / 4;
}

/* A code point as JSON escapes it: \uXXXX, or a surrogate pair. */
static size_t escape_cp(uint32_t cp, char *o)
{
	if (cp < 0x10000)
		return (size_t)sprintf(o, "\\u%04x", (unsigned)cp);
	cp -= 0x10000;
	return (size_t)sprintf(o, "\\u%04X\\u%04X", 0xd800 + (unsigned)(cp >> 10), 0xdc00 + (unsigned)(cp & 0x3ff));
}

/* cps[0..n) escaped in {"k":"..."}, read back by jr_str into out: its length. */
static int read_escaped(const uint32_t *cps, size_t n, char *out, size_t cap)
{
	static char doc[65536];
	struct jr *r;
	size_t len = (size_t)snprintf(doc, sizeof(doc), "{\"k\":\"");
	for (size_t i = 0; i < n; i++)
		len += escape_cp(cps[i], doc + len);
	len += (size_t)snprintf(doc + len, sizeof(doc) - len, "\"}");
	r = parse_ok_n(doc, len);
	return jr_str(r, jr_get(r, 0, "k"), out, cap);
}

/* From the Unicode standard (section 3.9, table 3-4 and its examples): the
 * first and last code point of each length, and a few well known ones. */
Test(jw_jr, escapes_decode_to_known_utf8)
{
	static const struct { uint32_t cp; const char *utf8; } known[] = {
		{ 0x0001, "\x01" }, { 0x0041, "A" }, { 0x007f, "\x7f" },
		{ 0x0080, "\xc2\x80" }, { 0x00e9, "\xc3\xa9" }, { 0x07ff, "\xdf\xbf" },
		{ 0x0800, "\xe0\xa0\x80" }, { 0x20ac, "\xe2\x82\xac" }, { 0xd7ff, "\xed\x9f\xbf" },
		{ 0xe000, "\xee\x80\x80" }, { 0xfffd, "\xef\xbf\xbd" }, { 0xffff, "\xef\xbf\xbf" },
		{ 0x10000, "\xf0\x90\x80\x80" }, { 0x1f600, "\xf0\x9f\x98\x80" },
		{ 0x10ffff, "\xf4\x8f\xbf\xbf" },
	};
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		char out[8], ic[8];
		int n = read_escaped(&known[i].cp, 1, out, sizeof(out));
		cr_assert_eq(n, (int)strlen(known[i].utf8), "U+%04X: %d bytes", (unsigned)known[i].cp, n);
		cr_assert_eq(memcmp(out, known[i].utf8, (size_t)n), 0, "U+%04X", (unsigned)known[i].cp);
		/* The oracle agrees with the table, so it is a fair judge below. */
		cr_assert_eq(iconv_utf8(&known[i].cp, 1, ic, sizeof(ic)), (size_t)n);
		cr_assert_eq(memcmp(ic, known[i].utf8, (size_t)n), 0);
	}
}

/* Every code point but NUL (refused on purpose) and the surrogates: escaped,
 * read back, compared with iconv's UTF-8 and decoded back to itself. Keys
 * too: an escaped key is found by its UTF-8 text. */
Test(jw_jr, every_code_point_escaped_reads_back)
{
	enum { BATCH = 1024 };
	static uint32_t cps[BATCH], back[BATCH];
	static char out[BATCH * 4 + 1], want[BATCH * 4];
	uint32_t cp = 1;
	while (cp <= 0x10ffff) {
		size_t n = 0, wn, bn;
		int len;
		for (; n < BATCH && cp <= 0x10ffff; cp++)
			if (cp < 0xd800 || cp > 0xdfff)
				cps[n++] = cp;
		len = read_escaped(cps, n, out, sizeof(out));
		cr_assert_geq(len, 0, "U+%04X..: not read", (unsigned)cps[0]);
		wn = iconv_utf8(cps, n, want, sizeof(want));
		cr_assert_eq((size_t)len, wn, "U+%04X..: %d bytes, iconv %zu", (unsigned)cps[0], len, wn);
		cr_assert_eq(memcmp(out, want, wn), 0, "U+%04X..: not iconv's UTF-8", (unsigned)cps[0]);
		bn = iconv_cps(out, (size_t)len, back, BATCH);
		cr_assert_eq(bn, n);
		cr_assert_eq(memcmp(back, cps, n * 4), 0, "U+%04X..: decodes back to other code points",
			     (unsigned)cps[0]);
	}
}

Test(jw_jr, escaped_keys_are_their_utf8)
{
	static const uint32_t cps[] = { 0xe9, 0x20ac, 0x1f600, 0x10ffff };
	for (size_t i = 0; i < sizeof(cps) / sizeof(cps[0]); i++) {
		char doc[64], key[8];
		size_t n = iconv_utf8(&cps[i], 1, key, sizeof(key) - 1), len;
		struct jr *r;
		key[n] = '\0';
		len = (size_t)snprintf(doc, sizeof(doc), "{\"a\":1,\"");
		len += escape_cp(cps[i], doc + len);
		len += (size_t)snprintf(doc + len, sizeof(doc) - len, "\":2}");
		r = parse_ok_n(doc, len);
		cr_assert_eq(jr_get(r, 0, key), 4, "U+%04X: the escaped key is not found by its UTF-8",
			     (unsigned)cps[i]);
	}
	/* The same key escaped and not is a duplicate. */
	parse_err("{\"\\ud83d\\ude00\":1,\"\xf0\x9f\x98\x80\":2}", "twice");
}

/* Random valid UTF-8 (made by iconv) goes through the writer unchanged. */
Test(jw_jr, round_trip_random_valid_utf8)
{
	static uint32_t cps[200];
	static char s[4096];
	for (int iter = 0; iter < 3000; iter++) {
		size_t n = rnd(200), len;
		for (size_t i = 0; i < n; i++) {
			uint32_t cp;
			switch (rnd(4)) {
			case 0: cp = 1 + rnd(0x7f); break;
			case 1: cp = 0x80 + rnd(0x800 - 0x80); break;
			case 2: cp = 0x800 + rnd(0x10000 - 0x800); break;
			default: cp = 0x10000 + rnd(0x110000 - 0x10000); break;
			}
			cps[i] = cp >= 0xd800 && cp <= 0xdfff ? 0xfffd : cp;
		}
		len = iconv_utf8(cps, n, s, sizeof(s));
		round_trip(s, len);
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
