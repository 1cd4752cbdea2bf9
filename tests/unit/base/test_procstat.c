/* procstat: fields of /proc/PID/stat lines, comm with spaces and ')', bad lines. */
#include "tests/unit/unit.h"
#include "base/procstat.h"

#include <string.h>

static int field(const char *s, unsigned f, long long *v)
{
	return procstat_field(s, strlen(s), f, v);
}

Test(procstat, fields_after_the_last_paren)
{
	const char *l = "42 (a) b) c) S 7 42 42 0 -1 4194560 1 2 3 4 15 16 17 18 20 0 1 0 99 1000 -250 1844\n";
	long long v = 0;
	cr_assert_eq(field(l, 4, &v), 0);
	cr_assert_eq(v, 7);
	cr_assert_eq(field(l, 8, &v), 0);
	cr_assert_eq(v, -1);
	cr_assert_eq(field(l, 14, &v), 0);
	cr_assert_eq(v, 15);
	cr_assert_eq(field(l, 15, &v), 0);
	cr_assert_eq(v, 16);
	cr_assert_eq(field(l, 24, &v), 0);
	cr_assert_eq(v, -250);
	cr_assert_eq(field(l, 25, &v), 0);
	cr_assert_eq(v, 1844);
}

Test(procstat, refused)
{
	long long v = 5;
	cr_assert_eq(field("42 (a) S 7", 3, &v), -1, "the state is no number");
	cr_assert_eq(field("42 (a) S 7", 5, &v), -1, "past the end");
	cr_assert_eq(field("42 (a S 7", 4, &v), -1, "no ')'");
	cr_assert_eq(field("42 (a) S 7x 1", 4, &v), -1, "not a number");
	cr_assert_eq(field("42 (a) S 99999999999999999999 1", 4, &v), -1, "overflow");
	cr_assert_eq(field("42 (a) S ", 4, &v), -1, "empty");
	cr_assert_eq(field("42 (a) S 7", 2, &v), -1, "comm is no field here");
	cr_assert_eq(v, 5, "untouched");
	cr_assert_eq(procstat_field("42 (a) S 7 8", 10, 4, &v), 0, "len bounds the line");
	cr_assert_eq(v, 7);
	cr_assert_eq(procstat_field("42 (a) S 7 8", 10, 5, &v), -1);
}

/* Several fields in one pass: what one at a time finds, and refused when
 * they are not ascending. */
Test(procstat, fields_in_one_pass)
{
	const char *l = "42 (a) b) c) S 7 42 42 0 -1 4194560 1 2 3 4 15 16 17 18 20 0 1 0 99 1000 -250 1844\n";
	static const unsigned want[] = { 4, 8, 14, 15, 24, 25 }, down[] = { 14, 4 }, twice[] = { 14, 14 };
	long long v[6], one;
	cr_assert_eq(procstat_fields(l, strlen(l), want, 6, v), 0);
	for (int k = 0; k < 6; k++) {
		cr_assert_eq(field(l, want[k], &one), 0);
		cr_assert_eq(v[k], one, "field %u", want[k]);
	}
	cr_assert_eq(procstat_fields(l, strlen(l), down, 2, v), -1);
	cr_assert_eq(procstat_fields(l, strlen(l), twice, 2, v), -1);
	cr_assert_eq(procstat_fields("42 (a) S 7", 10, want, 2, v), -1, "the second past the end");
}
