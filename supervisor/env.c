/* env.c - environment merge (manifest schema v1: "process-level vars override
 * env-level vars on key collision"; the image's env is the base, as in OCI).
 */
#include "env.h"

#include <stdlib.h>
#include <string.h>

static size_t keylen(const char *kv)
{
	return strcspn(kv, "=");
}

static int cmp_key(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	size_t lx = keylen(x), ly = keylen(y);
	int r = memcmp(x, y, lx < ly ? lx : ly);
	return r ? r : (lx > ly) - (lx < ly);
}

const char *env_get(char *const *envp, const char *key)
{
	size_t n = strlen(key);
	for (; envp && *envp; envp++)
		if (keylen(*envp) == n && !memcmp(*envp, key, n))
			return *envp + n + 1;
	return NULL;
}

void env_free(char **envp)
{
	for (char **p = envp; p && *p; p++)
		free(*p);
	free(envp);
}

char **env_merge(const struct spec_strv *image, const struct spec_strv *env,
		 const struct spec_strv *proc)
{
	const struct spec_strv *layers[3] = { image, env, proc };
	size_t cap = 2, n = 0;
	char **out;

	for (int l = 0; l < 3; l++)
		cap += layers[l]->n;
	out = calloc(cap, sizeof(*out));
	if (!out)
		return NULL;
	for (int l = 0; l < 3; l++) {
		for (size_t i = 0; i < layers[l]->n; i++) {
			const char *kv = layers[l]->v[i];
			size_t k = keylen(kv), j;
			char *dup = strdup(kv);
			if (!dup)
				goto oom;
			for (j = 0; j < n; j++)
				if (keylen(out[j]) == k && !memcmp(out[j], kv, k))
					break;
			if (j < n)
				free(out[j]);
			else
				n++;
			out[j] = dup;
		}
	}
	if (!env_get(out, "PATH")) {
		if (!(out[n] = strdup("PATH=" ENV_DEFAULT_PATH)))
			goto oom;
		n++;
	}
	qsort(out, n, sizeof(*out), cmp_key);
	return out;
oom:
	env_free(out);
	return NULL;
}
