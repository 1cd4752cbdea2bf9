/* boot.c - mounts, loopback, hostname and the kernel command line.
 *
 * Runs once, before the event loop. Tolerant by design: something already
 * mounted is left as it is (a container runtime or the initramfs may have done
 * it), and a failure is logged and boot goes on: PID 1 must come up.
 */
#include "boot.h"
#include "base/console.h"
#include "base/path.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

int boot_std_fds(void)
{
	int closed = 0;
	for (int fd = 0; fd < 3; fd++) {
		int nfd;
		if (fcntl(fd, F_GETFD) >= 0)
			continue;
		nfd = open("/dev/console", O_RDWR | O_NOCTTY);
		if (nfd < 0)
			nfd = open("/dev/null", O_RDWR);
		if (nfd < 0)
			closed++;
		if (nfd >= 0 && nfd != fd) {
			dup2(nfd, fd);
			close(nfd);
		}
	}
	return closed;
}

int boot_disable_cad(void)
{
	return reboot(RB_DISABLE_CAD) < 0 && errno == EINVAL;
}

struct mnt {
	const char *src, *target, *type;
	unsigned long flags;
	const char *data;
	mode_t mode;
};

static const struct mnt mounts[] = {
	{ "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0555 },
	{ "sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0555 },
	{ "devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755", 0755 },
	{ "devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "mode=0620,ptmxmode=0666", 0755 },
	{ "shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777", 01777 },
	{ "run", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755", 0755 },
	{ "tmp", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777", 01777 },
	{ "cgroup2", "/sys/fs/cgroup", "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0555 },
};

/* statx(2)'s struct (linux/stat.h, whose S_IF* clash with libc's): only
 * the attributes are read. */
struct boot_statx {
	uint32_t mask, blksize;
	uint64_t attributes;
	uint32_t nlink, uid, gid;
	uint16_t mode, spare0;
	uint64_t ino, size, blocks, attributes_mask;
	unsigned char rest[256 - 64];
};
#define BOOT_STATX_ATTR_MOUNT_ROOT 0x2000

/* 1 if path is a mount point, 0 if not, -1 (errno) if it is not there.
 * One statx (Linux 5.8) instead of a stat of it and of its parent. */
static int is_mount_root(const char *path)
{
	struct boot_statx sx;
	if (syscall(SYS_statx, AT_FDCWD, path, 0, 0, &sx) < 0) {
		if (errno != ENOSYS)
			return -1;
	} else if (sx.attributes_mask & BOOT_STATX_ATTR_MOUNT_ROOT) {
		return !!(sx.attributes & BOOT_STATX_ATTR_MOUNT_ROOT);
	}
	if (access(path, F_OK) < 0)
		return -1;
	return path_is_mountpoint(path);
}

void boot_mounts(void)
{
	static const char *const links[][2] = {
		{ "/proc/self/fd", "/dev/fd" }, { "/proc/self/fd/0", "/dev/stdin" },
		{ "/proc/self/fd/1", "/dev/stdout" }, { "/proc/self/fd/2", "/dev/stderr" },
	};
	for (size_t i = 0; i < sizeof(mounts) / sizeof(mounts[0]); i++) {
		const struct mnt *m = &mounts[i];
		int mounted = is_mount_root(m->target);
		if (mounted > 0)
			continue;
		/* Made only when missing: one call where a mkdir that fails with
		 * EEXIST and two stats were three. */
		if (mounted < 0 && mkdir(m->target, m->mode) < 0 && errno != EEXIST) {
			log_warn("mkdir %s: %s", m->target, strerror(errno));
			continue;
		}
		if (mount(m->src, m->target, m->type, m->flags, m->data) < 0)
			log_warn("mount %s on %s: %s", m->type, m->target, strerror(errno));
	}
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		if (symlink(links[i][0], links[i][1]) < 0 && errno != EEXIST)
			log_warn("symlink %s: %s", links[i][1], strerror(errno));
}

int boot_loopback_up(void)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int rc = -1;
	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		rc = 0;
		if (!(ifr.ifr_flags & IFF_UP)) {
			ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
			rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
		}
	}
	close(fd);
	return rc;
}

int boot_set_hostname(const char *name)
{
	return sethostname(name, strlen(name));
}

int boot_cmdline_get(const char *cmdline, const char *key, char *buf, size_t len)
{
	char text[4096];
	size_t klen = strlen(key);
	const char *p;

	if (!cmdline) {
		int fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
		ssize_t n;
		if (fd < 0)
			return -1;
		n = read(fd, text, sizeof(text) - 1);
		close(fd);
		if (n < 0)
			return -1;
		text[n] = '\0';
		cmdline = text;
	}
	p = cmdline;
	while (*p) {
		const char *start;
		int quoted = 0;
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		start = p;
		while (*p && (quoted || (*p != ' ' && *p != '\t' && *p != '\n'))) {
			if (*p == '"')
				quoted = !quoted;
			p++;
		}
		if (*start == '"')
			start++;   /* "key=value with spaces": the kernel allows it too */
		if ((size_t)(p - start) > klen && !strncmp(start, key, klen) && start[klen] == '=') {
			size_t n = 0;
			for (const char *q = start + klen + 1; q < p; q++)
				if (*q != '"' && n + 1 < len)
					buf[n++] = *q;
			buf[n] = '\0';
			return 0;
		}
	}
	return -1;
}
