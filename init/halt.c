/* halt.c - the last steps of PID 1.
 *
 * In a VM (PID 1 of the kernel's first PID namespace): one sync, then every
 * mount but / is unmounted, deepest first (lazily if busy: its data was
 * synced first); / itself is made read-only for this mount only (MS_BIND),
 * which never reaches a superblock another namespace shares. Then reboot(2),
 * the power-off.
 *
 * In a PID namespace (a container, the behaviour tests) none of that: the
 * kernel is not ours and goes on running, so nothing is lost at our end and a
 * sync would only write back the host's file systems (milliseconds, for
 * nothing of ours); the mounts are the namespace's and end with it, or are
 * the host's (a PID namespace without a mount namespace of its own), which
 * must never be unmounted. reboot(2) there ends the namespace's init.
 *
 * If reboot() fails, PID 1 parks forever instead of returning: returning
 * would panic the kernel.
 */
#include "halt.h"
#include "base/console.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <unistd.h>

#define MAX_MOUNTS 512

static void unescape(char *s)   /* mountinfo octal escapes: \040 etc. */
{
	char *o = s;
	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] && s[3]) {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

static void unmount_all(void)
{
	static char paths[MAX_MOUNTS][256];
	char line[1024];
	int n = 0;
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return;
	while (n < MAX_MOUNTS && fgets(line, sizeof(line), f)) {
		/* id parent major:minor root mountpoint ... */
		char *save = NULL, *tok = strtok_r(line, " ", &save);
		for (int i = 0; tok && i < 4; i++)
			tok = strtok_r(NULL, " ", &save);
		if (!tok)
			continue;
		unescape(tok);
		snprintf(paths[n++], sizeof(paths[0]), "%s", tok);
	}
	fclose(f);
	/* mountinfo lists parents before children: undo in reverse. */
	for (int i = n - 1; i >= 0; i--) {
		if (!strcmp(paths[i], "/"))
			continue;
		if (umount2(paths[i], 0) < 0 && errno != EINVAL && errno != ENOENT)
			umount2(paths[i], MNT_DETACH);
	}
	mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL);
}

/* 1 if PID 1 is the kernel's own (a VM), 0 in a PID namespace of another's
 * kernel. Asked of reboot(2) itself, the call that ends us: Ctrl-Alt-Del
 * off succeeds only for the first PID namespace's init (boot set it off
 * already: a no-op); in another namespace it fails (EINVAL), as it does
 * without CAP_SYS_BOOT, where no power-off of ours could follow. One call,
 * no /proc lookup (stat of /proc/self/ns/pid: tens of us on the path from
 * the last child's exit to PID 1's). */
static int halt_in_vm(void)
{
	return reboot(RB_DISABLE_CAD) == 0;
}

void halt_system(enum spec_halt how)
{
	/* Its lines in one write, by the drain before each step that can end
	 * us (never undone: nothing comes after). */
	console_batch(1);
	if (halt_in_vm()) {
		/* The one sync: the volumes were written back by their own
		 * remount read-only (storage_shutdown); this is the rest. */
		sync();
		log_info("unmounting file systems");
		console_drain(1000);
		/* No second sync: nothing is left to write after the first (no
		 * process runs), and an unmount writes its file system back. */
		unmount_all();
	} else {
		log_info("in a PID namespace, not a VM: no sync, no unmounts");
	}
	log_info("%s", how == SPEC_HALT_REBOOT ? "rebooting" : "powering off");
	console_drain(2000);
	reboot(how == SPEC_HALT_REBOOT ? RB_AUTOBOOT : RB_POWER_OFF);
	log_error("reboot: %s; halting here", strerror(errno));
	console_drain(2000);
	for (;;)
		pause();
}
