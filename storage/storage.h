/* storage.h - the image's root file system and the volumes (docs/storage.md).
 *
 * Root: once, before the loop, in the initramfs: find the device the spec
 * names (waiting up to its wait_seconds), check its superblock, mount it
 * read-only with the writes on an overlay (upper on the scratch disk or a
 * tmpfs) or, in the strict form, only the listed directories writable; move
 * the kernel's file systems along, free the initramfs and switch root. A
 * failure leaves everything as it was: PID 1 stays in the initramfs.
 *
 * Volumes: each declared volume with a device is mounted once, at
 * STORAGE_VOLUMES_DIR/NAME, read-write if any process mounts it so, else
 * read-only. A device that is not there yet is looked for again on the loop
 * until its wait_seconds run out. Processes see them through their own mount
 * namespaces (supervisor/spawn.c), never here.
 *
 * At the end, after every process has stopped: sync, every volume remounted
 * read-only (its journal clean) and unmounted, the root's writes made
 * read-only.
 */
#ifndef VMINIT_STORAGE_H
#define VMINIT_STORAGE_H

#include <stddef.h>
#include <stdint.h>

#include "base/loop.h"
#include "spec/spec.h"

/* Where PID 1 keeps what it mounted: hidden from every process's view. */
#define STORAGE_DIR "/run/vminit"
#define STORAGE_VOLUMES_DIR STORAGE_DIR "/volumes"
/* How often a missing device is looked for again. */
#define STORAGE_POLL_NS (100 * LOOP_NS_PER_MS)

enum storage_state { STORAGE_NONE, STORAGE_PENDING, STORAGE_MOUNTED, STORAGE_FAILED, STORAGE_UNMOUNTED };
enum storage_mode { STORAGE_INITRAMFS, STORAGE_OVERLAY, STORAGE_STRICT };
enum storage_upper { STORAGE_UPPER_NONE, STORAGE_UPPER_SCRATCH, STORAGE_UPPER_TMPFS };

struct storage_root {
	enum storage_state state;          /* NONE: the spec names no root */
	enum storage_mode mode;
	enum storage_upper upper;
	char path[64];                     /* the device node found */
	char scratch[64];                  /* the scratch disk's node, or "" */
	char error[256];                   /* why it failed, or a warning */
	uint64_t freed;                    /* bytes of initramfs freed */
	uint64_t at_ms;                    /* boot clock ms when it was mounted */
};

struct storage_volume {
	const struct spec_volume *sv;
	enum storage_state state;
	int used, rw;                      /* some process mounts it; read-write */
	int recovered;                     /* its journal had to be replayed */
	char path[64];                     /* the device node found */
	char where[96];                    /* STORAGE_VOLUMES_DIR/NAME */
	char error[192];
	uint64_t deadline_ns;              /* loop_now() when waiting ends */
	int64_t at_ms;                     /* boot clock ms of its last change */
};

struct storage;

struct storage_hooks {
	/* Volume i (or the root, i == -1) changed state: mounted or failed. */
	void (*changed)(void *ctx, int i);
	void *ctx;
};

/* Before the loop, as PID 1 only: switch to the spec's root, if it names one.
 * 0 on success or when there is none; -1 when it failed (ret->error says
 * why; PID 1 stays in the initramfs). Blocks up to the root's (and the
 * scratch disk's) wait_seconds: nothing else can run before the root. */
int storage_root_switch(const struct spec *s, struct storage_root *ret);

struct storage *storage_new(struct loop *l, const struct spec *s, const struct storage_root *root,
			    const struct storage_hooks *hooks);
/* Mount every volume that is there; look again on the loop for the rest. */
void storage_start(struct storage *st);
void storage_free(struct storage *st);

const struct storage_root *storage_root(const struct storage *st);
size_t storage_count(const struct storage *st);
const struct storage_volume *storage_volume(const struct storage *st, size_t i);
/* May process p (of the spec) start, as far as its volumes go?
 *  0: every volume it mounts is mounted;
 *  1: one is still looked for;
 * -1: one failed: why in why ("volume data: ..."). */
int storage_ready(const struct storage *st, const struct spec_process *p, char *why, size_t len);

/* After every process has stopped: remount read-only (which writes each
 * volume back), unmount; the sync is halt_system's, after. The
 * number of failures (each logged and kept in its error). */
int storage_shutdown(struct storage *st);

const char *storage_state_name(enum storage_state s);
const char *storage_mode_name(enum storage_mode m);
const char *storage_upper_name(enum storage_upper u);

#endif
