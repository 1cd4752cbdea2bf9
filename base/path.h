/* path.h - two things about paths that boot, storage and the supervisor's
 * child set-up all need. Neither allocates. */
#ifndef VMINIT_PATH_H
#define VMINIT_PATH_H

#include <sys/types.h>

/* mkdir -p: every missing directory of path, with mode. 0, or -1 with errno
 * (ENAMETOOLONG past 4095 bytes). */
int path_mkdirs(const char *path, mode_t mode);
/* Is path a mount point: a directory on another device than its parent, or
 * the root itself? */
int path_is_mountpoint(const char *path);

#endif
