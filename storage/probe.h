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
	/* ext4 only (0 for the others): */
	int needs_recovery;     /* the journal holds work (INCOMPAT_RECOVER):
	                         * the last power-off was not clean */
	int errors;             /* s_state says errors were detected */
	/* ext4 (blocks count x block size), erofs (blocks << blkszbits) and
	 * squashfs (bytes_used): the file system's size, 0 when unknown (a
	 * field beyond the bytes read, a block size the format never has, a
	 * product over 64 bits); the device may be larger. */
	uint64_t size_bytes;
	char label[17];         /* ext4's and erofs's volume name: NUL-terminated,
	                         * printable ASCII, or "" (none, or not printable) */
};

/* Classify the first len bytes of a device (len may be short: what is not
 * there is not matched; no bytes at all is UNKNOWN, not BLANK). Never
 * fails, never reads past len. A magic number decides the kind, checked in
 * this order: squashfs's at 0, erofs's at 1024, ext4's at 1080; a kind with
 * an absurd field is still that kind (the mount will say what is wrong). */
void probe_bytes(const unsigned char *buf, size_t len, struct probe *ret);
/* Read the first PROBE_BYTES of path and classify them: 0, or -1 with errno
 * (ret untouched). A device smaller than that is classified from what it has. */
int probe_device(const char *path, struct probe *ret);
/* "blank", "ext4", "squashfs", "erofs", "unknown" (also for a bad value). */
const char *probe_kind_name(enum probe_kind k);
/* Does what the probe found match the file system the spec wants? 1 or 0. */
int probe_matches(const struct probe *p, enum spec_fs fs);

/* Where the device d names is now. sys is the sysfs root ("/sys"), dev the
 * devtmpfs ("/dev"): tests give their own trees.
 *  1: found, its node path in ret ("/dev/vdb");
 *  0: not there (yet): the caller may wait and ask again;
 * -1: never can be, why in err (when errlen > 0): a path (or a found disk's
 *     node) that exists and is not a block device, a serial two disks
 *     share, a sys/block that cannot be listed, no locator (kind NONE), a
 *     path longer than len. ret is written only on 1.
 * PATH: the path itself, once it exists and is a block device.
 * SERIAL: the disk under sys/block whose `serial` file (trailing blanks,
 * newlines and NULs cut) equals the serial exactly.
 * INDEX: the disks under sys/block that have a `device` link (virtio, SCSI,
 * NVMe; not loop, ram or zram), sorted as the kernel names them in attach
 * order (shorter name first, then by name: vda < vdb < vdz < vdaa), the
 * index-th of them.
 * SERIAL and INDEX are found only once dev/NAME is there too: devtmpfs may
 * make the node after sysfs shows the disk. One call lists sys/block once,
 * looks at 1024 entries at most, skips names over 31 bytes, and allocates
 * nothing but the directory stream. */
int probe_find(const char *sys, const char *dev, const struct spec_device *d,
	       char *ret, size_t len, char *err, size_t errlen);

#endif
