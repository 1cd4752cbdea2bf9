/* lines N [DONEFILE]: write N numbered lines ("line 0000000") to stdout, one
 * write(2) each, then create DONEFILE. It finishes only as fast as whoever
 * reads the pipe lets it: a PID 1 that holds the pipe holds it. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 0;
	char buf[32];
	for (long i = 0; i < n; i++) {
		int len = snprintf(buf, sizeof(buf), "line %07ld\n", i);
		if (write(1, buf, (size_t)len) != len)
			return 1;
	}
	if (argc > 2)
		close(open(argv[2], O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	return 0;
}
