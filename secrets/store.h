/* store.h - the secret bundle PID 1 holds, and its files (docs/secrets.md).
 *
 * /run/secrets is a tmpfs of its own (nosuid, nodev, noexec). The bundle is
 * written to /run/secrets/platform.env (root's, 0400) and to one copy per
 * user a process runs as, /run/secrets/.u/UID/platform.env (the directory
 * 0500 and the file 0400, both the user's). A process's view binds its
 * user's directory onto /run/secrets (supervisor/spawn.c), so it reads its
 * own copy at the fixed path and sees no other. Each new version replaces
 * every copy atomically. The only copy of the values in PID 1's memory is
 * the rendered file, wiped when replaced.
 */
#ifndef VMINIT_SECRETS_STORE_H
#define VMINIT_SECRETS_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SECRETS_DIR "/run/secrets"
#define SECRETS_FILE "platform.env"
#define SECRETS_USERS_MAX 64   /* distinct users with a copy */

struct secrets_store;

struct secrets_info {
	int delivered;               /* a bundle (maybe empty) has come */
	const char *version;         /* the current one's, or NULL */
	unsigned keys;
	int64_t at_ms;               /* boot clock ms when it came, or -1 */
	uint64_t deliveries, refused;
};

/* The tmpfs at dir (made and mounted unless it is one) and its .u. NULL
 * when it cannot be made (logged). */
struct secrets_store *secrets_store_new(const char *dir);
void secrets_store_free(struct secrets_store *s);
/* A new bundle: checked, rendered and written to every copy. 0, or -1 with
 * why in err (never a value): the previous bundle stays. */
int secrets_store_deliver(struct secrets_store *s, char *const *vars, size_t n, const char *version,
			  char *err, size_t errlen);
/* The directory user uid's processes see as /run/secrets: made (with the
 * current bundle in it) when missing. 0 with its path in ret, or -1. */
int secrets_store_user(struct secrets_store *s, uid_t uid, gid_t gid, char *ret, size_t len);
void secrets_store_info(const struct secrets_store *s, struct secrets_info *ret);

#endif
