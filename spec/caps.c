/* spec/caps.c - capability names (x-capabilities, docs/spec.md).
 *
 * Owns: a name to its number and back, for the reader (process.c) and the
 * canonical form (print.c).
 * Invariants: only numbers 0..CAP_LAST_CAP of this build's
 * linux/capability.h exist here, never what the running kernel knows: a
 * spec means the same on every kernel. The table is ours rather than
 * libcap's cap_from_name: libcap's text functions come in one object that
 * brings ~16 KB into PID 1, and they read "12" or "chown!" as names.
 * tests/unit/spec/test_caps.c checks the table against libcap's.
 */
#include "spec_int.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* By number, as in linux/capability.h, without CAP_. */
static const char caps_names[][20] = {
	"CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID",
	"SETUID", "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST",
	"NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO",
	"SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
	"SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE",
	"AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM",
	"BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE",
};
_Static_assert(sizeof(caps_names) / sizeof(caps_names[0]) == CAP_LAST_CAP + 1,
	       "linux/capability.h has capabilities this table does not name");

int spec_cap_number(const char *name)
{
	if (!strncasecmp(name, "CAP_", 4))
		name += 4;
	for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
		if (!strcasecmp(name, caps_names[cap]))
			return cap;
	return -1;
}

void spec_cap_name(int cap, char *ret, size_t len)
{
	snprintf(ret, len, "%s", cap >= 0 && cap <= CAP_LAST_CAP ? caps_names[cap] : "?");
}
