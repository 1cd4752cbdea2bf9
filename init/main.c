/* main.c - vminit's entry: PID 1, or one of its commands.
 *
 *   vminit                     as PID 1 (the kernel's init): boot and run
 *   vminit check FILE          validate a spec, print it canonicalised
 *   vminit run FILE            run a spec as a child subreaper
 *   vminit version | help
 */
#include "vminit.h"
#include "console.h"
#include "../supervisor/spec.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int usage(FILE *f, int code)
{
	fprintf(f,
		"usage: vminit                 (as PID 1; spec from --spec FILE, vminit.spec= on\n"
		"                               the kernel command line, or " VMINIT_DEFAULT_SPEC ")\n"
		"       vminit check FILE      validate FILE; print it canonicalised (exit 0) or its\n"
		"                              errors as file:line: key: message (exit 1)\n"
		"       vminit run FILE        run FILE's processes as a child subreaper\n"
		"       vminit version\n");
	return code;
}

static int cmd_check(const char *path)
{
	struct spec *s = spec_load_file(path);
	int rc;
	if (!s) {
		fprintf(stderr, "vminit: out of memory\n");
		return 1;
	}
	if (s->nerrors) {
		for (size_t i = 0; i < s->nerrors; i++)
			fprintf(stderr, "%s\n", s->errors[i]);
		if (s->errors_dropped)
			fprintf(stderr, "%s: %zu more errors not shown\n", path, s->errors_dropped);
		rc = 1;
	} else {
		rc = spec_print(s, stdout) < 0 || fflush(stdout) != 0 ? 1 : 0;
	}
	spec_free(s);
	return rc;
}

int main(int argc, char **argv)
{
	if (getpid() == 1) {
		const char *spec = NULL;
		for (int i = 1; i + 1 < argc; i++)
			if (!strcmp(argv[i], "--spec"))
				spec = argv[i + 1];
		vminit_pid1(spec);   /* never returns */
	}
	if (argc == 3 && !strcmp(argv[1], "check"))
		return cmd_check(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "run"))
		return vminit_run(argv[2]);
	if (argc == 2 && !strcmp(argv[1], "version")) {
		printf("vminit %s\n", VMINIT_VERSION);
		return 0;
	}
	if (argc == 2 && (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help")))
		return usage(stdout, 0);
	return usage(stderr, 2);
}
