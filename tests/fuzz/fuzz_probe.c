/* fuzz_probe.c - libFuzzer target for the superblock reader
 * (storage/probe.c's probe_bytes): `make fuzz`.
 *
 * The input is a device's first bytes (up to PROBE_BYTES, as probe_device
 * reads them; libFuzzer hands them over in a buffer of exactly their size,
 * so a read past the end is an AddressSanitizer crash). Then these must
 * hold, or we abort:
 *
 * - the kind is one of enum probe_kind, and the one the magic numbers say,
 *   looked at here byte by byte in the same order (squashfs at 0, erofs at
 *   1024, ext4 at 1080); BLANK exactly when there are bytes and all are 0;
 * - the label is NUL-terminated in its 17 bytes, printable ASCII, and for
 *   ext4 and erofs the start of the superblock's name field;
 * - only ext4 has needs_recovery or errors, each 0 or 1; BLANK and UNKNOWN
 *   have no size and no label, squashfs no label;
 * - an ext4 size is a whole number of 1 KiB blocks, an erofs one of 512 B;
 * - the name of the kind and probe_matches agree with the kind;
 * - the same bytes give the same answer twice.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/probe.h"

#include "tests/fuzz/fuzz_check.h"

static int has(const uint8_t *d, size_t size, size_t off, const char *magic, size_t n)
{
	return size >= off + n && !memcmp(d + off, magic, n);
}

static enum probe_kind expected(const uint8_t *d, size_t size)
{
	size_t i = 0;
	if (has(d, size, 0, "hsqs", 4))
		return PROBE_SQUASHFS;
	if (has(d, size, 1024, "\xe2\xe1\xf5\xe0", 4))
		return PROBE_EROFS;
	if (has(d, size, 1080, "\x53\xef", 2))
		return PROBE_EXT4;
	while (i < size && !d[i])
		i++;
	return size && i == size ? PROBE_BLANK : PROBE_UNKNOWN;
}

static void check_label(const struct probe *p, const uint8_t *d, size_t size)
{
	size_t n = strnlen(p->label, sizeof(p->label));
	size_t field = p->kind == PROBE_EXT4 ? 1024 + 0x78 : 1024 + 0x40;
	CHECK(n < sizeof(p->label), "the label is not NUL-terminated");
	for (size_t i = 0; i < n; i++)
		CHECK(p->label[i] >= 0x20 && p->label[i] <= 0x7e, "byte %zu of the label: 0x%02x", i,
		      (unsigned char)p->label[i]);
	if (p->kind != PROBE_EXT4 && p->kind != PROBE_EROFS) {
		CHECK(n == 0, "a %s with a label", probe_kind_name(p->kind));
		return;
	}
	if (n)
		CHECK(size >= field + 16 && !memcmp(p->label, d + field, n) &&
			      (n == 16 || d[field + n] == 0),
		      "the label \"%s\" is not the superblock's", p->label);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum spec_fs fs[] = { SPEC_FS_EXT4, SPEC_FS_SQUASHFS, SPEC_FS_EROFS };
	static const enum probe_kind fs_kind[] = { PROBE_EXT4, PROBE_SQUASHFS, PROBE_EROFS };
	struct probe p, again;
	enum probe_kind want = expected(data, size);

	probe_bytes(data, size, &p);
	CHECK(p.kind >= PROBE_BLANK && p.kind <= PROBE_UNKNOWN, "kind %d", (int)p.kind);
	CHECK(p.kind == want, "kind %s, the magic says %s", probe_kind_name(p.kind),
	      probe_kind_name(want));
	check_label(&p, data, size);
	CHECK(p.needs_recovery == 0 || p.needs_recovery == 1, "needs_recovery %d", p.needs_recovery);
	CHECK(p.errors == 0 || p.errors == 1, "errors %d", p.errors);
	if (p.kind != PROBE_EXT4)
		CHECK(!p.needs_recovery && !p.errors, "ext4's flags on a %s", probe_kind_name(p.kind));
	if (p.kind == PROBE_BLANK || p.kind == PROBE_UNKNOWN)
		CHECK(p.size_bytes == 0, "a size for %s", probe_kind_name(p.kind));
	if (p.kind == PROBE_EXT4)
		CHECK(p.size_bytes % 1024 == 0, "ext4 size %llu", (unsigned long long)p.size_bytes);
	if (p.kind == PROBE_EROFS)
		CHECK(p.size_bytes % 512 == 0, "erofs size %llu", (unsigned long long)p.size_bytes);

	CHECK(strcmp(probe_kind_name(p.kind), "unknown") || p.kind == PROBE_UNKNOWN, "no name");
	for (size_t i = 0; i < 3; i++)
		CHECK(probe_matches(&p, fs[i]) == (p.kind == fs_kind[i]), "probe_matches %zu", i);

	memset(&again, 0xa5, sizeof(again));
	probe_bytes(data, size, &again);
	CHECK(again.kind == p.kind && again.size_bytes == p.size_bytes &&
		      again.needs_recovery == p.needs_recovery && again.errors == p.errors &&
		      !strcmp(again.label, p.label),
	      "a second look differs");
	return 0;
}
