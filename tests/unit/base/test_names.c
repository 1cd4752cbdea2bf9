/* test_names.c - base/names.c: signal names both ways, statuses in words. */
#include "tests/unit/unit.h"
#include "base/names.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

Test(names, signal_parse_and_name)
{
	/* Every name round-trips, with and without SIG, in any case. */
	int named = 0;
	for (int sig = 1; sig <= 64; sig++) {
		const char *name = names_signal(sig);
		char lower[16];
		if (!name)
			continue;
		named++;
		cr_assert_eq(strncmp(name, "SIG", 3), 0, "%s", name);
		cr_assert_eq(names_signal_parse(name), sig, "%s", name);
		cr_assert_eq(names_signal_parse(name + 3), sig, "%s", name);
		for (size_t i = 0; i <= strlen(name); i++)
			lower[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
		cr_assert_eq(names_signal_parse(lower), sig, "%s", lower);
		cr_assert_eq(names_signal(sig), name, "not the same buffer the second time");
	}
	cr_assert_eq(named, 30);
	cr_assert_str_eq(names_signal(SIGTERM), "SIGTERM");
	cr_assert_str_eq(names_signal(SIGKILL), "SIGKILL");
	cr_assert_null(names_signal(0));
	cr_assert_null(names_signal(-1));
	cr_assert_null(names_signal(SIGRTMIN));
	cr_assert_null(names_signal(65));
	for (int sig = 1; sig <= 64; sig++) {
		char num[16];
		snprintf(num, sizeof(num), "%d", sig);
		cr_assert_eq(names_signal_parse(num), sig, "%s", num);
	}
	cr_assert_eq(names_signal_parse(NULL), -1);
	cr_assert_eq(names_signal_parse(""), -1);
	cr_assert_eq(names_signal_parse("0"), -1);
	cr_assert_eq(names_signal_parse("65"), -1);
	cr_assert_eq(names_signal_parse("15x"), -1);
	cr_assert_eq(names_signal_parse("99999999999999999999999"), -1);
	cr_assert_eq(names_signal_parse("-1"), -1);
	cr_assert_eq(names_signal_parse("+1"), -1);
	cr_assert_eq(names_signal_parse(" 1"), -1);
	cr_assert_eq(names_signal_parse("SIG"), -1);
	cr_assert_eq(names_signal_parse("SIGRTMIN"), -1);
}

/* ---- shutdown ---- */

Test(names, status_in_words)
{
	char buf[64];
	names_status(-1, 0, buf, sizeof(buf));
	cr_assert_str_eq(buf, "did not start");
	names_status(3, 0, buf, sizeof(buf));
	cr_assert_str_eq(buf, "exited with code 3");
	names_status(137, 0, buf, sizeof(buf));
	cr_assert_str_eq(buf, "exited with code 137", "an exit code of 137 is not a SIGKILL");
	names_status(137, SIGKILL, buf, sizeof(buf));
	cr_assert_str_eq(buf, "killed by SIGKILL (status 137)");
	names_status(128 + 40, 40, buf, sizeof(buf));
	cr_assert_str_eq(buf, "killed by signal 40 (status 168)");
}
