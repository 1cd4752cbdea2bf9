/* spec/wrap.c - the spec of the wrap form, `vminit [OPTIONS] -- CMD [ARGS...]`
 * (docs/wrap.md), made in memory from argv.
 *
 * Owns: spec_wrap_new(). The spec is the one a file of a single process
 * would give, so everything downstream (supervisor, status, events) reads it
 * as any other: one process named "main", restart "never", the command as
 * given, the environment PID 1 was started with as the image's env (the
 * lowest layer: env_merge adds PATH when it is missing), PID 1's working
 * directory, no memory limit, and `wrapped` (spec.h): stdin, stdout and
 * stderr PID 1's own, no relay, PID 1's privileges.
 *
 * Invariants: the only outside bytes read are argv and envp, copied as they
 * are, never parsed. The defaults come from the reader itself, run on a
 * constant text, so they cannot drift from a file's.
 */
#include "spec_int.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What the reader makes of a one-process file; memory is required there,
 * and dropped below (a wrapped command has no limit). */
static const char wrap_template[] =
	"schema_version = \"v1\"\n"
	"[processes." SPEC_WRAP_NAME "]\n"
	"command = [\"-\"]\n"
	"restart.policy = \"never\"\n"
	"resources.memory = \"64Mi\"\n";

/* A NULL-terminated copy of v's strings (those with '=' only when kv). */
static int strv_copy(char *const *v, int kv, struct spec_strv *ret)
{
	size_t n = 0, k = 0;
	while (v && v[n])
		n++;
	ret->v = calloc(n + 1, sizeof(*ret->v));
	if (!ret->v)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (kv && !strchr(v[i], '='))
			continue;
		if (!(ret->v[k] = strdup(v[i]))) {
			ret->n = k;
			return -1;
		}
		k++;
	}
	ret->n = k;
	ret->set = 1;
	return 0;
}

struct spec *spec_wrap_new(char *const *argv, char *const *envp)
{
	struct spec *s;
	struct spec_process *pr;
	if (!argv || !argv[0] || !argv[0][0])
		return NULL;
	s = spec_load_buffer("(command line)", wrap_template, sizeof(wrap_template) - 1);
	if (!s)
		return NULL;
	if (s->nerrors || s->nprocs != 1)
		goto fail;   /* cannot happen: the template is constant */
	pr = &s->procs[0];
	spec_strv_free(&pr->command);
	free(pr->memory);
	pr->memory = NULL;
	pr->memory_bytes = 0;
	pr->wrapped = 1;
	if (strv_copy(argv, 0, &pr->command) < 0 || strv_copy(envp, 1, &s->image.env) < 0)
		goto fail;
	/* Where PID 1 was started, as a shell's child would run (NULL: "/"). */
	s->image.workdir = getcwd(NULL, 0);
	pr->argv = pr->command;   /* borrowed, as checks.c does */
	return s;
fail:
	spec_free(s);
	return NULL;
}
