/* spec/checks.c - the rules that join fields of different tables or sections.
 *
 * Owns: references and uniqueness across a spec: a health check's port
 * among its process's ports, port names within a process, volume names, a
 * mount's or a guest volume's volume, a disk named once among the guest's
 * storage sections, [guest.root]'s writable directories, a scratch disk only
 * with a root, the number of processes, what each process runs (its command
 * or the image's), and x-depends_on (names, conditions, cycles). The section handlers call the first ones where they
 * read the field; spec_check() runs the rest once every section is read.
 * Invariants: linear in the size of the spec, give or take a logarithm
 * (sorting, bisection; the quadratic passes are over at most 1000 volumes);
 * a cycle is reported once, and only when every name resolved.
 */
#include "spec_int.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- checked while the sections are read ---- */

/* The volume named, or NULL: [volumes.N] are all read before anything
 * refers to them. */
struct spec_volume *spec_find_volume(struct spec *s, const char *name)
{
	for (size_t i = 0; i < s->nvols; i++)
		if (s->vols[i].name && !strcmp(s->vols[i].name, name))
			return &s->vols[i];
	return NULL;
}

/* Volume names are unique; name_line[i] and vol_index[i] are where
 * s->vols[i] was named and its N. */
void spec_check_volume_names(struct spec_parse *p, const int *name_line, const int *vol_index)
{
	struct spec *s = p->s;
	for (size_t i = 0; i < s->nvols; i++)
		for (size_t j = 0; j < i; j++)
			if (s->vols[i].name && s->vols[j].name && !strcmp(s->vols[i].name, s->vols[j].name)) {
				char key[32];
				snprintf(key, sizeof(key), "volumes.%d.name", vol_index[i]);
				spec_error(p, name_line[i], key, "volume name \"%s\" is used twice (also volumes.%d)",
					   s->vols[i].name, vol_index[j]);
			}
}

static int cmp_port_name(const void *a, const void *b)
{
	const struct spec_port *x = *(struct spec_port *const *)a, *y = *(struct spec_port *const *)b;
	int r = strcmp(x->name, y->name);
	return r ? r : (x > y) - (x < y);
}

/* A process's port names, given or derived, are unique: sorted (by name,
 * then index), each port named like the one before it is reported against
 * the first with that name, at lines[i] (where ports.i was named). */
void spec_check_port_names(struct spec_ctx *c, struct spec_process *pr, const int *lines)
{
	struct spec_port *by[SPEC_MAX_INDEX + 1];
	size_t m = 0, first = 0;
	for (size_t i = 0; i < pr->nports; i++)
		if (pr->ports[i].name)
			by[m++] = &pr->ports[i];
	qsort(by, m, sizeof(*by), cmp_port_name);
	for (size_t x = 1; x < m; x++) {
		if (strcmp(by[x]->name, by[first]->name)) {
			first = x;
			continue;
		}
		int i = (int)(by[x] - pr->ports), j = (int)(by[first] - pr->ports);
		char k[64];
		snprintf(k, sizeof(k), "ports.%d.name", i);
		spec_key_error(c, lines[i], k, "port name \"%s\" is also ports.%d's%s", by[x]->name, j,
			       by[x]->name_derived || by[first]->name_derived
				       ? " (derived names are p<internal>)" : "");
	}
}

/* A check's port (entry e, "health.port"): one of its process's ports, by
 * name or by number; h gets the number (and the name, when given by one). */
void spec_check_health_port(struct spec_ctx *c, struct spec_process *pr, struct spec_entry *e,
			    struct spec_health *h)
{
	struct val v = { 0 };
	char err[200];
	size_t i;
	if (val_parse(e->text, &v, err, sizeof(err)) < 0) {
		/* v is untouched on failure: nothing to free. */
		spec_key_error(c, e->line, e->key, "%s", err);
		return;
	}
	if (v.type != VAL_STRING && v.type != VAL_INT) {
		spec_key_error(c, e->line, e->key, "must be a port name (a string) or number, not %s",
			       val_type_name(v.type));
		goto out;
	}
	for (i = 0; i < pr->nports; i++) {
		struct spec_port *po = &pr->ports[i];
		if (v.type == VAL_STRING ? po->name && !strcmp(po->name, v.s) : po->internal == v.i)
			break;
	}
	if (i == pr->nports && v.type == VAL_STRING)
		spec_key_error(c, e->line, e->key, "\"%s\" is not a declared port name of this process", v.s);
	else if (i == pr->nports)
		spec_key_error(c, e->line, e->key, "%lld is not a declared port of this process", v.i);
	else {
		h->port = pr->ports[i].internal;
		if (v.type == VAL_STRING)
			h->port_name = spec_strdup(c->p, v.s);
	}
out:
	val_free(&v);
}

/* A device is named once among [guest.root], [guest.scratch] and
 * [guest.volumes.*]: two mounts of one disk would corrupt it. d (just read,
 * its key at line) is compared with those read before it: sections are read
 * in file order, so the error is at the later of the two. Texts are compared
 * as written; which disk a serial or an index is, only the guest knows. */
void spec_check_device(struct spec_ctx *c, const struct spec_device *d, int line)
{
	const struct spec *s = c->p->s;
	const char *other = NULL;
	char key[64];
	if (d->kind == SPEC_LOC_NONE)
		return;
	if (&s->root.dev != d && s->root.dev.kind != SPEC_LOC_NONE && !strcmp(s->root.dev.text, d->text))
		other = "guest.root";
	else if (&s->scratch.dev != d && s->scratch.dev.kind != SPEC_LOC_NONE &&
		 !strcmp(s->scratch.dev.text, d->text))
		other = "guest.scratch";
	for (size_t i = 0; !other && i < s->nvols; i++)
		if (&s->vols[i].dev != d && s->vols[i].dev.kind != SPEC_LOC_NONE &&
		    !strcmp(s->vols[i].dev.text, d->text)) {
			snprintf(key, sizeof(key), "guest.volumes.%s", s->vols[i].name);
			other = key;
		}
	if (other)
		spec_key_error(c, line, "device", "\"%s\" is also %s.device: a disk is named once", d->text, other);
}

struct norm_path {
	char *norm;
	size_t i;
};

static int cmp_norm_path(const void *a, const void *b)
{
	const struct norm_path *x = a, *y = b;
	int r = strcmp(x->norm, y->norm);
	return r ? r : (x->i > y->i) - (x->i < y->i);
}

/* [guest.root] writable (its key at line): absolute directories other than
 * "/" (that is the overlay's job), never the kernel's file systems, each
 * once however it is spelled ("/a/" is "/a"). Sorted, not compared pairwise:
 * a 1 MiB list stays linear. */
void spec_check_writable(struct spec_ctx *c, const struct spec_strv *w, int line)
{
	struct norm_path *by = calloc(w->n + 1, sizeof(*by));
	char norm[PATH_MAX];
	size_t m = 0;
	if (!by) {
		c->p->oom = 1;
		return;
	}
	for (size_t i = 0; i < w->n; i++) {
		const char *path = w->v[i], *kfs;
		if (path[0] != '/') {
			spec_key_error(c, line, "writable", "\"%s\" must be an absolute path", path);
			continue;
		}
		spec_normalize_path(path, norm, sizeof(norm));
		if (!strcmp(norm, "/"))
			spec_key_error(c, line, "writable", "\"%s\" is the whole root: leave writable out "
				       "for an overlay over all of it", path);
		else if ((kfs = spec_path_kernel_fs(norm)))
			spec_key_error(c, line, "writable", "\"%s\" is not allowed: %s is the kernel's", path, kfs);
		else if (!(by[m].norm = strdup(norm)))
			c->p->oom = 1;
		else
			by[m++].i = i;
	}
	qsort(by, m, sizeof(*by), cmp_norm_path);
	for (size_t x = 1; x < m; x++)
		if (!strcmp(by[x].norm, by[x - 1].norm))
			spec_key_error(c, line, "writable", "\"%s\" is given twice (also \"%s\")",
				       w->v[by[x].i], w->v[by[x - 1].i]);
	for (size_t x = 0; x < m; x++)
		free(by[x].norm);
	free(by);
}

/* ---- checked once every section is read ---- */

static void check_process_count(struct spec_parse *p)
{
	struct spec *s = p->s;
	if (s->nprocs == 0)
		spec_error(p, 1, "processes", "at least one [processes.NAME] section is required");
	else if (s->nprocs > SPEC_MAX_PROCESSES) {
		char key[64];
		snprintf(key, sizeof(key), "processes.%s", s->procs[SPEC_MAX_PROCESSES].name);
		spec_error(p, s->procs[SPEC_MAX_PROCESSES].line, key,
			   "%zu processes: vminit runs at most %d", s->nprocs, SPEC_MAX_PROCESSES);
	}
}

/* What each process runs. The vectors are borrowed, never copied: a
 * process's own command, or the one image argv (entrypoint + cmd) that every
 * process without a command shares. A copy per process would make a 1 MiB
 * spec (a long cmd, many processes) cost time and memory times the number of
 * processes. */
static void derive(struct spec_parse *p)
{
	struct spec *s = p->s;
	size_t ne = s->image.entrypoint.n, nc = s->image.cmd.n;
	s->image_argv.v = calloc(ne + nc + 1, sizeof(*s->image_argv.v));
	if (!s->image_argv.v) {
		p->oom = 1;
		return;
	}
	for (size_t i = 0; i < ne + nc; i++)
		s->image_argv.v[i] = i < ne ? s->image.entrypoint.v[i] : s->image.cmd.v[i - ne];
	s->image_argv.n = ne + nc;
	s->image_argv.set = 1;
	for (size_t i = 0; i < s->nprocs; i++) {
		struct spec_process *pr = &s->procs[i];
		pr->argv = pr->command.set ? pr->command : s->image_argv;
		if (pr->argv.n == 0 || pr->argv.v[0][0] == '\0') {
			char key[64];
			snprintf(key, sizeof(key), "processes.%s", pr->name);
			spec_error(p, pr->line, key, "nothing to run: no command, and [guest.image] "
				   "has no entrypoint or cmd");
		}
	}
}

/* The process named, by bisection: procs are sorted by name by now. */
static struct spec_process *find_sorted(const struct spec *s, const char *name)
{
	size_t lo = 0, hi = s->nprocs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = strcmp(s->procs[mid].name, name);
		if (!r)
			return &s->procs[mid];
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* x-depends_on's names to indexes, each checked against what is asked of
 * the process it names. Linear in the number of names listed: each is found
 * by bisection, and named[] remembers which process last named each one (no
 * rescans). 0 when every name resolved, -1 otherwise (a cycle search needs
 * every edge). */
static int resolve_deps(struct spec_parse *p)
{
	struct spec *s = p->s;
	char key[64];
	int unresolved = 0;
	size_t *named = calloc(s->nprocs + 1, sizeof(*named));
	if (!named) {
		p->oom = 1;
		return -1;
	}
	for (size_t i = 0; i < s->nprocs; i++) {
		struct spec_process *pr = &s->procs[i];
		snprintf(key, sizeof(key), "processes.%s.x-depends_on", pr->name);
		for (size_t j = 0; j < pr->ndeps; j++) {
			struct spec_dep *d = &pr->deps[j];
			const struct spec_process *t = find_sorted(s, d->name);
			if (!t) {
				spec_error(p, pr->deps_line, key, "\"%s\" is not a process of this spec", d->name);
				unresolved = 1;
				continue;
			}
			d->index = (size_t)(t - s->procs);
			if (t == pr) {
				spec_error(p, pr->deps_line, key, "a process cannot depend on itself");
				unresolved = 1;   /* not a cycle to report again */
			}
			if (named[d->index] == i + 1)
				spec_error(p, pr->deps_line, key, "\"%s\" is named twice", d->name);
			named[d->index] = i + 1;
			if (d->cond == SPEC_DEP_HEALTHY && !t->health.present && !t->liveness.present)
				spec_error(p, pr->deps_line, key, "\"%s:healthy\": %s has no health or x-liveness check",
					   d->name, d->name);
			if (d->cond == SPEC_DEP_SUCCEEDED && t->restart == SPEC_RESTART_ALWAYS)
				spec_error(p, pr->deps_line, key, "\"%s:succeeded\": %s has restart.policy \"always\" "
					   "and never ends for good", d->name, d->name);
		}
	}
	free(named);
	return unresolved ? -1 : 0;
}

/* The cycle closed by the edge v -> w: the depth-first stack from w up to v,
 * reported at v's x-depends_on. */
static void report_cycle(struct spec_parse *p, const size_t *stack, size_t depth, size_t w)
{
	const struct spec *s = p->s;
	const struct spec_process *pr = &s->procs[stack[depth - 1]];
	char path[256], key[64];
	size_t n = 0, from = depth;
	while (from > 0 && stack[from - 1] != w)
		from--;
	for (size_t q = from - 1; q < depth && n < sizeof(path); q++)
		n += (size_t)snprintf(path + n, sizeof(path) - n, "%s -> ", s->procs[stack[q]].name);
	if (n < sizeof(path))
		snprintf(path + n, sizeof(path) - n, "%s", s->procs[w].name);
	snprintf(key, sizeof(key), "processes.%s.x-depends_on", pr->name);
	spec_error(p, pr->deps_line, key, "a cycle: %s", path);
}

/* The first cycle of dependencies, if any: depth-first, colouring 1 = on
 * the path, 2 = done; each edge is followed once. */
static void find_cycle(struct spec_parse *p)
{
	const struct spec *s = p->s;
	unsigned char *colour = calloc(s->nprocs + 1, 1);
	size_t *stack = calloc(s->nprocs + 1, sizeof(*stack)), *next = calloc(s->nprocs + 1, sizeof(*next));
	if (!colour || !stack || !next) {
		p->oom = 1;
		goto out;
	}
	for (size_t root = 0; root < s->nprocs; root++) {
		size_t depth = 0;
		if (colour[root])
			continue;
		stack[depth++] = root;
		colour[root] = 1;
		next[root] = 0;
		while (depth) {
			size_t v = stack[depth - 1];
			const struct spec_process *pr = &s->procs[v];
			if (next[v] == pr->ndeps) {
				colour[v] = 2;
				depth--;
				continue;
			}
			size_t w = pr->deps[next[v]++].index;
			if (colour[w] == 1) {
				report_cycle(p, stack, depth, w);
				goto out;
			}
			if (!colour[w]) {
				colour[w] = 1;
				next[w] = 0;
				stack[depth++] = w;
			}
		}
	}
out:
	free(colour);
	free(stack);
	free(next);
}

/* A scratch disk holds the root's writes (the overlay's upper layer):
 * without [guest.root] there is nothing for it to do. */
static void check_scratch(struct spec_parse *p)
{
	const struct spec *s = p->s;
	if (s->scratch.dev.line && !s->root.dev.line)
		spec_error(p, s->scratch.dev.line, "guest.scratch", "needs [guest.root]: the scratch disk "
			   "holds the root file system's writes");
}

static int cmp_proc(const void *a, const void *b)
{
	return strcmp(((const struct spec_process *)a)->name, ((const struct spec_process *)b)->name);
}

/* Once every section is read: how many processes; then, with every process
 * named, the processes sorted by name, what each runs, and x-depends_on. */
void spec_check(struct spec_parse *p)
{
	struct spec *s = p->s;
	check_process_count(p);
	check_scratch(p);
	spec_check_network(p);
	for (size_t i = 0; i < s->nprocs; i++)
		if (!s->procs[i].name)
			return;
	qsort(s->procs, s->nprocs, sizeof(*s->procs), cmp_proc);
	derive(p);
	if (resolve_deps(p) == 0)
		find_cycle(p);
}
