/* env.h - a process's environment: image env < [env] vars < process vars. */
#ifndef VMINIT_ENV_H
#define VMINIT_ENV_H

#include "spec/spec.h"

#define ENV_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Merge the layers ("KEY=value" each; later layers win on a key) and add
 * PATH=ENV_DEFAULT_PATH when no layer sets PATH. Sorted by key; NULL-terminated.
 * NULL when out of memory. Free with env_free(). */
char **env_merge(const struct spec_strv *image, const struct spec_strv *env,
		 const struct spec_strv *proc);
void env_free(char **envp);
/* The value of key in envp, or NULL. */
const char *env_get(char *const *envp, const char *key);

#endif
