/* client.c - see client.h. Owns one socket and its read buffer per vmc.
 *
 * Invariants:
 * - The socket is non-blocking; every wait is a poll() bounded by a deadline
 *   on CLOCK_MONOTONIC (-1: none), so no call blocks past its timeout.
 * - buf[head..tail) holds bytes read but not yet returned; buf[head..scan)
 *   is known to hold no '\n', so a long line is scanned once, not once per
 *   read. The buffer only grows to hold the longest line a caller asked for
 *   (its cap), so a stream of items reuses it and never grows per item.
 * - The Firecracker handshake reads its "OK" line through the same buffer:
 *   bytes the guest sent right after it stay there for the first read.
 * Never: raise SIGPIPE (sends use MSG_NOSIGNAL), retry after the deadline.
 */
#include "client.h"
#include "channel/addr.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <linux/vm_sockets.h>

#define VMC_BUF_INITIAL 65536
#define VMC_RETRY_MS 100

struct vmc {
	int fd;
	char *buf;
	size_t cap;          /* allocated */
	size_t head, scan, tail;
	int skipping;        /* dropping the rest of a line that was too long */
	int eof;             /* the other end closed; buf may still hold lines */
};

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long deadline_of(int timeout_ms)
{
	return timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
}

/* What poll() takes: -1 (no deadline), 0 (passed) or the ms left. */
static int ms_left(long long deadline)
{
	long long left;
	if (deadline < 0)
		return -1;
	left = deadline - now_ms();
	return left <= 0 ? 0 : left > INT_MAX ? INT_MAX : (int)left;
}

static void seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* 0 once fd is ready for events (or has an error to report), -1 with errno
 * (ETIMEDOUT when the deadline passed). */
static int wait_fd(int fd, short events, long long deadline)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = events };
		int n = poll(&p, 1, ms_left(deadline));
		if (n > 0)
			return 0;
		if (n == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (errno != EINTR)
			return -1;
	}
}

static int send_all(struct vmc *c, const char *p, size_t n, long long deadline)
{
	while (n > 0) {
		ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
		if (w >= 0) {
			p += w;
			n -= (size_t)w;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		if (wait_fd(c->fd, POLLOUT, deadline) < 0)
			return -1;
	}
	return 0;
}

/* Read more into the buffer, making room first; want is the caller's cap,
 * the most the buffer has to hold. 0 (bytes read, EOF noted, or
 * interrupted), or -1 with errno. */
static int fill(struct vmc *c, size_t want, long long deadline)
{
	ssize_t r;

	if (c->head == c->tail) {
		c->head = c->scan = c->tail = 0;
	} else if (c->tail == c->cap && c->head > 0) {
		memmove(c->buf, c->buf + c->head, c->tail - c->head);
		c->scan -= c->head;
		c->tail -= c->head;
		c->head = 0;
	}
	if (c->tail == c->cap) {
		/* Full of one unfinished line no longer than want (read_line
		 * checked): grow towards want + 1, which is over c->cap. */
		size_t ncap = c->cap * 2;
		char *nbuf;
		if (ncap > want + 1)
			ncap = want + 1;
		nbuf = realloc(c->buf, ncap);
		if (!nbuf)
			return -1;
		c->buf = nbuf;
		c->cap = ncap;
	}
	for (;;) {
		r = read(c->fd, c->buf + c->tail, c->cap - c->tail);
		if (r > 0) {
			c->tail += (size_t)r;
			return 0;
		}
		if (r == 0) {
			c->eof = 1;
			return 0;
		}
		if (errno == EINTR)
			return 0;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		if (wait_fd(c->fd, POLLIN, deadline) < 0)
			return -1;
	}
}

static ssize_t read_line(struct vmc *c, char *out, size_t cap, long long deadline)
{
	if (cap < 2 || cap > SSIZE_MAX) {
		errno = EINVAL;
		return -1;
	}
	for (;;) {
		char *nl;
		if (c->skipping) {
			nl = memchr(c->buf + c->head, '\n', c->tail - c->head);
			if (nl) {
				c->head = c->scan = (size_t)(nl - c->buf) + 1;
				c->skipping = 0;
			} else {
				c->head = c->scan = c->tail = 0;
			}
		}
		if (!c->skipping) {
			nl = memchr(c->buf + c->scan, '\n', c->tail - c->scan);
			if (nl) {
				size_t start = c->head, len = (size_t)(nl - c->buf) - start;
				c->head = c->scan = (size_t)(nl - c->buf) + 1;
				if (len > 0 && c->buf[start + len - 1] == '\r')
					len--;
				if (len == 0)
					continue;
				if (len >= cap) {
					errno = EMSGSIZE;
					return -1;
				}
				memcpy(out, c->buf + start, len);
				out[len] = '\0';
				return (ssize_t)len;
			}
			c->scan = c->tail;
			/* cap - 1 bytes and a '\r' could still make a line. */
			if (c->tail - c->head > cap) {
				c->skipping = 1;
				c->head = c->scan = c->tail = 0;
				errno = EMSGSIZE;
				return -1;
			}
		}
		if (c->eof) {
			if (c->tail > c->head) {
				c->head = c->scan = c->tail = 0;
				errno = ECONNRESET;
				return -1;
			}
			return 0;
		}
		if (fill(c, cap, deadline) < 0)
			return -1;
	}
}

static void reset(struct vmc *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->head = c->scan = c->tail = 0;
	c->skipping = c->eof = 0;
}

/* Errors that mean "not there yet": the VM, Firecracker or the listener is
 * still starting. Worth another try until the deadline. */
static int transient(int e)
{
	return e == ENOENT || e == ECONNREFUSED || e == ECONNRESET || e == EAGAIN ||
	       e == EPIPE || e == ETIMEDOUT || e == ENODEV || e == EHOSTUNREACH ||
	       e == ENETUNREACH;
}

/* The attempts below: 0 connected, 1 worth another try, -1 failed for good
 * (errno set). A reason goes to why either way. */
static int sock_connect(struct vmc *c, int domain, const struct sockaddr *sa, socklen_t len,
			long long deadline, char *why, size_t whylen)
{
	int e;
	socklen_t elen = sizeof(e);

	c->fd = socket(domain, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		e = errno;
		seterr(why, whylen, "socket: %s", strerror(e));
		errno = e;
		return -1;
	}
	if (connect(c->fd, sa, len) == 0)
		return 0;
	e = errno;
	if (e == EINPROGRESS) {
		/* The deadline passing here is final, not a reason to retry. */
		if (wait_fd(c->fd, POLLOUT, deadline) < 0) {
			e = errno;
			seterr(why, whylen, "connect: %s", strerror(e));
			errno = e;
			return -1;
		}
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &elen) < 0)
			e = errno;
		if (e == 0)
			return 0;
	}
	seterr(why, whylen, "connect: %s", strerror(e));
	errno = e;
	return transient(e) ? 1 : -1;
}

static int unix_connect(struct vmc *c, const char *path, long long deadline, char *why, size_t whylen)
{
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	/* addr_parse keeps paths under sizeof(sun_path). */
	memcpy(sa.sun_path, path, strlen(path));
	return sock_connect(c, AF_UNIX, (const struct sockaddr *)&sa, sizeof(sa), deadline, why, whylen);
}

static int vsock_connect(struct vmc *c, const struct addr *a, long long deadline, char *why,
			 size_t whylen)
{
	struct sockaddr_vm sa;
	memset(&sa, 0, sizeof(sa));
	sa.svm_family = AF_VSOCK;
	sa.svm_cid = a->cid;
	sa.svm_port = a->port;
	return sock_connect(c, AF_VSOCK, (const struct sockaddr *)&sa, sizeof(sa), deadline, why, whylen);
}

/* "OK <host port>" */
static int fc_ok(const char *line)
{
	size_t n;
	if (strncmp(line, "OK ", 3))
		return 0;
	n = strspn(line + 3, "0123456789");
	return n > 0 && n <= 10 && line[3 + n] == '\0';
}

/* Firecracker's hybrid vsock: CONNECT PORT, then OK or a close. */
static int fc_connect(struct vmc *c, const struct addr *a, long long deadline, char *why, size_t whylen)
{
	char line[128];
	ssize_t n;
	int rc = unix_connect(c, a->path, deadline, why, whylen);
	if (rc)
		return rc;
	n = snprintf(line, sizeof(line), "CONNECT %u\n", a->port);
	if (send_all(c, line, (size_t)n, deadline) < 0) {
		int e = errno;
		seterr(why, whylen, "sending CONNECT: %s", strerror(e));
		errno = e;
		return transient(e) && e != ETIMEDOUT ? 1 : -1;
	}
	n = read_line(c, line, sizeof(line), deadline);
	if (n == 0 || (n < 0 && (errno == ECONNRESET || errno == EPIPE))) {
		/* What Firecracker does while nothing listens in the guest. */
		seterr(why, whylen, "closed without OK: nothing listens on guest port %u yet", a->port);
		errno = ECONNREFUSED;
		return 1;
	}
	if (n < 0) {
		int e = errno;
		seterr(why, whylen, "waiting for OK to CONNECT %u: %s", a->port,
		       e == EMSGSIZE ? "the answer is too long" : strerror(e));
		errno = e;
		return -1;
	}
	if (!fc_ok(line)) {
		seterr(why, whylen, "CONNECT %u was answered \"%.40s\", not OK <port>: not a Firecracker vsock socket?",
		       a->port, line);
		errno = EPROTO;
		return -1;
	}
	return 0;
}

static int attempt(struct vmc *c, const struct addr *a, long long deadline, char *why, size_t whylen)
{
	int rc;
	switch (a->kind) {
	case ADDR_VSOCK:
		return vsock_connect(c, a, deadline, why, whylen);
	case ADDR_UNIX:
		return unix_connect(c, a->path, deadline, why, whylen);
	case ADDR_FC:
		return fc_connect(c, a, deadline, why, whylen);
	case ADDR_SERIAL:
		rc = unix_connect(c, a->path, deadline, why, whylen);
		if (rc)
			return rc;
		/* A virtio-serial port has no connections: a partial line an
		 * earlier client left must not join our first request. */
		if (send_all(c, "\n", 1, deadline) < 0) {
			int e = errno;
			seterr(why, whylen, "sending the first empty line: %s", strerror(e));
			errno = e;
			return transient(e) && e != ETIMEDOUT ? 1 : -1;
		}
		return 0;
	}
	errno = EINVAL;
	return -1;
}

struct vmc *vmc_connect(const char *s, int timeout_ms, char *err, size_t errlen)
{
	long long deadline = deadline_of(timeout_ms), t0 = now_ms();
	struct addr a;
	const char *perr;
	char why[256] = "", last[256] = "";
	struct vmc *c;
	int rc, e;

	if (addr_parse(s, &a, &perr) < 0) {
		seterr(err, errlen, "%s: %s", s, perr);
		errno = EINVAL;
		return NULL;
	}
	if (a.kind == ADDR_VSOCK && a.cid == ADDR_CID_ANY) {
		seterr(err, errlen, "%s: the host side needs the guest's CID: vsock:CID:PORT", s);
		errno = EINVAL;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c || !(c->buf = malloc(VMC_BUF_INITIAL))) {
		e = errno;
		free(c);
		seterr(err, errlen, "%s", strerror(e));
		errno = e;
		return NULL;
	}
	c->cap = VMC_BUF_INITIAL;
	c->fd = -1;
	for (;;) {
		rc = attempt(c, &a, deadline, why, sizeof(why));
		if (rc == 0)
			return c;
		e = errno;
		reset(c);
		if (rc < 0)
			break;
		memcpy(last, why, sizeof(last));
		if (ms_left(deadline) == 0) {
			e = ETIMEDOUT;
			break;
		}
		{
			int t = ms_left(deadline);
			poll(NULL, 0, t < 0 || t > VMC_RETRY_MS ? VMC_RETRY_MS : t);
		}
	}
	/* Out of time: the reason it kept failing says more than the last,
	 * cut-short try. */
	if (e == ETIMEDOUT)
		seterr(err, errlen, "%s: gave up after %lld ms: %s", s, now_ms() - t0, last[0] ? last : why);
	else
		seterr(err, errlen, "%s: %s", s, why);
	vmc_close(c);
	errno = e;
	return NULL;
}

int vmc_fd(const struct vmc *c)
{
	return c->fd;
}

int vmc_send_line(struct vmc *c, const char *line, size_t len, int timeout_ms)
{
	long long deadline = deadline_of(timeout_ms);
	if (memchr(line, '\n', len)) {
		errno = EINVAL;
		return -1;
	}
	if (send_all(c, line, len, deadline) < 0 || send_all(c, "\n", 1, deadline) < 0)
		return -1;
	return 0;
}

ssize_t vmc_read_line(struct vmc *c, char *buf, size_t cap, int timeout_ms)
{
	return read_line(c, buf, cap, deadline_of(timeout_ms));
}

void vmc_close(struct vmc *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	free(c);
}
