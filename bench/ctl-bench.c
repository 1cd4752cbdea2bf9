/* ctl-bench.c - a load generator for vminit's host channel over a unix
 * socket (docs/protocol.md). A benchmark, not a test: it prints figures and
 * checks only that every reply is {"id":<the expected id>,"ok":true,...}.
 *
 *   ctl-bench -a PATH [-o OP] [-c CONNS] [-d DEPTH] [-t SECONDS | -n COUNT]
 *             [-w WARMUP] [-T STALL] [-v]
 *   ctl-bench -a PATH -o OP -1       send one request, print its reply
 *
 * C connections, each with D requests of OP in flight (a reply arrives, the
 * next request goes out), all driven by one poll() loop over non-blocking
 * sockets. Requests on one connection are answered in order (protocol §1),
 * so each connection's send times are a FIFO and a reply's latency is now
 * minus the oldest send time. With D=1 that is the round trip.
 *
 * Output: one line of key=value pairs, for people and for bench/ctl.sh:
 *   op conns depth requests errors busy seconds rps p50_us p90_us p99_us
 *   max_us worst100ms_rps client_cpu_pct replies_all
 * worst100ms_rps is the rate of the slowest 100 ms slice of the run: a stall
 * of the server shows there even when the averages hide it. replies_all
 * counts every reply, warm-up and drain included (for CPU per request).
 *
 * Only replies to requests sent after the warm-up and received before the end
 * count. At the end no new request is sent; the ones in flight are drained
 * (not counted) so that vminit is not left writing to closed sockets.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 4096
#define MAX_DEPTH 4096
#define LINE_MAX_BYTES (2u * 1024u * 1024u)   /* a reply is at most 1 MiB */
#define SLICE_NS 100000000ull                  /* 100 ms */

struct bconn {
	int fd;
	int open;
	int failed;             /* an error was counted for the connection itself */
	char *in;
	size_t inlen, incap;
	char *out;
	size_t outlen, outoff, outcap;
	uint64_t *sent_ns;      /* ring of `depth` send times, oldest at head */
	unsigned head, inflight;
	uint64_t next_id, expect_id;
};

static struct {
	const char *path, *op;
	unsigned conns, depth;
	double seconds, warmup, stall;
	uint64_t count;         /* 0: run for `seconds` */
	int verbose;            /* print every error (the first 50) */
} opt = { NULL, "ping", 1, 1, 3.0, 0.5, 5.0, 0, 0 };

static struct bconn *conns;
static uint64_t *lat_ns;
static size_t nlat, caplat;
static uint64_t *slices;
static size_t nslices;
static uint64_t errors, busy, closed_conns, replies_all;
static uint64_t issued_measured;
static uint64_t t_meas, t_end;  /* the measured window [t_meas, t_end) */
static int sending = 1;
static char first_error[256];

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "ctl-bench: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p)
		die("realloc");
	return p;
}

static void note_error(const char *line, size_t len)
{
	errors++;
	if (memmem(line, len, "\"code\":\"busy\"", 13))
		busy++;
	if (opt.verbose && errors <= 50)
		fprintf(stderr, "ctl-bench: error: %.*s\n", (int)(len > 200 ? 200 : len), line);
	if (!first_error[0])
		snprintf(first_error, sizeof(first_error), "%.*s", (int)(len > 200 ? 200 : len), line);
}

static int connect_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/* A blocking connect: vminit accepts from its loop, and a full backlog
	 * makes a non-blocking connect fail with EAGAIN instead of waiting. */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void conn_close(struct bconn *c)
{
	if (!c->open)
		return;
	close(c->fd);
	c->open = 0;
	c->inflight = 0;
}

static void conn_read(struct bconn *c, uint64_t now);

/* The connection ended under us: one error for it, however many ways it
 * shows (an error line, then EPIPE, then ECONNRESET). */
static void conn_lost(struct bconn *c, const char *why)
{
	if (!c->open)
		return;
	if (!c->failed) {
		note_error(why, strlen(why));
		c->failed = 1;
	}
	closed_conns++;
	conn_close(c);
}

static void conn_flush(struct bconn *c)
{
	while (c->outoff < c->outlen) {
		ssize_t n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0) {
			/* vminit may have said why before it closed (a refusal). */
			char why[128];
			snprintf(why, sizeof(why), "(send: %s)", strerror(errno));
			conn_read(c, now_ns());
			conn_lost(c, why);
			return;
		}
		c->outoff += (size_t)n;
	}
	c->outoff = c->outlen = 0;
}

/* Fill the connection up to `depth` requests in flight. */
static void conn_fill(struct bconn *c, uint64_t now)
{
	while (c->open && sending && c->inflight < opt.depth) {
		char req[160];
		int n;
		if (opt.count && now >= t_meas && issued_measured >= opt.count)
			break;
		n = snprintf(req, sizeof(req), "{\"id\":%llu,\"op\":\"%s\"}\n",
			     (unsigned long long)c->next_id, opt.op);
		if (c->outlen + (size_t)n > c->outcap) {
			c->outcap = (c->outlen + (size_t)n) * 2;
			c->out = xrealloc(c->out, c->outcap);
		}
		memcpy(c->out + c->outlen, req, (size_t)n);
		c->outlen += (size_t)n;
		c->sent_ns[(c->head + c->inflight) % opt.depth] = now;
		c->inflight++;
		c->next_id++;
		if (now >= t_meas)
			issued_measured++;
	}
	if (c->open)
		conn_flush(c);
}

static void record(uint64_t sent, uint64_t now)
{
	if (sent < t_meas || (t_end && now >= t_end))
		return;
	if (nlat == caplat) {
		caplat = caplat ? caplat * 2 : 65536;
		lat_ns = xrealloc(lat_ns, caplat * sizeof(*lat_ns));
	}
	lat_ns[nlat++] = now - sent;
	size_t s = (size_t)((now - t_meas) / SLICE_NS);
	if (s >= nslices) {
		size_t n = s + 64;
		slices = xrealloc(slices, n * sizeof(*slices));
		memset(slices + nslices, 0, (n - nslices) * sizeof(*slices));
		nslices = n;
	}
	slices[s]++;
}

static void handle_line(struct bconn *c, const char *line, size_t len, uint64_t now)
{
	char want[64];
	int n;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len == 0)
		return;
	if (len < 6 || memcmp(line, "{\"id\":", 6) != 0) {
		/* No id: vminit's word on the connection (a refusal), not a reply. */
		if (!c->failed)
			note_error(line, len);
		c->failed = 1;
		return;
	}
	if (c->inflight == 0) {
		note_error(line, len);   /* a reply nobody asked for */
		return;
	}
	n = snprintf(want, sizeof(want), "{\"id\":%llu,\"ok\":true,", (unsigned long long)c->expect_id);
	if (len < (size_t)n || memcmp(line, want, (size_t)n) != 0) {
		uint64_t sent = c->sent_ns[c->head];
		if (sent >= t_meas && (!t_end || now < t_end))
			note_error(line, len);
	} else {
		record(c->sent_ns[c->head], now);
	}
	replies_all++;
	c->head = (c->head + 1) % opt.depth;
	c->inflight--;
	c->expect_id++;
}

static void conn_read(struct bconn *c, uint64_t now)
{
	char lost[128] = "";
	if (!c->open)
		return;
	for (;;) {
		ssize_t n;
		size_t room;
		if (c->incap - c->inlen < 65536) {
			if (c->incap >= LINE_MAX_BYTES) {
				errno = EMSGSIZE;
				die("a reply line over 2 MiB");
			}
			c->incap = c->incap ? c->incap * 2 : 131072;
			c->in = xrealloc(c->in, c->incap);
		}
		room = c->incap - c->inlen;
		n = read(c->fd, c->in + c->inlen, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			snprintf(lost, sizeof(lost), "(connection closed by vminit%s%s)",
				 n ? ": " : "", n ? strerror(errno) : "");
			break;
		}
		c->inlen += (size_t)n;
		if ((size_t)n < room)
			break;   /* a short read: the socket is empty */
	}
	/* Whole lines only; a partial one waits for its end. */
	size_t off = 0;
	for (;;) {
		char *nl = memchr(c->in + off, '\n', c->inlen - off);
		if (!nl)
			break;
		handle_line(c, c->in + off, (size_t)(nl - (c->in + off)), now);
		off = (size_t)(nl - c->in) + 1;
	}
	if (off) {
		memmove(c->in, c->in + off, c->inlen - off);
		c->inlen -= off;
	}
	if (lost[0]) {
		if (sending || c->inflight)
			conn_lost(c, lost);
		else
			conn_close(c);
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static double pct_us(double p)
{
	size_t i;
	if (!nlat)
		return 0;
	i = (size_t)(p / 100.0 * (double)nlat + 0.999999);
	i = i ? i - 1 : 0;
	if (i >= nlat)
		i = nlat - 1;
	return (double)lat_ns[i] / 1000.0;
}

static double cpu_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* -1: one request, its reply on stdout. For scripts (readiness, counters). */
static int one_request(void)
{
	char buf[65536];
	size_t len = 0;
	int fd = connect_unix(opt.path), n;
	struct pollfd p;
	uint64_t deadline = now_ns() + (uint64_t)(opt.stall * 1e9);
	if (fd < 0)
		return 1;
	n = snprintf(buf, sizeof(buf), "{\"id\":1,\"op\":\"%s\"}\n", opt.op);
	if (send(fd, buf, (size_t)n, MSG_NOSIGNAL) != n)
		return 1;
	p.fd = fd;
	p.events = POLLIN;
	while (len < sizeof(buf) - 1) {
		uint64_t now = now_ns();
		ssize_t r;
		char *nl;
		if (now >= deadline)
			return 1;
		if (poll(&p, 1, (int)((deadline - now) / 1000000 + 1)) < 0 && errno != EINTR)
			return 1;
		r = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r <= 0)
			return 1;
		len += (size_t)r;
		if ((nl = memchr(buf, '\n', len))) {
			fwrite(buf, 1, (size_t)(nl - buf) + 1, stdout);
			close(fd);
			return memmem(buf, (size_t)(nl - buf), "\"ok\":true", 9) ? 0 : 1;
		}
	}
	return 1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: ctl-bench -a [unix:]PATH [-o OP] [-c CONNS] [-d DEPTH]\n"
		"                 [-t SECONDS | -n COUNT] [-w WARMUP_SECONDS] [-T STALL_SECONDS] [-v]\n"
		"       ctl-bench -a [unix:]PATH [-o OP] -1   (one request; print the reply)\n"
		"  OP ping (default) or status; CONNS connections, DEPTH requests in flight on\n"
		"  each (1, 1); 3 s after a 0.5 s warm-up; a reply older than STALL (5 s) ends\n"
		"  its connection as an error. -v prints each error (the first 50).\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct pollfd *pfd;
	int ch, one = 0;
	uint64_t t0, t_stop = 0, deadline_drain = 0;
	double cpu0 = 0, cpu1 = 0;

	while ((ch = getopt(argc, argv, "a:o:c:d:t:n:w:T:1vh")) != -1) {
		switch (ch) {
		case 'a': opt.path = strncmp(optarg, "unix:", 5) ? optarg : optarg + 5; break;
		case 'o': opt.op = optarg; break;
		case 'c': opt.conns = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'd': opt.depth = (unsigned)strtoul(optarg, NULL, 10); break;
		case 't': opt.seconds = strtod(optarg, NULL); break;
		case 'n': opt.count = strtoull(optarg, NULL, 10); break;
		case 'w': opt.warmup = strtod(optarg, NULL); break;
		case 'T': opt.stall = strtod(optarg, NULL); break;
		case '1': one = 1; break;
		case 'v': opt.verbose = 1; break;
		default: usage();
		}
	}
	if (!opt.path || optind != argc || opt.conns < 1 || opt.conns > MAX_CONNS ||
	    opt.depth < 1 || opt.depth > MAX_DEPTH || opt.seconds <= 0 || opt.warmup < 0 ||
	    opt.stall <= 0 || strlen(opt.op) > 64 || strpbrk(opt.op, "\"\\"))
		usage();
	signal(SIGPIPE, SIG_IGN);
	if (one)
		return one_request();

	conns = calloc(opt.conns, sizeof(*conns));
	pfd = calloc(opt.conns, sizeof(*pfd));
	if (!conns || !pfd)
		die("calloc");
	for (unsigned i = 0; i < opt.conns; i++) {
		struct bconn *c = &conns[i];
		c->fd = connect_unix(opt.path);
		if (c->fd < 0)
			die(opt.path);
		c->open = 1;
		c->next_id = c->expect_id = 1;
		c->sent_ns = calloc(opt.depth, sizeof(*c->sent_ns));
		if (!c->sent_ns)
			die("calloc");
	}

	t0 = now_ns();
	t_meas = t0 + (uint64_t)(opt.warmup * 1e9);
	if (!opt.warmup)
		cpu0 = cpu_s();
	for (unsigned i = 0; i < opt.conns; i++)
		conn_fill(&conns[i], t0);

	for (;;) {
		uint64_t now = now_ns();
		int timeout = 100, live = 0, pending = 0;
		if (cpu0 == 0 && now >= t_meas)
			cpu0 = cpu_s();
		if (sending && !opt.count && now >= t_meas + (uint64_t)(opt.seconds * 1e9)) {
			t_end = t_meas + (uint64_t)(opt.seconds * 1e9);
			sending = 0;
		}
		if (sending && opt.count && now >= t_meas && issued_measured >= opt.count) {
			int busy_conns = 0;
			for (unsigned i = 0; i < opt.conns; i++)
				busy_conns |= conns[i].open && conns[i].inflight;
			if (!busy_conns) {
				t_end = now + 1;
				sending = 0;
			}
		}
		if (!sending && !t_stop) {
			t_stop = now;
			cpu1 = cpu_s();
			deadline_drain = now + (uint64_t)(opt.stall * 1e9);
		}
		for (unsigned i = 0; i < opt.conns; i++) {
			struct bconn *c = &conns[i];
			pfd[i].fd = c->open ? c->fd : -1;
			pfd[i].events = POLLIN | (c->outoff < c->outlen ? POLLOUT : 0);
			pfd[i].revents = 0;
			live += c->open;
			pending += c->open && c->inflight;
			/* A reply that does not come is what this benchmark is for. */
			if (c->open && c->inflight && now - c->sent_ns[c->head] > (uint64_t)(opt.stall * 1e9)) {
				fprintf(stderr, "ctl-bench: stall: connection %u has had no reply for %.1f s"
					" (%u in flight)\n", i, (double)(now - c->sent_ns[c->head]) / 1e9, c->inflight);
				conn_lost(c, "(stall)");
			}
		}
		if (!live)
			break;
		if (!sending && (!pending || now >= deadline_drain))
			break;
		if (sending && now < t_meas)
			timeout = (int)((t_meas - now) / 1000000) + 1;
		if (timeout > 100)
			timeout = 100;
		if (poll(pfd, opt.conns, timeout) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		now = now_ns();
		for (unsigned i = 0; i < opt.conns; i++) {
			struct bconn *c = &conns[i];
			if (!c->open || !pfd[i].revents)
				continue;
			if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
				conn_read(c, now);
			if (c->open && (pfd[i].revents & POLLOUT))
				conn_flush(c);
			if (c->open)
				conn_fill(c, now);
		}
	}
	if (!t_end)
		t_end = now_ns();
	if (!t_stop) {
		t_stop = now_ns();
		cpu1 = cpu_s();
	}
	for (unsigned i = 0; i < opt.conns; i++) {
		conn_close(&conns[i]);
		free(conns[i].in);
		free(conns[i].out);
		free(conns[i].sent_ns);
	}
	free(conns);
	free(pfd);

	double secs = (double)(t_end - t_meas) / 1e9;
	double worst = -1;
	size_t full = (size_t)((t_end - t_meas) / SLICE_NS);   /* whole slices only */
	for (size_t s = 0; s < full; s++) {
		double r = (s < nslices ? (double)slices[s] : 0) / (SLICE_NS / 1e9);
		if (worst < 0 || r < worst)
			worst = r;
	}
	qsort(lat_ns, nlat, sizeof(*lat_ns), cmp_u64);
	printf("op=%s conns=%u depth=%u requests=%zu errors=%llu busy=%llu seconds=%.3f rps=%.0f"
	       " p50_us=%.1f p90_us=%.1f p99_us=%.1f max_us=%.1f worst100ms_rps=%.0f"
	       " client_cpu_pct=%.0f replies_all=%llu\n",
	       opt.op, opt.conns, opt.depth, nlat, (unsigned long long)errors,
	       (unsigned long long)busy, secs, secs > 0 ? (double)nlat / secs : 0,
	       pct_us(50), pct_us(90), pct_us(99), nlat ? (double)lat_ns[nlat - 1] / 1000.0 : 0,
	       worst < 0 ? 0 : worst,
	       t_stop > t_meas ? 100.0 * (cpu1 - cpu0) / ((double)(t_stop - t_meas) / 1e9) : 0,
	       (unsigned long long)replies_all);
	if (first_error[0])
		fprintf(stderr, "ctl-bench: %llu errors (%llu connections closed); first: %s\n",
			(unsigned long long)errors, (unsigned long long)closed_conns, first_error);
	free(lat_ns);
	free(slices);
	return errors || !nlat ? 1 : 0;
}
