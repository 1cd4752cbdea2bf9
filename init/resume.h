/* resume.h - PID 1's view of snapshot restores (docs/resume.md): every sign
 * of one, from any source, goes through resume_signal(), which folds signs
 * that come close together into one resume and acts once per resume.
 *
 * Sources: the host's resumed op and a vsock connection reset by its
 * transport (both through the host channel's hook), and, PID 1 only, the
 * kernel's vmgenid notices (a uevent, a /dev/kmsg record) watched on the
 * loop here.
 */
#ifndef VMINIT_RESUME_H
#define VMINIT_RESUME_H

#include <stdint.h>

#include "base/loop.h"
#include "control/ctl.h"

/* One restore's signs (CLOCK_MONOTONIC, which does not count the pause):
 * a sign within RESUME_FOLD_MS of the last one (a burst: several vsock
 * connections reset at once), or the first from its source within
 * RESUME_CONFIRM_MS of the resume's start (the host's notice after the
 * kernel's, or the other way round), is the same resume. */
#define RESUME_FOLD_MS 5000
#define RESUME_CONFIRM_MS 60000

struct vm;

struct resume {
	struct ctl_resume st;          /* count, signals, last source and ms */
	uint64_t start_ns, last_ns;    /* loop time of the resume, of its last sign */
	unsigned sources;              /* resume_source_bit() of each that told it */
	int uevent_fd, kmsg_fd;        /* -1: not watched */
	struct loop_io uevent_io, kmsg_io;
};

/* Nothing watched yet; no resume seen. */
void resume_init(struct resume *r);
/* "host", "vmgenid", "vsock": a bit of its own (0 for another name). */
unsigned resume_source_bit(const char *source);
/* 1 when a sign from source at loop time now is folded into the last
 * resume. Pure. */
int resume_fold(const struct resume *r, const char *source, uint64_t now);
/* A sign of a restore from source ("host", "vmgenid", "vsock"): folded
 * (1), or a new resume (0): console line, the host channel's part
 * (ctl_resumed), the health checks' (hc_resumed). */
int resume_signal(struct vm *vm, const char *source);
/* The host channel's hooks (struct ctl_vm); ctx is the vm. */
int resume_hook_signal(void *ctx, const char *source);
void resume_hook_info(void *ctx, struct ctl_resume *ret);
/* PID 1: watch the kernel's uevents and /dev/kmsg for vmgenid's notices.
 * A source that cannot be opened is logged and left out. */
void resume_watch(struct vm *vm);

#endif
