/* probe.c - what a block device holds, and where a locator's device is
 * (probe.h).
 *
 * Everything read here comes from outside: a superblock anyone could have
 * written, sysfs files of any length. So every field is read byte by byte,
 * little-endian, only when it lies wholly inside the bytes read (never a cast
 * of a buffer to a struct or an unaligned pointer), sizes are computed only
 * when they cannot overflow, and sysfs is listed once, at most
 * PROBE_SCAN_MAX entries, with nothing allocated but the directory stream.
 * Nothing is ever written.
 *
 * Offsets (Linux's fs/ext4/ext4.h, fs/erofs/erofs_fs.h, squashfs_fs.h):
 *   ext2/3/4: superblock at 1024; s_blocks_count_lo 0x04, s_log_block_size
 *             0x18, s_magic 0x38 (0xEF53), s_state 0x3A, s_feature_incompat
 *             0x60, s_volume_name 0x78 [16], s_blocks_count_hi 0x150.
 *   erofs:    superblock at 1024; magic 0x00 (0xE0F5E1E2), blkszbits 0x0C,
 *             blocks 0x24, volume_name 0x40 [16].
 *   squashfs: at 0; magic 0x00 ("hsqs"), bytes_used 0x28 (64 bits).
 */
#include "probe.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SB_OFF 1024u                  /* ext4's and erofs's superblock */
#define EXT4_MAGIC 0xEF53u
#define EXT4_ERROR_FS 0x0002u         /* s_state: errors detected */
#define EXT4_INCOMPAT_RECOVER 0x0004u /* the journal must be replayed */
#define EXT4_INCOMPAT_64BIT 0x0080u   /* s_blocks_count_hi is meaningful */
#define EXT4_LOG_MAX 6u               /* 64 KiB, ext4's largest block */
#define EROFS_MAGIC 0xE0F5E1E2u
#define EROFS_BITS_MIN 9u             /* 512 B .. 64 KiB: what erofs-utils makes */
#define EROFS_BITS_MAX 16u
#define SQUASHFS_MAGIC 0x73717368u    /* "hsqs" read little-endian */

/* What one look at /sys/block is bounded by. */
#define PROBE_SCAN_MAX 1024           /* entries read from the directory */
#define PROBE_NAME_MAX 31             /* a disk's name: "vda", "nvme0n1" */
#define PROBE_PATH_MAX 512

/* 1 and the value in *ret when bytes [off, off+n) are all in the buffer. */
static int le_read(const unsigned char *b, size_t len, size_t off, unsigned n, uint64_t *ret)
{
	uint64_t v = 0;
	if (off > len || n > len - off)
		return 0;
	while (n--)
		v = v << 8 | b[off + n];
	*ret = v;
	return 1;
}

/* A 16-byte name field, up to its first NUL: kept only when all of it is
 * printable ASCII, so a console line or a status reply can quote it as is. */
static void probe_label(const unsigned char *b, size_t len, size_t off, char *ret)
{
	size_t i;
	ret[0] = '\0';
	if (off > len || 16 > len - off)
		return;
	for (i = 0; i < 16 && b[off + i]; i++)
		if (b[off + i] < 0x20 || b[off + i] > 0x7e)
			return;
	memcpy(ret, b + off, i);
	ret[i] = '\0';
}

/* blocks << shift, or 0 (unknown) when that does not fit in 64 bits. */
static uint64_t probe_shift(uint64_t blocks, unsigned shift)
{
	if (shift >= 64 || blocks > UINT64_MAX >> shift)
		return 0;
	return blocks << shift;
}

static void probe_ext4(const unsigned char *b, size_t len, struct probe *ret)
{
	uint64_t state, incompat, lo, hi = 0, log;
	ret->kind = PROBE_EXT4;
	if (le_read(b, len, SB_OFF + 0x3A, 2, &state))
		ret->errors = (state & EXT4_ERROR_FS) != 0;
	probe_label(b, len, SB_OFF + 0x78, ret->label);
	/* The size needs every part of the count: without the feature word, or
	 * with 64BIT and the high half beyond the buffer, it is unknown rather
	 * than wrong. */
	if (!le_read(b, len, SB_OFF + 0x60, 4, &incompat))
		return;
	ret->needs_recovery = (incompat & EXT4_INCOMPAT_RECOVER) != 0;
	if (!le_read(b, len, SB_OFF + 0x04, 4, &lo) || !le_read(b, len, SB_OFF + 0x18, 4, &log) ||
	    log > EXT4_LOG_MAX)
		return;
	if ((incompat & EXT4_INCOMPAT_64BIT) && !le_read(b, len, SB_OFF + 0x150, 4, &hi))
		return;
	ret->size_bytes = probe_shift(hi << 32 | lo, 10 + (unsigned)log);
}

static void probe_erofs(const unsigned char *b, size_t len, struct probe *ret)
{
	uint64_t bits, blocks;
	ret->kind = PROBE_EROFS;
	probe_label(b, len, SB_OFF + 0x40, ret->label);
	if (le_read(b, len, SB_OFF + 0x0C, 1, &bits) && le_read(b, len, SB_OFF + 0x24, 4, &blocks) &&
	    bits >= EROFS_BITS_MIN && bits <= EROFS_BITS_MAX)
		ret->size_bytes = probe_shift(blocks, (unsigned)bits);
}

/* squashfs's magic is checked first: it sits at byte 0, where ext4 and
 * erofs keep no signature, and its 4 bytes are the least likely to occur by
 * chance in the body of another image; then erofs's 4 bytes, then ext4's 2. */
void probe_bytes(const unsigned char *buf, size_t len, struct probe *ret)
{
	uint64_t v;
	size_t i;
	memset(ret, 0, sizeof(*ret));
	ret->kind = PROBE_UNKNOWN;
	if (le_read(buf, len, 0, 4, &v) && v == SQUASHFS_MAGIC) {
		ret->kind = PROBE_SQUASHFS;
		if (le_read(buf, len, 0x28, 8, &v))
			ret->size_bytes = v;
		return;
	}
	if (le_read(buf, len, SB_OFF, 4, &v) && v == EROFS_MAGIC) {
		probe_erofs(buf, len, ret);
		return;
	}
	if (le_read(buf, len, SB_OFF + 0x38, 2, &v) && v == EXT4_MAGIC) {
		probe_ext4(buf, len, ret);
		return;
	}
	for (i = 0; i < len && !buf[i]; i++)
		;
	if (len > 0 && i == len)
		ret->kind = PROBE_BLANK;
}

int probe_device(const char *path, struct probe *ret)
{
	unsigned char buf[PROBE_BYTES];
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -1;
	/* A device smaller than PROBE_BYTES ends the loop with a short count:
	 * probe_bytes matches only what is there. */
	while (got < sizeof(buf)) {
		ssize_t n = pread(fd, buf + got, sizeof(buf) - got, (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	probe_bytes(buf, got, ret);
	return 0;
}

const char *probe_kind_name(enum probe_kind k)
{
	switch (k) {
	case PROBE_BLANK: return "blank";
	case PROBE_EXT4: return "ext4";
	case PROBE_SQUASHFS: return "squashfs";
	case PROBE_EROFS: return "erofs";
	case PROBE_UNKNOWN: break;
	}
	return "unknown";
}

int probe_matches(const struct probe *p, enum spec_fs fs)
{
	switch (fs) {
	case SPEC_FS_EXT4: return p->kind == PROBE_EXT4;
	case SPEC_FS_SQUASHFS: return p->kind == PROBE_SQUASHFS;
	case SPEC_FS_EROFS: return p->kind == PROBE_EROFS;
	}
	return 0;
}

/* ==== where a device is ==== */

struct find {
	const char *sys, *dev;
	char *err;
	size_t errlen;
};

static int find_fail(struct find *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int find_fail(struct find *f, const char *fmt, ...)
{
	va_list ap;
	if (f->errlen) {
		va_start(ap, fmt);
		vsnprintf(f->err, f->errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* 1 when path is a block device, 0 when it is not there (yet), -1 when it
 * is something else, or cannot be looked at. */
static int find_node(struct find *f, const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		return find_fail(f, "%s: %s", path, strerror(errno));
	}
	if (!S_ISBLK(st.st_mode))
		return find_fail(f, "%s: not a block device", path);
	return 1;
}

/* The disk's serial, trailing blanks, newlines and NULs cut; "" when it has
 * none, or one longer than any virtio-blk serial could be. */
static void find_serial(const struct find *f, const char *name, char *ret, size_t len)
{
	char path[PROBE_PATH_MAX];
	ssize_t n = -1;
	int fd;
	ret[0] = '\0';
	snprintf(path, sizeof(path), "%s/block/%s/serial", f->sys, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	do
		n = read(fd, ret, len);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n <= 0 || (size_t)n == len)
		n = 0;
	while (n > 0 && (ret[n - 1] == '\0' || ret[n - 1] == '\n' || ret[n - 1] == ' ' ||
			 ret[n - 1] == '\t' || ret[n - 1] == '\r'))
		n--;
	ret[n] = '\0';
}

/* Does the disk have a `device` link: a disk on a bus, not a loop, ram or
 * zram device that the kernel made on its own? */
static int find_has_device(const struct find *f, const char *name)
{
	char path[PROBE_PATH_MAX];
	struct stat st;
	snprintf(path, sizeof(path), "%s/block/%s/device", f->sys, name);
	return lstat(path, &st) == 0;
}

/* The kernel's naming order: shorter first (vdz < vdaa), then by name. */
static int find_before(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	return la != lb ? la < lb : strcmp(a, b) < 0;
}

/* Keep the n smallest names seen in order, in kept[0..*nkept): the index-th
 * disk is kept[index] once the listing ends, with no list of every disk. */
static void find_keep(char (*kept)[PROBE_NAME_MAX + 1], unsigned n, unsigned *nkept,
		      const char *name)
{
	unsigned i = *nkept;
	if (i == n && !find_before(name, kept[n - 1]))
		return;
	if (i == n)
		i--;
	else
		(*nkept)++;
	for (; i > 0 && find_before(name, kept[i - 1]); i--)
		memcpy(kept[i], kept[i - 1], sizeof(kept[i]));
	memcpy(kept[i], name, strlen(name) + 1);   /* at most PROBE_NAME_MAX */
}

/* One listing of sys/block serves both kinds of locator. SERIAL reads on
 * past a match, so that a serial two disks share is an error rather than
 * whichever came first in the listing. */
static int find_scan(struct find *f, const struct spec_device *d, char *ret_name)
{
	char kept[SPEC_DEVICE_INDEX_MAX + 1][PROBE_NAME_MAX + 1];
	char path[PROBE_PATH_MAX], serial[64];
	unsigned nkept = 0, want = d->index + 1, seen = 0;
	struct dirent *e;
	DIR *dir;
	ret_name[0] = '\0';
	if (d->kind == SPEC_LOC_INDEX && d->index > SPEC_DEVICE_INDEX_MAX)
		return find_fail(f, "%s: index over %d", d->text, SPEC_DEVICE_INDEX_MAX);
	snprintf(path, sizeof(path), "%s/block", f->sys);
	dir = opendir(path);
	if (!dir)
		return find_fail(f, "%s: %s", path, strerror(errno));
	while (seen++ < PROBE_SCAN_MAX && (e = readdir(dir))) {
		if (e->d_name[0] == '.' || strlen(e->d_name) > PROBE_NAME_MAX)
			continue;
		if (d->kind == SPEC_LOC_INDEX) {
			if (find_has_device(f, e->d_name))
				find_keep(kept, want, &nkept, e->d_name);
			continue;
		}
		find_serial(f, e->d_name, serial, sizeof(serial));
		if (strcmp(serial, d->value))
			continue;
		if (ret_name[0]) {
			find_fail(f, "serial %s: on both %s and %s", d->value, ret_name, e->d_name);
			closedir(dir);   /* frees e */
			return -1;
		}
		memcpy(ret_name, e->d_name, strlen(e->d_name) + 1);
	}
	closedir(dir);
	if (d->kind == SPEC_LOC_INDEX && nkept == want)
		memcpy(ret_name, kept[d->index], sizeof(kept[0]));
	return 0;
}

int probe_find(const char *sys, const char *dev, const struct spec_device *d,
	       char *ret, size_t len, char *err, size_t errlen)
{
	struct find f = { sys, dev, err, errlen };
	char name[PROBE_NAME_MAX + 1], node[PROBE_PATH_MAX];
	const char *path = node;
	int r;
	switch (d->kind) {
	case SPEC_LOC_PATH:
		path = d->value;
		break;
	case SPEC_LOC_SERIAL:
	case SPEC_LOC_INDEX:
		if (find_scan(&f, d, name) < 0)
			return -1;
		if (!name[0])
			return 0;
		if ((size_t)snprintf(node, sizeof(node), "%s/%s", dev, name) >= sizeof(node))
			return find_fail(&f, "%s/%s: path too long", dev, name);
		break;
	default:
		return find_fail(&f, "no device given");
	}
	r = find_node(&f, path);
	if (r <= 0)
		return r;
	if (strlen(path) >= len)
		return find_fail(&f, "%s: path too long", path);
	memcpy(ret, path, strlen(path) + 1);
	return 1;
}
