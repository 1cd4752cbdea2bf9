/* fortify_compat.h - glibc fortify entry points for libcap.a under musl. */
#ifndef VMINIT_FORTIFY_COMPAT_H
#define VMINIT_FORTIFY_COMPAT_H

#include <stdarg.h>
#include <stddef.h>

int compat_vsprintf_chk(char *s, int flag, size_t slen, const char *fmt, va_list ap);
int compat_sprintf_chk(char *s, int flag, size_t slen, const char *fmt, ...);
int compat_snprintf_chk(char *s, size_t maxlen, int flag, size_t slen, const char *fmt, ...);
int compat_asprintf_chk(char **ret, int flag, const char *fmt, ...);

#endif
