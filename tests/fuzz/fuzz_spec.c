/* fuzz_spec.c - libFuzzer target for the spec reader (every file of spec/:
 * read.c, value.c, sections.c, ..., print.c): `make fuzz`.
 *
 * The input is a spec file's bytes. It takes the path of `vminit check`:
 * spec_load_buffer() (what spec_load_file() calls once it has read the file),
 * then either the errors or the canonical form. Then these must hold, or we
 * abort:
 *
 * - loading returns a spec (NULL means out of memory, which a fuzz input of a
 *   few KiB cannot cause);
 * - with errors: at most SPEC_MAX_ERRORS kept, each one line of the form
 *   "fuzz.ini:LINE: ..." with LINE from 1 to the number of lines, in
 *   non-decreasing line order, of valid UTF-8 without control characters;
 * - without errors: the canonical form has no line over SPEC_LINE_MAX bytes,
 *   reads back without errors, and prints again to the same bytes (so a
 *   canonical form that is not valid input, or not stable, is a crash too);
 *   and what the processes run (argv) and their names come back the same.
 *
 * Nothing is written to a file: the canonical form goes to open_memstream().
 * ASan's leak check covers every path, the error paths included.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/spec.h"
#include "spec/value.h"

#include "tests/fuzz/fuzz_check.h"

#define NAME "fuzz.ini"

static char *print(const struct spec *s, size_t *ret_len)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	CHECK(f, "open_memstream failed");
	CHECK(spec_print(s, f) == 0, "spec_print failed");
	CHECK(fclose(f) == 0, "fclose failed");
	*ret_len = len;
	return out;
}

static void check_errors(const struct spec *s, const uint8_t *data, size_t size)
{
	long lines = 1, last = 0;
	for (size_t i = 0; i < size; i++)
		if (data[i] == '\n')
			lines++;
	CHECK(s->nerrors <= SPEC_MAX_ERRORS, "%zu errors kept", s->nerrors);
	CHECK(s->errors_dropped == 0 || s->nerrors == SPEC_MAX_ERRORS,
	      "%zu dropped with only %zu kept", s->errors_dropped, s->nerrors);
	for (size_t i = 0; i < s->nerrors; i++) {
		const char *e = s->errors[i];
		char *end;
		long line;
		CHECK(!strncmp(e, NAME ":", sizeof(NAME)), "error without the file name: %s", e);
		line = strtol(e + sizeof(NAME), &end, 10);
		CHECK(*end == ':' && end[1] == ' ', "error without file:line: %s", e);
		CHECK(line >= 1 && line <= lines, "line %ld of a %ld-line spec: %s", line, lines, e);
		CHECK(line >= last, "errors out of line order: %ld after %ld", line, last);
		for (const char *q = e; *q;) {
			size_t k = utf8_char_len(q);
			CHECK(k, "an error that is not UTF-8: %s", e);
			CHECK((unsigned char)*q >= 0x20 && *q != 0x7f, "a control character in an error: %s", e);
			q += k;
		}
		last = line;
	}
}

static void check_same_run(const struct spec *a, const struct spec *b)
{
	CHECK(a->nprocs == b->nprocs, "%zu processes, %zu after the round trip", a->nprocs, b->nprocs);
	for (size_t i = 0; i < a->nprocs; i++) {
		const struct spec_process *p = &a->procs[i], *q = &b->procs[i];
		CHECK(!strcmp(p->name, q->name), "process %s came back as %s", p->name, q->name);
		CHECK(p->argv.n == q->argv.n, "%s: argv of %zu, then %zu", p->name, p->argv.n, q->argv.n);
		for (size_t j = 0; j < p->argv.n; j++)
			CHECK(!strcmp(p->argv.v[j], q->argv.v[j]), "%s: argv[%zu] changed", p->name, j);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spec *s = spec_load_buffer(NAME, (const char *)data, size), *again;
	char *canon, *canon2;
	size_t len, len2, col = 0;

	CHECK(s, "spec_load_buffer returned NULL");
	if (s->nerrors) {
		check_errors(s, data, size);
		spec_free(s);
		return 0;
	}
	canon = print(s, &len);
	CHECK(strlen(canon) == len, "a NUL in the canonical form");
	for (size_t i = 0; i < len; i++) {
		col = canon[i] == '\n' ? 0 : col + 1;
		CHECK(col <= SPEC_LINE_MAX, "a canonical line over %d bytes", SPEC_LINE_MAX);
	}
	again = spec_load_buffer(NAME, canon, len);
	CHECK(again, "spec_load_buffer returned NULL on the canonical form");
	CHECK(again->nerrors == 0, "the canonical form does not read back: %s\n--- canonical form:\n%s",
	      again->errors[0], canon);
	canon2 = print(again, &len2);
	CHECK(len == len2 && !memcmp(canon, canon2, len),
	      "the canonical form printed twice differs:\n--- first:\n%s\n--- second:\n%s", canon, canon2);
	check_same_run(s, again);
	free(canon2);
	free(canon);
	spec_free(again);
	spec_free(s);
	return 0;
}
