/* test_secrets_fields.c - what the spec says about secrets (docs/spec.md
 * sections 4 and 7): x-secrets_reload's three forms, its errors and its
 * canonical form, and the mount paths refused because they would hide
 * /run/secrets/platform.env (or everything, for "/"). */
#include "tests/unit/spec/spec_test.h"

#include <signal.h>

/* ==== x-secrets_reload ==== */

static const struct spec_process *load_reload(struct spec **ret, const char *value)
{
	char *t = fmt(BASE "x-secrets_reload = \"%s\"\n", value);
	*ret = load_ok(t);
	free(t);
	return proc(*ret, "web");
}

Test(secrets_reload, default_none)
{
	struct spec *s = load_ok(BASE);
	cr_assert_eq(proc(s, "web")->secrets_reload, SPEC_RELOAD_NONE);
	cr_assert_eq(proc(s, "web")->secrets_reload_signal, 0);
	spec_free(s);
}

Test(secrets_reload, none_and_restart)
{
	struct spec *s;
	cr_assert_eq(load_reload(&s, "none")->secrets_reload, SPEC_RELOAD_NONE);
	spec_free(s);
	cr_assert_eq(load_reload(&s, "restart")->secrets_reload, SPEC_RELOAD_RESTART);
	spec_free(s);
}

Test(secrets_reload, signal_names)
{
	static const struct { const char *v; int sig; } ok[] = {
		{ "signal:HUP", SIGHUP }, { "signal:SIGHUP", SIGHUP }, { "signal:usr1", SIGUSR1 },
		{ "signal:SIGUSR2", SIGUSR2 }, { "signal:TERM", SIGTERM }, { "signal:WINCH", SIGWINCH },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct spec *s;
		const struct spec_process *p = load_reload(&s, ok[i].v);
		cr_assert_eq(p->secrets_reload, SPEC_RELOAD_SIGNAL, "%s", ok[i].v);
		cr_assert_eq(p->secrets_reload_signal, ok[i].sig, "%s", ok[i].v);
		spec_free(s);
	}
}

static void expect_reload_error(const char *value, const char *why)
{
	char *t = fmt(BASE "x-secrets_reload = \"%s\"\n", value);
	char *needle = fmt("t.ini:5: processes.web.x-secrets_reload: \"%s\": %s", value, why);
	expect_error(t, needle);
	free(t);
	free(needle);
}

Test(secrets_reload, bad_values)
{
	const char *form = "must be \"none\", \"restart\" or \"signal:NAME\"";
	const char *name = "not a signal name";
	expect_reload_error("", form);
	expect_reload_error("Restart", form);
	expect_reload_error("reload", form);
	expect_reload_error("signal", form);
	expect_reload_error("signal:", name);
	expect_reload_error("signal:1", name);
	expect_reload_error("signal:15", name);
	expect_reload_error("signal:FOO", name);
	expect_reload_error("signal:SIG", name);
	expect_reload_error("signal: HUP", name);
	expect_reload_error("signal:KILL", "KILL and STOP are refused");
	expect_reload_error("signal:SIGSTOP", "KILL and STOP are refused");
}

Test(secrets_reload, wrong_type)
{
	expect_error(BASE "x-secrets_reload = true\n",
		     "t.ini:5: processes.web.x-secrets_reload: must be a string, not a boolean");
	expect_error(BASE "x-secrets_reload = [\"restart\"]\n",
		     "t.ini:5: processes.web.x-secrets_reload: must be a string");
}

/* Printed always, after x-depends_on and before the mounts; a signal by
 * its name without SIG, whatever the spelling given. */
Test(secrets_reload, canonical_form)
{
	static const struct { const char *keys, *line; } cases[] = {
		{ "", "x-secrets_reload = \"none\"\n" },
		{ "x-secrets_reload = \"restart\"\n", "x-secrets_reload = \"restart\"\n" },
		{ "x-secrets_reload = \"signal:sighup\"\n", "x-secrets_reload = \"signal:HUP\"\n" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *t = fmt(MOUNT("%smounts.0.volume = \"data\"\nmounts.0.path = \"/data\"\n"), cases[i].keys);
		struct spec *s = load_ok(t), *s2;
		char *p1 = unit_print(s), *p2;
		const char *at = strstr(p1, cases[i].line);
		cr_assert_not_null(at, "no %s in:\n%s", cases[i].line, p1);
		cr_assert_not_null(strstr(at, "mounts.0.volume"), "x-secrets_reload after the mounts:\n%s", p1);
		s2 = load_ok(p1);
		p2 = unit_print(s2);
		cr_assert_str_eq(p2, p1);
		cr_assert_eq(proc(s2, "web")->secrets_reload, proc(s, "web")->secrets_reload);
		spec_free(s); spec_free(s2);
		free(t); free(p1); free(p2);
	}
}

Test(secrets_reload, after_depends_on)
{
	struct spec *s = load_ok(BASE "x-depends_on = [\"db\"]\n"
				 "[processes.db]\ncommand = [\"/bin/db\"]\nresources.memory = \"64Mi\"\n");
	char *p = unit_print(s);
	const char *dep = strstr(p, "x-depends_on");
	cr_assert_not_null(dep);
	cr_assert_not_null(strstr(dep, "x-secrets_reload"), "%s", p);
	spec_free(s);
	free(p);
}

/* ==== mounts that would hide the secrets file, or everything ==== */

static void expect_hides(const char *path, const char *why)
{
	char *t = fmt(MOUNT("mounts.0.volume = \"data\"\nmounts.0.path = \"%s\"\n"), path);
	char *needle = fmt("t.ini:6: processes.web.mounts.0.path: \"%s\" is not allowed: %s", path, why);
	expect_error(t, needle);
	free(t);
	free(needle);
}

Test(secrets_mounts, run_and_secrets_refused)
{
	const char *why = "it would hide /run/secrets/platform.env";
	expect_hides("/run", why);
	expect_hides("/run/", why);
	expect_hides("//run/.", why);
	expect_hides("/run/secrets", why);
	expect_hides("/run/secrets/", why);
	expect_hides("/run/secrets/sub/dir", why);
	expect_hides("/run/secrets/platform.env", why);
	expect_hides("/run/secrets/..", why);
	expect_hides("/srv/../run/./secrets", why);
	expect_hides("/run/x/../secrets/platform.env/", why);
}

Test(secrets_mounts, root_refused)
{
	const char *why = "a mount on / would hide the whole image";
	expect_hides("/", why);
	expect_hides("//", why);
	expect_hides("/.", why);
	expect_hides("/data/..", why);
	expect_hides("/dev/..", why);
	expect_hides("/../..", why);
}

Test(secrets_mounts, neighbours_allowed)
{
	struct spec *s = load_ok(MOUNT("mounts.0.volume = \"data\"\nmounts.0.path = \"/run/app\"\n"
				       "mounts.1.volume = \"data\"\nmounts.1.path = \"/runx\"\n"
				       "mounts.2.volume = \"data\"\nmounts.2.path = \"/run/secretsx\"\n"));
	cr_assert_eq(proc(s, "web")->nmounts, 3);
	spec_free(s);
}
