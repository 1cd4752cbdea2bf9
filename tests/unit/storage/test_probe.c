/* test_probe.c - what a device holds and where it is (storage/probe.c):
 * hand-built superblocks, field by field and cut at every length, real
 * images made here by mkfs.ext4, mksquashfs and mkfs.erofs (tests/deps.sh),
 * and probe_find on a fake sysfs and /dev with real block nodes (mknod: the
 * unit tests run as root, here and in CI). */
#include "tests/unit/unit.h"
#include "storage/probe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define SB 1024u

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/vminit-probe-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

/* Runs a shell command in dir; it must succeed. */
static void sh(const char *fmt, ...)
{
	char cmd[1024];
	int n = snprintf(cmd, sizeof(cmd), "cd %s && ", dir);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd + n, sizeof(cmd) - (size_t)n, fmt, ap);
	va_end(ap);
	cr_assert_eq(system(cmd), 0, "failed: %s", cmd);
}

static const char *at(const char *name)
{
	static char path[4][256];
	static int next;
	char *p = path[next++ % 4];
	snprintf(p, sizeof(path[0]), "%s/%s", dir, name);
	return p;
}

static void put(unsigned char *b, size_t off, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		b[off + i] = (unsigned char)(v >> (8 * i));
}

/* The bytes are copied to a buffer of exactly len bytes, so that reading
 * one byte past len is an AddressSanitizer error, not a quiet pass. */
/* How many zero bytes b starts with: a cut up to there is blank. */
static size_t zeros(const unsigned char *b)
{
	size_t n = 0;
	while (n < PROBE_BYTES && !b[n])
		n++;
	return n;
}

static struct probe classify(const unsigned char *b, size_t len)
{
	unsigned char *copy = malloc(len ? len : 1);
	struct probe p;
	cr_assert_not_null(copy);
	memcpy(copy, b, len);
	memset(&p, 0x5a, sizeof(p));   /* every field must be set */
	probe_bytes(copy, len, &p);
	free(copy);
	return p;
}

/* An ext4 superblock: 4096 blocks of 1 KiB (4 MiB), clean, labelled "data". */
static void ext4_sb(unsigned char *b)
{
	memset(b, 0, PROBE_BYTES);
	put(b, SB + 0x00, 1024, 4);          /* s_inodes_count */
	put(b, SB + 0x04, 4096, 4);          /* s_blocks_count_lo */
	put(b, SB + 0x18, 0, 4);             /* s_log_block_size: 1 KiB */
	put(b, SB + 0x38, 0xEF53, 2);
	put(b, SB + 0x3A, 0x0001, 2);        /* s_state: valid */
	put(b, SB + 0x60, 0x0002 | 0x0040, 4);  /* filetype, extents */
	memcpy(b + SB + 0x78, "data", 4);
}

static void erofs_sb(unsigned char *b)
{
	memset(b, 0, PROBE_BYTES);
	put(b, SB + 0x00, 0xE0F5E1E2, 4);
	put(b, SB + 0x0C, 12, 1);            /* blkszbits: 4 KiB */
	put(b, SB + 0x24, 3, 4);             /* blocks */
	memcpy(b + SB + 0x40, "rootfs", 6);
}

static void squashfs_sb(unsigned char *b)
{
	memset(b, 0, PROBE_BYTES);
	memcpy(b, "hsqs", 4);
	put(b, 0x28, 0x123456789aULL, 8);    /* bytes_used */
}

/* ==== blank and unknown ==== */

Test(probe_bytes, zeros_are_blank_and_nothing_is_unknown)
{
	unsigned char b[PROBE_BYTES] = { 0 };
	cr_assert_eq(classify(b, sizeof(b)).kind, PROBE_BLANK);
	cr_assert_eq(classify(b, 1).kind, PROBE_BLANK);
	cr_assert_eq(classify(b, 0).kind, PROBE_UNKNOWN);
	b[PROBE_BYTES - 1] = 1;
	cr_assert_eq(classify(b, sizeof(b)).kind, PROBE_UNKNOWN);
	cr_assert_eq(classify(b, sizeof(b) - 1).kind, PROBE_BLANK, "the last byte is not read");
	memset(b, 0xaa, sizeof(b));
	struct probe p = classify(b, sizeof(b));
	cr_assert_eq(p.kind, PROBE_UNKNOWN);
	cr_assert_eq(p.size_bytes, 0);
	cr_assert_str_eq(p.label, "");
	cr_assert_eq(p.needs_recovery, 0);
	cr_assert_eq(p.errors, 0);
}

/* ==== ext4 ==== */

Test(probe_bytes, ext4_fields)
{
	unsigned char b[PROBE_BYTES];
	ext4_sb(b);
	struct probe p = classify(b, sizeof(b));
	cr_assert_eq(p.kind, PROBE_EXT4);
	cr_assert_eq(p.size_bytes, 4096ull * 1024);
	cr_assert_str_eq(p.label, "data");
	cr_assert_eq(p.needs_recovery, 0);
	cr_assert_eq(p.errors, 0);

	put(b, SB + 0x60, 0x0002 | 0x0004 | 0x0040, 4);   /* + RECOVER */
	p = classify(b, sizeof(b));
	cr_assert_eq(p.needs_recovery, 1);
	cr_assert_eq(p.errors, 0);

	put(b, SB + 0x60, 0x0002, 4);
	put(b, SB + 0x3A, 0x0003, 2);        /* valid, errors */
	p = classify(b, sizeof(b));
	cr_assert_eq(p.needs_recovery, 0);
	cr_assert_eq(p.errors, 1);
	put(b, SB + 0x3A, 0x0002, 2);        /* errors, not valid */
	cr_assert_eq(classify(b, sizeof(b)).errors, 1);
	put(b, SB + 0x3A, 0x0004, 2);        /* orphans: not errors */
	cr_assert_eq(classify(b, sizeof(b)).errors, 0);
}

Test(probe_bytes, ext4_size_from_block_size_and_64bit_count)
{
	unsigned char b[PROBE_BYTES];
	ext4_sb(b);
	put(b, SB + 0x18, 2, 4);             /* 4 KiB blocks */
	put(b, SB + 0x150, 7, 4);            /* the high half: ignored without 64BIT */
	cr_assert_eq(classify(b, sizeof(b)).size_bytes, 4096ull * 4096);
	put(b, SB + 0x60, 0x0080, 4);        /* 64BIT */
	cr_assert_eq(classify(b, sizeof(b)).size_bytes, ((7ull << 32) + 4096) * 4096);
	put(b, SB + 0x18, 6, 4);             /* 64 KiB: the largest ext4 has */
	cr_assert_eq(classify(b, sizeof(b)).size_bytes, ((7ull << 32) + 4096) << 16);
	put(b, SB + 0x150, 0xffffffff, 4);   /* 2^64 bytes and more: unknown */
	cr_assert_eq(classify(b, sizeof(b)).size_bytes, 0);
	put(b, SB + 0x150, 0xffff, 4);       /* exactly 2^64 - 64 KiB fits */
	put(b, SB + 0x04, 0xffffffff, 4);
	cr_assert_eq(classify(b, sizeof(b)).size_bytes, UINT64_MAX - 0xffff);
}

Test(probe_bytes, ext4_absurd_block_size_is_an_unknown_size)
{
	static const uint32_t logs[] = { 7, 22, 54, 64, 0x80000000u, 0xffffffffu };
	unsigned char b[PROBE_BYTES];
	ext4_sb(b);
	for (size_t i = 0; i < sizeof(logs) / sizeof(logs[0]); i++) {
		put(b, SB + 0x18, logs[i], 4);
		struct probe p = classify(b, sizeof(b));
		cr_assert_eq(p.kind, PROBE_EXT4, "the magic still says ext4: the mount will say why");
		cr_assert_eq(p.size_bytes, 0, "log %u", logs[i]);
		cr_assert_str_eq(p.label, "data");
	}
}

Test(probe_bytes, ext4_label_is_printable_or_empty)
{
	unsigned char b[PROBE_BYTES];
	ext4_sb(b);
	memcpy(b + SB + 0x78, "0123456789abcdef", 16);   /* all 16 bytes, no NUL */
	put(b, SB + 0x88, 'X', 1);                         /* s_last_mounted: not the label */
	cr_assert_str_eq(classify(b, sizeof(b)).label, "0123456789abcdef");
	memcpy(b + SB + 0x78, "ab\0\x01zzzzzzzzzzzz", 16); /* after the NUL: not read */
	cr_assert_str_eq(classify(b, sizeof(b)).label, "ab");
	memcpy(b + SB + 0x78, "caf\xc3\xa9\0", 6);         /* not ASCII */
	cr_assert_str_eq(classify(b, sizeof(b)).label, "");
	memcpy(b + SB + 0x78, "a\nb\0", 4);                /* a control character */
	cr_assert_str_eq(classify(b, sizeof(b)).label, "");
	memcpy(b + SB + 0x78, "a\x7f\0", 3);
	cr_assert_str_eq(classify(b, sizeof(b)).label, "");
	memcpy(b + SB + 0x78, " ~\0", 3);                  /* both ends of printable */
	cr_assert_str_eq(classify(b, sizeof(b)).label, " ~");
}

/* Every length from 0 to PROBE_BYTES: a field is reported exactly when
 * the bytes it is made of are all there. */
Test(probe_bytes, ext4_cut_at_every_length)
{
	unsigned char b[PROBE_BYTES];
	ext4_sb(b);
	put(b, SB + 0x60, 0x0004 | 0x0080, 4);   /* RECOVER, 64BIT */
	put(b, SB + 0x3A, 0x0002, 2);
	put(b, SB + 0x150, 1, 4);
	for (size_t len = 0; len <= sizeof(b); len++) {
		struct probe p = classify(b, len);
		if (len < SB + 0x3A) {
			cr_assert_eq(p.kind, len > 0 && len <= zeros(b) ? PROBE_BLANK : PROBE_UNKNOWN,
				     "len %zu", len);
			cr_assert_eq(p.size_bytes, 0);
			continue;
		}
		cr_assert_eq(p.kind, PROBE_EXT4, "len %zu", len);
		cr_assert_eq(p.errors, len >= SB + 0x3C, "len %zu", len);
		cr_assert_eq(p.needs_recovery, len >= SB + 0x64, "len %zu", len);
		cr_assert_str_eq(p.label, len >= SB + 0x88 ? "data" : "", "len %zu", len);
		cr_assert_eq(p.size_bytes, len >= SB + 0x154 ? ((1ull << 32) + 4096) * 1024 : 0,
			     "len %zu", len);
	}
}

Test(probe_bytes, ext4_without_64bit_needs_no_high_half)
{
	unsigned char b[PROBE_BYTES];
	ext4_sb(b);
	/* the count and the block size are in, but not the feature word that
	 * says whether a high half exists */
	cr_assert_eq(classify(b, SB + 0x63).size_bytes, 0);
	cr_assert_eq(classify(b, SB + 0x64).size_bytes, 4096ull * 1024);
}

/* ==== erofs ==== */

Test(probe_bytes, erofs_fields)
{
	unsigned char b[PROBE_BYTES];
	erofs_sb(b);
	struct probe p = classify(b, sizeof(b));
	cr_assert_eq(p.kind, PROBE_EROFS);
	cr_assert_eq(p.size_bytes, 3 * 4096);
	cr_assert_str_eq(p.label, "rootfs");
	cr_assert_eq(p.needs_recovery, 0);
	cr_assert_eq(p.errors, 0);
	put(b, SB + 0x0C, 9, 1);
	put(b, SB + 0x24, 0xffffffff, 4);
	cr_assert_eq(classify(b, sizeof(b)).size_bytes, 0xffffffffull << 9);
	put(b, SB + 0x0C, 16, 1);
	cr_assert_eq(classify(b, sizeof(b)).size_bytes, 0xffffffffull << 16);
	/* block sizes erofs never has: the size is unknown, the kind stays */
	static const unsigned bad[] = { 0, 8, 17, 32, 63, 64, 255 };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put(b, SB + 0x0C, bad[i], 1);
		p = classify(b, sizeof(b));
		cr_assert_eq(p.kind, PROBE_EROFS);
		cr_assert_eq(p.size_bytes, 0, "blkszbits %u", bad[i]);
	}
}

Test(probe_bytes, erofs_cut_at_every_length)
{
	unsigned char b[PROBE_BYTES];
	erofs_sb(b);
	for (size_t len = 0; len <= sizeof(b); len++) {
		struct probe p = classify(b, len);
		if (len < SB + 4) {
			cr_assert_eq(p.kind, len > 0 && len <= zeros(b) ? PROBE_BLANK : PROBE_UNKNOWN,
				     "len %zu", len);
			continue;
		}
		cr_assert_eq(p.kind, PROBE_EROFS, "len %zu", len);
		cr_assert_eq(p.size_bytes, len >= SB + 0x28 ? 3 * 4096 : 0, "len %zu", len);
		cr_assert_str_eq(p.label, len >= SB + 0x50 ? "rootfs" : "", "len %zu", len);
	}
}

/* ==== squashfs ==== */

Test(probe_bytes, squashfs_size_and_every_length)
{
	unsigned char b[PROBE_BYTES];
	squashfs_sb(b);
	for (size_t len = 0; len <= 0x40; len++) {
		struct probe p = classify(b, len);
		cr_assert_eq(p.kind, len >= 4 ? PROBE_SQUASHFS : PROBE_UNKNOWN, "len %zu", len);
		cr_assert_eq(p.size_bytes, len >= 0x30 ? 0x123456789aULL : 0, "len %zu", len);
		cr_assert_str_eq(p.label, "");
	}
	cr_assert_eq(classify(b, sizeof(b)).size_bytes, 0x123456789aULL);
	put(b, 0x28, UINT64_MAX, 8);
	cr_assert_eq(classify(b, sizeof(b)).size_bytes, UINT64_MAX);
	memcpy(b, "sqsh", 4);   /* big-endian squashfs: Linux does not mount it */
	cr_assert_eq(classify(b, sizeof(b)).kind, PROBE_UNKNOWN);
}

Test(probe_bytes, first_signature_wins_where_two_could_be_read)
{
	unsigned char b[PROBE_BYTES];
	ext4_sb(b);
	memcpy(b, "hsqs", 4);
	cr_assert_eq(classify(b, sizeof(b)).kind, PROBE_SQUASHFS);
	ext4_sb(b);
	put(b, SB, 0xE0F5E1E2, 4);   /* erofs's magic over s_inodes_count */
	cr_assert_eq(classify(b, sizeof(b)).kind, PROBE_EROFS);
	put(b, SB, 0xE0F5E1E3, 4);
	cr_assert_eq(classify(b, sizeof(b)).kind, PROBE_EXT4);
	put(b, SB + 0x38, 0x53EF, 2);   /* ext4's magic byte-swapped */
	cr_assert_eq(classify(b, sizeof(b)).kind, PROBE_UNKNOWN);
}

/* ==== names and matching ==== */

Test(probe_names, kinds_and_matches)
{
	cr_assert_str_eq(probe_kind_name(PROBE_BLANK), "blank");
	cr_assert_str_eq(probe_kind_name(PROBE_EXT4), "ext4");
	cr_assert_str_eq(probe_kind_name(PROBE_SQUASHFS), "squashfs");
	cr_assert_str_eq(probe_kind_name(PROBE_EROFS), "erofs");
	cr_assert_str_eq(probe_kind_name(PROBE_UNKNOWN), "unknown");
	cr_assert_str_eq(probe_kind_name((enum probe_kind)99), "unknown");

	static const enum spec_fs fs[] = { SPEC_FS_EXT4, SPEC_FS_SQUASHFS, SPEC_FS_EROFS };
	static const enum probe_kind kind[] = { PROBE_EXT4, PROBE_SQUASHFS, PROBE_EROFS };
	for (size_t i = 0; i < 3; i++) {
		for (enum probe_kind k = PROBE_BLANK; k <= PROBE_UNKNOWN; k++) {
			struct probe p = { .kind = k };
			cr_assert_eq(probe_matches(&p, fs[i]), k == kind[i], "fs %zu kind %d", i, k);
		}
	}
	struct probe p = { .kind = PROBE_EXT4 };
	cr_assert_eq(probe_matches(&p, (enum spec_fs)99), 0);
}

/* ==== real images ==== */

TestSuite(probe_device, .init = setup, .fini = teardown);

static struct probe device(const char *name)
{
	struct probe p;
	memset(&p, 0x5a, sizeof(p));
	cr_assert_eq(probe_device(at(name), &p), 0, "%s: %s", name, strerror(errno));
	return p;
}

static uint64_t file_size(const char *name)
{
	struct stat st;
	cr_assert_eq(stat(at(name), &st), 0);
	return (uint64_t)st.st_size;
}

Test(probe_device, ext4_from_mkfs)
{
	sh("truncate -s 4M a.img && mkfs.ext4 -q -L vol-a a.img");
	struct probe p = device("a.img");
	cr_assert_eq(p.kind, PROBE_EXT4);
	cr_assert_eq(p.size_bytes, 4u << 20);
	cr_assert_str_eq(p.label, "vol-a");
	cr_assert_eq(p.needs_recovery, 0);
	cr_assert_eq(p.errors, 0);

	/* without 64bit, 4 KiB blocks, no label, and the image longer than
	 * the file system on it: the file system's size, not the file's */
	sh("truncate -s 16M b.img && mkfs.ext4 -q -O ^64bit -b 4096 b.img 3072");
	p = device("b.img");
	cr_assert_eq(p.kind, PROBE_EXT4);
	cr_assert_eq(p.size_bytes, 3072u * 4096);
	cr_assert_str_eq(p.label, "");
}

Test(probe_device, ext4_recovery_and_errors_as_debugfs_sets_them)
{
	sh("truncate -s 4M a.img && mkfs.ext4 -q a.img && "
	   "debugfs -w -R 'feature needs_recovery' a.img >/dev/null 2>&1 && "
	   "debugfs -w -R 'ssv state 3' a.img >/dev/null 2>&1");
	struct probe p = device("a.img");
	cr_assert_eq(p.kind, PROBE_EXT4);
	cr_assert_eq(p.needs_recovery, 1);
	cr_assert_eq(p.errors, 1);
}

Test(probe_device, squashfs_from_mksquashfs)
{
	/* -nopad: the image ends where bytes_used says, not at the next 4 KiB */
	sh("mkdir t && echo hello > t/a && head -c 5000 /dev/zero > t/b && "
	   "mksquashfs t s.img -quiet -no-progress -noappend -nopad >/dev/null");
	struct probe p = device("s.img");
	cr_assert_eq(p.kind, PROBE_SQUASHFS);
	cr_assert_eq(p.size_bytes, file_size("s.img"));
	cr_assert_lt(p.size_bytes, PROBE_BYTES, "a short read of a small image is classified too");
	cr_assert_str_eq(p.label, "");
}

Test(probe_device, erofs_from_mkfs_erofs)
{
	sh("mkdir t && echo hello > t/a && head -c 20000 /dev/urandom > t/b && "
	   "mkfs.erofs --quiet r.img t >/dev/null");
	struct probe p = device("r.img");
	cr_assert_eq(p.kind, PROBE_EROFS);
	cr_assert_eq(p.size_bytes, file_size("r.img"));
	cr_assert_geq(p.size_bytes, 20000);
}

Test(probe_device, blank_short_unknown_and_errors)
{
	sh("truncate -s 1M zero.img && head -c 100 /dev/zero > tiny.img && "
	   "head -c 8192 /dev/zero | tr '\\0' '\\252' > junk.img && : > empty.img && mkdir d");
	cr_assert_eq(device("zero.img").kind, PROBE_BLANK);
	cr_assert_eq(device("tiny.img").kind, PROBE_BLANK);
	cr_assert_eq(device("junk.img").kind, PROBE_UNKNOWN);
	cr_assert_eq(device("empty.img").kind, PROBE_UNKNOWN, "nothing read: not known blank");

	struct probe p = { .kind = PROBE_EXT4 };
	errno = 0;
	cr_assert_eq(probe_device(at("missing.img"), &p), -1);
	cr_assert_eq(errno, ENOENT);
	errno = 0;
	cr_assert_eq(probe_device(at("d"), &p), -1);
	cr_assert_eq(errno, EISDIR);
	cr_assert_eq(p.kind, PROBE_EXT4, "untouched on failure");
}

/* ==== where a device is ==== */

TestSuite(probe_find, .init = setup, .fini = teardown);

/* A disk in the fake sysfs: serial (NULL: no file), device link or not. */
static void disk(const char *name, const char *serial, size_t serial_len, int device)
{
	char path[512];
	sh("mkdir -p 'sys/block/%s' dev", name);
	if (serial) {
		snprintf(path, sizeof(path), "%s/sys/block/%s/serial", dir, name);
		FILE *f = fopen(path, "w");
		cr_assert_not_null(f);
		cr_assert_eq(fwrite(serial, 1, serial_len, f), serial_len);
		fclose(f);
	}
	if (device)
		sh("ln -s ../../devices/virtio0 'sys/block/%s/device'", name);
}

static void node(const char *name)
{
	char path[512];
	static unsigned minor;
	snprintf(path, sizeof(path), "%s/dev/%s", dir, name);
	cr_assert_eq(mknod(path, S_IFBLK | 0600, makedev(254, minor++)), 0, "mknod %s: %s", path,
		     strerror(errno));
}

struct found {
	int r;
	char path[256];
	char err[256];
};

static struct found find(enum spec_loc_kind kind, const char *value, unsigned index)
{
	char sys[128], dev[128];
	struct spec_device d = { .kind = kind, .text = (char *)"test", .value = value,
				 .index = index };
	struct found f;
	snprintf(sys, sizeof(sys), "%s/sys", dir);
	snprintf(dev, sizeof(dev), "%s/dev", dir);
	strcpy(f.path, "untouched");
	strcpy(f.err, "none");
	f.r = probe_find(sys, dev, &d, f.path, sizeof(f.path), f.err, sizeof(f.err));
	return f;
}

/* The path found, relative to dir. */
static const char *found_at(const struct found *f)
{
	size_t n = strlen(dir);
	cr_assert_eq(f->r, 1, "not found: %d, %s", f->r, f->err);
	cr_assert_eq(strncmp(f->path, dir, n), 0, "%s", f->path);
	return f->path + n + 1;
}

#define S(s) s, sizeof(s) - 1

Test(probe_find, by_serial_trimmed_and_exact)
{
	disk("vda", S("root"), 1);
	disk("vdb", S("data\n"), 1);
	disk("vdc", S("scratch \t\r\n\0\0"), 1);
	disk("vdd", NULL, 0, 1);
	disk("vde", S(" lead"), 1);
	node("vda"), node("vdb"), node("vdc"), node("vdd"), node("vde");
	struct found f = find(SPEC_LOC_SERIAL, "data", 0);
	cr_assert_str_eq(found_at(&f), "dev/vdb");
	f = find(SPEC_LOC_SERIAL, "scratch", 0);
	cr_assert_str_eq(found_at(&f), "dev/vdc");
	f = find(SPEC_LOC_SERIAL, "root", 0);
	cr_assert_str_eq(found_at(&f), "dev/vda");
	f = find(SPEC_LOC_SERIAL, " lead", 0);
	cr_assert_str_eq(found_at(&f), "dev/vde", "only trailing blanks are cut");
	static const char *const absent[] = { "dat", "data2", "lead", "scratch ", "Data" };
	for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
		f = find(SPEC_LOC_SERIAL, absent[i], 0);
		cr_assert_eq(f.r, 0, "%s", absent[i]);
		cr_assert_str_eq(f.path, "untouched");
	}
}

Test(probe_find, serial_waits_for_the_node)
{
	disk("vdb", S("data\n"), 1);
	struct found f = find(SPEC_LOC_SERIAL, "data", 0);
	cr_assert_eq(f.r, 0, "sysfs has it, devtmpfs not yet");
	cr_assert_str_eq(f.path, "untouched");
	node("vdb");
	f = find(SPEC_LOC_SERIAL, "data", 0);
	cr_assert_str_eq(found_at(&f), "dev/vdb");
	cr_assert_eq(find(SPEC_LOC_SERIAL, "other", 0).r, 0);
}

Test(probe_find, serial_on_two_disks_is_an_error)
{
	disk("vda", S("data\n"), 1);
	disk("vdb", S("data"), 1);
	node("vda"), node("vdb");
	struct found f = find(SPEC_LOC_SERIAL, "data", 0);
	cr_assert_eq(f.r, -1);
	cr_assert(strstr(f.err, "vda") && strstr(f.err, "vdb") && strstr(f.err, "data"), "%s",
		  f.err);
	cr_assert_str_eq(f.path, "untouched");
}

Test(probe_find, serial_too_long_or_name_too_long_is_not_read)
{
	char big[64];
	memset(big, ' ', sizeof(big));
	memcpy(big, "data", 4);   /* "data" and 60 blanks: longer than a serial can be */
	char name32[33], name31[32], want[40];
	memset(name32, 'n', 32), name32[32] = '\0';
	memset(name31, 'm', 31), name31[31] = '\0';
	disk("vda", big, sizeof(big), 1);
	disk(name32, S("long"), 1);
	disk(name31, S("fits"), 1);
	node("vda"), node(name32), node(name31);
	cr_assert_eq(find(SPEC_LOC_SERIAL, "data", 0).r, 0);
	cr_assert_eq(find(SPEC_LOC_SERIAL, "long", 0).r, 0, "a 32-byte name is not looked at");
	struct found f = find(SPEC_LOC_SERIAL, "fits", 0);
	snprintf(want, sizeof(want), "dev/%s", name31);
	cr_assert_str_eq(found_at(&f), want);
}

Test(probe_find, index_in_the_kernels_naming_order)
{
	/* made out of order; loop0 and ram0 have no device link */
	disk("vdaa", NULL, 0, 1);
	disk("loop0", NULL, 0, 0);
	disk("vdb", S("b"), 1);
	disk("ram0", NULL, 0, 0);
	disk("sda", NULL, 0, 1);
	disk("vda", NULL, 0, 1);
	static const char *const order[] = { "sda", "vda", "vdb", "vdaa" };
	for (size_t i = 0; i < 4; i++)
		node(order[i]);
	node("loop0"), node("ram0");
	for (unsigned i = 0; i < 4; i++) {
		struct found f = find(SPEC_LOC_INDEX, NULL, i);
		char want[16];
		snprintf(want, sizeof(want), "dev/%s", order[i]);
		cr_assert_str_eq(found_at(&f), want, "index %u", i);
	}
	cr_assert_eq(find(SPEC_LOC_INDEX, NULL, 4).r, 0, "a fifth disk may come");
	cr_assert_eq(find(SPEC_LOC_INDEX, NULL, 255).r, 0);
}

Test(probe_find, index_waits_for_the_node)
{
	disk("vda", NULL, 0, 1);
	disk("vdb", NULL, 0, 1);
	node("vda");
	cr_assert_eq(find(SPEC_LOC_INDEX, NULL, 1).r, 0);
	node("vdb");
	struct found f = find(SPEC_LOC_INDEX, NULL, 1);
	cr_assert_str_eq(found_at(&f), "dev/vdb");
}

/* More disks than the highest index: only the 256 first in order are
 * kept while listing, whatever order the directory lists them in. */
Test(probe_find, index_among_many_disks)
{
	sh("mkdir -p sys/block dev && for i in $(seq 300 -1 1); do n=$(printf x%%03d $i); "
	   "mkdir sys/block/$n && ln -s x sys/block/$n/device; done");
	node("x001"), node("x256"), node("x300");
	struct found f = find(SPEC_LOC_INDEX, NULL, 0);
	cr_assert_str_eq(found_at(&f), "dev/x001");
	f = find(SPEC_LOC_INDEX, NULL, 255);
	cr_assert_str_eq(found_at(&f), "dev/x256");
	cr_assert_eq(find(SPEC_LOC_INDEX, NULL, 254).r, 0, "x255 has no node");
}

Test(probe_find, by_path)
{
	sh("mkdir -p sys/block dev && : > dev/file && mkdir dev/dir");
	node("vdz");
	struct found f = find(SPEC_LOC_PATH, at("dev/vdz"), 0);
	cr_assert_str_eq(found_at(&f), "dev/vdz");
	f = find(SPEC_LOC_PATH, at("dev/vdy"), 0);
	cr_assert_eq(f.r, 0);
	cr_assert_str_eq(f.path, "untouched");
	f = find(SPEC_LOC_PATH, at("dev/file"), 0);
	cr_assert_eq(f.r, -1);
	cr_assert(strstr(f.err, "not a block device"), "%s", f.err);
	cr_assert_str_eq(f.path, "untouched");
	f = find(SPEC_LOC_PATH, at("dev/dir"), 0);
	cr_assert_eq(f.r, -1);
	f = find(SPEC_LOC_PATH, at("dev/file/x"), 0);
	cr_assert_eq(f.r, -1, "under a file: never there");
}

Test(probe_find, too_small_a_buffer_no_locator_no_sysfs)
{
	char sys[128], dev[128], small[8] = "keep", err[128];
	struct spec_device d = { .kind = SPEC_LOC_PATH, .text = (char *)"x" };
	sh("mkdir -p dev");
	node("vda");
	snprintf(sys, sizeof(sys), "%s/sys", dir);
	snprintf(dev, sizeof(dev), "%s/dev", dir);
	d.value = at("dev/vda");
	cr_assert_eq(probe_find(sys, dev, &d, small, sizeof(small), err, sizeof(err)), -1);
	cr_assert(strstr(err, "too long"), "%s", err);
	cr_assert_str_eq(small, "keep");

	d.kind = SPEC_LOC_NONE;
	cr_assert_eq(probe_find(sys, dev, &d, small, sizeof(small), err, sizeof(err)), -1);
	cr_assert_str_eq(err, "no device given");

	d.kind = SPEC_LOC_SERIAL;
	d.value = "data";
	cr_assert_eq(probe_find(sys, dev, &d, small, sizeof(small), err, sizeof(err)), -1,
		     "no sys/block: sysfs is not mounted");
	cr_assert(strstr(err, "/sys/block"), "%s", err);
	cr_assert_eq(probe_find(sys, dev, &d, small, sizeof(small), NULL, 0), -1, "err optional");
}
