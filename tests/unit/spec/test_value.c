#include "tests/unit/unit.h"

/* test_value.c - the literal syntax of spec values (spec/value.c):
 * parsing every type and error, the canonical float, and the string writer
 * (escapes, adjacent literals, line wrapping) checked by parsing it back. */

#include <float.h>
#include <limits.h>
#include <math.h>

#include "spec/value.h"

static struct val parse_ok(const char *text)
{
	struct val v;
	char err[256] = "";
	memset(&v, 0, sizeof(v));
	cr_assert_eq(val_parse(text, &v, err, sizeof(err)), 0, "val_parse(%s): %s", text, err);
	return v;
}

/* Fails, with an error containing needle, and leaves ret untouched. */
static void parse_err(const char *text, const char *needle)
{
	struct val v, before;
	char err[256] = "";
	memset(&v, 0x5a, sizeof(v));
	before = v;
	cr_assert_eq(val_parse(text, &v, err, sizeof(err)), -1, "val_parse accepted [%s]", text);
	cr_assert_neq(err[0], '\0', "no message for [%s]", text);
	if (needle)
		cr_assert(strstr(err, needle), "error for [%s] is \"%s\", want \"%s\"", text, err,
			  needle);
	cr_assert_eq(memcmp(&v, &before, sizeof(v)), 0, "ret changed on failure for [%s]", text);
}

static char *parse_str(const char *text)
{
	struct val v = parse_ok(text);
	cr_assert_eq(v.type, VAL_STRING, "[%s] is %s", text, val_type_name(v.type));
	return v.s;
}

/* ---- strings ---- */

Test(value, string_simple)
{
	char *s = parse_str("\"hello\"");
	cr_assert_str_eq(s, "hello");
	free(s);
	s = parse_str("  \"x y\"\t ");
	cr_assert_str_eq(s, "x y");
	free(s);
	s = parse_str("\"\"");
	cr_assert_str_eq(s, "");
	free(s);
}

Test(value, string_adjacent_literals_concatenate)
{
	char *s = parse_str("\"ab\" \"cd\"\t\"\" \"ef\"");
	cr_assert_str_eq(s, "abcdef");
	free(s);
	s = parse_str("\"a\"\"b\"");
	cr_assert_str_eq(s, "ab");
	free(s);
}

Test(value, string_escapes)
{
	char *s = parse_str("\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t\"");
	cr_assert_str_eq(s, "q\" b\\ s/ \b\f\n\r\t");
	free(s);
	s = parse_str("\"\\u0041\\u00e9\\u20AC\\u003b\"");
	cr_assert_str_eq(s, "A\xc3\xa9\xe2\x82\xac;");
	free(s);
	/* a surrogate pair is one code point, U+1F600 */
	s = parse_str("\"\\ud83d\\ude00\"");
	cr_assert_str_eq(s, "\xf0\x9f\x98\x80");
	free(s);
	/* raw UTF-8 passes through */
	s = parse_str("\"gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x98\x80\"");
	cr_assert_str_eq(s, "gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x98\x80");
	free(s);
}

Test(value, string_errors)
{
	parse_err("\"abc", "unterminated");
	parse_err("\"abc\" \"def", "unterminated");
	parse_err("\"a\tb\"", "control character");
	parse_err("\"a\x01\"", "control character");
	parse_err("\"\\x41\"", "bad escape");
	parse_err("\"\\'\"", "bad escape");
	parse_err("\"\\", NULL);
	parse_err("\"\\u12\"", "bad escape");
	parse_err("\"\\u00zz\"", "bad escape");
	parse_err("\"\\ud83d\"", "surrogate");
	parse_err("\"\\ud83dx\"", "surrogate");
	parse_err("\"\\ud83d\\u0041\"", "surrogate");
	parse_err("\"\\ude00\"", "surrogate");
	parse_err("\"\\u0000\"", "NUL");
	parse_err("\"\xff\"", "UTF-8");
	parse_err("\"\xc0\xaf\"", "UTF-8");          /* overlong '/' */
	parse_err("\"\xe0\x80\xaf\"", "UTF-8");      /* overlong */
	parse_err("\"\xed\xa0\x80\"", "UTF-8");      /* encoded surrogate */
	parse_err("\"\xf4\x90\x80\x80\"", "UTF-8");  /* above U+10FFFF */
	parse_err("\"\xe2\x82\"", "UTF-8");          /* truncated */
	parse_err("\"\x80\"", "UTF-8");              /* lone continuation */
	parse_err("\"ab\" x", "unexpected text");
	parse_err("\"ab\" 1", "unexpected text");
	parse_err("\"ab\",", "unexpected text");
}

/* ---- arrays ---- */

Test(value, arrays)
{
	struct val v = parse_ok("[]");
	cr_assert_eq(v.type, VAL_ARRAY);
	cr_assert_eq(v.narr, 0);
	cr_assert_not_null(v.arr, "an empty array is still an array");
	cr_assert_null(v.arr[0]);
	val_free(&v);

	v = parse_ok("[ \"a\", \"b c\" ,\"\" ]");
	cr_assert_eq(v.type, VAL_ARRAY);
	cr_assert_eq(v.narr, 3);
	cr_assert_str_eq(v.arr[0], "a");
	cr_assert_str_eq(v.arr[1], "b c");
	cr_assert_str_eq(v.arr[2], "");
	cr_assert_null(v.arr[3]);
	val_free(&v);
	cr_assert_null(v.arr, "val_free does not clear");

	/* adjacent literals inside an element; many elements (growth) */
	v = parse_ok("[\"ab\" \"cd\", \"e\"]");
	cr_assert_eq(v.narr, 2);
	cr_assert_str_eq(v.arr[0], "abcd");
	val_free(&v);

	char big[2048];
	size_t n = 0;
	n += (size_t)snprintf(big + n, sizeof(big) - n, "[");
	for (int i = 0; i < 100; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "%s\"%d\"", i ? ", " : "", i);
	snprintf(big + n, sizeof(big) - n, "]");
	v = parse_ok(big);
	cr_assert_eq(v.narr, 100);
	cr_assert_str_eq(v.arr[99], "99");
	cr_assert_null(v.arr[100]);
	val_free(&v);
}

Test(value, array_errors)
{
	parse_err("[", "unterminated array");
	parse_err("[ ", "unterminated array");
	parse_err("[\"a\"", "unterminated array");
	parse_err("[\"a\",", "unterminated array");
	parse_err("[1]", "must be strings");
	parse_err("[\"a\", 1]", "must be strings");
	parse_err("[true]", "must be strings");
	parse_err("[\"a\" \"b\" x]", "expected ','");
	parse_err("[\"a\"; \"b\"]", "expected ','");
	parse_err("[\"a\"] x", "unexpected text");
	parse_err("[\"a\"]]", "unexpected text");
	parse_err("[\"a\", \"b]", "unterminated");
	parse_err("[\"\\q\"]", "bad escape");
}

/* ---- numbers and booleans ---- */

Test(value, integers)
{
	struct val v = parse_ok("0");
	cr_assert_eq(v.type, VAL_INT);
	cr_assert_eq(v.i, 0);
	v = parse_ok("42");
	cr_assert_eq(v.type, VAL_INT);
	cr_assert_eq(v.i, 42);
	v = parse_ok(" -17 ");
	cr_assert_eq(v.type, VAL_INT);
	cr_assert_eq(v.i, -17);
	v = parse_ok("-0");
	cr_assert_eq(v.type, VAL_INT);
	cr_assert_eq(v.i, 0);
	v = parse_ok("9223372036854775807");
	cr_assert_eq(v.i, LLONG_MAX);
	v = parse_ok("-9223372036854775808");
	cr_assert_eq(v.i, LLONG_MIN);
}

Test(value, floats)
{
	struct val v = parse_ok("0.5");
	cr_assert_eq(v.type, VAL_FLOAT);
	cr_assert_eq(v.f, 0.5);
	v = parse_ok("-2.25");
	cr_assert_eq(v.type, VAL_FLOAT);
	cr_assert_eq(v.f, -2.25);
	v = parse_ok("1e3");
	cr_assert_eq(v.type, VAL_FLOAT);
	cr_assert_eq(v.f, 1000.0);
	v = parse_ok("1.5E-2");
	cr_assert_eq(v.type, VAL_FLOAT);
	cr_assert_eq(v.f, 0.015);
	v = parse_ok("2e+2");
	cr_assert_eq(v.f, 200.0);
	v = parse_ok("0.0");
	cr_assert_eq(v.type, VAL_FLOAT);
	cr_assert_eq(v.f, 0.0);
	v = parse_ok("1.0");
	cr_assert_eq(v.type, VAL_FLOAT, "1.0 is a float, not an integer");
}

Test(value, number_errors)
{
	const char *bad[] = {
		"-", "+1", "01", "00", "-01", "1.", "1.e5", ".5", "1e", "1e+", "1ee5",
		"0x10", "1_000", "1,5", "12abc", "1 2", "9223372036854775808",
		"-9223372036854775809", "1e400", "-1e400", "1.5.2", "--1", "Infinity", "NaN",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		parse_err(bad[i], NULL);
	parse_err("01", "unexpected text");
	parse_err("1.", "bad number");
	parse_err("1e400", "bad number");
	parse_err("99999999999999999999", "bad number");
}

Test(value, booleans)
{
	struct val v = parse_ok("true");
	cr_assert_eq(v.type, VAL_BOOL);
	cr_assert_eq(v.b, 1);
	v = parse_ok(" false\t");
	cr_assert_eq(v.type, VAL_BOOL);
	cr_assert_eq(v.b, 0);
	parse_err("True", "not a value");
	parse_err("TRUE", "not a value");
	parse_err("yes", "not a value");
	parse_err("truex", "unexpected text");
	parse_err("falsey", "unexpected text");
	parse_err("true false", "unexpected text");
	parse_err("tru", "not a value");
}

Test(value, missing_and_bare_words)
{
	parse_err("", "missing value");
	parse_err("   \t ", "missing value");
	parse_err("hello", "not a value");
	parse_err("'single'", "not a value");
	parse_err("{x}", "only the empty table {} is a value");
}

Test(value, empty_table)
{
	static const char *const ok[] = { "{}", "{ }", " {\t \t} ", NULL };
	for (size_t i = 0; ok[i]; i++) {
		struct val v = parse_ok(ok[i]);
		cr_assert_eq(v.type, VAL_TABLE, "[%s] is %s", ok[i], val_type_name(v.type));
		val_free(&v);
	}
	parse_err("{", "only the empty table {} is a value");
	parse_err("{\"a\"}", "only the empty table {} is a value");
	parse_err("{ a = 1 }", "only the empty table {} is a value");
	parse_err("{}}", "unexpected text");
	parse_err("{} []", "unexpected text");
}

Test(value, type_names)
{
	cr_assert_str_eq(val_type_name(VAL_STRING), "a string");
	cr_assert_str_eq(val_type_name(VAL_INT), "an integer");
	cr_assert_str_eq(val_type_name(VAL_FLOAT), "a float");
	cr_assert_str_eq(val_type_name(VAL_BOOL), "a boolean");
	cr_assert_str_eq(val_type_name(VAL_ARRAY), "an array");
	cr_assert_str_eq(val_type_name(VAL_TABLE), "a table");
}

/* ---- floats out ---- */

static const char *ffmt(double d)
{
	static char buf[64];
	val_format_float(d, buf, sizeof(buf));
	return buf;
}

Test(value, format_float_examples)
{
	cr_assert_str_eq(ffmt(1), "1.0");
	cr_assert_str_eq(ffmt(0.5), "0.5");
	cr_assert_str_eq(ffmt(0.1), "0.1");
	cr_assert_str_eq(ffmt(64), "64.0");
	cr_assert_str_eq(ffmt(0.25), "0.25");
	cr_assert_str_eq(ffmt(2.5), "2.5");
	cr_assert_str_eq(ffmt(-3), "-3.0");
	cr_assert_str_eq(ffmt(0), "0.0");
	cr_assert_str_eq(ffmt(1.0 / 3), "0.3333333333333333");
	cr_assert_str_eq(ffmt(0.1 + 0.2), "0.30000000000000004");
	cr_assert_str_eq(ffmt(123.456), "123.456");
}

Test(value, format_float_round_numbers_keep_the_point)
{
	/* the shortest decimal, "always with '.'": 10 is "10.0", not "1e+01" */
	cr_expect_str_eq(ffmt(10), "10.0");
	cr_expect_str_eq(ffmt(100), "100.0");
	cr_expect_str_eq(ffmt(2000), "2000.0");
	cr_expect_str_eq(ffmt(-50), "-50.0");
}

Test(value, format_float_round_trips_as_float)
{
	const double d[] = {
		1, 0.5, 0.1, 64, 10, 100, 1e6, 1.5, 3.14159, 1.0 / 3, 2.0 / 3, 1e-7, 1.25e-5,
		123456789.0, 0.001, 4096.5, 1e15, 1e21, 1e300, DBL_MAX, DBL_MIN, 5e-324,
		-0.75, -1e10, 0.30000000000000004, 16.0, 32.0, 0.2, 7.0,
	};
	for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
		char buf[64], err[128];
		struct val v;
		val_format_float(d[i], buf, sizeof(buf));
		cr_assert_eq(strtod(buf, NULL), d[i], "%s does not read back as %.17g", buf, d[i]);
		/* shortest: one significant digit fewer no longer reads back */
		char digs[64], shorter[64];
		size_t nd = 0;
		for (const char *p = buf; *p && *p != 'e' && *p != 'E'; p++)
			if (*p >= '0' && *p <= '9' && (nd > 0 || *p != '0'))
				digs[nd++] = *p;
		while (nd > 0 && digs[nd - 1] == '0')
			nd--;
		if (nd > 1) {
			snprintf(shorter, sizeof(shorter), "%.*g", (int)nd - 1, d[i]);
			cr_assert_neq(strtod(shorter, NULL), d[i], "%s is not the shortest (%s)", buf,
				      shorter);
		}
		cr_assert_eq(val_parse(buf, &v, err, sizeof(err)), 0, "%s: %s", buf, err);
		cr_assert_eq(v.type, VAL_FLOAT, "%s parses as %s", buf, val_type_name(v.type));
		cr_assert_eq(v.f, d[i]);
	}
}

Test(value, format_float_small_buffer_is_terminated)
{
	char buf[4];
	memset(buf, 'x', sizeof(buf));
	val_format_float(0.123456, buf, sizeof(buf));
	cr_assert_lt(strlen(buf), sizeof(buf));
}

/* ---- strings out ---- */

/* Write key = s; return the malloc'd output. */
static char *out_string(const char *key, const char *s)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	struct val_out o = { f, 0 };
	cr_assert_not_null(f);
	val_out_key(&o, key);
	val_out_string(&o, s);
	val_out_end(&o);
	fclose(f);
	return out;
}

/* Check the physical lines the way the spec reader will see them: each at
 * most SPEC_LINE_MAX bytes, continuation lines indented, no " ;" anywhere;
 * return the value text with continuation lines joined by a space (as
 * spec/read.c does). */
static char *value_text(const char *out, const char *key, int *nlines)
{
	size_t klen = strlen(key);
	char *text = calloc(1, strlen(out) + 16);
	const char *line = out;
	int n = 0;
	cr_assert_not_null(text);
	cr_assert_eq(strncmp(out, key, klen), 0);
	cr_assert_eq(strncmp(out + klen, " =", 2), 0, "output: %s", out);
	while (*line) {
		const char *nl = strchr(line, '\n');
		cr_assert_not_null(nl, "output does not end in a newline");
		size_t len = (size_t)(nl - line);
		cr_assert_leq(len, SPEC_LINE_MAX, "line %d is %zu bytes: %.*s", n + 1, len,
			      (int)len, line);
		for (const char *c = line + 1; c < nl; c++)
			cr_assert(!(*c == ';' && (c[-1] == ' ' || c[-1] == '\t')),
				  "' ;' on line %d", n + 1);
		if (n == 0) {
			strncat(text, line + klen + 2, len - klen - 2);
		} else {
			cr_assert(*line == ' ' || *line == '\t',
				  "line %d is not an indented continuation", n + 1);
			strcat(text, " ");
			strncat(text, line, len);
		}
		n++;
		line = nl + 1;
	}
	if (nlines)
		*nlines = n;
	return text;
}

static void assert_round_trip(const char *key, const char *s, int *nlines)
{
	char *out = out_string(key, s);
	char *text = value_text(out, key, nlines);
	char *back = parse_str(text);
	cr_assert_str_eq(back, s, "output did not read back:\n%s", out);
	free(back);
	free(text);
	free(out);
}

Test(value, out_string_simple)
{
	char *out = out_string("workdir", "/srv/app");
	cr_assert_str_eq(out, "workdir = \"/srv/app\"\n");
	free(out);
	out = out_string("k", "");
	cr_assert_str_eq(out, "k = \"\"\n");
	free(out);
}

Test(value, out_string_escapes)
{
	char *out = out_string("k", "a;b");
	cr_assert_str_eq(out, "k = \"a\\u003bb\"\n");
	free(out);
	out = out_string("k", "q\"b\\n\nt\tr\r");
	cr_assert_str_eq(out, "k = \"q\\\"b\\\\n\\nt\\tr\\r\"\n");
	free(out);
	out = out_string("k", "\x01\x1f\x7f");
	cr_assert_str_eq(out, "k = \"\\u0001\\u001f\\u007f\"\n");
	free(out);
	/* UTF-8 is written as is */
	out = out_string("k", "\xc3\xa9\xf0\x9f\x98\x80");
	cr_assert_str_eq(out, "k = \"\xc3\xa9\xf0\x9f\x98\x80\"\n");
	free(out);
}

Test(value, out_string_round_trips)
{
	assert_round_trip("k", "plain", NULL);
	assert_round_trip("k", "semi;colon ; and ;; more", NULL);
	assert_round_trip("k", " leading and trailing ", NULL);
	assert_round_trip("k", "quotes \" and \\ backslashes \\\" mixed", NULL);
	assert_round_trip("k", "ctl \x01\x02\x1b[0m \x7f tab\tnl\ncr\r", NULL);
	assert_round_trip("k", "utf8 \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", NULL);
	assert_round_trip("k", "/", NULL);
}

Test(value, out_long_string_split_and_wrapped)
{
	char s[2001];
	int nlines;
	for (int i = 0; i < 2000; i++)
		s[i] = (char)('a' + i % 26);
	s[2000] = '\0';
	char *out = out_string("command", s);
	/* several adjacent literals */
	int quotes = 0;
	for (char *p = out; *p; p++)
		quotes += *p == '"';
	cr_assert_gt(quotes, 2, "a 2000-byte string written as one literal");
	free(out);
	assert_round_trip("command", s, &nlines);
	cr_assert_gt(nlines, 1, "not wrapped");
}

Test(value, out_long_strings_of_escapes_and_utf8)
{
	/* escapes and multi-byte characters near every split point */
	char s[4096];
	size_t n = 0;
	const char *pieces[] = { ";", "\xe2\x82\xac", "\"", "\\", "\x01", "\xf0\x9f\x98\x80", "x",
				 "\xc3\xa9", "\n" };
	for (int i = 0; n < 3000; i++) {
		const char *p = pieces[(i * 7 + i / 3) % 9];
		memcpy(s + n, p, strlen(p));
		n += strlen(p);
	}
	s[n] = '\0';
	assert_round_trip("k", s, NULL);
	/* all ';': every one grows six-fold */
	memset(s, ';', 1000);
	s[1000] = '\0';
	assert_round_trip("k", s, NULL);
}

Test(value, out_string_after_long_key_wraps)
{
	char key[180];
	int nlines;
	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	assert_round_trip(key, "a value that does not fit after the long key", &nlines);
	cr_assert_eq(nlines, 2);
}

Test(value, out_strv_round_trips)
{
	char *v[40];
	char bufs[40][64];
	for (int i = 0; i < 40; i++) {
		snprintf(bufs[i], sizeof(bufs[i]), "--option-%d=value;%d", i, i * i);
		v[i] = bufs[i];
	}
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	struct val_out o = { f, 0 };
	val_out_key(&o, "command");
	val_out_strv(&o, v, 40);
	val_out_end(&o);
	fclose(f);
	int nlines;
	char *text = value_text(out, "command", &nlines);
	cr_assert_gt(nlines, 1);
	struct val a = parse_ok(text);
	cr_assert_eq(a.type, VAL_ARRAY);
	cr_assert_eq(a.narr, 40);
	for (int i = 0; i < 40; i++)
		cr_assert_str_eq(a.arr[i], v[i]);
	val_free(&a);
	free(text);
	free(out);

	/* empty array */
	out = NULL;
	f = open_memstream(&out, &len);
	o = (struct val_out){ f, 0 };
	val_out_key(&o, "k");
	val_out_strv(&o, v, 0);
	val_out_end(&o);
	fclose(f);
	text = value_text(out, "k", NULL);
	a = parse_ok(text);
	cr_assert_eq(a.type, VAL_ARRAY);
	cr_assert_eq(a.narr, 0);
	val_free(&a);
	free(text);
	free(out);
}

/* ---- utf8_len ---- */

Test(value, utf8_len)
{
	cr_assert_eq(utf8_len(""), 0);
	cr_assert_eq(utf8_len("abc"), 3);
	cr_assert_eq(utf8_len("\xc3\xa9"), 1);
	cr_assert_eq(utf8_len("\xe2\x82\xac"), 1);
	cr_assert_eq(utf8_len("\xf0\x9f\x98\x80"), 1);
	cr_assert_eq(utf8_len("a\xc3\xa9" "b\xe2\x82\xac" "c\xf0\x9f\x98\x80" "d"), 7);
	cr_assert_eq(utf8_len("\xf4\x8f\xbf\xbf"), 1);   /* U+10FFFF */
}
