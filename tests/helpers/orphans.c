/* orphans N [DONEFILE]: make N orphans as fast as possible. Each child forks
 * a grandchild and exits at once, so the grandchild is re-parented to the
 * reaper (PID 1 or a subreaper); the grandchild exits after a moment. Writes
 * DONEFILE when all N are made, then exits 0. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1000;
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			if (fork() == 0) {
				struct timespec ts = { 0, (i % 10) * 1000000L };
				nanosleep(&ts, NULL);
				_exit(0);
			}
			_exit(0);
		}
		waitpid(pid, NULL, 0);   /* reap the child; the grandchild is the orphan */
	}
	if (argc > 2) {
		int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0)
			close(fd);
	}
	printf("made %d orphans\n", n);
	return 0;
}
