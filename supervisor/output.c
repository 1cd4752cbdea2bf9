/* output.c - process output pipes -> console lines, rate limited per process.
 *
 * Invariants: at most CONSOLE_LINE_MAX bytes buffered per stream; at most
 * OUTPUT_READ_BUDGET bytes read per wake-up, so a flooding process cannot
 * starve the rest of the loop; every dropped line is counted.
 */
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

void ratelimit_init(struct ratelimit *r, uint64_t now_ns)
{
	*r = (struct ratelimit){ .tokens_milli = RATE_BURST_LINES * 1000ull, .last_ns = now_ns };
}

int ratelimit_take(struct ratelimit *r, uint64_t now_ns)
{
	/* Refill lazily on use: no timer, no wake-up while idle. Only the time
	 * turned into whole milli-tokens is consumed, so frequent calls do not
	 * round the refill away. */
	if (now_ns > r->last_ns) {
		uint64_t dt = now_ns - r->last_ns, add;
		if (dt >= 60 * 1000000000ull) {          /* long idle: full, no overflow */
			r->tokens_milli = RATE_BURST_LINES * 1000ull;
			r->last_ns = now_ns;
		} else {
			add = dt * RATE_LINES_PER_SEC / 1000000;       /* milli-tokens */
			r->last_ns += add * 1000000 / RATE_LINES_PER_SEC;
			r->tokens_milli += add;
			if (r->tokens_milli > RATE_BURST_LINES * 1000ull)
				r->tokens_milli = RATE_BURST_LINES * 1000ull;
		}
	}
	if (r->tokens_milli < 1000) {
		r->pending_drops++;
		r->dropped++;
		return 0;
	}
	r->tokens_milli -= 1000;
	return 1;
}

void output_feed(struct output *o, const char *data, size_t n,
		 void (*emit)(struct output *o, const char *line, size_t len))
{
	while (n > 0) {
		const char *nl;
		size_t take, room;
		/* A full buffer is a piece of a long line, emitted only once the
		 * next byte shows the line goes on (a '\n' right after it would
		 * make it a line of exactly the maximum). */
		if (o->len == sizeof(o->line) && *data != '\n') {
			emit(o, o->line, o->len);
			o->len = 0;
		}
		nl = memchr(data, '\n', n);
		take = nl ? (size_t)(nl - data) : n;
		room = sizeof(o->line) - o->len;
		if (take > room)
			take = room;
		memcpy(o->line + o->len, data, take);
		o->len += take;
		data += take;
		n -= take;
		if (n > 0 && *data == '\n') {
			data++;
			n--;
			emit(o, o->line, o->len);
			o->len = 0;
		}
	}
}

static void announce_drops(struct output *o)
{
	char note[128];
	int n;
	if (o->rate->pending_drops == 0)
		return;
	uint64_t dropped = o->rate->pending_drops;
	n = snprintf(note, sizeof(note), "vminit: %llu lines dropped (over %u lines/s)",
		     (unsigned long long)dropped, RATE_LINES_PER_SEC);
	o->rate->pending_drops = 0;
	console_line(o->prefix, note, (size_t)n);
	if (o->drop_tap)
		o->drop_tap(o->tap_ctx, dropped);
}

static void emit_line(struct output *o, const char *line, size_t len)
{
	uint64_t now = loop_now();
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (!ratelimit_take(o->rate, now))
		return;
	announce_drops(o);
	o->lines++;
	console_line(o->prefix, line, len);
	if (o->tap)
		o->tap(o->tap_ctx, o->stream, line, len);
}

static void read_some(struct output *o, size_t budget)
{
	char buf[16384];
	while (budget > 0) {
		ssize_t n = read(o->rfd, buf, sizeof(buf) < budget ? sizeof(buf) : budget);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		output_feed(o, buf, (size_t)n, emit_line);
		budget -= (size_t)n;
	}
}

static void on_readable(struct loop *l, struct loop_io *io, uint32_t events)
{
	(void)l; (void)events;
	read_some(io->ctx, OUTPUT_READ_BUDGET);
}

int output_open(struct output *o, struct loop *l, const char *prefix, struct ratelimit *rate)
{
	int fds[2];
	memset(o, 0, sizeof(*o));
	o->io.fd = -1;
	o->rfd = o->wfd = -1;
	o->prefix = prefix;
	o->rate = rate;
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
	/* Bounded: a process's descendants may still be writing. */
	read_some(o, 1024 * 1024);
	if (o->len > 0) {
		emit_line(o, o->line, o->len);
		o->len = 0;
	}
	/* The process ended: tell what was dropped now, not at its next line. */
	announce_drops(o);
}

void output_close(struct output *o, struct loop *l)
{
	if (o->rfd < 0)
		return;
	output_drain(o);
	loop_io_del(l, &o->io);
	close(o->rfd);
	close(o->wfd);
	o->rfd = o->wfd = -1;
}
