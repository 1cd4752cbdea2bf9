/* fortify_compat.c - the glibc-only symbols Debian's libcap.a calls.
 *
 * Debian builds libcap.a against glibc with _FORTIFY_SOURCE, so it calls
 * __sprintf_chk, __snprintf_chk and __asprintf_chk, which musl does not have.
 * These give them glibc's meaning: format as usual, and when the output would
 * overrun the object size the compiler passed (slen), stop the program, as
 * fortify does: a write past the buffer is worse than an abort, and PID 1
 * turns a SIGABRT into a logged, clean power-off (init/vminit.c).
 *
 * The implementations are compat_* so the glibc unit tests can call them; the
 * musl build (VMINIT_EXPORT_FORTIFY) also exports them under glibc's names.
 */
#include "fortify_compat.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static _Noreturn void chk_fail(void)
{
	static const char msg[] = "vminit: buffer overflow detected in a fortified call\n";
	if (write(2, msg, sizeof(msg) - 1) < 0) {
		/* nothing more to do */
	}
	abort();
}

int compat_vsprintf_chk(char *s, int flag, size_t slen, const char *fmt, va_list ap)
{
	int n;
	(void)flag;
	if (slen == 0)
		chk_fail();
	n = vsnprintf(s, slen, fmt, ap);
	if (n >= 0 && (size_t)n >= slen)
		chk_fail();
	return n;
}

int compat_sprintf_chk(char *s, int flag, size_t slen, const char *fmt, ...)
{
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = compat_vsprintf_chk(s, flag, slen, fmt, ap);
	va_end(ap);
	return n;
}

int compat_snprintf_chk(char *s, size_t maxlen, int flag, size_t slen, const char *fmt, ...)
{
	va_list ap;
	int n;
	(void)flag;
	if (maxlen > slen)
		chk_fail();
	va_start(ap, fmt);
	n = vsnprintf(s, maxlen, fmt, ap);
	va_end(ap);
	return n;
}

int compat_asprintf_chk(char **ret, int flag, const char *fmt, ...)
{
	va_list ap;
	int n;
	(void)flag;
	va_start(ap, fmt);
	n = vasprintf(ret, fmt, ap);
	va_end(ap);
	return n;
}

#ifdef VMINIT_EXPORT_FORTIFY
int __sprintf_chk(char *s, int flag, size_t slen, const char *fmt, ...)
	__attribute__((alias("compat_sprintf_chk")));
int __snprintf_chk(char *s, size_t maxlen, int flag, size_t slen, const char *fmt, ...)
	__attribute__((alias("compat_snprintf_chk")));
int __asprintf_chk(char **ret, int flag, const char *fmt, ...)
	__attribute__((alias("compat_asprintf_chk")));
#endif
