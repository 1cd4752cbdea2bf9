/* test_storage_fields.c - the guest's storage sections (docs/spec.md section
 * 5): [guest.root], [guest.scratch] and [guest.volumes.NAME]: the device
 * locator's three forms and its errors, wait_seconds, the root's file system,
 * writable directories and tmpfs size, a disk named once, a scratch disk only
 * with a root, and the canonical form of all three. */
#include "tests/unit/spec/spec_test.h"

/* BASE, then a declared volume "data" (lines 5-7). */
#define VOL BASE "[volumes.0]\nname = \"data\"\nsize = \"1Gi\"\n"

/* A [guest.root] section at line 5 with the device given (line 6), an ext4
 * file system (line 7), then more keys from line 8. */
#define ROOT(dev, keys) BASE "[guest.root]\ndevice = \"" dev "\"\nfilesystem = \"ext4\"\n" keys

/* ==== the locator's three forms ==== */

Test(storage_device, path)
{
	struct spec *s = load_ok(ROOT("/dev/vda", ""));
	cr_assert_eq(s->root.dev.kind, SPEC_LOC_PATH);
	cr_assert_str_eq(s->root.dev.text, "/dev/vda");
	cr_assert_str_eq(s->root.dev.value, "/dev/vda");
	cr_assert_eq(s->root.dev.line, 5);
	spec_free(s);
}

Test(storage_device, serial)
{
	struct spec *s = load_ok(ROOT("serial:root", ""));
	cr_assert_eq(s->root.dev.kind, SPEC_LOC_SERIAL);
	cr_assert_str_eq(s->root.dev.text, "serial:root");
	cr_assert_str_eq(s->root.dev.value, "root");
	cr_assert(s->root.dev.value > s->root.dev.text &&
		  s->root.dev.value < s->root.dev.text + strlen(s->root.dev.text),
		  "value points inside text");
	spec_free(s);
}

Test(storage_device, serial_every_allowed_byte_and_20_bytes)
{
	struct spec *s = load_ok(ROOT("serial:aZ09._-aZ09._-aZ09._", ""));
	cr_assert_eq(s->root.dev.kind, SPEC_LOC_SERIAL);
	cr_assert_eq(strlen(s->root.dev.value), SPEC_SERIAL_MAX);
	spec_free(s);
	s = load_ok(ROOT("serial:x", ""));
	cr_assert_str_eq(s->root.dev.value, "x");
	spec_free(s);
}

Test(storage_device, index)
{
	static const struct { const char *text; unsigned index; } ok[] = {
		{ "index:0", 0 }, { "index:7", 7 }, { "index:10", 10 }, { "index:255", 255 },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char *t = fmt(BASE "[guest.root]\ndevice = \"%s\"\nfilesystem = \"ext4\"\n", ok[i].text);
		struct spec *s = load_ok(t);
		cr_assert_eq(s->root.dev.kind, SPEC_LOC_INDEX, "%s", ok[i].text);
		cr_assert_eq(s->root.dev.index, ok[i].index, "%s", ok[i].text);
		cr_assert_str_eq(s->root.dev.text, ok[i].text);
		spec_free(s);
		free(t);
	}
}

/* Each form in each of the three sections: the one getter serves them all. */
Test(storage_device, every_section_reads_every_form)
{
	struct spec *s = load_ok(VOL
		"[guest.root]\ndevice = \"index:0\"\nfilesystem = \"erofs\"\n"   /* 8-10 */
		"[guest.scratch]\ndevice = \"/dev/vdb\"\n"                      /* 11-12 */
		"[guest.volumes.data]\ndevice = \"serial:data\"\n");            /* 13-14 */
	cr_assert_eq(s->root.dev.kind, SPEC_LOC_INDEX);
	cr_assert_eq(s->scratch.dev.kind, SPEC_LOC_PATH);
	cr_assert_str_eq(s->scratch.dev.value, "/dev/vdb");
	cr_assert_eq(s->scratch.dev.line, 11);
	cr_assert_eq(s->vols[0].dev.kind, SPEC_LOC_SERIAL);
	cr_assert_str_eq(s->vols[0].dev.value, "data");
	cr_assert_eq(s->vols[0].dev.line, 13);
	spec_free(s);
	s = load_ok(VOL
		"[guest.root]\ndevice = \"serial:root\"\nfilesystem = \"erofs\"\n"
		"[guest.scratch]\ndevice = \"index:1\"\n"
		"[guest.volumes.data]\ndevice = \"/dev/vdc\"\n");
	cr_assert_eq(s->scratch.dev.kind, SPEC_LOC_INDEX);
	cr_assert_eq(s->scratch.dev.index, 1);
	cr_assert_eq(s->vols[0].dev.kind, SPEC_LOC_PATH);
	spec_free(s);
}

/* ==== the locator's errors ==== */

static void expect_bad_device(const char *dev, const char *message)
{
	char *t = fmt(BASE "[guest.root]\ndevice = \"%s\"\nfilesystem = \"ext4\"\n", dev);
	char *want = fmt("t.ini:6: guest.root.device: %s", message);
	struct spec *s = unit_spec(t);
	cr_assert(unit_has_error(s, want), "%s: no '%s'; errors:\n%s", dev, want, unit_errors(s));
	cr_assert_eq(s->root.dev.kind, SPEC_LOC_NONE, "%s", dev);
	cr_assert_null(s->root.dev.text);
	spec_free(s);
	free(t);
	free(want);
}

Test(storage_device, not_a_form)
{
	static const char *const bad[] = { "vda", "", "dev/vda", "Serial:x", "serial", "index", "uuid:1" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *m = fmt("\"%s\" must be an absolute path, \"serial:NAME\" or \"index:N\"", bad[i]);
		expect_bad_device(bad[i], m);
		free(m);
	}
}

Test(storage_device, bad_serial)
{
	static const char *const bad[] = {
		"serial:", "serial:aZ09._-aZ09._-aZ09._x" /* 21 */, "serial:a b", "serial:a/b",
		"serial:a:b", "serial:\\u00e9",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *shown = strcmp(bad[i], "serial:\\u00e9") ? bad[i] : "serial:\xc3\xa9";
		char *m = fmt("\"%s\": a serial is 1 to 20 bytes of letters, digits, '.', '_' and '-'", shown);
		expect_bad_device(bad[i], m);
		free(m);
	}
}

Test(storage_device, bad_index)
{
	static const char *const bad[] = {
		"index:", "index:256", "index:01", "index:00", "index:-1", "index:+1", "index:1a",
		"index: 1", "index:99999999999999999999",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *m = fmt("\"%s\": N is a decimal from 0 to 255, without leading zeros", bad[i]);
		expect_bad_device(bad[i], m);
		free(m);
	}
}

Test(storage_device, must_be_a_string)
{
	expect_error(BASE "[guest.scratch]\ndevice = 1\n[guest.root]\ndevice = \"/dev/vda\"\n"
		     "filesystem = \"ext4\"\n",
		     "t.ini:6: guest.scratch.device: must be a string, not an integer");
}

Test(storage_device, required_in_each_section)
{
	const char *forms = "required: an absolute path (\"/dev/vdb\"), \"serial:NAME\" or \"index:N\"";
	char *root = fmt("t.ini:8: guest.root.device: %s", forms);
	char *scratch = fmt("t.ini:10: guest.scratch.device: %s", forms);
	char *vol = fmt("t.ini:12: guest.volumes.data.device: %s", forms);
	expect_error(VOL "[guest.root]\nfilesystem = \"ext4\"\n"   /* 8-9 */
		     "[guest.scratch]\nwait_seconds = 1\n"         /* 10-11 */
		     "[guest.volumes.data]\nwait_seconds = 1\n",   /* 12-13 */
		     root, scratch, vol);
	free(root);
	free(scratch);
	free(vol);
}

/* ==== wait_seconds ==== */

Test(storage_wait, default_and_bounds)
{
	struct spec *s = load_ok(VOL
		"[guest.root]\ndevice = \"serial:root\"\nfilesystem = \"ext4\"\n"
		"[guest.scratch]\ndevice = \"serial:scratch\"\nwait_seconds = 0\n"
		"[guest.volumes.data]\ndevice = \"serial:data\"\nwait_seconds = 3600\n");
	cr_assert_eq(s->root.dev.wait, SPEC_WAIT_DEFAULT);
	cr_assert_eq(SPEC_WAIT_DEFAULT, 10);
	cr_assert_eq(s->scratch.dev.wait, 0);
	cr_assert_eq(s->vols[0].dev.wait, SPEC_WAIT_MAX);
	spec_free(s);
}

Test(storage_wait, out_of_range_and_wrong_type)
{
	expect_error(ROOT("/dev/vda", "wait_seconds = 3601\n"),
		     "t.ini:8: guest.root.wait_seconds: must be between 0 and 3600");
	expect_error(ROOT("/dev/vda", "wait_seconds = -1\n"),
		     "t.ini:8: guest.root.wait_seconds: must be between 0 and 3600");
	expect_error(ROOT("/dev/vda", "wait_seconds = \"10\"\n"),
		     "t.ini:8: guest.root.wait_seconds: must be an integer, not a string");
	expect_error(ROOT("/dev/vda", "wait_seconds = 1.5\n"),
		     "t.ini:8: guest.root.wait_seconds: must be an integer, not a float");
}

/* ==== [guest.root]: filesystem, tmpfs_size, writable ==== */

Test(storage_root, absent_means_initramfs)
{
	struct spec *s = load_ok(BASE);
	cr_assert_eq(s->root.dev.kind, SPEC_LOC_NONE);
	cr_assert_eq(s->scratch.dev.kind, SPEC_LOC_NONE);
	cr_assert_null(s->root.tmpfs_size);
	cr_assert_eq(s->root.writable.set, 0);
	spec_free(s);
}

Test(storage_root, filesystems)
{
	static const char *const names[] = { "ext4", "squashfs", "erofs" };
	static const enum spec_fs fs[] = { SPEC_FS_EXT4, SPEC_FS_SQUASHFS, SPEC_FS_EROFS };
	for (size_t i = 0; i < 3; i++) {
		char *t = fmt(BASE "[guest.root]\ndevice = \"/dev/vda\"\nfilesystem = \"%s\"\n", names[i]);
		struct spec *s = load_ok(t);
		cr_assert_eq(s->root.fs, fs[i], "%s", names[i]);
		cr_assert_str_eq(spec_fs_name(fs[i]), names[i]);
		spec_free(s);
		free(t);
	}
}

Test(storage_root, filesystem_required_and_checked)
{
	expect_error(BASE "[guest.root]\ndevice = \"/dev/vda\"\n",
		     "t.ini:5: guest.root.filesystem: required: \"ext4\", \"squashfs\" or \"erofs\"");
	expect_error(BASE "[guest.root]\ndevice = \"/dev/vda\"\nfilesystem = \"xfs\"\n",
		     "t.ini:7: guest.root.filesystem: \"xfs\" is not allowed: use \"ext4\", \"squashfs\" or \"erofs\"");
}

Test(storage_root, tmpfs_size_default_and_given)
{
	struct spec *s = load_ok(ROOT("/dev/vda", ""));
	cr_assert_str_eq(s->root.tmpfs_size, "256Mi");
	cr_assert_eq(s->root.tmpfs_bytes, 268435456ull);
	spec_free(s);
	s = load_ok(ROOT("/dev/vda", "tmpfs_size = \"2Gi\"\n"));
	cr_assert_str_eq(s->root.tmpfs_size, "2Gi");
	cr_assert_eq(s->root.tmpfs_bytes, 2ull << 30);
	spec_free(s);
	s = load_ok(ROOT("/dev/vda", "tmpfs_size = \"1Mi\"\n"));
	cr_assert_eq(s->root.tmpfs_bytes, 1ull << 20);
	spec_free(s);
}

Test(storage_root, tmpfs_size_errors)
{
	expect_error(ROOT("/dev/vda", "tmpfs_size = \"0Mi\"\n"),
		     "t.ini:8: guest.root.tmpfs_size: \"0Mi\" is less than the minimum 1Mi");
	expect_error(ROOT("/dev/vda", "tmpfs_size = \"512\"\n"),
		     "t.ini:8: guest.root.tmpfs_size: \"512\" is not a size");
	expect_error(ROOT("/dev/vda", "tmpfs_size = 256\n"),
		     "t.ini:8: guest.root.tmpfs_size: must be a string, not an integer");
}

Test(storage_root, writable)
{
	struct spec *s = load_ok(ROOT("/dev/vda", "writable = [\"/var/lib/app\", \"/tmp\", \"/system\", "
				      "\"/sys/../opt\", \"/devices\"]\n"));
	const char *const want[] = { "/var/lib/app", "/tmp", "/system", "/sys/../opt", "/devices", NULL };
	assert_strv(&s->root.writable, want);
	cr_assert_eq(s->root.writable.set, 1);
	spec_free(s);
	/* empty: the strict form with nothing writable at all */
	s = load_ok(ROOT("/dev/vda", "writable = []\n"));
	cr_assert_eq(s->root.writable.set, 1);
	cr_assert_eq(s->root.writable.n, 0);
	spec_free(s);
}

Test(storage_root, writable_errors)
{
	expect_error(ROOT("/dev/vda", "writable = [\"var/lib\"]\n"),
		     "t.ini:8: guest.root.writable: \"var/lib\" must be an absolute path");
	expect_error(ROOT("/dev/vda", "writable = [\"\"]\n"),
		     "t.ini:8: guest.root.writable: \"\" must be an absolute path");
	expect_error(ROOT("/dev/vda", "writable = [\"/\"]\n"),
		     "t.ini:8: guest.root.writable: \"/\" is the whole root");
	expect_error(ROOT("/dev/vda", "writable = [\"/a/..\"]\n"),
		     "t.ini:8: guest.root.writable: \"/a/..\" is the whole root");
	expect_error(ROOT("/dev/vda", "writable = [\"/proc\"]\n"),
		     "t.ini:8: guest.root.writable: \"/proc\" is not allowed: /proc is the kernel's");
	expect_error(ROOT("/dev/vda", "writable = [\"/sys/fs\"]\n"),
		     "t.ini:8: guest.root.writable: \"/sys/fs\" is not allowed: /sys is the kernel's");
	expect_error(ROOT("/dev/vda", "writable = [\"/x/../dev/shm\"]\n"),
		     "t.ini:8: guest.root.writable: \"/x/../dev/shm\" is not allowed: /dev is the kernel's");
	expect_error(ROOT("/dev/vda", "writable = \"/tmp\"\n"),
		     "t.ini:8: guest.root.writable: must be an array, not a string");
}

Test(storage_root, writable_unique_however_spelled)
{
	expect_error(ROOT("/dev/vda", "writable = [\"/a\", \"/b\", \"/a/\"]\n"),
		     "t.ini:8: guest.root.writable: \"/a/\" is given twice (also \"/a\")");
	expect_error(ROOT("/dev/vda", "writable = [\"/a/b/..\", \"/a\"]\n"),
		     "t.ini:8: guest.root.writable: \"/a\" is given twice (also \"/a/b/..\")");
	expect_error(ROOT("/dev/vda", "writable = [\"/tmp\", \"/tmp\", \"/tmp\"]\n"),
		     "t.ini:8: guest.root.writable: \"/tmp\" is given twice (also \"/tmp\")");
	expect_no_error(ROOT("/dev/vda", "writable = [\"/a\", \"/a/b\", \"/ab\"]\n"), "twice");
}

Test(storage_root, unknown_key)
{
	expect_error(ROOT("/dev/vda", "overlay = true\n"), "t.ini:8: guest.root.overlay: unknown key");
	expect_error(BASE "[guest.scratch]\ndevice = \"/dev/vdb\"\nfilesystem = \"ext4\"\n"
		     "[guest.root]\ndevice = \"/dev/vda\"\nfilesystem = \"ext4\"\n",
		     "t.ini:7: guest.scratch.filesystem: unknown key");
}

/* ==== the rules across the three sections ==== */

Test(storage_rules, a_disk_is_named_once)
{
	/* the later of the two, in file order, whichever sections they are */
	expect_error(VOL "[guest.volumes.data]\ndevice = \"serial:root\"\n"        /* 8-9 */
		     "[guest.root]\ndevice = \"serial:root\"\nfilesystem = \"ext4\"\n", /* 10-12 */
		     "t.ini:11: guest.root.device: \"serial:root\" is also guest.volumes.data.device: "
		     "a disk is named once");
	expect_error(ROOT("index:1", "[guest.scratch]\ndevice = \"index:1\"\n"),
		     "t.ini:9: guest.scratch.device: \"index:1\" is also guest.root.device");
	expect_error(VOL "[guest.scratch]\ndevice = \"/dev/vdb\"\n"
		     "[guest.root]\ndevice = \"/dev/vda\"\nfilesystem = \"ext4\"\n"
		     "[guest.volumes.data]\ndevice = \"/dev/vdb\"\n",
		     "t.ini:14: guest.volumes.data.device: \"/dev/vdb\" is also guest.scratch.device");
	expect_error(BASE "[volumes.0]\nname = \"a\"\nsize = \"1Gi\"\n[volumes.1]\nname = \"b\"\nsize = \"1Gi\"\n"
		     "[guest.volumes.b]\ndevice = \"serial:x\"\n[guest.volumes.a]\ndevice = \"serial:x\"\n",
		     "t.ini:14: guest.volumes.a.device: \"serial:x\" is also guest.volumes.b.device");
}

Test(storage_rules, different_texts_are_different_disks)
{
	/* which disk a serial or an index is, only the guest can tell */
	struct spec *s = load_ok(VOL "[guest.root]\ndevice = \"index:0\"\nfilesystem = \"ext4\"\n"
				 "[guest.scratch]\ndevice = \"/dev/vda\"\n"
				 "[guest.volumes.data]\ndevice = \"serial:vda\"\n");
	spec_free(s);
}

Test(storage_rules, scratch_needs_root)
{
	expect_error(BASE "[guest.scratch]\ndevice = \"serial:scratch\"\n",
		     "t.ini:5: guest.scratch: needs [guest.root]: the scratch disk holds the root file "
		     "system's writes");
	/* a root with errors still counts as given: one error is enough */
	expect_no_error(BASE "[guest.scratch]\ndevice = \"serial:scratch\"\n[guest.root]\ndevice = \"x\"\n"
			"filesystem = \"ext4\"\n", "needs [guest.root]");
}

Test(storage_rules, volume_device_undeclared_is_freed)
{
	/* the device of an undeclared volume is read, checked and dropped (ASan: no leak) */
	expect_error(BASE "[guest.volumes.cache]\ndevice = \"serial:cache\"\nwait_seconds = 99999\n",
		     "t.ini:5: guest.volumes.cache: \"cache\" is not a declared volume",
		     "t.ini:7: guest.volumes.cache.wait_seconds: must be between 0 and 3600");
}

/* ==== canonical form ==== */

/* Sections in the file in the "wrong" order; printed [guest], [guest.image],
 * [guest.root], [guest.scratch], [guest.volumes.*] by name, every default
 * written out. */
Test(storage_canonical, golden_tail)
{
	struct spec *s = load_ok(BASE
		"[volumes.0]\nname = \"zeta\"\nsize = \"1Gi\"\n"
		"[volumes.1]\nname = \"alpha\"\nsize = \"1Gi\"\n"
		"[guest.volumes.zeta]\ndevice = \"serial:zeta\"\nwait_seconds = 30\n"
		"[guest.volumes.alpha]\ndevice = \"index:2\"\n"
		"[guest.scratch]\ndevice = \"serial:scratch\"\n"
		"[guest.root]\nwritable = [\"/var/lib/app\", \"/tmp\"]\nfilesystem = \"squashfs\"\n"
		"device = \"serial:root\"\n"
		"[guest.image]\ncmd = [\"x\"]\n"
		"[guest]\nhostname = \"h\"\n");
	char *out = unit_print(s);
	const char *tail =
		"\n[guest]\nhostname = \"h\"\nhalt = \"poweroff\"\nstop_timeout_seconds = 10\n"
		"restart_backoff_max_seconds = 300\nrestart_reset_seconds = 60\n"
		"\n[guest.image]\ncmd = [ \"x\" ]\n"
		"\n[guest.root]\ndevice = \"serial:root\"\nfilesystem = \"squashfs\"\nwait_seconds = 10\n"
		"writable = [ \"/var/lib/app\", \"/tmp\" ]\ntmpfs_size = \"256Mi\"\n"
		"\n[guest.scratch]\ndevice = \"serial:scratch\"\nwait_seconds = 10\n"
		"\n[guest.volumes.alpha]\ndevice = \"index:2\"\nwait_seconds = 10\n"
		"\n[guest.volumes.zeta]\ndevice = \"serial:zeta\"\nwait_seconds = 30\n";
	size_t n = strlen(out), t = strlen(tail);
	cr_assert(n >= t && !strcmp(out + n - t, tail), "canonical form ends:\n%s\n--- want:\n%s",
		  n >= t ? out + n - t : out, tail);
	free(out);
	spec_free(s);
}

Test(storage_canonical, writable_only_when_given)
{
	struct spec *s = load_ok(ROOT("/dev/vda", ""));
	char *out = unit_print(s);
	cr_assert_null(strstr(out, "writable"), "%s", out);
	cr_assert(strstr(out, "\n[guest.root]\ndevice = \"/dev/vda\"\nfilesystem = \"ext4\"\n"
			      "wait_seconds = 10\ntmpfs_size = \"256Mi\"\n"), "%s", out);
	cr_assert_null(strstr(out, "[guest.scratch]"), "%s", out);
	free(out);
	spec_free(s);
	s = load_ok(ROOT("/dev/vda", "writable = []\n"));
	out = unit_print(s);
	cr_assert(strstr(out, "\nwritable = [ ]\n"), "%s", out);
	free(out);
	spec_free(s);
}

Test(storage_canonical, no_storage_sections_without_them)
{
	struct spec *s = load_ok(BASE);
	char *out = unit_print(s);
	cr_assert_null(strstr(out, "[guest.root]"), "%s", out);
	cr_assert_null(strstr(out, "[guest.scratch]"), "%s", out);
	cr_assert_null(strstr(out, "wait_seconds"), "%s", out);
	free(out);
	spec_free(s);
}

Test(storage_canonical, round_trip)
{
	struct spec *s0 = load_ok(VOL
		"[guest.root]\ndevice = \"/dev/vda\"\nfilesystem = \"erofs\"\nwait_seconds = 0\n"
		"writable = [\"/a/./b/\", \"/c\"]\ntmpfs_size = \"1Gi\"\n"
		"[guest.scratch]\ndevice = \"index:255\"\nwait_seconds = 3600\n"
		"[guest.volumes.data]\ndevice = \"serial:a.b_c-D\"\n");
	char *p1 = unit_print(s0);
	struct spec *s1 = load_ok(p1);
	char *p2 = unit_print(s1);
	cr_assert_str_eq(p2, p1);
	cr_assert_eq(s1->root.dev.kind, SPEC_LOC_PATH);
	cr_assert_eq(s1->root.fs, SPEC_FS_EROFS);
	cr_assert_eq(s1->root.dev.wait, 0);
	cr_assert_eq(s1->root.tmpfs_bytes, 1ull << 30);
	cr_assert_str_eq(s1->root.writable.v[0], "/a/./b/");   /* as written */
	cr_assert_eq(s1->scratch.dev.kind, SPEC_LOC_INDEX);
	cr_assert_eq(s1->scratch.dev.index, 255);
	cr_assert_eq(s1->scratch.dev.wait, 3600);
	cr_assert_str_eq(s1->vols[0].dev.value, "a.b_c-D");
	spec_free(s0);
	spec_free(s1);
	free(p1);
	free(p2);
}
