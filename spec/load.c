/* spec/load.c - the spec's entry points: load, free, find.
 *
 * Owns: one load from start to end: the defaults no section sets, the
 * pipeline (read.c -> sections.c -> checks.c), the errors handed over, and
 * freeing what the load built. A file is read whole first, at most
 * SPEC_MAX_BYTES, without blocking.
 * Invariants: a load returns NULL only when out of memory, and then frees
 * everything; otherwise a spec whose nerrors says whether it may be used.
 * Nothing is kept between loads.
 */
#include "spec_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void parse_free(struct spec_parse *p)
{
	for (size_t i = 0; i < p->nent; i++) {
		free(p->ent[i].key);
		free(p->ent[i].text);
	}
	free(p->ent);
	for (size_t i = 0; i < p->nsec; i++) {
		free(p->sec[i].name);
		free(p->sec[i].e);
	}
	free(p->sec);
	spec_errors_free(p);
}

/* Every section read, then the rules across them. */
static void interpret(struct spec_parse *p)
{
	if (spec_group(p) < 0)
		return;
	spec_sections(p);
	if (!p->oom)
		spec_check(p);
}

struct spec *spec_load_buffer(const char *name, const char *buf, size_t len)
{
	struct spec_parse p = { 0 };
	struct spec *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->path = strdup(name);
	s->guest.halt = SPEC_HALT_POWEROFF;
	s->guest.stop_timeout = 10;
	s->guest.backoff_max = 300;
	s->guest.reset_after = 60;
	s->env.prestart_timeout = 30;
	p.s = s;
	p.file = name;
	p.cur = SEC_TOP;
	p.buf = buf;
	p.len = len;
	if (!s->path)
		goto oom;
	if (len > SPEC_MAX_BYTES) {
		spec_error(&p, 1, NULL, "spec is %zu bytes, larger than the %u-byte limit", len, SPEC_MAX_BYTES);
		if (spec_errors_move(&p) < 0)
			goto oom;
		parse_free(&p);
		return s;
	}
	spec_read(&p);
	if (!p.oom)
		interpret(&p);
	if (p.oom || spec_errors_move(&p) < 0)
		goto oom;
	parse_free(&p);
	return s;
oom:
	parse_free(&p);
	spec_free(s);
	return NULL;
}

/* A regular file of at most SPEC_MAX_BYTES, whole, in *ret_buf (malloc'd,
 * *ret_len bytes). Returns 0, an errno value saying why it cannot be read
 * (*ret_buf may hold part of it), or -1 when out of memory. */
static int read_whole(const char *path, char **ret_buf, size_t *ret_len)
{
	struct stat sb;
	char *buf = NULL;
	size_t len = 0;
	/* Non-blocking: a FIFO or a tty named as the spec must not hang PID 1
	 * at boot, before it can even be told to shut down. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	int err = 0;

	if (fd < 0 || fstat(fd, &sb) < 0) {
		err = errno;
	} else if (!S_ISREG(sb.st_mode)) {
		err = EINVAL;
	} else if (sb.st_size > SPEC_MAX_BYTES) {
		err = EFBIG;
	} else {
		buf = malloc((size_t)sb.st_size + 1);
		if (!buf) {
			close(fd);
			return -1;
		}
		while (len < (size_t)sb.st_size) {
			ssize_t n = read(fd, buf + len, (size_t)sb.st_size - len);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				err = n < 0 ? errno : 0;
				break;
			}
			len += (size_t)n;
		}
	}
	if (fd >= 0)
		close(fd);
	*ret_buf = buf;
	*ret_len = len;
	return err;
}

/* A spec with the one error that says why path cannot be read. */
static struct spec *unreadable(const char *path, int err)
{
	char msg[600];
	struct spec *s = spec_load_buffer(path, "", 0);
	if (!s)
		return NULL;
	for (size_t i = 0; i < s->nerrors; i++)
		free(s->errors[i]);
	s->nerrors = 0;
	snprintf(msg, sizeof(msg), "%s:1: cannot read spec: %s", path,
		 err == EFBIG ? "larger than the 1 MiB limit"
		 : err == EINVAL ? "not a regular file" : strerror(err));
	if (!s->errors)
		s->errors = calloc(SPEC_MAX_ERRORS + 1, sizeof(*s->errors));
	if (!s->errors || !(s->errors[0] = strdup(msg))) {
		spec_free(s);
		return NULL;
	}
	s->nerrors = 1;
	return s;
}

struct spec *spec_load_file(const char *path)
{
	struct spec *s;
	char *buf = NULL;
	size_t len = 0;
	int err = read_whole(path, &buf, &len);

	if (err < 0)
		return NULL;
	if (err) {
		free(buf);
		return unreadable(path, err);
	}
	s = spec_load_buffer(path, buf ? buf : "", len);
	free(buf);
	return s;
}

static void process_free(struct spec_process *pr)
{
	free(pr->name);
	spec_strv_free(&pr->command);
	free(pr->workdir);
	free(pr->user);
	spec_strv_free(&pr->vars);
	spec_strv_free(&pr->prestart);
	free(pr->memory);
	free(pr->disk);
	for (size_t i = 0; i < pr->nports; i++) {
		free(pr->ports[i].name);
		free(pr->ports[i].protocol);
	}
	free(pr->ports);
	free(pr->health.port_name);
	free(pr->health.path);
	free(pr->liveness.port_name);
	free(pr->liveness.path);
	for (size_t i = 0; i < pr->ndeps; i++)
		free(pr->deps[i].name);
	free(pr->deps);
	for (size_t i = 0; i < pr->nmounts; i++) {
		free(pr->mounts[i].volume);
		free(pr->mounts[i].path);
	}
	free(pr->mounts);
	/* argv is borrowed (checks.c, derive) */
}

void spec_free(struct spec *s)
{
	if (!s)
		return;
	free(s->path);
	free(s->app_name);
	free(s->app_description);
	free(s->image_ref);
	free(s->pull_policy);
	spec_strv_free(&s->env.vars);
	free(s->env.workdir);
	free(s->env.user);
	spec_strv_free(&s->env.prestart);
	if (s->procs)
		for (size_t i = 0; i < s->nprocs; i++)
			process_free(&s->procs[i]);
	free(s->procs);
	if (s->vols)
		for (size_t i = 0; i < s->nvols; i++) {
			free(s->vols[i].name);
			free(s->vols[i].size);
			free(s->vols[i].filesystem);
			free(s->vols[i].dev.text);
		}
	free(s->vols);
	free(s->guest.hostname);
	free(s->guest.push);
	spec_strv_free(&s->guest.control);
	spec_strv_free(&s->image.entrypoint);
	spec_strv_free(&s->image.cmd);
	spec_strv_free(&s->image.env);
	free(s->image_argv.v);   /* the strings are entrypoint's and cmd's */
	free(s->image.workdir);
	free(s->image.user);
	free(s->root.dev.text);
	spec_strv_free(&s->root.writable);
	free(s->root.tmpfs_size);
	free(s->scratch.dev.text);
	spec_strv_free(&s->net.search);
	spec_strv_free(&s->net.hosts);
	for (size_t i = 0; i < s->net.nifaces; i++)
		free(s->net.ifaces[i].name);
	for (size_t i = 0; i < s->nerrors; i++)
		free(s->errors[i]);
	free(s->errors);
	free(s);
}

const struct spec_process *spec_find_process(const struct spec *s, const char *name)
{
	for (size_t i = 0; i < s->nprocs; i++)
		if (s->procs[i].name && !strcmp(s->procs[i].name, name))
			return &s->procs[i];
	return NULL;
}
