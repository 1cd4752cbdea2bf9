/* test_parse.c - the readers of the kernel's cgroup files (resources/parse.c):
 * each well-formed form, every malformed one we can think of, every input
 * cut at every length (a cut is never read as a smaller number), numbers at
 * and past their limits, and missing keys. Inputs are copied to buffers of
 * exactly their length, so that a read past the end is AddressSanitizer's
 * crash. */
#include "tests/unit/unit.h"
#include "resources/resources.h"

/* An exact-size copy of s[0..n). */
static char *dup_n(const char *s, size_t n)
{
	char *b = malloc(n ? n : 1);
	cr_assert_not_null(b);
	memcpy(b, s, n);
	return b;
}

static int key(const char *s, size_t n, const char *k, uint64_t *v)
{
	char *b = dup_n(s, n);
	int r = rsc_parse_key(b, n, k, v);
	free(b);
	return r;
}

static int max(const char *s, size_t n, int64_t *v)
{
	char *b = dup_n(s, n);
	int r = rsc_parse_max(b, n, v);
	free(b);
	return r;
}

static int mountinfo(const char *s, size_t n, char *ret, size_t retlen)
{
	char *b = dup_n(s, n);
	int r = rsc_parse_mountinfo(b, n, ret, retlen);
	free(b);
	return r;
}

static int self_cg(const char *s, size_t n, char *ret, size_t retlen)
{
	char *b = dup_n(s, n);
	int r = rsc_parse_self_cgroup(b, n, ret, retlen);
	free(b);
	return r;
}

#define CPU_STAT "usage_usec 1234\nuser_usec 1000\nsystem_usec 234\nnr_periods 0\n" \
	"core_sched.force_idle_usec 0\n"

Test(rsc_parse_key, finds_each_key_and_only_whole_keys)
{
	uint64_t v = 7;
	cr_assert_eq(rsc_parse_key(CPU_STAT, strlen(CPU_STAT), "usage_usec", &v), 0);
	cr_assert_eq(v, 1234);
	cr_assert_eq(rsc_parse_key(CPU_STAT, strlen(CPU_STAT), "user_usec", &v), 0);
	cr_assert_eq(v, 1000);
	cr_assert_eq(rsc_parse_key(CPU_STAT, strlen(CPU_STAT), "system_usec", &v), 0);
	cr_assert_eq(v, 234);
	cr_assert_eq(rsc_parse_key(CPU_STAT, strlen(CPU_STAT), "core_sched.force_idle_usec", &v), 0);
	cr_assert_eq(v, 0);
	v = 7;
	cr_assert_eq(rsc_parse_key(CPU_STAT, strlen(CPU_STAT), "usage", &v), -1);
	cr_assert_eq(rsc_parse_key(CPU_STAT, strlen(CPU_STAT), "sage_usec", &v), -1);
	cr_assert_eq(rsc_parse_key(CPU_STAT, strlen(CPU_STAT), "nr_throttled", &v), -1);
	cr_assert_eq(rsc_parse_key(CPU_STAT, strlen(CPU_STAT), "", &v), -1);
	cr_assert_eq(rsc_parse_key(CPU_STAT, strlen(CPU_STAT), "usage_usec 1234", &v), -1);
	cr_assert_eq(rsc_parse_key(CPU_STAT, strlen(CPU_STAT), NULL, &v), -1);
	cr_assert_eq(rsc_parse_key(NULL, 0, "x", &v), -1);
	cr_assert_eq(v, 7, "ret was touched on failure");
}

Test(rsc_parse_key, malformed_values)
{
	static const char *bad[] = {
		"k\n", "k \n", "k  5\n", "k 5 \n", "k 5x\n", "k -5\n", "k +5\n", "k 5 6\n", "k\t5\n",
		"k 0x10\n", "k 5", "k 18446744073709551616\n", "k 99999999999999999999999\n",
		"K 5\n", " k 5\n", "k 5\r\n", "k 1.5\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t v = 7;
		cr_assert_eq(key(bad[i], strlen(bad[i]), "k", &v), -1, "accepted \"%s\"", bad[i]);
		cr_assert_eq(v, 7);
	}
}

Test(rsc_parse_key, limits_and_first_line_wins)
{
	uint64_t v;
	cr_assert_eq(key("k 18446744073709551615\n", 23, "k", &v), 0);
	cr_assert_eq(v, UINT64_MAX);
	cr_assert_eq(key("k 0\n", 4, "k", &v), 0);
	cr_assert_eq(v, 0);
	cr_assert_eq(key("k 007\n", 6, "k", &v), 0);
	cr_assert_eq(v, 7);
	cr_assert_eq(key("junk\n\nkk 1\nk 2\nk 3\n", 19, "k", &v), 0);
	cr_assert_eq(v, 2);
	/* bytes after the last newline are not a line */
	cr_assert_eq(key("a 1\nk 2", 7, "k", &v), -1);
	/* a NUL inside is just a byte that is no digit */
	cr_assert_eq(key("k 1\0002\n", 6, "k", &v), -1);
}

/* A cut input yields the whole value or nothing. */
Test(rsc_parse_key, cut_at_every_length)
{
	const char *s = CPU_STAT;
	size_t n = strlen(s);
	size_t end_usage = strlen("usage_usec 1234\n"), end_system = end_usage + 15 + 16;
	cr_assert_eq(strncmp(s + end_usage + 15, "system_usec 234\n", 16), 0);
	for (size_t len = 0; len <= n; len++) {
		uint64_t v = 7;
		int r = key(s, len, "usage_usec", &v);
		cr_assert_eq(r, len >= end_usage ? 0 : -1, "len %zu", len);
		cr_assert_eq(v, r == 0 ? 1234 : 7, "len %zu", len);
		v = 7;
		r = key(s, len, "system_usec", &v);
		cr_assert_eq(r, len >= end_system ? 0 : -1, "len %zu", len);
		cr_assert_eq(v, r == 0 ? 234 : 7, "len %zu", len);
	}
}

Test(rsc_parse_max, forms)
{
	int64_t v = 7;
	cr_assert_eq(max("max\n", 4, &v), 0);
	cr_assert_eq(v, -1);
	cr_assert_eq(max("0\n", 2, &v), 0);
	cr_assert_eq(v, 0);
	cr_assert_eq(max("268435456\n", 10, &v), 0);
	cr_assert_eq(v, 268435456);
	cr_assert_eq(max("9223372036854775807\n", 20, &v), 0);
	cr_assert_eq(v, INT64_MAX);
	static const char *bad[] = {
		"", "\n", "max", "max \n", "Max\n", "maxi\n", "ma\n", "9223372036854775808\n",
		"18446744073709551615\n", "-1\n", " 1\n", "1 \n", "1\n\n", "1\n2\n", "1x\n", "0x1\n", "12",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 7;
		cr_assert_eq(max(bad[i], strlen(bad[i]), &v), -1, "accepted \"%s\"", bad[i]);
		cr_assert_eq(v, 7);
	}
	cr_assert_eq(rsc_parse_max(NULL, 0, &v), -1);
}

Test(rsc_parse_max, cut_at_every_length)
{
	const char *forms[] = { "max\n", "268435456\n", "9223372036854775807\n" };
	for (size_t f = 0; f < 3; f++)
		for (size_t len = 0; len < strlen(forms[f]); len++) {
			int64_t v = 7;
			cr_assert_eq(max(forms[f], len, &v), -1, "\"%s\" cut at %zu", forms[f], len);
			cr_assert_eq(v, 7);
		}
}

#define EVENTS "low 1\nhigh 2\nmax 3\noom 4\noom_kill 5\noom_group_kill 6\n"

Test(rsc_parse_events, all_keys_and_required_ones)
{
	struct rsc_events e;
	cr_assert_eq(rsc_parse_events(EVENTS, strlen(EVENTS), &e), 0);
	cr_assert_eq(e.low, 1);
	cr_assert_eq(e.high, 2);
	cr_assert_eq(e.max, 3);
	cr_assert_eq(e.oom, 4);
	cr_assert_eq(e.oom_kill, 5);
	cr_assert_eq(e.oom_group_kill, 6);
	/* a newer kernel's extra key, an older one's missing key: fine */
	const char *other = "low 0\nhigh 0\nmax 9\noom 1\noom_kill 2\nsock_throttled 3\n";
	cr_assert_eq(rsc_parse_events(other, strlen(other), &e), 0);
	cr_assert_eq(e.oom_group_kill, 0);
	cr_assert_eq(e.max, 9);
	cr_assert_eq(e.oom_kill, 2);
	/* without oom or oom_kill: nothing to report with */
	memset(&e, 0x5a, sizeof(e));
	struct rsc_events before = e;
	cr_assert_eq(rsc_parse_events("oom 1\n", 6, &e), -1);
	cr_assert_eq(rsc_parse_events("oom_kill 1\n", 11, &e), -1);
	cr_assert_eq(rsc_parse_events("oom 1\noom_kill x\n", 17, &e), -1);
	cr_assert_eq(rsc_parse_events("", 0, &e), -1);
	cr_assert_eq(memcmp(&e, &before, sizeof(e)), 0, "ret was touched on failure");
}

Test(rsc_parse_events, cut_at_every_length)
{
	size_t n = strlen(EVENTS), whole = strlen("low 1\nhigh 2\nmax 3\noom 4\noom_kill 5\n");
	for (size_t len = 0; len <= n; len++) {
		char *b = dup_n(EVENTS, len);
		struct rsc_events e = { 0 };
		int r = rsc_parse_events(b, len, &e);
		free(b);
		cr_assert_eq(r, len >= whole ? 0 : -1, "len %zu", len);
		if (r == 0) {
			cr_assert_eq(e.oom_kill, 5);
			cr_assert_eq(e.oom_group_kill, len == n ? 6 : 0, "len %zu", len);
		}
	}
}

#define SELF_V1 "12:pids:/user.slice\n1:name=systemd:/init.scope\n"

Test(rsc_parse_self_cgroup, forms)
{
	char p[64] = "untouched";
	const char *host = SELF_V1 "0::/\n";
	cr_assert_eq(rsc_parse_self_cgroup(host, strlen(host), p, sizeof(p)), 0);
	cr_assert_str_eq(p, "/");
	const char *deep = "0::/a b/c-d.scope\n";
	cr_assert_eq(rsc_parse_self_cgroup(deep, strlen(deep), p, sizeof(p)), 0);
	cr_assert_str_eq(p, "/a b/c-d.scope");
	static const char *bad[] = {
		"", SELF_V1, "0::\n", "0::a\n", "0::/x", "0:x:/y\n", "1::/y\n", " 0::/y\n",
		"0::/a\tb\n", "0::/a\x7f\n", "00::/y\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		strcpy(p, "untouched");
		cr_assert_eq(self_cg(bad[i], strlen(bad[i]), p, sizeof(p)), -1, "accepted \"%s\"", bad[i]);
		cr_assert_str_eq(p, "untouched");
	}
	cr_assert_eq(rsc_parse_self_cgroup(NULL, 0, p, sizeof(p)), -1);
}

Test(rsc_parse_self_cgroup, room_and_cuts)
{
	char p[8];
	cr_assert_eq(self_cg("0::/abcdef\n", 11, p, 8), 0);   /* 7 bytes and the NUL */
	cr_assert_str_eq(p, "/abcdef");
	cr_assert_eq(self_cg("0::/abcdefg\n", 12, p, 8), -1);
	cr_assert_eq(self_cg("0::/a\n", 6, p, 0), -1);
	const char *s = SELF_V1 "0::/vm/x\n";
	for (size_t len = 0; len < strlen(s); len++)
		cr_assert_eq(self_cg(s, len, p, sizeof(p)), -1, "cut at %zu", len);
}

#define MI_PROC "22 1 0:21 / /proc rw,nosuid - proc proc rw\n"
#define MI_CG2 "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"

Test(rsc_parse_mountinfo, finds_cgroup2_at_root)
{
	char m[RSC_PATH_MAX] = "untouched";
	const char *s = MI_PROC
		"32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n" MI_CG2;
	cr_assert_eq(rsc_parse_mountinfo(s, strlen(s), m, sizeof(m)), 0);
	cr_assert_str_eq(m, "/sys/fs/cgroup/unified");
	/* optional fields before the separator */
	const char *opt = "30 1 0:26 / /sys/fs/cgroup rw shared:9 master:2 - cgroup2 none rw,nsdelegate\n";
	cr_assert_eq(rsc_parse_mountinfo(opt, strlen(opt), m, sizeof(m)), 0);
	cr_assert_str_eq(m, "/sys/fs/cgroup");
	/* a bind of a subtree (root not "/") is not the hierarchy's root */
	const char *sub = "30 1 0:26 /vm /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";
	cr_assert_eq(rsc_parse_mountinfo(sub, strlen(sub), m, sizeof(m)), -1);
	/* the last of two wins: it hides the first if on the same point */
	const char *two = MI_CG2 "50 1 0:38 / /c rw - cgroup2 cgroup2 rw\n";
	cr_assert_eq(rsc_parse_mountinfo(two, strlen(two), m, sizeof(m)), 0);
	cr_assert_str_eq(m, "/c");
}

Test(rsc_parse_mountinfo, escapes_undone)
{
	char m[64];
	const char *s = "1 1 0:1 / /a\\040b\\011c\\012d\\134e rw - cgroup2 x rw\n";
	cr_assert_eq(rsc_parse_mountinfo(s, strlen(s), m, sizeof(m)), 0);
	cr_assert_str_eq(m, "/a b\tc\nd\\e");
	static const char *bad[] = {
		"1 1 0:1 / /a\\04 rw - cgroup2 x rw\n", "1 1 0:1 / /a\\0 rw - cgroup2 x rw\n",
		"1 1 0:1 / /a\\ rw - cgroup2 x rw\n", "1 1 0:1 / /a\\089 rw - cgroup2 x rw\n",
		"1 1 0:1 / /a\\000 rw - cgroup2 x rw\n", "1 1 0:1 / /a\\400 rw - cgroup2 x rw\n",
		"1 1 0:1 / /a\\x41 rw - cgroup2 x rw\n", "1 1 0:1 / \\057a rw - cgroup2 x rw\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		strcpy(m, "untouched");
		cr_assert_eq(mountinfo(bad[i], strlen(bad[i]), m, sizeof(m)), -1, "accepted \"%s\"", bad[i]);
		cr_assert_str_eq(m, "untouched");
	}
}

Test(rsc_parse_mountinfo, malformed_lines)
{
	static const char *bad[] = {
		"", "\n", "41 31 0:38 / /c rw - cgroup cgroup rw\n",
		"41 31 0:38 / /c rw - cgroup2x cgroup2 rw\n", "41 31 0:38 / /c rw cgroup2 cgroup2 rw\n",
		"41 31 0:38 / /c rw -\n", "41 31 0:38 / /c rw - \n", "41 31 0:38 /\n", "41 31 0:38 / /c\n",
		"41 31 0:38  / /c rw - cgroup2 cgroup2 rw\n", "41 31 0:38 / c rw - cgroup2 cgroup2 rw\n",
		"41 31 0:38 // /c rw - cgroup2 cgroup2 rw\n", "41 31 0:38 / /c rw - cgroup2 cgroup2 rw",
		"41 31 0:38 / /c rw -- cgroup2 cgroup2 rw\n", "- - - / /c - - cgroup2\n" + 100,
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]) - 1; i++) {
		char m[64] = "untouched";
		cr_assert_eq(mountinfo(bad[i], strlen(bad[i]), m, sizeof(m)), -1, "accepted \"%s\"", bad[i]);
		cr_assert_str_eq(m, "untouched");
	}
	/* the file system type is all that is needed after the separator */
	char m[64];
	cr_assert_eq(mountinfo("1 1 0:1 / /c rw - cgroup2\n", 26, m, sizeof(m)), 0);
	cr_assert_str_eq(m, "/c");
}

Test(rsc_parse_mountinfo, room_and_cuts)
{
	char m[8];
	const char *fits = "1 1 0:1 / /abcdef rw - cgroup2 x rw\n";
	cr_assert_eq(mountinfo(fits, strlen(fits), m, 8), 0);
	cr_assert_str_eq(m, "/abcdef");
	const char *over = "1 1 0:1 / /abcdefg rw - cgroup2 x rw\n";
	cr_assert_eq(mountinfo(over, strlen(over), m, 8), -1);
	cr_assert_eq(mountinfo(fits, strlen(fits), m, 0), -1);
	/* a mount point longer than RSC_PATH_MAX is never copied */
	char *longline = malloc(RSC_PATH_MAX + 64), big[RSC_PATH_MAX * 2];
	int n = sprintf(longline, "1 1 0:1 / /");
	memset(longline + n, 'a', RSC_PATH_MAX);
	strcpy(longline + n + RSC_PATH_MAX, " rw - cgroup2 x rw\n");
	cr_assert_eq(mountinfo(longline, strlen(longline), big, sizeof(big)), -1);
	free(longline);
	char whole[RSC_PATH_MAX];
	const char *s = MI_PROC MI_CG2;
	for (size_t len = 0; len < strlen(s); len++)
		cr_assert_eq(mountinfo(s, len, whole, sizeof(whole)), -1, "cut at %zu", len);
	cr_assert_eq(mountinfo(s, strlen(s), whole, sizeof(whole)), 0);
}

/* This machine's own files parse (whatever cgroup layout it has). */
Test(rsc_parse_mountinfo, this_machine)
{
	static char buf[1 << 16];
	char m[RSC_PATH_MAX], p[RSC_PATH_MAX];
	FILE *f = fopen("/proc/self/cgroup", "r");
	size_t n;
	cr_assert_not_null(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	cr_assert_eq(rsc_parse_self_cgroup(buf, n, p, sizeof(p)), 0, "%.*s", (int)n, buf);
	cr_assert_eq(p[0], '/');
	f = fopen("/proc/self/mountinfo", "r");
	cr_assert_not_null(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (memmem(buf, n, " - cgroup2 ", 11))
		cr_assert_eq(rsc_parse_mountinfo(buf, n, m, sizeof(m)), 0);
}
