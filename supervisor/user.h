/* user.h - resolve "user[:group]" against a root's /etc/passwd and /etc/group
 * the way OCI runtimes do: names or numeric ids; supplementary groups from
 * /etc/group membership; a numeric uid with no passwd entry gets gid 0 and
 * HOME=/.
 */
#ifndef VMINIT_USER_H
#define VMINIT_USER_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#define USER_MAX_GROUPS 256
/* The most of /etc/passwd or /etc/group read: a file over it is not read
 * (docs/spec.md). */
#define USER_FILE_MAX (1024 * 1024)

struct user_info {
	uid_t uid;
	gid_t gid;
	gid_t groups[USER_MAX_GROUPS];
	size_t ngroups;
	char home[PATH_MAX];
};

/* 0, or -1 with a message in err. Reads root/etc/passwd and root/etc/group
 * (root "" or "/" for the running system). */
int user_resolve(const char *root, const char *spec, struct user_info *ret,
		 char *err, size_t errlen);

/* The HOME of uid from root/etc/passwd into home (len bytes), "/" when it
 * has no entry. Reads /etc/passwd only: a process that keeps its user needs
 * no group. */
void user_home(const char *root, uid_t uid, char *home, size_t len);

#endif
