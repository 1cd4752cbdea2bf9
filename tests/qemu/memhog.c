/* memhog - guest-side helper of tests/qemu/t-resources.sh.
 *
 *   memhog MiB     touch MiB mebibytes, one at a time, saying how far it got
 *                  every 4, then hold them: the cgroup's limit, or the VM's
 *                  memory, stops it.
 *   memhog --fork  fork children that pause, forever; when a fork fails,
 *                  say so once with the count, and keep trying every 10 ms:
 *                  the fork bomb a pids bound must contain.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static _Noreturn void bomb(void)
{
	long children = 0;
	int said = 0;
	for (;;) {
		pid_t pid = fork();
		if (pid == 0) {
			for (;;)
				pause();
		}
		if (pid > 0) {
			children++;
			continue;
		}
		if (!said) {
			printf("fork failed after %ld children: %s\n", children, strerror(errno));
			fflush(stdout);
			said = 1;
		}
		usleep(10000);
	}
}

int main(int argc, char **argv)
{
	long want;
	if (argc > 1 && !strcmp(argv[1], "--fork"))
		bomb();
	want = argc > 1 ? strtol(argv[1], NULL, 10) : 0;
	for (long i = 1; i <= want; i++) {
		char *p = malloc(1 << 20);
		if (!p) {
			printf("malloc failed at %ld MiB\n", i);
			return 1;
		}
		memset(p, (int)i, 1 << 20);
		if (i % 4 == 0) {
			printf("touched %ld MiB\n", i);
			fflush(stdout);
		}
	}
	printf("holding %ld MiB\n", want);
	fflush(stdout);
	for (;;)
		pause();
}
