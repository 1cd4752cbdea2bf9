/* spec/process.c - a [processes.NAME] section.
 *
 * Owns: a process's fields and their defaults: what it runs, restart,
 * resources, scaling, ports, health and x-liveness checks, x-depends_on,
 * mounts, secrets, x-secrets_reload, x-capabilities. Its tables are dotted keys ("restart.policy"), and its
 * indexed tables are "ports.N.field" (docs/spec.md).
 * Invariants: the getters are called in a fixed order, which is the order
 * errors are raised in; x-depends_on names are only collected here and
 * resolved once every process is known (checks.c).
 */
#include "spec_int.h"
#include "base/names.h"

#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const restart_names[] = { "always", "on-failure", "never", NULL };
static const char *const health_names[] = { "tcp", "http", NULL };
static const char *const dep_cond_names[] = { "started", "healthy", "succeeded", NULL };

const char *spec_restart_name(enum spec_restart r)
{
	return restart_names[r];
}

const char *spec_dep_cond_name(enum spec_dep_cond c)
{
	return dep_cond_names[c];
}

/* ports.N: internal (required), name (else derived "p<internal>"),
 * protocol ("tcp"). */
static void do_ports(struct spec_ctx *c, struct spec_process *pr)
{
	int n = spec_count_indexed(c, "ports");
	if (n <= 0)
		return;
	pr->ports = calloc((size_t)n, sizeof(*pr->ports));
	if (!pr->ports) {
		c->p->oom = 1;
		return;
	}
	pr->nports = (size_t)n;
	int lines[SPEC_MAX_INDEX + 1];
	for (int i = 0; i < n; i++) {
		struct spec_port *po = &pr->ports[i];
		char k[64];
		int line = 0, proto = 0;
		snprintf(k, sizeof(k), "ports.%d", i);
		spec_get_table(c, k);
		snprintf(k, sizeof(k), "ports.%d.internal", i);
		if (spec_get_int(c, k, 1, 65535, &po->internal, NULL) == 0)
			spec_key_error(c, c->sec->line, k, "required");
		snprintf(k, sizeof(k), "ports.%d.name", i);
		if (spec_get_str(c, k, &po->name, &line) == 1 && !spec_match_name(po->name))
			spec_key_error(c, line, k, "\"%s\" must match [a-z][a-z0-9-]{0,31}", po->name);
		lines[i] = line ? line : c->sec->line;
		snprintf(k, sizeof(k), "ports.%d.protocol", i);
		{
			static const char *const protos[] = { "tcp", NULL };
			spec_get_enum(c, k, protos, &proto);
		}
		po->protocol = spec_strdup(c->p, "tcp");
		if (!po->name && po->internal > 0) {
			if (asprintf(&po->name, "p%d", po->internal) < 0) {
				po->name = NULL;
				c->p->oom = 1;
			}
			po->name_derived = 1;
		}
	}
	spec_check_port_names(c, pr, lines);
}

/* What the check can put in a request line as it is: visible ASCII, up to
 * SPEC_HEALTH_PATH_MAX bytes (non-ASCII must come percent-encoded). */
static int valid_http_path(const char *s)
{
	size_t n = 0;
	if (*s != '/')
		return 0;
	for (; *s; s++, n++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f || n >= SPEC_HEALTH_PATH_MAX)
			return 0;
	return 1;
}

/* Present with any of its keys, "table = {}" included: then the schema's
 * rules apply in full (the port is required). */
static int table_present(const struct spec_sect *sec, const char *table)
{
	size_t tl = strlen(table);
	for (size_t i = 0; i < sec->n; i++)
		if (!strncmp(sec->e[i]->key, table, tl) &&
		    (sec->e[i]->key[tl] == '.' || sec->e[i]->key[tl] == '\0'))
			return 1;
	return 0;
}

/* health (the schema's) and x-liveness (an extension): the same fields and
 * defaults under another table name; only x-liveness may be "process". */
static void do_health(struct spec_ctx *c, struct spec_process *pr, const char *table,
		      struct spec_health *h, int allow_process)
{
	static const char *const liveness_names[] = { "tcp", "http", "process", NULL };
	int type = 0, line = 0;
	struct spec_entry *e;
	char k[64];
#define K(field) (snprintf(k, sizeof(k), "%s.%s", table, field), k)
	if (!table_present(c->sec, table))
		return;
	spec_get_table(c, table);
	h->present = 1;
	h->interval = 10;
	h->timeout = 2;
	h->grace = 10;
	h->success_threshold = 1;
	h->failure_threshold = 3;
	spec_get_enum(c, K("type"), allow_process ? liveness_names : health_names, &type);
	h->type = (enum spec_health_type)type;
	e = spec_take(c, K("port"));
	if (h->type == SPEC_HEALTH_PROCESS) {
		if (e)
			spec_key_error(c, e->line, k, "a process check has no port");
	} else if (!e) {
		spec_key_error(c, c->sec->line, k, "required when %s is set "
			       "(a declared port's name or number)", table);
	} else {
		spec_check_health_port(c, pr, e, h);
	}
	/* Only an http check uses its path; with another type any string is
	 * accepted and unused, as the schema has it (docs/spec.md section 7). */
	if (spec_get_str(c, K("path"), &h->path, &line) == 1 && h->type == SPEC_HEALTH_HTTP &&
	    !valid_http_path(h->path))
		spec_key_error(c, line, k, "must start with '/', be at most 768 bytes and contain only visible ASCII "
			       "(percent-encode the rest)");
	if (h->type == SPEC_HEALTH_HTTP && !h->path)
		spec_key_error(c, c->sec->line, K("path"), "required for http health checks");
	spec_get_int(c, K("interval_seconds"), 1, INT_MAX, &h->interval, NULL);
	spec_get_int(c, K("timeout_seconds"), 1, INT_MAX, &h->timeout, NULL);
	spec_get_int(c, K("grace_period_seconds"), 0, INT_MAX, &h->grace, NULL);
	spec_get_int(c, K("success_threshold"), 1, INT_MAX, &h->success_threshold, NULL);
	spec_get_int(c, K("failure_threshold"), 1, INT_MAX, &h->failure_threshold, NULL);
#undef K
}

/* x-depends_on: "NAME" or "NAME:started|healthy|succeeded". Names are
 * resolved once every process is known (checks.c, resolve_deps). */
static void do_deps(struct spec_ctx *c, struct spec_process *pr)
{
	const char *const *conds = dep_cond_names;
	struct spec_strv v = { 0 };
	int line = 0;
	if (spec_get_strv(c, "x-depends_on", &v, &line) != 1)
		return;
	pr->deps_line = line;
	pr->deps = calloc(v.n + 1, sizeof(*pr->deps));
	if (!pr->deps) {
		c->p->oom = 1;
		spec_strv_free(&v);
		return;
	}
	for (size_t i = 0; i < v.n; i++) {
		const char *colon = strchr(v.v[i], ':');
		struct spec_dep *d = &pr->deps[pr->ndeps];
		size_t n = colon ? (size_t)(colon - v.v[i]) : strlen(v.v[i]);
		int cond = 0;
		if (colon) {
			while (conds[cond] && strcmp(conds[cond], colon + 1))
				cond++;
			if (!conds[cond]) {
				spec_key_error(c, line, "x-depends_on", "\"%s\": the condition must be started, "
					       "healthy or succeeded", v.v[i]);
				continue;
			}
		}
		d->name = strndup(v.v[i], n);
		if (!d->name) {
			c->p->oom = 1;
			break;
		}
		d->cond = (enum spec_dep_cond)cond;
		pr->ndeps++;
	}
	spec_strv_free(&v);
}

/* Lexically normalised absolute path ("/a/./b/../c//" -> "/a/c"). */
void spec_normalize_path(const char *in, char *out, size_t outlen)
{
	size_t n = 0;
	const char *p = in;
	out[0] = '\0';
	while (*p) {
		const char *e;
		size_t len;
		while (*p == '/')
			p++;
		e = p;
		while (*e && *e != '/')
			e++;
		len = (size_t)(e - p);
		if (len == 0 || (len == 1 && p[0] == '.')) {
			/* nothing */
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--;
		} else if (n + len + 2 < outlen) {
			out[n++] = '/';
			memcpy(out + n, p, len);
			n += len;
		}
		out[n] = '\0';
		p = e;
	}
	if (n == 0)
		snprintf(out, outlen, "/");
}

int spec_path_is_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return !strncmp(path, dir, n) && (path[n] == '\0' || path[n] == '/');
}

const char *spec_path_kernel_fs(const char *norm)
{
	static const char *const kernel[] = { "/proc", "/sys", "/dev" };
	for (size_t f = 0; f < 3; f++)
		if (spec_path_is_under(norm, kernel[f]))
			return kernel[f];
	return NULL;
}

/* A mount's path: never on or under /proc, /sys or /dev, nor on /, /run,
 * /run/secrets or under it, however it is spelled: each would hide what
 * PID 1 puts there (the secrets env file is bound at /run/secrets). */
static void check_mount_path(struct spec_ctx *c, const char *key, int line, const char *path)
{
	char norm[PATH_MAX];
	const char *kfs;
	spec_normalize_path(path, norm, sizeof(norm));
	if ((kfs = spec_path_kernel_fs(norm)))
		spec_key_error(c, line, key, "\"%s\" is not allowed: nothing may be mounted on or under %s",
			       path, kfs);
	else if (!strcmp(norm, "/"))
		spec_key_error(c, line, key, "\"%s\" is not allowed: a mount on / would hide the whole image",
			       path);
	else if (!strcmp(norm, "/run") || spec_path_is_under(norm, "/run/secrets"))
		spec_key_error(c, line, key, "\"%s\" is not allowed: it would hide %s", path,
			       SPEC_SECRETS_PATH);
}

/* mounts.N: volume (a declared one) and path (required), read_only. */
static void do_mounts(struct spec_ctx *c, struct spec_process *pr)
{
	int n = spec_count_indexed(c, "mounts");
	if (n <= 0)
		return;
	pr->mounts = calloc((size_t)n, sizeof(*pr->mounts));
	if (!pr->mounts) {
		c->p->oom = 1;
		return;
	}
	pr->nmounts = (size_t)n;
	for (int i = 0; i < n; i++) {
		struct spec_mount *m = &pr->mounts[i];
		char k[64];
		int line = 0;
		snprintf(k, sizeof(k), "mounts.%d", i);
		spec_get_table(c, k);
		snprintf(k, sizeof(k), "mounts.%d.volume", i);
		if (spec_get_str(c, k, &m->volume, &line) == 0)
			spec_key_error(c, c->sec->line, k, "required");
		else if (m->volume && !spec_find_volume(c->p->s, m->volume))
			spec_key_error(c, line, k, "\"%s\" is not a declared volume ([volumes.N] name)", m->volume);
		snprintf(k, sizeof(k), "mounts.%d.path", i);
		if (spec_get_abs_path(c, k, &m->path, &line) == 0)
			spec_key_error(c, c->sec->line, k, "required");
		else if (m->path)
			check_mount_path(c, k, line, m->path);
		snprintf(k, sizeof(k), "mounts.%d.read_only", i);
		spec_get_bool(c, k, &m->read_only);
	}
}

/* x-secrets_reload: "none", "restart" or "signal:NAME", NAME a signal's
 * name ("HUP", "SIGUSR1"), never a number: a number means different signals
 * on different architectures. KILL and STOP are refused: one is a restart
 * without the restart policy's say, the other freezes the process. */
static void do_reload(struct spec_ctx *c, struct spec_process *pr)
{
	char *v = NULL;
	int line = 0;
	pr->secrets_reload = SPEC_RELOAD_NONE;
	if (spec_get_str(c, "x-secrets_reload", &v, &line) != 1 || !v)
		return;
	if (!strcmp(v, "restart")) {
		pr->secrets_reload = SPEC_RELOAD_RESTART;
	} else if (!strncmp(v, "signal:", 7)) {
		const char *name = v + 7;
		int sig = *name >= '0' && *name <= '9' ? -1 : names_signal_parse(name);
		if (sig < 0)
			spec_key_error(c, line, "x-secrets_reload", "\"%s\": not a signal name (\"signal:HUP\", "
				       "\"signal:SIGUSR1\")", v);
		else if (sig == SIGKILL || sig == SIGSTOP)
			spec_key_error(c, line, "x-secrets_reload", "\"%s\": KILL and STOP are refused "
				       "(use \"restart\")", v);
		else
			pr->secrets_reload = SPEC_RELOAD_SIGNAL;
		pr->secrets_reload_signal = sig > 0 ? sig : 0;
	} else if (strcmp(v, "none")) {
		spec_key_error(c, line, "x-secrets_reload", "\"%s\": must be \"none\", \"restart\" or "
			       "\"signal:NAME\"", v);
	}
	free(v);
}

/* x-capabilities.add or .drop: capability names into bits; "ALL" alone
 * is every one. 1 given, 0 absent, -1 an error (reported). */
static int get_caps(struct spec_ctx *c, const char *key, uint64_t *ret, int *ret_line)
{
	struct spec_strv v = { 0 };
	uint64_t bits = 0;
	int rc = spec_get_strv(c, key, &v, ret_line);
	for (size_t i = 0; rc == 1 && i < v.n; i++) {
		int cap = spec_cap_number(v.v[i]);
		if (!strcasecmp(v.v[i], "ALL") && v.n == 1) {
			bits = SPEC_CAPS_ALL;
		} else if (!strcasecmp(v.v[i], "ALL")) {
			spec_key_error(c, *ret_line, key, "\"ALL\" must be the only name in its list");
			rc = -1;
		} else if (cap < 0) {
			spec_key_error(c, *ret_line, key, "\"%.40s\" is not a capability's name (\"NET_ADMIN\", "
				       "\"CAP_SYS_PTRACE\", or \"ALL\")", v.v[i]);
			rc = -1;
		} else if (bits & 1ull << cap) {
			spec_key_error(c, *ret_line, key, "\"%s\" is given twice", v.v[i]);
			rc = -1;
		} else {
			bits |= 1ull << cap;
		}
	}
	if (rc == 1)
		*ret = bits;
	spec_strv_free(&v);
	return rc;
}

/* What a root process keeps (spec.h): the default, less what is dropped,
 * plus what is added. A name may not be in both lists; the one exception
 * is drop = ["ALL"] with names added, the usual way to say "only these". */
static void do_caps(struct spec_ctx *c, struct spec_process *pr)
{
	int ladd = 0, ldrop = 0;
	uint64_t both;
	spec_get_table(c, "x-capabilities");
	get_caps(c, "x-capabilities.add", &pr->cap_add, &ladd);
	get_caps(c, "x-capabilities.drop", &pr->cap_drop, &ldrop);
	pr->caps_line = ladd ? ladd : ldrop;
	both = pr->cap_add & pr->cap_drop;
	if (pr->cap_drop == SPEC_CAPS_ALL && pr->cap_add != SPEC_CAPS_ALL)
		both = 0;
	if (both) {
		char name[48];
		spec_cap_name(__builtin_ctzll(both), name, sizeof(name));
		spec_key_error(c, ldrop, "x-capabilities.drop", "%s is both added and dropped", name);
	}
	pr->caps = (SPEC_CAPS_DEFAULT & ~pr->cap_drop) | pr->cap_add;
}

/* What runs, and how: command, workdir, user, vars, prestart. */
static void do_run(struct spec_ctx *c, struct spec_process *pr)
{
	spec_get_command(c, "command", &pr->command);
	spec_get_abs_path(c, "workdir", &pr->workdir, NULL);
	spec_get_user(c, "user", &pr->user);
	spec_get_vars(c, "vars", 1, &pr->vars);
	spec_get_command(c, "prestart", &pr->prestart);
	spec_get_int(c, "prestart_timeout_seconds", 1, INT_MAX, &pr->prestart_timeout, NULL);
}

static void do_restart(struct spec_ctx *c, struct spec_process *pr)
{
	int policy = 0, line_retries = 0;
	spec_get_enum(c, "restart.policy", restart_names, &policy);
	pr->restart = (enum spec_restart)policy;
	if (spec_get_int(c, "restart.max_retries", 0, INT_MAX, &pr->max_retries, &line_retries) == 1 &&
	    pr->restart != SPEC_RESTART_ON_FAILURE)
		spec_key_error(c, line_retries, "restart.max_retries",
			       "only valid when restart.policy is \"on-failure\"");
	spec_get_int(c, "restart.backoff_seconds", 0, INT_MAX, &pr->backoff, NULL);
}

/* memory (required), cpu (a float; an integer will do), disk. */
static void do_resources(struct spec_ctx *c, struct spec_process *pr)
{
	struct spec_entry *e;
	struct val v = { 0 };
	if (spec_get_size(c, "resources.memory", 64ull << 20, "64Mi", &pr->memory, &pr->memory_bytes) == 0)
		spec_key_error(c, c->sec->line, "resources.memory", "required (\"256Mi\", \"2Gi\")");
	e = spec_take(c, "resources.cpu");
	if (e && spec_typed(c, e, VAL_FLOAT, 1, &v) == 1) {
		double cpu = v.type == VAL_INT ? (double)v.i : v.f;
		if (!(cpu > 0 && cpu <= 64))
			spec_key_error(c, e->line, "resources.cpu", "must be greater than 0 and at most 64");
		else
			pr->cpu = cpu;
	}
	if (spec_get_size(c, "resources.disk", 1ull << 30, "1Gi", &pr->disk, &pr->disk_bytes) == 0) {
		pr->disk = spec_strdup(c->p, "4Gi");
		pr->disk_bytes = 4ull << 30;
	}
	{
		int pids = SPEC_PIDS_DEFAULT;
		spec_get_int(c, "resources.x-pids_max", 1, SPEC_PIDS_LIMIT, &pids, NULL);
		pr->pids_max = pids;
	}
}

/* min defaults to 1 for a spec's only process, else 0; max to min. */
static void do_scaling(struct spec_ctx *c, struct spec_process *pr)
{
	int lmax = 0;
	pr->scale_min = -1;
	pr->scale_max = -1;
	spec_get_int(c, "scaling.min", 0, INT_MAX, &pr->scale_min, NULL);
	spec_get_int(c, "scaling.max", 0, INT_MAX, &pr->scale_max, &lmax);
	if (pr->scale_min < 0)
		pr->scale_min = c->p->s->nprocs == 1 ? 1 : 0;
	if (pr->scale_max < 0)
		pr->scale_max = pr->scale_min;
	else if (pr->scale_max < pr->scale_min)
		spec_key_error(c, lmax, "scaling.max", "must be at least scaling.min (%d)", pr->scale_min);
	for (size_t i = 0; i < c->sec->n; i++) {
		struct spec_entry *e = c->sec->e[i];
		if (!e->used && !strncmp(e->key, "scaling.autoscale", 17)) {
			e->used = 1;
			spec_key_error(c, e->line, e->key, "autoscaling is not supported in v1");
		}
	}
}

static void do_process(struct spec_ctx *c, struct spec_process *pr)
{
	int line = 0;

	pr->prestart_timeout = 30;
	pr->restart = SPEC_RESTART_ALWAYS;
	pr->max_retries = 3;
	pr->backoff = 2;
	pr->cpu = 1.0;
	pr->secrets_required = 0;

	do_run(c, pr);
	/* Tables with nothing required: "restart = {}" leaves every default. */
	spec_get_table(c, "restart");
	spec_get_table(c, "resources");
	spec_get_table(c, "scaling");
	spec_get_table(c, "secrets");
	do_restart(c, pr);
	do_resources(c, pr);
	do_scaling(c, pr);
	do_ports(c, pr);
	do_health(c, pr, "health", &pr->health, 0);
	do_health(c, pr, "x-liveness", &pr->liveness, 1);
	if (spec_get_int(c, "x-startup_timeout_seconds", 1, INT_MAX, &pr->startup_timeout, &line) == 1 &&
	    !pr->health.present && !pr->liveness.present)
		spec_key_error(c, line, "x-startup_timeout_seconds", "needs a health or x-liveness check "
			       "(what should become healthy in time?)");
	do_deps(c, pr);
	do_mounts(c, pr);
	spec_get_bool(c, "secrets.required", &pr->secrets_required);
	do_reload(c, pr);
	do_caps(c, pr);
}

/* The section table's handler: the next process, named from its header. */
void spec_read_process(struct spec_ctx *c)
{
	struct spec_parse *p = c->p;
	struct spec_process *pr = &p->s->procs[p->procs_read++];
	pr->name = spec_strdup(p, c->name);
	pr->line = c->sec->line;
	if (pr->name && !spec_match_name(pr->name))
		spec_error(p, c->sec->line, c->sec->name, "process name \"%s\" must match [a-z][a-z0-9-]{0,31}",
			   pr->name);
	do_process(c, pr);
}
