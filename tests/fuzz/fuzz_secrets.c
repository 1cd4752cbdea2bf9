/* fuzz_secrets.c - libFuzzer target for the secret bundle's writer
 * (secrets/bundle.c) and the env-file reader (host/envfile.c): `make fuzz`.
 *
 * The input is split on 0xff bytes (never part of valid UTF-8, so a value
 * may hold '\n' and every other byte) into "KEY=VALUE" strings, at most 300
 * (over the 256 limit); a NUL ends a string where C would. The canary
 * "CANARY-7f3a" is appended to the first string: it is in its value, or in
 * a string without '='. Then these must hold, or we abort:
 *
 * - render fails: the error is not empty and never holds "7f3a" (unless the
 *   fuzzer wrote those bytes itself, in a key that an error may name);
 * - render succeeds: the file is at most SECRETS_MAX_BYTES, one '\n' per
 *   variable and no other control byte, and envfile_parse reads back
 *   exactly the input strings, sorted by key;
 * - the raw input read as an env file: no crash; a failure says "line N:";
 *   each entry is KEY=... with a non-empty key; a success that render
 *   takes renders, parses back the same, and renders to the same bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secrets/bundle.h"
#include "host/envfile.h"

#define CANARY "CANARY-7f3a"
#define MAXV 300

#include "tests/fuzz/fuzz_check.h"

static size_t key_len(const char *s)
{
	return (size_t)(strchr(s, '=') - s);
}

/* Key order as the renderer's: bytes, then the shorter first. */
static int by_key(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	size_t kx = key_len(x), ky = key_len(y);
	int c = memcmp(x, y, kx < ky ? kx : ky);
	return c ? c : kx < ky ? -1 : kx > ky;
}

/* Rendered text: envfile_parse gives back exactly vars, sorted by key. */
static void check_text(const struct secrets_bundle *b, char **vars, size_t n)
{
	char err[256];
	CHECK(b->len <= SECRETS_MAX_BYTES && b->keys == n, "len %zu keys %u", b->len, b->keys);
	size_t lines = 0;
	for (size_t i = 0; i < b->len; i++) {
		unsigned char c = (unsigned char)b->text[i];
		lines += c == '\n';
		CHECK(c == '\n' || (c >= 0x20 && c != 0x7f), "control byte %#x at %zu", c, i);
	}
	CHECK(lines == n && (!n || b->text[b->len - 1] == '\n'), "%zu lines for %zu", lines, n);
	char **got = calloc(n + 1, sizeof(*got)), **want = calloc(n + 1, sizeof(*want));
	int k = envfile_parse(b->text, b->len, got, n + 1, err, sizeof(err));
	CHECK(k == (int)n, "parse gave %d of %zu: %s", k, n, err);
	memcpy(want, vars, n * sizeof(*want));
	qsort(want, n, sizeof(*want), by_key);
	for (size_t i = 0; i < n; i++)
		CHECK(!strcmp(got[i], want[i]), "entry %zu differs", i);
	envfile_free(got, n);
	free(got);
	free(want);
}

/* The input as an env file: the reader's own invariants, and a round trip. */
static void check_envfile(const uint8_t *data, size_t size)
{
	char err[256] = "";
	char *got[MAXV];
	int n = envfile_parse((const char *)data, size, got, MAXV, err, sizeof(err));
	if (n < 0) {
		CHECK(!strncmp(err, "line ", 5), "error \"%s\"", err);
		return;
	}
	for (int i = 0; i < n; i++)
		CHECK(strchr(got[i], '=') && got[i][0] != '=', "entry %d", i);
	struct secrets_bundle b = { 0 }, b2 = { 0 };
	if (secrets_render(got, (size_t)n, "fz", &b, err, sizeof(err)) == 0) {
		check_text(&b, got, (size_t)n);
		char **again = calloc((size_t)n + 1, sizeof(*again));
		int k = envfile_parse(b.text, b.len, again, (size_t)n + 1, err, sizeof(err));
		CHECK(k == n, "reparse");
		CHECK(secrets_render(again, (size_t)k, "fz", &b2, err, sizeof(err)) == 0, "%s", err);
		CHECK(b2.len == b.len && !memcmp(b2.text, b.text, b.len), "render not stable");
		envfile_free(again, (size_t)k);
		free(again);
		secrets_bundle_wipe(&b2);
		secrets_bundle_wipe(&b);
	}
	envfile_free(got, (size_t)n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *vars[MAXV];
	size_t n = 0, start = 0;
	for (size_t i = 0; i <= size && n < MAXV; i++) {
		if (i < size && data[i] != 0xff)
			continue;
		size_t len = i - start, extra = n == 0 ? sizeof(CANARY) - 1 : 0;
		vars[n] = malloc(len + extra + 1);
		memcpy(vars[n], data + start, len);
		memcpy(vars[n] + len, CANARY, extra);
		vars[n][len + extra] = '\0';
		/* A NUL inside ends the string; for the first, the canary stays. */
		if (n == 0 && memchr(vars[0], '\0', len))
			memmove(vars[0] + strlen(vars[0]), vars[0] + len, extra + 1);
		n++;
		start = i + 1;
	}
	int ours = !memmem(data, size, "7f3a", 4);
	struct secrets_bundle b = { 0 };
	char err[256] = "";
	if (secrets_render(vars, n, "v1", &b, err, sizeof(err)) < 0) {
		CHECK(err[0], "empty error");
		CHECK(!ours || !strstr(err, "7f3a"), "error \"%s\" holds the value", err);
		CHECK(!b.text, "ret touched");
	} else {
		check_text(&b, vars, n);
		secrets_bundle_wipe(&b);
	}
	for (size_t i = 0; i < n; i++)
		free(vars[i]);
	check_envfile(data, size);
	return 0;
}
