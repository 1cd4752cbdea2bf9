/* spec/read.c - a spec's bytes to entries, grouped by section.
 *
 * Owns: the guard in front of inih and the entries it yields. Debian's
 * libinih (200-byte lines, 50-byte section names, inline ';' comments,
 * multi-line continuation, no line numbers for the handler) splits lines
 * into section/key/value; it reads through spec_reader(), which counts lines
 * and turns away every line inih would silently mangle (too long, ' ;'
 * inside a value, malformed headers), so nothing is lost unreported. The
 * handler collects (section, key, text, line) entries; spec_group() then
 * hands each section its entries sorted by key, where spec_take() finds a
 * key by bisection.
 *
 * Invariants: reading is linear in the size of the spec whatever its shape
 * (give or take a logarithm): a continued value grows in place by doubling,
 * a key belongs to the header above it by position (never looked up by
 * name), a header given twice is found by sorting the names, a section's
 * keys are sorted once. Every rejected line is an error with its line.
 */
#include "spec_int.h"

#include <ctype.h>
#include <ini.h>
#include <stdlib.h>
#include <string.h>

#define INIH_LINE 200          /* INI_MAX_LINE of Debian's build */
#define INIH_SECTION 49        /* MAX_SECTION - 1 */
#define REJECTED_SECTION "[!rejected]"   /* no valid section name has a '!' */

/* ---- the line reader in front of inih ---- */

static int valid_section_char(int c)
{
	return isalnum(c) || c == '.' || c == '_' || c == '-';
}

static struct spec_sect *sect_add(struct spec_parse *p, const char *name, int line)
{
	struct spec_sect *x;
	if (p->nsec == p->capsec) {
		size_t cap = p->capsec ? p->capsec * 2 : 16;
		struct spec_sect *n = realloc(p->sec, cap * sizeof(*n));
		if (!n) {
			p->oom = 1;
			return NULL;
		}
		p->sec = n;
		p->capsec = cap;
	}
	x = &p->sec[p->nsec];
	memset(x, 0, sizeof(*x));
	x->name = spec_strdup(p, name);
	x->line = line;
	if (!x->name)
		return NULL;
	p->nsec++;
	return x;
}

/* A header line, q to end without surrounding blanks: 0 when recorded,
 * -1 when rejected (reported; its keys go nowhere). */
static int check_header(struct spec_parse *p, const char *q, const char *end)
{
	const char *c = q + 1;
	char name[INIH_SECTION + 2];
	size_t len;
	struct spec_sect *x;
	while (c < end && valid_section_char((unsigned char)*c))
		c++;
	len = (size_t)(c - q - 1);
	if (c >= end || *c != ']' || c + 1 != end || len == 0) {
		spec_error(p, p->lineno, NULL, "malformed section header: expected [name] "
			   "with letters, digits, '.', '_' or '-'");
		p->bad_header = 1;
		return -1;
	}
	if (len > INIH_SECTION) {
		spec_error(p, p->lineno, NULL, "section name is longer than %d bytes",
			   INIH_SECTION);
		p->bad_header = 1;
		return -1;
	}
	memcpy(name, q + 1, len);
	name[len] = '\0';
	/* Every header is recorded, and the keys that follow belong to it
	 * by position, never looked up by name: a 1 MiB spec can have
	 * 100 000 headers. A name given twice is found once the file is
	 * read (find_duplicate_sections). */
	x = sect_add(p, name, p->lineno);
	p->cur = x ? p->nsec - 1 : SEC_REJECTED;
	return 0;
}

/* A "key = value" line: 0 when inih may have it, -1 when rejected. */
static int check_key(struct spec_parse *p, const char *q, const char *end)
{
	const char *eq = memchr(q, '=', (size_t)(end - q));
	const char *colon = memchr(q, ':', (size_t)(end - q));
	const char *k = q, *ke;
	if (!eq || (colon && colon < eq)) {
		spec_error(p, p->lineno, NULL, "expected key = value");
		return -1;
	}
	ke = eq;
	while (ke > k && isspace((unsigned char)ke[-1]))
		ke--;
	if (ke == k) {
		spec_error(p, p->lineno, NULL, "missing key before '='");
		return -1;
	}
	for (const char *c = k; c < ke; c++)
		if (!valid_section_char((unsigned char)*c)) {
			spec_error(p, p->lineno, NULL, "bad character in key: keys use "
				   "letters, digits, '.', '_' and '-'");
			return -1;
		}
	return 0;
}

/* Check one raw line; 0 to pass it to inih, -1 to hand inih a comment. */
static int check_line(struct spec_parse *p, const char *line, size_t n)
{
	const char *q = line, *end = line + n;
	int indented;

	if (p->lineno == 1 && n >= 3 && !memcmp(q, "\xef\xbb\xbf", 3))
		q += 3;   /* inih skips a BOM on the first line */
	if (memchr(line, '\0', n)) {
		spec_error(p, p->lineno, NULL, "NUL byte in spec");
		return -1;
	}
	while (end > q && isspace((unsigned char)end[-1]))
		end--;
	indented = q < end && (*q == ' ' || *q == '\t');
	while (q < end && isspace((unsigned char)*q))
		q++;
	p->cont = 0;
	p->bad_header = 0;
	if (q == end || *q == '#' || *q == ';')
		return 0;   /* blank or comment: inih ignores it too */
	if (n + 2 > INIH_LINE) {
		spec_error(p, p->lineno, NULL, "line is %zu bytes, longer than %d: continue "
			   "the value on indented lines", n, INIH_LINE - 2);
		p->last_was_key = 0;
		return -1;
	}
	for (const char *c = q + 1; c < end; c++)
		if (*c == ';' && isspace((unsigned char)c[-1])) {
			spec_error(p, p->lineno, NULL, "' ;' would start a comment here "
				   "(inline comments are not allowed; write ';' in strings as \\u003b)");
			p->last_was_key = 0;
			return -1;
		}
	if (indented) {
		if (!p->last_was_key) {
			spec_error(p, p->lineno, NULL, "indented line does not continue a key's value");
			return -1;
		}
		p->cont = 1;
		return 0;
	}
	p->last_was_key = 0;
	if (*q == '[')
		return check_header(p, q, end);
	if (check_key(p, q, end) < 0)
		return -1;
	p->last_was_key = 1;
	return 0;
}

static char *spec_reader(char *str, int num, void *stream)
{
	struct spec_parse *p = stream;
	const char *line, *nl;
	size_t n;

	if (p->pos >= p->len)
		return NULL;
	line = p->buf + p->pos;
	nl = memchr(line, '\n', p->len - p->pos);
	n = nl ? (size_t)(nl - line) : p->len - p->pos;
	p->pos += n + (nl ? 1 : 0);
	p->lineno++;
	if (check_line(p, line, n) < 0 || (int)n + 2 > num) {
		if (p->bad_header)
			p->cur = SEC_REJECTED;
		/* A rejected header still ends the previous section: its keys go
		 * to a section that is ignored, not to the one before (the error
		 * was reported). Other rejected lines become comments. */
		memcpy(str, p->bad_header ? REJECTED_SECTION "\n" : ";\n",
		       p->bad_header ? sizeof(REJECTED_SECTION) + 1 : 3);
		return str;
	}
	memcpy(str, line, n);
	str[n] = '\n';
	str[n + 1] = '\0';
	return str;
}

/* A continuation line's value, appended to the last entry's text. Tokens
 * are joined by a space (insignificant between tokens; a literal never
 * spans lines). The text grows by doubling, so a value continued over
 * 100 000 lines costs linear time. */
static void entry_continue(struct spec_parse *p, const char *value)
{
	size_t vl = strlen(value);
	struct spec_entry *e = &p->ent[p->nent - 1];
	if (e->len + vl + 2 > e->cap) {
		size_t cap = e->cap * 2 > e->len + vl + 2 ? e->cap * 2 : e->len + vl + 2;
		char *t = realloc(e->text, cap);
		if (!t) {
			p->oom = 1;
			return;
		}
		e->text = t;
		e->cap = cap;
	}
	e->text[e->len] = ' ';
	memcpy(e->text + e->len + 1, value, vl + 1);
	e->len += vl + 1;
}

static int spec_handler(void *user, const char *section, const char *name, const char *value)
{
	struct spec_parse *p = user;
	struct spec_entry *e;

	if (p->cont && p->nent > 0) {
		entry_continue(p, value);
		return 1;
	}
	if (p->nent == p->capent) {
		size_t cap = p->capent ? p->capent * 2 : 64;
		struct spec_entry *ne = realloc(p->ent, cap * sizeof(*ne));
		if (!ne) {
			p->oom = 1;
			return 1;
		}
		p->ent = ne;
		p->capent = cap;
	}
	e = &p->ent[p->nent];
	(void)section;   /* the reader knows which header a key is under (p->cur) */
	e->sec = p->cur;
	e->key = spec_strdup(p, name);
	e->text = spec_strdup(p, value);
	e->len = strlen(value);
	e->cap = e->len + 1;
	e->line = p->lineno;
	e->used = 0;
	if (!e->key || !e->text) {
		free(e->key); free(e->text);
		return 1;
	}
	p->nent++;
	return 1;
}

void spec_read(struct spec_parse *p)
{
	if (ini_parse_stream(spec_reader, p, spec_handler, p) == -2)
		p->oom = 1;
}

/* ---- entries by section, and finding a key ---- */

static int cmp_sect(const void *a, const void *b)
{
	const struct spec_sect *x = *(struct spec_sect *const *)a, *y = *(struct spec_sect *const *)b;
	int r = strcmp(x->name, y->name);
	return r ? r : (x->line > y->line) - (x->line < y->line);
}

/* A section given twice: the later headers are errors and their keys are
 * ignored. Sorting finds them in n log n, with no hash to collide. */
static void find_duplicate_sections(struct spec_parse *p)
{
	struct spec_sect **by = malloc((p->nsec + 1) * sizeof(*by));
	size_t first = 0;
	if (!by) {
		p->oom = 1;
		return;
	}
	for (size_t i = 0; i < p->nsec; i++)
		by[i] = &p->sec[i];
	qsort(by, p->nsec, sizeof(*by), cmp_sect);
	for (size_t i = 1; i < p->nsec; i++) {
		if (strcmp(by[i]->name, by[first]->name)) {
			first = i;
			continue;
		}
		by[i]->dup = 1;
		spec_error(p, by[i]->line, by[i]->name, "section defined twice (first at line %d)",
			   by[first]->line);
	}
	free(by);
}

/* By key, then line (the line order of a key given twice). */
static int cmp_entry(const void *a, const void *b)
{
	const struct spec_entry *x = *(struct spec_entry *const *)a, *y = *(struct spec_entry *const *)b;
	int r = strcmp(x->key, y->key);
	return r ? r : (x->line > y->line) - (x->line < y->line);
}

/* Group entries by section (every header was recorded by the reader; keys
 * before any header belong to the top level "", added last), then sort each
 * section's entries for spec_take(). */
int spec_group(struct spec_parse *p)
{
	size_t top;

	find_duplicate_sections(p);
	top = p->nsec;
	if (!sect_add(p, "", 1))
		return -1;
	for (size_t i = 0; i < p->nent && !p->oom; i++) {
		size_t k = p->ent[i].sec == SEC_TOP ? top : p->ent[i].sec;
		struct spec_sect *x;
		if (k == SEC_REJECTED || p->sec[k].dup)
			continue;   /* under a rejected or repeated header: reported there */
		x = &p->sec[k];
		if (x->n == x->cap) {
			size_t cap = x->cap ? x->cap * 2 : 8;
			struct spec_entry **ne = realloc(x->e, cap * sizeof(*ne));
			if (!ne) {
				p->oom = 1;
				return -1;
			}
			x->e = ne;
			x->cap = cap;
		}
		x->e[x->n++] = &p->ent[i];
	}
	for (size_t i = 0; i < p->nsec; i++)
		if (p->sec[i].n > 1)
			qsort(p->sec[i].e, p->sec[i].n, sizeof(*p->sec[i].e), cmp_entry);
	return p->oom ? -1 : 0;
}

/* The entry for key, marked used; a later one with the same key is reported.
 * A section's entries are sorted by key then line: a bisection finds the
 * first, so a process with 999 ports among 50 000 keys is not quadratic. */
struct spec_entry *spec_take(struct spec_ctx *c, const char *key)
{
	struct spec_entry *found = NULL;
	size_t lo = 0, hi = c->sec->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(c->sec->e[mid]->key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < c->sec->n; i++) {
		struct spec_entry *e = c->sec->e[i];
		if (strcmp(e->key, key))
			break;
		if (found) {
			spec_key_error(c, e->line, key, "defined twice (first at line %d)", found->line);
			e->used = 1;
			continue;
		}
		found = e;
		e->used = 1;
	}
	return found;
}
