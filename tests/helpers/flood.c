/* flood SECONDS [COUNTFILE [STOPFILE]]: write numbered lines to stdout as
 * fast as the pipe takes them, for SECONDS or until STOPFILE exists, then
 * write how many to COUNTFILE (and stderr) and exit 0. It only finishes if
 * PID 1 keeps draining the pipe. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 3;
	const char *stop = argc > 3 ? argv[3] : NULL;
	struct timespec t0, t;
	unsigned long n = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		for (int i = 0; i < 1000; i++)
			printf("flood line %lu xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n", n++);
		if (stop && access(stop, F_OK) == 0)
			break;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9 >= secs)
			break;
	}
	fflush(stdout);
	fprintf(stderr, "flood wrote %lu lines\n", n);
	if (argc > 2) {
		FILE *f = fopen(argv[2], "w");
		if (f) {
			fprintf(f, "%lu\n", n);
			fclose(f);
		}
	}
	return 0;
}
