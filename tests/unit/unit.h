/* unit.h - shared helpers for the Criterion unit tests (one file per module). */
#ifndef VMINIT_UNIT_H
#define VMINIT_UNIT_H

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/spec.h"

/* CLOCK_MONOTONIC for the code under test (unit_clock.c): start it at a small
 * reading, move it forward as a stalled machine would, or freeze it. The
 * real clock, for bounds on how long a test waits, is unit_clock_real_ns(). */
void unit_clock_start_at(uint64_t ns);
void unit_clock_shift(uint64_t ns);
void unit_clock_freeze(void);
uint64_t unit_clock_real_ns(void);

/* Load a spec from a string, named "t.ini" in error messages. */
static inline struct spec *unit_spec(const char *text)
{
	struct spec *s = spec_load_buffer("t.ini", text, strlen(text));
	cr_assert_not_null(s, "spec_load_buffer returned NULL (out of memory?)");
	return s;
}

/* 1 if some error of s contains needle. */
static inline int unit_has_error(const struct spec *s, const char *needle)
{
	for (size_t i = 0; i < s->nerrors; i++)
		if (strstr(s->errors[i], needle))
			return 1;
	return 0;
}

/* All errors, one per line, for assertion messages. */
static inline const char *unit_errors(const struct spec *s)
{
	static char buf[8192];
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < s->nerrors && n < sizeof(buf) - 1; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s\n", s->errors[i]);
	return buf;
}

/* The canonical form of s as a malloc'd string. */
static inline char *unit_print(const struct spec *s)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	cr_assert_not_null(f);
	cr_assert_eq(spec_print(s, f), 0);
	fclose(f);
	return out;
}

#endif
