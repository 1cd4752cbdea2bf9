/* spec/typed.c - an entry's value as the type its field wants.
 *
 * Owns: the getters the section handlers read keys with. value.c knows the
 * literal syntax; a getter takes a key from the section (spec_take), parses
 * its value, checks its type and its field's own rule (a range, a size, an
 * enum, USER[:GROUP], an absolute path, KEY=value vars, a device locator)
 * and reports what is wrong at the key's line.
 * Invariants: a value of the wrong type is an error, never converted (an
 * integer is a float only where the getter says so); a getter that fails
 * leaves nothing to free; every key a getter takes is marked used, so
 * spec_report_unused() finds exactly the unknown ones.
 */
#include "spec_int.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parse an entry's value and check its type. 1 ok, -1 error reported (and
 * nothing left in ret to free). val_parse() leaves ret untouched when it
 * fails, so every struct val here starts zeroed: val_free() on one is then
 * safe on any path. */
int spec_typed(struct spec_ctx *c, struct spec_entry *e, enum val_type want, int or_int,
		 struct val *ret)
{
	char err[200];
	if (val_parse(e->text, ret, err, sizeof(err)) < 0) {
		spec_key_error(c, e->line, e->key, "%s", err);
		return -1;
	}
	if (ret->type == want || (or_int && ret->type == VAL_INT))
		return 1;
	spec_key_error(c, e->line, e->key, "must be %s, not %s", val_type_name(want),
		       val_type_name(ret->type));
	val_free(ret);
	return -1;
}

/* Each getter: 1 set, 0 absent (ret untouched), -1 error (reported). */
int spec_get_str(struct spec_ctx *c, const char *key, char **ret, int *ret_line)
{
	struct val v = { 0 };
	struct spec_entry *e = spec_take(c, key);
	if (!e)
		return 0;
	if (spec_typed(c, e, VAL_STRING, 0, &v) < 0)
		return -1;
	*ret = v.s;
	if (ret_line)
		*ret_line = e->line;
	return 1;
}

int spec_get_int(struct spec_ctx *c, const char *key, long long min, long long max,
		   int *ret, int *ret_line)
{
	struct val v = { 0 };
	struct spec_entry *e = spec_take(c, key);
	if (!e)
		return 0;
	if (spec_typed(c, e, VAL_INT, 0, &v) < 0)
		return -1;
	if (v.i < min || v.i > max) {
		if (max == INT_MAX && v.i > max)
			spec_key_error(c, e->line, key, "%lld is out of range (at most %d)", v.i, INT_MAX);
		else if (max == INT_MAX)
			spec_key_error(c, e->line, key, "must be at least %lld", min);
		else
			spec_key_error(c, e->line, key, "must be between %lld and %lld", min, max);
		return -1;
	}
	*ret = (int)v.i;
	if (ret_line)
		*ret_line = e->line;
	return 1;
}

int spec_get_bool(struct spec_ctx *c, const char *key, int *ret)
{
	struct val v = { 0 };
	struct spec_entry *e = spec_take(c, key);
	if (!e)
		return 0;
	if (spec_typed(c, e, VAL_BOOL, 0, &v) < 0)
		return -1;
	*ret = v.b;
	return 1;
}

int spec_get_strv(struct spec_ctx *c, const char *key, struct spec_strv *ret, int *ret_line)
{
	struct val v = { 0 };
	struct spec_entry *e = spec_take(c, key);
	if (!e)
		return 0;
	if (spec_typed(c, e, VAL_ARRAY, 0, &v) < 0)
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
int spec_get_table(struct spec_ctx *c, const char *key)
{
	struct val v = { 0 };
	struct spec_entry *e = spec_take(c, key);
	if (!e)
		return 0;
	if (spec_typed(c, e, VAL_TABLE, 0, &v) < 0)
		return -1;
	val_free(&v);
	return 1;
}

void spec_strv_free(struct spec_strv *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->v[i]);
	free(v->v);
	memset(v, 0, sizeof(*v));
}

int spec_match_name(const char *s)   /* [a-z][a-z0-9-]{0,31} */
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
int spec_get_vars(struct spec_ctx *c, const char *key, int strict, struct spec_strv *ret)
{
	int line = 0, rc = spec_get_strv(c, key, ret, &line), bad = 0;
	if (rc <= 0)
		return rc;
	for (size_t i = 0; i < ret->n; i++) {
		const char *eq = strchr(ret->v[i], '=');
		if (!eq) {
			spec_key_error(c, line, key, "element %zu (\"%.40s\") is not KEY=value", i, ret->v[i]);
			bad = 1;
		} else if (strict ? !match_var(ret->v[i], (size_t)(eq - ret->v[i])) : eq == ret->v[i]) {
			spec_key_error(c, line, key, "variable name \"%.*s\" must match %s", (int)(eq - ret->v[i]),
				       ret->v[i], strict ? "[A-Z_][A-Z0-9_]*" : "a non-empty name");
			bad = 1;
		}
	}
	if (bad)
		goto fail;
	qsort(ret->v, ret->n, sizeof(*ret->v), cmp_var);
	for (size_t i = 1; i < ret->n; i++)
		if (!cmp_var(&ret->v[i - 1], &ret->v[i])) {
			spec_key_error(c, line, key, "variable %.*s is given twice",
				       (int)strcspn(ret->v[i], "="), ret->v[i]);
			bad = 1;
		}
	if (!bad)
		return 1;
fail:
	spec_strv_free(ret);
	return -1;
}

/* A command: non-empty array whose first element (the executable) is non-empty. */
int spec_get_command(struct spec_ctx *c, const char *key, struct spec_strv *ret)
{
	int line = 0, rc = spec_get_strv(c, key, ret, &line);
	if (rc <= 0)
		return rc;
	if (ret->n == 0 || ret->v[0][0] == '\0') {
		spec_key_error(c, line, key, ret->n ? "the executable (first element) is empty"
						    : "must not be empty: the first element is the executable");
		spec_strv_free(ret);
		return -1;
	}
	return 1;
}

int spec_get_enum(struct spec_ctx *c, const char *key, const char *const *allowed, int *ret)
{
	char *s = NULL;
	int line = 0, rc = spec_get_str(c, key, &s, &line);
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
		spec_key_error(c, line, key, "\"%s\" is not allowed: use %s", s, list);
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

int spec_get_size(struct spec_ctx *c, const char *key, uint64_t min, const char *minstr,
		    char **ret, uint64_t *ret_bytes)
{
	char *s = NULL;
	uint64_t b;
	int line = 0, rc = spec_get_str(c, key, &s, &line);
	if (rc <= 0)
		return rc;
	if (spec_parse_size(s, &b) < 0) {
		spec_key_error(c, line, key, "\"%s\" is not a size: digits then Mi or Gi (\"256Mi\", \"2Gi\")", s);
		goto fail;
	}
	if (b < min) {
		spec_key_error(c, line, key, "\"%s\" is less than the minimum %s", s, minstr);
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

int spec_get_user(struct spec_ctx *c, const char *key, char **ret)
{
	int line = 0, rc = spec_get_str(c, key, ret, &line);
	if (rc == 1 && !valid_user(*ret)) {
		spec_key_error(c, line, key, "\"%s\" is not USER or USER:GROUP (names or numeric ids)", *ret);
		free(*ret);
		*ret = NULL;
		return -1;
	}
	return rc;
}

int spec_get_abs_path(struct spec_ctx *c, const char *key, char **ret, int *ret_line)
{
	int line = 0, rc = spec_get_str(c, key, ret, &line);
	if (ret_line)
		*ret_line = line;
	if (rc == 1 && (*ret)[0] != '/') {
		spec_key_error(c, line, key, "\"%s\" must be an absolute path", *ret);
		free(*ret);
		*ret = NULL;
		return -1;
	}
	return rc;
}

/* [A-Za-z0-9._-]{1,20}: what a virtio-blk serial can hold and a spec can
 * name without quoting trouble in a console line or a sysfs comparison. */
static int valid_serial(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') ||
		      (s[n] >= '0' && s[n] <= '9') || s[n] == '.' || s[n] == '_' || s[n] == '-'))
			return 0;
	return n >= 1 && n <= SPEC_SERIAL_MAX;
}

/* 0..SPEC_DEVICE_INDEX_MAX in decimal, one spelling each: no sign, no
 * leading zero, so that equal texts mean equal disks. */
static int parse_index(const char *s, unsigned *ret)
{
	unsigned v = 0;
	size_t n = 0;
	for (; s[n] >= '0' && s[n] <= '9' && n < 4; n++)
		v = v * 10 + (unsigned)(s[n] - '0');
	if (n == 0 || s[n] || (s[0] == '0' && n > 1) || v > SPEC_DEVICE_INDEX_MAX)
		return -1;
	*ret = v;
	return 0;
}

/* A block device's locator (docs/spec.md, section 5): an absolute path,
 * "serial:NAME" or "index:N". Only kind, text, value and index are set:
 * text is the string as written, value points into it. */
int spec_get_device(struct spec_ctx *c, const char *key, struct spec_device *ret, int *ret_line)
{
	char *s = NULL;
	unsigned idx = 0;
	int line = 0, rc = spec_get_str(c, key, &s, &line);
	if (rc <= 0)
		return rc;
	if (ret_line)
		*ret_line = line;
	if (s[0] == '/') {
		ret->kind = SPEC_LOC_PATH;
		ret->value = s;
	} else if (!strncmp(s, "serial:", 7) && valid_serial(s + 7)) {
		ret->kind = SPEC_LOC_SERIAL;
		ret->value = s + 7;
	} else if (!strncmp(s, "index:", 6) && parse_index(s + 6, &idx) == 0) {
		ret->kind = SPEC_LOC_INDEX;
		ret->index = idx;
	} else {
		if (!strncmp(s, "serial:", 7))
			spec_key_error(c, line, key, "\"%s\": a serial is 1 to %d bytes of letters, digits, "
				       "'.', '_' and '-'", s, SPEC_SERIAL_MAX);
		else if (!strncmp(s, "index:", 6))
			spec_key_error(c, line, key, "\"%s\": N is a decimal from 0 to %d, without leading zeros",
				       s, SPEC_DEVICE_INDEX_MAX);
		else
			spec_key_error(c, line, key, "\"%s\" " SPEC_LOCATOR_FORMS, s);
		free(s);
		return -1;
	}
	ret->text = s;
	return 1;
}

/* Every key no getter took is unknown: the section table's handlers take
 * exactly the keys their section may have (sections.c calls this after each). */
void spec_report_unused(struct spec_ctx *c)
{
	for (size_t i = 0; i < c->sec->n; i++) {
		struct spec_entry *e = c->sec->e[i];
		if (e->used)
			continue;
		e->used = 1;
		spec_key_error(c, e->line, e->key, "unknown key");
	}
}

/* Indexed arrays of tables: "ports.N.field", and "ports.N" for the element
 * itself ("ports.N = {}"). Returns the count (max index + 1), reporting bad
 * and missing indexes; -1 on error. */
int spec_count_indexed(struct spec_ctx *c, const char *base)
{
	size_t blen = strlen(base);
	unsigned char seen[SPEC_MAX_INDEX + 1];
	int max = -1, bad = 0;
	memset(seen, 0, sizeof(seen));
	for (size_t i = 0; i < c->sec->n; i++) {
		struct spec_entry *e = c->sec->e[i];
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
			spec_key_error(c, e->line, e->key, "expected %s.N.field with N from 0 to %d",
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
			spec_key_error(c, c->sec->line, base, "%s.%d is missing: indexes run 0, 1, 2, ... "
				       "without gaps", base, i);
			bad = 1;
		}
	return bad ? -1 : max + 1;
}

