/* bundle.h - a secret bundle: checked, rendered as the env file
 * /run/secrets/platform.env, written atomically, wiped (docs/secrets.md).
 *
 * Values never appear in an error message: an error names the element's
 * index and, for a bad key, what is wrong with it, never a value.
 */
#ifndef VMINIT_SECRETS_BUNDLE_H
#define VMINIT_SECRETS_BUNDLE_H

#include <stddef.h>
#include <sys/types.h>

#define SECRETS_MAX_KEYS 256
#define SECRETS_MAX_BYTES 12288   /* the rendered file, at most */
#define SECRETS_VERSION_MAX 64    /* bytes of a version: [A-Za-z0-9._:+-], 1..64 */

struct secrets_bundle {
	char *text;                   /* the env file, len bytes (malloc'd), or NULL */
	size_t len;
	unsigned keys;
	char version[SECRETS_VERSION_MAX + 1];
};

/* Check n "KEY=VALUE" strings (keys [A-Z_][A-Z0-9_]*, unique; values valid
 * UTF-8 without NUL) and the version, and render the file (keys sorted).
 * 0, or -1 with why in err (never a value); ret untouched on failure. n may
 * be 0: an explicitly empty bundle. */
int secrets_render(char *const *vars, size_t n, const char *version, struct secrets_bundle *ret,
		   char *err, size_t errlen);
/* Zero the text's bytes before freeing it; the struct is left empty. */
void secrets_bundle_wipe(struct secrets_bundle *b);
/* Write len bytes of buf as dirfd/name atomically: a new file beside it
 * (O_EXCL, never following a symlink), owned by uid:gid, mode 0400, then
 * rename over name, so a reader sees the old file or the new one whole.
 * 0, or -1 with errno (the temporary file removed). */
int secrets_write_file(int dirfd, const char *name, const char *buf, size_t len, uid_t uid, gid_t gid);

#endif
