/* boot.h - PID 1's set-up of the machine, before the loop starts. */
#ifndef VMINIT_BOOT_H
#define VMINIT_BOOT_H

#include <stddef.h>

/* Make sure fds 0, 1 and 2 are open (on /dev/console, else /dev/null).
 * Returns how many are still closed (neither could be opened: no /dev yet). */
int boot_std_fds(void);
/* As PID 1: turn the kernel's Ctrl-Alt-Del reboot into a SIGINT to us, and
 * say whether we are the init of a PID namespace that is not the machine's
 * (a container: 1), where the kernel refuses that (EINVAL) because it has
 * no keyboard to give, or of the machine itself (0). */
int boot_disable_cad(void);
/* proc, sys, dev, dev/pts, dev/shm, run, tmp, cgroup2: each one that is not
 * already mounted. Failures are logged, not fatal. */
void boot_mounts(void);
/* lo up: one ioctl when it is up already (a container's, a second boot). */
int boot_loopback_up(void);
int boot_set_hostname(const char *name);
/* The value of key=VALUE on the kernel command line (cmdline text given, or
 * /proc/cmdline when NULL), copied into buf. 0 if found, -1 if not. Honors
 * the kernel's double quotes. */
int boot_cmdline_get(const char *cmdline, const char *key, char *buf, size_t len);

#endif
