/* test_print.c - the canonical form (spec/print.c): argv round trip byte
 * for byte, golden output, idempotence, what is printed and in what order. */
#include "tests/unit/spec/spec_test.h"

/* ==== argv round trip through the canonical form ==== */

/* Encode s as adjacent JSON literals on continuation lines, each at most
 * 100 bytes, never splitting a UTF-8 sequence (test-side, independent of
 * spec/value.c's writer). */
static void put_literals(FILE *f, const char *s)
{
	size_t col = 0;
	fputs("  \"", f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char enc[8];
		if (col >= 90 && (c & 0xc0) != 0x80) {
			fputs("\"\n  \"", f);
			col = 0;
		}
		if (c == '"' || c == '\\')
			snprintf(enc, sizeof(enc), "\\%c", c);
		else if (c == '\n')
			snprintf(enc, sizeof(enc), "\\n");
		else if (c == ';' || c < 0x20)
			snprintf(enc, sizeof(enc), "\\u%04x", c);
		else
			snprintf(enc, sizeof(enc), "%c", c);
		fputs(enc, f);
		col += strlen(enc);
	}
	fputs("\"", f);
}

static char *argv_spec(const char *const *argv)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	cr_assert_not_null(f);
	fputs("schema_version = \"v1\"\n[processes.web]\nresources.memory = \"64Mi\"\ncommand = [\n", f);
	for (size_t i = 0; argv[i]; i++) {
		put_literals(f, argv[i]);
		fputs(argv[i + 1] ? ",\n" : "\n", f);
	}
	fputs("  ]\n", f);
	fclose(f);
	return out;
}

static void assert_lines_fit(const char *text)
{
	size_t lineno = 1;
	for (const char *p = text; *p; lineno++) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		cr_assert_leq(n, 198, "printed line %zu is %zu bytes:\n%.*s", lineno, n, (int)n, p);
		p += n + (nl ? 1 : 0);
	}
}

Test(roundtrip, argv_byte_for_byte)
{
	char *big = malloc(501);
	const char *argv[] = {
		"/bin/my prog",
		"say \"hi\"",
		"C:\\path\\to\\",
		"",
		"  lead and trail  ",
		"a;b ; c;",
		"tab\there\t",
		"line1\nline2\n",
		"h\xc3\xa9llo w\xc3\xb6rld \xe2\x9c\x93 \xf0\x9f\x98\x80",
		"ctl\x01\x1f\x7f\r",
		"= [ ] , # \\u003b",
		big,
		"last",
		NULL };
	char *text, *p1, *p2;
	struct spec *s0, *s1, *s2;

	/* 500 bytes mixing everything that needs care when wrapped */
	for (size_t i = 0; i < 500; i++)
		big[i] = "ab \";\\\tx"[i % 8];
	memcpy(big + 100, "\xc3\xa9\xf0\x9f\x98\x80", 6);
	big[500] = '\0';
	cr_assert_eq(strlen(big), 500);

	text = argv_spec(argv);
	s0 = load_ok(text);
	assert_strv(&s0->procs[0].argv, argv);
	assert_strv(&s0->procs[0].command, argv);

	p1 = unit_print(s0);
	assert_lines_fit(p1);
	s1 = load_ok(p1);
	assert_strv(&s1->procs[0].argv, argv);
	for (size_t i = 0; argv[i]; i++)
		cr_assert_eq(memcmp(s1->procs[0].argv.v[i], argv[i], strlen(argv[i]) + 1), 0,
			     "element %zu differs after printing", i);

	p2 = unit_print(s1);
	cr_assert_str_eq(p2, p1, "printing is not idempotent");
	s2 = load_ok(p2);
	assert_strv(&s2->procs[0].argv, argv);

	spec_free(s0); spec_free(s1); spec_free(s2);
	free(text); free(p1); free(p2); free(big);
}

Test(roundtrip, long_multibyte_strings_wrap)
{
	/* 300 four-byte characters: 1200 bytes, split into literals that must
	 * not cut a sequence */
	char *e = rep("\xf0\x9f\x98\x80", 300);
	const char *argv[] = { "/bin/app", e, NULL };
	char *text = argv_spec(argv), *p1, *p2;
	struct spec *s0 = load_ok(text), *s1;
	p1 = unit_print(s0);
	assert_lines_fit(p1);
	s1 = load_ok(p1);
	assert_strv(&s1->procs[0].argv, argv);
	p2 = unit_print(s1);
	cr_assert_str_eq(p2, p1);
	spec_free(s0); spec_free(s1);
	free(e); free(text); free(p1); free(p2);
}

Test(roundtrip, many_elements_wrap)
{
	/* 150 short elements: the array itself must wrap */
	const char *argv[152];
	char *text, *p1, *p2;
	struct spec *s0, *s1;
	argv[0] = "/bin/app";
	for (int i = 1; i <= 150; i++)
		argv[i] = (i % 3) ? "--x" : "";
	argv[151] = NULL;
	text = argv_spec(argv);
	s0 = load_ok(text);
	p1 = unit_print(s0);
	assert_lines_fit(p1);
	s1 = load_ok(p1);
	assert_strv(&s1->procs[0].argv, argv);
	p2 = unit_print(s1);
	cr_assert_str_eq(p2, p1);
	spec_free(s0); spec_free(s1);
	free(text); free(p1); free(p2);
}

Test(roundtrip, full_spec_idempotent)
{
	char *t = fmt(
		"schema_version = \"v1\"\n"
		"[app]\nname = \"demo \\u003b app\"\ndescription = \"%s\"\n"
		"[image]\nref = \"ghcr.io/acme/app@sha256:" HEX64 "\"\npull_policy = \"always\"\n"
		"[env]\nvars = [\"Z=last\", \"A=a b\\tc\", \"PATH=/bin:/usr/bin\"]\n"
		"workdir = \"/srv\"\nuser = \"app:app\"\nprestart = [\"/bin/setup\"]\n"
		"prestart_timeout_seconds = 12\n"
		"[processes.worker]\ncommand = [\"/bin/worker\", \"-q\"]\nresources.memory = \"128Mi\"\n"
		"restart.policy = \"never\"\nresources.cpu = 0.25\n"
		"[processes.web]\ncommand = [\"/bin/web\"]\nresources.memory = \"1Gi\"\n"
		"restart.policy = \"on-failure\"\nrestart.max_retries = 7\nresources.cpu = 3\n"
		"vars = [\"PORT=8080\"]\nuser = \"1000\"\nworkdir = \"/app\"\n"
		"ports.0.internal = 8080\nports.1.name = \"admin\"\nports.1.internal = 9090\n"
		"health.type = \"http\"\nhealth.port = \"admin\"\nhealth.path = \"/health\"\n"
		"mounts.0.volume = \"data\"\nmounts.0.path = \"/data\"\nmounts.0.read_only = true\n"
		"secrets.required = true\nscaling.min = 2\nscaling.max = 4\n"
		"[volumes.0]\nname = \"data\"\nsize = \"10Gi\"\nbackup_enabled = false\n"
		"[volumes.1]\nname = \"logs\"\nsize = \"1Gi\"\n"
		"[guest]\nhostname = \"demo\"\nhalt = \"reboot\"\nstop_timeout_seconds = 3\n"
		"[guest.image]\nentrypoint = [\"/entry\"]\ncmd = [\"run\"]\nenv = [\"lower.case=ok\"]\n"
		"workdir = \"/\"\nuser = \"nobody\"\n"
		"[guest.volumes.logs]\ndevice = \"/dev/vdc\"\n"
		"[guest.volumes.data]\ndevice = \"/dev/vdb\"\n",
		"x");
	char *p1, *p2;
	struct spec *s0, *s1;
	s0 = load_ok(t);
	p1 = unit_print(s0);
	assert_lines_fit(p1);
	s1 = load_ok(p1);
	p2 = unit_print(s1);
	cr_assert_str_eq(p2, p1);
	/* a few fields survive the trip unchanged */
	cr_assert_str_eq(s1->app_name, "demo ; app");
	cr_assert_str_eq(s1->vols[1].dev.text, "/dev/vdc");
	cr_assert_eq(proc(s1, "web")->health.port, 9090);
	cr_assert_eq(proc(s1, "web")->max_retries, 7);
	cr_assert_float_eq(proc(s1, "worker")->cpu, 0.25, 1e-12);
	cr_assert_str_eq(s1->image.env.v[0], "lower.case=ok");
	spec_free(s0); spec_free(s1);
	free(t); free(p1); free(p2);
}

Test(roundtrip, empty_tables_dropped_without_loss)
{
	/* {} adds nothing the canonical form has to carry: defaults print the
	 * empty restart/resources/scaling/secrets, and a health table, port or
	 * mount is only valid with keys, which print. */
	const char *with =
		"schema_version = \"v1\"\n"
		"[processes.web]\ncommand = [\"/bin/web\"]\nresources = {}\nresources.memory = \"64Mi\"\n"
		"restart = {}\nscaling = { }\nsecrets = {}\n"
		"ports.0 = {}\nports.0.internal = 80\n"
		"health = {}\nhealth.port = \"p80\"\n"
		"mounts.0 = {}\nmounts.0.volume = \"d\"\nmounts.0.path = \"/d\"\n"
		"[volumes.0]\nname = \"d\"\nsize = \"1Gi\"\n";
	const char *without =
		"schema_version = \"v1\"\n"
		"[processes.web]\ncommand = [\"/bin/web\"]\nresources.memory = \"64Mi\"\n"
		"ports.0.internal = 80\nhealth.port = \"p80\"\n"
		"mounts.0.volume = \"d\"\nmounts.0.path = \"/d\"\n"
		"[volumes.0]\nname = \"d\"\nsize = \"1Gi\"\n";
	struct spec *s0 = load_ok(with), *s1, *sw = load_ok(without);
	char *p1 = unit_print(s0), *p2, *pw = unit_print(sw);
	cr_assert_str_eq(p1, pw, "{} changed the canonical form");
	cr_assert_null(strstr(p1, "{}"));
	s1 = load_ok(p1);
	p2 = unit_print(s1);
	cr_assert_str_eq(p2, p1);
	cr_assert_eq(proc(s1, "web")->health.present, 1);
	cr_assert_eq(proc(s1, "web")->health.port, 80);
	cr_assert_eq(proc(s1, "web")->nports, 1);
	cr_assert_eq(proc(s1, "web")->nmounts, 1);
	spec_free(s0); spec_free(s1); spec_free(sw);
	free(p1); free(p2); free(pw);
}

Test(roundtrip, long_description_idempotent)
{
	/* 240 characters, 400 bytes, with ';' after spaces: wraps and escapes */
	char *d = rep("\xc3\xa9 ;", 80);
	char *t = fmt(BASE "[app]\ndescription = \"x\"\n");
	struct spec *s0 = load_ok(t), *s1;
	char *p1, *p2;
	free(s0->app_description);
	s0->app_description = strdup(d);   /* set directly: the input would need escapes */
	p1 = unit_print(s0);
	assert_lines_fit(p1);
	s1 = load_ok(p1);
	cr_assert_str_eq(s1->app_description, d);
	p2 = unit_print(s1);
	cr_assert_str_eq(p2, p1);
	spec_free(s0); spec_free(s1);
	free(d); free(t); free(p1); free(p2);
}

Test(roundtrip, cpu_values)
{
	static const char *const in[] = { "1", "0.1", "0.3", "64", "63.999", "1e-3", "2.5E1", "5e-324", NULL };
	for (int i = 0; in[i]; i++) {
		char *t = fmt(BASE "resources.cpu = %s\n", in[i]);
		struct spec *s0 = load_ok(t), *s1;
		char *p = unit_print(s0);
		s1 = load_ok(p);
		cr_assert_eq(s1->procs[0].cpu, s0->procs[0].cpu, "cpu %s did not survive: %s", in[i], p);
		spec_free(s0); spec_free(s1);
		free(t); free(p);
	}
}

/* ==== canonical output ==== */

Test(canonical, minimal_golden)
{
	struct spec *s = load_ok(BASE);
	char *out = unit_print(s);
	cr_assert_str_eq(out,
		"# vminit spec, canonical form\n"
		"schema_version = \"v1\"\n"
		"\n[image]\n"
		"pull_policy = \"if_not_present\"\n"
		"\n[env]\n"
		"prestart_timeout_seconds = 30\n"
		"\n[processes.web]\n"
		"command = [ \"/bin/app\" ]\n"
		"prestart_timeout_seconds = 30\n"
		"restart.policy = \"always\"\n"
		"restart.backoff_seconds = 2\n"
		"resources.memory = \"64Mi\"\n"
		"resources.cpu = 1.0\n"
		"resources.disk = \"4Gi\"\n"
		"resources.x-pids_max = 4096\n"
		"scaling.min = 1\n"
		"scaling.max = 1\n"
		"x-secrets_reload = \"none\"\n"
		"secrets.required = false\n"
		"\n[guest]\n"
		"hostname = \"vminit\"\n"
		"halt = \"poweroff\"\n"
		"stop_timeout_seconds = 10\n"
		"restart_backoff_max_seconds = 300\n"
		"restart_reset_seconds = 60\n");
	free(out);
	spec_free(s);
}

/* [guest] control is printed exactly when given: its default depends on the
 * mode (PID 1: vsock and serial; vminit run: none), docs/spec.md section 9.
 * minimal_golden shows it absent; given, even empty, it round-trips. */
Test(canonical, control_only_when_given)
{
	static const char *const lists[] = { "[]", "[\"unix:/run/c.sock\", \"vsock:1024\"]" };
	static const char *const printed[] = { "\ncontrol = [ ]\n",
		"\ncontrol = [ \"unix:/run/c.sock\", \"vsock:1024\" ]\n" };
	for (size_t i = 0; i < 2; i++) {
		char *text = fmt(BASE "[guest]\ncontrol = %s\n", lists[i]), *a, *b;
		struct spec *s = load_ok(text), *t;
		a = unit_print(s);
		cr_assert(strstr(a, printed[i]), "%s", a);
		t = load_ok(a);
		cr_assert_eq(t->guest.control.set, 1);
		cr_assert_eq(t->guest.control.n, s->guest.control.n);
		b = unit_print(t);
		cr_assert_str_eq(a, b);
		spec_free(s);
		spec_free(t);
		free(a);
		free(b);
		free(text);
	}
}

Test(canonical, processes_sorted_by_name)
{
	struct spec *s = load_ok("schema_version = \"v1\"\n"
		"[processes.worker]\ncommand = [\"/w\"]\nresources.memory = \"64Mi\"\n"
		"[processes.api]\ncommand = [\"/a\"]\nresources.memory = \"64Mi\"\n"
		"[processes.web]\ncommand = [\"/b\"]\nresources.memory = \"64Mi\"\n");
	char *out = unit_print(s);
	const char *a = strstr(out, "[processes.api]"), *b = strstr(out, "[processes.web]"),
		   *c = strstr(out, "[processes.worker]");
	cr_assert(a && b && c && a < b && b < c, "order wrong:\n%s", out);
	cr_assert_str_eq(s->procs[0].name, "api");
	cr_assert_str_eq(s->procs[1].name, "web");
	cr_assert_str_eq(s->procs[2].name, "worker");
	cr_assert_eq(s->procs[2].line, 2, "line of its header survives sorting");
	free(out);
	spec_free(s);
}

Test(canonical, vars_sorted_by_key)
{
	/* by key, not by the whole "KEY=value" string: "A" < "A0" although
	 * "A0=1" < "A=2" bytewise */
	struct spec *s = load_ok(BASE "vars = [\"Z=1\", \"A0=1\", \"A=2\", \"M_=3\"]\n"
				 "[env]\nvars = [\"B=2\", \"A=1\"]\n");
	static const char *const want[] = { "A=2", "A0=1", "M_=3", "Z=1", NULL };
	char *out = unit_print(s);
	assert_strv(&s->procs[0].vars, want);
	cr_assert(strstr(out, "\nvars = [ \"A=2\", \"A0=1\", \"M_=3\", \"Z=1\" ]\n"), "%s", out);
	cr_assert(strstr(out, "\nvars = [ \"A=1\", \"B=2\" ]\n"), "%s", out);
	free(out);
	spec_free(s);
}

Test(canonical, derived_port_names_printed)
{
	struct spec *s = load_ok(BASE "ports.0.internal = 8080\nports.1.name = \"admin\"\n"
				 "ports.1.internal = 9000\nhealth.port = 8080\n");
	char *out = unit_print(s);
	cr_assert(strstr(out, "\nports.0.name = \"p8080\"\nports.0.internal = 8080\n"
			      "ports.0.protocol = \"tcp\"\nports.1.name = \"admin\"\n"
			      "ports.1.internal = 9000\nports.1.protocol = \"tcp\"\n"), "%s", out);
	cr_assert(strstr(out, "\nhealth.type = \"tcp\"\nhealth.port = 8080\n"
			      "health.interval_seconds = 10\nhealth.timeout_seconds = 2\n"
			      "health.grace_period_seconds = 10\nhealth.success_threshold = 1\n"
			      "health.failure_threshold = 3\n"), "%s", out);
	free(out);
	spec_free(s);
}

Test(canonical, max_retries_only_for_on_failure)
{
	struct spec *s = load_ok(BASE "restart.policy = \"on-failure\"\nrestart.max_retries = 5\n");
	char *out = unit_print(s);
	cr_assert(strstr(out, "\nrestart.policy = \"on-failure\"\nrestart.max_retries = 5\n"), "%s", out);
	free(out);
	spec_free(s);

	s = load_ok(BASE "restart.policy = \"on-failure\"\n");
	out = unit_print(s);
	cr_assert(strstr(out, "\nrestart.max_retries = 3\n"), "default printed:\n%s", out);
	free(out);
	spec_free(s);

	static const char *const others[] = { "always", "never" };
	for (int i = 0; i < 2; i++) {
		char *t = fmt(BASE "restart.policy = \"%s\"\n", others[i]);
		s = load_ok(t);
		out = unit_print(s);
		cr_assert_null(strstr(out, "max_retries"), "%s:\n%s", others[i], out);
		free(out);
		free(t);
		spec_free(s);
	}
}

Test(canonical, semicolon_escaped)
{
	struct spec *s = load_ok(BASE "[app]\nname = \"a;b\"\n");
	char *out = unit_print(s);
	cr_assert(strstr(out, "\nname = \"a\\u003bb\"\n"), "%s", out);
	cr_assert_null(strchr(out, ';'), "a raw ';' was printed:\n%s", out);
	free(out);
	spec_free(s);
}

Test(canonical, volumes_and_guest_volumes)
{
	struct spec *s = load_ok(BASE
		"[volumes.0]\nname = \"zeta\"\nsize = \"1Gi\"\n"
		"[volumes.1]\nname = \"alpha\"\nsize = \"2Gi\"\nbackup_enabled = false\n"
		"[guest.volumes.zeta]\ndevice = \"/dev/vdb\"\n"
		"[guest.volumes.alpha]\ndevice = \"/dev/vdc\"\n");
	char *out = unit_print(s);
	cr_assert(strstr(out, "\n[volumes.0]\nname = \"zeta\"\nsize = \"1Gi\"\nfilesystem = \"ext4\"\n"
			      "backup_enabled = true\n\n[volumes.1]\nname = \"alpha\"\nsize = \"2Gi\"\n"
			      "filesystem = \"ext4\"\nbackup_enabled = false\n"), "%s", out);
	cr_assert(strstr(out, "\n[guest.volumes.alpha]\ndevice = \"/dev/vdc\"\nwait_seconds = 10\n\n"
			      "[guest.volumes.zeta]\ndevice = \"/dev/vdb\"\nwait_seconds = 10\n"), "%s", out);
	free(out);
	spec_free(s);
}

Test(health_ext, canonical_round_trip)
{
	const char *text = TWO "restart.policy = \"on-failure\"\nx-liveness.type = \"process\"\n"
		"x-startup_timeout_seconds = 9\nx-depends_on = [\"web\"]\n";
	struct spec *s = load_ok(text), *t;
	char *a = NULL, *b = NULL;
	size_t na, nb;
	FILE *f = open_memstream(&a, &na);
	spec_print(s, f);
	fclose(f);
	t = load_ok(a);
	f = open_memstream(&b, &nb);
	spec_print(t, f);
	fclose(f);
	cr_assert_str_eq(a, b);
	cr_assert(strstr(a, "x-depends_on = [ \"web:started\" ]"), "%s", a);
	cr_assert(strstr(a, "x-liveness.type = \"process\""), "%s", a);
	cr_assert(strstr(a, "x-startup_timeout_seconds = 9"), "%s", a);
	spec_free(s);
	spec_free(t);
	free(a);
	free(b);
}
