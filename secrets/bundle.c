/* secrets/bundle.c - a secret bundle checked, rendered as an env file, and
 * written atomically.
 *
 * The file format (/run/secrets/platform.env):
 * - one KEY=VALUE line per variable, sorted by key (bytewise), each ending in
 *   "\n"; nothing else (no comments, no blank lines); an empty bundle is an
 *   empty file.
 * - KEY is [A-Z_][A-Z0-9_]*. Keys are unique; at most 256 of them, and the
 *   whole file at most 12288 bytes.
 * - A value made only of "safe" bytes ([A-Za-z0-9], _ . / : @ % + , = - and
 *   the bytes of non-ASCII UTF-8) is written raw: KEY=value. An empty value
 *   is KEY= .
 * - Any other value is written in double quotes, with the escapes \\ \" \$
 *   \` \n \r \t, and \xHH (two lowercase hex digits) for every other control
 *   byte (0x01-0x1f, 0x7f). Every other byte is itself, so the quoted line
 *   never holds a raw newline or control byte.
 * - A value is valid UTF-8 without NUL.
 * How common readers take it: a raw or empty value reads back exactly in
 * all of systemd's EnvironmentFile=, python-dotenv, node's dotenv, docker
 * --env-file and sh's `. file`. A quoted value: systemd and sh undo \\ \" \$
 * \` but keep \n \r \t \xHH as written; python-dotenv undoes \\ \" \n \r \t
 * but not \$ \` \xHH; node's dotenv undoes only \n \r and keeps the other
 * backslashes; docker undoes nothing and keeps the quotes. Only vminitctl's
 * reader (host/envfile.c) undoes every escape. So a value that must reach
 * every reader unchanged is one of safe bytes only.
 *
 * Invariant: no byte of a value ever goes into an error message; an error
 * names the element's index and, for a bad key, the key.
 */
#include "bundle.h"

#include "spec/value.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct entry {
	const char *s;   /* "KEY=VALUE" */
	size_t klen;
	size_t i;        /* index in vars, for errors */
};

static int bad(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int safe_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c >= 0x80 || strchr("_./:@%+,=-", c);
}

static int key_byte(unsigned char c, int first)
{
	return (c >= 'A' && c <= 'Z') || c == '_' || (!first && c >= '0' && c <= '9');
}

/* Checks vars[i]; fills e. The key is echoed only when it is short and of
 * printable ASCII, so a value pasted where the key goes stays hidden. */
static int check_var(const char *v, size_t i, struct entry *e, char *err, size_t errlen)
{
	const char *eq = strchr(v, '=');
	if (!eq)
		return bad(err, errlen, "vars[%zu]: not KEY=VALUE", i);
	size_t k = (size_t)(eq - v);
	if (k == 0)
		return bad(err, errlen, "vars[%zu]: the key is empty", i);
	int ok = 1, printable = k <= 64;
	for (size_t j = 0; j < k; j++) {
		ok &= key_byte((unsigned char)v[j], j == 0);
		printable &= v[j] >= 0x20 && v[j] < 0x7f;
	}
	if (!ok && printable)
		return bad(err, errlen, "vars[%zu]: key \"%.*s\" is not [A-Z_][A-Z0-9_]*", i, (int)k, v);
	if (!ok)
		return bad(err, errlen, "vars[%zu]: the key is not [A-Z_][A-Z0-9_]*", i);
	for (const char *p = eq + 1; *p;) {
		size_t n = utf8_char_len(p);
		if (!n)
			return bad(err, errlen, "vars[%zu]: the value is not valid UTF-8", i);
		p += n;
	}
	*e = (struct entry){ v, k, i };
	return 0;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	size_t n = x->klen < y->klen ? x->klen : y->klen;
	int c = memcmp(x->s, y->s, n);
	if (c)
		return c;
	if (x->klen != y->klen)
		return x->klen < y->klen ? -1 : 1;
	return x->i < y->i ? -1 : 1;
}

/* Renders one line into out (when not NULL); its length either way. */
static size_t put_line(char *out, const struct entry *e)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *v = (const unsigned char *)e->s + e->klen + 1;
	size_t n = e->klen + 1;
	int quote = 0;
	for (const unsigned char *p = v; *p; p++)
		quote |= !safe_byte(*p);
	if (out)
		memcpy(out, e->s, n);
	char tmp[4];
	if (quote && out)
		out[n] = '"';
	n += (size_t)quote;
	for (const unsigned char *p = v; *p; p++) {
		const char *esc = strchr("\\\"$`", *p) ? "" : *p == '\n' ? "n" : *p == '\r' ? "r" : *p == '\t' ? "t" : NULL;
		size_t m;
		if (!quote || (*p >= 0x20 && *p != 0x7f && !esc)) {
			tmp[0] = (char)*p; m = 1;
		} else if (esc) {
			tmp[0] = '\\'; tmp[1] = *esc ? *esc : (char)*p; m = 2;
		} else {
			tmp[0] = '\\'; tmp[1] = 'x'; tmp[2] = hex[*p >> 4]; tmp[3] = hex[*p & 15]; m = 4;
		}
		if (out)
			memcpy(out + n, tmp, m);
		n += m;
	}
	if (out && quote)
		out[n] = '"';
	n += (size_t)quote;
	if (out)
		out[n] = '\n';
	explicit_bzero(tmp, sizeof(tmp));
	return n + 1;
}

static int version_ok(const char *v)
{
	size_t n = v ? strlen(v) : 0;
	if (n < 1 || n > SECRETS_VERSION_MAX)
		return 0;
	for (; *v; v++)
		if (!(((*v | 0x20) >= 'a' && (*v | 0x20) <= 'z') || (*v >= '0' && *v <= '9') || strchr("._:+-", *v)))
			return 0;
	return 1;
}

int secrets_render(char *const *vars, size_t n, const char *version, struct secrets_bundle *ret,
		   char *err, size_t errlen)
{
	if (!version_ok(version))
		return bad(err, errlen, "version: not 1 to %d bytes of [A-Za-z0-9._:+-]", SECRETS_VERSION_MAX);
	if (n > SECRETS_MAX_KEYS)
		return bad(err, errlen, "at most %d variables", SECRETS_MAX_KEYS);
	/* The entries point into vars: no value is copied until the file. */
	struct entry *e = calloc(n ? n : 1, sizeof(*e));
	if (!e)
		return bad(err, errlen, "out of memory");
	int r = -1;
	size_t len = 0;
	for (size_t i = 0; i < n; i++)
		if (check_var(vars[i], i, &e[i], err, errlen) < 0)
			goto out;
	qsort(e, n, sizeof(*e), entry_cmp);
	for (size_t i = 1; i < n; i++)
		if (e[i].klen == e[i - 1].klen && !memcmp(e[i].s, e[i - 1].s, e[i].klen)) {
			bad(err, errlen, "vars[%zu]: key \"%.*s\" given twice", e[i].i, (int)e[i].klen, e[i].s);
			goto out;
		}
	for (size_t i = 0; i < n; i++)
		len += put_line(NULL, &e[i]);
	if (len > SECRETS_MAX_BYTES) {
		bad(err, errlen, "the bundle is over %d bytes", SECRETS_MAX_BYTES);
		goto out;
	}
	char *text = malloc(len + 1);
	if (!text) {
		bad(err, errlen, "out of memory");
		goto out;
	}
	size_t at = 0;
	for (size_t i = 0; i < n; i++)
		at += put_line(text + at, &e[i]);
	text[len] = '\0';
	*ret = (struct secrets_bundle){ .text = text, .len = len, .keys = (unsigned)n };
	memcpy(ret->version, version, strlen(version) + 1);
	r = 0;
out:
	free(e);
	return r;
}

void secrets_bundle_wipe(struct secrets_bundle *b)
{
	if (b->text) {
		explicit_bzero(b->text, b->len);
		free(b->text);
	}
	*b = (struct secrets_bundle){ 0 };
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t w = write(fd, buf, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/* The temporary name is .NAME.0, or the next free number when that exists
 * (a crash left it, or someone planted it): O_EXCL never opens what is
 * there, a symlink included. */
int secrets_write_file(int dirfd, const char *name, const char *buf, size_t len, uid_t uid, gid_t gid)
{
	char tmp[NAME_MAX + 1];
	int fd = -1;
	for (unsigned i = 0; fd < 0 && i < 64; i++) {
		if (snprintf(tmp, sizeof(tmp), ".%s.%u", name, i) >= (int)sizeof(tmp)) {
			errno = ENAMETOOLONG;
			return -1;
		}
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0400);
		if (fd < 0 && errno != EEXIST)
			return -1;
	}
	if (fd < 0)
		return -1;   /* EEXIST: 64 names taken */
	if (write_all(fd, buf, len) < 0 || fchown(fd, uid, gid) < 0 || fchmod(fd, 0400) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (renameat(dirfd, tmp, dirfd, name) < 0)
		goto fail;
	return 0;
fail:;
	int saved = errno;
	if (fd >= 0)
		close(fd);
	unlinkat(dirfd, tmp, 0);
	errno = saved;
	return -1;
}
