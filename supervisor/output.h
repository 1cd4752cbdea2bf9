/* output.h - a process's stdout/stderr pipe, read by PID 1 and split into
 * lines (docs/logs.md: the path of a line).
 *
 * Every line goes to the tap (the host's log ring). The console gets a line
 * only within the process's console budget (a token bucket): lines over it
 * are dropped from the console and counted, with a notice once lines flow
 * again. PID 1 reads the pipe only while the tap has room (the room hook):
 * with none, the pipe is not polled (held) until output_resume(), and the
 * writer blocks on its full pipe as on a terminal. Nothing here waits.
 */
#ifndef VMINIT_OUTPUT_H
#define VMINIT_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#include "base/console.h"
#include "base/loop.h"

#define RATE_BURST_LINES 10000u   /* a process may print this many at once */
#define RATE_LINES_PER_SEC 1000u  /* and this many per second after that */
/* ... and no more bytes than these (a line costs its length + 1): the console
 * is a serial line, and its ring holds CONSOLE_RING_SIZE at once. */
#define RATE_BURST_BYTES (256u * 1024u)
#define RATE_BYTES_PER_SEC (64u * 1024u)
#define OUTPUT_READ_BUDGET (64u * 1024u)  /* bytes per wake-up, for fairness */
/* Less room than a whole read's bytes, or than this many lines: the pipe is
 * held (not read) till the tap has room again. */
#define OUTPUT_READ_MIN_LINES 4096u
/* A flood of small writes: the pipe left unpolled this long after it was
 * emptied, while each such gather finds at least OUTPUT_GATHER_MIN bytes. */
#define OUTPUT_GATHER_NS (250u * 1000u)
#define OUTPUT_GATHER_MIN 1024u

struct ratelimit {
	uint64_t tokens_milli;   /* lines x 1000 */
	uint64_t last_ns;
	uint64_t bytes_milli;    /* bytes x 1000 */
	uint64_t bytes_last_ns;
	uint64_t pending_drops;  /* since the last notice */
	uint64_t dropped;        /* total */
};

void ratelimit_init(struct ratelimit *r, uint64_t now_ns);
/* 1: a line of len bytes may go out; 0: drop it (counted). */
int ratelimit_take(struct ratelimit *r, uint64_t now_ns, size_t len);

struct output {
	struct loop_io io;
	struct loop *loop;
	int rfd, wfd;            /* PID 1 keeps wfd: no EOF, no SIGPIPE for writers */
	const char *prefix;
	struct ratelimit *rate;  /* the console's budget, not the tap's */
	char line[CONSOLE_LINE_MAX];
	size_t len;
	int line_plain;          /* every byte of line[0..len) is plain */
	int plain;               /* the line being emitted is (the tap's plain) */
	/* Called with every line, whether the console took it or not;
	 * plain: 1 only when no byte of it is below 0x20, over 0x7f, '"' or
	 * '\\' (its JSON is the bytes as they are; 0 says nothing). */
	void (*tap)(void *ctx, int stream, const char *line, size_t len, int plain);
	/* How many pipe bytes may be read now (n bytes make lines of at
	 * most n + CONSOLE_LINE_MAX bytes), and in *lines how many lines the
	 * tap can take (one kept for a partial line); NULL: no limit. */
	size_t (*room)(void *ctx, size_t *lines);
	/* Bytes read that the tap had no line for: fed before the pipe is
	 * read again (OUTPUT_READ_BUDGET bytes, only while there are some). */
	char *spill;
	size_t spill_len;
	struct loop_timer spill_timer;  /* the spill fed after a resume */
	void *tap_ctx;           /* given to both */
	int stream;
	int held;                /* not polled until output_resume() */
	int gathering;           /* not polled until the gather timer */
	struct loop_timer gather;
	uint64_t emptied_ns;     /* when a read last emptied the pipe */
	int last_words;          /* ended while held: a partial line is due */
	uint64_t now_ns;         /* the read's time: one clock read a read, not a line */
};

/* Split a chunk of bytes into lines; calls emit for each complete line and
 * keeps the rest. A line longer than CONSOLE_LINE_MAX is emitted in pieces. */
void output_feed(struct output *o, const char *data, size_t n,
		 void (*emit)(struct output *o, const char *line, size_t len));
/* output_feed, emitting at most max lines (pieces): the bytes taken, all of
 * data[0..n) unless it stopped before line max + 1. */
size_t output_feed_max(struct output *o, const char *data, size_t n, size_t max,
		       void (*emit)(struct output *o, const char *line, size_t len));
/* Enough room to read: a whole read's bytes and OUTPUT_READ_MIN_LINES. */
static inline int output_room_ok(size_t bytes, size_t lines)
{
	return bytes >= OUTPUT_READ_BUDGET && lines >= OUTPUT_READ_MIN_LINES;
}

int output_open(struct output *o, struct loop *l, const char *prefix, struct ratelimit *rate);
/* Read what is in the pipe now (a process just exited: print its last words
 * before the exit notice), then emit a partial last line. While the tap has
 * no room, what is left is read (and the partial line emitted) later. */
void output_drain(struct output *o);
/* The tap has room again: poll a held pipe. */
void output_resume(struct output *o);
void output_close(struct output *o, struct loop *l);

#endif
