/* json.c - see json.h: the writer (the reader is json_read.c).
 *
 * The writer never writes past cap: once something does not fit it sets
 * overflow and stops, and the caller drops the whole message.
 */
#include "json.h"

#include <string.h>

/* ---- writer ---- */

void jw_init(struct jw *w, char *buf, size_t cap)
{
	w->buf = buf;
	w->cap = cap;
	w->len = 0;
	w->overflow = 0;
	w->comma = 0;
}

/* n bytes from s to d, two buffers apart. Most pieces are a few bytes:
 * -Os makes memcpy a `rep movsb`, which costs more to start than these take
 * to copy; a byte at a time costs ~4 instructions a byte. So words that
 * overlap at the end: from 16 bytes on 16 at a time (SSE2 on x86-64), the
 * last 16 being s's last 16; from 8 to 15 two words of 8, from 4 to 7 two
 * of 4. */
static inline __attribute__((always_inline)) void copy_short(char *d, const char *s, size_t n)
{
	if (n >= 16) {
		for (size_t i = 0; i + 16 < n; i += 16)
			memcpy(d + i, s + i, 16);
		memcpy(d + n - 16, s + n - 16, 16);
	} else if (n >= 8) {
		uint64_t a, b;
		memcpy(&a, s, 8);
		memcpy(&b, s + n - 8, 8);
		memcpy(d, &a, 8);
		memcpy(d + n - 8, &b, 8);
	} else if (n >= 4) {
		uint32_t a, b;
		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		memcpy(d, &a, 4);
		memcpy(d + n - 4, &b, 4);
	} else {
		while (n--)
			*d++ = *s++;
	}
}

/* put, inlined where n is a constant ("null"): the copy is then one
 * store. */
static inline __attribute__((always_inline)) void put_const(struct jw *w, const char *s, size_t n)
{
	if (w->overflow || n > w->cap - w->len) {
		w->overflow = 1;
		return;
	}
	copy_short(w->buf + w->len, s, n);
	w->len += n;
}

static void put(struct jw *w, const char *s, size_t n)
{
	if (w->overflow || n > w->cap - w->len) {
		w->overflow = 1;
		return;
	}
	if (n > 64)
		memcpy(w->buf + w->len, s, n);
	else
		copy_short(w->buf + w->len, s, n);
	w->len += n;
}

/* Inlined, as value_sep: a status reply calls them some 1,500 times, and
 * -Os would make each a call. */
static inline __attribute__((always_inline)) void putc1(struct jw *w, char c)
{
	if (w->overflow || w->len >= w->cap) {
		w->overflow = 1;
		return;
	}
	w->buf[w->len++] = c;
}

static inline __attribute__((always_inline)) void value_sep(struct jw *w)
{
	if (w->comma)
		putc1(w, ',');
	w->comma = 1;
}

void jw_obj(struct jw *w)
{
	value_sep(w);
	putc1(w, '{');
	w->comma = 0;
}

void jw_end(struct jw *w)
{
	putc1(w, '}');
	w->comma = 1;
}

void jw_arr(struct jw *w)
{
	value_sep(w);
	putc1(w, '[');
	w->comma = 0;
}

void jw_end_arr(struct jw *w)
{
	putc1(w, ']');
	w->comma = 1;
}

void jw_key(struct jw *w, const char *key)
{
	jw_str(w, key);
	putc1(w, ':');
	w->comma = 0;
}

size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && s[1] < 0xa0)
			return 0;   /* overlong */
		if (c == 0xed && s[1] >= 0xa0)
			return 0;   /* surrogate */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && s[1] < 0x90)
			return 0;   /* overlong */
		if (c == 0xf4 && s[1] >= 0x90)
			return 0;   /* over U+10FFFF */
		return 4;
	}
	return 0;
}

/* A byte JSON takes as it is. */
static int plain(unsigned char c)
{
	return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* The 8 bytes at p are all plain, tested as one word: no byte over 0x7f,
 * none below 0x20 and none equal to '"' or '\\' (a byte minus one that
 * borrows is a zero: exact, since only a byte found borrows). A status
 * reply writes some 350 keys and names, 14 instructions a byte one by one. */
static inline __attribute__((always_inline)) int plain_word(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ull, high = ones << 7;
	uint64_t q, b;
	q = x ^ (ones * '"');
	b = x ^ (ones * '\\');
	return !((x | ((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((b - ones) & ~b)) & high);
}

static inline __attribute__((always_inline)) int plain8(const char *p)
{
	uint64_t x;
	memcpy(&x, p, 8);
	return plain_word(x);
}

/* Copies the plain start of s[0..n) when all of s fits: how many bytes.
 * From 8 bytes on, the last word is s's last 8 bytes, overlapping what the
 * words before it copied: no byte left to test one at a time; from 4 to 7,
 * the first and the last 4 bytes make one word. */
static size_t put_plain(struct jw *w, const char *s, size_t n)
{
	char *d = w->buf + w->len;
	size_t i = 0;
	if (w->overflow || n > w->cap - w->len)
		return 0;
	if (n >= 8) {
		for (; n - i > 8 && plain8(s + i); i += 8)
			memcpy(d + i, s + i, 8);
		if (n - i <= 8 && plain8(s + n - 8)) {
			memcpy(d + n - 8, s + n - 8, 8);
			i = n;
		}
	} else if (n >= 4) {
		uint32_t a, b;
		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		if (plain_word(a | (uint64_t)b << 32)) {
			memcpy(d, &a, 4);
			memcpy(d + n - 4, &b, 4);
			i = n;
		}
	}
	for (; i < n && plain((unsigned char)s[i]); i++)
		d[i] = s[i];
	w->len += i;
	return i;
}

/* The 16 bytes at p are all plain: log lines are mostly plain, and a vector
 * (SSE2, NEON; GCC's words elsewhere) costs a fraction of a byte at a time.
 * Bytes over 0x7f, as signed, are below 0x20 too: one comparison. */
typedef signed char jw_v16 __attribute__((vector_size(16)));
static int plain16(const unsigned char *p)
{
	jw_v16 v, bad;
	uint64_t h[2];
	memcpy(&v, p, 16);
	bad = (v < 0x20) | (v == '"') | (v == '\\');
	memcpy(h, &bad, 16);
	return (h[0] | h[1]) == 0;
}

/* s[0..n) escaped, without its quotes. */
static void str_body(struct jw *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;

	while (i < n) {
		unsigned char c = p[i];
		size_t l = n - i >= 16 && plain16(p + i) ? 16 : (size_t)plain(c);
		if (l) {
			i += l;
			run += l;
			continue;
		}
		put(w, s + i - run, run);
		run = 0;
		if (c >= 0x80) {
			l = utf8_seq_len(p + i, n - i);
			if (l) {
				put(w, s + i, l);
				i += l;
			} else {
				put(w, "\\ufffd", 6);
				i++;
			}
			continue;
		}
		switch (c) {
		case '"': put(w, "\\\"", 2); break;
		case '\\': put(w, "\\\\", 2); break;
		case '\n': put(w, "\\n", 2); break;
		case '\r': put(w, "\\r", 2); break;
		case '\t': put(w, "\\t", 2); break;
		default: {
			char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			put(w, u, 6);
		}
		}
		i++;
	}
	put(w, s + i - run, run);
}

void jw_strn(struct jw *w, const char *s, size_t n)
{
	value_sep(w);
	putc1(w, '"');
	str_body(w, s, n);
	putc1(w, '"');
}

void jw_strn_plain(struct jw *w, const char *s, size_t n)
{
	value_sep(w);
	putc1(w, '"');
	put(w, s, n);
	putc1(w, '"');
}

/* A C string: its plain start (keys and most values are all plain) copied
 * a word at a time once strlen (musl's, a word at a time too) has found its
 * end; the rest, if any, escaped. */
void jw_str(struct jw *w, const char *s)
{
	size_t n = strlen(s), k;
	value_sep(w);
	putc1(w, '"');
	k = put_plain(w, s, n);
	if (k < n)
		str_body(w, s + k, n - k);
	putc1(w, '"');
}

/* v / 10 as a multiplication by its inverse (exact for every 64-bit v):
 * -Os would make it a `div`, tens of cycles a digit, and status writes some
 * 150 numbers a reply. */
static unsigned long long div10(unsigned long long v)
{
	return (unsigned long long)(((unsigned __int128)v * 0xcccccccccccccccdull) >> 67);
}

size_t jw_fmt_u64(char *out, unsigned long long v)
{
	size_t n = 1;
	char *p;
	/* The digits counted against powers of ten: a compare and a multiply
	 * by ten (two adds) a digit, not a division's multiply. */
	for (unsigned long long t = 10; n < 20 && v >= t; t *= 10)
		n++;
	/* Straight into out, last digit first: no copy (-Os makes one a
	 * `rep movsb`, slow to start). */
	p = out + n;
	do {
		unsigned long long q = div10(v);
		*--p = (char)('0' + (v - q * 10));
		v = q;
	} while (v);
	return n;
}

/* Without snprintf: status writes some 200 numbers a reply. */
void jw_int(struct jw *w, long long v)
{
	char b[21], *d = b;
	size_t n = 0;
	unsigned long long u = (unsigned long long)v;
	value_sep(w);
	/* Most numbers of a status reply (counters, restarts) are one digit. */
	if (u < 10) {
		putc1(w, (char)('0' + v));
		return;
	}
	/* Straight into the buffer when any number fits there. */
	if (!w->overflow && w->cap - w->len >= sizeof(b))
		d = w->buf + w->len;
	if (v < 0) {
		d[n++] = '-';
		u = 0 - u;
	}
	n += jw_fmt_u64(d + n, u);
	if (d != b)
		w->len += n;
	else
		put(w, b, n);
}

void jw_bool(struct jw *w, int v)
{
	value_sep(w);
	put(w, v ? "true" : "false", v ? 4 : 5);
}

void jw_null(struct jw *w)
{
	value_sep(w);
	put_const(w, "null", 4);
}

void jw_raw(struct jw *w, const char *raw, size_t n)
{
	value_sep(w);
	put(w, raw, n);
}

void jw_nl(struct jw *w)
{
	putc1(w, '\n');
	w->comma = 0;
}

void jw_kstr(struct jw *w, const char *key, const char *s)
{
	jw_key(w, key);
	if (s)
		jw_str(w, s);
	else
		jw_null(w);
}

void jw_kint(struct jw *w, const char *key, long long v)
{
	jw_key(w, key);
	jw_int(w, v);
}

void jw_kbool(struct jw *w, const char *key, int v)
{
	jw_key(w, key);
	jw_bool(w, v);
}

void jw_knull(struct jw *w, const char *key)
{
	jw_key(w, key);
	jw_null(w);
}

/* A literal key (JW_LIT): its comma, quotes and colon around it, one bound
 * checked for all of it. */
void jw_lkey(struct jw *w, const char *key, size_t n)
{
	char *d;
	if (w->overflow || n + 4 > w->cap - w->len) {
		w->overflow = 1;
		return;
	}
	/* The comma written always, kept when due: no branch. */
	d = w->buf + w->len;
	*d = ',';
	d += w->comma;
	*d++ = '"';
	copy_short(d, key, n);
	d += n;
	*d++ = '"';
	*d++ = ':';
	w->len = (size_t)(d - w->buf);
	w->comma = 0;
}

void jw_lkstr(struct jw *w, const char *key, size_t n, const char *s)
{
	jw_lkey(w, key, n);
	if (s)
		jw_str(w, s);
	else
		jw_null(w);
}

void jw_lkint(struct jw *w, const char *key, size_t n, long long v)
{
	jw_lkey(w, key, n);
	jw_int(w, v);
}

void jw_lkbool(struct jw *w, const char *key, size_t n, int v)
{
	jw_lkey(w, key, n);
	jw_bool(w, v);
}

void jw_lknull(struct jw *w, const char *key, size_t n)
{
	jw_lkey(w, key, n);
	jw_null(w);
}
