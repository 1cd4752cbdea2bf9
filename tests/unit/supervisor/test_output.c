#include "tests/unit/unit.h"

/* test_output.c - the per-process line budget and the line splitter
 * (supervisor/output.c), with explicit times and a recording emit. */

#include <fcntl.h>
#include <unistd.h>

#include "supervisor/output.h"
#include "tests/plain_ref.h"

#define NS_MS 1000000ull
#define NS_S  1000000000ull

/* ---- ratelimit ---- */

/* n lines of len bytes at now: how many went out. */
static unsigned take_len(struct ratelimit *r, uint64_t now, unsigned n, size_t len)
{
	unsigned ok = 0;
	for (unsigned i = 0; i < n; i++)
		ok += (unsigned)ratelimit_take(r, now, len);
	return ok;
}

static unsigned take_n(struct ratelimit *r, uint64_t now, unsigned n)
{
	return take_len(r, now, n, 0);
}

Test(ratelimit, burst_then_drop)
{
	struct ratelimit r;
	const uint64_t t0 = 5 * NS_S;
	ratelimit_init(&r, t0);
	cr_assert_eq(r.dropped, 0);
	cr_assert_eq(r.pending_drops, 0);
	cr_assert_eq(take_n(&r, t0, RATE_BURST_LINES), RATE_BURST_LINES,
		     "the whole burst goes out at once");
	cr_assert_eq(r.dropped, 0);
	cr_assert_eq(ratelimit_take(&r, t0, 0), 0);
	cr_assert_eq(ratelimit_take(&r, t0, 0), 0);
	cr_assert_eq(ratelimit_take(&r, t0, 0), 0);
	cr_assert_eq(r.dropped, 3);
	cr_assert_eq(r.pending_drops, 3);
}

Test(ratelimit, refill_rate)
{
	struct ratelimit r;
	uint64_t t = 0;
	ratelimit_init(&r, t);
	take_n(&r, t, RATE_BURST_LINES);
	cr_assert_eq(ratelimit_take(&r, t, 0), 0);

	/* 1000 lines/s: one line per millisecond */
	t += 1 * NS_MS;
	cr_assert_eq(ratelimit_take(&r, t, 0), 1, "no token after 1 ms");
	cr_assert_eq(ratelimit_take(&r, t, 0), 0);
	t += NS_MS / 2;
	cr_assert_eq(ratelimit_take(&r, t, 0), 0, "a token after only 0.5 ms");
	t += NS_MS / 2 - 1000;
	cr_assert_eq(ratelimit_take(&r, t, 0), 0, "a token after only 0.999 ms");
	t += 1000;
	cr_assert_eq(ratelimit_take(&r, t, 0), 1, "no token after 1 ms");

	/* one second: RATE_LINES_PER_SEC more */
	t += NS_S;
	cr_assert_eq(take_n(&r, t, 2 * RATE_LINES_PER_SEC), RATE_LINES_PER_SEC);
	cr_assert_eq(r.dropped, 4 + RATE_LINES_PER_SEC);
	cr_assert_eq(r.pending_drops, r.dropped, "take never clears pending_drops");
}

Test(ratelimit, refill_capped_at_burst)
{
	struct ratelimit r;
	ratelimit_init(&r, 0);
	take_n(&r, 0, RATE_BURST_LINES);
	/* an hour idle refills no more than the burst */
	uint64_t t = 3600 * NS_S;
	cr_assert_eq(take_n(&r, t, RATE_BURST_LINES + 5), RATE_BURST_LINES);
	cr_assert_eq(r.dropped, 5);
	/* never above the burst even without use */
	ratelimit_init(&r, 0);
	cr_assert_eq(take_n(&r, 3600 * NS_S, RATE_BURST_LINES + 1), RATE_BURST_LINES);
}

/* Lines of 1 KiB (1,023 bytes and the newline): the byte budget, not the
 * line budget, is the bound. */
#define KIB_LINE 1023

Test(ratelimit, bytes_burst_then_drop)
{
	struct ratelimit r;
	ratelimit_init(&r, 7 * NS_S);
	const uint64_t t0 = 7 * NS_S;
	cr_assert_eq(take_len(&r, t0, RATE_BURST_BYTES / 1024 + 10, KIB_LINE), RATE_BURST_BYTES / 1024,
		     "256 KiB of 1 KiB lines, then none");
	cr_assert_eq(r.dropped, 10);
	cr_assert_eq(r.pending_drops, 10);
	/* A dropped line costs nothing: the line budget is all but untouched. */
	cr_assert_eq(r.tokens_milli, (RATE_BURST_LINES - RATE_BURST_BYTES / 1024) * 1000ull);
	/* What is left is short lines' room: 1,023 bytes is not 1 KiB. */
	cr_assert_eq(ratelimit_take(&r, t0, 0), 0);
}

Test(ratelimit, bytes_refill_rate)
{
	struct ratelimit r;
	uint64_t t = 0;
	ratelimit_init(&r, t);
	take_len(&r, t, RATE_BURST_BYTES / 1024, KIB_LINE);
	cr_assert_eq(ratelimit_take(&r, t, KIB_LINE), 0);
	/* 64 KiB/s: 1 KiB in 1/64 s (15.625 ms) */
	t += 15 * NS_MS;
	cr_assert_eq(ratelimit_take(&r, t, KIB_LINE), 0, "1 KiB after only 15 ms");
	t += NS_MS;
	cr_assert_eq(ratelimit_take(&r, t, KIB_LINE), 1, "no 1 KiB after 16 ms");
	cr_assert_eq(ratelimit_take(&r, t, 100), 0, "more than 16 ms' worth (1,048 bytes)");
	/* one second: RATE_BYTES_PER_SEC more */
	t += NS_S;
	cr_assert_eq(take_len(&r, t, 2 * RATE_BYTES_PER_SEC / 1024, KIB_LINE), RATE_BYTES_PER_SEC / 1024);
	/* an hour idle refills no more than the burst */
	t += 3600 * NS_S;
	cr_assert_eq(take_len(&r, t, RATE_BURST_BYTES / 1024 + 1, KIB_LINE), RATE_BURST_BYTES / 1024);
}

Test(ratelimit, a_line_needs_both_budgets)
{
	struct ratelimit r;
	ratelimit_init(&r, 0);
	/* Short lines spend the line budget first, long lines the bytes. */
	cr_assert_eq(take_n(&r, 0, RATE_BURST_LINES), RATE_BURST_LINES);
	cr_assert_eq(r.bytes_milli, (RATE_BURST_BYTES - RATE_BURST_LINES) * 1000ull,
		     "an empty line costs one byte, its newline");
	cr_assert_eq(ratelimit_take(&r, 0, 0), 0, "bytes left, but no line");
	cr_assert_eq(ratelimit_take(&r, NS_MS, 100), 1, "a line again after 1 ms");
	/* the longest console line fits in the burst */
	ratelimit_init(&r, 0);
	cr_assert_eq(ratelimit_take(&r, 0, CONSOLE_LINE_MAX), 1);
}

Test(ratelimit, pending_and_total_drops)
{
	struct ratelimit r;
	ratelimit_init(&r, 0);
	take_n(&r, 0, RATE_BURST_LINES + 7);
	cr_assert_eq(r.pending_drops, 7);
	/* the notice writer resets pending_drops; the total stays */
	r.pending_drops = 0;
	take_n(&r, 0, 4);
	cr_assert_eq(r.pending_drops, 4);
	cr_assert_eq(r.dropped, 11);
}

Test(ratelimit, time_going_backwards_is_harmless)
{
	struct ratelimit r;
	ratelimit_init(&r, 10 * NS_S);
	take_n(&r, 10 * NS_S, RATE_BURST_LINES);
	cr_assert_eq(ratelimit_take(&r, 5 * NS_S, 0), 0, "an earlier time refilled the bucket");
	cr_assert_eq(ratelimit_take(&r, 10 * NS_S + NS_MS, 0), 1);
}

Test(ratelimit, refill_does_not_depend_on_call_cadence)
{
	/* Lines arriving faster than one per microsecond (a flood read in one
	 * go) must still earn RATE_LINES_PER_SEC tokens per second of elapsed
	 * time: elapsed time below the refill granularity may not be lost. */
	struct ratelimit r;
	uint64_t t = 0;
	unsigned ok = 0;
	ratelimit_init(&r, t);
	take_n(&r, t, RATE_BURST_LINES);
	for (int i = 0; i < 4000; i++) {       /* 2 ms, one line every 500 ns */
		t += 500;
		ok += (unsigned)ratelimit_take(&r, t, 0);
	}
	cr_assert(ok >= 1 && ok <= 2,
		  "2 ms at %u lines/s allowed %u lines (want 2)", RATE_LINES_PER_SEC, ok);

	/* every 1.5 us: 1.5 ms after the burst -> 1 line, 15 ms -> 15 lines */
	ratelimit_init(&r, 0);
	take_n(&r, 0, RATE_BURST_LINES);
	t = 0;
	ok = 0;
	for (int i = 0; i < 10000; i++) {
		t += 1500;
		ok += (unsigned)ratelimit_take(&r, t, 0);
	}
	cr_assert(ok >= 14 && ok <= 15, "15 ms at %u lines/s allowed %u lines (want 15)",
		  RATE_LINES_PER_SEC, ok);
}

/* ---- output_feed ---- */

#define MAXLINES 64
static struct {
	int n;
	size_t len[MAXLINES];
	char *text[MAXLINES];
	int plain[MAXLINES];
} rec;

static void record(struct output *o, const char *line, size_t len)
{
	cr_assert_lt(rec.n, MAXLINES);
	rec.plain[rec.n] = o->plain;
	cr_assert_leq(len, CONSOLE_LINE_MAX);
	rec.text[rec.n] = malloc(len + 1);
	cr_assert_not_null(rec.text[rec.n]);
	memcpy(rec.text[rec.n], line, len);
	rec.text[rec.n][len] = '\0';
	rec.len[rec.n++] = len;
}

static void reset(void)
{
	for (int i = 0; i < rec.n; i++)
		free(rec.text[i]);
	memset(&rec, 0, sizeof(rec));
}

/* A splitter that stops making progress is killed by SIGALRM (reported as
 * crashed) instead of hanging the run. A passing test takes milliseconds;
 * the bound is far above what the slowest machine needs. */
static void watchdog(void)
{
	alarm(120);
}
TestSuite(output_feed, .init = watchdog, .fini = reset);

static struct output *new_output(void)
{
	static struct output o;
	memset(&o, 0, sizeof(o));
	o.rfd = o.wfd = -1;
	o.io.fd = -1;
	return &o;
}

static void feed(struct output *o, const char *s)
{
	output_feed(o, s, strlen(s), record);
	cr_assert_leq(o->len, CONSOLE_LINE_MAX);
}

static void assert_lines(const char *const *want, int n)
{
	cr_assert_eq(rec.n, n, "%d lines emitted, want %d", rec.n, n);
	for (int i = 0; i < n; i++) {
		cr_assert_eq(rec.len[i], strlen(want[i]), "line %d: length %zu, want %zu", i,
			     rec.len[i], strlen(want[i]));
		cr_assert_str_eq(rec.text[i], want[i], "line %d", i);
	}
}

Test(output_feed, several_lines_per_chunk)
{
	struct output *o = new_output();
	feed(o, "one\ntwo\n\nfour\n");
	const char *want[] = { "one", "two", "", "four" };
	assert_lines(want, 4);
	cr_assert_eq(o->len, 0);
}

/* A '\n' at every place of a 40-byte chunk: the search, 16 bytes at a
 * time, cuts there and nowhere else. */
Test(output_feed, newline_found_wherever_it_falls)
{
	for (size_t at = 0; at < 40; at++) {
		struct output *o = new_output();
		char in[41], first[41];
		memset(in, 'x', 40);
		in[at] = '\n';
		in[40] = '\0';
		memset(first, 'x', at);
		first[at] = '\0';
		feed(o, in);
		cr_assert_eq(rec.n, 1, "newline at %zu: %d lines", at, rec.n);
		cr_assert_str_eq(rec.text[0], first, "newline at %zu", at);
		cr_assert_eq(o->len, 39 - at, "newline at %zu", at);
		reset();
	}
}

Test(output_feed, partial_line_kept_until_newline)
{
	struct output *o = new_output();
	feed(o, "a\nb\npart");
	const char *want[] = { "a", "b" };
	assert_lines(want, 2);
	cr_assert_eq(o->len, 4);
	feed(o, "ial");
	cr_assert_eq(rec.n, 2, "a partial line was emitted early");
	cr_assert_eq(o->len, 7);
	feed(o, " line\nnext");
	const char *want2[] = { "a", "b", "partial line" };
	assert_lines(want2, 3);
	cr_assert_eq(o->len, 4);
}

Test(output_feed, split_reads_byte_by_byte)
{
	struct output *o = new_output();
	const char *s = "hello world\nsecond\r\n\nx\n";
	for (const char *p = s; *p; p++)
		output_feed(o, p, 1, record);
	const char *want[] = { "hello world", "second\r", "", "x" };
	assert_lines(want, 4);
	cr_assert_eq(o->len, 0);
}

Test(output_feed, newline_alone_ends_the_buffered_line)
{
	struct output *o = new_output();
	feed(o, "abc");
	feed(o, "\n");
	const char *want[] = { "abc" };
	assert_lines(want, 1);
}

Test(output_feed, nul_bytes_are_data)
{
	struct output *o = new_output();
	output_feed(o, "a\0b\nc", 5, record);
	cr_assert_eq(rec.n, 1);
	cr_assert_eq(rec.len[0], 3);
	cr_assert_eq(memcmp(rec.text[0], "a\0b", 3), 0);
}

/* n times c, then tail, in a static buffer (no leak when an assertion fails) */
static char *repeat(char c, size_t n, const char *tail)
{
	static char s[3 * CONSOLE_LINE_MAX + 64];
	size_t t = strlen(tail);
	cr_assert_lt(n + t, sizeof(s));
	memset(s, c, n);
	memcpy(s + n, tail, t + 1);
	return s;
}

Test(output_feed, long_line_in_pieces)
{
	struct output *o = new_output();
	char *s = repeat('x', 2 * CONSOLE_LINE_MAX + 10, "\nafter\n");
	feed(o, s);
	cr_assert_eq(rec.n, 4);
	cr_assert_eq(rec.len[0], CONSOLE_LINE_MAX);
	cr_assert_eq(rec.len[1], CONSOLE_LINE_MAX);
	cr_assert_eq(rec.len[2], 10);
	cr_assert_str_eq(rec.text[3], "after");
	for (int i = 0; i < 3; i++)
		cr_assert_eq(strspn(rec.text[i], "x"), rec.len[i]);
}

Test(output_feed, long_line_in_small_chunks_same_pieces)
{
	struct output *o = new_output();
	char *s = repeat('y', 2 * CONSOLE_LINE_MAX + 10, "\n");
	size_t n = strlen(s);
	for (size_t i = 0; i < n; i += 100)
		output_feed(o, s + i, n - i < 100 ? n - i : 100, record);
	cr_assert_eq(rec.n, 3);
	cr_assert_eq(rec.len[0], CONSOLE_LINE_MAX);
	cr_assert_eq(rec.len[1], CONSOLE_LINE_MAX);
	cr_assert_eq(rec.len[2], 10);
	cr_assert_eq(o->len, 0);
}

Test(output_feed, long_partial_line_emitted_when_buffer_full)
{
	/* a process writing a huge line without a newline: the buffer may not
	 * grow past CONSOLE_LINE_MAX, so a full piece goes out */
	struct output *o = new_output();
	char *s = repeat('z', CONSOLE_LINE_MAX + 5, "");
	feed(o, s);
	cr_assert_eq(rec.n, 1);
	cr_assert_eq(rec.len[0], CONSOLE_LINE_MAX);
	cr_assert_eq(o->len, 5);
	feed(o, "\n");
	cr_assert_eq(rec.n, 2);
	cr_assert_eq(rec.len[1], 5);
}

Test(output_feed, line_of_exactly_max_is_one_line)
{
	struct output *o = new_output();
	char *s = repeat('m', CONSOLE_LINE_MAX, "\nend\n");
	feed(o, s);
	cr_assert_eq(rec.n, 2);
	cr_assert_eq(rec.len[0], CONSOLE_LINE_MAX);
	cr_assert_str_eq(rec.text[1], "end");
}

Test(output_feed, line_of_exactly_max_split_before_its_newline)
{
	/* The same bytes as line_of_exactly_max_is_one_line, read in two
	 * chunks that split just before the newline: the lines emitted must not
	 * depend on where the reads split (no extra empty line). */
	struct output *o = new_output();
	char *s = repeat('m', CONSOLE_LINE_MAX, "");
	feed(o, s);
	feed(o, "\nend\n");
	cr_assert_eq(rec.n, 2, "%d lines emitted for one %u-byte line and \"end\"", rec.n,
		     CONSOLE_LINE_MAX);
	cr_assert_eq(rec.len[0], CONSOLE_LINE_MAX);
	cr_assert_str_eq(rec.text[1], "end", "second line is \"%s\"", rec.text[1]);
}

/* ---- plain: a line's JSON is its bytes ---- */

/* One byte of each kind at every place of a 150-byte line (the scan takes
 * 64 bytes at a time, then 16, then one by one), fed whole and split in two
 * at several places: plain is exact for a line that fits the buffer. */
Test(output_feed, plain_is_exact_wherever_the_byte_falls)
{
	static const unsigned char bytes[] = { 0x00, 0x01, '\t', '\r', 0x1f, ' ', '!', '"', '#',
					       '[', '\\', ']', '~', 0x7f, 0x80, 0xc3, 0xfe, 0xff };
	static const size_t splits[] = { 0, 1, 15, 16, 17, 63, 64, 65, 100, 150, 151 };
	for (size_t b = 0; b < sizeof(bytes); b++) {
		for (size_t at = 0; at < 150; at++) {
			for (size_t k = 0; k < sizeof(splits) / sizeof(splits[0]); k++) {
				struct output *o = new_output();
				size_t split = splits[k];
				char in[151];
				memset(in, 'x', 150);
				in[at] = (char)bytes[b];
				in[150] = '\n';
				output_feed(o, in, split, record);
				output_feed(o, in + split, 151 - split, record);
				cr_assert_eq(rec.n, 1, "byte %#x at %zu, split at %zu: %d lines", bytes[b], at,
					     split, rec.n);
				cr_assert_eq(rec.plain[0], plain_ref(in, 150), "byte %#x at %zu, split at %zu: plain %d",
					     bytes[b], at, split, rec.plain[0]);
				reset();
			}
		}
	}
}

/* Random lines of every kind in random chunks: a line said plain is (the
 * rule enc_log relies on), and one that fits the buffer is said plain
 * whenever it is. */
Test(output_feed, plain_lines_in_random_chunks)
{
	static char in[3 * CONSOLE_LINE_MAX + 4096];
	unsigned seed = 16;
	for (int round = 0; round < 300; round++) {
		struct output *o = new_output();
		size_t n = 0, lines = 0;
		while (lines < 20 && n + 2 * CONSOLE_LINE_MAX < sizeof(in)) {
			size_t len = rand_r(&seed) % 8 ? (size_t)rand_r(&seed) % 200
							: (size_t)rand_r(&seed) % (2 * CONSOLE_LINE_MAX);
			int special = rand_r(&seed) % 3 == 0;
			for (size_t i = 0; i < len; i++)
				in[n + i] = (char)(0x20 + rand_r(&seed) % 0x60);
			for (size_t i = 0; i < len; i++)
				if (in[n + i] == '"' || in[n + i] == '\\')
					in[n + i] = 'q';
			if (special && len > 0)
				in[n + (size_t)rand_r(&seed) % len] =
					"\x01\t\"\\\x80\xff\r\x7f"[rand_r(&seed) % 8];
			n += len;
			in[n++] = '\n';
			lines++;
		}
		for (size_t off = 0; off < n;) {
			size_t k = 1 + (size_t)rand_r(&seed) % 3000;
			if (k > n - off)
				k = n - off;
			output_feed(o, in + off, k, record);
			off += k;
			for (int i = 0; i < rec.n; i++) {
				cr_assert(!rec.plain[i] || plain_ref(rec.text[i], rec.len[i]),
					  "round %d: a line said plain is not: %.40s", round, rec.text[i]);
				if (rec.len[i] < CONSOLE_LINE_MAX)
					cr_assert_eq(rec.plain[i], plain_ref(rec.text[i], rec.len[i]),
						     "round %d: a plain line of %zu bytes not said plain", round,
						     rec.len[i]);
			}
			reset();
		}
	}
}

/* ---- a limit on lines: output_feed_max stops before a line, loses none ---- */

static struct {
	uint64_t hash, n;
} dig;

static void digest(struct output *o, const char *line, size_t len)
{
	uint64_t h = dig.hash ^ len ^ ((uint64_t)o->plain << 40);
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)line[i]) * 1099511628211ull;
	dig.hash = h * 1099511628211ull;
	dig.n++;
}

Test(output_feed, a_limit_stops_before_the_line_it_cannot_emit)
{
	struct output *o = new_output();
	cr_assert_eq(output_feed_max(o, "ab\ncd\nef", 8, 1, record), 3);
	cr_assert_eq(output_feed_max(o, "cd\nef", 5, 0, record), 0, "no line left, yet it took one");
	/* A buffered line's '\n' is left for the next feed. */
	cr_assert_eq(output_feed_max(o, "ef", 2, 0, record), 2, "a partial line needs no line");
	cr_assert_eq(output_feed_max(o, "\nx", 2, 0, record), 0);
	cr_assert_eq(output_feed_max(o, "\nx", 2, 1, record), 2);
	assert_lines((const char *const[]){ "ab", "ef" }, 2);
	cr_assert_eq(o->len, 1, "the partial line after it");
}

Test(output_feed, lines_fed_under_a_limit_are_those_fed_without)
{
	static char in[4 * CONSOLE_LINE_MAX + 8192];
	unsigned seed = 17;
	for (int round = 0; round < 200; round++) {
		struct output *o = new_output();
		uint64_t want_hash, want_n;
		size_t n = 0, want_len;
		while (n + 2 * CONSOLE_LINE_MAX + 1 < sizeof(in)) {
			size_t len = rand_r(&seed) % 4 ? (size_t)rand_r(&seed) % 8
							: (size_t)rand_r(&seed) % (2 * CONSOLE_LINE_MAX);
			for (size_t i = 0; i < len; i++)
				in[n + i] = (char)(0x20 + rand_r(&seed) % 0x60);
			if (len > 0 && rand_r(&seed) % 3 == 0)
				in[n + (size_t)rand_r(&seed) % len] = '\x01';
			n += len;
			in[n++] = '\n';
		}
		n -= (size_t)rand_r(&seed) % 3;    /* a partial line at the end, or not */
		memset(&dig, 0, sizeof(dig));
		output_feed(o, in, n, digest);
		want_hash = dig.hash, want_n = dig.n, want_len = o->len;

		o = new_output();
		memset(&dig, 0, sizeof(dig));
		for (size_t off = 0; off < n;) {
			size_t k = 1 + (size_t)rand_r(&seed) % 3000, max = (size_t)rand_r(&seed) % 6;
			uint64_t before = dig.n;
			if (k > n - off)
				k = n - off;
			off += output_feed_max(o, in + off, k, max, digest);
			cr_assert_leq(dig.n - before, max, "round %d: %llu lines over a limit of %zu", round,
				      (unsigned long long)(dig.n - before), max);
		}
		cr_assert_eq(dig.n, want_n, "round %d: %llu lines, %llu without a limit", round,
			     (unsigned long long)dig.n, (unsigned long long)want_n);
		cr_assert_eq(dig.hash, want_hash, "round %d: other lines than without a limit", round);
		cr_assert_eq(o->len, want_len, "round %d: another partial line", round);
	}
}

/* ---- every line reaches the tap, whatever the console's budget ---- */

static uint64_t tapped;
static size_t room_left;
static void count_line(void *ctx, int stream, const char *line, size_t len, int plain)
{
	(void)ctx; (void)stream; (void)line; (void)len; (void)plain;
	tapped++;
}
static size_t lines_left = SIZE_MAX;
static int room_once;
static size_t give_room(void *ctx, size_t *lines)
{
	size_t r = room_left;
	(void)ctx;
	*lines = lines_left;
	if (room_once)
		room_left = lines_left = 0;   /* room for one read */
	return r;
}

/* The tap's room from now on: bytes and lines, for one read only (once). */
static void set_room(struct output *o, size_t bytes, size_t lines, int once)
{
	o->room = give_room;
	room_left = bytes;
	lines_left = lines;
	room_once = once;
}

struct fx_out {
	struct loop *l;
	struct ratelimit r;
	struct output o;
	int null;
};

static void fx_out_open(struct fx_out *f, uint64_t console_lines)
{
	f->l = loop_new(4);
	f->null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	cr_assert_not_null(f->l);
	cr_assert_geq(f->null, 0);
	console_init(f->null);
	ratelimit_init(&f->r, 0);
	f->r.tokens_milli = console_lines * 1000;   /* this many lines left ... */
	f->r.last_ns = UINT64_MAX / 2;              /* ... and no refill: exact */
	cr_assert_eq(output_open(&f->o, f->l, "p", &f->r), 0);
	f->o.tap = count_line;
	tapped = 0;
}

static void fx_out_close(struct fx_out *f)
{
	output_close(&f->o, f->l);
	loop_free(f->l);
	close(f->null);
}

Test(output_tap, every_line_reaches_the_tap_the_console_only_its_budget)
{
	struct fx_out f;
	fx_out_open(&f, 5);
	for (int i = 0; i < 20; i++)
		cr_assert_eq(write(f.o.wfd, "line\n", 5), 5);
	output_drain(&f.o);
	cr_assert_eq(tapped, 20, "the tap got %llu of 20 lines", (unsigned long long)tapped);
	cr_assert_eq(f.r.dropped, 15, "the console dropped %llu, not 15", (unsigned long long)f.r.dropped);
	fx_out_close(&f);
}

Test(output_tap, no_room_holds_the_pipe_until_resumed)
{
	struct fx_out f;
	fx_out_open(&f, 100);
	f.o.room = give_room;
	room_left = OUTPUT_READ_BUDGET - 1;
	lines_left = SIZE_MAX;
	room_once = 0;
	for (int i = 0; i < 2000; i++)
		cr_assert_eq(write(f.o.wfd, "line\n", 5), 5);
	output_drain(&f.o);
	cr_assert_eq(tapped, 0, "read without room: %llu lines", (unsigned long long)tapped);
	cr_assert(f.o.held, "the pipe is not held");
	cr_assert(f.o.last_words, "the exit's last words are not kept for later");
	/* Bytes enough, lines not. */
	room_left = SIZE_MAX;
	lines_left = OUTPUT_READ_MIN_LINES - 1;
	output_resume(&f.o);
	f.o.io.fn(f.l, &f.o.io, 0);
	cr_assert_eq(tapped, 0, "read with room for too few lines: %llu lines", (unsigned long long)tapped);
	cr_assert(f.o.held);
	output_resume(&f.o);
	cr_assert(!f.o.held);
	room_left = OUTPUT_READ_BUDGET;
	lines_left = SIZE_MAX;
	room_once = 0;
	f.o.io.fn(f.l, &f.o.io, 0);
	cr_assert_eq(tapped, 2000);
	cr_assert(!f.o.last_words, "the pipe is empty: the last words are out");
	fx_out_close(&f);
	lines_left = SIZE_MAX;
}

Test(output_tap, lines_past_the_room_wait_in_the_spill_not_for_the_pipe)
{
	struct fx_out f;
	const int n = 10000;
	fx_out_open(&f, 100);
	set_room(&f.o, SIZE_MAX, OUTPUT_READ_MIN_LINES, 1);
	for (int i = 0; i < n; i++)
		cr_assert_eq(write(f.o.wfd, "line\n", 5), 5);
	f.o.io.fn(f.l, &f.o.io, 0);
	cr_assert_eq(tapped, OUTPUT_READ_MIN_LINES, "%llu lines with room for %u",
		     (unsigned long long)tapped, OUTPUT_READ_MIN_LINES);
	cr_assert(f.o.held, "no line left, but the pipe is not held");
	cr_assert_eq(f.o.spill_len, (size_t)(n - OUTPUT_READ_MIN_LINES) * 5);
	/* The pipe is empty now: the rest comes after the resume, in a loop
	 * turn of its own, not at a read. */
	room_once = 0;
	room_left = lines_left = SIZE_MAX;
	output_resume(&f.o);
	cr_assert_eq(tapped, OUTPUT_READ_MIN_LINES, "the spill went in within the resume");
	cr_assert(loop_timer_armed(&f.o.spill_timer), "a spill, and nothing to feed it");
	cr_assert_eq(loop_run_once(f.l), 0);
	cr_assert_eq(tapped, (uint64_t)n, "%llu of %d lines after the resume", (unsigned long long)tapped, n);
	cr_assert(!f.o.held);
	cr_assert_eq(f.o.spill_len, 0);
	cr_assert_null(f.o.spill, "the spill's pages kept once the pipe was empty");
	fx_out_close(&f);
}

Test(output_tap, the_spill_goes_in_at_the_end)
{
	struct fx_out f;
	fx_out_open(&f, 100);
	set_room(&f.o, SIZE_MAX, OUTPUT_READ_MIN_LINES, 1);
	for (int i = 0; i < 5000; i++)
		cr_assert_eq(write(f.o.wfd, "line\n", 5), 5);
	cr_assert_eq(write(f.o.wfd, "last", 4), 4);
	f.o.io.fn(f.l, &f.o.io, 0);
	cr_assert(f.o.held && f.o.spill_len > 0);
	fx_out_close(&f);              /* room or not: all of it, the partial line too */
	cr_assert_eq(tapped, 5001, "%llu lines at the close", (unsigned long long)tapped);
	room_once = 0;
	lines_left = SIZE_MAX;
}

/* ---- a flood of small writes gathers in the pipe ---- */

static void write_lines(int fd, int n)
{
	for (int i = 0; i < n; i++)
		cr_assert_eq(write(fd, "line\n", 5), 5);
}

Test(output_gather, a_pipe_emptied_twice_at_once_gathers_until_the_flood_ends)
{
	struct fx_out f;
	fx_out_open(&f, 100);
	write_lines(f.o.wfd, 1);
	f.o.io.fn(f.l, &f.o.io, 0);
	cr_assert_eq(tapped, 1);
	cr_assert(!f.o.gathering, "one line read, and the pipe left unpolled");
	write_lines(f.o.wfd, 1);
	f.o.io.fn(f.l, &f.o.io, 0);     /* emptied again at once: a flood */
	cr_assert_eq(tapped, 2);
	cr_assert(f.o.gathering, "a flood of small writes, and the pipe still polled");
	cr_assert(loop_timer_armed(&f.o.gather), "gathering with no timer to end it");
	/* The writer goes on: its lines wait in the pipe, read at the timer. */
	write_lines(f.o.wfd, 300);
	cr_assert_eq(loop_run_once(f.l), 0);
	cr_assert_eq(tapped, 302, "%llu lines after the gather", (unsigned long long)tapped);
	cr_assert(f.o.gathering, "%u bytes gathered, yet the flood taken for over",
		  300 * 5);
	/* Nothing came: the flood is over, the pipe is polled again. */
	cr_assert_eq(loop_run_once(f.l), 0);
	cr_assert(!f.o.gathering, "an empty gather, and the pipe still unpolled");
	cr_assert(!loop_timer_armed(&f.o.gather));
	write_lines(f.o.wfd, 1);
	cr_assert_eq(loop_run_once(f.l), 0);
	cr_assert_eq(tapped, 303, "a line after the flood waits unread");
	fx_out_close(&f);
}

Test(output_gather, a_process_s_last_words_are_read_at_once)
{
	struct fx_out f;
	fx_out_open(&f, 100);
	write_lines(f.o.wfd, 1);
	f.o.io.fn(f.l, &f.o.io, 0);
	write_lines(f.o.wfd, 1);
	f.o.io.fn(f.l, &f.o.io, 0);
	cr_assert(f.o.gathering);
	cr_assert_eq(write(f.o.wfd, "more\nlast", 9), 9);
	output_drain(&f.o);              /* the process exited */
	cr_assert_eq(tapped, 4, "%llu lines: the gather held the last words back",
		     (unsigned long long)tapped);
	cr_assert(!f.o.gathering && !loop_timer_armed(&f.o.gather));
	fx_out_close(&f);
}

Test(output_gather, no_room_during_a_gather_holds_the_pipe)
{
	struct fx_out f;
	fx_out_open(&f, 100);
	f.o.room = give_room;
	room_left = SIZE_MAX;
	room_once = 0;
	write_lines(f.o.wfd, 1);
	f.o.io.fn(f.l, &f.o.io, 0);
	write_lines(f.o.wfd, 1);
	f.o.io.fn(f.l, &f.o.io, 0);
	cr_assert(f.o.gathering);
	write_lines(f.o.wfd, 10);
	room_left = 0;
	cr_assert_eq(loop_run_once(f.l), 0);
	cr_assert_eq(tapped, 2, "read without room");
	cr_assert(f.o.held && !f.o.gathering, "no room at the gather's end: not held");
	room_left = SIZE_MAX;
	output_resume(&f.o);
	cr_assert(!f.o.held);
	cr_assert_eq(loop_run_once(f.l), 0);
	cr_assert_eq(tapped, 12);
	fx_out_close(&f);
}

Test(output_gather, big_reads_never_gather)
{
	struct fx_out f;
	char big[OUTPUT_GATHER_MIN];
	fx_out_open(&f, 100);
	memset(big, 'x', sizeof(big));
	big[sizeof(big) - 1] = '\n';
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(write(f.o.wfd, big, sizeof(big)), (ssize_t)sizeof(big));
		f.o.io.fn(f.l, &f.o.io, 0);
		cr_assert(!f.o.gathering, "a read of %zu bytes made a gather", sizeof(big));
	}
	cr_assert_eq(tapped, 3);
	fx_out_close(&f);
}
