/* path.c - mkdir -p, "is it mounted" and the way beneath PID 1's read-only
 * kernel files (path.h). The two fds are the one state: set once by PID 1
 * before its first start, read by the writers after. */
#include "path.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int path_mkdirs(const char *path, mode_t mode)
{
	char buf[4096];
	size_t n = strlen(path);
	if (n == 0 || n >= sizeof(buf))
		return errno = ENAMETOOLONG, -1;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1;; p++) {
		if (*p == '/' || !*p) {
			char c = *p;
			*p = '\0';
			if (mkdir(buf, mode) < 0 && errno != EEXIST)
				return -1;
			*p = c;
			if (!c)
				break;
		}
	}
	return 0;
}

int path_is_mountpoint(const char *path)
{
	struct stat a, b;
	char parent[4200];
	snprintf(parent, sizeof(parent), "%s/..", path);
	return stat(path, &a) == 0 && stat(parent, &b) == 0 && (a.st_dev != b.st_dev || a.st_ino == b.st_ino);
}

static int path_sys_fd = -1, path_proc_sys_fd = -1;

void path_kernel_fds(int sys_fd, int proc_sys_fd)
{
	path_sys_fd = sys_fd;
	path_proc_sys_fd = proc_sys_fd;
}

const char *path_kernel(const char *path, char *buf, size_t len)
{
	static const struct { const char *dir; size_t n; } under[] = { { "/sys/", 5 }, { "/proc/sys/", 10 } };
	int fds[] = { path_sys_fd, path_proc_sys_fd };
	for (size_t k = 0; k < 2; k++) {
		int n;
		if (fds[k] < 0 || strncmp(path, under[k].dir, under[k].n))
			continue;
		n = snprintf(buf, len, "/proc/self/fd/%d/%s", fds[k], path + under[k].n);
		return n > 0 && (size_t)n < len ? buf : path;
	}
	return path;
}
