/* modules.h - kernel modules the image asks for, loaded once at boot.
 *
 * The image lists them in /etc/vminit/modules, one per line, in load order
 * (docs/qemu.md): a module name, resolved with its dependencies through
 * modules.dep as modprobe would, or a path to a .ko (absolute, or relative to
 * /lib/modules/RELEASE), optionally followed by parameters. Each is loaded
 * with finit_module(2). A module that fails is reported (console, status,
 * events), never fatal: PID 1 comes up without it.
 */
#ifndef VMINIT_MODULES_H
#define VMINIT_MODULES_H

#include <stdint.h>

#define MODULES_LIST "/etc/vminit/modules"
#define MODULES_MAX_ENTRIES 256
#define MODULES_MAX_FAILURES 16    /* kept with their reasons; the rest counted */

struct modules_failure {
	char module[64];
	char error[128];
};

struct modules_report {
	int present;                   /* the list was read */
	unsigned loaded;               /* finit_module succeeded */
	unsigned already;              /* already in the kernel (EEXIST) */
	unsigned builtin;              /* named, and built into the kernel */
	unsigned failed;
	unsigned nfail;                /* <= MODULES_MAX_FAILURES */
	struct modules_failure fail[MODULES_MAX_FAILURES];
	int64_t ms;                    /* how long loading took */
};

/* Load one module file with parameters: 0, or a negative errno. */
typedef int (*modules_load_fn)(const char *path, const char *params, void *ctx);

/* Load what list names, dir being /lib/modules/RELEASE. A missing list is
 * not an error (r->present stays 0). */
void modules_load_list(const char *list, const char *dir, modules_load_fn load, void *ctx,
		       struct modules_report *r);

/* The real loader: open(2) + finit_module(2). */
int modules_finit(const char *path, const char *params, void *ctx);
/* finit_module's flags for the file at path: MODULE_INIT_COMPRESSED_FILE for
 * a compressed module (.ko.xz, .ko.zst, .ko.gz), else 0. */
int modules_finit_flags(const char *path);

/* PID 1 at boot: MODULES_LIST from /lib/modules/$(uname -r), with
 * modules_finit; failures are logged on the console. */
void modules_boot(struct modules_report *r);

#endif
