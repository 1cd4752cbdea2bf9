/* output.h - a process's stdout/stderr pipe, read by PID 1 and written to the
 * console line by line with the process name in front.
 *
 * PID 1 keeps draining the pipe so a process never blocks on its output;
 * each process has a line budget (a token bucket), and lines over it are
 * dropped and counted, with a notice once lines flow again. Nothing here waits.
 */
#ifndef VMINIT_OUTPUT_H
#define VMINIT_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#include "base/console.h"
#include "base/loop.h"

#define RATE_BURST_LINES 10000u   /* a process may print this many at once */
#define RATE_LINES_PER_SEC 1000u  /* and this many per second after that */
#define OUTPUT_READ_BUDGET (64u * 1024u)  /* bytes per wake-up, for fairness */

struct ratelimit {
	uint64_t tokens_milli;   /* tokens x 1000 */
	uint64_t last_ns;
	uint64_t pending_drops;  /* since the last notice */
	uint64_t dropped;        /* total */
};

void ratelimit_init(struct ratelimit *r, uint64_t now_ns);
/* 1: the line may go out; 0: drop it (counted). */
int ratelimit_take(struct ratelimit *r, uint64_t now_ns);

struct output {
	struct loop_io io;
	int rfd, wfd;            /* PID 1 keeps wfd: no EOF, no SIGPIPE for writers */
	const char *prefix;
	struct ratelimit *rate;
	char line[CONSOLE_LINE_MAX];
	size_t len;
	uint64_t lines;
	/* Also called with every line that goes to the console. */
	void (*tap)(void *ctx, int stream, const char *line, size_t len);
	void *tap_ctx;
	/* Also called with the count whenever dropped lines are announced. */
	void (*drop_tap)(void *ctx, uint64_t n);
	int stream;
};

/* Split a chunk of bytes into lines; calls emit for each complete line and
 * keeps the rest. A line longer than CONSOLE_LINE_MAX is emitted in pieces. */
void output_feed(struct output *o, const char *data, size_t n,
		 void (*emit)(struct output *o, const char *line, size_t len));

int output_open(struct output *o, struct loop *l, const char *prefix, struct ratelimit *rate);
/* Read what is in the pipe now (a process just exited: print its last words
 * before the exit notice), then emit a partial last line. */
void output_drain(struct output *o);
void output_close(struct output *o, struct loop *l);

#endif
