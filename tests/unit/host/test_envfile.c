/* test_envfile.c - reading an env file (host/envfile.c): what vminit writes,
 * what people write by hand (comments, blanks, export, single quotes, CRLF),
 * and errors that name the line but never a value (a canary proves it). */
#include "tests/unit/unit.h"
#include "host/envfile.h"

#define CANARY "CANARY-7f3a"

static char err[256];

/* Parses text; it must give exactly the NULL-terminated want. */
static void parse_ok(const char *text, size_t len, const char *const *want)
{
	char *got[16];
	int n = envfile_parse(text, len, got, 16, err, sizeof(err));
	cr_assert_geq(n, 0, "parse failed: %s", err);
	int i = 0;
	for (; want[i]; i++) {
		cr_assert_lt(i, n, "only %d entries", n);
		cr_assert_str_eq(got[i], want[i], "entry %d", i);
	}
	cr_assert_eq(n, i);
	envfile_free(got, (size_t)n);
}

static void parse_bad(const char *text, size_t len, const char *want)
{
	char *got[16];
	err[0] = '\0';
	cr_assert_eq(envfile_parse(text, len, got, 16, err, sizeof(err)), -1, "parsed: %s", text);
	cr_assert(strstr(err, want), "error \"%s\" lacks \"%s\"", err, want);
	cr_assert_null(strstr(err, "7f3a"), "error \"%s\" holds the value", err);
}

#define OK(text, ...) parse_ok(text, sizeof(text) - 1, (const char *[]){ __VA_ARGS__, NULL })
#define BAD(text, want) parse_bad(text, sizeof(text) - 1, want)

Test(envfile_parse, what_vminit_writes)
{
	OK("A=\nB=\"it's\"\nQ=\"\\\\\\\"\\$\\`\\n\\r\\t\\x01\\x7f\\xC3\\xa9\"\nU=h\xc3\xa9\n",
	   "A=", "B=it's", "Q=\\\"$`\n\r\t\x01\x7f\xc3\xa9", "U=h\xc3\xa9");
}

Test(envfile_parse, by_hand)
{
	OK("# a comment\n\n  \t\n  # indented comment\nexport A=1\nexport\tB='x\\n$y \"z\"'\n"
	   "C=raw value with # inside   \r\nD=\"q\"  # trailing comment\r\nE='multi\nline'\nF=last",
	   "A=1", "B=x\\n$y \"z\"", "C=raw value with # inside", "D=q", "E=multi\nline", "F=last");
	OK("", NULL);
	OK("\n\n# only comments\n", NULL);
	OK("export=1\nlower_case=2\n_=3\n", "export=1", "lower_case=2", "_=3");
	OK("A==\nB=a=b\n", "A==", "B=a=b");
}

Test(envfile_parse, errors_name_the_line_not_the_value)
{
	BAD("A=1\n" CANARY "\n", "line 2: not KEY=VALUE");
	BAD("A=1\n\n=" CANARY "\n", "line 3: not KEY=VALUE");
	BAD("FOO-BAR=" CANARY, "line 1: not KEY=VALUE");
	BAD("1A=" CANARY, "line 1: not KEY=VALUE");
	BAD("A =" CANARY, "line 1: not KEY=VALUE");
	BAD("export " CANARY, "line 1: not KEY=VALUE");
	BAD("A=1\nB=\"" CANARY "\nmore\n", "line 2: the quote is not closed");
	BAD("B='" CANARY, "line 1: the quote is not closed");
	BAD("B=\"" CANARY "\\", "line 1: the quote is not closed");
	BAD("A=\"x\nz\" " CANARY "\n", "line 2: text after the closing quote");
	BAD("A=\"" CANARY "\\q\"", "line 1: an unknown escape");
	BAD("A=\"" CANARY "\\x4\"", "line 1: \\x needs two hex digits");
	BAD("A=\"" CANARY "\\x00\"", "line 1: \\x00 (a NUL byte)");
	BAD("A=1\nB=" CANARY "\0x\n", "line 2: a NUL byte");
}

Test(envfile_parse, at_most_max)
{
	char *got[3];
	const char text[] = "A=1\nB=2\nC=" CANARY "\n";
	cr_assert_eq(envfile_parse(text, sizeof(text) - 1, got, 3, err, sizeof(err)), 3);
	envfile_free(got, 3);
	cr_assert_eq(envfile_parse(text, sizeof(text) - 1, got, 2, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "line 3: more than 2 variables");
}

Test(envfile_parse, not_nul_terminated)
{
	/* len bounds the read: the bytes after it are never looked at. */
	char *text = malloc(5);
	memcpy(text, "A=\"x\"", 5);
	char *got[1];
	cr_assert_eq(envfile_parse(text, 5, got, 1, err, sizeof(err)), 1, "%s", err);
	cr_assert_str_eq(got[0], "A=x");
	envfile_free(got, 1);
	cr_assert_eq(envfile_parse(text, 4, got, 1, err, sizeof(err)), -1);
	free(text);
}
