/* spec.c - read, validate and default the guest spec (docs/spec.md).
 *
 * Owns: turning a file into a struct spec, and every validation rule of
 * manifest schema v1 (shared/seeds/003) plus the guest-only fields.
 *
 * How: inih (Debian's libinih, built with 200-byte lines, 50-byte section
 * names, inline ';' comments, multi-line continuation and no line numbers)
 * splits lines into section/key/value. It reads through spec_reader(), which
 * counts lines and turns away every line inih would silently mangle (too long,
 * ' ;' inside a value, malformed headers), so nothing is lost unreported.
 * Pass 1 collects (section, key, text, line) entries; pass 2 interprets them
 * section by section with typed getters that mark entries used, so every key
 * left unused is reported as unknown.
 *
 * Invariants: every error carries file:line and the key's full dotted path;
 * all errors are reported, up to SPEC_MAX_ERRORS (the rest are counted).
 * Never: aborts on bad input, or accepts a value of the wrong type.
 */
#include "spec.h"
#include "channel/addr.h"
#include "value.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define INIH_LINE 200          /* INI_MAX_LINE of Debian's build */
#define INIH_SECTION 49        /* MAX_SECTION - 1 */
#define REJECTED_SECTION "[!rejected]"   /* no valid section name has a '!' */
#define SEC_TOP ((size_t)-1)        /* keys before the first header */
#define SEC_REJECTED ((size_t)-2)   /* keys under a rejected header */

struct entry {
	size_t sec;          /* index in parse.sec, or SEC_TOP / SEC_REJECTED */
	char *key;
	char *text;
	size_t len, cap;     /* of text: a continued value grows in place */
	int line;
	int used;
};

struct sect {
	char *name;
	int line;
	struct entry **e;    /* sorted by key, then line, once grouped: take() bisects */
	size_t n, cap;
	const char *kind;
	int dup;             /* a later header of a name already given: ignored */
};

struct perr_item {
	int line;
	size_t seq;
	char *msg;
};

struct parse {
	struct spec *s;
	struct perr_item *errs; size_t nerrs;
	const char *file;
	/* reader */
	const char *buf;
	size_t len, pos;
	int lineno;
	int cont;            /* the line handed to inih continues a value */
	int last_was_key;    /* previous non-blank line was a key or continuation */
	int bad_header;      /* the current line is a rejected section header */
	/* pass 1 */
	struct entry *ent; size_t nent, capent;
	struct sect *sec; size_t nsec, capsec;
	size_t cur;          /* the section later keys belong to (SEC_*, or an index) */
	int oom;
};

/* ---- errors ---- */

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

static void perr(struct parse *p, int line, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void perr(struct parse *p, int line, const char *key, const char *fmt, ...)
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

static int cmp_perr(const void *a, const void *b)
{
	const struct perr_item *x = a, *y = b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Hand the errors to the spec in file order. */
static int move_errors(struct parse *p)
{
	struct spec *s = p->s;
	if (p->nerrs == 0)
		return 0;
	qsort(p->errs, p->nerrs, sizeof(*p->errs), cmp_perr);
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

static char *xstrdup(struct parse *p, const char *s)
{
	char *d = strdup(s);
	if (!d)
		p->oom = 1;
	return d;
}

/* ---- pass 0: the line reader in front of inih ---- */

static int valid_section_char(int c)
{
	return isalnum(c) || c == '.' || c == '_' || c == '-';
}

static struct sect *sect_add(struct parse *p, const char *name, int line)
{
	struct sect *x;
	if (p->nsec == p->capsec) {
		size_t cap = p->capsec ? p->capsec * 2 : 16;
		struct sect *n = realloc(p->sec, cap * sizeof(*n));
		if (!n) {
			p->oom = 1;
			return NULL;
		}
		p->sec = n;
		p->capsec = cap;
	}
	x = &p->sec[p->nsec];
	memset(x, 0, sizeof(*x));
	x->name = xstrdup(p, name);
	x->line = line;
	if (!x->name)
		return NULL;
	p->nsec++;
	return x;
}

/* Check one raw line; 0 to pass it to inih, -1 to hand inih a comment. */
static int check_line(struct parse *p, const char *line, size_t n)
{
	const char *q = line, *end = line + n;
	int indented;

	if (p->lineno == 1 && n >= 3 && !memcmp(q, "\xef\xbb\xbf", 3))
		q += 3;   /* inih skips a BOM on the first line */
	if (memchr(line, '\0', n)) {
		perr(p, p->lineno, NULL, "NUL byte in spec");
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
		perr(p, p->lineno, NULL, "line is %zu bytes, longer than %d: continue "
		     "the value on indented lines", n, INIH_LINE - 2);
		p->last_was_key = 0;
		return -1;
	}
	for (const char *c = q + 1; c < end; c++)
		if (*c == ';' && isspace((unsigned char)c[-1])) {
			perr(p, p->lineno, NULL, "' ;' would start a comment here "
			     "(inline comments are not allowed; write ';' in strings as \\u003b)");
			p->last_was_key = 0;
			return -1;
		}
	if (indented) {
		if (!p->last_was_key) {
			perr(p, p->lineno, NULL, "indented line does not continue a key's value");
			return -1;
		}
		p->cont = 1;
		return 0;
	}
	p->last_was_key = 0;
	if (*q == '[') {
		const char *c = q + 1;
		char name[INIH_SECTION + 2];
		size_t len;
		struct sect *x;
		while (c < end && valid_section_char((unsigned char)*c))
			c++;
		len = (size_t)(c - q - 1);
		if (c >= end || *c != ']' || c + 1 != end || len == 0) {
			perr(p, p->lineno, NULL, "malformed section header: expected [name] "
			     "with letters, digits, '.', '_' or '-'");
			p->bad_header = 1;
			return -1;
		}
		if (len > INIH_SECTION) {
			perr(p, p->lineno, NULL, "section name is longer than %d bytes",
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
	{
		const char *eq = memchr(q, '=', (size_t)(end - q));
		const char *colon = memchr(q, ':', (size_t)(end - q));
		const char *k = q, *ke;
		if (!eq || (colon && colon < eq)) {
			perr(p, p->lineno, NULL, "expected key = value");
			return -1;
		}
		ke = eq;
		while (ke > k && isspace((unsigned char)ke[-1]))
			ke--;
		if (ke == k) {
			perr(p, p->lineno, NULL, "missing key before '='");
			return -1;
		}
		for (const char *c = k; c < ke; c++)
			if (!valid_section_char((unsigned char)*c)) {
				perr(p, p->lineno, NULL, "bad character in key: keys use "
				     "letters, digits, '.', '_' and '-'");
				return -1;
			}
	}
	p->last_was_key = 1;
	return 0;
}

static char *spec_reader(char *str, int num, void *stream)
{
	struct parse *p = stream;
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

static int spec_handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse *p = user;
	struct entry *e;

	if (p->cont && p->nent > 0) {
		/* Continuation: tokens are joined by a space (insignificant between
		 * tokens; a literal never spans lines). The text grows by doubling,
		 * so a value continued over 100 000 lines costs linear time. */
		size_t vl = strlen(value);
		e = &p->ent[p->nent - 1];
		if (e->len + vl + 2 > e->cap) {
			size_t cap = e->cap * 2 > e->len + vl + 2 ? e->cap * 2 : e->len + vl + 2;
			char *t = realloc(e->text, cap);
			if (!t) {
				p->oom = 1;
				return 1;
			}
			e->text = t;
			e->cap = cap;
		}
		e->text[e->len] = ' ';
		memcpy(e->text + e->len + 1, value, vl + 1);
		e->len += vl + 1;
		return 1;
	}
	if (p->nent == p->capent) {
		size_t cap = p->capent ? p->capent * 2 : 64;
		struct entry *ne = realloc(p->ent, cap * sizeof(*ne));
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
	e->key = xstrdup(p, name);
	e->text = xstrdup(p, value);
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

/* ---- pass 2 helpers: typed getters on a section ---- */

struct ctx {
	struct parse *p;
	struct sect *sec;
	const char *prefix;   /* for error keys: "processes.web." */
};

static void kerr(struct ctx *c, int line, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void kerr(struct ctx *c, int line, const char *key, const char *fmt, ...)
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
	perr(c->p, line, full, "%s", msg);
}

/* The entry for key, marked used; a later one with the same key is reported.
 * A section's entries are sorted by key then line: a bisection finds the
 * first, so a process with 999 ports among 50 000 keys is not quadratic. */
static struct entry *take(struct ctx *c, const char *key)
{
	struct entry *found = NULL;
	size_t lo = 0, hi = c->sec->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(c->sec->e[mid]->key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < c->sec->n; i++) {
		struct entry *e = c->sec->e[i];
		if (strcmp(e->key, key))
			break;
		if (found) {
			kerr(c, e->line, key, "defined twice (first at line %d)", found->line);
			e->used = 1;
			continue;
		}
		found = e;
		e->used = 1;
	}
	return found;
}

/* Parse an entry's value and check its type. 1 ok, -1 error reported (and
 * nothing left in ret to free). val_parse() leaves ret untouched when it
 * fails, so every struct val here starts zeroed: val_free() on one is then
 * safe on any path. */
static int typed(struct ctx *c, struct entry *e, enum val_type want, int or_int,
		 struct val *ret)
{
	char err[200];
	if (val_parse(e->text, ret, err, sizeof(err)) < 0) {
		kerr(c, e->line, e->key, "%s", err);
		return -1;
	}
	if (ret->type == want || (or_int && ret->type == VAL_INT))
		return 1;
	kerr(c, e->line, e->key, "must be %s, not %s", val_type_name(want),
	     val_type_name(ret->type));
	val_free(ret);
	return -1;
}

/* Each getter: 1 set, 0 absent (ret untouched), -1 error (reported). */
static int get_str(struct ctx *c, const char *key, char **ret, int *ret_line)
{
	struct val v = { 0 };
	struct entry *e = take(c, key);
	if (!e)
		return 0;
	if (typed(c, e, VAL_STRING, 0, &v) < 0)
		return -1;
	*ret = v.s;
	if (ret_line)
		*ret_line = e->line;
	return 1;
}

static int get_int(struct ctx *c, const char *key, long long min, long long max,
		   int *ret, int *ret_line)
{
	struct val v = { 0 };
	struct entry *e = take(c, key);
	if (!e)
		return 0;
	if (typed(c, e, VAL_INT, 0, &v) < 0)
		return -1;
	if (v.i < min || v.i > max) {
		if (max == INT_MAX && v.i > max)
			kerr(c, e->line, key, "%lld is out of range (at most %d)", v.i, INT_MAX);
		else if (max == INT_MAX)
			kerr(c, e->line, key, "must be at least %lld", min);
		else
			kerr(c, e->line, key, "must be between %lld and %lld", min, max);
		return -1;
	}
	*ret = (int)v.i;
	if (ret_line)
		*ret_line = e->line;
	return 1;
}

static int get_bool(struct ctx *c, const char *key, int *ret)
{
	struct val v = { 0 };
	struct entry *e = take(c, key);
	if (!e)
		return 0;
	if (typed(c, e, VAL_BOOL, 0, &v) < 0)
		return -1;
	*ret = v.b;
	return 1;
}

static int get_strv(struct ctx *c, const char *key, struct spec_strv *ret, int *ret_line)
{
	struct val v = { 0 };
	struct entry *e = take(c, key);
	if (!e)
		return 0;
	if (typed(c, e, VAL_ARRAY, 0, &v) < 0)
		return -1;
	ret->v = v.arr;
	ret->n = v.narr;
	ret->set = 1;
	if (ret_line)
		*ret_line = e->line;
	return 1;
}

/* A table's own key: "restart = {}", "ports.0 = {}". The empty table says
 * only that the table exists (as an empty TOML table does); its keys, if any,
 * are dotted keys beside it, so together they are redundant, not a conflict. */
static int get_table(struct ctx *c, const char *key)
{
	struct val v = { 0 };
	struct entry *e = take(c, key);
	if (!e)
		return 0;
	if (typed(c, e, VAL_TABLE, 0, &v) < 0)
		return -1;
	val_free(&v);
	return 1;
}

static void strv_free(struct spec_strv *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->v[i]);
	free(v->v);
	memset(v, 0, sizeof(*v));
}

static int match_name(const char *s)   /* [a-z][a-z0-9-]{0,31} */
{
	size_t n = 0;
	if (!(*s >= 'a' && *s <= 'z'))
		return 0;
	for (; *s; s++, n++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
			return 0;
	return n <= 32;
}

static int match_var(const char *s, size_t n)   /* [A-Z_][A-Z0-9_]* */
{
	if (n == 0 || !((*s >= 'A' && *s <= 'Z') || *s == '_'))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

static int cmp_var(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	size_t lx = strcspn(x, "="), ly = strcspn(y, "=");
	int r = strncmp(x, y, lx < ly ? lx : ly);
	return r ? r : (lx > ly) - (lx < ly);
}

/* A table of string -> string: an array of "KEY=value". strict: keys must
 * match the manifest's pattern (OCI image env is looser: any key without '='). */
static int get_vars(struct ctx *c, const char *key, int strict, struct spec_strv *ret)
{
	int line = 0, rc = get_strv(c, key, ret, &line), bad = 0;
	if (rc <= 0)
		return rc;
	for (size_t i = 0; i < ret->n; i++) {
		const char *eq = strchr(ret->v[i], '=');
		if (!eq) {
			kerr(c, line, key, "element %zu (\"%.40s\") is not KEY=value", i, ret->v[i]);
			bad = 1;
		} else if (strict ? !match_var(ret->v[i], (size_t)(eq - ret->v[i])) : eq == ret->v[i]) {
			kerr(c, line, key, "variable name \"%.*s\" must match %s", (int)(eq - ret->v[i]),
			     ret->v[i], strict ? "[A-Z_][A-Z0-9_]*" : "a non-empty name");
			bad = 1;
		}
	}
	if (bad)
		goto fail;
	qsort(ret->v, ret->n, sizeof(*ret->v), cmp_var);
	for (size_t i = 1; i < ret->n; i++)
		if (!cmp_var(&ret->v[i - 1], &ret->v[i])) {
			kerr(c, line, key, "variable %.*s is given twice",
			     (int)strcspn(ret->v[i], "="), ret->v[i]);
			bad = 1;
		}
	if (!bad)
		return 1;
fail:
	strv_free(ret);
	return -1;
}

/* A command: non-empty array whose first element (the executable) is non-empty. */
static int get_command(struct ctx *c, const char *key, struct spec_strv *ret)
{
	int line = 0, rc = get_strv(c, key, ret, &line);
	if (rc <= 0)
		return rc;
	if (ret->n == 0 || ret->v[0][0] == '\0') {
		kerr(c, line, key, ret->n ? "the executable (first element) is empty"
					  : "must not be empty: the first element is the executable");
		strv_free(ret);
		return -1;
	}
	return 1;
}

static int get_enum(struct ctx *c, const char *key, const char *const *allowed, int *ret)
{
	char *s = NULL;
	int line = 0, rc = get_str(c, key, &s, &line);
	if (rc <= 0)
		return rc;
	for (int i = 0; allowed[i]; i++)
		if (!strcmp(s, allowed[i])) {
			*ret = i;
			free(s);
			return 1;
		}
	{
		char list[200] = "";
		for (int i = 0; allowed[i]; i++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s\"%s\"",
				 i ? (allowed[i + 1] ? ", " : " or ") : "", allowed[i]);
		kerr(c, line, key, "\"%s\" is not allowed: use %s", s, list);
	}
	free(s);
	return -1;
}

int spec_parse_size(const char *s, uint64_t *ret_bytes)
{
	uint64_t v = 0;
	size_t n = 0;
	while (s[n] >= '0' && s[n] <= '9') {
		if (n >= 12)
			return -1;
		v = v * 10 + (uint64_t)(s[n] - '0');
		n++;
	}
	if (n == 0)
		return -1;
	if (!strcmp(s + n, "Mi"))
		v <<= 20;   /* 12 digits << 20 fits in 64 bits */
	else if (!strcmp(s + n, "Gi")) {
		if (v > (UINT64_MAX >> 30))
			return -1;
		v <<= 30;
	} else
		return -1;
	*ret_bytes = v;
	return 0;
}

static int get_size(struct ctx *c, const char *key, uint64_t min, const char *minstr,
		    char **ret, uint64_t *ret_bytes)
{
	char *s = NULL;
	uint64_t b;
	int line = 0, rc = get_str(c, key, &s, &line);
	if (rc <= 0)
		return rc;
	if (spec_parse_size(s, &b) < 0) {
		kerr(c, line, key, "\"%s\" is not a size: digits then Mi or Gi (\"256Mi\", \"2Gi\")", s);
		goto fail;
	}
	if (b < min) {
		kerr(c, line, key, "\"%s\" is less than the minimum %s", s, minstr);
		goto fail;
	}
	*ret = s;
	*ret_bytes = b;
	return 1;
fail:
	free(s);
	return -1;
}

static int valid_user(const char *u)
{
	/* name-or-uid, optionally ":group-or-gid"; no whitespace or controls. */
	const char *colon = strchr(u, ':');
	if (!*u || *u == ':' || (colon && (!colon[1] || strchr(colon + 1, ':'))))
		return 0;
	for (; *u; u++)
		if ((unsigned char)*u <= ' ' || *u == 0x7f)
			return 0;
	return 1;
}

static int get_user(struct ctx *c, const char *key, char **ret)
{
	int line = 0, rc = get_str(c, key, ret, &line);
	if (rc == 1 && !valid_user(*ret)) {
		kerr(c, line, key, "\"%s\" is not USER or USER:GROUP (names or numeric ids)", *ret);
		free(*ret);
		*ret = NULL;
		return -1;
	}
	return rc;
}

static int get_abs_path(struct ctx *c, const char *key, char **ret, int *ret_line)
{
	int line = 0, rc = get_str(c, key, ret, &line);
	if (ret_line)
		*ret_line = line;
	if (rc == 1 && (*ret)[0] != '/') {
		kerr(c, line, key, "\"%s\" must be an absolute path", *ret);
		free(*ret);
		*ret = NULL;
		return -1;
	}
	return rc;
}

static void report_unused(struct ctx *c, const char *hint)
{
	for (size_t i = 0; i < c->sec->n; i++) {
		struct entry *e = c->sec->e[i];
		if (e->used)
			continue;
		e->used = 1;
		kerr(c, e->line, e->key, "unknown key%s%s", hint ? "; " : "", hint ? hint : "");
	}
}

/* Indexed arrays of tables: "ports.N.field", and "ports.N" for the element
 * itself ("ports.N = {}"). Returns the count (max index + 1), reporting bad
 * and missing indexes; -1 on error. */
static int count_indexed(struct ctx *c, const char *base)
{
	size_t blen = strlen(base);
	unsigned char seen[SPEC_MAX_INDEX + 1];
	int max = -1, bad = 0;
	memset(seen, 0, sizeof(seen));
	for (size_t i = 0; i < c->sec->n; i++) {
		struct entry *e = c->sec->e[i];
		const char *k = e->key;
		char *end;
		long idx;
		if (strncmp(k, base, blen) || k[blen] != '.')
			continue;
		k += blen + 1;
		errno = 0;
		idx = strtol(k, &end, 10);
		if (!isdigit((unsigned char)*k) || (k[0] == '0' && isdigit((unsigned char)k[1])) ||
		    errno || idx > SPEC_MAX_INDEX || (*end != '.' && *end != '\0')) {
			kerr(c, e->line, e->key, "expected %s.N.field with N from 0 to %d",
			     base, SPEC_MAX_INDEX);
			e->used = 1;
			bad = 1;
			continue;
		}
		seen[idx] = 1;
		if (idx > max)
			max = (int)idx;
	}
	for (int i = 0; i < max; i++)
		if (!seen[i]) {
			kerr(c, c->sec->line, base, "%s.%d is missing: indexes run 0, 1, 2, ... "
			     "without gaps", base, i);
			bad = 1;
		}
	return bad ? -1 : max + 1;
}

/* ---- pass 2: sections ---- */

static const char *const restart_names[] = { "always", "on-failure", "never", NULL };
static const char *const health_names[] = { "tcp", "http", NULL };
static const char *const halt_names[] = { "poweroff", "reboot", NULL };
static const char *const pull_names[] = { "if_not_present", "always", NULL };

const char *spec_restart_name(enum spec_restart r)
{
	return restart_names[r];
}

static void do_top(struct ctx *c)
{
	char *v = NULL;
	int line = 0, rc = get_str(c, "schema_version", &v, &line);
	if (rc == 0)
		kerr(c, 1, "schema_version", "required (schema_version = \"v1\")");
	else if (rc == 1 && strcmp(v, "v1"))
		kerr(c, line, "schema_version", "\"%s\" is not supported: this vminit reads \"v1\"", v);
	free(v);
	report_unused(c, NULL);
}

static void do_app(struct ctx *c)
{
	struct spec *s = c->p->s;
	int line = 0;
	size_t n;
	if (get_str(c, "name", &s->app_name, &line) == 1) {
		n = utf8_len(s->app_name);
		if (n < 1 || n > 64)
			kerr(c, line, "name", "length must be 1 to 64 characters, not %zu", n);
	}
	if (get_str(c, "description", &s->app_description, &line) == 1) {
		n = utf8_len(s->app_description);
		if (n > 256)
			kerr(c, line, "description", "length must be at most 256 characters, not %zu", n);
	}
	report_unused(c, NULL);
}

static int valid_digest_ref(const char *ref)
{
	const char *at = strchr(ref, '@');
	if (!at)
		return 1;
	if (strncmp(at + 1, "sha256:", 7) || strlen(at + 8) != 64)
		return 0;
	for (const char *h = at + 8; *h; h++)
		if (!((*h >= '0' && *h <= '9') || (*h >= 'a' && *h <= 'f')))
			return 0;
	return 1;
}

static void do_image(struct ctx *c)
{
	struct spec *s = c->p->s;
	int line = 0, pull = 0;
	if (get_str(c, "ref", &s->image_ref, &line) == 1) {
		if (!s->image_ref[0])
			kerr(c, line, "ref", "must not be empty");
		else if (!valid_digest_ref(s->image_ref))
			kerr(c, line, "ref", "a digest must be sha256:<64 lowercase hex digits>");
	}
	get_enum(c, "pull_policy", pull_names, &pull);
	s->pull_policy = xstrdup(c->p, pull_names[pull]);
	report_unused(c, NULL);
}

static void do_env(struct ctx *c)
{
	struct spec *s = c->p->s;
	s->env.prestart_timeout = 30;
	get_vars(c, "vars", 1, &s->env.vars);
	get_abs_path(c, "workdir", &s->env.workdir, NULL);
	get_user(c, "user", &s->env.user);
	get_command(c, "prestart", &s->env.prestart);
	get_int(c, "prestart_timeout_seconds", 1, INT_MAX, &s->env.prestart_timeout, NULL);
	report_unused(c, NULL);
}

static int cmp_port_name(const void *a, const void *b)
{
	const struct spec_port *x = *(struct spec_port *const *)a, *y = *(struct spec_port *const *)b;
	int r = strcmp(x->name, y->name);
	return r ? r : (x > y) - (x < y);
}

static void do_ports(struct ctx *c, struct spec_process *pr)
{
	int n = count_indexed(c, "ports");
	if (n <= 0)
		return;
	pr->ports = calloc((size_t)n, sizeof(*pr->ports));
	if (!pr->ports) {
		c->p->oom = 1;
		return;
	}
	pr->nports = (size_t)n;
	int lines[SPEC_MAX_INDEX + 1];
	for (int i = 0; i < n; i++) {
		struct spec_port *po = &pr->ports[i];
		char k[64];
		int line = 0, proto = 0;
		snprintf(k, sizeof(k), "ports.%d", i);
		get_table(c, k);
		snprintf(k, sizeof(k), "ports.%d.internal", i);
		if (get_int(c, k, 1, 65535, &po->internal, NULL) == 0)
			kerr(c, c->sec->line, k, "required");
		snprintf(k, sizeof(k), "ports.%d.name", i);
		if (get_str(c, k, &po->name, &line) == 1 && !match_name(po->name))
			kerr(c, line, k, "\"%s\" must match [a-z][a-z0-9-]{0,31}", po->name);
		lines[i] = line ? line : c->sec->line;
		snprintf(k, sizeof(k), "ports.%d.protocol", i);
		{
			static const char *const protos[] = { "tcp", NULL };
			get_enum(c, k, protos, &proto);
		}
		po->protocol = xstrdup(c->p, "tcp");
		if (!po->name && po->internal > 0) {
			if (asprintf(&po->name, "p%d", po->internal) < 0) {
				po->name = NULL;
				c->p->oom = 1;
			}
			po->name_derived = 1;
		}
	}
	/* Unique names: sorted (by name, then index), each port named like the
	 * one before it is reported against the first with that name. */
	{
		struct spec_port *by[SPEC_MAX_INDEX + 1];
		size_t m = 0, first = 0;
		for (int i = 0; i < n; i++)
			if (pr->ports[i].name)
				by[m++] = &pr->ports[i];
		qsort(by, m, sizeof(*by), cmp_port_name);
		for (size_t x = 1; x < m; x++) {
			if (strcmp(by[x]->name, by[first]->name)) {
				first = x;
				continue;
			}
			int i = (int)(by[x] - pr->ports), j = (int)(by[first] - pr->ports);
			char k[64];
			snprintf(k, sizeof(k), "ports.%d.name", i);
			kerr(c, lines[i], k, "port name \"%s\" is also ports.%d's%s", by[x]->name, j,
			     by[x]->name_derived || by[first]->name_derived
				     ? " (derived names are p<internal>)" : "");
		}
	}
}

/* What the check can put in a request line as it is: visible ASCII, up to
 * SPEC_HEALTH_PATH_MAX bytes (non-ASCII must come percent-encoded). */
static int valid_http_path(const char *s)
{
	size_t n = 0;
	if (*s != '/')
		return 0;
	for (; *s; s++, n++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f || n >= SPEC_HEALTH_PATH_MAX)
			return 0;
	return 1;
}

/* health (the schema's) and x-liveness (an extension): the same fields and
 * defaults under another table name; only x-liveness may be "process". */
static void do_check(struct ctx *c, struct spec_process *pr, const char *table,
		     struct spec_health *h, int allow_process)
{
	static const char *const liveness_names[] = { "tcp", "http", "process", NULL };
	size_t tl = strlen(table);
	int type = 0, line = 0, present = 0;
	char k[64];
#define K(field) (snprintf(k, sizeof(k), "%s.%s", table, field), k)
	/* Present with any of its keys, "table = {}" included: then the
	 * schema's rules apply in full (the port is required). */
	for (size_t i = 0; i < c->sec->n; i++)
		if (!strncmp(c->sec->e[i]->key, table, tl) &&
		    (c->sec->e[i]->key[tl] == '.' || c->sec->e[i]->key[tl] == '\0'))
			present = 1;
	if (!present)
		return;
	get_table(c, table);
	h->present = 1;
	h->interval = 10;
	h->timeout = 2;
	h->grace = 10;
	h->success_threshold = 1;
	h->failure_threshold = 3;
	get_enum(c, K("type"), allow_process ? liveness_names : health_names, &type);
	h->type = (enum spec_health_type)type;
	if (h->type == SPEC_HEALTH_PROCESS) {
		struct entry *e = take(c, K("port"));
		if (e)
			kerr(c, e->line, k, "a process check has no port");
	} else {
		struct entry *e = take(c, K("port"));
		struct val v = { 0 };
		char err[200];
		if (!e) {
			kerr(c, c->sec->line, k, "required when %s is set "
			     "(a declared port's name or number)", table);
		} else if (val_parse(e->text, &v, err, sizeof(err)) < 0) {
			/* v is untouched on failure: nothing to free. */
			kerr(c, e->line, k, "%s", err);
		} else {
			if (v.type != VAL_STRING && v.type != VAL_INT) {
				kerr(c, e->line, k, "must be a port name (a string) or number, not %s",
				     val_type_name(v.type));
			} else {
				size_t i;
				for (i = 0; i < pr->nports; i++) {
					struct spec_port *po = &pr->ports[i];
					if (v.type == VAL_STRING ? po->name && !strcmp(po->name, v.s)
								 : po->internal == v.i)
						break;
				}
				if (i == pr->nports && v.type == VAL_STRING)
					kerr(c, e->line, k, "\"%s\" is not a declared port name of this process", v.s);
				else if (i == pr->nports)
					kerr(c, e->line, k, "%lld is not a declared port of this process", v.i);
				else {
					h->port = pr->ports[i].internal;
					if (v.type == VAL_STRING)
						h->port_name = xstrdup(c->p, v.s);
				}
			}
			val_free(&v);
		}
	}
	/* Only an http check uses its path; with another type any string is
	 * accepted and unused, as the schema has it (docs/spec.md section 7). */
	if (get_str(c, K("path"), &h->path, &line) == 1 && h->type == SPEC_HEALTH_HTTP &&
	    !valid_http_path(h->path))
		kerr(c, line, k, "must start with '/', be at most 768 bytes and contain only visible ASCII "
			     "(percent-encode the rest)");
	if (h->type == SPEC_HEALTH_HTTP && !h->path)
		kerr(c, c->sec->line, K("path"), "required for http health checks");
	get_int(c, K("interval_seconds"), 1, INT_MAX, &h->interval, NULL);
	get_int(c, K("timeout_seconds"), 1, INT_MAX, &h->timeout, NULL);
	get_int(c, K("grace_period_seconds"), 0, INT_MAX, &h->grace, NULL);
	get_int(c, K("success_threshold"), 1, INT_MAX, &h->success_threshold, NULL);
	get_int(c, K("failure_threshold"), 1, INT_MAX, &h->failure_threshold, NULL);
#undef K
}

/* x-depends_on: "NAME" or "NAME:started|healthy|succeeded". Names are
 * resolved once every process is known (check_deps). */
static void do_deps(struct ctx *c, struct spec_process *pr)
{
	static const char *const conds[] = { "started", "healthy", "succeeded", NULL };
	struct spec_strv v = { 0 };
	int line = 0;
	if (get_strv(c, "x-depends_on", &v, &line) != 1)
		return;
	pr->deps_line = line;
	pr->deps = calloc(v.n + 1, sizeof(*pr->deps));
	if (!pr->deps) {
		c->p->oom = 1;
		strv_free(&v);
		return;
	}
	for (size_t i = 0; i < v.n; i++) {
		const char *colon = strchr(v.v[i], ':');
		struct spec_dep *d = &pr->deps[pr->ndeps];
		size_t n = colon ? (size_t)(colon - v.v[i]) : strlen(v.v[i]);
		int cond = 0;
		if (colon) {
			while (conds[cond] && strcmp(conds[cond], colon + 1))
				cond++;
			if (!conds[cond]) {
				kerr(c, line, "x-depends_on", "\"%s\": the condition must be started, healthy or succeeded",
				     v.v[i]);
				continue;
			}
		}
		d->name = strndup(v.v[i], n);
		if (!d->name) {
			c->p->oom = 1;
			break;
		}
		d->cond = (enum spec_dep_cond)cond;
		pr->ndeps++;
	}
	strv_free(&v);
}

/* Lexically normalised absolute path ("/a/./b/../c//" -> "/a/c"). */
static void normalize_path(const char *in, char *out, size_t outlen)
{
	size_t n = 0;
	const char *p = in;
	out[0] = '\0';
	while (*p) {
		const char *e;
		size_t len;
		while (*p == '/')
			p++;
		e = p;
		while (*e && *e != '/')
			e++;
		len = (size_t)(e - p);
		if (len == 0 || (len == 1 && p[0] == '.')) {
			/* nothing */
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--;
		} else if (n + len + 2 < outlen) {
			out[n++] = '/';
			memcpy(out + n, p, len);
			n += len;
		}
		out[n] = '\0';
		p = e;
	}
	if (n == 0)
		snprintf(out, outlen, "/");
}

int spec_path_is_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return !strncmp(path, dir, n) && (path[n] == '\0' || path[n] == '/');
}

static void do_mounts(struct ctx *c, struct spec_process *pr)
{
	int n = count_indexed(c, "mounts");
	if (n <= 0)
		return;
	pr->mounts = calloc((size_t)n, sizeof(*pr->mounts));
	if (!pr->mounts) {
		c->p->oom = 1;
		return;
	}
	pr->nmounts = (size_t)n;
	for (int i = 0; i < n; i++) {
		struct spec_mount *m = &pr->mounts[i];
		char k[64];
		int line = 0;
		snprintf(k, sizeof(k), "mounts.%d", i);
		get_table(c, k);
		snprintf(k, sizeof(k), "mounts.%d.volume", i);
		if (get_str(c, k, &m->volume, &line) == 0)
			kerr(c, c->sec->line, k, "required");
		else if (m->volume) {
			size_t j;
			for (j = 0; j < c->p->s->nvols; j++)
				if (c->p->s->vols[j].name && !strcmp(c->p->s->vols[j].name, m->volume))
					break;
			if (j == c->p->s->nvols)
				kerr(c, line, k, "\"%s\" is not a declared volume ([volumes.N] name)", m->volume);
		}
		snprintf(k, sizeof(k), "mounts.%d.path", i);
		if (get_abs_path(c, k, &m->path, &line) == 0)
			kerr(c, c->sec->line, k, "required");
		else if (m->path) {
			char norm[PATH_MAX];
			static const char *const forbidden[] = { "/proc", "/sys", "/dev" };
			normalize_path(m->path, norm, sizeof(norm));
			for (size_t f = 0; f < 3; f++)
				if (spec_path_is_under(norm, forbidden[f]))
					kerr(c, line, k, "\"%s\" is not allowed: nothing may be mounted on or under %s",
					     m->path, forbidden[f]);
			if (!strcmp(norm, SPEC_SECRETS_PATH))
				kerr(c, line, k, "%s is reserved for secrets", SPEC_SECRETS_PATH);
		}
		snprintf(k, sizeof(k), "mounts.%d.read_only", i);
		get_bool(c, k, &m->read_only);
	}
}

static void do_process(struct ctx *c, struct spec_process *pr)
{
	struct spec *s = c->p->s;
	int policy = 0, line_retries = 0;

	pr->prestart_timeout = 30;
	pr->restart = SPEC_RESTART_ALWAYS;
	pr->max_retries = 3;
	pr->backoff = 2;
	pr->cpu = 1.0;
	pr->secrets_required = 0;

	get_command(c, "command", &pr->command);
	get_abs_path(c, "workdir", &pr->workdir, NULL);
	get_user(c, "user", &pr->user);
	get_vars(c, "vars", 1, &pr->vars);
	get_command(c, "prestart", &pr->prestart);
	get_int(c, "prestart_timeout_seconds", 1, INT_MAX, &pr->prestart_timeout, NULL);

	/* Tables with nothing required: "restart = {}" leaves every default. */
	get_table(c, "restart");
	get_table(c, "resources");
	get_table(c, "scaling");
	get_table(c, "secrets");

	get_enum(c, "restart.policy", restart_names, &policy);
	pr->restart = (enum spec_restart)policy;
	if (get_int(c, "restart.max_retries", 0, INT_MAX, &pr->max_retries, &line_retries) == 1 &&
	    pr->restart != SPEC_RESTART_ON_FAILURE)
		kerr(c, line_retries, "restart.max_retries", "only valid when restart.policy is \"on-failure\"");
	get_int(c, "restart.backoff_seconds", 0, INT_MAX, &pr->backoff, NULL);

	if (get_size(c, "resources.memory", 64ull << 20, "64Mi", &pr->memory, &pr->memory_bytes) == 0)
		kerr(c, c->sec->line, "resources.memory", "required (\"256Mi\", \"2Gi\")");
	{
		struct entry *e = take(c, "resources.cpu");
		struct val v = { 0 };
		if (e && typed(c, e, VAL_FLOAT, 1, &v) == 1) {
			double cpu = v.type == VAL_INT ? (double)v.i : v.f;
			if (!(cpu > 0 && cpu <= 64))
				kerr(c, e->line, "resources.cpu", "must be greater than 0 and at most 64");
			else
				pr->cpu = cpu;
		}
	}
	if (get_size(c, "resources.disk", 1ull << 30, "1Gi", &pr->disk, &pr->disk_bytes) == 0) {
		pr->disk = xstrdup(c->p, "4Gi");
		pr->disk_bytes = 4ull << 30;
	}

	pr->scale_min = -1;
	pr->scale_max = -1;
	{
		int lmax = 0;
		get_int(c, "scaling.min", 0, INT_MAX, &pr->scale_min, NULL);
		get_int(c, "scaling.max", 0, INT_MAX, &pr->scale_max, &lmax);
		if (pr->scale_min < 0)
			pr->scale_min = s->nprocs == 1 ? 1 : 0;
		if (pr->scale_max < 0)
			pr->scale_max = pr->scale_min;
		else if (pr->scale_max < pr->scale_min)
			kerr(c, lmax, "scaling.max", "must be at least scaling.min (%d)", pr->scale_min);
	}
	for (size_t i = 0; i < c->sec->n; i++) {
		struct entry *e = c->sec->e[i];
		if (!e->used && !strncmp(e->key, "scaling.autoscale", 17)) {
			e->used = 1;
			kerr(c, e->line, e->key, "autoscaling is not supported in v1");
		}
	}

	do_ports(c, pr);
	do_check(c, pr, "health", &pr->health, 0);
	do_check(c, pr, "x-liveness", &pr->liveness, 1);
	{
		int line = 0;
		if (get_int(c, "x-startup_timeout_seconds", 1, INT_MAX, &pr->startup_timeout, &line) == 1 &&
		    !pr->health.present && !pr->liveness.present)
			kerr(c, line, "x-startup_timeout_seconds", "needs a health or x-liveness check "
			     "(what should become healthy in time?)");
	}
	do_deps(c, pr);
	do_mounts(c, pr);
	get_bool(c, "secrets.required", &pr->secrets_required);
	report_unused(c, NULL);
}

static void do_volume(struct ctx *c, struct spec_volume *v, int *ret_name_line)
{
	int line = 0, fs = 0;
	v->backup_enabled = 1;
	*ret_name_line = c->sec->line;
	if (get_str(c, "name", &v->name, &line) == 0)
		kerr(c, c->sec->line, "name", "required");
	else if (line)
		*ret_name_line = line;
	if (v->name && !match_name(v->name))
		kerr(c, line, "name", "\"%s\" must match [a-z][a-z0-9-]{0,31}", v->name);
	if (get_size(c, "size", 1ull << 30, "1Gi", &v->size, &v->size_bytes) == 0)
		kerr(c, c->sec->line, "size", "required (\"10Gi\")");
	{
		static const char *const fss[] = { "ext4", NULL };
		get_enum(c, "filesystem", fss, &fs);
		v->filesystem = xstrdup(c->p, "ext4");
	}
	get_bool(c, "backup_enabled", &v->backup_enabled);
	report_unused(c, NULL);
}

static int valid_hostname(const char *h)
{
	size_t n = strlen(h);
	if (n == 0 || n > 64 || *h == '-' || *h == '.')
		return 0;
	for (; *h; h++)
		if (!(isalnum((unsigned char)*h) || *h == '-' || *h == '.'))
			return 0;
	return 1;
}

static void do_guest(struct ctx *c)
{
	struct spec *s = c->p->s;
	int line = 0, halt = 0;
	if (get_str(c, "hostname", &s->guest.hostname, &line) == 1 && !valid_hostname(s->guest.hostname))
		kerr(c, line, "hostname", "\"%s\" is not a hostname (letters, digits, '-', '.'; up to 64)",
		     s->guest.hostname);
	get_enum(c, "halt", halt_names, &halt);
	s->guest.halt = (enum spec_halt)halt;
	get_int(c, "stop_timeout_seconds", 1, INT_MAX, &s->guest.stop_timeout, NULL);
	get_int(c, "restart_backoff_max_seconds", 1, INT_MAX, &s->guest.backoff_max, NULL);
	get_int(c, "restart_reset_seconds", 1, INT_MAX, &s->guest.reset_after, NULL);
	if (get_strv(c, "control", &s->guest.control, &line) == 1)
		for (size_t i = 0; i < s->guest.control.n; i++) {
			struct addr a;
			const char *why;
			if (addr_parse(s->guest.control.v[i], &a, &why) < 0)
				kerr(c, line, "control", "\"%s\": %s", s->guest.control.v[i], why);
			else if (a.kind == ADDR_FC)
				kerr(c, line, "control", "\"%s\": vminit listens on vsock:[CID:]PORT, unix:PATH or serial:NAME",
				     s->guest.control.v[i]);
		}
	if (get_str(c, "push", &s->guest.push, &line) == 1) {
		struct addr a;
		const char *why = "want vsock:CID:PORT or unix:PATH";
		if (addr_parse(s->guest.push, &a, &why) < 0 || !(a.kind == ADDR_UNIX ||
		    (a.kind == ADDR_VSOCK && a.cid != ADDR_CID_ANY)))
			kerr(c, line, "push", "\"%s\": %s", s->guest.push, why);
	}
	report_unused(c, NULL);
}

static void do_guest_image(struct ctx *c)
{
	struct spec *s = c->p->s;
	get_strv(c, "entrypoint", &s->image.entrypoint, NULL);
	get_strv(c, "cmd", &s->image.cmd, NULL);
	get_vars(c, "env", 0, &s->image.env);
	get_abs_path(c, "workdir", &s->image.workdir, NULL);
	get_user(c, "user", &s->image.user);
	report_unused(c, NULL);
}

static void do_guest_volume(struct ctx *c, const char *name)
{
	struct spec *s = c->p->s;
	char *dev = NULL;
	size_t i;
	for (i = 0; i < s->nvols; i++)
		if (s->vols[i].name && !strcmp(s->vols[i].name, name))
			break;
	if (i == s->nvols)
		perr(c->p, c->sec->line, c->sec->name, "\"%s\" is not a declared volume", name);
	if (get_abs_path(c, "device", &dev, NULL) == 0)
		kerr(c, c->sec->line, "device", "required (the block device, \"/dev/vdb\")");
	if (i < s->nvols && dev)
		s->vols[i].device = dev;
	else
		free(dev);
	report_unused(c, NULL);
}

/* ---- derived values ---- */

/* What each process runs. The vectors are borrowed, never copied: a
 * process's own command, or the one image argv (entrypoint + cmd) that every
 * process without a command shares. A copy per process would make a 1 MiB
 * spec (a long cmd, many processes) cost time and memory times the number of
 * processes. */
static void derive(struct parse *p)
{
	struct spec *s = p->s;
	size_t ne = s->image.entrypoint.n, nc = s->image.cmd.n;
	s->image_argv.v = calloc(ne + nc + 1, sizeof(*s->image_argv.v));
	if (!s->image_argv.v) {
		p->oom = 1;
		return;
	}
	for (size_t i = 0; i < ne + nc; i++)
		s->image_argv.v[i] = i < ne ? s->image.entrypoint.v[i] : s->image.cmd.v[i - ne];
	s->image_argv.n = ne + nc;
	s->image_argv.set = 1;
	for (size_t i = 0; i < s->nprocs; i++) {
		struct spec_process *pr = &s->procs[i];
		pr->argv = pr->command.set ? pr->command : s->image_argv;
		if (pr->argv.n == 0 || pr->argv.v[0][0] == '\0') {
			char key[64];
			snprintf(key, sizeof(key), "processes.%s", pr->name);
			perr(p, pr->line, key, "nothing to run: no command, and [guest.image] "
			     "has no entrypoint or cmd");
		}
	}
}

/* The process named, by bisection: procs are sorted by name by now. */
static struct spec_process *find_sorted(const struct spec *s, const char *name)
{
	size_t lo = 0, hi = s->nprocs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = strcmp(s->procs[mid].name, name);
		if (!r)
			return &s->procs[mid];
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* x-depends_on, with every process known: names, requirements, cycles.
 * Linear in the number of names listed: each is found by bisection, and
 * named[] remembers which process last named each one (no rescans). */
static void check_deps(struct parse *p)
{
	struct spec *s = p->s;
	char key[64];
	int unresolved = 0;
	size_t *named = calloc(s->nprocs + 1, sizeof(*named));
	if (!named) {
		p->oom = 1;
		return;
	}
	for (size_t i = 0; i < s->nprocs; i++) {
		struct spec_process *pr = &s->procs[i];
		snprintf(key, sizeof(key), "processes.%s.x-depends_on", pr->name);
		for (size_t j = 0; j < pr->ndeps; j++) {
			struct spec_dep *d = &pr->deps[j];
			const struct spec_process *t = find_sorted(s, d->name);
			if (!t) {
				perr(p, pr->deps_line, key, "\"%s\" is not a process of this spec", d->name);
				unresolved = 1;
				continue;
			}
			d->index = (size_t)(t - s->procs);
			if (t == pr) {
				perr(p, pr->deps_line, key, "a process cannot depend on itself");
				unresolved = 1;   /* not a cycle to report again */
			}
			if (named[d->index] == i + 1)
				perr(p, pr->deps_line, key, "\"%s\" is named twice", d->name);
			named[d->index] = i + 1;
			if (d->cond == SPEC_DEP_HEALTHY && !t->health.present && !t->liveness.present)
				perr(p, pr->deps_line, key, "\"%s:healthy\": %s has no health or x-liveness check",
				     d->name, d->name);
			if (d->cond == SPEC_DEP_SUCCEEDED && t->restart == SPEC_RESTART_ALWAYS)
				perr(p, pr->deps_line, key, "\"%s:succeeded\": %s has restart.policy \"always\" "
				     "and never ends for good", d->name, d->name);
		}
	}
	free(named);
	if (unresolved)
		return;   /* a cycle search needs every edge resolved */
	/* Cycles: depth-first, colouring 1 = on the path, 2 = done. */
	{
		unsigned char *colour = calloc(s->nprocs + 1, 1);
		size_t *stack = calloc(s->nprocs + 1, sizeof(*stack)), *next = calloc(s->nprocs + 1, sizeof(*next));
		if (!colour || !stack || !next) {
			p->oom = 1;
			goto out;
		}
		for (size_t root = 0; root < s->nprocs; root++) {
			size_t depth = 0;
			if (colour[root])
				continue;
			stack[depth++] = root;
			colour[root] = 1;
			next[root] = 0;
			while (depth) {
				size_t v = stack[depth - 1];
				struct spec_process *pr = &s->procs[v];
				if (next[v] == pr->ndeps) {
					colour[v] = 2;
					depth--;
					continue;
				}
				size_t w = pr->deps[next[v]++].index;
				if (colour[w] == 1) {
					/* The cycle is the stack from w up to v. */
					char path[256];
					size_t n = 0, from = depth;
					while (from > 0 && stack[from - 1] != w)
						from--;
					for (size_t q = from - 1; q < depth && n < sizeof(path); q++)
						n += (size_t)snprintf(path + n, sizeof(path) - n, "%s -> ",
								      s->procs[stack[q]].name);
					if (n < sizeof(path))
						snprintf(path + n, sizeof(path) - n, "%s", s->procs[w].name);
					snprintf(key, sizeof(key), "processes.%s.x-depends_on", pr->name);
					perr(p, pr->deps_line, key, "a cycle: %s", path);
					goto out;
				}
				if (!colour[w]) {
					colour[w] = 1;
					next[w] = 0;
					stack[depth++] = w;
				}
			}
		}
out:
		free(colour);
		free(stack);
		free(next);
	}
}

static int cmp_proc(const void *a, const void *b)
{
	return strcmp(((const struct spec_process *)a)->name, ((const struct spec_process *)b)->name);
}

static int cmp_sect(const void *a, const void *b)
{
	const struct sect *x = *(struct sect *const *)a, *y = *(struct sect *const *)b;
	int r = strcmp(x->name, y->name);
	return r ? r : (x->line > y->line) - (x->line < y->line);
}

/* A section given twice: the later headers are errors and their keys are
 * ignored. Sorting finds them in n log n, with no hash to collide. */
static void find_duplicate_sections(struct parse *p)
{
	struct sect **by = malloc((p->nsec + 1) * sizeof(*by));
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
		perr(p, by[i]->line, by[i]->name, "section defined twice (first at line %d)", by[first]->line);
	}
	free(by);
}

/* By key, then line (the line order of a key given twice). */
static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = *(struct entry *const *)a, *y = *(struct entry *const *)b;
	int r = strcmp(x->key, y->key);
	return r ? r : (x->line > y->line) - (x->line < y->line);
}

static void interpret(struct parse *p)
{
	struct spec *s = p->s;
	size_t nproc = 0, nvol = 0, top;

	/* Group entries by section (every header was recorded by the reader;
	 * keys before any header belong to the top level ""). */
	find_duplicate_sections(p);
	top = p->nsec;
	if (!sect_add(p, "", 1))
		return;
	for (size_t i = 0; i < p->nent && !p->oom; i++) {
		size_t k = p->ent[i].sec == SEC_TOP ? top : p->ent[i].sec;
		struct sect *x;
		if (k == SEC_REJECTED || p->sec[k].dup)
			continue;   /* under a rejected or repeated header: reported there */
		x = &p->sec[k];
		if (x->n == x->cap) {
			size_t cap = x->cap ? x->cap * 2 : 8;
			struct entry **ne = realloc(x->e, cap * sizeof(*ne));
			if (!ne) {
				p->oom = 1;
				return;
			}
			x->e = ne;
			x->cap = cap;
		}
		x->e[x->n++] = &p->ent[i];
	}
	for (size_t i = 0; i < p->nsec; i++)
		if (p->sec[i].n > 1)
			qsort(p->sec[i].e, p->sec[i].n, sizeof(*p->sec[i].e), cmp_entry);

	/* Classify sections; count processes and volumes first, since defaults
	 * (scaling.min) and references (mounts -> volumes) need them. */
	for (size_t i = 0; i < p->nsec; i++) {
		struct sect *x = &p->sec[i];
		const char *n = x->name;
		if (x->dup)
			continue;   /* reported as defined twice */
		if (!strcmp(n, "") || !strcmp(n, "app") || !strcmp(n, "image") ||
		    !strcmp(n, "env") || !strcmp(n, "guest") || !strcmp(n, "guest.image"))
			x->kind = n;
		else if (!strncmp(n, "processes.", 10) && !strchr(n + 10, '.')) {
			x->kind = "process";
			nproc++;
		} else if (!strncmp(n, "volumes.", 8) && !strchr(n + 8, '.')) {
			x->kind = "volume";
			nvol++;
		} else if (!strncmp(n, "guest.volumes.", 14) && !strchr(n + 14, '.'))
			x->kind = "guest.volume";
		else if (!strncmp(n, "processes.", 10))
			perr(p, x->line, n, "unknown section: a process's fields are dotted keys in "
			     "[processes.%.*s] (restart.policy = ..., health.port = ...)",
			     (int)strcspn(n + 10, "."), n + 10);
		else
			perr(p, x->line, n, "unknown section");
	}
	s->procs = calloc(nproc + 1, sizeof(*s->procs));
	s->vols = calloc(nvol + 1, sizeof(*s->vols));
	if (!s->procs || !s->vols) {
		p->oom = 1;
		return;
	}

	/* Volumes first: index order is the array order of [[volumes]]. */
	{
		int count = -1, name_line[SPEC_MAX_INDEX + 1], vol_index[SPEC_MAX_INDEX + 1];
		struct sect *vsec[SPEC_MAX_INDEX + 1];
		memset(vsec, 0, sizeof(vsec));
		for (size_t i = 0; i < p->nsec; i++) {
			struct sect *x = &p->sec[i];
			char *end;
			long idx;
			if (!x->kind || strcmp(x->kind, "volume"))
				continue;
			idx = strtol(x->name + 8, &end, 10);
			if (!isdigit((unsigned char)x->name[8]) || *end || idx > SPEC_MAX_INDEX ||
			    (x->name[8] == '0' && x->name[9])) {
				perr(p, x->line, x->name, "expected [volumes.N] with N from 0 to %d", SPEC_MAX_INDEX);
				x->kind = NULL;
				continue;
			}
			vsec[idx] = x;
			if (idx > count)
				count = (int)idx;
		}
		for (int i = 0; i < count; i++)
			if (!vsec[i])
				perr(p, 1, "volumes", "[volumes.%d] is missing: indexes run 0, 1, 2, ... without gaps", i);
		for (int idx = 0; idx <= count; idx++) {
			char name[32];
			struct sect *x;
			struct ctx c = { p, NULL, name };
			x = vsec[idx];
			if (!x || !x->kind)
				continue;
			snprintf(name, sizeof(name), "volumes.%d.", idx);
			c.sec = x;
			do_volume(&c, &s->vols[s->nvols], &name_line[s->nvols]);
			vol_index[s->nvols++] = idx;
		}
		for (size_t i = 0; i < s->nvols; i++)
			for (size_t j = 0; j < i; j++)
				if (s->vols[i].name && s->vols[j].name && !strcmp(s->vols[i].name, s->vols[j].name)) {
					char key[32];
					snprintf(key, sizeof(key), "volumes.%d.name", vol_index[i]);
					perr(p, name_line[i], key, "volume name \"%s\" is used twice (also volumes.%d)",
					     s->vols[i].name, vol_index[j]);
				}
	}

	s->nprocs = nproc;   /* for the scaling.min default */
	nproc = 0;
	for (size_t i = 0; i < p->nsec; i++) {
		struct sect *x = &p->sec[i];
		char prefix[64];
		struct ctx c = { p, x, prefix };
		if (!x->kind)
			continue;
		snprintf(prefix, sizeof(prefix), "%s%s", x->name, x->name[0] ? "." : "");
		if (!strcmp(x->kind, "process")) {
			struct spec_process *pr = &s->procs[nproc++];
			pr->name = xstrdup(p, x->name + 10);
			pr->line = x->line;
			if (pr->name && !match_name(pr->name))
				perr(p, x->line, x->name, "process name \"%s\" must match [a-z][a-z0-9-]{0,31}",
				     pr->name);
			do_process(&c, pr);
		} else if (!strcmp(x->kind, "")) {
			c.prefix = "";
			do_top(&c);
		} else if (!strcmp(x->kind, "app"))
			do_app(&c);
		else if (!strcmp(x->kind, "image"))
			do_image(&c);
		else if (!strcmp(x->kind, "env"))
			do_env(&c);
		else if (!strcmp(x->kind, "guest"))
			do_guest(&c);
		else if (!strcmp(x->kind, "guest.image"))
			do_guest_image(&c);
		else if (!strcmp(x->kind, "guest.volume"))
			do_guest_volume(&c, x->name + 14);
	}
	if (s->nprocs == 0)
		perr(p, 1, "processes", "at least one [processes.NAME] section is required");
	else if (s->nprocs > SPEC_MAX_PROCESSES) {
		char key[64];
		snprintf(key, sizeof(key), "processes.%s", s->procs[SPEC_MAX_PROCESSES].name);
		perr(p, s->procs[SPEC_MAX_PROCESSES].line, key,
		     "%zu processes: vminit runs at most %d", s->nprocs, SPEC_MAX_PROCESSES);
	}
	if (!s->pull_policy)
		s->pull_policy = xstrdup(p, "if_not_present");
	if (!s->guest.hostname)
		s->guest.hostname = xstrdup(p, "vminit");
	for (size_t i = 0; i < s->nprocs; i++)
		if (!s->procs[i].name)
			return;
	qsort(s->procs, s->nprocs, sizeof(*s->procs), cmp_proc);
	derive(p);
	check_deps(p);
}

static void parse_free(struct parse *p)
{
	for (size_t i = 0; i < p->nent; i++) {
		free(p->ent[i].key);
		free(p->ent[i].text);
	}
	free(p->ent);
	for (size_t i = 0; i < p->nsec; i++) {
		free(p->sec[i].name);
		free(p->sec[i].e);
	}
	free(p->sec);
	for (size_t i = 0; i < p->nerrs; i++)
		free(p->errs[i].msg);
	free(p->errs);
}

struct spec *spec_load_buffer(const char *name, const char *buf, size_t len)
{
	struct parse p = { 0 };
	struct spec *s = calloc(1, sizeof(*s));
	int rc;

	if (!s)
		return NULL;
	s->path = strdup(name);
	s->guest.halt = SPEC_HALT_POWEROFF;
	s->guest.stop_timeout = 10;
	s->guest.backoff_max = 300;
	s->guest.reset_after = 60;
	s->env.prestart_timeout = 30;
	p.s = s;
	p.file = name;
	p.cur = SEC_TOP;
	p.buf = buf;
	p.len = len;
	if (!s->path)
		goto oom;
	if (len > SPEC_MAX_BYTES) {
		perr(&p, 1, NULL, "spec is %zu bytes, larger than the %u-byte limit", len, SPEC_MAX_BYTES);
		if (move_errors(&p) < 0)
			goto oom;
		parse_free(&p);
		return s;
	}
	rc = ini_parse_stream(spec_reader, &p, spec_handler, &p);
	if (rc == -2)
		p.oom = 1;
	if (!p.oom)
		interpret(&p);
	if (p.oom || move_errors(&p) < 0)
		goto oom;
	parse_free(&p);
	return s;
oom:
	parse_free(&p);
	spec_free(s);
	return NULL;
}

struct spec *spec_load_file(const char *path)
{
	struct spec *s;
	struct stat sb;
	char *buf = NULL;
	size_t len = 0;
	/* Non-blocking: a FIFO or a tty named as the spec must not hang PID 1
	 * at boot, before it can even be told to shut down. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	int err = 0;

	if (fd < 0 || fstat(fd, &sb) < 0) {
		err = errno;
	} else if (!S_ISREG(sb.st_mode)) {
		err = EINVAL;
	} else if (sb.st_size > SPEC_MAX_BYTES) {
		err = EFBIG;
	} else {
		buf = malloc((size_t)sb.st_size + 1);
		if (!buf) {
			close(fd);
			return NULL;
		}
		while (len < (size_t)sb.st_size) {
			ssize_t n = read(fd, buf + len, (size_t)sb.st_size - len);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				err = n < 0 ? errno : 0;
				break;
			}
			len += (size_t)n;
		}
	}
	if (fd >= 0)
		close(fd);
	if (err) {
		char msg[600];
		free(buf);
		s = spec_load_buffer(path, "", 0);
		if (!s)
			return NULL;
		for (size_t i = 0; i < s->nerrors; i++)
			free(s->errors[i]);
		s->nerrors = 0;
		snprintf(msg, sizeof(msg), "%s:1: cannot read spec: %s", path,
			 err == EFBIG ? "larger than the 1 MiB limit"
			 : err == EINVAL ? "not a regular file" : strerror(err));
		if (!s->errors)
			s->errors = calloc(SPEC_MAX_ERRORS + 1, sizeof(*s->errors));
		if (!s->errors || !(s->errors[0] = strdup(msg))) {
			spec_free(s);
			return NULL;
		}
		s->nerrors = 1;
		return s;
	}
	s = spec_load_buffer(path, buf ? buf : "", len);
	free(buf);
	return s;
}

static void process_free(struct spec_process *pr)
{
	free(pr->name);
	strv_free(&pr->command);
	free(pr->workdir);
	free(pr->user);
	strv_free(&pr->vars);
	strv_free(&pr->prestart);
	free(pr->memory);
	free(pr->disk);
	for (size_t i = 0; i < pr->nports; i++) {
		free(pr->ports[i].name);
		free(pr->ports[i].protocol);
	}
	free(pr->ports);
	free(pr->health.port_name);
	free(pr->health.path);
	free(pr->liveness.port_name);
	free(pr->liveness.path);
	for (size_t i = 0; i < pr->ndeps; i++)
		free(pr->deps[i].name);
	free(pr->deps);
	for (size_t i = 0; i < pr->nmounts; i++) {
		free(pr->mounts[i].volume);
		free(pr->mounts[i].path);
	}
	free(pr->mounts);
	/* argv is borrowed (derive) */
}

void spec_free(struct spec *s)
{
	if (!s)
		return;
	free(s->path);
	free(s->app_name);
	free(s->app_description);
	free(s->image_ref);
	free(s->pull_policy);
	strv_free(&s->env.vars);
	free(s->env.workdir);
	free(s->env.user);
	strv_free(&s->env.prestart);
	if (s->procs)
		for (size_t i = 0; i < s->nprocs; i++)
			process_free(&s->procs[i]);
	free(s->procs);
	if (s->vols)
		for (size_t i = 0; i < s->nvols; i++) {
			free(s->vols[i].name);
			free(s->vols[i].size);
			free(s->vols[i].filesystem);
			free(s->vols[i].device);
		}
	free(s->vols);
	free(s->guest.hostname);
	free(s->guest.push);
	strv_free(&s->guest.control);
	strv_free(&s->image.entrypoint);
	strv_free(&s->image.cmd);
	strv_free(&s->image.env);
	free(s->image_argv.v);   /* the strings are entrypoint's and cmd's */
	free(s->image.workdir);
	free(s->image.user);
	for (size_t i = 0; i < s->nerrors; i++)
		free(s->errors[i]);
	free(s->errors);
	free(s);
}

const struct spec_process *spec_find_process(const struct spec *s, const char *name)
{
	for (size_t i = 0; i < s->nprocs; i++)
		if (s->procs[i].name && !strcmp(s->procs[i].name, name))
			return &s->procs[i];
	return NULL;
}
