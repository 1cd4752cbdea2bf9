/* vmgen.c - the kernel's notices of a VM fork (see vmgen.h). Nothing is
 * allocated; nothing is read past len; no byte is assumed a NUL. */
#include "vmgen.h"

#include <string.h>

#define VMGEN_FIELD "NEW_VMGENID=1"
#define VMGEN_KMSG_TEXT "crng reseeded due to virtual machine fork"

int vmgen_uevent(const char *buf, size_t len)
{
	/* "ACTION@DEVPATH\0KEY=VALUE\0...": fields end at a NUL or at len. */
	size_t i = 0;
	while (i < len) {
		const char *end = memchr(buf + i, '\0', len - i);
		size_t n = end ? (size_t)(end - (buf + i)) : len - i;
		if (n == sizeof(VMGEN_FIELD) - 1 && !memcmp(buf + i, VMGEN_FIELD, n))
			return 1;
		i += n + 1;
	}
	return 0;
}

int vmgen_kmsg(const char *buf, size_t len)
{
	size_t i = 0;
	unsigned pri = 0;
	const char *semi, *nl;
	/* The priority: digits up to ','. Facility 0 is the kernel's: a
	 * write to /dev/kmsg is given facility 1 (user) at least. */
	while (i < len && i < 8 && buf[i] >= '0' && buf[i] <= '9')
		pri = pri * 10 + (unsigned)(buf[i++] - '0');
	if (i == 0 || i >= len || buf[i] != ',' || pri >> 3 != 0)
		return 0;
	semi = memchr(buf + i, ';', len - i);
	if (!semi)
		return 0;
	semi++;
	/* The text ends at the first newline (continuation lines follow). */
	nl = memchr(semi, '\n', len - (size_t)(semi - buf));
	return memmem(semi, (size_t)((nl ? nl : buf + len) - semi), VMGEN_KMSG_TEXT,
		      sizeof(VMGEN_KMSG_TEXT) - 1) != NULL;
}
