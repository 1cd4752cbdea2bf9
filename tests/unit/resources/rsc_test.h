/* rsc_test.h - what the resources tests share: a temporary directory, files
 * in it, and a spec of processes built by hand (the module reads only their
 * name, memory_bytes, cpu and pids_max). */
#ifndef VMINIT_RSC_TEST_H
#define VMINIT_RSC_TEST_H

#include "tests/unit/unit.h"
#include "resources/rsc_int.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

/* dir/rel as a path; four at a time may be alive. */
static inline const char *rsc_t_at(const char *dir, const char *fmt, ...)
{
	static char path[4][1024];
	static int next;
	char *p = path[next++ % 4], rel[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	snprintf(p, sizeof(path[0]), "%s/%s", dir, rel);
	return p;
}

/* Write text to path (made or truncated). */
static inline void rsc_t_put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	cr_assert_geq(fd, 0, "open %s: %s", path, strerror(errno));
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text), "write %s", path);
	close(fd);
}

/* path's content, or "<absent>". */
static inline const char *rsc_t_get(const char *path)
{
	static char buf[4][512];
	static int next;
	char *b = buf[next++ % 4];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	if (fd < 0)
		return "<absent>";
	n = read(fd, b, sizeof(buf[0]) - 1);
	close(fd);
	b[n < 0 ? 0 : n] = '\0';
	return b;
}

struct rsc_t_proc {
	const char *name;
	uint64_t memory_bytes;
	double cpu;
	long pids_max;
};

/* A spec with these processes, in this order. Free with rsc_t_spec_free. */
static inline struct spec *rsc_t_spec(const struct rsc_t_proc *p, size_t n)
{
	struct spec *s = calloc(1, sizeof(*s));
	cr_assert_not_null(s);
	s->procs = calloc(n ? n : 1, sizeof(*s->procs));
	cr_assert_not_null(s->procs);
	s->nprocs = n;
	for (size_t i = 0; i < n; i++) {
		s->procs[i].name = (char *)p[i].name;
		s->procs[i].memory_bytes = p[i].memory_bytes;
		s->procs[i].cpu = p[i].cpu;
		s->procs[i].pids_max = p[i].pids_max;
	}
	return s;
}

static inline void rsc_t_spec_free(struct spec *s)
{
	free(s->procs);
	free(s);
}

#endif
