/* spec_test.h - what the spec's unit tests share (tests/unit/spec/test_*.c).
 *
 * The tests cover the spec folder against manifest schema v1 (shared/seeds/003)
 * plus the guest-only fields, one test file per module. Each validation
 * rule has its own test that checks the whole "t.ini:LINE: key:" prefix of
 * the error, so a wrong line or a wrong key fails as surely as a missing
 * error. Specs are built from string literals: one C line per spec line, so
 * the line numbers can be read off the source.
 */
#ifndef VMINIT_TEST_SPEC_TEST_H
#define VMINIT_TEST_SPEC_TEST_H

#include "tests/unit/unit.h"

#include <stdarg.h>
#include <stdint.h>
#include <unistd.h>

/* ---- helpers ---- */

/* A minimal valid spec: four lines, so extra process keys start at line 5. */
#define BASE \
	"schema_version = \"v1\"\n"      /* 1 */ \
	"[processes.web]\n"              /* 2 */ \
	"command = [\"/bin/app\"]\n"     /* 3 */ \
	"resources.memory = \"64Mi\"\n"  /* 4 */

/* Load and require no errors. */
static inline struct spec *load_ok(const char *text)
{
	struct spec *s = unit_spec(text);
	cr_assert_eq(s->nerrors, 0, "unexpected errors for:\n%s\n--- errors:\n%s", text,
		     unit_errors(s));
	return s;
}

#define assert_error(s, needle) \
	cr_assert(unit_has_error(s, needle), "no error containing '%s'; errors were:\n%s", \
		  needle, unit_errors(s))

/* Load and require an error containing each needle (NULL-terminated). */
static inline void expect_errors(const char *text, ...)
{
	struct spec *s = unit_spec(text);
	va_list ap;
	const char *needle;
	va_start(ap, text);
	while ((needle = va_arg(ap, const char *)))
		cr_assert(unit_has_error(s, needle), "no error containing '%s' for:\n%s\n"
			  "--- errors:\n%s", needle, text, unit_errors(s));
	va_end(ap);
	spec_free(s);
}
#define expect_error(text, ...) expect_errors(text, __VA_ARGS__, (const char *)NULL)

/* Load and require no error containing needle (the rule's negative side). */
static inline void expect_no_error(const char *text, const char *needle)
{
	struct spec *s = unit_spec(text);
	cr_assert(!unit_has_error(s, needle), "unexpected error containing '%s' for:\n%s\n"
		  "--- errors:\n%s", needle, text, unit_errors(s));
	spec_free(s);
}

static inline char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static inline char *fmt(const char *f, ...)
{
	char *r;
	va_list ap;
	va_start(ap, f);
	cr_assert_geq(vasprintf(&r, f, ap), 0);
	va_end(ap);
	return r;
}

/* n copies of unit (a whole UTF-8 sequence). */
static inline char *rep(const char *unit, size_t n)
{
	size_t u = strlen(unit);
	char *r = malloc(u * n + 1);
	cr_assert_not_null(r);
	for (size_t i = 0; i < n; i++)
		memcpy(r + i * u, unit, u);
	r[u * n] = '\0';
	return r;
}

static inline const struct spec_process *proc(const struct spec *s, const char *name)
{
	const struct spec_process *p = spec_find_process(s, name);
	cr_assert_not_null(p, "no process %s", name);
	return p;
}

/* Compare a string vector with an expected NULL-terminated list. */
static inline void assert_strv(const struct spec_strv *v, const char *const *want)
{
	size_t n = 0;
	while (want[n])
		n++;
	cr_assert_eq(v->n, n, "got %zu elements, want %zu", v->n, n);
	for (size_t i = 0; i < n; i++)
		cr_assert_str_eq(v->v[i], want[i], "element %zu", i);
	cr_assert_null(v->v[n], "vector is not NULL-terminated");
}

/* Two processes for the extensions (x-): docs/health.md section 4. */

#define TWO BASE "ports.0.internal = 80\n" /* 5 */ \
	"[processes.db]\ncommand = [\"/bin/db\"]\nresources.memory = \"64Mi\"\n" /* 6-8 */

/* BASE, then the mount keys (from line 5), then a declared volume "data". */
#define MOUNT(keys) BASE keys "[volumes.0]\nname = \"data\"\nsize = \"1Gi\"\n"

/* A sha256 digest's 64 lowercase hex digits. */
#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

#endif
