#include "tests/unit/unit.h"

/* test_compat.c - glibc fortify entry points for musl (init/fortify_compat.c):
 * format as usual, abort when the output would overrun the object size. */

#include <signal.h>
#include <unistd.h>

#include "init/fortify_compat.h"

Test(compat, sprintf_chk_formats)
{
	char buf[32];
	memset(buf, 'x', sizeof(buf));
	cr_assert_eq(compat_sprintf_chk(buf, 1, sizeof(buf), "%s-%d-%04x", "cap", 42, 0xbe), 11);
	cr_assert_str_eq(buf, "cap-42-00be");
	cr_assert_eq(compat_sprintf_chk(buf, 1, sizeof(buf), "%s", ""), 0);
	cr_assert_str_eq(buf, "");
}

Test(compat, sprintf_chk_exact_fit)
{
	char buf[8];
	/* 7 characters and the NUL: exactly slen */
	cr_assert_eq(compat_sprintf_chk(buf, 1, sizeof(buf), "%s", "1234567"), 7);
	cr_assert_str_eq(buf, "1234567");
}

Test(compat, sprintf_chk_overflow_by_one_aborts, .signal = SIGABRT)
{
	char buf[8];
	compat_sprintf_chk(buf, 1, sizeof(buf), "%s", "12345678");
}

Test(compat, sprintf_chk_overflow_aborts, .signal = SIGABRT)
{
	char buf[64];
	/* the object is 4 bytes, wherever it lives */
	compat_sprintf_chk(buf, 1, 4, "%d", 123456);
}

Test(compat, sprintf_chk_zero_size_aborts, .signal = SIGABRT)
{
	char buf[4];
	compat_sprintf_chk(buf, 1, 0, "%s", "");
}

/* Before aborting, nothing beyond slen has been written: the SIGABRT handler
 * checks the guard bytes, and exits with 3 (failing the test) if one changed. */
static char guard[16];

static void on_abrt(int sig)
{
	for (int i = 4; i < (int)sizeof(guard); i++)
		if (guard[i] != '#')
			_exit(3);
	signal(sig, SIG_DFL);
	raise(sig);
}

Test(compat, sprintf_chk_overflow_writes_nothing_past_slen, .signal = SIGABRT)
{
	memset(guard, '#', sizeof(guard));
	signal(SIGABRT, on_abrt);
	compat_sprintf_chk(guard, 1, 4, "%s", "abcdefgh");
}

Test(compat, snprintf_chk_formats_and_truncates)
{
	char buf[16];
	cr_assert_eq(compat_snprintf_chk(buf, sizeof(buf), 1, sizeof(buf), "%d/%s", 7, "seven"), 7);
	cr_assert_str_eq(buf, "7/seven");
	/* truncation within maxlen is snprintf's business, not an overflow */
	cr_assert_eq(compat_snprintf_chk(buf, 4, 1, sizeof(buf), "%s", "abcdefgh"), 8);
	cr_assert_str_eq(buf, "abc");
	cr_assert_eq(compat_snprintf_chk(buf, sizeof(buf), 1, sizeof(buf), "%s", "0123456789abcdefXYZ"), 19);
	cr_assert_str_eq(buf, "0123456789abcde");
	/* maxlen 0 writes nothing and returns the length */
	buf[0] = 'q';
	cr_assert_eq(compat_snprintf_chk(buf, 0, 1, sizeof(buf), "%s", "abc"), 3);
	cr_assert_eq(buf[0], 'q');
}

Test(compat, snprintf_chk_maxlen_equal_slen_ok)
{
	char buf[5];
	cr_assert_eq(compat_snprintf_chk(buf, 5, 1, 5, "%s", "abcd"), 4);
	cr_assert_str_eq(buf, "abcd");
}

Test(compat, snprintf_chk_maxlen_over_slen_aborts, .signal = SIGABRT)
{
	char buf[16];
	/* even though the output would fit */
	compat_snprintf_chk(buf, 9, 1, 8, "%s", "ab");
}

Test(compat, asprintf_chk_formats)
{
	char *s = NULL;
	cr_assert_eq(compat_asprintf_chk(&s, 1, "%s=%u", "caps", 3u), 6);
	cr_assert_not_null(s);
	cr_assert_str_eq(s, "caps=3");
	free(s);
	s = NULL;
	/* long output: allocated to fit */
	cr_assert_eq(compat_asprintf_chk(&s, 1, "%5000d", 1), 5000);
	cr_assert_eq(strlen(s), 5000);
	cr_assert_eq(s[4999], '1');
	free(s);
}
