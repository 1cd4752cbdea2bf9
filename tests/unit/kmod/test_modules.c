/* test_modules.c - the module list and its resolution (kmod/modules.c),
 * against a fake /lib/modules/RELEASE and a loader that records calls. */
#include "tests/unit/unit.h"
#include "kmod/modules.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];
static char calls[4096];
static const char *fail_path;   /* the loader's failure for this file */
static int fail_errno;

static void put(const char *name, const char *text)
{
	char path[256];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

/* Records "path[params];" with dir cut off. */
static int record(const char *path, const char *params, void *ctx)
{
	size_t n = strlen(dir);
	(void)ctx;
	if (!strncmp(path, dir, n))
		path += n + 1;
	snprintf(calls + strlen(calls), sizeof(calls) - strlen(calls), "%s%s%s;", path,
		 *params ? " " : "", params);
	if (fail_path && strstr(path, fail_path))
		return -fail_errno;
	return 0;
}

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/vminit-modules-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	calls[0] = '\0';
	fail_path = NULL;
	put("modules.dep",
	    "kernel/drivers/virtio/virtio_ring.ko:\n"
	    "kernel/drivers/virtio/virtio.ko: kernel/drivers/virtio/virtio_ring.ko\n"
	    "kernel/drivers/char/virtio_console.ko: kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko\n"
	    "kernel/net/vmw_vsock/vsock.ko:\n"
	    "kernel/net/vmw_vsock/vmw_vsock_virtio_transport_common.ko: kernel/net/vmw_vsock/vsock.ko\n"
	    "kernel/net/vmw_vsock/vsock_loopback.ko: kernel/net/vmw_vsock/vmw_vsock_virtio_transport_common.ko kernel/net/vmw_vsock/vsock.ko\n"
	    "kernel/fs/squashfs/squash-fs.ko.xz:\n");
	put("modules.builtin", "kernel/crypto/crc32c_generic.ko\nkernel/fs/ext4/ext4.ko\n");
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

static struct modules_report run(const char *list_text)
{
	struct modules_report r;
	char list[128];
	put("list", list_text);
	snprintf(list, sizeof(list), "%s/list", dir);
	modules_load_list(list, dir, record, NULL, &r);
	return r;
}

TestSuite(modules, .init = setup, .fini = teardown);

Test(modules, names_load_their_dependencies_first_and_each_file_once)
{
	struct modules_report r = run("virtio_console\nvsock_loopback\n");
	cr_assert_str_eq(calls,
			 "kernel/drivers/virtio/virtio_ring.ko;kernel/drivers/virtio/virtio.ko;"
			 "kernel/drivers/char/virtio_console.ko;"
			 "kernel/net/vmw_vsock/vsock.ko;kernel/net/vmw_vsock/vmw_vsock_virtio_transport_common.ko;"
			 "kernel/net/vmw_vsock/vsock_loopback.ko;");
	cr_assert_eq(r.present, 1);
	cr_assert_eq(r.loaded, 6);
	cr_assert_eq(r.failed, 0);
}

Test(modules, comments_blank_lines_params_dashes_and_paths)
{
	struct modules_report r = run("# the console\n\n  virtio-console  \n"
				      "vsock   a=1 b=\"x y\"\r\n"
				      "extra/mine.ko debug=1\n"
				      "/abs/other.ko\n");
	cr_assert_str_eq(calls,
			 "kernel/drivers/virtio/virtio_ring.ko;kernel/drivers/virtio/virtio.ko;"
			 "kernel/drivers/char/virtio_console.ko;"
			 "kernel/net/vmw_vsock/vsock.ko a=1 b=\"x y\";"
			 "extra/mine.ko debug=1;/abs/other.ko;");
	cr_assert_eq(r.loaded, 6);
}

Test(modules, builtin_already_loaded_and_failures_are_reported_not_fatal)
{
	struct modules_report r;
	fail_path = "virtio.ko";
	fail_errno = ENOEXEC;
	r = run("crc32c-generic\nnosuch\nvirtio_console\nsquash-fs\nvsock\n");
	cr_assert_eq(r.builtin, 1);
	/* nosuch; virtio.ko (and so virtio_console is still tried) */
	cr_assert_eq(r.failed, 2, "%u: %s", r.failed, calls);
	cr_assert_eq(r.nfail, 2);
	cr_assert_str_eq(r.fail[0].module, "nosuch");
	cr_assert(strstr(r.fail[0].error, "not found in"), "%s", r.fail[0].error);
	cr_assert_str_eq(r.fail[1].module, "virtio");
	cr_assert(strstr(r.fail[1].error, strerror(ENOEXEC)), "%s", r.fail[1].error);
	/* the compressed name resolves; vsock after the failures still loads */
	cr_assert(strstr(calls, "kernel/fs/squashfs/squash-fs.ko.xz;"), "%s", calls);
	cr_assert(strstr(calls, "kernel/net/vmw_vsock/vsock.ko;"), "%s", calls);
	cr_assert_eq(r.loaded, 4);   /* virtio_ring, virtio_console, squash-fs, vsock */
}

Test(modules, eexist_counts_as_already_loaded)
{
	struct modules_report r;
	fail_path = "vsock.ko";
	fail_errno = EEXIST;
	r = run("vsock\n");
	cr_assert_eq(r.already, 1);
	cr_assert_eq(r.failed, 0);
}

Test(modules, missing_list_is_not_an_error)
{
	struct modules_report r;
	modules_load_list("/nonexistent/list", dir, record, NULL, &r);
	cr_assert_eq(r.present, 0);
	cr_assert_eq(r.failed, 0);
	cr_assert_str_eq(calls, "");
}

Test(modules, missing_modules_dep_fails_each_name)
{
	struct modules_report r;
	char path[128];
	snprintf(path, sizeof(path), "%s/modules.dep", dir);
	unlink(path);
	r = run("vsock\nvirtio\n");
	cr_assert_eq(r.failed, 2);
	cr_assert(strstr(r.fail[0].error, "modules.dep"), "%s", r.fail[0].error);
}

Test(modules, bad_entries_long_lines_and_too_many_entries_are_bounded)
{
	static char big[MODULES_MAX_ENTRIES * 16 + 6000];
	struct modules_report r;
	size_t n = 0;
	n += (size_t)snprintf(big + n, sizeof(big) - n, "bad$name\n");
	memset(big + n, 'a', 5000);
	n += 5000;
	big[n++] = '\n';
	for (int i = 0; i < MODULES_MAX_ENTRIES + 5; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "x%d.ko\n", i);
	r = run(big);
	cr_assert(strstr(r.fail[0].error, "not a module name"), "%s", r.fail[0].error);
	cr_assert(strstr(r.fail[1].error, "over 4096 bytes"), "%s", r.fail[1].error);
	cr_assert(strstr(r.fail[2].error, "more than 256 modules"), "%s", r.fail[2].error);
	/* one bad name counts as an entry: 255 files are tried */
	cr_assert_eq(r.loaded, MODULES_MAX_ENTRIES - 1);
	cr_assert_eq(r.failed, 3);
}

Test(modules, failures_beyond_the_kept_ones_are_counted)
{
	static char list[4096];
	struct modules_report r;
	size_t n = 0;
	for (int i = 0; i < MODULES_MAX_FAILURES + 7; i++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "missing%d\n", i);
	r = run(list);
	cr_assert_eq(r.failed, MODULES_MAX_FAILURES + 7);
	cr_assert_eq(r.nfail, MODULES_MAX_FAILURES);
}

/* Debian's 6.12 kernels ship .ko.xz: the kernel decompresses it when asked. */
Test(modules, compressed_files_are_loaded_as_such)
{
	cr_assert_eq(modules_finit_flags("/lib/modules/6.12/kernel/net/vsock.ko.xz"), 4);
	cr_assert_eq(modules_finit_flags("/lib/modules/x/a.ko.zst"), 4);
	cr_assert_eq(modules_finit_flags("/lib/modules/x/a.ko.gz"), 4);
	cr_assert_eq(modules_finit_flags("/lib/modules/6.1/kernel/net/vsock.ko"), 0);
	cr_assert_eq(modules_finit_flags(".ko.xz"), 0);
	cr_assert_eq(modules_finit_flags("/x/a.xz"), 0);
}
