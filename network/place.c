/* place.c - resolv.conf and hosts put where the root allows (place.h).
 *
 * Invariants: a file is written whole before anyone can see it (a temp file
 * renamed, or a fresh file bound once written); nothing is ever bound over a
 * path that is not a regular file, so a directory or a missing file of the
 * image is reported, never papered over.
 */
#include "place.h"
#include "base/path.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

/* buf into path, made or truncated: 0, or -1 with errno. A regular file
 * takes a write whole but for a full disk (no signal interrupts it). */
static int write_whole(const char *path, const char *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	ssize_t w;
	if (fd < 0)
		return -1;
	w = write(fd, buf, len);
	if (w >= 0 && (size_t)w < len)
		errno = ENOSPC;
	close(fd);
	return w >= 0 && (size_t)w == len ? 0 : -1;
}

int net_place_file(const char *etc, const char *run, const char *name, const char *buf, size_t len,
		   char *where, size_t wlen, char *err, size_t elen)
{
	char tmp[256], dst[256], src[256];
	struct stat st;
	snprintf(dst, sizeof(dst), "%s/%s", etc, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s.vminit", etc, name);
	if (write_whole(tmp, buf, len) == 0 && rename(tmp, dst) == 0) {
		snprintf(where, wlen, "%s", dst);
		return 0;
	}
	if (errno != EROFS) {
		snprintf(err, elen, "%s: %s", dst, strerror(errno));
		unlink(tmp);
		return -1;
	}
	/* A read-only root: bound over the image's own file. */
	snprintf(src, sizeof(src), "%s/%s", run, name);
	if (stat(dst, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, elen, "%s: the root is read-only and has no such file to bind over", dst);
		return -1;
	}
	if (path_mkdirs(run, 0755) < 0 || write_whole(src, buf, len) < 0 || mount(src, dst, NULL, MS_BIND, NULL) < 0) {
		snprintf(err, elen, "%s bound over %s: %s", src, dst, strerror(errno));
		return -1;
	}
	snprintf(where, wlen, "%s", src);
	return 0;
}
