/* envfile.h - read an env file (KEY=VALUE lines, the format vminit writes
 * to /run/secrets/platform.env, docs/secrets.md) into "KEY=VALUE" strings,
 * for `vminitctl secrets --file`. */
#ifndef VMINIT_ENVFILE_H
#define VMINIT_ENVFILE_H

#include <stddef.h>

/* Parse len bytes of text. Each entry is a malloc'd "KEY=VALUE" (escapes
 * undone), in file order, at most max. The count, or -1 with why in err
 * ("line N: ..."; never a value). Free with envfile_free. */
int envfile_parse(const char *text, size_t len, char **ret, size_t max, char *err, size_t errlen);
void envfile_free(char **v, size_t n);   /* wipes each string first */

#endif
