/* output.c - process output pipes -> lines: every line to the tap (the host's
 * log ring), the console's share within the process's console budget.
 *
 * Invariants: at most CONSOLE_LINE_MAX bytes buffered per stream; at most
 * OUTPUT_READ_BUDGET bytes read per wake-up, so a flooding process cannot
 * starve the rest of the loop, and never more than the room hook allows, so
 * the tap is never handed more than it can keep; every line dropped from the
 * console is counted.
 */
#include "output.h"

#include "base/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

void ratelimit_init(struct ratelimit *r, uint64_t now_ns)
{
	*r = (struct ratelimit){ .tokens_milli = RATE_BURST_LINES * 1000ull, .last_ns = now_ns,
				 .bytes_milli = RATE_BURST_BYTES * 1000ull, .bytes_last_ns = now_ns };
}

/* Refill a bucket of milli-tokens lazily on use: no timer, no wake-up while
 * idle. Only the time turned into whole milli-tokens is consumed, so that
 * frequent calls do not round the refill away. */
static void refill(uint64_t *milli, uint64_t *last_ns, uint64_t now_ns, uint64_t per_sec,
		   uint64_t burst)
{
	uint64_t dt, add;
	if (now_ns <= *last_ns)
		return;
	dt = now_ns - *last_ns;
	if (dt >= 60 * 1000000000ull) {          /* long idle: full, no overflow */
		*milli = burst * 1000;
		*last_ns = now_ns;
		return;
	}
	add = dt * per_sec / 1000000;            /* milli-tokens */
	*last_ns += add * 1000000 / per_sec;
	*milli += add;
	if (*milli > burst * 1000)
		*milli = burst * 1000;
}

int ratelimit_take(struct ratelimit *r, uint64_t now_ns, size_t len)
{
	uint64_t cost = ((uint64_t)len + 1) * 1000;
	refill(&r->tokens_milli, &r->last_ns, now_ns, RATE_LINES_PER_SEC, RATE_BURST_LINES);
	refill(&r->bytes_milli, &r->bytes_last_ns, now_ns, RATE_BYTES_PER_SEC, RATE_BURST_BYTES);
	if (r->tokens_milli < 1000 || r->bytes_milli < cost) {
		r->pending_drops++;
		r->dropped++;
		return 0;
	}
	r->tokens_milli -= 1000;
	r->bytes_milli -= cost;
	return 1;
}

/* The first '\n' in p[0..n), or NULL: memchr, 16 bytes at a time (GCC's
 * vectors: SSE2, NEON). */
typedef signed char out_v16 __attribute__((vector_size(16)));
static const char *find_nl(const char *p, size_t n)
{
	size_t i = 0;
	for (; n - i >= 16; i += 16) {
		out_v16 v, hit;
		uint64_t h[2];
		memcpy(&v, p + i, 16);
		hit = v == '\n';
		memcpy(h, &hit, 16);
		if (h[0] | h[1])
			break;
	}
	return memchr(p + i, '\n', n - i);
}

/* A byte a log line's JSON must escape, or the console must show otherwise:
 * a control byte (NUL, '\n' among them), '"', '\\', or one over 0x7f (as
 * signed, below 0x20: one comparison). */
static int special(signed char c)
{
	return c < 0x20 || c == '"' || c == '\\';
}

/* special(), for the 16 bytes at p: each byte's lane all ones if it is. */
static inline __attribute__((always_inline)) out_v16 special16(const char *p)
{
	out_v16 v;
	memcpy(&v, p, 16);
	return (v < 0x20) | (v == '"') | (v == '\\');
}

/* find_nl, and in *plain whether every byte before the '\n' (or of p[0..n)
 * when there is none) is plain, not special: every byte a process writes
 * passes here once, so the line's later copies (the host's JSON, the
 * console) need not look at it again. One pass while the line is plain;
 * after its first special byte, find_nl's. */
static const char *scan_line(const char *p, size_t n, int *plain)
{
	size_t i = 0;
	/* 64 bytes a test while nothing is special (a 1 KiB line: 16 tests,
	 * not 64), then 16 at a time to the block that holds it. */
	for (; n - i >= 64; i += 64) {
		out_v16 bad = special16(p + i) | special16(p + i + 16) | special16(p + i + 32) |
			      special16(p + i + 48);
		uint64_t h[2];
		memcpy(h, &bad, 16);
		if (h[0] | h[1])
			break;
	}
	for (; n - i >= 16; i += 16) {
		out_v16 bad = special16(p + i);
		uint64_t h[2];
		memcpy(h, &bad, 16);
		if (h[0] | h[1])
			break;
	}
	for (; i < n && !special((signed char)p[i]); i++)
		;
	*plain = i == n || p[i] == '\n';
	if (i == n || p[i] == '\n')
		return i < n ? p + i : NULL;
	return find_nl(p + i, n - i);
}

size_t output_feed_max(struct output *o, const char *data, size_t n, size_t max,
		       void (*emit)(struct output *o, const char *line, size_t len))
{
	const char *start = data;
	while (n > 0) {
		const char *nl;
		size_t take, room;
		int plain;
		/* A full buffer is a piece of a long line, emitted only once the
		 * next byte shows the line goes on (a '\n' right after it would
		 * make it a line of exactly the maximum). */
		if (o->len == sizeof(o->line) && *data != '\n') {
			if (max == 0)
				break;
			max--;
			o->plain = o->line_plain;
			emit(o, o->line, o->len);
			o->len = 0;
		}
		if (o->len == 0)
			o->line_plain = 1;
		nl = scan_line(data, n, &plain);
		take = nl ? (size_t)(nl - data) : n;
		/* A whole line in the chunk and nothing buffered: emitted from
		 * where it is, not copied. */
		if (nl && o->len == 0 && take <= sizeof(o->line)) {
			if (max == 0)
				break;
			max--;
			o->plain = plain;
			emit(o, data, take);
			data += take + 1;
			n -= take + 1;
			continue;
		}
		room = sizeof(o->line) - o->len;
		if (take > room)
			take = room;
		/* What is taken is a part of what was scanned: plain if that was. */
		o->line_plain &= plain;
		memcpy(o->line + o->len, data, take);
		o->len += take;
		data += take;
		n -= take;
		if (n > 0 && *data == '\n') {
			/* No line left: the '\n' starts the next feed. */
			if (max == 0)
				break;
			max--;
			data++;
			n--;
			o->plain = o->line_plain;
			emit(o, o->line, o->len);
			o->len = 0;
		}
	}
	return (size_t)(data - start);
}

void output_feed(struct output *o, const char *data, size_t n,
		 void (*emit)(struct output *o, const char *line, size_t len))
{
	output_feed_max(o, data, n, SIZE_MAX, emit);
}

static void announce_drops(struct output *o)
{
	char note[128];
	int n;
	if (o->rate->pending_drops == 0)
		return;
	uint64_t dropped = o->rate->pending_drops;
	n = snprintf(note, sizeof(note), "vminit: %llu lines dropped (over %u lines/s or %u KiB/s)",
		     (unsigned long long)dropped, RATE_LINES_PER_SEC, RATE_BYTES_PER_SEC / 1024);
	o->rate->pending_drops = 0;
	console_line(o->prefix, note, (size_t)n);
}

static void emit_line(struct output *o, const char *line, size_t len)
{
	if (len > 0 && line[len - 1] == '\r')
		len--;   /* not plain: it had a '\r' */
	/* The host's stream first and always: the budget is the console's. */
	if (o->tap)
		o->tap(o->tap_ctx, o->stream, line, len, o->plain);
	if (!ratelimit_take(o->rate, o->now_ns, len))
		return;
	announce_drops(o);
	console_text(o->prefix, line, len, o->plain);
}

/* Polled again after a gather (or its timer again, should epoll refuse). */
static void stop_gathering(struct output *o)
{
	loop_timer_cancel(o->loop, &o->gather);
	if (!o->gathering)
		return;
	if (loop_io_mod(o->loop, &o->io, EPOLLIN) == 0)
		o->gathering = 0;
	else
		loop_timer_in(o->loop, &o->gather, OUTPUT_GATHER_NS);
}

/* A read of n bytes emptied the pipe at o->now_ns: poll it again, or, in a
 * flood of small writes, leave it unpolled for OUTPUT_GATHER_NS so that
 * its lines gather there and come in one read, not one read (and one
 * item, one socket write) a line. PID 1 at nice -10 would otherwise wake
 * at each of the writer's writes and take its few bytes. A flood: a read
 * of less than OUTPUT_GATHER_MIN bytes empties the pipe within
 * OUTPUT_GATHER_NS of the last, and it goes on while each gather finds at
 * least OUTPUT_GATHER_MIN bytes and not the whole read's worth (a full
 * pipe: its writer waited). Big writes (a read of pages) never gather.
 * Bounded: a line waits at most OUTPUT_GATHER_NS more, and the pipe
 * (64 KiB) holds what gathers. */
static void after_empty(struct output *o, size_t n)
{
	uint64_t last = o->emptied_ns;
	int flood = o->gathering ? n >= OUTPUT_GATHER_MIN
				 : n > 0 && n < OUTPUT_GATHER_MIN && o->now_ns - last < OUTPUT_GATHER_NS;
	o->emptied_ns = o->now_ns;
	if (!flood) {
		stop_gathering(o);
		return;
	}
	if (!o->gathering && loop_io_mod(o->loop, &o->io, 0) < 0)
		return;
	o->gathering = 1;
	if (loop_timer_in(o->loop, &o->gather, OUTPUT_GATHER_NS) < 0)
		stop_gathering(o);
}

/* Feed what was read, at most lines lines; the rest goes to the spill. One
 * console write for the lines, not one a line. */
static void feed(struct output *o, const char *p, size_t n, size_t lines)
{
	size_t used;
	console_batch(1);
	used = output_feed_max(o, p, n, lines, emit_line);
	console_batch(0);
	if (used == n)
		return;
	if (!o->spill)
		o->spill = mem_pages(OUTPUT_READ_BUDGET);
	if (!o->spill) {
		/* No memory: in all the same; the ring overwrites what its
		 * followers have yet to send, and tells them so. */
		output_feed(o, p + used, n - used, emit_line);
		return;
	}
	memmove(o->spill, p + used, n - used);
	o->spill_len = n - used;
}

/* Not polled till output_resume: the writer fills its pipe and waits, PID 1
 * does not. A gather's pipe is unpolled already: held now. */
static void hold(struct output *o)
{
	if (o->gathering) {
		loop_timer_cancel(o->loop, &o->gather);
		o->gathering = 0;
		o->held = 1;
	} else if (!o->held && loop_io_mod(o->loop, &o->io, 0) == 0) {
		o->held = 1;
	}
}

/* Room to read (the tap's, SIZE_MAX without a room hook); held, and 0, when
 * there is too little. */
static int has_room(struct output *o, size_t *bytes, size_t *lines)
{
	*bytes = *lines = SIZE_MAX;
	if (!o->room)
		return 1;
	*bytes = o->room(o->tap_ctx, lines);
	if (output_room_ok(*bytes, *lines))
		return 1;
	hold(o);
	return 0;
}

/* Read up to budget bytes, no more than the tap has room for: its spill
 * first. 1 when the pipe is empty now and nothing is spilled, 0 when bytes
 * may be left (budget spent, or held). may_gather: a flood may leave the
 * pipe unpolled for a while (not when a process's last words are read). */
static int read_some(struct output *o, size_t budget, int may_gather)
{
	/* A wake-up's budget in one read: a writer's 64 KiB write costs one
	 * read(2), not four. Static (one loop, never re-entered from what a
	 * read emits): its pages are touched only by a write that big, and
	 * the calls below do not move 64 KiB down the stack. */
	static char buf[OUTPUT_READ_BUDGET];
	/* Spilled bytes wait for no pipe: fed whatever the budget. */
	while (budget > 0 || o->spill_len > 0) {
		size_t want = sizeof(buf) < budget ? sizeof(buf) : budget, room, lines;
		ssize_t n;
		if (!has_room(o, &room, &lines))
			return 0;
		if (o->spill_len > 0) {
			size_t len = o->spill_len, used;
			o->spill_len = 0;
			o->now_ns = loop_now();
			feed(o, o->spill, len, lines);   /* the rest moved to its front */
			used = len - o->spill_len;
			budget -= used < budget ? used : budget;
			continue;
		}
		if (want > room)
			want = room;
		n = read(o->rfd, buf, want);
		if (n < 0 && errno == EINTR)
			continue;
		o->now_ns = loop_now();
		if (n < 0)
			n = 0;
		if (n > 0) {
			feed(o, buf, (size_t)n, lines);
			budget -= (size_t)n;
			if (o->spill_len > 0)
				continue;        /* no line left: held just above */
		}
		/* A pipe gives less than asked only when that is all it has. */
		if ((size_t)n < want) {
			if (o->spill) {
				mem_pages_free(o->spill, OUTPUT_READ_BUDGET);
				o->spill = NULL;
			}
			if (may_gather)
				after_empty(o, (size_t)n);
			return 1;
		}
	}
	return 0;
}

/* The process ended: its partial last line, and what the console dropped. */
static void last_words(struct output *o)
{
	o->last_words = 0;
	o->now_ns = loop_now();
	if (o->len > 0) {
		o->plain = o->line_plain;
		emit_line(o, o->line, o->len);
		o->len = 0;
	}
	announce_drops(o);
}

static void on_spill(struct loop *l, struct loop_timer *t)
{
	struct output *o = t->ctx;
	(void)l;
	if (read_some(o, OUTPUT_READ_BUDGET, 0) && o->last_words)
		last_words(o);
}

static void on_readable(struct loop *l, struct loop_io *io, uint32_t events)
{
	struct output *o = io->ctx;
	(void)l; (void)events;
	if (read_some(o, OUTPUT_READ_BUDGET, 1) && o->last_words)
		last_words(o);
}

/* A gather's end: what gathered in one read; then gather again, or poll. */
static void on_gathered(struct loop *l, struct loop_timer *t)
{
	struct output *o = t->ctx;
	int empty = read_some(o, OUTPUT_READ_BUDGET, 1);
	(void)l;
	if (!empty && !o->held)
		stop_gathering(o);    /* the budget spent: more is waiting */
	if (empty && o->last_words)
		last_words(o);
}

void output_resume(struct output *o)
{
	if (o->held && loop_io_mod(o->loop, &o->io, EPOLLIN) == 0)
		o->held = 0;
	/* The spill does not wait for the pipe to be readable. It goes in at
	 * a loop turn of its own, whose end sends its lines to the followers
	 * (a resume comes after that end). */
	if (!o->held && o->spill_len > 0)
		loop_timer_in(o->loop, &o->spill_timer, 0);
}

int output_open(struct output *o, struct loop *l, const char *prefix, struct ratelimit *rate)
{
	int fds[2];
	memset(o, 0, sizeof(*o));
	o->io.fd = -1;
	o->rfd = o->wfd = -1;
	o->loop = l;
	o->prefix = prefix;
	o->rate = rate;
	loop_timer_init(&o->gather, on_gathered, o);
	loop_timer_init(&o->spill_timer, on_spill, o);
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	o->rfd = fds[0];
	o->wfd = fds[1];
	fcntl(o->rfd, F_SETFL, O_NONBLOCK);
	if (loop_io_add(l, &o->io, o->rfd, EPOLLIN, on_readable, o) < 0) {
		close(o->rfd);
		close(o->wfd);
		o->rfd = o->wfd = -1;
		return -1;
	}
	return 0;
}

void output_drain(struct output *o)
{
	if (o->rfd < 0)
		return;
	stop_gathering(o);
	/* Bounded: a process's descendants may still be writing. Held: the
	 * rest comes once the tap has room, after the exit notice. */
	if (o->held || !read_some(o, 1024 * 1024, 0)) {
		o->last_words = 1;
		return;
	}
	/* The process ended: tell what was dropped now, not at its next line. */
	last_words(o);
}

void output_close(struct output *o, struct loop *l)
{
	if (o->rfd < 0)
		return;
	/* The end: what is left goes in, overwriting what followers have not
	 * read (they are told how much they lost). */
	o->room = NULL;
	o->held = 0;
	output_drain(o);
	loop_timer_cancel(l, &o->spill_timer);
	mem_pages_free(o->spill, OUTPUT_READ_BUDGET);
	o->spill = NULL;
	o->spill_len = 0;
	loop_io_del(l, &o->io);
	close(o->rfd);
	close(o->wfd);
	o->rfd = o->wfd = -1;
}
