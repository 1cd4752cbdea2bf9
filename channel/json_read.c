/* json_read.c - see json.h: the reader (the writer is json.c).
 *
 * jsmn (strict mode) for the structure, plus exact checks jsmn leaves out:
 * primitives are exactly true/false/null or an integer, strings hold no raw
 * control characters and are valid UTF-8 once unescaped.
 */
/* jsmn's code lives here (extern, strict); json.h includes only its types. */
#define JSMN_STRICT
#include <jsmn.h>
#include "json.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static int jr_type_of(jsmntype_t t)
{
	return t == JSMN_OBJECT ? JR_OBJECT : t == JSMN_ARRAY ? JR_ARRAY
		: t == JSMN_STRING ? JR_STRING : t == JSMN_PRIMITIVE ? JR_PRIMITIVE : JR_NONE;
}

static int fail(struct jr *r, const char **ret_err, const char *why)
{
	*ret_err = why;
	r->n = 0;
	return -1;
}

/* jsmn, even strict, takes text that is not JSON: commas missing, doubled or
 * trailing, a colon after a value or in an array, bytes before the object,
 * primitives such as `nope` or `1.2.3`. These check what jsmn leaves out:
 * between the tokens there is exactly the punctuation JSON wants, and each
 * primitive is a literal or a number. */

/* Only white space in js[from, to), around exactly one sep (none if 0). */
static int gap_ok(const char *js, int from, int to, char sep)
{
	int seen = 0;
	if (to < from)
		return 0;
	for (int i = from; i < to; i++) {
		char c = js[i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (!sep || c != sep || seen)
			return 0;
		seen = 1;
	}
	return seen == (sep != 0);
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* true, false, null, or -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int primitive_ok(const char *s, size_t n)
{
	size_t i = 0;
	if ((n == 4 && !memcmp(s, "true", 4)) || (n == 5 && !memcmp(s, "false", 5)) ||
	    (n == 4 && !memcmp(s, "null", 4)))
		return 1;
	if (i < n && s[i] == '-')
		i++;
	if (i < n && s[i] == '0')
		i++;
	else if (i < n && is_digit(s[i]))
		while (i < n && is_digit(s[i]))
			i++;
	else
		return 0;
	if (i < n && s[i] == '.') {
		if (++i >= n || !is_digit(s[i]))
			return 0;
		while (i < n && is_digit(s[i]))
			i++;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		if (++i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= n || !is_digit(s[i]))
			return 0;
		while (i < n && is_digit(s[i]))
			i++;
	}
	return i == n;
}

/* Where a token's text begins and ends: a string's token leaves out its quotes. */
static int tok_from(const jsmntok_t *t)
{
	return t->type == JSMN_STRING ? t->start - 1 : t->start;
}

static int tok_to(const jsmntok_t *t)
{
	return t->type == JSMN_STRING ? t->end + 1 : t->end;
}

/* Every container's children, with the text between them: keys are strings
 * with one value each, separated by ':', members and elements by ','. As
 * each child is checked from the end of the one before, no byte of the
 * object goes unchecked. */
/* A key twice in one object: Go and Python keep the last, jr_get the first,
 * so such a request would mean different things to different readers. Keys
 * are compared as the text they stand for: "o\u0070" is "op" to every
 * reader, so it is "op" here too. */
static int key_eq(const struct jr *r, int a, int b);

static int has_duplicate_key(const struct jr *r, int obj)
{
	const jsmntok_t *t = r->tok;
	for (int a = obj + 1, j = 0; j < t[obj].size; j++, a = jr_next(r, a + 1))
		for (int b = jr_next(r, a + 1), k = j + 1; k < t[obj].size; k++, b = jr_next(r, b + 1))
			if (key_eq(r, a, b))
				return 1;
	return 0;
}

static int syntax_ok(const struct jr *r)
{
	const jsmntok_t *t = r->tok;
	for (int i = 0; i < r->n; i++) {
		int at, k;
		if (t[i].type == JSMN_PRIMITIVE) {
			if (t[i].size || !primitive_ok(r->js + t[i].start, (size_t)(t[i].end - t[i].start)))
				return 0;
			continue;
		}
		if (t[i].type == JSMN_STRING)
			continue;       /* checked as its container's child */
		if (t[i].type != JSMN_OBJECT && t[i].type != JSMN_ARRAY)
			return 0;
		at = t[i].start + 1;
		k = i + 1;
		for (int j = 0; j < t[i].size; j++) {
			if (k >= r->n || !gap_ok(r->js, at, tok_from(&t[k]), j ? ',' : 0))
				return 0;
			if (t[i].type == JSMN_OBJECT) {
				if (t[k].type != JSMN_STRING || t[k].size != 1 || k + 1 >= r->n ||
				    !gap_ok(r->js, tok_to(&t[k]), tok_from(&t[k + 1]), ':'))
					return 0;
				k++;
			}
			if (t[k].type == JSMN_STRING && t[k].size)
				return 0;
			at = tok_to(&t[k]);
			k = jr_next(r, k);
		}
		if (!gap_ok(r->js, at, t[i].end - 1, 0))
			return 0;
	}
	return 1;
}

static int no_duplicate_keys(const struct jr *r)
{
	for (int i = 0; i < r->n; i++)
		if (r->tok[i].type == JSMN_OBJECT && has_duplicate_key(r, i))
			return 0;
	return 1;
}

int jr_parse(struct jr *r, jsmntok_t *tok, int max, const char *js, size_t len,
	     const char **ret_err)
{
	jsmn_parser p;
	int n;

	r->js = js;
	r->len = len;
	r->n = 0;
	r->tok = tok;
	r->max = max;
	if (len > INT_MAX / 2)
		return fail(r, ret_err, "too long");
	jsmn_init(&p);
	n = jsmn_parse(&p, js, len, tok, (unsigned)max);
	if (n == JSMN_ERROR_NOMEM)
		return fail(r, ret_err, "too many JSON values");
	if (n < 0)
		return fail(r, ret_err, "not valid JSON");
	if (n == 0 || tok[0].type != JSMN_OBJECT)
		return fail(r, ret_err, "not a JSON object");
	r->n = n;
	/* One object and only white space around it. */
	if (jr_next(r, 0) != n)
		return fail(r, ret_err, "more than one JSON value");
	if (!gap_ok(js, 0, tok[0].start, 0) || !gap_ok(js, tok[0].end, (int)len, 0) || !syntax_ok(r))
		return fail(r, ret_err, "not valid JSON");
	if (!no_duplicate_keys(r))
		return fail(r, ret_err, "a key appears twice in one object");
	return 0;
}

int jr_next(const struct jr *r, int i)
{
	int todo = 1;
	/* Each token's size is its number of direct children (a key's is 1). */
	while (todo > 0 && i < r->n) {
		todo += r->tok[i].size - 1;
		i++;
	}
	return i;
}

int jr_type(const struct jr *r, int i)
{
	return i >= 0 && i < r->n ? jr_type_of(r->tok[i].type) : JR_NONE;
}

static int tok_eq(const struct jr *r, int i, const char *s)
{
	size_t n = strlen(s);
	return (size_t)(r->tok[i].end - r->tok[i].start) == n && !memcmp(r->js + r->tok[i].start, s, n);
}

/* A key's text one byte at a time, as it reads unescaped (a surrogate pair
 * as its one code point, a lone surrogate as itself), without a buffer. */
struct key_iter {
	const char *s, *e;
	char enc[4];
	size_t at, len;
};

static unsigned hexval4(const char *s);
static size_t utf8_put(unsigned cp, char *o);

/* The next byte, or -1 at the end. The token passed jr_parse, so every
 * escape in it is whole. */
static int key_next(struct key_iter *k)
{
	if (k->at < k->len)
		return (unsigned char)k->enc[k->at++];
	if (k->s >= k->e)
		return -1;
	if (*k->s != '\\')
		return (unsigned char)*k->s++;
	k->s++;
	k->at = 0;
	k->len = 1;
	switch (*k->s++) {
	case 'b': k->enc[0] = '\b'; break;
	case 'f': k->enc[0] = '\f'; break;
	case 'n': k->enc[0] = '\n'; break;
	case 'r': k->enc[0] = '\r'; break;
	case 't': k->enc[0] = '\t'; break;
	case 'u': {
		unsigned cp = hexval4(k->s);
		k->s += 4;
		if (cp >= 0xd800 && cp <= 0xdbff && k->e - k->s >= 6 && k->s[0] == '\\' && k->s[1] == 'u') {
			unsigned lo = hexval4(k->s + 2);
			if (lo >= 0xdc00 && lo <= 0xdfff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				k->s += 6;
			}
		}
		k->len = utf8_put(cp, k->enc);
		break;
	}
	default: k->enc[0] = k->s[-1]; break;   /* '"', '\\', '/' */
	}
	return (unsigned char)k->enc[k->at++];
}

static void key_begin(struct key_iter *k, const struct jr *r, int i)
{
	k->s = r->js + r->tok[i].start;
	k->e = r->js + r->tok[i].end;
	k->at = k->len = 0;
}

static int key_eq(const struct jr *r, int a, int b)
{
	struct key_iter x, y;
	int c;
	if (!memchr(r->js + r->tok[a].start, '\\', (size_t)(r->tok[a].end - r->tok[a].start)) &&
	    !memchr(r->js + r->tok[b].start, '\\', (size_t)(r->tok[b].end - r->tok[b].start)))
		return r->tok[a].end - r->tok[a].start == r->tok[b].end - r->tok[b].start &&
		       !memcmp(r->js + r->tok[a].start, r->js + r->tok[b].start,
			       (size_t)(r->tok[a].end - r->tok[a].start));
	key_begin(&x, r, a);
	key_begin(&y, r, b);
	do {
		c = key_next(&x);
		if (c != key_next(&y))
			return 0;
	} while (c >= 0);
	return 1;
}

/* Key i reads as s. */
static int key_is(const struct jr *r, int i, const char *s)
{
	struct key_iter k;
	int c;
	if (!memchr(r->js + r->tok[i].start, '\\', (size_t)(r->tok[i].end - r->tok[i].start)))
		return tok_eq(r, i, s);
	key_begin(&k, r, i);
	/* A key may hold U+0000 ("\u0000"): it is a character like any other,
	 * so s ends the comparison only where s ends, never read past. */
	while ((c = key_next(&k)) >= 0)
		if (*s == '\0' || c != (unsigned char)*s++)
			return 0;
	return *s == '\0';
}

int jr_get(const struct jr *r, int obj, const char *key)
{
	int k;
	if (jr_type(r, obj) != JR_OBJECT)
		return -1;
	k = obj + 1;
	for (int j = 0; j < r->tok[obj].size && k < r->n; j++) {
		if (key_is(r, k, key))
			return k + 1 < r->n ? k + 1 : -1;
		k = jr_next(r, k + 1);
	}
	return -1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int hex4(const char *s, size_t n, unsigned *ret)
{
	unsigned v = 0;
	if (n < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		int h = hexval(s[i]);
		if (h < 0)
			return -1;
		v = v << 4 | (unsigned)h;
	}
	*ret = v;
	return 0;
}

/* Four hex digits that jsmn has checked already. */
static unsigned hexval4(const char *s)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++)
		v = v << 4 | (unsigned)hexval(s[i]);
	return v;
}

static size_t utf8_put(unsigned cp, char *o)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Unescape string token i into out; out may be the token's own text (the
 * unescaped form is never longer, so writing never overtakes reading). */
static long unescape(const struct jr *r, int i, char *out, size_t cap, int allow_nul)
{
	const char *s, *e;
	size_t o = 0;
	if (jr_type(r, i) != JR_STRING || cap == 0)
		return -1;
	s = r->js + r->tok[i].start;
	e = r->js + r->tok[i].end;
	while (s < e) {
		unsigned char c = (unsigned char)*s;
		char enc[4];
		size_t l;
		if (c < 0x20)
			return -1;
		if (c != '\\') {
			l = utf8_seq_len((const unsigned char *)s, (size_t)(e - s));
			if (!l || o + l >= cap)
				return -1;
			memmove(out + o, s, l);
			o += l;
			s += l;
			continue;
		}
		if (++s >= e)
			return -1;
		switch (*s++) {
		case '"': enc[0] = '"'; l = 1; break;
		case '\\': enc[0] = '\\'; l = 1; break;
		case '/': enc[0] = '/'; l = 1; break;
		case 'b': enc[0] = '\b'; l = 1; break;
		case 'f': enc[0] = '\f'; l = 1; break;
		case 'n': enc[0] = '\n'; l = 1; break;
		case 'r': enc[0] = '\r'; l = 1; break;
		case 't': enc[0] = '\t'; l = 1; break;
		case 'u': {
			unsigned cp, lo;
			if (hex4(s, (size_t)(e - s), &cp) < 0)
				return -1;
			s += 4;
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return -1;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (e - s < 6 || s[0] != '\\' || s[1] != 'u' ||
				    hex4(s + 2, (size_t)(e - s - 2), &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
					return -1;
				s += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			}
			if (cp == 0 && !allow_nul)
				return -1;
			l = utf8_put(cp, enc);
			break;
		}
		default:
			return -1;
		}
		if (o + l >= cap)
			return -1;
		memcpy(out + o, enc, l);
		o += l;
	}
	out[o] = '\0';
	return (long)o;
}

int jr_str(const struct jr *r, int i, char *out, size_t cap)
{
	long n = unescape(r, i, out, cap > INT_MAX ? INT_MAX : cap, 0);
	return (int)n;
}

long jr_bytes(const struct jr *r, int i, char *out, size_t cap)
{
	return unescape(r, i, out, cap, 1);
}

int jr_int(const struct jr *r, int i, long long *ret)
{
	char b[32], *end;
	const char *s;
	size_t n;
	long long v;
	if (jr_type(r, i) != JR_PRIMITIVE)
		return -1;
	s = r->js + r->tok[i].start;
	n = (size_t)(r->tok[i].end - r->tok[i].start);
	if (n == 0 || n >= sizeof(b))
		return -1;
	memcpy(b, s, n);
	b[n] = '\0';
	/* JSON integers: -?(0|[1-9][0-9]*) */
	{
		const char *q = b + (b[0] == '-');
		if (!(*q >= '0' && *q <= '9') || (q[0] == '0' && q[1] != '\0'))
			return -1;
		for (; *q; q++)
			if (*q < '0' || *q > '9')
				return -1;
	}
	errno = 0;
	v = strtoll(b, &end, 10);
	if (errno || *end)
		return -1;
	*ret = v;
	return 0;
}

int jr_bool(const struct jr *r, int i, int *ret)
{
	if (jr_type(r, i) != JR_PRIMITIVE)
		return -1;
	if (tok_eq(r, i, "true")) {
		*ret = 1;
		return 0;
	}
	if (tok_eq(r, i, "false")) {
		*ret = 0;
		return 0;
	}
	return -1;
}

int jr_is_null(const struct jr *r, int i)
{
	return jr_type(r, i) == JR_PRIMITIVE && tok_eq(r, i, "null");
}
