/* test_errors.c - the errors (spec/errors.c): all reported, in line order,
 * at most 200 kept, each one line of valid UTF-8 whatever the values quoted
 * in it. */
#include "tests/unit/spec/spec_test.h"

/* ==== all errors are reported, in line order ==== */

Test(errors, all_reported_in_line_order)
{
	static const char *const want[] = {
		"t.ini:3: app.name: length must be",
		"t.ini:4: line is",
		"t.ini:7: processes.web.resources.memory: \"1Mi\" is less than",
		"t.ini:8: processes.web.restart.policy: \"maybe\" is not allowed",
		"t.ini:9: processes.web.ports.0.internal: must be between",
		"t.ini:10: processes.web.bogus: unknown key",
		"t.ini:12: volumes.0.size: \"1Mi\" is less than",
	};
	char *pad = rep("x", 200);
	char *t = fmt(
		"schema_version = \"v1\"\n"   /* 1 */
		"[app]\n"                     /* 2 */
		"name = \"\"\n"               /* 3 */
		"description = \"%s\"\n"      /* 4: too long */
		"[processes.web]\n"           /* 5 */
		"command = [\"/a\"]\n"        /* 6 */
		"resources.memory = \"1Mi\"\n"/* 7 */
		"restart.policy = \"maybe\"\n"/* 8 */
		"ports.0.internal = 0\n"      /* 9 */
		"bogus = 1\n"                 /* 10 */
		"[volumes.0]\n"               /* 11 */
		"size = \"1Mi\"\n"            /* 12 */
		"name = \"v\"\n",             /* 13 */
		pad);
	struct spec *s = unit_spec(t);
	size_t n = sizeof(want) / sizeof(*want);
	cr_assert_eq(s->nerrors, n, "want %zu errors, got:\n%s", n, unit_errors(s));
	for (size_t i = 0; i < n; i++)
		cr_assert(strstr(s->errors[i], want[i]) == s->errors[i],
			  "error %zu is '%s', want it to start with '%s'", i, s->errors[i], want[i]);
	cr_assert_null(s->errors[n], "errors are NULL-terminated");
	free(pad);
	free(t);
	spec_free(s);
}

Test(errors, several_in_one_section)
{
	struct spec *s = unit_spec(BASE
		"workdir = \"rel\"\n"          /* 5 */
		"user = \"a b\"\n"             /* 6 */
		"resources.cpu = 100\n"        /* 7 */
		"resources.disk = \"1Mi\"\n"   /* 8 */
		"secrets.required = \"no\"\n");/* 9 */
	cr_assert_eq(s->nerrors, 5, "%s", unit_errors(s));
	for (size_t i = 0; i < 5; i++) {
		char *prefix = fmt("t.ini:%zu: processes.web.", i + 5);
		cr_assert(strstr(s->errors[i], prefix) == s->errors[i], "error %zu: %s", i, s->errors[i]);
		free(prefix);
	}
	spec_free(s);
}

Test(errors, many_errors_counted_beyond_limit)
{
	/* SPEC_MAX_ERRORS are kept, the rest counted */
	size_t n = SPEC_MAX_ERRORS + 50;
	char *t = malloc(n * 16 + 200), *w = t;
	struct spec *s;
	w += sprintf(w, "%s", BASE);
	for (size_t i = 0; i < n; i++)
		w += sprintf(w, "bad%zu = 1\n", i);
	s = unit_spec(t);
	cr_assert_eq(s->nerrors, SPEC_MAX_ERRORS);
	cr_assert_eq(s->errors_dropped, 50);
	cr_assert_str_eq(s->errors[0], "t.ini:5: processes.web.bad0: unknown key");
	spec_free(s);
	free(t);
}

/* An error is one line of text: a value quoted in a message keeps its escapes
 * (found by the spec fuzzer: "on-fail\nure" made a two-line error, and a
 * value could have forged a whole error line or sent escapes to the console). */
Test(errors, values_in_messages_stay_escaped)
{
	struct spec *s = unit_spec(BASE "restart.policy = \"on-fail\\nure\"\n"   /* 5 */
				   "user = \"a\\u001b[2Jb c\"\n"                  /* 6 */
				   "workdir = \"x\\ny.ini:1: forged\"\n"         /* 7 */
				   "prestart_timeout_seconds = 1 \x01\n");         /* 8 */
	cr_assert_eq(s->nerrors, 4, "%s", unit_errors(s));
	for (size_t i = 0; i < s->nerrors; i++)
		for (const char *c = s->errors[i]; *c; c++)
			cr_assert((unsigned char)*c >= 0x20 && *c != 0x7f,
				  "a control character in: %s", s->errors[i]);
	assert_error(s, "t.ini:5: processes.web.restart.policy: \"on-fail\\nure\" is not allowed");
	assert_error(s, "t.ini:6: processes.web.user: \"a\\u001b[2Jb c\" is not USER");
	assert_error(s, "t.ini:7: processes.web.workdir: \"x\\ny.ini:1: forged\" must be an absolute path");
	assert_error(s, "t.ini:8: processes.web.prestart_timeout_seconds: unexpected text after the value: \\u0001");
	spec_free(s);
}

/* 1 if s is valid UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
static int utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		size_t k = *p < 0x80 ? 1 : *p >= 0xc2 && *p <= 0xdf ? 2 : *p >= 0xe0 && *p <= 0xef ? 3
			 : *p >= 0xf0 && *p <= 0xf4 ? 4 : 0;
		if (!k)
			return 0;
		for (size_t i = 1; i < k; i++)
			if ((p[i] & 0xc0) != 0x80)
				return 0;
		if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0) ||
		    (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90))
			return 0;
		p += k;
	}
	return 1;
}

/* A message cut inside a UTF-8 sequence ("%.40s") stays valid UTF-8. */
Test(errors, messages_are_valid_utf8)
{
	char *pad = rep("\xe6\xbc\xa2", 30);   /* 90 bytes of CJK */
	char *t = fmt(BASE "vars = [\"ab%s\"]\n", pad);   /* cut at 40 bytes: mid-character */
	struct spec *s = unit_spec(t);
	cr_assert_eq(s->nerrors, 1, "%s", unit_errors(s));
	cr_assert_eq(utf8_valid(s->errors[0]), 1, "invalid UTF-8: %s", s->errors[0]);
	spec_free(s);
	free(t);
	free(pad);
}
