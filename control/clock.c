/* clock.c - the wall clock, the entropy pool and resumes, as the host
 * channel sees them (docs/resume.md): the clock, entropy and resumed ops,
 * status's "clock", "resume" and "entropy", the resumed event and what the
 * server does on a resume, and the one sign of a restore the server itself
 * sees: a vsock connection reset by the transport.
 *
 * Invariants: an entropy request's bytes are never logged, echoed, or kept
 * past the request (wiped after use); the clock is stepped only when the
 * host's time is further off than the uncertainty it gave; nothing here
 * blocks (the /dev/random ioctls and writes do not wait).
 * Never decides whether a signal is a new resume: init/resume.c does, and
 * calls ctl_resumed() for the server's part.
 */
#include "ctl_int.h"
#include "base/clock.h"
#include "base/console.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/random.h>

#define NS_PER_SEC 1000000000LL

static int real_settime(const struct timespec *ts)
{
	return clock_settime(CLOCK_REALTIME, ts);
}

/* "+124.003" from ns: the sign, seconds and ms. */
static void fmt_secs(char *b, size_t n, int64_t ns, int sign)
{
	unsigned long long a = ns < 0 ? 0ULL - (unsigned long long)ns : (unsigned long long)ns;
	unsigned long long ms = (a + 500000) / 1000000;
	snprintf(b, n, "%s%llu.%03llu", sign ? (ns < 0 ? "-" : "+") : "", ms / 1000, ms % 1000);
}

static void op_clock(struct conn *c, const struct ctl_req *q)
{
	struct ctl_clock *k = &c->ctl->clk;
	struct timespec now, to = { (time_t)(q->unix_ns / NS_PER_SEC), (long)(q->unix_ns % NS_PER_SEC) };
	int64_t offset;
	int stepped;
	char off[32], unc[32], msg[96];
	struct jw *w;
	/* `vminit run` shares its host's clock: never its to step. */
	if (!c->ctl->vm.pid1) {
		ctl_reply_error(c, q->id, CTL_E_FAILED, "not PID 1 (vminit run): the clock is the host's");
		return;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	offset = q->unix_ns - ((int64_t)now.tv_sec * NS_PER_SEC + now.tv_nsec);
	stepped = llabs(offset) > q->uncertainty_ns;
	fmt_secs(off, sizeof(off), offset, 1);
	fmt_secs(unc, sizeof(unc), q->uncertainty_ns, 0);
	k->requests++;
	k->last_offset_ns = offset;
	k->last_uncertainty_ns = q->uncertainty_ns;
	k->last_ms = (int64_t)clock_boot_ms();
	if (stepped && (k->settime ? k->settime : real_settime)(&to) < 0) {
		snprintf(msg, sizeof(msg), "cannot set the clock: %s", strerror(errno));
		log_warn("clock: off by %s s from the host's time, but %s", off, msg);
		ctl_reply_error(c, q->id, CTL_E_FAILED, msg);
		return;
	}
	if (stepped) {
		k->steps++;
		log_info("clock: stepped by %s s (the host's time, \xc2\xb1%s s)", off, unc);
		ctl_event_clock_stepped(c->ctl, offset, q->uncertainty_ns);
	} else {
		log_info("clock: %s s from the host's time, within \xc2\xb1%s s: not stepped", off, unc);
	}
	w = ctl_reply_begin(c, q->id);
	enc_clock_result(w, offset, stepped, q->uncertainty_ns);
	ctl_reply_end(c, w, q->id);
}

/* Credited with RNDADDENTROPY (8 bits a byte, CAP_SYS_ADMIN) and the crng
 * reseeded at once; without the right, mixed in through /dev/urandom,
 * credited 0. 0 with *ret_bits, or -1 with errno. */
static int add_entropy(const unsigned char *p, size_t n, uint64_t *ret_bits)
{
	union {
		struct rand_pool_info info;
		unsigned char raw[sizeof(struct rand_pool_info) + PROTO_ENTROPY_MAX];
	} rp;
	int fd = open("/dev/random", O_WRONLY | O_CLOEXEC | O_NONBLOCK), rc = -1, e;
	if (fd >= 0) {
		rp.info.entropy_count = (int)(n * 8);
		rp.info.buf_size = (int)n;
		memcpy(rp.info.buf, p, n);
		rc = ioctl(fd, RNDADDENTROPY, &rp.info);
		e = errno;
		explicit_bzero(&rp, sizeof(rp));
		if (rc == 0 && ioctl(fd, RNDRESEEDCRNG) < 0)
			log_warn("entropy: RNDRESEEDCRNG: %s", strerror(errno));
		close(fd);
		errno = e;
	}
	if (rc == 0) {
		*ret_bits = n * 8;
		return 0;
	}
	if (fd >= 0 && errno != EPERM)
		return -1;
	fd = open("/dev/urandom", O_WRONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -1;
	rc = write(fd, p, n) == (ssize_t)n ? 0 : -1;
	e = errno;
	close(fd);
	errno = e;
	*ret_bits = 0;
	return rc;
}

static void op_entropy(struct conn *c, struct ctl_req *q)
{
	struct ctl_clock *k = &c->ctl->clk;
	uint64_t bits = 0;
	size_t n = q->entropy_len;
	int rc = add_entropy(q->entropy, n, &bits), e = errno;
	char msg[96];
	struct jw *w;
	/* The bytes (and their text) go now: no later reply or dump holds them. */
	explicit_bzero(q->entropy, sizeof(q->entropy));
	explicit_bzero(q->strbuf, sizeof(q->strbuf));
	explicit_bzero(c->in, sizeof(c->in));
	if (rc < 0) {
		snprintf(msg, sizeof(msg), "cannot add entropy: %s", strerror(e));
		log_warn("entropy: %s", msg);
		ctl_reply_error(c, q->id, CTL_E_FAILED, msg);
		return;
	}
	k->entropy_requests++;
	k->entropy_bytes += n;
	k->entropy_bits += bits;
	log_info("entropy: %zu bytes from the host, %llu bits credited", n, (unsigned long long)bits);
	w = ctl_reply_begin(c, q->id);
	enc_entropy_result(w, n, bits);
	ctl_reply_end(c, w, q->id);
}

static void resume_of(const struct ctl_server *ctl, struct ctl_resume *ret)
{
	*ret = (struct ctl_resume){ 0, 0, NULL, -1 };
	if (ctl->vm.resume_info)
		ctl->vm.resume_info(ctl->vm.ctx, ret);
}

static void op_resumed(struct conn *c, const struct ctl_req *q)
{
	const struct ctl_vm *vm = &c->ctl->vm;
	struct ctl_resume r;
	int folded;
	struct jw *w;
	if (!vm->resumed) {
		ctl_reply_error(c, q->id, CTL_E_FAILED, "resume handling is off here");
		return;
	}
	folded = vm->resumed(vm->ctx, "host");
	resume_of(c->ctl, &r);
	w = ctl_reply_begin(c, q->id);
	enc_resumed_result(w, r.count, folded);
	ctl_reply_end(c, w, q->id);
}

void ctl_op_clock(struct conn *c, struct ctl_req *q)
{
	if (q->op == CTL_OP_CLOCK)
		op_clock(c, q);
	else if (q->op == CTL_OP_ENTROPY)
		op_entropy(c, q);
	else
		op_resumed(c, q);
}

void ctl_write_clock(const struct ctl_server *ctl, struct jw *w)
{
	const struct ctl_clock *k = &ctl->clk;
	struct ctl_resume r;
	struct enc_clock e;
	resume_of(ctl, &r);
	e = (struct enc_clock){
		.requests = k->requests, .steps = k->steps,
		.last_offset_ns = k->last_offset_ns, .last_uncertainty_ns = k->last_uncertainty_ns,
		.last_ms = k->requests ? k->last_ms : -1,
		.resumes = r.count, .resume_signals = r.signals,
		.resume_source = r.last_source, .resume_ms = r.last_ms,
		.entropy_requests = k->entropy_requests, .entropy_bytes = k->entropy_bytes,
		.entropy_bits = k->entropy_bits,
	};
	enc_clock_state(w, &e);
}

void ctl_resumed(struct ctl_server *ctl, const char *source, uint64_t count)
{
	struct conn *p = ctl->push;
	char retry[sizeof(ctl->clk.listen_retry)];
	ctl_event_resumed(ctl, source, count);
	/* The push: a connection from before the restore is of no use (a
	 * transport reset ended it, or its host is another one now): again
	 * at once, from the shortest backoff. At least once: its unsent event
	 * goes again. */
	if (p) {
		if (p->mode != CM_CONNECTING)
			ctl_push_lost(p);
		ctl->push_backoff = 100 * LOOP_NS_PER_MS;
		loop_timer_in(ctl->vm.loop, &p->timer, 0);
	}
	/* Listeners that failed at boot (a device that was not there) may
	 * work on the restored VM's devices. */
	if (ctl->clk.listen_retry[0]) {
		memcpy(retry, ctl->clk.listen_retry, sizeof(retry));
		ctl->clk.listen_retry[0] = '\0';
		ctl_listen(ctl, retry);
	}
}

void ctl_listen_failed(struct ctl_server *ctl, const char *addr)
{
	char *l = ctl->clk.listen_retry;
	size_t used = strlen(l), n = strlen(addr);
	if (used + n + 2 > sizeof(ctl->clk.listen_retry))
		return;   /* no room: only what fits is tried again */
	if (used)
		l[used++] = ',';
	memcpy(l + used, addr, n + 1);
}

/* ---- a vsock connection reset by its transport ---- */

int ctl_reset_is_resume(int domain, int established, int so_error)
{
	/* An established connection only: a connect the host refuses gets
	 * ECONNRESET too (the host's RST while connecting). A peer's close
	 * is an EOF, with no error. */
	return domain == AF_VSOCK && established && so_error == ECONNRESET;
}

int ctl_vsock_was_reset(int fd, int established)
{
	int domain = 0, err = 0;
	socklen_t len = sizeof(domain);
	if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0 || domain != AF_VSOCK)
		return 0;
	len = sizeof(err);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return 0;
	return ctl_reset_is_resume(domain, established, err);
}

void ctl_vsock_reset(struct ctl_server *ctl)
{
	log_info("control: a vsock connection was reset by its transport (a snapshot restore?)");
	if (ctl->vm.resumed)
		ctl->vm.resumed(ctl->vm.ctx, "vsock");
}
