/* modules.c - load the kernel modules the image lists (modules.h).
 *
 * Runs once at boot, before the loop, so reading files here blocks nothing
 * that is running yet. A name is resolved as modprobe does: its line in
 * modules.dep names its dependencies, which load first, last one first; a
 * name missing there but listed in modules.builtin is built in. No modprobe
 * in the image, no udev: the kernel cannot load modules by itself.
 */
#include "modules.h"
#include "base/console.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define LINE_BYTES 4096
#define MAX_DEPS 64

struct run {
	const char *dir;
	modules_load_fn load;
	void *ctx;
	struct modules_report *r;
	uint64_t tried[MODULES_MAX_ENTRIES * 2];   /* hashes of files already tried */
	unsigned ntried;
};

static void fail(struct run *u, const char *module, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail(struct run *u, const char *module, const char *fmt, ...)
{
	struct modules_report *r = u->r;
	char msg[sizeof(r->fail[0].error)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->failed++;
	if (r->nfail < MODULES_MAX_FAILURES) {
		snprintf(r->fail[r->nfail].module, sizeof(r->fail[0].module), "%s", module);
		snprintf(r->fail[r->nfail].error, sizeof(r->fail[0].error), "%s", msg);
		r->nfail++;
	}
	log_warn("module %s: %s", module, msg);
}

/* A module's name from a file name: no directory, no .ko suffix, '-' = '_'. */
static void module_name(char *dst, size_t n, const char *path, size_t len)
{
	const char *base = path, *ko;
	size_t i = 0;
	for (size_t k = 0; k < len; k++)
		if (path[k] == '/')
			base = path + k + 1;
	len -= (size_t)(base - path);
	ko = memmem(base, len, ".ko", 3);
	if (ko)
		len = (size_t)(ko - base);
	for (; i + 1 < n && i < len; i++)
		dst[i] = base[i] == '-' ? '_' : base[i];
	dst[i] = '\0';
}

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* Load one file (relative to dir unless absolute); each file once per boot. */
static void load_file(struct run *u, const char *path, const char *params)
{
	char full[512], name[64];
	uint64_t h;
	int rc;
	if (path[0] == '/')
		snprintf(full, sizeof(full), "%s", path);
	else
		snprintf(full, sizeof(full), "%s/%s", u->dir, path);
	h = hash(full);
	for (unsigned i = 0; i < u->ntried; i++)
		if (u->tried[i] == h)
			return;
	if (u->ntried < sizeof(u->tried) / sizeof(u->tried[0]))
		u->tried[u->ntried++] = h;
	module_name(name, sizeof(name), path, strlen(path));
	rc = u->load(full, params, u->ctx);
	if (rc == 0)
		u->r->loaded++;
	else if (rc == -EEXIST)
		u->r->already++;
	else
		fail(u, name, "%s: %s", full, strerror(-rc));
}

/* Read one line of f into buf; 1 if it did not fit (the rest is skipped). */
static int read_line(FILE *f, char *buf, size_t n, int *eof)
{
	size_t len;
	int c, long_line = 0;
	*eof = !fgets(buf, (int)n, f);
	if (*eof)
		return 0;
	len = strlen(buf);
	if (len && buf[len - 1] == '\n') {
		buf[len - 1] = '\0';
		return 0;
	}
	while ((c = getc(f)) != EOF && c != '\n')
		long_line = 1;
	return long_line;
}

/* The line of modules.dep (or modules.builtin) for name, into line. */
static int find_line(const char *file, const char *name, char *line, size_t n, int *too_long)
{
	FILE *f = fopen(file, "re");
	int eof = 0, found = 0;
	*too_long = 0;
	if (!f)
		return -1;
	while (!found) {
		char key[64];
		int cut = read_line(f, line, n, &eof);
		size_t klen;
		if (eof)
			break;
		klen = strcspn(line, ":");
		module_name(key, sizeof(key), line, klen);
		if (!strcmp(key, name)) {
			found = 1;
			*too_long = cut;
		}
	}
	fclose(f);
	return found;
}

static void load_name(struct run *u, const char *given, const char *params)
{
	char name[64], file[512], line[LINE_BYTES];
	char *deps[MAX_DEPS], *p, *save = NULL;
	int ndeps = 0, too_long, found;

	module_name(name, sizeof(name), given, strlen(given));
	snprintf(file, sizeof(file), "%s/modules.dep", u->dir);
	found = find_line(file, name, line, sizeof(line), &too_long);
	if (found < 0) {
		fail(u, name, "cannot read %s: %s", file, strerror(errno));
		return;
	}
	if (!found) {
		snprintf(file, sizeof(file), "%s/modules.builtin", u->dir);
		if (find_line(file, name, line, sizeof(line), &too_long) == 1)
			u->r->builtin++;
		else
			fail(u, name, "not found in %s/modules.dep", u->dir);
		return;
	}
	if (too_long) {
		fail(u, name, "its line in modules.dep is over %d bytes", LINE_BYTES);
		return;
	}
	p = strchr(line, ':');
	if (!p) {
		fail(u, name, "its line in modules.dep has no ':'");
		return;
	}
	*p++ = '\0';
	for (char *t = strtok_r(p, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		if (ndeps == MAX_DEPS) {
			fail(u, name, "more than %d dependencies", MAX_DEPS);
			return;
		}
		deps[ndeps++] = t;
	}
	/* modules.dep lists a module's dependencies users first: load from the end. */
	while (ndeps > 0)
		load_file(u, deps[--ndeps], "");
	load_file(u, line, params);
}

static int is_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= 64)
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
}

void modules_load_list(const char *list, const char *dir, modules_load_fn load, void *ctx,
		       struct modules_report *r)
{
	struct run u = { .dir = dir, .load = load, .ctx = ctx, .r = r };
	struct timespec t0, t1;
	char line[LINE_BYTES];
	unsigned entries = 0, lineno = 0;
	int eof = 0;
	FILE *f;

	memset(r, 0, sizeof(*r));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	f = fopen(list, "re");
	if (!f) {
		if (errno != ENOENT) {
			r->present = 1;
			fail(&u, "-", "cannot read %s: %s", list, strerror(errno));
		}
		return;
	}
	r->present = 1;
	for (;;) {
		char *tok, *params;
		int cut = read_line(f, line, sizeof(line), &eof);
		if (eof)
			break;
		lineno++;
		tok = line + strspn(line, " \t\r");
		if (cut) {
			fail(&u, "-", "%s:%u: line over %d bytes: ignored", list, lineno, LINE_BYTES);
			continue;
		}
		if (*tok == '\0' || *tok == '#')
			continue;
		if (++entries > MODULES_MAX_ENTRIES) {
			fail(&u, "-", "%s:%u: more than %d modules: the rest are ignored", list, lineno,
			     MODULES_MAX_ENTRIES);
			break;
		}
		params = tok + strcspn(tok, " \t\r");
		if (*params) {
			*params++ = '\0';
			params += strspn(params, " \t");
			params[strcspn(params, "\r")] = '\0';
		}
		if (strchr(tok, '/') || strstr(tok, ".ko"))
			load_file(&u, tok, params);
		else if (is_name(tok))
			load_name(&u, tok, params);
		else
			fail(&u, "-", "%s:%u: not a module name or path: %.64s", list, lineno, tok);
	}
	fclose(f);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	r->ms = (int64_t)(t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
}

/* A compressed module (.ko.xz, .ko.zst, .ko.gz: Debian's 6.12 kernels ship
 * .ko.xz) is decompressed by the kernel itself when it has
 * CONFIG_MODULE_DECOMPRESS (Linux 6.4); else the load fails, and is said. */
#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4
#endif

int modules_finit_flags(const char *path)
{
	size_t n = strlen(path);
	static const char *const ext[] = { ".ko.xz", ".ko.zst", ".ko.gz" };
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		size_t e = strlen(ext[i]);
		if (n > e && !strcmp(path + n - e, ext[i]))
			return MODULE_INIT_COMPRESSED_FILE;
	}
	return 0;
}

int modules_finit(const char *path, const char *params, void *ctx)
{
	int fd, rc, err;
	(void)ctx;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = (int)syscall(SYS_finit_module, fd, params, modules_finit_flags(path));
	err = errno;
	close(fd);
	return rc < 0 ? -err : 0;
}

void modules_boot(struct modules_report *r)
{
	struct utsname u;
	char dir[128];
	if (uname(&u) < 0) {
		memset(r, 0, sizeof(*r));
		return;
	}
	snprintf(dir, sizeof(dir), "/lib/modules/%s", u.release);
	modules_load_list(MODULES_LIST, dir, modules_finit, NULL, r);
	if (r->present)
		log_info("modules: %u loaded, %u already there, %u built in, %u failed (%lld ms)",
			 r->loaded, r->already, r->builtin, r->failed, (long long)r->ms);
}
