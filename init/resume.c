/* resume.c - the one place that decides a snapshot restore happened, and
 * what PID 1 does then (docs/resume.md).
 *
 * Owns: the resume counters, the uevent socket and the /dev/kmsg reader.
 * Invariants: every sign goes through resume_signal(); a sign folded into
 * the last resume (resume.h: a burst, or another source's word on it) only
 * counts as a signal (no second event, no second round of actions); reading the kernel's notices never blocks
 * and is bounded per wake-up (the rest comes on the next turn: both fds
 * are level-triggered). The kernel's bytes are parsed by base/vmgen.c,
 * without trust.
 */
#include "resume.h"
#include "vm.h"
#include "base/clock.h"
#include "base/console.h"
#include "base/vmgen.h"
#include "health/health.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>

#define RESUME_READS 64        /* messages or records a wake-up */
#define RESUME_BUF 8192        /* a uevent message, a kmsg record */

void resume_init(struct resume *r)
{
	memset(r, 0, sizeof(*r));
	r->st.last_ms = -1;
	r->uevent_fd = r->kmsg_fd = -1;
	r->uevent_io.fd = r->kmsg_io.fd = -1;
}

unsigned resume_source_bit(const char *source)
{
	static const char *const names[] = { "host", "vmgenid", "vsock" };
	for (unsigned k = 0; k < 3; k++)
		if (!strcmp(source, names[k]))
			return 1u << k;
	return 0;
}

int resume_fold(const struct resume *r, const char *source, uint64_t now)
{
	if (r->st.count == 0)
		return 0;
	if (now - r->last_ns < (uint64_t)RESUME_FOLD_MS * LOOP_NS_PER_MS)
		return 1;
	/* A source tells each restore once: its second word is a new one. */
	return !(r->sources & resume_source_bit(source)) &&
	       now - r->start_ns < (uint64_t)RESUME_CONFIRM_MS * LOOP_NS_PER_MS;
}

int resume_signal(struct vm *vm, const char *source)
{
	struct resume *r = &vm->resume;
	uint64_t now = loop_now();
	r->st.signals++;
	if (resume_fold(r, source, now)) {
		r->last_ns = now;
		r->sources |= resume_source_bit(source);
		log_info("resume: the same restore, told by %s too", source);
		return 1;
	}
	r->st.count++;
	r->start_ns = r->last_ns = now;
	r->sources = resume_source_bit(source);
	r->st.last_source = source;
	r->st.last_ms = (int64_t)clock_boot_ms();
	log_info("resume: the VM was restored from a snapshot (told by %s): resume %llu", source,
		 (unsigned long long)r->st.count);
	if (vm->ctl)
		ctl_resumed(vm->ctl, source, r->st.count);
	hc_resumed(vm->hc);
	return 0;
}

int resume_hook_signal(void *ctx, const char *source)
{
	return resume_signal(ctx, source);
}

void resume_hook_info(void *ctx, struct ctl_resume *ret)
{
	const struct vm *vm = ctx;
	*ret = vm->resume.st;
}

/* ---- the kernel's notices ---- */

static void stop_source(struct vm *vm, int *fd, struct loop_io *io, const char *what)
{
	log_warn("resume: %s: %s: no longer watched", what, strerror(errno));
	loop_io_del(vm->loop, io);
	close(*fd);
	*fd = -1;
}

static void on_uevent(struct loop *l, struct loop_io *io, uint32_t events)
{
	struct vm *vm = io->ctx;
	static char buf[RESUME_BUF];
	(void)l;
	(void)events;
	for (int k = 0; k < RESUME_READS; k++) {
		struct sockaddr_nl from;
		socklen_t flen = sizeof(from);
		ssize_t n = recvfrom(vm->resume.uevent_fd, buf, sizeof(buf), MSG_DONTWAIT,
				     (struct sockaddr *)&from, &flen);
		if (n < 0 && (errno == EINTR || errno == ENOBUFS))
			continue;   /* ENOBUFS: some were lost; read on */
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0) {
			stop_source(vm, &vm->resume.uevent_fd, &vm->resume.uevent_io, "uevents");
			return;
		}
		/* Only the kernel's (port 0): a process could send the rest. */
		if (flen == sizeof(from) && from.nl_pid == 0 && vmgen_uevent(buf, (size_t)n))
			resume_signal(vm, "vmgenid");
	}
}

static void on_kmsg(struct loop *l, struct loop_io *io, uint32_t events)
{
	struct vm *vm = io->ctx;
	static char buf[RESUME_BUF];
	(void)l;
	(void)events;
	for (int k = 0; k < RESUME_READS; k++) {
		/* One record a read. EPIPE: records were overwritten before
		 * they were read; the next read goes on from the oldest kept. */
		ssize_t n = read(vm->resume.kmsg_fd, buf, sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == EPIPE))
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			stop_source(vm, &vm->resume.kmsg_fd, &vm->resume.kmsg_io, "/dev/kmsg");
			return;
		}
		if (vmgen_kmsg(buf, (size_t)n))
			resume_signal(vm, "vmgenid");
	}
}

static int watch_uevents(struct vm *vm)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    loop_io_add(vm->loop, &vm->resume.uevent_io, fd, EPOLLIN, on_uevent, vm) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	vm->resume.uevent_fd = fd;
	return 0;
}

static int watch_kmsg(struct vm *vm)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -1;
	/* Only what comes from now on: an old reseed line (a restore before
	 * this boot's vminit) is not this VM's news. */
	if (lseek(fd, 0, SEEK_END) < 0 ||
	    loop_io_add(vm->loop, &vm->resume.kmsg_io, fd, EPOLLIN, on_kmsg, vm) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	vm->resume.kmsg_fd = fd;
	return 0;
}

void resume_watch(struct vm *vm)
{
	if (watch_uevents(vm) < 0)
		log_warn("resume: uevents: %s: vmgenid's uevent is not watched", strerror(errno));
	if (watch_kmsg(vm) < 0)
		log_warn("resume: /dev/kmsg: %s: the kernel's reseed line is not watched", strerror(errno));
}
