/* test_wrap.c - the wrap form's spec made in memory (spec/wrap.c): one
 * process "main" running argv as given, restart never, no memory limit, the
 * environment's KEY=value strings as the image's env, the current directory
 * as workdir, `wrapped` set; NULL for no command. */
#include "tests/unit/spec/spec_test.h"

#include <stdlib.h>

Test(wrap, argv_becomes_the_one_process)
{
	char *argv[] = { "/bin/app", "a b", "", "--x=\"y\"", NULL };
	char *envp[] = { "HOME=/root", "NOEQUALS", "A=1=2", NULL };
	char cwd[4096];
	struct spec *s = spec_wrap_new(argv, envp);
	const struct spec_process *p;

	cr_assert_not_null(s);
	cr_assert_eq(s->nerrors, 0, "%s", unit_errors(s));
	cr_assert_eq(s->nprocs, 1);
	p = &s->procs[0];
	cr_assert_str_eq(p->name, SPEC_WRAP_NAME);
	cr_assert_str_eq(p->name, "main");
	cr_assert_eq(p->wrapped, 1);
	cr_assert_eq(p->restart, SPEC_RESTART_NEVER);
	cr_assert_null(p->memory, "no limit: cgroups are not the wrap form's");
	cr_assert_eq(p->memory_bytes, 0);
	/* Every argument as it is: quotes, spaces and empty ones are no syntax. */
	cr_assert_eq(p->argv.n, 4);
	cr_assert_str_eq(p->argv.v[0], "/bin/app");
	cr_assert_str_eq(p->argv.v[1], "a b");
	cr_assert_str_eq(p->argv.v[2], "");
	cr_assert_str_eq(p->argv.v[3], "--x=\"y\"");
	cr_assert_null(p->argv.v[4]);
	cr_assert_neq(p->argv.v[0], argv[0], "copied: the spec owns its strings");
	/* The environment, KEY=value strings only, as the lowest layer. */
	cr_assert_eq(s->image.env.n, 2);
	cr_assert_str_eq(s->image.env.v[0], "HOME=/root");
	cr_assert_str_eq(s->image.env.v[1], "A=1=2");
	cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
	cr_assert_str_eq(s->image.workdir, cwd);
	/* The defaults of a file's spec: nothing else differs. */
	cr_assert_eq(s->guest.stop_timeout, 10);
	cr_assert_eq(s->guest.halt, SPEC_HALT_POWEROFF);
	cr_assert_eq(p->nports, 0);
	cr_assert_eq(p->health.present, 0);
	cr_assert_eq(p->caps, SPEC_CAPS_DEFAULT);
	spec_free(s);
}

Test(wrap, a_file_never_sets_wrapped)
{
	struct spec *s = load_ok(BASE);
	cr_assert_eq(s->procs[0].wrapped, 0);
	spec_free(s);
}

Test(wrap, no_command_no_spec)
{
	char *none[] = { NULL };
	char *empty[] = { "", NULL };
	cr_assert_null(spec_wrap_new(none, NULL));
	cr_assert_null(spec_wrap_new(empty, NULL));
	cr_assert_null(spec_wrap_new(NULL, NULL));
}

Test(wrap, no_environment_is_an_empty_one)
{
	char *argv[] = { "true", NULL };
	struct spec *s = spec_wrap_new(argv, NULL);
	cr_assert_not_null(s);
	cr_assert_eq(s->image.env.n, 0);
	cr_assert_str_eq(s->procs[0].argv.v[0], "true");
	spec_free(s);
}
