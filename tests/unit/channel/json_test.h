/* json_test.h - what the tests of the host channel's JSON share
 * (tests/unit/channel/test_json_*.c): the writer's output as a C string, the
 * reader over a text that must parse or must not, and one message with every
 * kind of write. */
#ifndef VMINIT_JSON_TEST_H
#define VMINIT_JSON_TEST_H

#include "tests/unit/unit.h"

#include <limits.h>

#include "channel/json.h"

#define TOKS 256

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
static inline const char *enc(const char *s, size_t n)
{
	return WRITE(w, jw_strn(&w, s, n));
}

static inline const char *enc0(const char *s)
{
	return enc(s, strlen(s));
}

/* The reader over js, which must parse. */
static inline struct jr *parse_ok_n(const char *js, size_t len)
{
	static struct jr r;
	static jsmntok_t tok[TOKS];
	const char *err = NULL;
	cr_assert_eq(jr_parse(&r, tok, TOKS, js, len, &err), 0, "jr_parse rejected [%.*s]: %s",
		     (int)len, js, err);
	return &r;
}

static inline struct jr *parse_ok(const char *js)
{
	return parse_ok_n(js, strlen(js));
}

/* jr_parse fails, with a reason containing needle (if not NULL). */
static inline void parse_err_n(const char *js, size_t len, const char *needle)
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

static inline void parse_err(const char *js, const char *needle)
{
	parse_err_n(js, strlen(js), needle);
}

/* The string value of "k" in {"k":<json>}, or NULL when jr_str refuses it. */
static inline const char *str_of(const char *json_value)
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
static inline int int_of(const char *json_value, long long *v)
{
	static char doc[256];
	struct jr *r;
	snprintf(doc, sizeof(doc), "{\"k\":%s}", json_value);
	r = parse_ok(doc);
	return jr_int(r, jr_get(r, 0, "k"), v);
}

#define U_FFFD "\\ufffd"

/* One message with every kind of write. */
static inline void write_all_kinds(struct jw *w)
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
	jw_lkey(w, JW_LIT("literal_keys"));
	jw_obj(w);
	jw_lkint(w, JW_LIT("i"), 7);
	jw_lkint(w, JW_LIT("a_number_with_a_long_key"), -1234567);
	jw_lkstr(w, JW_LIT("abcd"), "v");
	jw_lkstr(w, JW_LIT("abcdefg"), NULL);
	jw_lkbool(w, JW_LIT("abcdefgh"), 0);
	jw_lknull(w, JW_LIT("abcdefghi"));
	jw_end(w);
	jw_end(w);
	jw_nl(w);
}

#endif
