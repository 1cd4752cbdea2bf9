/* root.c - from the initramfs to the image's root, as PID 1, without exec.
 *
 *   find + check the root device   (waiting up to its wait_seconds)
 *   mount it read-only             at STAGE/lower
 *   the writes: overlay            upper on the scratch disk, else a tmpfs
 *            or strict             the listed directories only, bound from it
 *   move /dev /proc /sys /run /tmp into the new root, STAGE/lower and
 *   STAGE/rw under STORAGE_DIR; free the initramfs; MS_MOVE the new root
 *   onto / and chroot into it.
 *
 * Invariants: nothing is moved before every check that can fail has passed,
 * so a failure leaves PID 1 in the initramfs as it was (what was mounted is
 * unmounted). Nothing is ever formatted. The initramfs is emptied only when /
 * is a ramfs or tmpfs (an initramfs): never a disk's root.
 */
#include "storage.h"
#include "storage_int.h"
#include "probe.h"
#include "base/clock.h"
#include "base/console.h"
#include "base/path.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#define STAGE "/.vminit"
#define RAMFS_MAGIC_ 0x858458f6u
#define TMPFS_MAGIC_ 0x01021994u

/* The kernel's file systems PID 1 mounted, carried into the new root. /tmp
 * is optional: a strict root without it keeps none. */
static const char *const carried[] = { "/dev", "/proc", "/sys", "/run", "/tmp" };

int storage_wait_device(const struct spec_device *d, char *path, size_t len, char *err, size_t errlen)
{
	uint64_t deadline = clock_boot_ms() + (uint64_t)d->wait * 1000;
	int said = 0;
	for (;;) {
		int r = probe_find("/sys", "/dev", d, path, len, err, errlen);
		if (r != 0)
			return r;
		if (clock_boot_ms() >= deadline) {
			snprintf(err, errlen, "no device %s after %d s", d->text, d->wait);
			return -1;
		}
		if (!said++)
			log_info("waiting up to %d s for %s", d->wait, d->text);
		nanosleep(&(struct timespec){ 0, 20 * 1000 * 1000 }, NULL);
	}
}

int storage_check_fs(const char *path, enum spec_fs want, struct probe *p, char *err, size_t errlen)
{
	if (probe_device(path, p) < 0) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	if (probe_matches(p, want))
		return 0;
	if (p->kind == PROBE_BLANK)
		snprintf(err, errlen, "%s is blank, not %s (vminit never formats)", path, spec_fs_name(want));
	else
		snprintf(err, errlen, "%s holds %s, not %s", path, probe_kind_name(p->kind), spec_fs_name(want));
	return -1;
}

/* The scratch disk as the writes' place, or why not (a warning: the writes
 * then go to a tmpfs, and the boot goes on). */
static int mount_scratch(const struct spec *s, struct storage_root *r)
{
	struct probe p;
	char err[192];
	if (storage_wait_device(&s->scratch.dev, r->scratch, sizeof(r->scratch), err, sizeof(err)) < 0 ||
	    storage_check_fs(r->scratch, SPEC_FS_EXT4, &p, err, sizeof(err)) < 0) {
		snprintf(r->error, sizeof(r->error), "scratch %s: %s: the writes go to a tmpfs", s->scratch.dev.text, err);
		r->scratch[0] = '\0';
		return -1;
	}
	if (mount(r->scratch, STAGE "/rw", "ext4", MS_NOSUID | MS_NODEV, NULL) < 0) {
		snprintf(r->error, sizeof(r->error), "scratch %s: mount %s: %s: the writes go to a tmpfs",
			 s->scratch.dev.text, r->scratch, strerror(errno));
		r->scratch[0] = '\0';
		return -1;
	}
	return 0;
}

static int mount_writes(const struct spec *s, struct storage_root *r)
{
	char opt[64];
	r->upper = STORAGE_UPPER_TMPFS;
	if (s->scratch.dev.kind != SPEC_LOC_NONE && mount_scratch(s, r) == 0) {
		r->upper = STORAGE_UPPER_SCRATCH;
		return 0;
	}
	if (r->error[0])
		log_warn("root: %s", r->error);
	snprintf(opt, sizeof(opt), "size=%llu,mode=0755", (unsigned long long)s->root.tmpfs_bytes);
	return mount("vminit-rw", STAGE "/rw", "tmpfs", MS_NOSUID | MS_NODEV, opt);
}

/* Strict: the image itself is the root; each listed directory is bound
 * from STAGE/rw/w/PATH. A directory the image lacks cannot be made on a
 * read-only root: it is named in the error, the others still work. */
static void bind_writable(const struct spec *s, struct storage_root *r)
{
	for (size_t i = 0; i < s->root.writable.n; i++) {
		const char *path = s->root.writable.v[i];
		char src[4200], dst[4200];
		struct stat st;
		snprintf(src, sizeof(src), STAGE "/rw/w%s", path);
		snprintf(dst, sizeof(dst), STAGE "/lower%s", path);
		if (stat(dst, &st) < 0 || !S_ISDIR(st.st_mode)) {
			snprintf(r->error, sizeof(r->error), "writable %s: not a directory in the image", path);
			log_error("root: %s", r->error);
			continue;
		}
		if (path_mkdirs(src, 0755) < 0 || mount(src, dst, NULL, MS_BIND, NULL) < 0) {
			snprintf(r->error, sizeof(r->error), "writable %s: %s", path, strerror(errno));
			log_error("root: %s", r->error);
		}
	}
}

static int mount_overlay(void)
{
	if (mkdir(STAGE "/rw/upper", 0755) < 0 && errno != EEXIST)
		return -1;
	if (mkdir(STAGE "/rw/work", 0755) < 0 && errno != EEXIST)
		return -1;
	return mount("overlay", STAGE "/root", "overlay", 0,
		     "lowerdir=" STAGE "/lower,upperdir=" STAGE "/rw/upper,workdir=" STAGE "/rw/work");
}

static void unmount_stage(void)
{
	umount2(STAGE "/root", MNT_DETACH);
	umount2(STAGE "/rw", MNT_DETACH);
	umount2(STAGE "/lower", MNT_DETACH);
}

/* Every carried file system has its place in the new root (made when the
 * root is writable); 0, or -1 with why. /tmp may be left behind. */
static int places_ready(const char *newroot, struct storage_root *r)
{
	for (size_t i = 0; i < sizeof(carried) / sizeof(carried[0]); i++) {
		char dst[256];
		struct stat st;
		if (!path_is_mountpoint(carried[i]))
			continue;
		snprintf(dst, sizeof(dst), "%s%s", newroot, carried[i]);
		if (stat(dst, &st) == 0 && S_ISDIR(st.st_mode))
			continue;
		if (mkdir(dst, 0755) == 0 || !strcmp(carried[i], "/tmp"))
			continue;
		snprintf(r->error, sizeof(r->error), "the image has no %s, and its root is read-only", carried[i]);
		return -1;
	}
	return 0;
}

static void carry(const char *newroot, enum storage_mode mode)
{
	char dst[256];
	for (size_t i = 0; i < sizeof(carried) / sizeof(carried[0]); i++) {
		if (!path_is_mountpoint(carried[i]))
			continue;
		snprintf(dst, sizeof(dst), "%s%s", newroot, carried[i]);
		if (mount(carried[i], dst, NULL, MS_MOVE, NULL) < 0) {
			log_warn("root: move %s: %s: unmounting it", carried[i], strerror(errno));
			umount2(carried[i], MNT_DETACH);
		}
	}
	/* What the root is made of, where shutdown and status find it. */
	snprintf(dst, sizeof(dst), "%s" STORAGE_DIR, newroot);
	if (storage_dir_mount(dst) < 0)
		return;
	if (mode == STORAGE_OVERLAY) {
		snprintf(dst, sizeof(dst), "%s" STORAGE_DIR "/lower", newroot);
		if (mkdir(dst, 0700) < 0 || mount(STAGE "/lower", dst, NULL, MS_MOVE, NULL) < 0)
			log_warn("root: keeping the image's mount: %s", strerror(errno));
	}
	snprintf(dst, sizeof(dst), "%s" STORAGE_DIR "/rw", newroot);
	if (mkdir(dst, 0700) < 0 || mount(STAGE "/rw", dst, NULL, MS_MOVE, NULL) < 0)
		log_warn("root: keeping the writes' mount: %s", strerror(errno));
}

/* Empty the initramfs below dirfd, never crossing into another file system:
 * its pages are memory the VM gets back. The bytes freed. */
static uint64_t empty_dir(int dirfd, dev_t dev, int depth)
{
	uint64_t freed = 0;
	DIR *d = fdopendir(dirfd);
	struct dirent *de;
	if (!d) {
		close(dirfd);
		return 0;
	}
	while ((de = readdir(d))) {
		struct stat st;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != dev)
			continue;
		if (S_ISDIR(st.st_mode)) {
			int fd = depth < 64 ? openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW) : -1;
			if (fd >= 0)
				freed += empty_dir(fd, dev, depth + 1);
			unlinkat(dirfd, de->d_name, AT_REMOVEDIR);
		} else if (unlinkat(dirfd, de->d_name, 0) == 0) {
			freed += (uint64_t)st.st_blocks * 512;
		}
	}
	closedir(d);
	return freed;
}

static uint64_t free_initramfs(void)
{
	struct statfs sf;
	struct stat st;
	int fd;
	if (statfs("/", &sf) < 0 || ((unsigned)sf.f_type != RAMFS_MAGIC_ && (unsigned)sf.f_type != TMPFS_MAGIC_))
		return 0;
	if (stat("/", &st) < 0 || (fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return 0;
	return empty_dir(fd, st.st_dev, 0);
}

static int mount_root(const struct spec *s, struct storage_root *r)
{
	struct probe p;
	if (storage_wait_device(&s->root.dev, r->path, sizeof(r->path), r->error, sizeof(r->error)) < 0 ||
	    storage_check_fs(r->path, s->root.fs, &p, r->error, sizeof(r->error)) < 0)
		return -1;
	if (path_mkdirs(STAGE "/lower", 0700) < 0 || path_mkdirs(STAGE "/rw", 0700) < 0 ||
	    path_mkdirs(STAGE "/root", 0700) < 0) {
		snprintf(r->error, sizeof(r->error), "mkdir " STAGE ": %s", strerror(errno));
		return -1;
	}
	if (mount(r->path, STAGE "/lower", spec_fs_name(s->root.fs), MS_RDONLY, NULL) < 0) {
		snprintf(r->error, sizeof(r->error), "mount %s (%s) read-only: %s", r->path, spec_fs_name(s->root.fs),
			 strerror(errno));
		return -1;
	}
	if (mount_writes(s, r) < 0) {
		snprintf(r->error, sizeof(r->error), "a tmpfs for the writes: %s", strerror(errno));
		return -1;
	}
	if (r->mode == STORAGE_STRICT) {
		bind_writable(s, r);
	} else if (mount_overlay() < 0) {
		snprintf(r->error, sizeof(r->error), "overlay: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int storage_root_switch(const struct spec *s, struct storage_root *r)
{
	const char *newroot;
	memset(r, 0, sizeof(*r));
	if (s->root.dev.kind == SPEC_LOC_NONE)
		return 0;
	r->mode = s->root.writable.set ? STORAGE_STRICT : STORAGE_OVERLAY;
	newroot = r->mode == STORAGE_STRICT ? STAGE "/lower" : STAGE "/root";
	if (mount_root(s, r) < 0 || places_ready(newroot, r) < 0) {
		unmount_stage();
		r->state = STORAGE_FAILED;
		r->upper = STORAGE_UPPER_NONE;
		log_error("root: %s: staying in the initramfs", r->error);
		return -1;
	}
	carry(newroot, r->mode);
	r->freed = free_initramfs();
	if (chdir(newroot) < 0 || mount(".", "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0 || chdir("/") < 0) {
		/* Past the point of return: the kernel's file systems have moved.
		 * Say so; PID 1 goes on where it stands. */
		snprintf(r->error, sizeof(r->error), "switching to the new root: %s", strerror(errno));
		r->state = STORAGE_FAILED;
		log_error("root: %s", r->error);
		return -1;
	}
	r->state = STORAGE_MOUNTED;
	r->at_ms = clock_boot_ms();
	log_info("root: %s %s read-only, writes to %s; %llu kB of initramfs freed", s->root.dev.text,
		 spec_fs_name(s->root.fs),
		 r->mode == STORAGE_STRICT ? "its writable directories"
		 : r->upper == STORAGE_UPPER_SCRATCH ? "an overlay on the scratch disk" : "an overlay on a tmpfs",
		 (unsigned long long)(r->freed / 1024));
	return 0;
}
