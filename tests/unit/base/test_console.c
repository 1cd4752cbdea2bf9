#include "tests/unit/unit.h"

/* test_console.c - the console (base/console.c): what reaches the terminal.
 * Each Criterion test runs in its own process, so console_init() on a pipe
 * here does not touch another test's console. */

#include <fcntl.h>
#include <unistd.h>

#include "base/console.h"

static int rfd = -1;

static void on_pipe(void)
{
	int p[2];
	cr_assert_eq(pipe(p), 0);
	rfd = p[0];
	console_init(p[1]);
	fcntl(rfd, F_SETFL, O_NONBLOCK);
}

static size_t read_all(char *buf, size_t cap)
{
	size_t n = 0;
	ssize_t r;
	while (n < cap && (r = read(rfd, buf + n, cap - n)) > 0)
		n += (size_t)r;
	return n;
}

Test(console, nul_bytes_are_shown_not_written)
{
	char buf[256];
	size_t n;
	struct console_stats st;
	on_pipe();
	console_line("web", "a\0b\0\0c", 6);
	console_line(NULL, "\0", 1);
	n = read_all(buf, sizeof(buf));
	cr_assert_eq(memchr(buf, '\0', n), NULL, "a NUL reached the console");
	cr_assert_eq(n, strlen("web | a^@b^@^@c\n^@\n"));
	cr_assert_eq(memcmp(buf, "web | a^@b^@^@c\n^@\n", n), 0, "%.*s", (int)n, buf);
	console_get_stats(&st);
	cr_assert_eq(st.lines, 2);
	cr_assert_eq(st.bytes, n, "bytes counts what was written");
}

Test(console, a_line_of_nuls_at_the_limit_still_fits)
{
	static char line[CONSOLE_LINE_MAX], buf[3 * CONSOLE_LINE_MAX];
	size_t n;
	on_pipe();
	console_line("p", line, sizeof(line));   /* all NUL: twice as wide */
	n = read_all(buf, sizeof(buf));
	cr_assert_eq(n, 4 + 2 * sizeof(line) + 1);
	cr_assert_eq(memchr(buf, '\0', n), NULL);
	cr_assert_eq(buf[n - 1], '\n');
}

Test(console, plain_text_is_unchanged)
{
	char buf[64];
	size_t n;
	on_pipe();
	console_line("x", "\x1b[1mbold\x1b[0m\ttab", 16);
	n = read_all(buf, sizeof(buf));
	cr_assert_eq(n, 4 + 16 + 1);
	cr_assert_eq(memcmp(buf, "x | \x1b[1mbold\x1b[0m\ttab\n", n), 0);
}

/* A batch's lines wait for its end, then go out together, in order; a line
 * outside a batch is written at once. */
Test(console, a_batch_is_written_at_its_end)
{
	char buf[64];
	size_t n;
	on_pipe();
	console_batch(1);
	console_line("p", "one", 3);
	console_line("p", "two", 3);
	cr_assert_eq(read_all(buf, sizeof(buf)), 0, "a line of the batch was written before its end");
	console_batch(0);
	n = read_all(buf, sizeof(buf));
	cr_assert_eq(n, 16);
	cr_assert_eq(memcmp(buf, "p | one\np | two\n", 16), 0, "%.*s", (int)n, buf);
	console_line(NULL, "x", 1);
	cr_assert_eq(read_all(buf, sizeof(buf)), 2);
}

/* Batches nest (a pipe read's inside a reap pass): the inner end writes
 * nothing, the outer one all; a drain writes at any depth. */
Test(console, a_nested_batch_is_written_at_the_outer_end)
{
	char buf[64];
	on_pipe();
	console_batch(1);
	console_line("p", "one", 3);
	console_batch(1);
	console_line("p", "two", 3);
	console_batch(0);
	cr_assert_eq(read_all(buf, sizeof(buf)), 0, "the inner batch's end wrote");
	console_batch(0);
	cr_assert_eq(read_all(buf, sizeof(buf)), 16);
	console_batch(0);   /* an end without a start: nothing to undo */
	console_batch(1);
	console_line("p", "three", 5);
	console_drain(100);
	cr_assert_eq(read_all(buf, sizeof(buf)), 10, "the drain did not write the batch");
}

/* A batch bigger than CONSOLE_BATCH_BYTES does not wait for its end: the
 * ring is never filled by one batch. */
Test(console, a_big_batch_is_written_as_it_grows)
{
	static char line[1000], buf[CONSOLE_RING_SIZE];
	size_t lines = CONSOLE_BATCH_BYTES / (sizeof(line) + 5) + 2, n;
	struct console_stats st;
	memset(line, 'a', sizeof(line));
	on_pipe();
	fcntl(rfd, F_SETPIPE_SZ, (int)CONSOLE_RING_SIZE);
	console_batch(1);
	for (size_t i = 0; i < lines; i++)
		console_line("p", line, sizeof(line));
	n = read_all(buf, sizeof(buf));
	cr_assert_geq(n, CONSOLE_BATCH_BYTES, "only %zu bytes written", n);
	console_batch(0);
	n += read_all(buf, sizeof(buf));
	cr_assert_eq(n, lines * (sizeof(line) + 5));
	console_get_stats(&st);
	cr_assert_eq(st.dropped_lines, 0);
}
