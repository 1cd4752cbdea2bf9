/* vminit.h - the runtime shared by PID 1 and `vminit run`. */
#ifndef VMINIT_VMINIT_H
#define VMINIT_VMINIT_H

#define VMINIT_VERSION "0.1.0"
#define VMINIT_DEFAULT_SPEC "/etc/vminit/spec.ini"

/* PID 1: boot the machine, run the spec, never return. */
_Noreturn void vminit_pid1(const char *spec_arg);
/* A subreaper outside PID 1: run the spec, return the exit code. */
int vminit_run(const char *spec_path);

#endif
