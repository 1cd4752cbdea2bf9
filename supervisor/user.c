/* user.c - passwd and group lookups without libc's NSS (static musl, and no
 * nscd socket in a microVM): plain parsing of the image's files.
 * Runs in the forked child just before exec, so PID 1 never reads them.
 */
#include "user.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Split a line on ':' into at most max fields; returns the count. */
static int split(char *line, char **f, int max)
{
	int n = 0;
	line[strcspn(line, "\n")] = '\0';
	f[n++] = line;
	for (char *p = line; *p && n < max; p++)
		if (*p == ':') {
			*p = '\0';
			f[n++] = p + 1;
		}
	return n;
}

static int parse_id(const char *s, unsigned long *ret)
{
	char *end;
	unsigned long v;
	if (!*s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > 0x7fffffffUL)
		return -1;
	*ret = v;
	return 0;
}

/* The image's own file, read only if it is a regular one: a FIFO there
 * would block the open, a device the reads, and the start would hang before
 * its exec, or PID 1 with it (secrets_for in supervisor.c looks a user up
 * too). One that says it is over USER_FILE_MAX is not read at all, for
 * either reader; one that says less is still read no further than that (a
 * /proc file behind a link says 0). -1 with errno (EINVAL: not a regular
 * file; EFBIG: over USER_FILE_MAX). */
static int open_regular(const char *root, const char *file)
{
	char path[PATH_MAX];
	struct stat st;
	int fd, e = 0;
	snprintf(path, sizeof(path), "%s%s", root && strcmp(root, "/") ? root : "", file);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		e = EINVAL;
	else if (st.st_size > USER_FILE_MAX)
		e = EFBIG;
	if (e) {
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* A file read whole into memory, and where its next line starts. */
struct text {
	char *buf;
	size_t len, pos;
};

/* The whole file, at most USER_FILE_MAX bytes (a /proc file behind a link
 * can be endless, and says size 0): 0, or -1 if it is not there or cannot
 * be read, with *why set for one that is there. text_free() after. */
static int text_read(struct text *t, const char *root, const char *file, const char **why)
{
	int fd = open_regular(root, file);
	size_t room = 0;
	*t = (struct text){ 0 };
	if (fd < 0) {
		if (errno == EINVAL)
			*why = " (not a regular file)";
		else if (errno == EFBIG)
			*why = " (over 1 MiB)";
		return -1;
	}
	for (;;) {
		ssize_t n;
		if (t->len == room) {
			/* Room for one byte over the most, to tell it is. */
			size_t more = room + 16384 > USER_FILE_MAX ? USER_FILE_MAX + 1 : room + 16384;
			char *b = room > USER_FILE_MAX ? NULL : realloc(t->buf, more);
			if (!b) {
				*why = room > USER_FILE_MAX ? " (over 1 MiB)" : " (out of memory)";
				break;
			}
			t->buf = b;
			room = more;
		}
		n = read(fd, t->buf + t->len, room - t->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return 0;
		}
		t->len += (size_t)n;
	}
	close(fd);
	free(t->buf);
	*t = (struct text){ 0 };
	return -1;
}

static void text_free(struct text *t)
{
	free(t->buf);
	*t = (struct text){ 0 };
}

/* The next line into *line (grown as needed, as getline does), its '\n'
 * dropped: 1, or 0 at the end. */
static int text_line(struct text *t, char **line, size_t *cap)
{
	const char *s = t->buf + t->pos, *nl;
	size_t n;
	if (t->pos >= t->len)
		return 0;
	nl = memchr(s, '\n', t->len - t->pos);
	n = nl ? (size_t)(nl - s) : t->len - t->pos;
	t->pos += n + (nl != NULL);
	if (n + 1 > *cap) {
		char *b = realloc(*line, n + 1);
		if (!b)
			return 0;
		*line = b;
		*cap = n + 1;
	}
	memcpy(*line, s, n);
	(*line)[n] = '\0';
	return 1;
}

/* The passwd entry of user (a name, or a uid when by_id) into u and name.
 * 1 if found, else 0. */
static int find_passwd(struct text *fp, const char *user, int by_id, unsigned long id,
		       struct user_info *u, char *name, size_t namelen, char **line, size_t *cap)
{
	char *f[7];
	while (text_line(fp, line, cap)) {
		unsigned long uid, gid;
		if (split(*line, f, 7) < 7 || parse_id(f[2], &uid) || parse_id(f[3], &gid))
			continue;
		if (by_id ? uid != id : strcmp(f[0], user))
			continue;
		u->uid = (uid_t)uid;
		u->gid = (gid_t)gid;
		snprintf(u->home, sizeof(u->home), "%s", *f[5] ? f[5] : "/");
		snprintf(name, namelen, "%s", f[0]);
		return 1;
	}
	return 0;
}

/* The gid of group (a number, or a name in fp, which is rewound after).
 * 0, or -1 if there is none. */
static int find_group(struct text *fp, const char *group, gid_t *ret, char **line, size_t *cap)
{
	char *f[4];
	unsigned long id;
	if (parse_id(group, &id) == 0) {
		*ret = (gid_t)id;
		return 0;
	}
	if (!fp)
		return -1;
	while (text_line(fp, line, cap)) {
		unsigned long gid;
		if (split(*line, f, 4) < 3 || parse_id(f[2], &gid))
			continue;
		if (!strcmp(f[0], group)) {
			*ret = (gid_t)gid;
			fp->pos = 0;
			return 0;
		}
	}
	fp->pos = 0;
	return -1;
}

/* Add the groups in fp that list name as a member to u's groups. */
static void add_member_groups(struct text *fp, const char *name, struct user_info *u,
			      char **line, size_t *cap)
{
	char *f[4];
	while (text_line(fp, line, cap)) {
		unsigned long gid;
		char *m, *save = NULL;
		if (split(*line, f, 4) < 4 || parse_id(f[2], &gid))
			continue;
		for (m = strtok_r(f[3], ",", &save); m; m = strtok_r(NULL, ",", &save)) {
			if (strcmp(m, name))
				continue;
			size_t k;
			for (k = 0; k < u->ngroups; k++)
				if (u->groups[k] == (gid_t)gid)
					break;
			if (k == u->ngroups && u->ngroups < USER_MAX_GROUPS)
				u->groups[u->ngroups++] = (gid_t)gid;
		}
	}
}

int user_resolve(const char *root, const char *spec, struct user_info *ret,
		 char *err, size_t errlen)
{
	char user[256], *group = NULL, *line = NULL, name[256] = "";
	size_t cap = 0;
	unsigned long id;
	int found = 0, by_id, have_group;
	const char *why = "";
	struct text t;
	struct user_info u = { .home = "/" };

	snprintf(user, sizeof(user), "%s", spec);
	if ((group = strchr(user, ':')))
		*group++ = '\0';
	by_id = parse_id(user, &id) == 0;
	if (by_id)
		u.uid = (uid_t)id;

	if (text_read(&t, root, "/etc/passwd", &why) == 0) {
		found = find_passwd(&t, user, by_id, id, &u, name, sizeof(name), &line, &cap);
		text_free(&t);
	}
	if (!found && !by_id) {
		free(line);
		snprintf(err, errlen, "user \"%s\" not found in /etc/passwd%s", user, why);
		return -1;
	}

	why = "";
	have_group = text_read(&t, root, "/etc/group", &why) == 0;
	if (group && find_group(have_group ? &t : NULL, group, &u.gid, &line, &cap) < 0) {
		text_free(&t);
		free(line);
		snprintf(err, errlen, "group \"%s\" not found in /etc/group%s", group, why);
		return -1;
	}
	u.groups[u.ngroups++] = u.gid;
	if (have_group && *name)
		add_member_groups(&t, name, &u, &line, &cap);
	text_free(&t);
	free(line);
	*ret = u;
	return 0;
}

/* The home of uid's entry in one buffer's worth of whole lines; 1 if found. */
static int home_in(char *lines, size_t n, uid_t uid, char *home, size_t len)
{
	char *f[7];
	for (char *l = lines, *end; l < lines + n; l = end + 1) {
		unsigned long id;
		end = memchr(l, '\n', (size_t)(lines + n - l));
		*end = '\0';
		if (split(l, f, 7) == 7 && parse_id(f[2], &id) == 0 && id == uid) {
			snprintf(home, len, "%s", *f[5] ? f[5] : "/");
			return 1;
		}
	}
	return 0;
}

/* In the child, just before exec: read(2) into a stack buffer, no stdio
 * (whose FILE and buffer would be fresh pages copied on write, and more
 * calls). A line longer than the buffer is skipped whole. */
void user_home(const char *root, uid_t uid, char *home, size_t len)
{
	char buf[4096];
	size_t have = 0, total = 0;
	int fd, skip = 0, found = 0;
	snprintf(home, len, "/");
	if ((fd = open_regular(root, "/etc/passwd")) < 0)
		return;
	for (;;) {
		ssize_t n = read(fd, buf + have, sizeof(buf) - 1 - have);
		char *nl;
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || (total += (size_t)n) > USER_FILE_MAX)
			break;
		have += (size_t)n;
		if (skip && (nl = memchr(buf, '\n', have))) {
			have -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, have);
			skip = 0;
		}
		if (skip) {
			have = 0;
			continue;
		}
		if ((nl = memrchr(buf, '\n', have))) {
			size_t done = (size_t)(nl + 1 - buf);
			if ((found = home_in(buf, done, uid, home, len)))
				break;
			have -= done;
			memmove(buf, nl + 1, have);
		} else if (have == sizeof(buf) - 1) {
			have = 0;
			skip = 1;
		}
	}
	/* A last line without its newline. */
	if (!found && !skip && have) {
		buf[have] = '\n';
		home_in(buf, have + 1, uid, home, len);
	}
	close(fd);
}
