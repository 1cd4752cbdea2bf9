#include "tests/unit/unit.h"

/* test_boot.c - kernel command line lookup (init/boot.c, boot_cmdline_get)
 * on given strings. */

#include "init/boot.h"

/* The value of key in cmdline, or NULL when absent (static buffer). */
static const char *get(const char *cmdline, const char *key)
{
	static char buf[256];
	memset(buf, 'Z', sizeof(buf));
	if (boot_cmdline_get(cmdline, key, buf, sizeof(buf)) < 0)
		return NULL;
	cr_assert(memchr(buf, '\0', sizeof(buf)), "value not terminated");
	return buf;
}

static void expect(const char *cmdline, const char *key, const char *want)
{
	const char *got = get(cmdline, key);
	if (!want) {
		cr_assert_null(got, "[%s] %s: found \"%s\", want absent", cmdline, key, got);
		return;
	}
	cr_assert_not_null(got, "[%s] %s: absent, want \"%s\"", cmdline, key, want);
	cr_assert_str_eq(got, want, "[%s] %s", cmdline, key);
}

Test(boot, key_present)
{
	const char *c = "console=ttyS0 vminit.spec=/run/spec.ini quiet panic=-1";
	expect(c, "vminit.spec", "/run/spec.ini");
	expect(c, "console", "ttyS0");
	expect(c, "panic", "-1");
}

Test(boot, key_absent)
{
	const char *c = "console=ttyS0 quiet panic=-1";
	expect(c, "vminit.spec", NULL);
	/* a flag without '=' has no value */
	expect(c, "quiet", NULL);
	/* a key is not found inside another token or a value */
	expect("console=vminit.spec=/x", "vminit.spec", NULL);
	expect("xvminit.spec=/x", "vminit.spec", NULL);
	expect("vminit.spec", "vminit.spec", NULL);
}

Test(boot, key_prefix_of_another_key)
{
	expect("vminit.specx=wrong vminit.spec=right", "vminit.spec", "right");
	expect("vminit.spec=right vminit.specx=wrong", "vminit.spec", "right");
	expect("vminit.specx=wrong", "vminit.spec", NULL);
	expect("vminit.spec.x=wrong", "vminit.spec", NULL);
	/* and the other way round */
	expect("vminit.spec=a", "vminit.specx", NULL);
	expect("vminit.spec=a", "vminit.spe", NULL);
}

Test(boot, quoted_values_with_spaces)
{
	expect("a=1 vminit.hostname=\"my host name\" b=2", "vminit.hostname", "my host name");
	expect("a=1 vminit.hostname=\"my host name\" b=2", "b", "2");
	expect("a=1 vminit.hostname=\"my host name\" b=2", "a", "1");
	/* a quoted value that contains what looks like another key */
	expect("x=\"y=1 z=2\" z=3", "z", "3");
	expect("x=\"y=1 z=2\" z=3", "x", "y=1 z=2");
	expect("x=\"\" y=1", "x", "");
	expect("x=\"a\tb\" y=1", "x", "a\tb");
}

Test(boot, value_at_end)
{
	expect("quiet vminit.spec=/last", "vminit.spec", "/last");
	expect("quiet vminit.spec=/last\n", "vminit.spec", "/last");   /* /proc/cmdline */
	expect("quiet vminit.spec=/last   ", "vminit.spec", "/last");
	expect("vminit.spec=", "vminit.spec", "");
	expect("vminit.spec= next=1", "vminit.spec", "");
	expect("k=\"quoted at end\"", "k", "quoted at end");
}

Test(boot, whitespace_separators)
{
	expect("\ta=1\t\tb=2\n c=3", "b", "2");
	expect("\ta=1\t\tb=2\n c=3", "c", "3");
	expect("   a=1", "a", "1");
}

Test(boot, empty_cmdline)
{
	expect("", "vminit.spec", NULL);
	expect("   ", "vminit.spec", NULL);
	expect("\n", "vminit.spec", NULL);
}

Test(boot, values_containing_equals)
{
	expect("root=/dev/vda opts=a=b,c=d", "opts", "a=b,c=d");
	expect("root=/dev/vda opts=a=b,c=d", "root", "/dev/vda");
}

Test(boot, value_bounded_by_buffer)
{
	/* a value longer than the buffer never writes past it */
	struct { char buf[5]; char guard[8]; } b;
	memset(&b, 'Z', sizeof(b));
	int r = boot_cmdline_get("k=abcdefgh", "k", b.buf, sizeof(b.buf));
	cr_assert_eq(memcmp(b.guard, "ZZZZZZZZ", 8), 0, "wrote past the buffer");
	if (r == 0) {
		cr_assert(memchr(b.buf, '\0', sizeof(b.buf)), "not terminated");
		cr_assert_eq(strncmp("abcdefgh", b.buf, strlen(b.buf)), 0);
	}
}

Test(boot, whole_parameter_quoted)
{
	/* The kernel also accepts the quote before the key ("key=a b"): its
	 * next_arg() strips the leading and the trailing quote. */
	expect("a=1 \"vminit.hostname=my host\" b=2", "vminit.hostname", "my host");
	expect("a=1 \"vminit.hostname=my host\" b=2", "b", "2");
}
