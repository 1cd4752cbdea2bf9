/* test_process_tables.c - a process's tables (spec/process.c): ports.N,
 * health and the x- checks (x-liveness, x-startup_timeout_seconds), and
 * mounts.N. */
#include "tests/unit/spec/spec_test.h"

/* -- ports -- */

Test(validate_ports, internal_zero)
{
	expect_error(BASE "ports.0.internal = 0\n",
		     "t.ini:5: processes.web.ports.0.internal: must be between 1 and 65535");
}

Test(validate_ports, internal_too_big)
{
	expect_error(BASE "ports.0.internal = 65536\n",
		     "t.ini:5: processes.web.ports.0.internal: must be between 1 and 65535");
}

Test(validate_ports, internal_bounds_ok)
{
	struct spec *s = load_ok(BASE "ports.0.internal = 1\nports.1.internal = 65535\n");
	cr_assert_eq(s->procs[0].ports[0].internal, 1);
	cr_assert_eq(s->procs[0].ports[1].internal, 65535);
	cr_assert_str_eq(s->procs[0].ports[1].name, "p65535");
	spec_free(s);
}

Test(validate_ports, internal_required)
{
	expect_error(BASE "ports.0.name = \"http\"\n",
		     "t.ini:2: processes.web.ports.0.internal: required");
}

Test(validate_ports, internal_not_a_string)
{
	expect_error(BASE "ports.0.internal = \"80\"\n",
		     "t.ini:5: processes.web.ports.0.internal: must be an integer, not a string");
}

Test(validate_ports, name_pattern)
{
	expect_error(BASE "ports.0.internal = 80\nports.0.name = \"HTTP\"\n",
		     "t.ini:6: processes.web.ports.0.name: \"HTTP\" must match [a-z][a-z0-9-]{0,31}");
	expect_error(BASE "ports.0.internal = 80\nports.0.name = \"1http\"\n",
		     "t.ini:6: processes.web.ports.0.name: \"1http\" must match");
	expect_error(BASE "ports.0.internal = 80\nports.0.name = \"\"\n",
		     "t.ini:6: processes.web.ports.0.name: \"\" must match");
}

Test(validate_ports, name_pattern_ok)
{
	struct spec *s = load_ok(BASE "ports.0.internal = 80\nports.0.name = \"http-2\"\n");
	cr_assert_str_eq(s->procs[0].ports[0].name, "http-2");
	spec_free(s);
}

Test(validate_ports, duplicate_names)
{
	expect_error(BASE
		"ports.0.name = \"http\"\n"    /* 5 */
		"ports.0.internal = 80\n"      /* 6 */
		"ports.1.name = \"http\"\n"    /* 7 */
		"ports.1.internal = 81\n",     /* 8 */
		"t.ini:7: processes.web.ports.1.name: port name \"http\" is also ports.0's");
}

Test(validate_ports, duplicate_with_derived_name)
{
	/* The line of this error is checked by duplicate_names above. */
	expect_error(BASE
		"ports.0.name = \"p80\"\n"
		"ports.0.internal = 8080\n"
		"ports.1.internal = 80\n",
		"processes.web.ports.1.name: port name \"p80\" is also ports.0's "
		"(derived names are p<internal>)");
}

Test(validate_ports, protocol_only_tcp)
{
	expect_error(BASE "ports.0.internal = 53\nports.0.protocol = \"udp\"\n",
		     "t.ini:6: processes.web.ports.0.protocol: \"udp\" is not allowed: use \"tcp\"");
}

Test(validate_ports, bad_index)
{
	expect_error(BASE "ports.x.internal = 80\n",
		     "t.ini:5: processes.web.ports.x.internal: expected ports.N.field");
	expect_error(BASE "ports.01.internal = 80\n",
		     "t.ini:5: processes.web.ports.01.internal: expected ports.N.field");
	expect_error(BASE "ports.1000.internal = 80\n",
		     "t.ini:5: processes.web.ports.1000.internal: expected ports.N.field with N from 0 to 999");
	/* ports.0 names the element, a table: a type error, not a bad index */
	expect_error(BASE "ports.0 = 80\n",
		     "t.ini:5: processes.web.ports.0: must be a table, not an integer");
}

/* -- health -- */

Test(validate_health, port_by_name)
{
	struct spec *s = load_ok(BASE "ports.0.name = \"http\"\nports.0.internal = 3000\n"
				 "health.port = \"http\"\n");
	cr_assert_eq(s->procs[0].health.port, 3000);
	cr_assert_str_eq(s->procs[0].health.port_name, "http");
	spec_free(s);
}

Test(validate_health, port_by_derived_name)
{
	struct spec *s = load_ok(BASE "ports.0.internal = 3000\nhealth.port = \"p3000\"\n");
	cr_assert_eq(s->procs[0].health.port, 3000);
	spec_free(s);
}

Test(validate_health, port_by_number)
{
	struct spec *s = load_ok(BASE "ports.0.name = \"http\"\nports.0.internal = 3000\n"
				 "ports.1.internal = 9000\nhealth.port = 9000\n");
	cr_assert_eq(s->procs[0].health.port, 9000);
	cr_assert_null(s->procs[0].health.port_name);
	spec_free(s);
}

Test(validate_health, port_unknown_name)
{
	expect_error(BASE "ports.0.name = \"http\"\nports.0.internal = 3000\nhealth.port = \"admin\"\n",
		     "t.ini:7: processes.web.health.port: \"admin\" is not a declared port name");
}

Test(validate_health, port_unknown_number)
{
	expect_error(BASE "ports.0.internal = 3000\nhealth.port = 3001\n",
		     "t.ini:6: processes.web.health.port: 3001 is not a declared port");
}

Test(validate_health, port_without_ports)
{
	expect_error(BASE "health.port = 80\n",
		     "t.ini:5: processes.web.health.port: 80 is not a declared port");
}

Test(validate_health, port_of_another_process)
{
	expect_error(BASE
		"health.port = \"http\"\n"          /* 5 */
		"[processes.api]\n"                 /* 6 */
		"command = [\"/a\"]\n"
		"resources.memory = \"64Mi\"\n"
		"ports.0.name = \"http\"\n"
		"ports.0.internal = 80\n",
		"t.ini:5: processes.web.health.port: \"http\" is not a declared port name");
}

Test(validate_health, port_wrong_type)
{
	expect_error(BASE "ports.0.internal = 80\nhealth.port = true\n",
		     "t.ini:6: processes.web.health.port: must be a port name (a string) or number, "
		     "not a boolean");
}

Test(validate_health, port_required)
{
	expect_error(BASE "ports.0.internal = 80\nhealth.type = \"tcp\"\n",
		     "t.ini:2: processes.web.health.port: required when health is set");
	expect_error(BASE "health.interval_seconds = 5\n",
		     "t.ini:2: processes.web.health.port: required when health is set");
}

Test(validate_health, http_needs_path)
{
	expect_error(BASE "ports.0.internal = 80\nhealth.type = \"http\"\nhealth.port = 80\n",
		     "t.ini:2: processes.web.health.path: required for http health checks");
}

Test(validate_health, http_with_path_ok)
{
	struct spec *s = load_ok(BASE "ports.0.internal = 80\nhealth.type = \"http\"\n"
				 "health.port = 80\nhealth.path = \"/ready?x=1\"\n");
	cr_assert_eq(s->procs[0].health.type, SPEC_HEALTH_HTTP);
	cr_assert_str_eq(s->procs[0].health.path, "/ready?x=1");
	spec_free(s);
}

Test(validate_health, path_must_start_with_slash)
{
	expect_error(BASE "ports.0.internal = 80\nhealth.type = \"http\"\nhealth.port = 80\n"
		     "health.path = \"ready\"\n",
		     "t.ini:8: processes.web.health.path: must start with '/'");
}

/* docs/spec.md section 7: with type = "tcp" a path is accepted and unused,
 * as in the schema (which checks a path only for http); it is kept in the
 * canonical form, which reads back. The same for an x-liveness "process". */
Test(validate_health, path_unused_unless_http)
{
	struct spec *s = load_ok(BASE "ports.0.internal = 80\nhealth.type = \"tcp\"\nhealth.port = 80\n"
				 "health.path = \"ready now\"\n"
				 "x-liveness.type = \"process\"\nx-liveness.path = \"\"\n");
	char *a = unit_print(s), *b;
	struct spec *t;
	cr_assert_str_eq(s->procs[0].health.path, "ready now");
	cr_assert(strstr(a, "\nhealth.path = \"ready now\"\n"), "%s", a);
	t = load_ok(a);
	b = unit_print(t);
	cr_assert_str_eq(a, b);
	spec_free(t);
	spec_free(s);
	free(a);
	free(b);
	expect_error(BASE "ports.0.internal = 80\nhealth.type = \"http\"\nhealth.port = 80\n"
		     "health.path = \"ready now\"\n",
		     "t.ini:8: processes.web.health.path: must start with '/'");
}

Test(validate_health, type_values)
{
	expect_error(BASE "ports.0.internal = 80\nhealth.port = 80\nhealth.type = \"grpc\"\n",
		     "t.ini:7: processes.web.health.type: \"grpc\" is not allowed: use \"tcp\" or \"http\"");
}

Test(validate_health, thresholds_positive)
{
	expect_error(BASE "ports.0.internal = 80\nhealth.port = 80\nhealth.interval_seconds = 0\n"
		     "health.failure_threshold = 0\n",
		     "t.ini:7: processes.web.health.interval_seconds: must be at least 1",
		     "t.ini:8: processes.web.health.failure_threshold: must be at least 1");
}

/* A port value that is not a value at all (issue 10: a freed uninitialised
 * struct val crashed `vminit check` and PID 1). Each is an error at its line,
 * for health and for x-liveness alike. */
static const struct { const char *text, *msg; } bad_port_values[] = {
	{ "http", "not a value: strings are quoted" },
	{ "x", "not a value: strings are quoted" },
	{ "80 80", "unexpected text after the value: 80" },
	{ "[1", "array elements must be strings" },
	{ "1e999", "bad number" },
	{ "tru", "not a value: strings are quoted" },
	{ "\"http", "unterminated string" },
	{ "[\"a\", 1]", "array elements must be strings" },
};

static void check_bad_port_values(const char *table)
{
	for (size_t i = 0; i < sizeof(bad_port_values) / sizeof(bad_port_values[0]); i++) {
		char *text = fmt(BASE "ports.0.internal = 3000\n"      /* 5 */
				 "%s.type = \"tcp\"\n"                  /* 6 */
				 "%s.port = %s\n",                       /* 7 */
				 table, table, bad_port_values[i].text);
		char *want = fmt("t.ini:7: processes.web.%s.port: %s", table, bad_port_values[i].msg);
		struct spec *s = unit_spec(text);
		assert_error(s, want);
		spec_free(s);
		free(want);
		free(text);
	}
}

Test(validate_health, port_not_a_value)
{
	check_bad_port_values("health");
}

Test(validate_health, liveness_port_not_a_value)
{
	check_bad_port_values("x-liveness");
}

/* -- mounts -- */

Test(validate_mounts, ok)
{
	struct spec *s = load_ok(MOUNT("mounts.0.volume = \"data\"\nmounts.0.path = \"/var/lib/data\"\n"
				       "mounts.0.read_only = true\n"));
	cr_assert_str_eq(s->procs[0].mounts[0].path, "/var/lib/data");
	cr_assert_eq(s->procs[0].mounts[0].read_only, 1);
	spec_free(s);
}

Test(validate_mounts, volume_required)
{
	expect_error(MOUNT("mounts.0.path = \"/data\"\n"),
		     "t.ini:2: processes.web.mounts.0.volume: required");
}

Test(validate_mounts, volume_must_be_declared)
{
	expect_error(MOUNT("mounts.0.volume = \"cache\"\nmounts.0.path = \"/data\"\n"),
		     "t.ini:5: processes.web.mounts.0.volume: \"cache\" is not a declared volume");
}

Test(validate_mounts, volume_without_any_volumes)
{
	expect_error(BASE "mounts.0.volume = \"data\"\nmounts.0.path = \"/data\"\n",
		     "t.ini:5: processes.web.mounts.0.volume: \"data\" is not a declared volume");
}

Test(validate_mounts, path_required)
{
	expect_error(MOUNT("mounts.0.volume = \"data\"\n"),
		     "t.ini:2: processes.web.mounts.0.path: required");
}

Test(validate_mounts, path_absolute)
{
	expect_error(MOUNT("mounts.0.volume = \"data\"\nmounts.0.path = \"data\"\n"),
		     "t.ini:6: processes.web.mounts.0.path: \"data\" must be an absolute path");
}

/* Each forbidden path, with the error on the line of the path key (line 6). */
static void expect_forbidden(const char *path, const char *dir)
{
	char *t = fmt(MOUNT("mounts.0.volume = \"data\"\nmounts.0.path = \"%s\"\n"), path);
	char *needle = fmt("t.ini:6: processes.web.mounts.0.path: \"%s\" is not allowed: "
			   "nothing may be mounted on or under %s", path, dir);
	expect_error(t, needle);
	free(t);
	free(needle);
}

Test(validate_mounts, path_proc)
{
	expect_forbidden("/proc", "/proc");
	expect_forbidden("/proc/sys/net", "/proc");
}

Test(validate_mounts, path_sys)
{
	expect_forbidden("/sys", "/sys");
	expect_forbidden("/sys/fs/cgroup", "/sys");
}

Test(validate_mounts, path_dev)
{
	expect_forbidden("/dev", "/dev");
	expect_forbidden("/dev/shm", "/dev");
}

Test(validate_mounts, path_forbidden_after_normalisation)
{
	expect_forbidden("/data/../proc/x", "/proc");
	expect_forbidden("//sys/", "/sys");
	expect_forbidden("/./dev/./pts", "/dev");
	expect_forbidden("/../../dev", "/dev");
}

Test(validate_mounts, path_similar_names_allowed)
{
	struct spec *s = load_ok(MOUNT("mounts.0.volume = \"data\"\nmounts.0.path = \"/procfs\"\n"
				       "mounts.1.volume = \"data\"\nmounts.1.path = \"/srv/dev\"\n"
				       "mounts.2.volume = \"data\"\nmounts.2.path = \"/sys2/../data\"\n"));
	cr_assert_eq(s->procs[0].nmounts, 3);
	spec_free(s);
}

Test(validate_mounts, path_secrets)
{
	expect_error(MOUNT("mounts.0.volume = \"data\"\nmounts.0.path = \"/run/secrets/platform.env\"\n"),
		     "t.ini:6: processes.web.mounts.0.path: \"/run/secrets/platform.env\" is not allowed: "
		     "it would hide /run/secrets/platform.env");
	expect_error(MOUNT("mounts.0.volume = \"data\"\n"
			   "mounts.0.path = \"/run/./secrets//platform.env/\"\n"),
		     "t.ini:6: processes.web.mounts.0.path: \"/run/./secrets//platform.env/\" is not allowed: "
		     "it would hide");
}

Test(validate_mounts, read_only_type)
{
	expect_error(MOUNT("mounts.0.volume = \"data\"\nmounts.0.path = \"/d\"\n"
			   "mounts.0.read_only = \"yes\"\n"),
		     "t.ini:7: processes.web.mounts.0.read_only: must be a boolean, not a string");
}

Test(health_ext, liveness_defaults_and_types)
{
	struct spec *s = load_ok(BASE "ports.0.internal = 80\nx-liveness.type = \"http\"\n"
				 "x-liveness.port = 80\nx-liveness.path = \"/live\"\n"
				 "x-liveness.failure_threshold = 5\n");
	const struct spec_health *h = &s->procs[0].liveness;
	cr_assert(h->present);
	cr_assert_eq(h->type, SPEC_HEALTH_HTTP);
	cr_assert_eq(h->port, 80);
	cr_assert_str_eq(h->path, "/live");
	cr_assert_eq(h->interval, 10);
	cr_assert_eq(h->timeout, 2);
	cr_assert_eq(h->grace, 10);
	cr_assert_eq(h->success_threshold, 1);
	cr_assert_eq(h->failure_threshold, 5);
	cr_assert_not(s->procs[0].health.present, "liveness is not readiness");
	spec_free(s);
}

Test(health_ext, liveness_process_type_has_no_port)
{
	struct spec *s = load_ok(BASE "x-liveness.type = \"process\"\n");
	cr_assert_eq(s->procs[0].liveness.type, SPEC_HEALTH_PROCESS);
	spec_free(s);
	expect_error(BASE "ports.0.internal = 80\nx-liveness.type = \"process\"\nx-liveness.port = 80\n",
		     "t.ini:7: processes.web.x-liveness.port: a process check has no port");
	expect_error(BASE "x-liveness = {}\n", "processes.web.x-liveness.port: required when x-liveness is set");
	expect_error(BASE "ports.0.internal = 80\nx-liveness.port = 81\n",
		     "processes.web.x-liveness.port: 81 is not a declared port");
	expect_error(BASE "ports.0.internal = 80\nx-liveness.port = 80\nx-liveness.type = \"http\"\n",
		     "processes.web.x-liveness.path: required for http");
	expect_error(BASE "ports.0.internal = 80\nx-liveness.port = 80\nx-liveness.interval_seconds = 0\n",
		     "processes.web.x-liveness.interval_seconds");
}

Test(health_ext, readiness_stays_strict_v1)
{
	expect_error(BASE "health.type = \"process\"\n", "processes.web.health.type");
	expect_error(BASE "x-readiness.port = 80\n", "processes.web.x-readiness.port: unknown key");
}

Test(health_ext, startup_timeout_needs_a_check)
{
	struct spec *s = load_ok(BASE "ports.0.internal = 80\nhealth.port = 80\nx-startup_timeout_seconds = 30\n");
	cr_assert_eq(s->procs[0].startup_timeout, 30);
	spec_free(s);
	s = load_ok(BASE "x-liveness.type = \"process\"\nx-startup_timeout_seconds = 5\n");
	spec_free(s);
	expect_error(BASE "x-startup_timeout_seconds = 30\n",
		     "t.ini:5: processes.web.x-startup_timeout_seconds: needs a health or x-liveness check");
	expect_error(BASE "ports.0.internal = 80\nhealth.port = 80\nx-startup_timeout_seconds = 0\n",
		     "processes.web.x-startup_timeout_seconds");
	expect_error(BASE "ports.0.internal = 80\nhealth.port = 80\nx-startup_timeout_seconds = \"30\"\n",
		     "processes.web.x-startup_timeout_seconds: must be an integer, not a string");
}
