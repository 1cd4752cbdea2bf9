#include "tests/unit/channel/json_test.h"

/* test_json_read.c - the host channel's JSON reader (channel/json_read.c): jsmn
 * plus the exact checks json_read.c adds (one object, no duplicate keys, strict
 * commas and colons, integers, literals, strings unescaped to valid UTF-8 with
 * no NUL and no raw control characters). */

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

/* A key may hold U+0000: "id\u0000d" is four characters, not "id", and
 * comparing it stops where the name asked for ends (ASan: never past it).
 * Found by fuzz_request. */
Test(jr, get_key_holding_nul)
{
	struct jr *r = parse_ok("{\"id\\u0000d\":2,\"\\u0000\":3,\"op\\u0000\":4}");
	cr_assert_eq(jr_get(r, 0, "id"), -1);
	cr_assert_eq(jr_get(r, 0, ""), -1);
	cr_assert_eq(jr_get(r, 0, "op"), -1);
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

/* jsmn lets these through; json_read.c must not. */
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
