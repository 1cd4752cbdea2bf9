/* fuzz_user.c - libFuzzer target for the passwd and group readers
 * (supervisor/user.c): `make fuzz`.
 *
 * The input is an image's /etc/passwd, then after the first 0xff byte its
 * /etc/group (none without one), written into a root of our own; each user
 * spec below is resolved in it, and the HOME of a few uids looked up, as a
 * child (and PID 1, for a user's secrets) does. Then these must hold, or we
 * abort:
 *
 * - user_resolve returns 0 or -1; on -1 its error is one non-empty line;
 * - a numeric user with a numeric group always resolves, to those ids: no
 *   file is needed for it;
 * - on 0: 1..USER_MAX_GROUPS groups, the first the primary gid, no gid
 *   twice; a HOME that is a NUL-terminated, non-empty string;
 * - user_home gives a NUL-terminated, non-empty HOME within its buffer;
 * - the same files give the same answers twice;
 * - no leak (LeakSanitizer), no read outside a buffer (AddressSanitizer).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "supervisor/user.h"

#include "tests/fuzz/fuzz_check.h"

static char root[64];

static void put(const char *rel, const uint8_t *d, size_t n, int present)
{
	char path[128];
	int fd;
	snprintf(path, sizeof(path), "%s%s", root, rel);
	unlink(path);
	if (!present)
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0, "open %s: %s", path, strerror(errno));
	CHECK(n == 0 || write(fd, d, n) == (ssize_t)n, "write %s", path);
	close(fd);
}

static void check_user(const char *spec, int numeric, unsigned uid, unsigned gid)
{
	struct user_info u, again;
	char err[256], err2[256];
	int r, r2;
	memset(err, 'x', sizeof(err));
	r = user_resolve(root, spec, &u, err, sizeof(err));
	CHECK(r == 0 || r == -1, "%s: returned %d", spec, r);
	if (r < 0) {
		CHECK(memchr(err, '\0', sizeof(err)) && err[0] && !strchr(err, '\n'), "%s: error", spec);
		CHECK(!numeric, "%s: a numeric user:group failed: %s", spec, err);
	} else {
		CHECK(u.ngroups >= 1 && u.ngroups <= USER_MAX_GROUPS, "%s: %zu groups", spec, u.ngroups);
		CHECK(u.groups[0] == u.gid, "%s: first group %u, gid %u", spec, (unsigned)u.groups[0],
		      (unsigned)u.gid);
		for (size_t i = 0; i < u.ngroups; i++)
			for (size_t j = i + 1; j < u.ngroups; j++)
				CHECK(u.groups[i] != u.groups[j], "%s: gid %u twice", spec,
				      (unsigned)u.groups[i]);
		CHECK(memchr(u.home, '\0', sizeof(u.home)) && u.home[0], "%s: home", spec);
		if (numeric)
			CHECK(u.uid == uid && u.gid == gid, "%s: %u:%u", spec, (unsigned)u.uid,
			      (unsigned)u.gid);
	}
	r2 = user_resolve(root, spec, &again, err2, sizeof(err2));
	CHECK(r2 == r, "%s: %d then %d", spec, r, r2);
	if (r == 0)
		CHECK(again.uid == u.uid && again.gid == u.gid && again.ngroups == u.ngroups &&
		      !memcmp(again.groups, u.groups, u.ngroups * sizeof(gid_t)) &&
		      !strcmp(again.home, u.home), "%s: another answer the second time", spec);
	else
		CHECK(!strcmp(err, err2), "%s: '%s' then '%s'", spec, err, err2);
}

static void check_home(uid_t uid)
{
	char home[32], again[32];
	memset(home, 'x', sizeof(home));
	user_home(root, uid, home, sizeof(home));
	CHECK(memchr(home, '\0', sizeof(home)) && home[0], "home of %u", (unsigned)uid);
	user_home(root, uid, again, sizeof(again));
	CHECK(!strcmp(home, again), "home of %u: '%s' then '%s'", (unsigned)uid, home, again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "root", "alice", "nobody:nogroup", "alice:users",
					     "daemon:0", "0:wheel", "bob" };
	const uint8_t *sep = memchr(data, 0xff, size);
	size_t npw = sep ? (size_t)(sep - data) : size;
	if (!root[0]) {
		char dir[128];
		snprintf(root, sizeof(root), "/tmp/vminit-fuzz-user-XXXXXX");
		CHECK(mkdtemp(root), "mkdtemp: %s", strerror(errno));
		snprintf(dir, sizeof(dir), "%s/etc", root);
		CHECK(mkdir(dir, 0755) == 0, "mkdir %s", dir);
	}
	put("/etc/passwd", data, npw, 1);
	put("/etc/group", sep ? sep + 1 : NULL, sep ? size - npw - 1 : 0, sep != NULL);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		check_user(names[i], 0, 0, 0);
	check_user("0", 0, 0, 0);
	check_user("1000", 0, 0, 0);
	check_user("1000:5", 1, 1000, 5);
	check_user("0:0", 1, 0, 0);
	check_home(0);
	check_home(1000);
	check_home(65534);
	return 0;
}
