/* test_checks.c - the rules across tables and sections (spec/checks.c):
 * something to run, at most 128 processes, the derived argv, x-depends_on. */
#include "tests/unit/spec/spec_test.h"

Test(validate_structure, nothing_to_run)
{
	expect_error("schema_version = \"v1\"\n[processes.web]\nresources.memory = \"64Mi\"\n",
		     "t.ini:2: processes.web: nothing to run: no command, and [guest.image] has no "
		     "entrypoint or cmd");
}

Test(validate_structure, nothing_to_run_with_empty_image_argv)
{
	expect_error("schema_version = \"v1\"\n[processes.web]\nresources.memory = \"64Mi\"\n"
		     "[guest.image]\nentrypoint = []\ncmd = []\n",
		     "t.ini:2: processes.web: nothing to run");
	expect_error("schema_version = \"v1\"\n[processes.web]\nresources.memory = \"64Mi\"\n"
		     "[guest.image]\nentrypoint = [\"\"]\n",
		     "t.ini:2: processes.web: nothing to run");
}

Test(validate_structure, valid_spec_has_no_errors)
{
	/* every rule above checks one broken field of an otherwise valid spec */
	struct spec *s = load_ok(BASE);
	cr_assert_null(s->errors);
	cr_assert_eq(s->errors_dropped, 0);
	spec_free(s);
}

/* ==== the derived argv ==== */

Test(argv, command_wins_over_image)
{
	static const char *const want[] = { "/bin/app", NULL };
	struct spec *s = load_ok(BASE "[guest.image]\nentrypoint = [\"/entry\"]\ncmd = [\"serve\"]\n");
	assert_strv(&s->procs[0].argv, want);
	spec_free(s);
}

Test(argv, entrypoint_plus_cmd)
{
	static const char *const want[] = { "/entry", "-v", "serve", "--port", "80", NULL };
	struct spec *s = load_ok("schema_version = \"v1\"\n[processes.web]\nresources.memory = \"64Mi\"\n"
				 "[guest.image]\nentrypoint = [\"/entry\", \"-v\"]\n"
				 "cmd = [\"serve\", \"--port\", \"80\"]\n");
	assert_strv(&s->procs[0].argv, want);
	cr_assert_eq(s->procs[0].command.set, 0);
	spec_free(s);
}

Test(argv, entrypoint_only)
{
	static const char *const want[] = { "/entry", NULL };
	struct spec *s = load_ok("schema_version = \"v1\"\n[processes.web]\nresources.memory = \"64Mi\"\n"
				 "[guest.image]\nentrypoint = [\"/entry\"]\n");
	assert_strv(&s->procs[0].argv, want);
	spec_free(s);
}

Test(argv, cmd_only)
{
	static const char *const want[] = { "/bin/sh", "-c", "run", NULL };
	struct spec *s = load_ok("schema_version = \"v1\"\n[processes.web]\nresources.memory = \"64Mi\"\n"
				 "[guest.image]\ncmd = [\"/bin/sh\", \"-c\", \"run\"]\n");
	assert_strv(&s->procs[0].argv, want);
	spec_free(s);
}

Test(argv, per_process)
{
	static const char *const web[] = { "/bin/web", NULL };
	static const char *const worker[] = { "/entry", "default", NULL };
	struct spec *s = load_ok("schema_version = \"v1\"\n"
				 "[processes.web]\ncommand = [\"/bin/web\"]\nresources.memory = \"64Mi\"\n"
				 "[processes.worker]\nresources.memory = \"64Mi\"\n"
				 "[guest.image]\nentrypoint = [\"/entry\"]\ncmd = [\"default\"]\n");
	assert_strv(&proc(s, "web")->argv, web);
	assert_strv(&proc(s, "worker")->argv, worker);
	spec_free(s);
}

/* PID 1 holds 4 fds and a timer per process: the count is bounded. */
static struct spec *spec_with_processes(int n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct spec *s;
	fprintf(f, "schema_version = \"v1\"\n");
	for (int i = 0; i < n; i++)
		fprintf(f, "[processes.p%03d]\ncommand = [\"/bin/true\"]\nresources.memory = \"64Mi\"\n", i);
	fclose(f);
	s = unit_spec(buf);
	free(buf);
	return s;
}

Test(validate_structure, at_most_128_processes)
{
	struct spec *s = spec_with_processes(129);
	/* the 129th process is p128; its header is on line 2 + 128 * 3 */
	cr_assert(unit_has_error(s, "t.ini:386: processes.p128: 129 processes: vminit runs at most 128"),
		  "%s", unit_errors(s));
	cr_assert_eq(s->nerrors, 1, "%s", unit_errors(s));
	spec_free(s);
}

Test(validate_structure, exactly_128_processes_accepted)
{
	struct spec *s = spec_with_processes(128);
	cr_assert_eq(s->nerrors, 0, "%s", unit_errors(s));
	spec_free(s);
}

Test(health_ext, depends_on_parsed_and_resolved)
{
	struct spec *s = load_ok(TWO "restart.policy = \"never\"\nx-liveness.type = \"process\"\n" /* db: 9-10 */
				 "[processes.worker]\ncommand = [\"/bin/w\"]\nresources.memory = \"64Mi\"\n"
				 "x-depends_on = [\"db:healthy\", \"web\"]\n");
	const struct spec_process *w = spec_find_process(s, "worker");
	cr_assert_eq(w->ndeps, 2);
	cr_assert_str_eq(w->deps[0].name, "db");
	cr_assert_eq(w->deps[0].cond, SPEC_DEP_HEALTHY);
	cr_assert_eq(w->deps[1].cond, SPEC_DEP_STARTED);
	cr_assert_str_eq(s->procs[w->deps[1].index].name, "web");
	spec_free(s);
	s = load_ok(TWO "restart.policy = \"on-failure\"\n[processes.worker]\ncommand = [\"/bin/w\"]\n"
		    "resources.memory = \"64Mi\"\nx-depends_on = [\"db:succeeded\"]\n");
	cr_assert_eq(spec_find_process(s, "worker")->deps[0].cond, SPEC_DEP_SUCCEEDED);
	spec_free(s);
}

Test(health_ext, depends_on_errors)
{
	expect_error(TWO "x-depends_on = [\"cache\"]\n",
		     "t.ini:9: processes.db.x-depends_on: \"cache\" is not a process of this spec");
	expect_error(TWO "x-depends_on = [\"db\"]\n", "processes.db.x-depends_on: a process cannot depend on itself");
	expect_error(TWO "x-depends_on = [\"web:ready\"]\n", "\"web:ready\": the condition must be started, healthy or succeeded");
	expect_error(TWO "x-depends_on = [\"web\", \"web:healthy\"]\n", "\"web\" is named twice");
	expect_error(TWO "x-depends_on = [\"web:healthy\"]\n", "\"web:healthy\": web has no health or x-liveness check");
	expect_error(TWO "x-depends_on = [\"web:succeeded\"]\n", "web has restart.policy \"always\"");
	expect_error(TWO "x-depends_on = \"web\"\n", "processes.db.x-depends_on: must be an array, not a string");
}

Test(health_ext, depends_on_cycles)
{
	expect_error(BASE "x-depends_on = [\"b\"]\n"
		     "[processes.a]\ncommand = [\"/a\"]\nresources.memory = \"64Mi\"\nx-depends_on = [\"web\"]\n"
		     "[processes.b]\ncommand = [\"/b\"]\nresources.memory = \"64Mi\"\nx-depends_on = [\"a\"]\n",
		     "x-depends_on: a cycle: ");
	/* a diamond is no cycle */
	struct spec *s = load_ok(BASE "x-depends_on = [\"a\", \"b\"]\n"
		     "[processes.a]\ncommand = [\"/a\"]\nresources.memory = \"64Mi\"\nx-depends_on = [\"c\"]\n"
		     "[processes.b]\ncommand = [\"/b\"]\nresources.memory = \"64Mi\"\nx-depends_on = [\"c\"]\n"
		     "[processes.c]\ncommand = [\"/c\"]\nresources.memory = \"64Mi\"\n");
	spec_free(s);
}
