/* probe.h - what a block device holds, from its first bytes, and where a
 * device a spec names is (docs/storage.md).
 *
 * Both read only outside bytes (a superblock, sysfs), never write, and never
 * block for long: a probe reads 4 KiB, a search lists /sys/block once.
 */
#ifndef VMINIT_STORAGE_PROBE_H
#define VMINIT_STORAGE_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "spec/spec.h"

/* How many bytes from the start of a device a probe needs. */
#define PROBE_BYTES 4096u

enum probe_kind {
	PROBE_BLANK,      /* every byte read is zero: never written */
	PROBE_EXT4,       /* ext2/3/4 superblock (0xEF53 at 1080) */
	PROBE_SQUASHFS,   /* "hsqs" at 0 */
	PROBE_EROFS,      /* 0xE0F5E1E2 at 1024 */
	PROBE_UNKNOWN,    /* something else: data vminit must not touch */
};

struct probe {
	enum probe_kind kind;
	/* ext4 only: */
	int needs_recovery;     /* the journal holds work (INCOMPAT_RECOVER):
	                         * the last power-off was not clean */
	int errors;             /* s_state says errors were detected */
	uint64_t size_bytes;    /* the file system's size, 0 when unknown */
	char label[17];         /* NUL-terminated, printable ASCII or "" */
};

/* Classify the first len bytes of a device (len may be short: what is not
 * there is not matched). Never fails. */
void probe_bytes(const unsigned char *buf, size_t len, struct probe *ret);
/* Read the first PROBE_BYTES of path and classify them: 0, or -1 with errno. */
int probe_device(const char *path, struct probe *ret);
const char *probe_kind_name(enum probe_kind k);
/* Does what the probe found match the file system the spec wants? */
int probe_matches(const struct probe *p, enum spec_fs fs);

/* Where the device d names is now. sys is the sysfs root ("/sys"), dev the
 * devtmpfs ("/dev"): tests give their own trees.
 *  1: found, its node path in ret ("/dev/vdb");
 *  0: not there (yet): the caller may wait and ask again;
 * -1: never can be (a path that is not a block device), why in err.
 * PATH: the path itself, once it exists and is a block device.
 * SERIAL: the disk under sys/block whose `serial` file (trailing blanks and
 * newline cut) equals the serial.
 * INDEX: the disks under sys/block that have a `device` link (virtio, SCSI,
 * NVMe; not loop, ram or zram), sorted as the kernel names them in attach
 * order (shorter name first, then by name: vda < vdb < vdz < vdaa), the
 * index-th of them. */
int probe_find(const char *sys, const char *dev, const struct spec_device *d,
	       char *ret, size_t len, char *err, size_t errlen);

#endif
