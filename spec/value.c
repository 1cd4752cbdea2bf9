/* spec/value.c - lexing and writing spec values.
 *
 * Owns: the literal syntax only; what a key means is the
 * sections' business (typed.c, sections.c, process.c).
 * Invariants: a parsed string is valid UTF-8 with no NUL; text that is not a
 * complete value (trailing tokens, unterminated literal, bad escape) is an
 * error, never silently cut.
 */
#include "value.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const char *val_type_name(enum val_type t)
{
	switch (t) {
	case VAL_STRING: return "a string";
	case VAL_INT: return "an integer";
	case VAL_FLOAT: return "a float";
	case VAL_BOOL: return "a boolean";
	case VAL_ARRAY: return "an array";
	case VAL_TABLE: return "a table";
	}
	return "?";
}

struct buf {
	char *p;
	size_t len, cap;
};

static int buf_put(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 32;
		char *np;
		while (cap < b->len + n + 1)
			cap *= 2;
		np = realloc(b->p, cap);
		if (!np)
			return -1;
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Length of a valid UTF-8 sequence at p, or 0. Rejects overlongs, surrogates
 * and code points above U+10FFFF. */
static size_t utf8_seq(const unsigned char *p)
{
	unsigned c = p[0];
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && p[1] < 0xa0)
			return 0;
		if (c == 0xed && p[1] >= 0xa0)
			return 0;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 || (p[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && p[1] < 0x90)
			return 0;
		if (c == 0xf4 && p[1] >= 0x90)
			return 0;
		return 4;
	}
	return 0;
}

size_t utf8_char_len(const char *s)
{
	return utf8_seq((const unsigned char *)s);
}

size_t utf8_len(const char *s)
{
	size_t n = 0;
	while (*s) {
		size_t k = utf8_seq((const unsigned char *)s);
		s += k ? k : 1;
		n++;
	}
	return n;
}

static int put_utf8(struct buf *b, unsigned long cp)
{
	char out[4];
	size_t n;
	if (cp < 0x80) {
		out[0] = (char)cp; n = 1;
	} else if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f)); n = 2;
	} else if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f)); n = 3;
	} else {
		out[0] = (char)(0xf0 | (cp >> 18));
		out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[3] = (char)(0x80 | (cp & 0x3f)); n = 4;
	}
	return buf_put(b, out, n);
}

static int hex4(const char *p, unsigned long *ret)
{
	unsigned long v = 0;
	for (int i = 0; i < 4; i++) {
		int c = (unsigned char)p[i], d;
		if (c >= '0' && c <= '9') d = c - '0';
		else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
		else return -1;
		v = v * 16 + (unsigned long)d;
	}
	*ret = v;
	return 0;
}

#define FAIL(...) do { snprintf(err, errlen, __VA_ARGS__); return NULL; } while (0)

/* One JSON string literal at *p (which is '"'), appended to b. Returns the
 * position after the closing quote, or NULL with err set. */
static const char *lex_literal(const char *p, struct buf *b, char *err, size_t errlen)
{
	p++;
	for (;;) {
		unsigned char c = (unsigned char)*p;
		if (c == '\0')
			FAIL("unterminated string (a string cannot span lines: "
			     "write adjacent \"...\" \"...\" literals)");
		if (c == '"')
			return p + 1;
		if (c < 0x20)
			FAIL("control character in string: escape it");
		if (c == '\\') {
			unsigned long cp;
			char e = p[1];
			const char *map = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
			const char *m = e ? strchr(map, e) : NULL;
			if (m) {
				if (buf_put(b, to + (m - map), 1) < 0)
					FAIL("out of memory");
				p += 2;
				continue;
			}
			if (e != 'u' || hex4(p + 2, &cp) < 0)
				FAIL("bad escape \\%c in string (JSON escapes only)", e ? e : ' ');
			p += 6;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				unsigned long lo;
				if (p[0] != '\\' || p[1] != 'u' || hex4(p + 2, &lo) < 0 ||
				    lo < 0xdc00 || lo > 0xdfff)
					FAIL("unpaired UTF-16 surrogate in \\u escape");
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				p += 6;
			} else if (cp >= 0xdc00 && cp <= 0xdfff) {
				FAIL("unpaired UTF-16 surrogate in \\u escape");
			}
			if (cp == 0)
				FAIL("NUL (\\u0000) is not allowed in strings");
			if (put_utf8(b, cp) < 0)
				FAIL("out of memory");
			continue;
		}
		{
			size_t k = utf8_seq((const unsigned char *)p);
			if (!k)
				FAIL("invalid UTF-8 in string");
			if (buf_put(b, p, k) < 0)
				FAIL("out of memory");
			p += k;
		}
	}
}

/* A string value: one or more adjacent literals. */
static const char *lex_string(const char *p, char **ret, char *err, size_t errlen)
{
	struct buf b = { 0 };
	if (buf_put(&b, "", 0) < 0)
		FAIL("out of memory");
	while (*p == '"') {
		p = lex_literal(p, &b, err, errlen);
		if (!p) {
			free(b.p);
			return NULL;
		}
		p = skip_ws(p);
	}
	*ret = b.p;
	return p;
}

#undef FAIL

static int lex_number(const char *p, const char **end, struct val *v)
{
	const char *q = p;
	int is_float = 0;
	if (*q == '-')
		q++;
	if (*q == '0')
		q++;
	else if (*q >= '1' && *q <= '9')
		while (isdigit((unsigned char)*q))
			q++;
	else
		return -1;
	if (*q == '.') {
		is_float = 1;
		q++;
		if (!isdigit((unsigned char)*q))
			return -1;
		while (isdigit((unsigned char)*q))
			q++;
	}
	if (*q == 'e' || *q == 'E') {
		is_float = 1;
		q++;
		if (*q == '+' || *q == '-')
			q++;
		if (!isdigit((unsigned char)*q))
			return -1;
		while (isdigit((unsigned char)*q))
			q++;
	}
	errno = 0;
	if (is_float) {
		/* Only overflow is out of range: an underflow rounds to a subnormal
		 * or zero, as in TOML (IEEE 754 binary64), and 5e-324 is still a
		 * cpu share above 0. */
		v->type = VAL_FLOAT;
		v->f = strtod(p, NULL);
		if (!isfinite(v->f))
			return -1;
	} else {
		v->type = VAL_INT;
		v->i = strtoll(p, NULL, 10);
		if (errno)
			return -1;
	}
	*end = q;
	return 0;
}

/* An array of strings at p (which is '['), into v. Returns the position
 * after the ']' and blanks, or NULL with err set; v may then hold elements
 * for the caller to free. */
static const char *lex_array(const char *p, struct val *v, char *err, size_t errlen)
{
	size_t cap = 0;
	v->type = VAL_ARRAY;
	p = skip_ws(p + 1);
	while (*p != ']') {
		char *s;
		if (*p != '"') {
			snprintf(err, errlen, *p ? "array elements must be strings"
					     : "unterminated array: missing ']'");
			return NULL;
		}
		p = lex_string(p, &s, err, errlen);
		if (!p)
			return NULL;
		if (v->narr + 2 > cap) {
			char **na;
			cap = cap ? cap * 2 : 8;
			na = realloc(v->arr, cap * sizeof(*na));
			if (!na) {
				free(s);
				snprintf(err, errlen, "out of memory");
				return NULL;
			}
			v->arr = na;
		}
		v->arr[v->narr++] = s;
		v->arr[v->narr] = NULL;
		if (*p == ',')
			p = skip_ws(p + 1);
		else if (*p != ']') {
			snprintf(err, errlen, *p ? "expected ',' or ']' in array"
					     : "unterminated array: missing ']'");
			return NULL;
		}
	}
	p = skip_ws(p + 1);
	if (!v->arr) {
		v->arr = calloc(1, sizeof(*v->arr));
		if (!v->arr) {
			snprintf(err, errlen, "out of memory");
			return NULL;
		}
	}
	return p;
}

int val_parse(const char *text, struct val *ret, char *err, size_t errlen)
{
	struct val v = { 0 };
	const char *p = skip_ws(text);

	if (*p == '\0') {
		snprintf(err, errlen, "missing value");
		return -1;
	}
	if (*p == '"') {
		p = lex_string(p, &v.s, err, errlen);
		if (!p)
			return -1;
		v.type = VAL_STRING;
	} else if (*p == '[') {
		p = lex_array(p, &v, err, errlen);
		if (!p)
			goto fail;
	} else if (*p == '{') {
		/* Only the empty table: its keys, if any, are dotted keys of
		 * their own (docs/spec.md section 3). */
		p = skip_ws(p + 1);
		if (*p != '}') {
			snprintf(err, errlen, "only the empty table {} is a value: write a "
				 "table's keys as dotted keys (restart.policy = ...)");
			return -1;
		}
		v.type = VAL_TABLE;
		p = skip_ws(p + 1);
	} else if (!strncmp(p, "true", 4) || !strncmp(p, "false", 5)) {
		v.type = VAL_BOOL;
		v.b = *p == 't';
		p = skip_ws(p + (v.b ? 4 : 5));
	} else if (*p == '-' || isdigit((unsigned char)*p)) {
		if (lex_number(p, &p, &v) < 0) {
			snprintf(err, errlen, "bad number (integers are plain decimal; "
					      "floats like 0.5, within range)");
			return -1;
		}
		p = skip_ws(p);
	} else {
		snprintf(err, errlen, "not a value: strings are quoted (\"...\"), "
				      "numbers plain, booleans true or false");
		return -1;
	}
	if (*p != '\0') {
		snprintf(err, errlen, "unexpected text after the value: %.20s", p);
		goto fail;
	}
	*ret = v;
	return 0;
fail:
	val_free(&v);
	return -1;
}

void val_free(struct val *v)
{
	free(v->s);
	if (v->arr)
		for (size_t i = 0; i < v->narr; i++)
			free(v->arr[i]);
	free(v->arr);
	memset(v, 0, sizeof(*v));
}

/* ---- writing ---- */

/* Continuation lines start with two spaces; a token never splits. */
#define INDENT "  "

static void out_tok(struct val_out *o, const char *tok, size_t n)
{
	if (o->col + n > SPEC_LINE_MAX && o->col > strlen(INDENT)) {
		fputs("\n" INDENT, o->f);
		o->col = strlen(INDENT);
	}
	fwrite(tok, 1, n, o->f);
	o->col += n;
}

void val_out_key(struct val_out *o, const char *key)
{
	o->col = (size_t)fprintf(o->f, "%s =", key);
}

void val_out_raw(struct val_out *o, const char *tok)
{
	out_tok(o, " ", 1);
	out_tok(o, tok, strlen(tok));
}

void val_out_end(struct val_out *o)
{
	fputc('\n', o->f);
	o->col = 0;
}

/* Encoded form of one source character at s; returns bytes consumed. */
static size_t encode_char(const char *s, char *out, size_t *outlen)
{
	unsigned char c = (unsigned char)*s;
	size_t k;
	switch (c) {
	case '"': memcpy(out, "\\\"", 2); *outlen = 2; return 1;
	case '\\': memcpy(out, "\\\\", 2); *outlen = 2; return 1;
	case '\n': memcpy(out, "\\n", 2); *outlen = 2; return 1;
	case '\t': memcpy(out, "\\t", 2); *outlen = 2; return 1;
	case '\r': memcpy(out, "\\r", 2); *outlen = 2; return 1;
	case ';': memcpy(out, "\\u003b", 6); *outlen = 6; return 1;
	}
	if (c < 0x20 || c == 0x7f) {
		*outlen = (size_t)snprintf(out, 8, "\\u%04x", c);
		return 1;
	}
	k = utf8_seq((const unsigned char *)s);
	if (!k)
		k = 1; /* cannot happen for parsed strings */
	memcpy(out, s, k);
	*outlen = k;
	return k;
}

/* Literals longer than this are split into adjacent literals. */
#define LITERAL_CHUNK 120

void val_out_string(struct val_out *o, const char *s)
{
	char lit[LITERAL_CHUNK + 16];
	size_t n = 0;
	int first = 1;

	out_tok(o, " ", 1);
	lit[n++] = '"';
	while (*s) {
		char enc[8];
		size_t elen, used = encode_char(s, enc, &elen);
		if (n + elen + 1 > LITERAL_CHUNK) {
			lit[n++] = '"';
			if (!first)
				out_tok(o, " ", 1);
			out_tok(o, lit, n);
			first = 0;
			n = 0;
			lit[n++] = '"';
		}
		memcpy(lit + n, enc, elen);
		n += elen;
		s += used;
	}
	lit[n++] = '"';
	if (!first)
		out_tok(o, " ", 1);
	out_tok(o, lit, n);
}

void val_out_strv(struct val_out *o, char *const *v, size_t n)
{
	out_tok(o, " [", 2);
	for (size_t i = 0; i < n; i++) {
		val_out_string(o, v[i]);
		if (i + 1 < n)
			out_tok(o, ",", 1);
	}
	out_tok(o, " ]", 2);
}

void val_format_float(double d, char *buf, size_t len)
{
	/* Plain decimals (10.0, 0.0000001) while they fit; an exponent only
	 * for what does not. Always the shortest text that reads back as d. */
	for (int prec = 1; prec <= 17; prec++) {
		int n = snprintf(buf, len, "%.*f", prec, d);
		if (n > 0 && (size_t)n < len && strtod(buf, NULL) == d) {
			/* trim trailing zeros, keeping one digit after the point */
			char *e = buf + n - 1;
			while (e > buf && *e == '0' && e[-1] != '.')
				*e-- = '\0';
			return;
		}
	}
	for (int prec = 0; prec <= 17; prec++) {
		snprintf(buf, len, "%.*e", prec, d);
		if (strtod(buf, NULL) == d)
			return;
	}
}
