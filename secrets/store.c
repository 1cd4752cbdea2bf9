/* store.c - the bundle PID 1 holds and its copies (store.h).
 *
 * Owns: the rendered bundle (the one copy of the values in PID 1's memory),
 * the directory fd of /run/secrets, and the users that have a copy (a fixed
 * table). Every write is secrets_write_file's: a new file renamed over the
 * old one, so a reader never sees half a file.
 */
#include "store.h"
#include "bundle.h"
#include "base/clock.h"
#include "base/console.h"
#include "base/path.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

struct user_copy {
	uid_t uid;
	gid_t gid;
};

struct secrets_store {
	char dir[128];
	int dirfd;
	struct secrets_bundle b;
	int delivered;
	int64_t at_ms;
	uint64_t deliveries, refused;
	struct user_copy users[SECRETS_USERS_MAX];
	size_t nusers;
};

struct secrets_store *secrets_store_new(const char *dir)
{
	struct secrets_store *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	snprintf(s->dir, sizeof(s->dir), "%s", dir);
	s->at_ms = -1;
	if (path_mkdirs(dir, 0755) < 0 ||
	    (!path_is_mountpoint(dir) &&
	     mount("secrets", dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755,size=4m") < 0) ||
	    (s->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    (mkdirat(s->dirfd, ".u", 0711) < 0 && errno != EEXIST)) {
		log_error("secrets: %s: %s: secrets are off", dir, strerror(errno));
		free(s);
		return NULL;
	}
	return s;
}

void secrets_store_free(struct secrets_store *s)
{
	if (!s)
		return;
	secrets_bundle_wipe(&s->b);
	close(s->dirfd);
	free(s);
}

/* The bundle into user u's directory. */
static int write_user(struct secrets_store *s, const struct user_copy *u)
{
	char name[32];
	int fd, rc;
	snprintf(name, sizeof(name), ".u/%u", (unsigned)u->uid);
	fd = openat(s->dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = secrets_write_file(fd, SECRETS_FILE, s->b.text ? s->b.text : "", s->b.len, u->uid, u->gid);
	close(fd);
	return rc;
}

int secrets_store_deliver(struct secrets_store *s, char *const *vars, size_t n, const char *version,
			  char *err, size_t errlen)
{
	struct secrets_bundle nb = { 0 };
	if (secrets_render(vars, n, version, &nb, err, errlen) < 0) {
		s->refused++;
		return -1;
	}
	if (secrets_write_file(s->dirfd, SECRETS_FILE, nb.text ? nb.text : "", nb.len, 0, 0) < 0) {
		snprintf(err, errlen, "writing %s/%s: %s", s->dir, SECRETS_FILE, strerror(errno));
		secrets_bundle_wipe(&nb);
		s->refused++;
		return -1;
	}
	secrets_bundle_wipe(&s->b);
	s->b = nb;
	s->delivered = 1;
	s->at_ms = (int64_t)clock_boot_ms();
	s->deliveries++;
	for (size_t i = 0; i < s->nusers; i++)
		if (write_user(s, &s->users[i]) < 0)
			log_error("secrets: the copy of uid %u: %s", (unsigned)s->users[i].uid, strerror(errno));
	return 0;
}

int secrets_store_user(struct secrets_store *s, uid_t uid, gid_t gid, char *ret, size_t len)
{
	struct user_copy *u = NULL;
	char name[32];
	for (size_t i = 0; i < s->nusers && !u; i++)
		if (s->users[i].uid == uid)
			u = &s->users[i];
	if (!u) {
		if (s->nusers == SECRETS_USERS_MAX)
			return errno = ENOSPC, -1;
		snprintf(name, sizeof(name), ".u/%u", (unsigned)uid);
		if ((mkdirat(s->dirfd, name, 0500) < 0 && errno != EEXIST) ||
		    fchownat(s->dirfd, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
			return -1;
		u = &s->users[s->nusers++];
		u->uid = uid;
		u->gid = gid;
		if (s->delivered && write_user(s, u) < 0) {
			s->nusers--;
			return -1;
		}
	}
	snprintf(ret, len, "%s/.u/%u", s->dir, (unsigned)uid);
	return 0;
}

void secrets_store_info(const struct secrets_store *s, struct secrets_info *ret)
{
	*ret = (struct secrets_info){
		.delivered = s->delivered, .version = s->delivered ? s->b.version : NULL, .keys = s->b.keys,
		.at_ms = s->at_ms, .deliveries = s->deliveries, .refused = s->refused,
	};
}
