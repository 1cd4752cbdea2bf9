/* main.c - vminit's entry: PID 1, or one of its commands.
 *
 *   vminit [OPTIONS]           as PID 1 (the kernel's init): boot and run
 *   vminit [OPTIONS] -- CMD [ARGS...]
 *                              the wrap form: CMD is the one process
 *                              (docs/wrap.md); a child subreaper outside PID 1
 *   vminit check FILE          validate a spec, print it canonicalised
 *   vminit run [OPTIONS] FILE  run a spec as a child subreaper
 *   vminit run [OPTIONS] -- CMD [ARGS...]
 * OPTIONS: --spec FILE (PID 1, not with a command), --control ADDR
 *   (repeatable), --push ADDR
 *   vminit version | help
 */
#include "vminit.h"
#include "boot.h"
#include "base/console.h"
#include "spec/spec.h"
#include "base/version.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* What a command printed must have reached its reader: a write that failed
 * (a full disk, a closed pipe) makes the command fail, as for check. */
static int flushed(FILE *f, int code)
{
	return fflush(f) != 0 || ferror(f) ? 1 : code;
}

static int usage(FILE *f, int code)
{
	fprintf(f,
		"usage: vminit [OPTIONS]       (as PID 1; spec from --spec FILE, vminit.spec= on\n"
		"                               the kernel command line, or " VMINIT_DEFAULT_SPEC ")\n"
		"       vminit check FILE      validate FILE; print it canonicalised (exit 0) or its\n"
		"                              errors as file:line: key: message (exit 1)\n"
		"       vminit run [OPTIONS] FILE\n"
		"                              run FILE's processes as a child subreaper\n"
		"       vminit [run] [OPTIONS] -- CMD [ARGS...]\n"
		"                              run CMD alone, no spec: stdin/stdout/stderr are\n"
		"                              vminit's own, signals passed on, every zombie reaped;\n"
		"                              exit with CMD's status, 128+N for signal N (in a VM:\n"
		"                              power off); vminit's own lines go to stderr (docs/wrap.md)\n"
		"       vminit version\n"
		"options: --control ADDR       listen for the host there (repeatable): vsock:PORT,\n"
		"                              unix:PATH, serial:NAME (docs/protocol.md)\n"
		"         --push ADDR          push events there: vsock:CID:PORT or unix:PATH\n");
	return f == stdout ? flushed(f, code) : code;
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

/* Options from argv[from..]; the index of the first non-option (or of
 * "--"), or -1 on a bad one. PID 1 never fails on its arguments: it ignores
 * what it does not know (the kernel passes it unknown command-line words). */
static int parse_opts(int argc, char **argv, int from, struct vminit_opts *o)
{
	int i;
	for (i = from; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--"))
			break;
		if (i + 1 < argc && !strcmp(a, "--spec")) {
			o->spec = argv[++i];
		} else if (i + 1 < argc && !strcmp(a, "--control")) {
			size_t n = strlen(o->control);
			snprintf(o->control + n, sizeof(o->control) - n, "%s%s", n ? "," : "", argv[++i]);
		} else if (i + 1 < argc && !strcmp(a, "--push")) {
			o->push = argv[++i];
		} else if (a[0] == '-' && a[1] == '-') {
			return -1;
		} else {
			break;
		}
	}
	return i;
}

/* The wrap form outside PID 1: OPTIONS from argv[from], then "--" and a
 * command; a child subreaper, as `vminit run`. */
static int cmd_wrap(int argc, char **argv, int from, struct vminit_opts *o)
{
	int i = parse_opts(argc, argv, from, o);
	if (i < 0 || i + 1 >= argc || strcmp(argv[i], "--") || o->spec)
		return usage(stderr, 2);
	o->wrap = &argv[i + 1];
	return vminit_run(NULL, o);
}

int main(int argc, char **argv)
{
	static struct vminit_opts o;
	if (getpid() == 1) {
		for (int i = 1; i < argc;) {
			int j = parse_opts(argc, argv, i, &o);
			if (j >= 0 && j < argc && !strcmp(argv[j], "--")) {
				if (j + 1 < argc) {
					o.wrap = &argv[j + 1];
					break;
				}
				/* `--` and no command: a container's init may
				 * fail; a VM's must not, and boots its spec. */
				if (boot_disable_cad())
					return usage(stderr, 2);
				break;
			}
			i = j > i ? j : i + 1;   /* skip what is not ours */
		}
		if (o.wrap && o.spec)
			o.spec = NULL;   /* a command wins: PID 1 has no usage error */
		vminit_pid1(&o);   /* never returns */
	}
	if (argc == 3 && !strcmp(argv[1], "check"))
		return cmd_check(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "run")) {
		int i = parse_opts(argc, argv, 2, &o);
		if (i >= 0 && i < argc && !strcmp(argv[i], "--"))
			return cmd_wrap(argc, argv, 2, &o);
		if (i < 0 || i != argc - 1 || o.spec)
			return usage(stderr, 2);
		return vminit_run(argv[i], &o);
	}
	if (argc == 2 && !strcmp(argv[1], "version")) {
		printf("vminit %s\n", VMINIT_VERSION);
		return flushed(stdout, 0);
	}
	if (argc == 2 && (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help")))
		return usage(stdout, 0);
	if (argc >= 2 && !strncmp(argv[1], "--", 2))
		return cmd_wrap(argc, argv, 1, &o);
	return usage(stderr, 2);
}
