/* vminit.h - the runtime shared by PID 1 and `vminit run`. */
#ifndef VMINIT_VMINIT_H
#define VMINIT_VMINIT_H

#define VMINIT_DEFAULT_SPEC "/etc/vminit/spec.ini"

struct vminit_opts {
	const char *spec;         /* --spec (PID 1) */
	char control[1024];       /* --control, comma-separated */
	const char *push;         /* --push */
	char *const *wrap;        /* `-- CMD [ARGS...]`: the command (docs/wrap.md);
	                           * NULL: run the spec */
};

/* PID 1: boot the machine, run the spec, never return. */
_Noreturn void vminit_pid1(const struct vminit_opts *o);
/* A subreaper outside PID 1: run the spec (or o->wrap's command, then
 * spec_path is NULL), return the exit code. */
int vminit_run(const char *spec_path, const struct vminit_opts *o);

#endif
