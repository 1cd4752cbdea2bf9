/* console.h - vminit's only output: line-oriented, non-blocking, bounded.
 *
 * Everything vminit prints and every line a process writes goes through
 * console_line(). Lines are queued in a fixed ring and written without ever
 * blocking PID 1; when the console cannot keep up, whole lines are dropped and
 * counted, and a notice with the count is printed once there is room again.
 */
#ifndef VMINIT_CONSOLE_H
#define VMINIT_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

struct loop;

#define CONSOLE_RING_SIZE (256u * 1024u)
#define CONSOLE_LINE_MAX  4096u   /* longer lines are split into several */

/* Use fd as the console (fd 1 as PID 1). Private non-blocking copy where the
 * file type allows it, so the caller's open file description is untouched. */
void console_init(int fd);
/* Start flushing from the loop (EPOLLOUT) instead of opportunistically. */
int console_attach(struct loop *l);
/* Queue one line: "<prefix> | <text>" or just "<text>" when prefix is NULL. */
void console_line(const char *prefix, const char *text, size_t len);
/* The same, told whether text is known to hold no NUL byte (a process's
 * line found plain as it was read: nothing to look for again). */
void console_text(const char *prefix, const char *text, size_t len, int no_nul);
/* 1: the lines that follow are written together, at console_batch(0) or
 * whenever CONSOLE_BATCH_BYTES (a quarter of the ring) wait, not with one
 * write(2) each. Batches nest: only the outermost one's 0 writes them (a 0
 * without a 1 does nothing). console_drain writes them at any depth. */
#define CONSOLE_BATCH_BYTES (CONSOLE_RING_SIZE / 4)
void console_batch(int on);
/* Write what is queued, waiting at most timeout_ms: only for the last words
 * before power-off, when the loop no longer runs. */
void console_drain(int timeout_ms);

struct console_stats {
	uint64_t lines;
	uint64_t bytes;
	uint64_t dropped_lines;
};
void console_get_stats(struct console_stats *ret);
/* The console's fd, for the fatal-signal handler's last words. */
int console_fd(void);

/* vminit's own messages, "vminit: ..." */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
