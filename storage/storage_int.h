/* storage_int.h - what root.c and volume.c share. */
#ifndef VMINIT_STORAGE_INT_H
#define VMINIT_STORAGE_INT_H

#include <stddef.h>
#include <sys/types.h>

#include "probe.h"
#include "spec/spec.h"

/* Find d, waiting (sleeping) up to its wait_seconds: for the root only,
 * before the loop. 1 found (node in path), -1 not (why in err). */
int storage_wait_device(const struct spec_device *d, char *path, size_t len, char *err, size_t errlen);
/* Probe path and check it holds want: 0, or -1 with why in err. */
int storage_check_fs(const char *path, enum spec_fs want, struct probe *p, char *err, size_t errlen);
/* A small tmpfs of PID 1's own at dir (STORAGE_DIR), unless one is there:
 * a process's view detaches it whole. 0, or -1 logged. */
int storage_dir_mount(const char *dir);

#endif
