/* spec/sections.c - the sections of a spec, by one table of kinds.
 *
 * Owns: which sections a spec may have, who reads each, and in what order.
 * kinds[] maps a section's name (exact, or a prefix and one more NAME) to
 * its handler; a name no row matches is an unknown section. [volumes.N] are
 * read first, in index order (the array's order, which mounts refer to);
 * then every other section in file order, the top level last. A handler
 * takes the keys its section may have with the getters (typed.c); after it,
 * every key left is reported as unknown. Also the handlers of the small
 * sections and of the guest's storage ([guest.root], [guest.scratch],
 * [guest.volumes.NAME], which share a device's keys); [processes.NAME] has
 * its own file (process.c).
 *
 * Invariants: every section is read at most once (a repeated header's keys
 * were set aside by read.c); the order of handlers, and of the getters in
 * each, is the order errors are raised in.
 */
#include "spec_int.h"
#include "channel/addr.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const halt_names[] = { "poweroff", "reboot", NULL };
static const char *const pull_names[] = { "if_not_present", "always", NULL };

/* ---- the small sections ---- */

static void do_top(struct spec_ctx *c)
{
	char *v = NULL;
	int line = 0, rc = spec_get_str(c, "schema_version", &v, &line);
	if (rc == 0)
		spec_key_error(c, 1, "schema_version", "required (schema_version = \"v1\")");
	else if (rc == 1 && strcmp(v, "v1"))
		spec_key_error(c, line, "schema_version", "\"%s\" is not supported: this vminit reads \"v1\"", v);
	free(v);
}

static void do_app(struct spec_ctx *c)
{
	struct spec *s = c->p->s;
	int line = 0;
	size_t n;
	if (spec_get_str(c, "name", &s->app_name, &line) == 1) {
		n = utf8_len(s->app_name);
		if (n < 1 || n > 64)
			spec_key_error(c, line, "name", "length must be 1 to 64 characters, not %zu", n);
	}
	if (spec_get_str(c, "description", &s->app_description, &line) == 1) {
		n = utf8_len(s->app_description);
		if (n > 256)
			spec_key_error(c, line, "description", "length must be at most 256 characters, not %zu", n);
	}
}

static int valid_digest_ref(const char *ref)
{
	const char *at = strchr(ref, '@');
	if (!at)
		return 1;
	if (strncmp(at + 1, "sha256:", 7) || strlen(at + 8) != 64)
		return 0;
	for (const char *h = at + 8; *h; h++)
		if (!((*h >= '0' && *h <= '9') || (*h >= 'a' && *h <= 'f')))
			return 0;
	return 1;
}

static void do_image(struct spec_ctx *c)
{
	struct spec *s = c->p->s;
	int line = 0, pull = 0;
	if (spec_get_str(c, "ref", &s->image_ref, &line) == 1) {
		if (!s->image_ref[0])
			spec_key_error(c, line, "ref", "must not be empty");
		else if (!valid_digest_ref(s->image_ref))
			spec_key_error(c, line, "ref", "a digest must be sha256:<64 lowercase hex digits>");
	}
	spec_get_enum(c, "pull_policy", pull_names, &pull);
	s->pull_policy = spec_strdup(c->p, pull_names[pull]);
}

static void do_env(struct spec_ctx *c)
{
	struct spec *s = c->p->s;
	s->env.prestart_timeout = 30;
	spec_get_vars(c, "vars", 1, &s->env.vars);
	spec_get_abs_path(c, "workdir", &s->env.workdir, NULL);
	spec_get_user(c, "user", &s->env.user);
	spec_get_command(c, "prestart", &s->env.prestart);
	spec_get_int(c, "prestart_timeout_seconds", 1, INT_MAX, &s->env.prestart_timeout, NULL);
}

static void do_volume(struct spec_ctx *c, struct spec_volume *v, int *ret_name_line)
{
	int line = 0, fs = 0;
	v->backup_enabled = 1;
	*ret_name_line = c->sec->line;
	if (spec_get_str(c, "name", &v->name, &line) == 0)
		spec_key_error(c, c->sec->line, "name", "required");
	else if (line)
		*ret_name_line = line;
	if (v->name && !spec_match_name(v->name))
		spec_key_error(c, line, "name", "\"%s\" must match [a-z][a-z0-9-]{0,31}", v->name);
	if (spec_get_size(c, "size", 1ull << 30, "1Gi", &v->size, &v->size_bytes) == 0)
		spec_key_error(c, c->sec->line, "size", "required (\"10Gi\")");
	{
		static const char *const fss[] = { "ext4", NULL };
		spec_get_enum(c, "filesystem", fss, &fs);
		v->filesystem = spec_strdup(c->p, "ext4");
	}
	spec_get_bool(c, "backup_enabled", &v->backup_enabled);
}

static int valid_hostname(const char *h)
{
	size_t n = strlen(h);
	if (n == 0 || n > 64 || *h == '-' || *h == '.')
		return 0;
	for (; *h; h++)
		if (!(isalnum((unsigned char)*h) || *h == '-' || *h == '.'))
			return 0;
	return 1;
}

static void do_guest(struct spec_ctx *c)
{
	struct spec *s = c->p->s;
	int line = 0, halt = 0;
	if (spec_get_str(c, "hostname", &s->guest.hostname, &line) == 1 && !valid_hostname(s->guest.hostname))
		spec_key_error(c, line, "hostname", "\"%s\" is not a hostname (letters, digits, '-', '.'; up to 64)",
			       s->guest.hostname);
	spec_get_enum(c, "halt", halt_names, &halt);
	s->guest.halt = (enum spec_halt)halt;
	spec_get_int(c, "stop_timeout_seconds", 1, INT_MAX, &s->guest.stop_timeout, NULL);
	spec_get_int(c, "restart_backoff_max_seconds", 1, INT_MAX, &s->guest.backoff_max, NULL);
	spec_get_int(c, "restart_reset_seconds", 1, INT_MAX, &s->guest.reset_after, NULL);
	if (spec_get_strv(c, "control", &s->guest.control, &line) == 1)
		for (size_t i = 0; i < s->guest.control.n; i++) {
			struct addr a;
			const char *why;
			if (addr_parse(s->guest.control.v[i], &a, &why) < 0)
				spec_key_error(c, line, "control", "\"%s\": %s", s->guest.control.v[i], why);
			else if (a.kind == ADDR_FC)
				spec_key_error(c, line, "control", "\"%s\": vminit listens on vsock:[CID:]PORT, unix:PATH or serial:NAME",
					       s->guest.control.v[i]);
		}
	if (spec_get_str(c, "push", &s->guest.push, &line) == 1) {
		struct addr a;
		const char *why = "want vsock:CID:PORT or unix:PATH";
		if (addr_parse(s->guest.push, &a, &why) < 0 || !(a.kind == ADDR_UNIX ||
		    (a.kind == ADDR_VSOCK && a.cid != ADDR_CID_ANY)))
			spec_key_error(c, line, "push", "\"%s\": %s", s->guest.push, why);
	}
}

static void do_guest_image(struct spec_ctx *c)
{
	struct spec *s = c->p->s;
	spec_get_strv(c, "entrypoint", &s->image.entrypoint, NULL);
	spec_get_strv(c, "cmd", &s->image.cmd, NULL);
	spec_get_vars(c, "env", 0, &s->image.env);
	spec_get_abs_path(c, "workdir", &s->image.workdir, NULL);
	spec_get_user(c, "user", &s->image.user);
}

/* The guest's storage sections share device and wait_seconds. d->text is
 * the caller's to keep or free. */
static void read_device(struct spec_ctx *c, struct spec_device *d)
{
	int line = 0;
	d->wait = SPEC_WAIT_DEFAULT;
	d->line = c->sec->line;
	if (spec_get_device(c, "device", d, &line) == 0)
		spec_key_error(c, c->sec->line, "device", "required: an absolute path (\"/dev/vdb\"), "
			       "\"serial:NAME\" or \"index:N\"");
	spec_check_device(c, d, line);
	spec_get_int(c, "wait_seconds", 0, SPEC_WAIT_MAX, &d->wait, NULL);
}

static const char *const fs_names[] = { "ext4", "squashfs", "erofs", NULL };

const char *spec_fs_name(enum spec_fs fs)
{
	return (unsigned)fs < 3 ? fs_names[fs] : "?";
}

/* [guest.root]: the image's root file system, and where its writes go. */
static void do_guest_root(struct spec_ctx *c)
{
	struct spec *s = c->p->s;
	int fs = 0, line = 0;
	read_device(c, &s->root.dev);
	if (spec_get_enum(c, "filesystem", fs_names, &fs) == 0)
		spec_key_error(c, c->sec->line, "filesystem", "required: \"ext4\", \"squashfs\" or \"erofs\"");
	s->root.fs = (enum spec_fs)fs;
	if (spec_get_strv(c, "writable", &s->root.writable, &line) == 1)
		spec_check_writable(c, &s->root.writable, line);
	if (spec_get_size(c, "tmpfs_size", 1ull << 20, "1Mi", &s->root.tmpfs_size, &s->root.tmpfs_bytes) != 1) {
		s->root.tmpfs_size = spec_strdup(c->p, "256Mi");
		s->root.tmpfs_bytes = 256ull << 20;
	}
}

/* [guest.scratch]: the scratch disk, the overlay's upper layer. */
static void do_guest_scratch(struct spec_ctx *c)
{
	read_device(c, &c->p->s->scratch.dev);
}

/* [guest.volumes.NAME]: where the volume NAME is, in this guest. */
static void do_guest_volume(struct spec_ctx *c)
{
	struct spec_volume *v = spec_find_volume(c->p->s, c->name);
	struct spec_device d = { 0 };
	if (!v)
		spec_error(c->p, c->sec->line, c->sec->name, "\"%s\" is not a declared volume", c->name);
	read_device(c, &d);
	if (v)
		v->dev = d;
	else
		free(d.text);
}

/* ---- the table ---- */

/* A kind of section: its name, or a prefix that one more NAME (without a
 * dot) follows; and its handler, NULL when it is read apart. */
struct spec_kind {
	const char *name;
	size_t prefix;       /* strlen(name) when name is a prefix, else 0 */
	void (*read)(struct spec_ctx *c);
};

#define PREFIX(s) s, sizeof(s) - 1

enum { KIND_TOP, KIND_APP, KIND_IMAGE, KIND_ENV, KIND_GUEST, KIND_GUEST_IMAGE, KIND_GUEST_ROOT,
       KIND_GUEST_SCRATCH, KIND_PROCESS, KIND_VOLUME, KIND_GUEST_VOLUME, KIND_GUEST_NETWORK,
       KIND_GUEST_IFACE, KIND_COUNT };

static const struct spec_kind kinds[KIND_COUNT] = {
	[KIND_TOP]           = { "", 0, do_top },   /* keys before the first header */
	[KIND_APP]           = { "app", 0, do_app },
	[KIND_IMAGE]         = { "image", 0, do_image },
	[KIND_ENV]           = { "env", 0, do_env },
	[KIND_GUEST]         = { "guest", 0, do_guest },
	[KIND_GUEST_IMAGE]   = { "guest.image", 0, do_guest_image },
	[KIND_GUEST_ROOT]    = { "guest.root", 0, do_guest_root },
	[KIND_GUEST_SCRATCH] = { "guest.scratch", 0, do_guest_scratch },
	[KIND_PROCESS]       = { PREFIX("processes."), spec_read_process },
	[KIND_VOLUME]        = { PREFIX("volumes."), NULL },   /* read_volumes() */
	[KIND_GUEST_VOLUME]  = { PREFIX("guest.volumes."), do_guest_volume },
	[KIND_GUEST_NETWORK] = { "guest.network", 0, spec_read_network },
	[KIND_GUEST_IFACE]   = { PREFIX("guest.network.interfaces."), spec_read_iface },
};

/* The row for a section's name, or NULL (reported as unknown). */
static const struct spec_kind *classify(struct spec_parse *p, const struct spec_sect *x)
{
	const char *n = x->name;
	for (size_t k = 0; k < KIND_COUNT; k++) {
		const struct spec_kind *r = &kinds[k];
		if (r->prefix ? !strncmp(n, r->name, r->prefix) && !strchr(n + r->prefix, '.')
			      : !strcmp(n, r->name))
			return r;
	}
	if (!strncmp(n, "processes.", 10))
		spec_error(p, x->line, n, "unknown section: a process's fields are dotted keys in "
			   "[processes.%.*s] (restart.policy = ..., health.port = ...)",
			   (int)strcspn(n + 10, "."), n + 10);
	else
		spec_error(p, x->line, n, "unknown section");
	return NULL;
}

/* [volumes.N], in index order: N runs 0, 1, 2, ... without gaps. */
static void read_volumes(struct spec_parse *p)
{
	struct spec *s = p->s;
	int count = -1, name_line[SPEC_MAX_INDEX + 1], vol_index[SPEC_MAX_INDEX + 1];
	struct spec_sect *vsec[SPEC_MAX_INDEX + 1];
	memset(vsec, 0, sizeof(vsec));
	for (size_t i = 0; i < p->nsec; i++) {
		struct spec_sect *x = &p->sec[i];
		char *end;
		long idx;
		if (x->kind != &kinds[KIND_VOLUME])
			continue;
		idx = strtol(x->name + 8, &end, 10);
		if (!isdigit((unsigned char)x->name[8]) || *end || idx > SPEC_MAX_INDEX ||
		    (x->name[8] == '0' && x->name[9])) {
			spec_error(p, x->line, x->name, "expected [volumes.N] with N from 0 to %d", SPEC_MAX_INDEX);
			x->kind = NULL;
			continue;
		}
		vsec[idx] = x;
		if (idx > count)
			count = (int)idx;
	}
	for (int i = 0; i < count; i++)
		if (!vsec[i])
			spec_error(p, 1, "volumes", "[volumes.%d] is missing: indexes run 0, 1, 2, ... without gaps", i);
	for (int idx = 0; idx <= count; idx++) {
		char name[32];
		struct spec_ctx c = { p, vsec[idx], name, NULL };
		if (!c.sec || !c.sec->kind)
			continue;
		snprintf(name, sizeof(name), "volumes.%d.", idx);
		do_volume(&c, &s->vols[s->nvols], &name_line[s->nvols]);
		spec_report_unused(&c);
		vol_index[s->nvols++] = idx;
	}
	spec_check_volume_names(p, name_line, vol_index);
}

/* Classify every section, then read them: volumes first, since defaults
 * (scaling.min) and references (mounts -> volumes) need them counted and
 * read; then the rest in file order. */
void spec_sections(struct spec_parse *p)
{
	struct spec *s = p->s;
	size_t nproc = 0, nvol = 0;

	for (size_t i = 0; i < p->nsec; i++) {
		struct spec_sect *x = &p->sec[i];
		if (x->dup)
			continue;   /* reported as defined twice */
		x->kind = classify(p, x);
		nproc += x->kind == &kinds[KIND_PROCESS];
		nvol += x->kind == &kinds[KIND_VOLUME];
	}
	s->procs = calloc(nproc + 1, sizeof(*s->procs));
	s->vols = calloc(nvol + 1, sizeof(*s->vols));
	if (!s->procs || !s->vols) {
		p->oom = 1;
		return;
	}
	read_volumes(p);
	s->nprocs = nproc;   /* for the scaling.min default */
	for (size_t i = 0; i < p->nsec; i++) {
		struct spec_sect *x = &p->sec[i];
		char prefix[64];
		struct spec_ctx c = { p, x, prefix, NULL };
		if (!x->kind || !x->kind->read)
			continue;
		snprintf(prefix, sizeof(prefix), "%s%s", x->name, x->name[0] ? "." : "");
		c.name = x->name + x->kind->prefix;
		x->kind->read(&c);
		spec_report_unused(&c);
	}
	if (!s->pull_policy)
		s->pull_policy = spec_strdup(p, "if_not_present");
	if (!s->guest.hostname)
		s->guest.hostname = spec_strdup(p, "vminit");
}
