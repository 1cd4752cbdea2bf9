/* fuzz_output.c - libFuzzer target for the line splitter and its "plain"
 * flag (supervisor/output.c's output_feed), and the log item made from a
 * line (channel/encode.c's enc_log): `make fuzz`.
 *
 * The input: two bytes that seed the chunk sizes, then what a process
 * writes. It is fed to output_feed_max in chunks of 1 to 8,192 bytes, each
 * with a limit of 0 to 7 lines or none; what a chunk's limit left is fed
 * again, as PID 1 feeds its spill. These must hold, or we abort:
 *
 * - a feed emits no more lines than its limit, and stops before the end of
 *   its chunk only at the limit;
 * - no line is longer than CONSOLE_LINE_MAX, and the buffered partial line
 *   fits its buffer;
 * - the lines emitted, then the partial line, are the input with its '\n'
 *   bytes taken out: nothing lost, added or moved;
 * - a line said plain has no byte below 0x20, over 0x7f, '"' or '\\'; and
 *   one shorter than CONSOLE_LINE_MAX is said plain whenever it is (a piece
 *   of a longer line may be said not plain when it is);
 * - a line said plain makes the same log item through the plain path as
 *   through the escaping one, byte for byte.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "channel/encode.h"
#include "channel/json.h"
#include "supervisor/output.h"

#include "tests/fuzz/fuzz_check.h"
#include "tests/plain_ref.h"

static char *joined;       /* the lines so far, without their '\n' */
static size_t joined_len;
static size_t emitted;

static void check_item(const char *line, size_t len)
{
	static char a[ENC_LOG_MAX(8, CONSOLE_LINE_MAX)], b[ENC_LOG_MAX(8, CONSOLE_LINE_MAX)];
	struct jw wa, wb;
	jw_init(&wa, a, sizeof(a));
	jw_init(&wb, b, sizeof(b));
	enc_log(&wa, 7, 99, "app", 1, line, len, 1);
	enc_log(&wb, 7, 99, "app", 1, line, len, 0);
	CHECK(!wa.overflow && !wb.overflow, "an item of a %zu-byte line overflowed", len);
	CHECK(wa.len == wb.len && !memcmp(a, b, wa.len), "the plain item differs: %.*s against %.*s",
	      (int)wa.len, a, (int)wb.len, b);
}

static void emit(struct output *o, const char *line, size_t len)
{
	int plain = plain_ref(line, len);
	CHECK(len <= CONSOLE_LINE_MAX, "a line of %zu bytes", len);
	CHECK(!o->plain || plain, "a %zu-byte line said plain is not", len);
	if (len < CONSOLE_LINE_MAX)
		CHECK(o->plain == plain, "a plain %zu-byte line not said plain", len);
	if (o->plain)
		check_item(line, len);
	memcpy(joined + joined_len, line, len);
	joined_len += len;
	emitted++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct output o;
	const char *p = (const char *)data + 2;
	size_t n, off = 0, kept = 0;
	unsigned seed;
	if (size < 2)
		return 0;
	seed = data[0] | (unsigned)data[1] << 8;
	n = size - 2;
	memset(&o, 0, sizeof(o));
	o.rfd = o.wfd = o.io.fd = -1;
	joined = malloc(n + 1);
	CHECK(joined != NULL, "no memory");
	joined_len = 0;
	while (off < n) {
		size_t k, max, used, before = emitted;
		seed = seed * 1103515245u + 12345u;
		k = 1 + (seed >> 8) % (seed & 0x100 ? 8192 : 64);
		max = seed & 0x200 ? SIZE_MAX : (seed >> 4) % 8;
		if (k > n - off)
			k = n - off;
		used = output_feed_max(&o, p + off, k, max, emit);
		CHECK(used <= k, "%zu bytes taken of %zu", used, k);
		CHECK(emitted - before <= max, "%zu lines for a limit of %zu", emitted - before, max);
		CHECK(used == k || emitted - before == max, "stopped %zu bytes early, under its limit", k - used);
		CHECK(o.len <= sizeof(o.line), "a partial line of %zu bytes", o.len);
		off += used;
	}
	memcpy(joined + joined_len, o.line, o.len);
	joined_len += o.len;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n')
			continue;
		CHECK(kept < joined_len && joined[kept] == p[i], "byte %zu of the input is not where it belongs", i);
		kept++;
	}
	CHECK(kept == joined_len, "%zu bytes out for %zu in", joined_len, kept);
	free(joined);
	return 0;
}
