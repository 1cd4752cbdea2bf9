/* spec/errors.c - the errors of one load.
 *
 * Owns: the list of errors a load raises and their text,
 * "file:line: key: message", handed to the spec sorted by line.
 * Invariants: every error is one line of valid UTF-8 whatever the values
 * quoted in it; at most SPEC_MAX_ERRORS are kept, the first raised, and the
 * rest only counted (errors_dropped), so a flood of them costs no memory.
 * Errors on one line keep the order they were raised in.
 */
#include "spec_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct spec_error_item {
	int line;
	size_t seq;          /* raised in this order: ties on a line keep it */
	char *msg;
};

/* An error is one line of valid UTF-8, whatever the values quoted in it: a
 * control character (a string's \n, an escape sequence meant for the
 * console) is written as its JSON escape, and a byte that is not UTF-8 (a
 * value cut inside a character by "%.40s") as \xHH. NULL when out of memory. */
static char *error_line(const char *s)
{
	size_t n = strlen(s), o = 0;
	char *out = malloc(n * 6 + 1);
	if (!out)
		return NULL;
	while (*s) {
		unsigned char c = (unsigned char)*s;
		size_t k = utf8_char_len(s);
		if (c == '\n' || c == '\t' || c == '\r') {
			out[o++] = '\\';
			out[o++] = c == '\n' ? 'n' : c == '\t' ? 't' : 'r';
		} else if (c < 0x20 || c == 0x7f) {
			o += (size_t)sprintf(out + o, "\\u%04x", c);
		} else if (!k) {
			o += (size_t)sprintf(out + o, "\\x%02x", c);
		} else {
			memcpy(out + o, s, k);
			o += k;
			s += k;
			continue;
		}
		s++;
	}
	out[o] = '\0';
	return out;
}

void spec_error(struct spec_parse *p, int line, const char *key, const char *fmt, ...)
{
	char msg[512], *raw, *full;
	va_list ap;
	int n;

	if (line < 1)
		line = 1;
	if (p->nerrs >= SPEC_MAX_ERRORS) {
		p->s->errors_dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	n = key && *key ? asprintf(&raw, "%s:%d: %s: %s", p->file, line, key, msg)
			: asprintf(&raw, "%s:%d: %s", p->file, line, msg);
	if (n < 0) {
		p->oom = 1;
		return;
	}
	full = error_line(raw);
	free(raw);
	if (!full) {
		p->oom = 1;
		return;
	}
	if (!p->errs) {
		p->errs = calloc(SPEC_MAX_ERRORS, sizeof(*p->errs));
		if (!p->errs) {
			free(full);
			p->oom = 1;
			return;
		}
	}
	p->errs[p->nerrs].line = line;
	p->errs[p->nerrs].seq = p->nerrs;
	p->errs[p->nerrs].msg = full;
	p->nerrs++;
}

void spec_key_error(struct spec_ctx *c, int line, const char *key, const char *fmt, ...)
{
	char full[256], msg[400];
	va_list ap;
	if (c->p->nerrs >= SPEC_MAX_ERRORS) {
		c->p->s->errors_dropped++;   /* counted, not formatted: errors can flood */
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "%s%s", c->prefix, key);
	spec_error(c->p, line, full, "%s", msg);
}

static int cmp_error(const void *a, const void *b)
{
	const struct spec_error_item *x = a, *y = b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Hand the errors to the spec in file order. */
int spec_errors_move(struct spec_parse *p)
{
	struct spec *s = p->s;
	if (p->nerrs == 0)
		return 0;
	qsort(p->errs, p->nerrs, sizeof(*p->errs), cmp_error);
	s->errors = calloc(p->nerrs + 1, sizeof(*s->errors));
	if (!s->errors)
		return -1;
	for (size_t i = 0; i < p->nerrs; i++) {
		s->errors[i] = p->errs[i].msg;
		p->errs[i].msg = NULL;
	}
	s->nerrors = p->nerrs;
	return 0;
}

void spec_errors_free(struct spec_parse *p)
{
	for (size_t i = 0; i < p->nerrs; i++)
		free(p->errs[i].msg);
	free(p->errs);
}

char *spec_strdup(struct spec_parse *p, const char *s)
{
	char *d = strdup(s);
	if (!d)
		p->oom = 1;
	return d;
}
