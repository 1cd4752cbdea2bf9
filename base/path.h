/* path.h - things about paths that boot, storage, the cgroups and the
 * supervisor's child set-up all need. None allocates. */
#ifndef VMINIT_PATH_H
#define VMINIT_PATH_H

#include <sys/types.h>

/* mkdir -p: every missing directory of path, with mode. 0, or -1 with errno
 * (ENAMETOOLONG past 4095 bytes). */
int path_mkdirs(const char *path, mode_t mode);
/* Is path a mount point: a directory on another device than its parent, or
 * the root itself? */
int path_is_mountpoint(const char *path);

/* PID 1 makes /sys and /proc/sys read-only in its own mount namespace
 * (docs/resources.md): it notes here O_PATH fds of the writable mounts
 * beneath, opened before (-1: none). path_kernel() then gives, for a path
 * under /sys or /proc/sys, the same file through them
 * ("/proc/self/fd/N/..."), in buf; any other path as it is. Valid in PID 1
 * and in a child until it closes its inherited fds. */
void path_kernel_fds(int sys_fd, int proc_sys_fd);
const char *path_kernel(const char *path, char *buf, size_t len);

#endif
