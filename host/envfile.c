/* host/envfile.c - read an env file into "KEY=VALUE" strings, for
 * `vminitctl secrets --file`.
 *
 * Reads what secrets/bundle.c writes (its comment block has the format) and
 * what people write by hand: blank lines, lines whose first non-blank byte
 * is '#', an optional leading "export ", and 'single-quoted' values taken
 * literally. A raw value runs to the end of its line, trailing blanks (and a
 * CR) dropped; a quoted value may span lines, and only blanks or a '#'
 * comment may follow its closing quote. Keys are [A-Za-z_][A-Za-z0-9_]*
 * here; vminit itself refuses what the schema does not allow.
 *
 * Invariant: an error names the line, never a byte of a value. Every buffer
 * that held a value is wiped before it is freed.
 */
#include "envfile.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rd {
	const char *p, *end;
	size_t line;           /* of p, from 1 */
	char *err;
	size_t errlen;
};

static int rd_bad(struct rd *r, const char *fmt, ...)
{
	char msg[128];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(r->err, r->errlen, "line %zu: %s", r->line, msg);
	return -1;
}

static int blank(char c)
{
	return c == ' ' || c == '\t';
}

static void skip_blanks(struct rd *r)
{
	while (r->p < r->end && blank(*r->p))
		r->p++;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* One escape after a backslash inside double quotes, r->p on the byte after
 * the backslash; the byte it stands for in *ret. */
static int unescape(struct rd *r, char *ret)
{
	if (r->p >= r->end)
		return rd_bad(r, "the quote is not closed");
	char c = *r->p++;
	switch (c) {
	case '\\': case '"': case '$': case '`': *ret = c; return 0;
	case 'n': *ret = '\n'; return 0;
	case 'r': *ret = '\r'; return 0;
	case 't': *ret = '\t'; return 0;
	case 'x':
		if (r->end - r->p < 2 || hexval(r->p[0]) < 0 || hexval(r->p[1]) < 0)
			return rd_bad(r, "\\x needs two hex digits");
		*ret = (char)(hexval(r->p[0]) << 4 | hexval(r->p[1]));
		r->p += 2;
		return *ret ? 0 : rd_bad(r, "\\x00 (a NUL byte) in a value");
	}
	return rd_bad(r, "an unknown escape (\\\\ \\\" \\$ \\` \\n \\r \\t \\xHH are known)");
}

/* A quoted value, r->p on the opening quote, decoded into out (at *n). */
static int quoted(struct rd *r, char *out, size_t *n)
{
	char q = *r->p++;
	size_t start = r->line;
	while (r->p < r->end && *r->p != q) {
		char c = *r->p++;
		if (c == '\n')
			r->line++;
		if (c == '\\' && q == '"' && unescape(r, &c) < 0)
			return -1;
		out[(*n)++] = c;
	}
	if (r->p >= r->end) {
		r->line = start;
		return rd_bad(r, "the quote is not closed");
	}
	r->p++;
	skip_blanks(r);
	if (r->p < r->end && *r->p == '#')
		while (r->p < r->end && *r->p != '\n')
			r->p++;
	if (r->p < r->end && *r->p == '\r')
		r->p++;
	if (r->p < r->end && *r->p != '\n')
		return rd_bad(r, "text after the closing quote");
	return 0;
}

/* One KEY=VALUE line, r->p on its key, decoded as "KEY=VALUE" into out. */
static int entry(struct rd *r, char *out)
{
	size_t n = 0;
	if (r->end - r->p > 7 && !memcmp(r->p, "export", 6) && blank(r->p[6])) {
		r->p += 6;
		skip_blanks(r);
	}
	const char *k = r->p;
	while (r->p < r->end && (*r->p == '_' || ((*r->p | 0x20) >= 'a' && (*r->p | 0x20) <= 'z') ||
				 (r->p > k && *r->p >= '0' && *r->p <= '9')))
		r->p++;
	if (r->p == k || r->p >= r->end || *r->p != '=')
		return rd_bad(r, "not KEY=VALUE");
	r->p++;
	memcpy(out, k, (size_t)(r->p - k));
	n = (size_t)(r->p - k);
	if (r->p < r->end && (*r->p == '"' || *r->p == '\'')) {
		if (quoted(r, out, &n) < 0)
			return -1;
	} else {
		while (r->p < r->end && *r->p != '\n')
			out[n++] = *r->p++;
		/* The key's '=' stops this: it is not blank. */
		while (blank(out[n - 1]) || out[n - 1] == '\r')
			n--;
	}
	out[n] = '\0';
	return 0;
}

static void wipe_free(char *s, size_t n)
{
	if (s) {
		explicit_bzero(s, n);
		free(s);
	}
}

void envfile_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		wipe_free(v[i], v[i] ? strlen(v[i]) : 0);
}

int envfile_parse(const char *text, size_t len, char **ret, size_t max, char *err, size_t errlen)
{
	struct rd r = { text, text + len, 1, err, errlen };
	const char *nul = memchr(text, '\0', len);
	if (nul) {
		for (const char *p = text; p < nul; p++)
			r.line += *p == '\n';
		return rd_bad(&r, "a NUL byte");
	}
	/* A decoded entry is never longer than the text it came from. */
	char *buf = malloc(len + 1);
	if (!buf) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	size_t n = 0;
	while (r.p < r.end) {
		skip_blanks(&r);
		if (r.p < r.end && *r.p == '#')
			while (r.p < r.end && *r.p != '\n')
				r.p++;
		if (r.p < r.end && *r.p == '\r')
			r.p++;
		if (r.p < r.end && *r.p != '\n') {
			if (n == max) {
				rd_bad(&r, "more than %zu variables", max);
				goto fail;
			}
			if (entry(&r, buf) < 0)
				goto fail;
			size_t l = strlen(buf);
			if (!(ret[n] = malloc(l + 1))) {
				snprintf(err, errlen, "out of memory");
				goto fail;
			}
			memcpy(ret[n++], buf, l + 1);
		}
		if (r.p < r.end) {   /* on the '\n' */
			r.p++;
			r.line++;
		}
	}
	wipe_free(buf, len + 1);
	return (int)n;
fail:
	wipe_free(buf, len + 1);
	envfile_free(ret, n);
	return -1;
}
