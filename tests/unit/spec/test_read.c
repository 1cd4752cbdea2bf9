/* test_read.c - the syntax layer (spec/read.c, the literal syntax through
 * spec/value.c): line limits, continuation, ' ;', escapes, UTF-8, BOM, CRLF;
 * and keys and sections given twice. */
#include "tests/unit/spec/spec_test.h"

/* -- repeated keys and sections -- */

Test(validate_structure, key_defined_twice)
{
	expect_error(BASE "restart.policy = \"always\"\nrestart.policy = \"never\"\n",
		     "t.ini:6: processes.web.restart.policy: defined twice (first at line 5)");
}

Test(validate_structure, key_defined_twice_top_level)
{
	expect_error("schema_version = \"v1\"\nschema_version = \"v1\"\n[processes.web]\n"
		     "command = [\"/a\"]\nresources.memory = \"64Mi\"\n",
		     "t.ini:2: schema_version: defined twice (first at line 1)");
}

Test(validate_structure, section_defined_twice)
{
	expect_error(BASE "[app]\nname = \"x\"\n[processes.web]\n",
		     "t.ini:7: processes.web: section defined twice (first at line 2)");
}

/* The keys under a repeated header are ignored, whatever the order of the
 * headers (duplicates are found by sorting the section names). */
Test(validate_structure, keys_under_duplicate_section_ignored)
{
	struct spec *s = unit_spec(BASE "[volumes.0]\nname = \"a\"\nsize = \"1Gi\"\n"   /* 5-7 */
				   "[processes.web]\nscaling.min = 2\n"                        /* 8-9 */
				   "[volumes.0]\nname = \"b\"\n");                           /* 10-11 */
	assert_error(s, "t.ini:8: processes.web: section defined twice (first at line 2)");
	assert_error(s, "t.ini:10: volumes.0: section defined twice (first at line 5)");
	cr_assert_eq(s->nerrors, 2, "%s", unit_errors(s));
	cr_assert_eq(s->procs[0].scale_min, 1);
	cr_assert_eq(s->nvols, 1);
	cr_assert_str_eq(s->vols[0].name, "a");
	spec_free(s);
}

Test(validate_structure, keys_after_duplicate_section_not_misattributed)
{
	/* The keys under the rejected header belong to processes.web, not to
	 * the section before it: no error may name them app.* */
	expect_error(BASE "[app]\nname = \"x\"\n[processes.web]\nscaling.min = 2\n",
		     "t.ini:7: processes.web: section defined twice");
	expect_no_error(BASE "[app]\nname = \"x\"\n[processes.web]\nscaling.min = 2\n",
			"app.scaling.min");
}

/* ==== the syntax layer ==== */

/* A spec whose line 6 is "description = "xxx..."" of exactly len bytes. */
static char *line_of(size_t len)
{
	char *pad = rep("x", len - strlen("description = \"\""));
	char *t = fmt(BASE "[app]\ndescription = \"%s\"\nname = \"n\"\n", pad);
	free(pad);
	return t;
}

Test(syntax, line_198_bytes_ok)
{
	char *t = line_of(198);
	struct spec *s = load_ok(t);
	cr_assert_eq(strlen(s->app_description), 198 - 16);
	cr_assert_str_eq(s->app_name, "n");
	spec_free(s);
	free(t);
}

Test(syntax, line_199_bytes_rejected)
{
	char *t = line_of(199);
	struct spec *s = unit_spec(t);
	assert_error(s, "t.ini:6: line is 199 bytes, longer than 198");
	/* the line is dropped, not cut, and the next line is still read */
	cr_assert_null(s->app_description);
	cr_assert_str_eq(s->app_name, "n");
	spec_free(s);
	free(t);
}

Test(syntax, very_long_line_rejected)
{
	char *t = line_of(5000);
	expect_error(t, "t.ini:6: line is 5000 bytes");
	free(t);
}

Test(syntax, long_continuation_line_rejected)
{
	char *pad = rep("y", 200);
	char *t = fmt(BASE "[app]\ndescription = \"a\"\n  \"%s\"\n", pad);
	expect_error(t, "t.ini:7: line is 204 bytes");
	free(pad);
	free(t);
}

Test(syntax, continuation_array)
{
	static const char *const want[] = { "/bin/app", "--flag", "value", NULL };
	struct spec *s = load_ok(
		"schema_version = \"v1\"\n"
		"[processes.web]\n"
		"command = [\n"
		"    \"/bin/app\",\n"
		"\t\"--flag\",\n"
		"\n"
		"    \"value\"\n"
		"  ]\n"
		"resources.memory = \"64Mi\"\n");
	assert_strv(&s->procs[0].command, want);
	spec_free(s);
}

Test(syntax, continuation_line_numbers)
{
	/* errors after a continued value keep the right line */
	expect_error(
		"schema_version = \"v1\"\n"
		"[processes.web]\n"
		"command = [\n"
		"  \"/bin/app\"\n"
		"  ]\n"
		"resources.memory = \"1Mi\"\n",
		"t.ini:6: processes.web.resources.memory: \"1Mi\" is less than");
}

Test(syntax, continuation_error_reports_key_line)
{
	expect_error(
		"schema_version = \"v1\"\n"
		"[processes.web]\n"
		"resources.memory = \"64Mi\"\n"
		"command = [\n"
		"  \"/bin/app\",\n"
		"  5 ]\n",
		"t.ini:4: processes.web.command: array elements must be strings");
}

Test(syntax, adjacent_literals_concatenate)
{
	struct spec *s = load_ok(BASE "[app]\nname = \"abc\" \"def\"\ndescription = \"x\"\"y\"\n");
	cr_assert_str_eq(s->app_name, "abcdef");
	cr_assert_str_eq(s->app_description, "xy");
	spec_free(s);
}

Test(syntax, adjacent_literals_across_lines)
{
	static const char *const want[] = { "/bin/app", "abcdef", "g", NULL };
	struct spec *s = load_ok(
		"schema_version = \"v1\"\n"
		"[processes.web]\n"
		"command = [\"/bin/app\", \"abc\"\n"
		"  \"def\",\n"
		"  \"g\"]\n"
		"resources.memory = \"64Mi\"\n");
	assert_strv(&s->procs[0].command, want);
	spec_free(s);
}

Test(syntax, value_on_next_line)
{
	struct spec *s = load_ok(BASE "[app]\nname =\n  \"late\"\n");
	cr_assert_str_eq(s->app_name, "late");
	spec_free(s);
}

Test(syntax, indented_line_without_key)
{
	expect_error(BASE "[app]\n  name = \"x\"\n",
		     "t.ini:6: indented line does not continue a key's value");
	expect_error("  schema_version = \"v1\"\n",
		     "t.ini:1: indented line does not continue a key's value");
}

Test(syntax, space_semicolon_rejected)
{
	expect_error(BASE "[app]\nname = \"a ;b\"\n",
		     "t.ini:6: ' ;' would start a comment here");
	expect_error(BASE "[app]\nname = \"x\" ; comment\n",
		     "t.ini:6: ' ;' would start a comment");
	expect_error(BASE "[app]\nname = \"x\"\t;comment\n",
		     "t.ini:6: ' ;' would start a comment");
}

Test(syntax, space_semicolon_in_continuation_rejected)
{
	expect_error(BASE "[app]\nname = \"x\"\n  \"a ;b\"\n",
		     "t.ini:7: ' ;' would start a comment here");
}

Test(syntax, semicolon_without_space_kept)
{
	static const char *const want[] = { "/bin/sh", "-c", "a;b;", ";x", NULL };
	struct spec *s = load_ok("schema_version = \"v1\"\n[processes.web]\n"
				 "command = [\"/bin/sh\", \"-c\", \"a;b;\", \";x\"]\n"
				 "resources.memory = \"64Mi\"\n");
	assert_strv(&s->procs[0].command, want);
	spec_free(s);
}

Test(syntax, hash_inside_string_kept)
{
	struct spec *s = load_ok(BASE "[app]\nname = \"a #b\"\ndescription = \"#c\"\n");
	cr_assert_str_eq(s->app_name, "a #b");
	cr_assert_str_eq(s->app_description, "#c");
	spec_free(s);
}

Test(syntax, escaped_semicolon)
{
	struct spec *s = load_ok(BASE "[app]\nname = \"a \\u003b b\"\n");
	cr_assert_str_eq(s->app_name, "a ; b");
	spec_free(s);
}

Test(syntax, json_escapes)
{
	struct spec *s = load_ok(BASE "[app]\n"
		"name = \"n\\nt\\tq\\\"b\\\\s\\/e\\u00e9E\\u00C9\"\n"
		"description = \"\\b\\f\\r\\ud83d\\ude00\\u20ac\"\n");
	cr_assert_str_eq(s->app_name, "n\nt\tq\"b\\s/e\xc3\xa9" "E\xc3\x89");
	cr_assert_str_eq(s->app_description, "\b\f\r\xf0\x9f\x98\x80\xe2\x82\xac");
	spec_free(s);
}

Test(syntax, raw_utf8_kept)
{
	struct spec *s = load_ok(BASE "[app]\nname = \"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"\n");
	cr_assert_str_eq(s->app_name, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	spec_free(s);
}

Test(syntax, invalid_utf8_rejected)
{
	static const char *const bad[] = {
		"\xff",                 /* never valid */
		"\x80",                 /* lone continuation byte */
		"\xc0\xaf",             /* overlong '/' */
		"\xe0\x80\xaf",         /* overlong, 3 bytes */
		"\xed\xa0\x80",         /* encoded surrogate */
		"\xf4\x90\x80\x80",     /* above U+10FFFF */
		"\xe2\x82",             /* truncated */
		NULL };
	for (int i = 0; bad[i]; i++) {
		char *t = fmt(BASE "[app]\nname = \"a%sb\"\n", bad[i]);
		expect_error(t, "t.ini:6: app.name: invalid UTF-8 in string");
		free(t);
	}
}

Test(syntax, nul_escape_rejected)
{
	expect_error(BASE "[app]\nname = \"a\\u0000b\"\n",
		     "t.ini:6: app.name: NUL (\\u0000) is not allowed in strings");
}

Test(syntax, nul_byte_rejected)
{
	static const char text[] = BASE "[app]\nname = \"a\0b\"\n";
	struct spec *s = spec_load_buffer("t.ini", text, sizeof(text) - 1);
	cr_assert_not_null(s);
	assert_error(s, "t.ini:6: NUL byte in spec");
	spec_free(s);
}

Test(syntax, unpaired_surrogates_rejected)
{
	expect_error(BASE "[app]\nname = \"\\ud83d\"\n",
		     "t.ini:6: app.name: unpaired UTF-16 surrogate");
	expect_error(BASE "[app]\nname = \"\\ude00\"\n",
		     "t.ini:6: app.name: unpaired UTF-16 surrogate");
	expect_error(BASE "[app]\nname = \"\\ud83dx\"\n",
		     "t.ini:6: app.name: unpaired UTF-16 surrogate");
}

Test(syntax, bad_escapes_rejected)
{
	expect_error(BASE "[app]\nname = \"\\x41\"\n", "t.ini:6: app.name: bad escape \\x");
	expect_error(BASE "[app]\nname = \"\\u12\"\n", "t.ini:6: app.name: bad escape \\u");
	expect_error(BASE "[app]\nname = \"\\'\"\n", "t.ini:6: app.name: bad escape");
}

Test(syntax, raw_control_character_rejected)
{
	expect_error(BASE "[app]\nname = \"a\tb\"\n",
		     "t.ini:6: app.name: control character in string");
}

Test(syntax, unterminated_string)
{
	expect_error(BASE "[app]\nname = \"abc\n", "t.ini:6: app.name: unterminated string");
	expect_error(BASE "[app]\nname = \"abc\\\"\n", "t.ini:6: app.name: unterminated string");
}

Test(syntax, unterminated_array)
{
	expect_error(BASE "vars = [\"A=1\"\n", "t.ini:5: processes.web.vars: unterminated array");
	expect_error(BASE "vars = [\"A=1\",\n", "t.ini:5: processes.web.vars: unterminated array");
}

Test(syntax, array_trailing_comma_and_empty)
{
	static const char *const want[] = { "/bin/app", "x", NULL };
	struct spec *s = load_ok("schema_version = \"v1\"\n[processes.web]\n"
				 "command = [\"/bin/app\", \"x\",]\nvars = [ ]\n"
				 "resources.memory = \"64Mi\"\n");
	assert_strv(&s->procs[0].command, want);
	cr_assert_eq(s->procs[0].vars.set, 1);
	cr_assert_eq(s->procs[0].vars.n, 0);
	spec_free(s);
	expect_error(BASE "vars = [,]\n", "t.ini:5: processes.web.vars: array elements must be strings");
}

Test(syntax, array_missing_comma)
{
	expect_error(BASE "vars = [\"A=1\" x]\n",
		     "t.ini:5: processes.web.vars: expected ',' or ']' in array");
}

Test(syntax, trailing_garbage)
{
	expect_error(BASE "[app]\nname = \"x\" y\n",
		     "t.ini:6: app.name: unexpected text after the value");
	expect_error(BASE "scaling.min = 1 2\n",
		     "t.ini:5: processes.web.scaling.min: unexpected text after the value");
	expect_error(BASE "secrets.required = trueish\n",
		     "t.ini:5: processes.web.secrets.required: unexpected text after the value");
	expect_error(BASE "vars = [\"A=1\"] ,\n",
		     "t.ini:5: processes.web.vars: unexpected text after the value");
}

Test(syntax, bare_word_rejected)
{
	expect_error(BASE "[app]\nname = hello\n", "t.ini:6: app.name: not a value");
	expect_error(BASE "secrets.required = True\n", "t.ini:5: processes.web.secrets.required: not a value");
}

Test(syntax, missing_value)
{
	expect_error(BASE "[app]\nname =\n", "t.ini:6: app.name: missing value");
}

Test(syntax, numbers)
{
	expect_error(BASE "scaling.min = 08\n", "t.ini:5: processes.web.scaling.min: ");
	expect_error(BASE "scaling.min = 1.\n", "t.ini:5: processes.web.scaling.min: bad number");
	expect_error(BASE "scaling.min = 99999999999999999999\n",
		     "t.ini:5: processes.web.scaling.min: bad number");
	expect_error(BASE "scaling.min = 3000000000\n", "t.ini:5: processes.web.scaling.min: ");
	expect_error(BASE "resources.cpu = 1e999\n", "t.ini:5: processes.web.resources.cpu: bad number");
	expect_error(BASE "scaling.min = +1\n", "t.ini:5: processes.web.scaling.min: not a value");
}

Test(syntax, colon_separator_rejected)
{
	expect_error("schema_version: \"v1\"\n", "t.ini:1: expected key = value");
	expect_error(BASE "[app]\nname: \"a=b\"\n", "t.ini:6: expected key = value");
}

Test(syntax, line_without_equals_rejected)
{
	expect_error(BASE "[app]\njust words\n", "t.ini:6: expected key = value");
}

Test(syntax, missing_key_rejected)
{
	expect_error(BASE "[app]\n= \"x\"\n", "t.ini:6: missing key before '='");
}

Test(syntax, bad_key_characters)
{
	expect_error(BASE "[app]\nmy name = \"x\"\n", "t.ini:6: bad character in key");
	expect_error(BASE "[app]\n\"name\" = \"x\"\n", "t.ini:6: bad character in key");
}

Test(syntax, malformed_section_headers)
{
	static const char *const bad[] = {
		"[processes.web", "processes.web]", "[]", "[app] x", "[app]]",
		"[[volumes]]", "[processes web]", "[ app ]", "[app/x]", "[caf\xc3\xa9]", NULL };
	for (int i = 0; bad[i]; i++) {
		char *t = fmt(BASE "%s\n", bad[i]);
		char *needle = fmt("t.ini:5: %s", bad[i][0] == '[' ? "malformed section header"
								    : "expected key = value");
		expect_error(t, needle);
		free(t);
		free(needle);
	}
}

Test(syntax, section_name_49_ok_50_rejected)
{
	/* processes. + 39 = 49 bytes: read (and rejected only for the name
	 * pattern); + 40 = 50 bytes: rejected by the reader */
	char *n39 = rep("a", 39), *n40 = rep("a", 40);
	char *t49 = fmt(BASE "[processes.%s]\n", n39);
	char *t50 = fmt(BASE "[processes.%s]\n", n40);
	char *want49 = fmt("t.ini:5: processes.%s: process name", n39);
	expect_error(t49, want49);
	expect_no_error(t49, "longer than");
	expect_error(t50, "t.ini:5: section name is longer than 49 bytes");
	free(n39); free(n40); free(t49); free(t50); free(want49);
}

Test(syntax, comments_and_blank_lines)
{
	struct spec *s = load_ok(
		"# a comment\n"
		"; another comment\n"
		"\n"
		"   \n"
		"\t\n"
		"schema_version = \"v1\"\n"
		"  # an indented comment\n"
		"[processes.web]\n"
		"# comment ; with = signs [and brackets]\n"
		"command = [\"/bin/app\"]\n"
		"\n"
		"resources.memory = \"64Mi\"\n"
		";resources.memory = \"1Mi\"\n"
		"#bogus = 1\n");
	cr_assert_str_eq(s->procs[0].memory, "64Mi");
	spec_free(s);
}

Test(syntax, comment_lines_count_for_line_numbers)
{
	expect_error("# one\n; two\n\nschema_version = \"v2\"\n[processes.web]\n"
		     "command = [\"/a\"]\nresources.memory = \"64Mi\"\n",
		     "t.ini:4: schema_version: \"v2\" is not supported");
}

Test(syntax, utf8_bom)
{
	struct spec *s = load_ok("\xef\xbb\xbf" BASE);
	cr_assert_eq(s->nprocs, 1);
	spec_free(s);
	/* the BOM counts only at the very start */
	expect_error(BASE "\xef\xbb\xbf[app]\n", "t.ini:5: ");
}

Test(syntax, crlf_line_endings)
{
	struct spec *s = load_ok("schema_version = \"v1\"\r\n[processes.web]\r\n"
				 "command = [\"/bin/app\",\r\n  \"x\"]\r\nresources.memory = \"64Mi\"\r\n");
	static const char *const want[] = { "/bin/app", "x", NULL };
	assert_strv(&s->procs[0].command, want);
	spec_free(s);
}

Test(syntax, no_final_newline)
{
	struct spec *s = load_ok("schema_version = \"v1\"\n[processes.web]\ncommand = [\"/a\"]\n"
				 "resources.memory = \"64Mi\"");
	cr_assert_str_eq(s->procs[0].memory, "64Mi");
	spec_free(s);
}

Test(syntax, empty_file)
{
	struct spec *s = unit_spec("");
	assert_error(s, "t.ini:1: schema_version: required");
	assert_error(s, "t.ini:1: processes: at least one");
	spec_free(s);
}

Test(syntax, whitespace_around_key_and_value)
{
	struct spec *s = load_ok(BASE "[app]\nname=\"a\"\ndescription   =   \"b\"   \n");
	cr_assert_str_eq(s->app_name, "a");
	cr_assert_str_eq(s->app_description, "b");
	spec_free(s);
}

Test(syntax, buffer_too_large)
{
	size_t len = SPEC_MAX_BYTES + 1;
	char *big = malloc(len);
	struct spec *s;
	memset(big, '#', len);
	s = spec_load_buffer("t.ini", big, len);
	cr_assert_not_null(s);
	cr_assert_eq(s->nerrors, 1, "%s", unit_errors(s));
	assert_error(s, "t.ini:1: spec is 1048577 bytes, larger than the 1048576-byte limit");
	spec_free(s);
	free(big);
}
