/* plain_ref.h - the tests' oracle for a log line's "plain" flag
 * (supervisor/output.c): what enc_log may copy as it is, byte by byte. */
#ifndef VMINIT_TESTS_PLAIN_REF_H
#define VMINIT_TESTS_PLAIN_REF_H

#include <stddef.h>

/* 1 when no byte of s[0..n) is below 0x20, over 0x7f, '"' or '\\'. */
static inline int plain_ref(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c > 0x7f || c == '"' || c == '\\')
			return 0;
	}
	return 1;
}

#endif
