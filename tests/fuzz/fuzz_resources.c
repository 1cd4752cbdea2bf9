/* fuzz_resources.c - libFuzzer target for the readers of the kernel's cgroup
 * files (resources/parse.c): `make fuzz`.
 *
 * The same bytes go to all five parsers, in a buffer of exactly their size
 * (a read past the end is an AddressSanitizer crash). Then these must hold,
 * or we abort:
 *
 * - a failed parse leaves its result untouched;
 * - rsc_parse_key's value is the decimal number after "KEY " on the first
 *   whole line that starts so, checked here by a second, plainer reading;
 * - rsc_parse_max gives -1 only for "max\n", else a number at most
 *   INT64_MAX printed back to the same bytes (leading zeros aside);
 * - rsc_parse_events agrees with rsc_parse_key on each of its keys;
 * - the two path parsers give a NUL-terminated path that starts with '/',
 *   fits the room given (also a small room), and has no control byte for
 *   /proc/self/cgroup; the mountinfo one none of NUL;
 * - the same bytes give the same answers twice.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resources/resources.h"

#include "tests/fuzz/fuzz_check.h"

/* The plain reading: first whole line starting "key ", all digits after. */
static int plain_key(const char *d, size_t n, const char *key, uint64_t *ret)
{
	size_t kl = strlen(key), i = 0;
	while (i < n) {
		const char *nl = memchr(d + i, '\n', n - i);
		size_t len;
		if (!nl)
			return -1;
		len = (size_t)(nl - (d + i));
		if (len > kl && !memcmp(d + i, key, kl) && d[i + kl] == ' ') {
			unsigned __int128 v = 0;
			if (len == kl + 1)
				return -1;
			for (size_t k = i + kl + 1; k < i + len; k++) {
				if (d[k] < '0' || d[k] > '9')
					return -1;
				v = v * 10 + (unsigned)(d[k] - '0');
				if (v > UINT64_MAX)
					return -1;
			}
			*ret = (uint64_t)v;
			return 0;
		}
		i += len + 1;
	}
	return -1;
}

static void check_keys(const char *d, size_t n)
{
	static const char *keys[] = { "oom", "oom_kill", "populated", "usage_usec", "max", "k" };
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		uint64_t a = 42, b = 42;
		int ra = rsc_parse_key(d, n, keys[k], &a), rb = plain_key(d, n, keys[k], &b);
		CHECK(ra == rb, "key %s: %d, the plain reading %d", keys[k], ra, rb);
		CHECK(a == b, "key %s: %llu, the plain reading %llu", keys[k], (unsigned long long)a,
		      (unsigned long long)b);
	}
}

static void check_max(const char *d, size_t n)
{
	int64_t v = 42, again = 43;
	int r = rsc_parse_max(d, n, &v);
	CHECK(r == rsc_parse_max(d, n, &again) && (r < 0 || v == again), "not the same twice");
	if (r < 0) {
		CHECK(v == 42, "touched on failure");
		return;
	}
	CHECK(n >= 2 && d[n - 1] == '\n', "no newline at the end");
	if (v == -1) {
		CHECK(n == 4 && !memcmp(d, "max", 3), "-1 for no \"max\"");
		return;
	}
	char buf[32];
	size_t z = 0;
	CHECK(v >= 0, "%lld", (long long)v);
	while (z + 2 < n && d[z] == '0')
		z++;
	snprintf(buf, sizeof(buf), "%lld\n", (long long)v);
	CHECK(strlen(buf) == n - z && !memcmp(buf, d + z, n - z), "%lld is not what was read", (long long)v);
}

static void check_events(const char *d, size_t n)
{
	struct rsc_events e, untouched;
	uint64_t v;
	memset(&e, 0x5a, sizeof(e));
	untouched = e;
	if (rsc_parse_events(d, n, &e) < 0) {
		CHECK(!memcmp(&e, &untouched, sizeof(e)), "touched on failure");
		CHECK(plain_key(d, n, "oom", &v) < 0 || plain_key(d, n, "oom_kill", &v) < 0,
		      "refused with oom and oom_kill there");
		return;
	}
	CHECK(plain_key(d, n, "oom", &v) == 0 && v == e.oom, "oom");
	CHECK(plain_key(d, n, "oom_kill", &v) == 0 && v == e.oom_kill, "oom_kill");
	CHECK(plain_key(d, n, "low", &v) == 0 ? v == e.low : e.low == 0, "low");
	CHECK(plain_key(d, n, "oom_group_kill", &v) == 0 ? v == e.oom_group_kill : e.oom_group_kill == 0,
	      "oom_group_kill");
}

static void check_path(const char *d, size_t n, int mountinfo, size_t room)
{
	char *p = malloc(room ? room : 1), *q = malloc(room ? room : 1);
	int r, r2;
	if (room)
		memset(p, 'U', room);
	r = mountinfo ? rsc_parse_mountinfo(d, n, p, room) : rsc_parse_self_cgroup(d, n, p, room);
	r2 = mountinfo ? rsc_parse_mountinfo(d, n, q, room) : rsc_parse_self_cgroup(d, n, q, room);
	CHECK(r == r2, "not the same twice");
	if (r < 0) {
		for (size_t i = 0; i < room; i++)
			CHECK(p[i] == 'U', "touched on failure");
	} else {
		size_t len = strnlen(p, room);
		CHECK(len < room, "no NUL in the room");
		CHECK(len >= 1 && p[0] == '/', "not absolute");
		CHECK(!strcmp(p, q), "not the same twice");
		if (!mountinfo)
			for (size_t i = 0; i < len; i++)
				CHECK((unsigned char)p[i] >= 0x20 && p[i] != 0x7f, "control byte at %zu", i);
	}
	free(p);
	free(q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *d = (const char *)data;
	check_keys(d, size);
	check_max(d, size);
	check_events(d, size);
	check_path(d, size, 0, RSC_PATH_MAX);
	check_path(d, size, 0, 8);
	check_path(d, size, 1, RSC_PATH_MAX);
	check_path(d, size, 1, 8);
	check_path(d, size, 1, 0);
	return 0;
}
