/* console.c - the bounded, non-blocking console.
 *
 * Owns: the console fd and a ring of CONSOLE_RING_SIZE bytes.
 * Invariants: the ring only ever holds whole lines ending in '\n'; a line that
 * does not fit is dropped whole and counted; the fd is O_NONBLOCK unless it is
 * a regular file (which never blocks anyway).
 * Never: blocks (except console_drain, bounded, after the loop has stopped),
 * allocates, or loses a line without counting it.
 *
 * A line is written at once, except in a batch (console_batch: a pipe read's
 * many lines, a reap pass, the halt), whose lines are written together at
 * its end, or once CONSOLE_BATCH_BYTES are queued: one write(2) for many
 * lines. Batches nest: the outermost one's end writes.
 */
#include "console.h"
#include "loop.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

/* Zero-initialised, so it lives in .bss and costs the binary nothing. */
static char ring[CONSOLE_RING_SIZE];

static struct {
	int fd;
	size_t head, len;          /* head: first queued byte */
	uint64_t pending_drops;    /* dropped since the last notice */
	struct console_stats st;
	struct loop *loop;
	struct loop_io io;
	int watching;
	int batch;                 /* console_batch(1)s not yet ended: no
	                            * write per line while > 0 */
} con = { .fd = 2, .io = { .fd = -1 } };

void console_init(int fd)
{
	struct stat sb;
	char path[32];
	int nfd;

	con.fd = fd;
	if (fstat(fd, &sb) < 0 || S_ISREG(sb.st_mode))
		return;
	/* A fresh open file description of the same tty or pipe: O_NONBLOCK on
	 * it does not leak into whoever else holds the original one. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	nfd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (nfd >= 0) {
		con.fd = nfd;
		return;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static void ring_consume(size_t n)
{
	con.head = (con.head + n) % CONSOLE_RING_SIZE;
	con.len -= n;
	if (con.len == 0)
		con.head = 0;
}

/* Write as much as the fd takes now. Returns 1 if bytes remain queued. */
static int flush_some(void)
{
	while (con.len > 0) {
		size_t chunk = CONSOLE_RING_SIZE - con.head;
		ssize_t n;
		if (chunk > con.len)
			chunk = con.len;
		n = write(con.fd, ring + con.head, chunk);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 1;
			/* A console that errors (closed, EIO) loses what is queued,
			 * counted as dropped lines rather than retried forever. */
			for (size_t i = 0; i < con.len; i++)
				if (ring[(con.head + i) % CONSOLE_RING_SIZE] == '\n') {
					con.st.dropped_lines++;
					con.pending_drops++;
				}
			ring_consume(con.len);
			return 0;
		}
		ring_consume((size_t)n);
	}
	return 0;
}

static void on_writable(struct loop *l, struct loop_io *io, uint32_t events);

static void update_watch(void)
{
	int want = con.len > 0;
	if (!con.loop || want == con.watching)
		return;
	if (want) {
		if (loop_io_add(con.loop, &con.io, con.fd, EPOLLOUT, on_writable, NULL) == 0)
			con.watching = 1;
	} else {
		loop_io_del(con.loop, &con.io);
		con.watching = 0;
	}
}

static void on_writable(struct loop *l, struct loop_io *io, uint32_t events)
{
	(void)l; (void)io; (void)events;
	flush_some();
	update_watch();
}

int console_attach(struct loop *l)
{
	con.loop = l;
	update_watch();
	return 0;
}

static void ring_put(const char *p, size_t n)
{
	size_t tail = (con.head + con.len) % CONSOLE_RING_SIZE;
	size_t first = CONSOLE_RING_SIZE - tail;
	if (first > n)
		first = n;
	memcpy(ring + tail, p, first);
	memcpy(ring, p + first, n - first);
	con.len += n;
}

/* A NUL byte would reach the terminal raw (invisible, or cut a line short
 * for whoever reads the serial log with C strings): it is shown as "^@", as
 * cat -v and less do. The log ring and the host's `logs` keep the bytes. */
#define NUL_SHOWN "^@"

static void ring_put_text(const char *p, size_t n)
{
	while (n > 0) {
		const char *z = memchr(p, '\0', n);
		size_t run = z ? (size_t)(z - p) : n;
		ring_put(p, run);
		p += run;
		n -= run;
		if (z) {
			ring_put(NUL_SHOWN, sizeof(NUL_SHOWN) - 1);
			p++;
			n--;
		}
	}
}

static size_t text_width(const char *p, size_t n)
{
	size_t w = n;
	for (const char *z; n > 0 && (z = memchr(p, '\0', n)); n -= (size_t)(z + 1 - p), p = z + 1)
		w += sizeof(NUL_SHOWN) - 2;
	return w;
}

/* no_nul: the caller knows text has no NUL byte, so it is not looked for;
 * otherwise one memchr over it, and the NUL-by-NUL path only if it has one. */
static int enqueue(const char *prefix, const char *text, size_t len, int no_nul)
{
	size_t plen = prefix ? strlen(prefix) + 3 : 0;
	int nul = !no_nul && memchr(text, '\0', len) != NULL;
	size_t tlen = nul ? text_width(text, len) : len;
	if (plen + tlen + 1 > CONSOLE_RING_SIZE - con.len)
		return -1;
	if (prefix) {
		ring_put(prefix, plen - 3);
		ring_put(" | ", 3);
	}
	if (nul)
		ring_put_text(text, len);
	else
		ring_put(text, len);
	ring_put("\n", 1);
	con.st.lines++;
	con.st.bytes += plen + tlen + 1;
	return 0;
}

void console_batch(int on)
{
	con.batch += on ? 1 : con.batch > 0 ? -1 : 0;
	if (!con.batch && con.len > 0) {
		flush_some();
		update_watch();
	}
}

void console_line(const char *prefix, const char *text, size_t len)
{
	console_text(prefix, text, len, 0);
}

void console_text(const char *prefix, const char *text, size_t len, int no_nul)
{
	if (con.len > 0 && (!con.batch || con.len >= CONSOLE_BATCH_BYTES))
		flush_some();
	if (con.pending_drops > 0) {
		char note[96];
		int n = snprintf(note, sizeof(note),
				 "vminit: console too slow or failing: %llu lines dropped",
				 (unsigned long long)con.pending_drops);
		if (enqueue(NULL, note, (size_t)n, 1) == 0)
			con.pending_drops = 0;
	}
	while (len > CONSOLE_LINE_MAX) {
		console_text(prefix, text, CONSOLE_LINE_MAX, no_nul);
		text += CONSOLE_LINE_MAX;
		len -= CONSOLE_LINE_MAX;
	}
	if (con.pending_drops > 0 || enqueue(prefix, text, len, no_nul) < 0) {
		con.pending_drops++;
		con.st.dropped_lines++;
	}
	if (con.batch)
		return;
	flush_some();
	update_watch();
}

void console_drain(int timeout_ms)
{
	struct pollfd p = { .fd = con.fd, .events = POLLOUT };
	uint64_t deadline = loop_now() + (uint64_t)timeout_ms * LOOP_NS_PER_MS;
	while (flush_some()) {
		uint64_t now = loop_now();
		if (now >= deadline ||
		    poll(&p, 1, (int)((deadline - now + LOOP_NS_PER_MS - 1) / LOOP_NS_PER_MS)) <= 0)
			break;
	}
}

int console_fd(void)
{
	return con.fd;
}

void console_get_stats(struct console_stats *ret)
{
	*ret = con.st;
}

static void vlog(const char *level, const char *fmt, va_list ap)
{
	char buf[CONSOLE_LINE_MAX];
	int n = snprintf(buf, sizeof(buf), "vminit: %s", level);
	int m = vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
	if (len >= sizeof(buf))
		len = sizeof(buf) - 1;
	console_line(NULL, buf, len);
}

void log_info(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog("", fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog("warning: ", fmt, ap);
	va_end(ap);
}

void log_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog("error: ", fmt, ap);
	va_end(ap);
}
