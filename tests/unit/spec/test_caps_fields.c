/* test_caps_fields.c - the spec's resource and privilege extensions
 * (docs/spec.md section 4): resources.x-pids_max, x-capabilities.add and
 * .drop, the derived caps, their errors and their canonical form; and the
 * capability name table (spec/caps.c) against libcap's. */
#include "tests/unit/spec/spec_test.h"
#include "spec/spec_int.h"

#include <ctype.h>
#include <sys/capability.h>

#define B(n) (1ull << (n))

/* ==== resources.x-pids_max ==== */

Test(pids_max, default_and_bounds)
{
	struct spec *s = load_ok(BASE);
	cr_assert_eq(proc(s, "web")->pids_max, SPEC_PIDS_DEFAULT);
	cr_assert_eq(SPEC_PIDS_DEFAULT, 4096);
	spec_free(s);
	s = load_ok(BASE "resources.x-pids_max = 1\n");
	cr_assert_eq(proc(s, "web")->pids_max, 1);
	spec_free(s);
	s = load_ok(BASE "resources.x-pids_max = 4194304\n");
	cr_assert_eq(proc(s, "web")->pids_max, SPEC_PIDS_LIMIT);
	spec_free(s);
	s = load_ok(BASE "resources = {}\nresources.x-pids_max = 64\n");
	cr_assert_eq(proc(s, "web")->pids_max, 64);
	spec_free(s);
}

Test(pids_max, errors)
{
	const char *range = "t.ini:5: processes.web.resources.x-pids_max: must be between 1 and 4194304";
	expect_error(BASE "resources.x-pids_max = 0\n", range);
	expect_error(BASE "resources.x-pids_max = -1\n", range);
	expect_error(BASE "resources.x-pids_max = 4194305\n", range);
	expect_error(BASE "resources.x-pids_max = \"64\"\n",
		     "t.ini:5: processes.web.resources.x-pids_max: must be an integer");
	expect_error(BASE "resources.x-pids_max = 1.5\n", "t.ini:5: processes.web.resources.x-pids_max: must be");
	expect_error(BASE "x-pids_max = 64\n", "t.ini:5: processes.web.x-pids_max: unknown key");
}

/* ==== x-capabilities ==== */

static const struct spec_process *load_caps(struct spec **ret, const char *keys)
{
	char *t = fmt(BASE "%s", keys);
	*ret = load_ok(t);
	free(t);
	return proc(*ret, "web");
}

Test(caps_fields, default_is_docker_s)
{
	struct spec *s = load_ok(BASE);
	const struct spec_process *p = proc(s, "web");
	/* What /proc/PID/status shows for a container of Docker's defaults. */
	cr_assert_eq(SPEC_CAPS_DEFAULT, 0xa80425fbull);
	cr_assert_eq(p->caps, SPEC_CAPS_DEFAULT);
	cr_assert_eq(p->cap_add, 0);
	cr_assert_eq(p->cap_drop, 0);
	cr_assert_eq(p->caps_line, 0);
	cr_assert_eq(p->caps & (B(CAP_SYS_ADMIN) | B(CAP_SYS_BOOT) | B(CAP_SYS_MODULE) | B(CAP_SYS_PTRACE) |
				B(CAP_NET_ADMIN) | B(CAP_SYS_TIME)), 0);
	spec_free(s);
}

Test(caps_fields, names_in_any_form)
{
	struct spec *s;
	const struct spec_process *p = load_caps(&s, "x-capabilities.add = [\"NET_ADMIN\", \"cap_sys_ptrace\", "
						  "\"Cap_Sys_Time\", \"sys_nice\"]\n"
						  "x-capabilities.drop = [\"NET_RAW\", \"CAP_MKNOD\"]\n");
	cr_assert_eq(p->cap_add, B(CAP_NET_ADMIN) | B(CAP_SYS_PTRACE) | B(CAP_SYS_TIME) | B(CAP_SYS_NICE));
	cr_assert_eq(p->cap_drop, B(CAP_NET_RAW) | B(CAP_MKNOD));
	cr_assert_eq(p->caps, (SPEC_CAPS_DEFAULT | p->cap_add) & ~p->cap_drop);
	cr_assert_eq(p->caps_line, 5);
	spec_free(s);
}

Test(caps_fields, drop_alone_and_its_line)
{
	struct spec *s;
	const struct spec_process *p = load_caps(&s, "x-capabilities.drop = [\"NET_RAW\"]\n");
	cr_assert_eq(p->caps, 0xa80405fbull);
	cr_assert_eq(p->caps_line, 5);
	spec_free(s);
	p = load_caps(&s, "x-capabilities = {}\nx-capabilities.add = []\n");
	cr_assert_eq(p->caps, SPEC_CAPS_DEFAULT);
	cr_assert_eq(p->caps_line, 6);
	spec_free(s);
}

Test(caps_fields, all)
{
	struct spec *s;
	const struct spec_process *p = load_caps(&s, "x-capabilities.add = [\"ALL\"]\n");
	cr_assert_eq(p->cap_add, (2ull << CAP_LAST_CAP) - 1);
	cr_assert_eq(p->caps, (2ull << CAP_LAST_CAP) - 1);
	spec_free(s);
	p = load_caps(&s, "x-capabilities.drop = [\"all\"]\n");
	cr_assert_eq(p->caps, 0);
	spec_free(s);
	/* "only these" */
	p = load_caps(&s, "x-capabilities.drop = [\"ALL\"]\nx-capabilities.add = [\"NET_BIND_SERVICE\"]\n");
	cr_assert_eq(p->caps, B(CAP_NET_BIND_SERVICE));
	cr_assert_eq(p->caps_line, 6);
	spec_free(s);
}

static void expect_caps_error(const char *keys, const char *needle)
{
	char *t = fmt(BASE "%s", keys);
	expect_error(t, needle);
	free(t);
}

Test(caps_fields, unknown_names)
{
	static const char *const bad[] = { "FOO", "12", "0", "CAP_", "", "NET_ADMIN ", " NET_ADMIN", "cap_chown!",
		"cap_chown,cap_kill", "CAP_CAP_CHOWN", "NET-ADMIN", "ALL_", "CAPCHOWN", "CHECKPOINT_RESTORE_",
		"net_admin\\u0001" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *keys = fmt("x-capabilities.add = [\"%s\"]\n", bad[i]);
		char *needle = fmt("t.ini:5: processes.web.x-capabilities.add: \"");
		expect_caps_error(keys, needle);
		expect_caps_error(keys, "is not a capability's name (\"NET_ADMIN\", \"CAP_SYS_PTRACE\", or \"ALL\")");
		free(keys);
		free(needle);
	}
	expect_caps_error("x-capabilities.drop = [\"SYS_ADMIN\", \"BOGUS\"]\n",
			  "t.ini:5: processes.web.x-capabilities.drop: \"BOGUS\" is not a capability's name");
}

Test(caps_fields, twice_both_and_all_alone)
{
	expect_caps_error("x-capabilities.add = [\"NET_ADMIN\", \"cap_net_admin\"]\n",
			  "t.ini:5: processes.web.x-capabilities.add: \"cap_net_admin\" is given twice");
	expect_caps_error("x-capabilities.add = [\"NET_ADMIN\", \"SYS_TIME\"]\n"
			  "x-capabilities.drop = [\"sys_time\"]\n",
			  "t.ini:6: processes.web.x-capabilities.drop: SYS_TIME is both added and dropped");
	expect_caps_error("x-capabilities.add = [\"ALL\"]\nx-capabilities.drop = [\"SYS_BOOT\"]\n",
			  "t.ini:6: processes.web.x-capabilities.drop: SYS_BOOT is both added and dropped");
	expect_caps_error("x-capabilities.add = [\"ALL\"]\nx-capabilities.drop = [\"ALL\"]\n",
			  "t.ini:6: processes.web.x-capabilities.drop: CHOWN is both added and dropped");
	expect_caps_error("x-capabilities.drop = [\"ALL\", \"NET_RAW\"]\n",
			  "t.ini:5: processes.web.x-capabilities.drop: \"ALL\" must be the only name in its list");
}

Test(caps_fields, wrong_types_and_keys)
{
	expect_caps_error("x-capabilities.add = \"NET_ADMIN\"\n",
			  "t.ini:5: processes.web.x-capabilities.add: must be an array");
	expect_caps_error("x-capabilities.add = [12]\n", "t.ini:5: processes.web.x-capabilities.add: ");
	expect_caps_error("x-capabilities.drop = true\n",
			  "t.ini:5: processes.web.x-capabilities.drop: must be an array");
	expect_caps_error("x-capabilities.keep = [\"NET_ADMIN\"]\n",
			  "t.ini:5: processes.web.x-capabilities.keep: unknown key");
	expect_caps_error("x-capabilities = 1\n", "t.ini:5: processes.web.x-capabilities: must be");
	expect_caps_error("capabilities.add = [\"NET_ADMIN\"]\n",
			  "t.ini:5: processes.web.capabilities.add: unknown key");
}

/* The canonical form: names in number order, upper case without CAP_;
 * every capability as "ALL"; printing again gives the same bytes and the
 * same bits. */
static void round_trip(const char *keys, const char *want_add, const char *want_drop)
{
	struct spec *s, *t;
	const struct spec_process *p = load_caps(&s, keys), *q;
	char *a = unit_print(s), *b;
	cr_assert(strstr(a, "resources.x-pids_max = "), "%s", a);
	if (want_add)
		cr_assert(strstr(a, want_add), "want %s in:\n%s", want_add, a);
	else
		cr_assert_null(strstr(a, "x-capabilities.add"), "%s", a);
	if (want_drop)
		cr_assert(strstr(a, want_drop), "want %s in:\n%s", want_drop, a);
	else
		cr_assert_null(strstr(a, "x-capabilities.drop"), "%s", a);
	t = load_ok(a);
	q = proc(t, "web");
	cr_assert_eq(q->cap_add, p->cap_add);
	cr_assert_eq(q->cap_drop, p->cap_drop);
	cr_assert_eq(q->caps, p->caps);
	cr_assert_eq(q->pids_max, p->pids_max);
	b = unit_print(t);
	cr_assert_str_eq(a, b);
	free(a);
	free(b);
	spec_free(s);
	spec_free(t);
}

Test(caps_fields, canonical)
{
	round_trip("", NULL, NULL);
	round_trip("resources.x-pids_max = 99\n", NULL, NULL);
	round_trip("x-capabilities.add = [\"sys_ptrace\", \"CAP_NET_ADMIN\"]\n",
		   "\nx-capabilities.add = [ \"NET_ADMIN\", \"SYS_PTRACE\" ]\n", NULL);
	round_trip("x-capabilities.add = [\"ALL\"]\n", "\nx-capabilities.add = [ \"ALL\" ]\n", NULL);
	round_trip("x-capabilities.drop = [\"all\"]\nx-capabilities.add = [\"checkpoint_restore\", \"chown\"]\n",
		   "\nx-capabilities.add = [ \"CHOWN\", \"CHECKPOINT_RESTORE\" ]\n",
		   "\nx-capabilities.drop = [ \"ALL\" ]\n");
	round_trip("x-capabilities.drop = [\"NET_RAW\"]\nx-capabilities.add = []\n", NULL,
		   "\nx-capabilities.drop = [ \"NET_RAW\" ]\n");
	{
		struct spec *s = load_ok(BASE "resources.x-pids_max = 99\n");
		char *a = unit_print(s);
		cr_assert(strstr(a, "resources.disk = \"4Gi\"\nresources.x-pids_max = 99\nscaling.min"), "%s", a);
		free(a);
		spec_free(s);
	}
}

/* Every name of the table is libcap's, by the same number. */
Test(caps_fields, table_is_libcap_s)
{
	for (int cap = 0; cap <= CAP_LAST_CAP; cap++) {
		char *lib = cap_to_name((cap_value_t)cap), ours[48], upper[48] = "";
		cr_assert_not_null(lib);
		cr_assert_eq(strncmp(lib, "cap_", 4), 0, "libcap does not name %d: %s", cap, lib);
		for (size_t i = 0; lib[4 + i] && i < sizeof(upper) - 1; i++)
			upper[i] = (char)toupper((unsigned char)lib[4 + i]), upper[i + 1] = '\0';
		spec_cap_name(cap, ours, sizeof(ours));
		cr_assert_str_eq(ours, upper, "capability %d", cap);
		cr_assert_eq(spec_cap_number(lib), cap, "%s", lib);
		cr_assert_eq(spec_cap_number(lib + 4), cap, "%s", lib + 4);
		cap_free(lib);
	}
	cr_assert_eq(spec_cap_number("ALL"), -1);
	spec_cap_name(CAP_LAST_CAP + 1, (char[8]){ 0 }, 8);
}
