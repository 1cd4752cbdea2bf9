/* sigign SIG... -- CMD ARGS...: run CMD with the given signals ignored, set
 * through the raw syscall so even libc-reserved ones (32, 33) can be. Shows
 * that vminit resets what it inherits, whatever environment starts it. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

struct kernel_sigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	unsigned long mask;
};

int main(int argc, char **argv)
{
	struct kernel_sigaction ksa = { .handler = SIG_IGN };
	int i;
	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (syscall(SYS_rt_sigaction, atoi(argv[i]), &ksa, NULL, sizeof(ksa.mask)) < 0)
			perror(argv[i]);
	if (i + 1 >= argc) {
		fprintf(stderr, "usage: sigign SIG... -- CMD ARGS...\n");
		return 2;
	}
	execvp(argv[i + 1], argv + i + 1);
	perror(argv[i + 1]);
	return 127;
}
