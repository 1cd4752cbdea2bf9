/* parse.c - the readers of the kernel's cgroup files (resources.h).
 *
 * Owns: nothing but the parsing. Every function takes bytes and a length,
 * never reads past len, never relies on a NUL, and writes its result only on
 * success. A line counts only when it ends in '\n': the kernel ends every
 * line so, and a read that filled its buffer may have cut the last one (a cut
 * "oom_kill 12" of "oom_kill 123\n" must not read as 12).
 */
#include "resources.h"

#include <string.h>

/* The line of buf that starts at *pos: its start and length (without the
 * '\n'), and *pos moved past it. 0 when no whole line is left. */
static int rsc_next_line(const char *buf, size_t len, size_t *pos, const char **ret, size_t *ret_len)
{
	const char *nl;
	if (*pos >= len)
		return 0;
	nl = memchr(buf + *pos, '\n', len - *pos);
	if (!nl)
		return 0;
	*ret = buf + *pos;
	*ret_len = (size_t)(nl - (buf + *pos));
	*pos = (size_t)(nl - buf) + 1;
	return 1;
}

/* Decimal digits only, the whole of s[0..n), at most max. */
static int rsc_parse_u64(const char *s, size_t n, uint64_t max, uint64_t *ret)
{
	uint64_t v = 0;
	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned char)s[i] - '0';
		if (d > 9 || v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*ret = v;
	return 0;
}

int rsc_parse_key(const char *buf, size_t len, const char *key, uint64_t *ret)
{
	size_t klen = key ? strlen(key) : 0, pos = 0, n;
	const char *line;
	if (!buf || klen == 0 || strpbrk(key, " \n"))
		return -1;
	while (rsc_next_line(buf, len, &pos, &line, &n))
		if (n > klen && !memcmp(line, key, klen) && line[klen] == ' ')
			return rsc_parse_u64(line + klen + 1, n - klen - 1, UINT64_MAX, ret);
	return -1;
}

int rsc_parse_max(const char *buf, size_t len, int64_t *ret)
{
	uint64_t v;
	if (!buf || len < 2 || buf[len - 1] != '\n')
		return -1;
	if (len == 4 && !memcmp(buf, "max", 3)) {
		*ret = -1;
		return 0;
	}
	if (rsc_parse_u64(buf, len - 1, INT64_MAX, &v) < 0)
		return -1;
	*ret = (int64_t)v;
	return 0;
}

/* oom and oom_kill are what vminit needs: without them, -1. The others are
 * 0 when a kernel does not have them (oom_group_kill is 4.19's). */
int rsc_parse_events(const char *buf, size_t len, struct rsc_events *ret)
{
	struct rsc_events e = { 0 };
	if (rsc_parse_key(buf, len, "oom", &e.oom) < 0 ||
	    rsc_parse_key(buf, len, "oom_kill", &e.oom_kill) < 0)
		return -1;
	(void)rsc_parse_key(buf, len, "low", &e.low);
	(void)rsc_parse_key(buf, len, "high", &e.high);
	(void)rsc_parse_key(buf, len, "max", &e.max);
	(void)rsc_parse_key(buf, len, "oom_group_kill", &e.oom_group_kill);
	*ret = e;
	return 0;
}

/* A path the kernel gave: absolute, no control bytes, fits with its NUL. */
static int rsc_copy_path(const char *s, size_t n, char *ret, size_t retlen)
{
	if (n == 0 || s[0] != '/' || n >= retlen)
		return -1;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return -1;
	memcpy(ret, s, n);
	ret[n] = '\0';
	return 0;
}

int rsc_parse_self_cgroup(const char *buf, size_t len, char *ret, size_t retlen)
{
	size_t pos = 0, n;
	const char *line;
	if (!buf || !ret)
		return -1;
	while (rsc_next_line(buf, len, &pos, &line, &n))
		if (n >= 3 && !memcmp(line, "0::", 3))
			return rsc_copy_path(line + 3, n - 3, ret, retlen);
	return -1;
}

/* The next space-separated field of line[0..n) from *pos. */
static int rsc_field(const char *line, size_t n, size_t *pos, const char **ret, size_t *ret_len)
{
	size_t start = *pos;
	while (*pos < n && line[*pos] != ' ')
		(*pos)++;
	if (*pos == start)
		return -1;
	*ret = line + start;
	*ret_len = *pos - start;
	if (*pos < n)
		(*pos)++;
	return 0;
}

/* mountinfo's escapes: \ooo, three octal digits, for space, tab, newline
 * and backslash. Anything else after a backslash, or a NUL, is malformed. */
static int rsc_unescape(const char *s, size_t n, char *ret, size_t retlen)
{
	char tmp[RSC_PATH_MAX];
	size_t o = 0;
	if (n == 0 || s[0] != '/')
		return -1;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '\\') {
			unsigned v = 0;
			if (n - i < 4)
				return -1;
			for (size_t k = 1; k <= 3; k++) {
				if (s[i + k] < '0' || s[i + k] > '7')
					return -1;
				v = v * 8 + (unsigned)(s[i + k] - '0');
			}
			if (v == 0 || v > 0xff)
				return -1;
			c = (char)v;
			i += 3;
		}
		if (o >= sizeof(tmp) - 1)
			return -1;
		tmp[o++] = c;
	}
	if (o >= retlen)
		return -1;
	memcpy(ret, tmp, o);
	ret[o] = '\0';
	return 0;
}

/* One mountinfo line: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...]
 * - FSTYPE SOURCE SUPER". 1 with the mount point if it is cgroup2 at "/". */
static int rsc_mount_line(const char *line, size_t n, char *ret, size_t retlen)
{
	const char *f[5], *t;
	size_t fl[5], tl, pos = 0;
	for (int k = 0; k < 5; k++)
		if (rsc_field(line, n, &pos, &f[k], &fl[k]) < 0)
			return 0;
	if (fl[3] != 1 || f[3][0] != '/')
		return 0;
	do {                        /* the options, then optional fields, to "-" */
		if (rsc_field(line, n, &pos, &t, &tl) < 0)
			return 0;
	} while (!(tl == 1 && t[0] == '-'));
	if (rsc_field(line, n, &pos, &t, &tl) < 0 || tl != 7 || memcmp(t, "cgroup2", 7))
		return 0;
	return rsc_unescape(f[4], fl[4], ret, retlen) == 0;
}

/* The last match wins: a later mount on the same point hides an earlier. */
int rsc_parse_mountinfo(const char *buf, size_t len, char *ret, size_t retlen)
{
	char found[RSC_PATH_MAX];
	size_t pos = 0, n;
	const char *line;
	int any = 0;
	if (!buf || !ret)
		return -1;
	while (rsc_next_line(buf, len, &pos, &line, &n))
		if (rsc_mount_line(line, n, found, retlen < sizeof(found) ? retlen : sizeof(found)))
			any = 1;
	if (!any)
		return -1;
	memcpy(ret, found, strlen(found) + 1);
	return 0;
}
