/* privop OP...: try what a hostile workload would, and print how each went:
 * "OP: ok" or "OP: <strerror>". Ops: poweroff (reboot(2), CAP_SYS_BOOT: in
 * a PID namespace it ends the namespace's init), mount DIR (a tmpfs,
 * CAP_SYS_ADMIN), read FILE (its first byte: /proc/1/mem or /proc/1/environ
 * need CAP_SYS_PTRACE against a PID 1 with more capabilities), settime (the
 * clock set to what it reads, CAP_SYS_TIME), rewrite FILE (what it holds,
 * written back: opening it for writing is the test; the value never
 * changes). Exits 0 either way. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <time.h>
#include <unistd.h>

static void report(const char *op, int rc)
{
	printf("%s: %s\n", op, rc == 0 ? "ok" : strerror(errno));
	fflush(stdout);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "poweroff")) {
			sync();
			report("poweroff", reboot(RB_POWER_OFF));
		} else if (!strcmp(argv[i], "mount") && i + 1 < argc) {
			report("mount", mount("none", argv[++i], "tmpfs", 0, NULL));
		} else if (!strcmp(argv[i], "read") && i + 1 < argc) {
			char c;
			int fd = open(argv[++i], O_RDONLY);
			report("read", fd < 0 || read(fd, &c, 1) < 0 ? -1 : 0);
		} else if (!strcmp(argv[i], "settime")) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			report("settime", clock_settime(CLOCK_REALTIME, &ts));
		} else if (!strcmp(argv[i], "rewrite") && i + 1 < argc) {
			char buf[256];
			const char *path = argv[++i];
			int fd = open(path, O_RDONLY);
			ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;
			if (fd >= 0)
				close(fd);
			fd = n > 0 ? open(path, O_WRONLY) : -1;
			printf("rewrite %s: %s\n", path, fd >= 0 && write(fd, buf, (size_t)n) == n ? "ok" : strerror(errno));
			fflush(stdout);
			if (fd >= 0)
				close(fd);
		} else {
			printf("%s: unknown op\n", argv[i]);
		}
	}
	return 0;
}
