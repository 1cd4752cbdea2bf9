/* storage.c - the root and the volumes, as status and events show them
 * (docs/storage.md, docs/protocol.md).
 *
 * Gathers storage/'s state into plain values (channel/encode.h). A volume's
 * size and use come from statvfs() of its mount, which is memory: it never
 * blocks on the device.
 */
#include "ctl_int.h"
#include "storage/storage.h"

#include <string.h>
#include <sys/statvfs.h>

static const char *or_null(const char *s)
{
	return s && s[0] ? s : NULL;
}

void ctl_storage_root(const struct storage *st, const struct spec *s, struct enc_root *ret)
{
	const struct storage_root *r = storage_root(st);
	*ret = (struct enc_root){
		.device = s->root.dev.text,
		.path = or_null(r->path),
		.filesystem = s->root.dev.kind != SPEC_LOC_NONE ? spec_fs_name(s->root.fs) : NULL,
		.mode = storage_mode_name(r->state == STORAGE_MOUNTED ? r->mode : STORAGE_INITRAMFS),
		.upper = storage_upper_name(r->upper),
		.state = storage_state_name(r->state),
		.error = or_null(r->error),
		.freed_bytes = r->state == STORAGE_MOUNTED ? (int64_t)r->freed : -1,
	};
}

void ctl_storage_volume(const struct storage *st, size_t i, struct enc_volume *ret)
{
	const struct storage_volume *v = storage_volume(st, i);
	struct statvfs sv;
	*ret = (struct enc_volume){
		.name = v->sv->name, .device = v->sv->dev.text, .path = or_null(v->path),
		.filesystem = v->sv->filesystem, .where = v->state == STORAGE_MOUNTED ? v->where : NULL,
		.state = storage_state_name(v->state), .error = or_null(v->error),
		.read_only = !v->rw, .recovered = v->recovered,
		.size_bytes = -1, .used_bytes = -1, .since_ms = v->at_ms ? v->at_ms : -1,
	};
	if (v->state == STORAGE_MOUNTED && statvfs(v->where, &sv) == 0) {
		ret->size_bytes = (int64_t)(sv.f_blocks * sv.f_frsize);
		ret->used_bytes = (int64_t)((sv.f_blocks - sv.f_bfree) * sv.f_frsize);
	}
}

void ctl_set_storage(struct ctl_server *ctl, const struct storage *st)
{
	ctl->st = st;
}

void ctl_write_storage(const struct ctl_server *ctl, struct jw *w)
{
	struct enc_root r;
	struct enc_volume v;
	if (!ctl->st || !ctl->spec) {
		enc_storage_none(w);
		return;
	}
	ctl_storage_root(ctl->st, ctl->spec, &r);
	enc_storage_begin(w, ctl->spec->root.dev.kind != SPEC_LOC_NONE ? &r : NULL);
	for (size_t i = 0; i < storage_count(ctl->st); i++) {
		ctl_storage_volume(ctl->st, i, &v);
		enc_volume(w, &v);
	}
	enc_storage_end(w);
}
