/* test_process.c - a [processes.NAME] section's own fields (spec/process.c):
 * its name, vars, value types, resources, restart, scaling, command,
 * workdir and user. Its tables are in test_process_tables.c. */
#include "tests/unit/spec/spec_test.h"

/* -- process names -- */

Test(validate_process, name_uppercase)
{
	expect_error("schema_version = \"v1\"\n[processes.Web]\ncommand = [\"/a\"]\n"
		     "resources.memory = \"64Mi\"\n",
		     "t.ini:2: processes.Web: process name \"Web\" must match");
}

Test(validate_process, name_starts_with_digit)
{
	expect_error("schema_version = \"v1\"\n[processes.9web]\ncommand = [\"/a\"]\n"
		     "resources.memory = \"64Mi\"\n",
		     "t.ini:2: processes.9web: process name \"9web\" must match");
}

Test(validate_process, name_underscore)
{
	expect_error("schema_version = \"v1\"\n[processes.my_web]\ncommand = [\"/a\"]\n"
		     "resources.memory = \"64Mi\"\n",
		     "t.ini:2: processes.my_web: process name \"my_web\" must match");
}

Test(validate_process, name_length_32_ok_33_rejected)
{
	char *n32 = rep("a", 32), *n33 = rep("b", 33);
	char *ok = fmt("schema_version = \"v1\"\n[processes.%s]\ncommand = [\"/a\"]\n"
		       "resources.memory = \"64Mi\"\n", n32);
	char *bad = fmt("schema_version = \"v1\"\n[processes.%s]\ncommand = [\"/a\"]\n"
			"resources.memory = \"64Mi\"\n", n33);
	char *needle = fmt("t.ini:2: processes.%s: process name \"%s\" must match", n33, n33);
	struct spec *s = load_ok(ok);
	cr_assert_str_eq(s->procs[0].name, n32);
	spec_free(s);
	expect_error(bad, needle);
	free(n32); free(n33); free(ok); free(bad); free(needle);
}

Test(validate_process, name_with_digits_and_dash_ok)
{
	struct spec *s = load_ok("schema_version = \"v1\"\n[processes.web-2x]\n"
				 "command = [\"/a\"]\nresources.memory = \"64Mi\"\n");
	cr_assert_str_eq(s->procs[0].name, "web-2x");
	spec_free(s);
}

/* -- vars -- */

Test(validate_vars, key_lowercase)
{
	expect_error(BASE "vars = [\"lower=1\"]\n",
		     "t.ini:5: processes.web.vars: variable name \"lower\" must match [A-Z_][A-Z0-9_]*");
}

Test(validate_vars, key_starts_with_digit)
{
	expect_error(BASE "vars = [\"1A=1\"]\n",
		     "t.ini:5: processes.web.vars: variable name \"1A\" must match");
}

Test(validate_vars, key_empty)
{
	expect_error(BASE "vars = [\"=1\"]\n",
		     "t.ini:5: processes.web.vars: variable name \"\" must match");
}

Test(validate_vars, valid_keys_and_values)
{
	struct spec *s = load_ok(BASE "vars = [\"_A1=x=y\", \"EMPTY=\", \"B_2=two words\"]\n");
	static const char *const want[] = { "B_2=two words", "EMPTY=", "_A1=x=y", NULL };
	assert_strv(&proc(s, "web")->vars, want);
	spec_free(s);
}

Test(validate_vars, duplicate_key)
{
	expect_error(BASE "vars = [\"A=1\", \"B=2\", \"A=3\"]\n",
		     "t.ini:5: processes.web.vars: variable A is given twice");
}

Test(validate_vars, duplicate_key_in_env)
{
	expect_error(BASE "[env]\nvars = [\"X=1\",\n  \"X=1\"]\n",
		     "t.ini:6: env.vars: variable X is given twice");
}

Test(validate_vars, missing_equals)
{
	expect_error(BASE "vars = [\"A=1\", \"NOEQ\"]\n",
		     "t.ini:5: processes.web.vars: element 1 (\"NOEQ\") is not KEY=value");
}

Test(validate_vars, env_vars_key_pattern)
{
	expect_error(BASE "[env]\nvars = [\"my-var=1\"]\n",
		     "t.ini:6: env.vars: variable name \"my-var\" must match");
}

/* -- value types: strings are never implied -- */

Test(validate_types, number_for_string)
{
	expect_error(BASE "workdir = 5\n",
		     "t.ini:5: processes.web.workdir: must be a string, not an integer");
}

Test(validate_types, boolean_for_string)
{
	expect_error(BASE "user = true\n",
		     "t.ini:5: processes.web.user: must be a string, not a boolean");
}

Test(validate_types, float_for_string)
{
	expect_error(BASE "[app]\nname = 1.5\n",
		     "t.ini:6: app.name: must be a string, not a float");
}

Test(validate_types, memory_as_number)
{
	expect_error("schema_version = \"v1\"\n[processes.web]\ncommand = [\"/a\"]\n"
		     "resources.memory = 512\n",
		     "t.ini:4: processes.web.resources.memory: must be a string, not an integer");
}

Test(validate_types, var_value_not_a_string)
{
	expect_error(BASE "vars = [\"A=1\", 2]\n",
		     "t.ini:5: processes.web.vars: array elements must be strings");
}

Test(validate_types, vars_not_an_array)
{
	expect_error(BASE "vars = \"A=1\"\n",
		     "t.ini:5: processes.web.vars: must be an array, not a string");
}

Test(validate_types, int_for_bool)
{
	expect_error(BASE "secrets.required = 1\n",
		     "t.ini:5: processes.web.secrets.required: must be a boolean, not an integer");
}

Test(validate_types, string_for_int)
{
	expect_error(BASE "prestart_timeout_seconds = \"30\"\n",
		     "t.ini:5: processes.web.prestart_timeout_seconds: must be an integer, not a string");
}

Test(validate_types, float_for_int)
{
	expect_error(BASE "restart.backoff_seconds = 2.5\n",
		     "t.ini:5: processes.web.restart.backoff_seconds: must be an integer, not a float");
}

/* -- resources -- */

#define MEM(v) "schema_version = \"v1\"\n[processes.web]\ncommand = [\"/a\"]\n" \
	       "resources.memory = " v "\n"

Test(validate_resources, memory_required)
{
	expect_error("schema_version = \"v1\"\n[processes.web]\ncommand = [\"/a\"]\n",
		     "t.ini:2: processes.web.resources.memory: required");
}

Test(validate_resources, memory_units_only_mi_gi)
{
	static const char *const bad[] = { "\"512M\"", "\"512MB\"", "\"512\"", "\"1Ti\"",
					   "\"1.5Gi\"", "\"512mi\"", "\"Mi\"", "\"-1Gi\"",
					   "\" 512Mi\"", "\"512 Mi\"", "\"1Ki\"", NULL };
	for (int i = 0; bad[i]; i++) {
		char *t = fmt(MEM("%s"), bad[i]);
		expect_error(t, "t.ini:4: processes.web.resources.memory: ", "is not a size");
		free(t);
	}
}

Test(validate_resources, memory_units_accepted)
{
	struct spec *s = load_ok(MEM("\"2Gi\""));
	cr_assert_str_eq(s->procs[0].memory, "2Gi");
	cr_assert_eq(s->procs[0].memory_bytes, 2ull << 30);
	spec_free(s);
	s = load_ok(MEM("\"1536Mi\""));
	cr_assert_eq(s->procs[0].memory_bytes, 1536ull << 20);
	spec_free(s);
}

Test(validate_resources, memory_minimum_64mi)
{
	expect_error(MEM("\"63Mi\""),
		     "t.ini:4: processes.web.resources.memory: \"63Mi\" is less than the minimum 64Mi");
	expect_error(MEM("\"0Gi\""),
		     "t.ini:4: processes.web.resources.memory: \"0Gi\" is less than the minimum 64Mi");
	spec_free(load_ok(MEM("\"64Mi\"")));
}

Test(validate_resources, memory_huge_number_rejected)
{
	/* must not wrap around into a small size */
	expect_error(MEM("\"99999999999999999999Gi\""),
		     "t.ini:4: processes.web.resources.memory: ");
}

Test(validate_resources, size_overflow_rejected)
{
	/* 2^34 Gi + 1 Gi is 2^64 + 2^30 bytes: it must not wrap around to 1Gi */
	struct spec *s = unit_spec(MEM("\"17179869185Gi\""));
	assert_error(s, "t.ini:4: processes.web.resources.memory: ");
	if (s->nerrors == 0)
		cr_assert_fail("accepted as %llu bytes", (unsigned long long)s->procs[0].memory_bytes);
	spec_free(s);
	expect_error(BASE "[volumes.0]\nname = \"d\"\nsize = \"17179869184Gi\"\n",
		     "t.ini:7: volumes.0.size: ");
}

Test(validate_resources, disk_minimum_1gi)
{
	expect_error(BASE "resources.disk = \"1023Mi\"\n",
		     "t.ini:5: processes.web.resources.disk: \"1023Mi\" is less than the minimum 1Gi");
	spec_free(load_ok(BASE "resources.disk = \"1024Mi\"\n"));
	spec_free(load_ok(BASE "resources.disk = \"1Gi\"\n"));
}

Test(validate_resources, disk_units)
{
	expect_error(BASE "resources.disk = \"10G\"\n",
		     "t.ini:5: processes.web.resources.disk: \"10G\" is not a size");
}

Test(validate_resources, cpu_zero_rejected)
{
	expect_error(BASE "resources.cpu = 0\n",
		     "t.ini:5: processes.web.resources.cpu: must be greater than 0 and at most 64");
	expect_error(BASE "resources.cpu = 0.0\n",
		     "t.ini:5: processes.web.resources.cpu: must be greater than 0");
}

Test(validate_resources, cpu_negative_rejected)
{
	expect_error(BASE "resources.cpu = -0.5\n",
		     "t.ini:5: processes.web.resources.cpu: must be greater than 0");
}

Test(validate_resources, cpu_above_64_rejected)
{
	expect_error(BASE "resources.cpu = 64.01\n",
		     "t.ini:5: processes.web.resources.cpu: must be greater than 0 and at most 64");
	expect_error(BASE "resources.cpu = 65\n",
		     "t.ini:5: processes.web.resources.cpu: must be greater than 0 and at most 64");
}

Test(validate_resources, cpu_int_accepted_as_float)
{
	struct spec *s = load_ok(BASE "resources.cpu = 2\n");
	cr_assert_float_eq(s->procs[0].cpu, 2.0, 1e-12);
	spec_free(s);
	s = load_ok(BASE "resources.cpu = 64\n");
	cr_assert_float_eq(s->procs[0].cpu, 64.0, 1e-12);
	spec_free(s);
	s = load_ok(BASE "resources.cpu = 0.001\n");
	cr_assert_float_eq(s->procs[0].cpu, 0.001, 1e-15);
	spec_free(s);
	s = load_ok(BASE "resources.cpu = 25e-1\n");
	cr_assert_float_eq(s->procs[0].cpu, 2.5, 1e-12);
	spec_free(s);
}

Test(validate_resources, cpu_subnormal_accepted)
{
	/* Above 0 as the schema asks, though strtod calls it an underflow; what
	 * rounds to 0, as in any TOML parser, is then 0. */
	struct spec *s = load_ok(BASE "resources.cpu = 5e-324\n");
	cr_assert_gt(s->procs[0].cpu, 0.0);
	spec_free(s);
	s = load_ok(BASE "resources.cpu = 1.5e-310\n");
	cr_assert_gt(s->procs[0].cpu, 0.0);
	spec_free(s);
	expect_error(BASE "resources.cpu = 1e-400\n",
		     "t.ini:5: processes.web.resources.cpu: must be greater than 0");
	expect_error(BASE "resources.cpu = 1e309\n", "t.ini:5: processes.web.resources.cpu: bad number");
}

Test(validate_resources, cpu_string_rejected)
{
	expect_error(BASE "resources.cpu = \"1\"\n",
		     "t.ini:5: processes.web.resources.cpu: must be a float, not a string");
}

/* -- restart -- */

Test(validate_restart, policy_values)
{
	static const char *const names[] = { "always", "on-failure", "never" };
	static const enum spec_restart want[] = { SPEC_RESTART_ALWAYS, SPEC_RESTART_ON_FAILURE,
						  SPEC_RESTART_NEVER };
	for (int i = 0; i < 3; i++) {
		char *t = fmt(BASE "restart.policy = \"%s\"\n", names[i]);
		struct spec *s = load_ok(t);
		cr_assert_eq(s->procs[0].restart, want[i], "%s", names[i]);
		cr_assert_str_eq(spec_restart_name(want[i]), names[i]);
		spec_free(s);
		free(t);
	}
}

Test(validate_restart, policy_invalid)
{
	expect_error(BASE "restart.policy = \"sometimes\"\n",
		     "t.ini:5: processes.web.restart.policy: \"sometimes\" is not allowed: "
		     "use \"always\", \"on-failure\" or \"never\"");
	expect_error(BASE "restart.policy = \"on_failure\"\n",
		     "t.ini:5: processes.web.restart.policy: \"on_failure\" is not allowed");
}

Test(validate_restart, max_retries_with_always)
{
	expect_error(BASE "restart.policy = \"always\"\nrestart.max_retries = 5\n",
		     "t.ini:6: processes.web.restart.max_retries: only valid when restart.policy "
		     "is \"on-failure\"");
}

Test(validate_restart, max_retries_with_never)
{
	expect_error(BASE "restart.policy = \"never\"\nrestart.max_retries = 5\n",
		     "t.ini:6: processes.web.restart.max_retries: only valid when");
}

Test(validate_restart, max_retries_without_policy)
{
	/* the default policy is "always", so max_retries is not valid */
	expect_error(BASE "restart.max_retries = 5\n",
		     "t.ini:5: processes.web.restart.max_retries: only valid when");
}

Test(validate_restart, max_retries_with_on_failure)
{
	/* order of the keys does not matter */
	struct spec *s = load_ok(BASE "restart.max_retries = 0\nrestart.policy = \"on-failure\"\n");
	cr_assert_eq(s->procs[0].max_retries, 0);
	spec_free(s);
}

Test(validate_restart, max_retries_negative)
{
	expect_error(BASE "restart.policy = \"on-failure\"\nrestart.max_retries = -1\n",
		     "t.ini:6: processes.web.restart.max_retries: must be at least 0");
}

/* -- scaling -- */

Test(validate_scaling, max_below_min)
{
	expect_error(BASE "scaling.min = 2\nscaling.max = 1\n",
		     "t.ini:6: processes.web.scaling.max: must be at least scaling.min (2)");
}

Test(validate_scaling, max_below_default_min)
{
	/* one process: min defaults to 1 */
	expect_error(BASE "scaling.max = 0\n",
		     "t.ini:5: processes.web.scaling.max: must be at least scaling.min (1)");
}

Test(validate_scaling, max_equal_min_ok)
{
	struct spec *s = load_ok(BASE "scaling.min = 0\nscaling.max = 0\n");
	cr_assert_eq(s->procs[0].scale_min, 0);
	cr_assert_eq(s->procs[0].scale_max, 0);
	spec_free(s);
}

Test(validate_scaling, min_negative)
{
	expect_error(BASE "scaling.min = -1\n",
		     "t.ini:5: processes.web.scaling.min: must be at least 0");
}

Test(validate_scaling, autoscale_rejected)
{
	expect_error(BASE "scaling.autoscale = true\n",
		     "t.ini:5: processes.web.scaling.autoscale: autoscaling is not supported in v1");
}

Test(validate_scaling, autoscale_dotted_rejected)
{
	expect_error(BASE "scaling.autoscale.target_cpu = 50\n",
		     "t.ini:5: processes.web.scaling.autoscale.target_cpu: autoscaling is not supported");
}

Test(validate_scaling, autoscale_prefixed_rejected)
{
	expect_error(BASE "scaling.autoscale_max = 3\n",
		     "t.ini:5: processes.web.scaling.autoscale_max: autoscaling is not supported");
}

/* -- command, workdir, user -- */

Test(validate_command, empty_array)
{
	expect_error("schema_version = \"v1\"\n[processes.web]\ncommand = []\n"
		     "resources.memory = \"64Mi\"\n",
		     "t.ini:3: processes.web.command: must not be empty");
}

Test(validate_command, empty_executable)
{
	expect_error("schema_version = \"v1\"\n[processes.web]\ncommand = [\"\", \"x\"]\n"
		     "resources.memory = \"64Mi\"\n",
		     "t.ini:3: processes.web.command: the executable (first element) is empty");
}

Test(validate_command, not_an_array)
{
	expect_error("schema_version = \"v1\"\n[processes.web]\ncommand = \"/bin/app\"\n"
		     "resources.memory = \"64Mi\"\n",
		     "t.ini:3: processes.web.command: must be an array, not a string");
}

Test(validate_command, prestart_same_rules)
{
	expect_error(BASE "prestart = []\n",
		     "t.ini:5: processes.web.prestart: must not be empty");
	expect_error(BASE "[env]\nprestart = [\"\"]\n",
		     "t.ini:6: env.prestart: the executable (first element) is empty");
}

Test(validate_command, prestart_ok)
{
	static const char *const want[] = { "/bin/migrate", "--up", NULL };
	struct spec *s = load_ok(BASE "prestart = [\"/bin/migrate\", \"--up\"]\n"
				 "prestart_timeout_seconds = 120\n");
	assert_strv(&s->procs[0].prestart, want);
	cr_assert_eq(s->procs[0].prestart_timeout, 120);
	spec_free(s);
}

Test(validate_command, prestart_timeout_positive)
{
	expect_error(BASE "prestart_timeout_seconds = 0\n",
		     "t.ini:5: processes.web.prestart_timeout_seconds: must be at least 1");
}

Test(validate_paths, workdir_absolute)
{
	expect_error(BASE "workdir = \"app\"\n",
		     "t.ini:5: processes.web.workdir: \"app\" must be an absolute path");
	expect_error(BASE "[env]\nworkdir = \"./srv\"\n",
		     "t.ini:6: env.workdir: \"./srv\" must be an absolute path");
	expect_error(BASE "[guest.image]\nworkdir = \"\"\n",
		     "t.ini:6: guest.image.workdir: \"\" must be an absolute path");
}

Test(validate_paths, workdir_ok)
{
	struct spec *s = load_ok(BASE "workdir = \"/srv/app\"\n");
	cr_assert_str_eq(s->procs[0].workdir, "/srv/app");
	spec_free(s);
}

Test(validate_user, accepted_forms)
{
	static const char *const ok[] = { "app", "1000", "app:staff", "1000:1000", "www-data", NULL };
	for (int i = 0; ok[i]; i++) {
		char *t = fmt(BASE "user = \"%s\"\n", ok[i]);
		struct spec *s = load_ok(t);
		cr_assert_str_eq(s->procs[0].user, ok[i]);
		spec_free(s);
		free(t);
	}
}

Test(validate_user, rejected_forms)
{
	static const char *const bad[] = { "", "app:", ":staff", "a:b:c", "my user", "a\\tb", NULL };
	for (int i = 0; bad[i]; i++) {
		char *t = fmt(BASE "user = \"%s\"\n", bad[i]);
		expect_error(t, "t.ini:5: processes.web.user: ", "is not USER or USER:GROUP");
		free(t);
	}
}

Test(validate_user, env_and_image_user)
{
	expect_error(BASE "[env]\nuser = \"a:\"\n[guest.image]\nuser = \":b\"\n",
		     "t.ini:6: env.user: \"a:\" is not USER or USER:GROUP",
		     "t.ini:8: guest.image.user: \":b\" is not USER or USER:GROUP");
}
