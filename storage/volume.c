/* volume.c - the volumes: found, checked, mounted once, unmounted clean.
 *
 * Owns: one struct storage_volume per declared volume (a fixed array made
 * once), the timer that looks again for devices not there yet, and the
 * shutdown's remount read-only / unmount.
 *
 * Each volume is mounted at STORAGE_VOLUMES_DIR/NAME: read-write when some
 * process mounts it so, else read-only. A process sees it only through its
 * own mount namespace (supervisor/spawn.c binds it at the process's path),
 * so which process sees what is decided there, per process.
 *
 * Invariants: never blocks (a missing device is looked for again every
 * STORAGE_POLL_NS until its wait_seconds run out); never formats; ext4 only,
 * as the schema says; a failure is one volume's, kept in its error.
 */
#include "storage.h"
#include "storage_int.h"
#include "base/clock.h"
#include "base/console.h"
#include "base/path.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

struct storage {
	struct loop *loop;
	struct loop_timer timer;
	const struct spec *spec;
	struct storage_hooks hooks;
	struct storage_root root;
	struct storage_volume *v;
	size_t n;
};

static void changed(struct storage *st, int i)
{
	if (st->hooks.changed)
		st->hooks.changed(st->hooks.ctx, i);
}

int storage_dir_mount(const char *dir)
{
	if (path_mkdirs(dir, 0700) < 0) {
		log_error("mkdir %s: %s", dir, strerror(errno));
		return -1;
	}
	if (path_is_mountpoint(dir))
		return 0;
	if (mount("vminit", dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0700,size=64k") < 0) {
		log_error("mount a tmpfs on %s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

static void fail(struct storage *st, size_t i, const char *fmt, const char *a, const char *b)
{
	struct storage_volume *v = &st->v[i];
	snprintf(v->error, sizeof(v->error), fmt, a, b);
	v->state = STORAGE_FAILED;
	v->at_ms = (int64_t)clock_boot_ms();
	log_error("volume %s: %s", v->sv->name, v->error);
	changed(st, (int)i);
}

static void mount_one(struct storage *st, size_t i)
{
	struct storage_volume *v = &st->v[i];
	struct probe p;
	char err[192];
	if (storage_check_fs(v->path, SPEC_FS_EXT4, &p, err, sizeof(err)) < 0) {
		fail(st, i, "%s%s", err, "");
		return;
	}
	v->recovered = p.needs_recovery;
	if (path_mkdirs(v->where, 0700) < 0 ||
	    mount(v->path, v->where, "ext4", MS_NOSUID | MS_NODEV | (v->rw ? 0 : MS_RDONLY), NULL) < 0) {
		fail(st, i, "mount %s: %s", v->path, strerror(errno));
		return;
	}
	v->state = STORAGE_MOUNTED;
	v->at_ms = (int64_t)clock_boot_ms();
	log_info("volume %s: %s (%s) mounted %s at %s", v->sv->name, v->sv->dev.text, v->path,
		 v->rw ? "read-write" : "read-only", v->where);
	if (v->recovered)
		log_warn("volume %s: its journal was replayed: the last power-off was not clean", v->sv->name);
	changed(st, (int)i);
}

/* One look at every device still missing; the timer again while one is. */
static void poll_devices(struct storage *st)
{
	uint64_t now = loop_now();
	int pending = 0;
	for (size_t i = 0; i < st->n; i++) {
		struct storage_volume *v = &st->v[i];
		char err[160];
		int r;
		if (v->state != STORAGE_PENDING)
			continue;
		r = probe_find("/sys", "/dev", &v->sv->dev, v->path, sizeof(v->path), err, sizeof(err));
		if (r > 0) {
			mount_one(st, i);
		} else if (r < 0) {
			fail(st, i, "%s%s", err, "");
		} else if (now >= v->deadline_ns) {
			char secs[16];
			snprintf(secs, sizeof(secs), "%d", v->sv->dev.wait);
			fail(st, i, "no device %s after %s s", v->sv->dev.text, secs);
		} else {
			pending = 1;
		}
	}
	if (pending)
		loop_timer_in(st->loop, &st->timer, STORAGE_POLL_NS);
}

static void on_timer(struct loop *l, struct loop_timer *t)
{
	(void)l;
	poll_devices(t->ctx);
}

struct storage *storage_new(struct loop *l, const struct spec *s, const struct storage_root *root,
			    const struct storage_hooks *hooks)
{
	struct storage *st = calloc(1, sizeof(*st));
	if (!st || (s->nvols && !(st->v = calloc(s->nvols, sizeof(*st->v))))) {
		free(st);
		return NULL;
	}
	st->loop = l;
	st->spec = s;
	st->hooks = *hooks;
	st->root = *root;
	st->n = s->nvols;
	loop_timer_init(&st->timer, on_timer, st);
	for (size_t i = 0; i < st->n; i++) {
		struct storage_volume *v = &st->v[i];
		v->sv = &s->vols[i];
		snprintf(v->where, sizeof(v->where), STORAGE_VOLUMES_DIR "/%s", v->sv->name);
		for (size_t p = 0; p < s->nprocs; p++)
			for (size_t m = 0; m < s->procs[p].nmounts; m++)
				if (!strcmp(s->procs[p].mounts[m].volume, v->sv->name)) {
					v->used = 1;
					v->rw |= !s->procs[p].mounts[m].read_only;
				}
	}
	return st;
}

void storage_start(struct storage *st)
{
	uint64_t now = loop_now();
	if (!st->n)
		return;
	if (storage_dir_mount(STORAGE_DIR) < 0) {
		for (size_t i = 0; i < st->n; i++)
			fail(st, i, "no %s for it: %s", STORAGE_DIR, "see the console");
		return;
	}
	for (size_t i = 0; i < st->n; i++) {
		struct storage_volume *v = &st->v[i];
		if (v->sv->dev.kind == SPEC_LOC_NONE) {
			fail(st, i, "no device: the spec has no [guest.volumes.%s]%s", v->sv->name, "");
			continue;
		}
		v->state = STORAGE_PENDING;
		v->deadline_ns = now + (uint64_t)v->sv->dev.wait * LOOP_NS_PER_SEC;
	}
	poll_devices(st);
}

void storage_free(struct storage *st)
{
	if (!st)
		return;
	loop_timer_cancel(st->loop, &st->timer);
	free(st->v);
	free(st);
}

const struct storage_root *storage_root(const struct storage *st)
{
	return &st->root;
}

size_t storage_count(const struct storage *st)
{
	return st->n;
}

const struct storage_volume *storage_volume(const struct storage *st, size_t i)
{
	return &st->v[i];
}

/* The process's mount paths exist, or are made now (in the shared tree, as
 * its own view would make them): a read-only root that lacks one (the
 * strict form) would fail every start the same way. */
static int paths_ready(const struct spec_process *p, char *why, size_t len)
{
	for (size_t m = 0; m < p->nmounts; m++) {
		struct stat s;
		if (stat(p->mounts[m].path, &s) == 0 || path_mkdirs(p->mounts[m].path, 0755) == 0)
			continue;
		snprintf(why, len, "volume %s: its path %s is not in the image and cannot be made: %s",
			 p->mounts[m].volume, p->mounts[m].path, strerror(errno));
		return -1;
	}
	return 0;
}

int storage_ready(const struct storage *st, const struct spec_process *p, char *why, size_t len)
{
	int worst = 0;
	for (size_t m = 0; m < p->nmounts; m++)
		for (size_t i = 0; i < st->n; i++) {
			const struct storage_volume *v = &st->v[i];
			if (strcmp(v->sv->name, p->mounts[m].volume))
				continue;
			if (v->state == STORAGE_FAILED || v->state == STORAGE_UNMOUNTED) {
				snprintf(why, len, "volume %s: %s", v->sv->name,
					 v->state == STORAGE_FAILED ? v->error : "unmounted");
				return -1;
			}
			if (v->state != STORAGE_MOUNTED && !worst) {
				snprintf(why, len, "volume %s: waiting for %s", v->sv->name, v->sv->dev.text);
				worst = 1;
			}
		}
	return worst ? worst : paths_ready(p, why, len);
}

/* The root's writes: read-only from now, so that what is on the scratch
 * disk is consistent when the power goes. */
static int root_shutdown(struct storage *st)
{
	struct storage_root *r = &st->root;
	int failed = 0;
	if (r->state != STORAGE_MOUNTED)
		return 0;
	if (r->mode == STORAGE_OVERLAY && mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY, NULL) < 0) {
		snprintf(r->error, sizeof(r->error), "remount / read-only: %s", strerror(errno));
		log_error("root: %s", r->error);
		failed++;
	}
	if (r->upper == STORAGE_UPPER_SCRATCH &&
	    mount(NULL, STORAGE_DIR "/rw", NULL, MS_REMOUNT | MS_RDONLY, NULL) < 0) {
		snprintf(r->error, sizeof(r->error), "remount the scratch disk read-only: %s", strerror(errno));
		log_error("root: %s", r->error);
		failed++;
	}
	return failed;
}

int storage_shutdown(struct storage *st)
{
	int failed = 0;
	/* No sync first: a remount read-only writes its file system back
	 * itself, and in a VM halt_system's one sync comes after, for the rest
	 * (a volume that could not be made read-only included). */
	for (size_t i = 0; i < st->n; i++) {
		struct storage_volume *v = &st->v[i];
		if (v->state != STORAGE_MOUNTED)
			continue;
		/* Read-only on the file system itself, not one mount: the journal
		 * is written out and the volume marked clean, whoever else still
		 * holds a mount of it. */
		if (v->rw && mount(NULL, v->where, NULL, MS_REMOUNT | MS_RDONLY, NULL) < 0) {
			snprintf(v->error, sizeof(v->error), "remount read-only: %s", strerror(errno));
			log_error("volume %s: %s", v->sv->name, v->error);
			failed++;
		}
		if (umount2(v->where, 0) < 0) {
			if (!v->error[0])
				snprintf(v->error, sizeof(v->error), "unmount: %s", strerror(errno));
			log_error("volume %s: unmount: %s", v->sv->name, strerror(errno));
			umount2(v->where, MNT_DETACH);
			failed++;
		}
		v->state = STORAGE_UNMOUNTED;
		v->at_ms = (int64_t)clock_boot_ms();
		if (!v->error[0])
			log_info("volume %s: unmounted clean", v->sv->name);
	}
	return failed + root_shutdown(st);
}

const char *storage_state_name(enum storage_state s)
{
	static const char *const names[] = { "none", "pending", "mounted", "failed", "unmounted" };
	return names[s];
}

const char *storage_mode_name(enum storage_mode m)
{
	static const char *const names[] = { "initramfs", "overlay", "strict" };
	return names[m];
}

const char *storage_upper_name(enum storage_upper u)
{
	static const char *const names[] = { NULL, "scratch", "tmpfs" };
	return names[u];
}
