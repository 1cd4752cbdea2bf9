/* spec.h - the guest spec: the manifest (schema v1) plus guest-only fields.
 *
 * docs/spec.md is the contract; this header is its in-memory form after
 * defaults are applied. A loaded spec is immutable. Strings are UTF-8 without
 * NUL; string vectors are NULL-terminated.
 */
#ifndef VMINIT_SPEC_H
#define VMINIT_SPEC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SPEC_MAX_BYTES   (1024u * 1024u)  /* a bigger file is refused */
#define SPEC_MAX_ERRORS  200u             /* more are counted, not kept */
#define SPEC_MAX_INDEX   999              /* ports.N, mounts.N, volumes.N */
#define SPEC_MAX_PROCESSES 128            /* each needs 4 fds and 3 timers in PID 1 */
#define SPEC_SECRETS_PATH "/run/secrets/platform.env"
#define SPEC_HEALTH_PATH_MAX 768           /* what a check's request line holds */
/* resources.x-pids_max (docs/resources.md): at most this many tasks
 * (processes and threads) in a process's cgroup; 1..SPEC_PIDS_LIMIT. */
#define SPEC_PIDS_DEFAULT 4096
#define SPEC_PIDS_LIMIT   4194304            /* the kernel's pid_max limit */
/* What a process running as root keeps of the capabilities, unless
 * x-capabilities says otherwise: the default set of Docker and of the OCI
 * runtime spec (CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP
 * NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP), by number
 * (linux/capability.h) so that this header needs no libcap. */
#define SPEC_CAP_BIT(n) (1ull << (n))
#define SPEC_CAPS_DEFAULT (SPEC_CAP_BIT(0) | SPEC_CAP_BIT(1) | SPEC_CAP_BIT(3) | \
	SPEC_CAP_BIT(4) | SPEC_CAP_BIT(5) | SPEC_CAP_BIT(6) | SPEC_CAP_BIT(7) | \
	SPEC_CAP_BIT(8) | SPEC_CAP_BIT(10) | SPEC_CAP_BIT(13) | SPEC_CAP_BIT(18) | \
	SPEC_CAP_BIT(27) | SPEC_CAP_BIT(29) | SPEC_CAP_BIT(31))

enum spec_restart { SPEC_RESTART_ALWAYS, SPEC_RESTART_ON_FAILURE, SPEC_RESTART_NEVER };
enum spec_halt { SPEC_HALT_POWEROFF, SPEC_HALT_REBOOT };
enum spec_health_type { SPEC_HEALTH_TCP, SPEC_HEALTH_HTTP, SPEC_HEALTH_PROCESS /* x-liveness only */ };
/* x-depends_on conditions (docs/health.md). */
enum spec_dep_cond { SPEC_DEP_STARTED, SPEC_DEP_HEALTHY, SPEC_DEP_SUCCEEDED };
/* x-secrets_reload: what a running process gets when a new secrets bundle
 * version arrives (docs/spec.md section 4). */
enum spec_reload { SPEC_RELOAD_NONE, SPEC_RELOAD_RESTART, SPEC_RELOAD_SIGNAL };

struct spec_strv {
	char **v;      /* NULL-terminated; NULL when n == 0 and unset */
	size_t n;
	int set;       /* present in the file (an empty list counts) */
};

struct spec_port {
	char *name;          /* given or derived "p<internal>" */
	int name_derived;
	int internal;
	char *protocol;      /* "tcp" */
};

struct spec_health {
	int present;
	enum spec_health_type type;
	char *port_name;     /* as written when given by name, else NULL */
	int port;            /* resolved port number */
	char *path;          /* http only (NULL otherwise unless given) */
	int interval, timeout, grace, success_threshold, failure_threshold;
};

struct spec_dep {
	char *name;
	enum spec_dep_cond cond;
	size_t index;        /* of the process named, once the spec is valid */
};

struct spec_mount {
	char *volume;
	char *path;
	int read_only;
};

struct spec_process {
	char *name;
	int line;                      /* of its section header */
	struct spec_strv command;
	char *workdir, *user;          /* NULL when not given here */
	struct spec_strv vars;         /* "KEY=value", sorted by key, unique */
	struct spec_strv prestart;
	int prestart_timeout;
	enum spec_restart restart;
	int max_retries;               /* on-failure only */
	int backoff;                   /* seconds */
	char *memory; uint64_t memory_bytes;
	double cpu;
	char *disk; uint64_t disk_bytes;
	int scale_min, scale_max;
	struct spec_port *ports; size_t nports;
	struct spec_health health;     /* the schema's: readiness */
	/* extensions, marked x- (docs/health.md) */
	struct spec_health liveness;   /* x-liveness */
	int startup_timeout;           /* x-startup_timeout_seconds; 0: none */
	struct spec_dep *deps; size_t ndeps;   /* x-depends_on */
	int deps_line;
	struct spec_mount *mounts; size_t nmounts;
	int secrets_required;
	enum spec_reload secrets_reload;   /* x-secrets_reload */
	int secrets_reload_signal;         /* SIGNAL only: its number */
	/* docs/resources.md */
	long pids_max;                 /* resources.x-pids_max: the bound of its
	                                * cgroup's tasks; SPEC_PIDS_DEFAULT */
	uint64_t cap_add, cap_drop;    /* x-capabilities.add / .drop: bit
	                                * (1ull << CAP_X) per name; "ALL" every
	                                * bit up to this build's CAP_LAST_CAP */
	int caps_line;                 /* of x-capabilities.add, else .drop, or 0 */
	/* derived: what a root process of this spec runs with: the
	 * capabilities in its effective, permitted and bounding sets,
	 * (SPEC_CAPS_DEFAULT & ~cap_drop) | cap_add. No name is in both lists
	 * but with drop ALL ("only these"), so this is also
	 * (SPEC_CAPS_DEFAULT | cap_add) & ~cap_drop whenever drop is not ALL.
	 * A process that runs as any other user gets none. */
	uint64_t caps;
	/* derived: what actually runs; borrowed, never freed on its own */
	struct spec_strv argv;         /* command, else the spec's image_argv */
	/* the wrap form only (spec_wrap_new; no file can set it): stdin,
	 * stdout and stderr are PID 1's own (no pipes, no relay), and it keeps
	 * PID 1's privileges (no bounding set, no read-only /proc/sys). */
	int wrapped;
};

/* Where a block device is (docs/storage.md): a locator, as written in a
 * guest section's `device`, parsed. */
enum spec_loc_kind { SPEC_LOC_NONE, SPEC_LOC_PATH, SPEC_LOC_SERIAL, SPEC_LOC_INDEX };
#define SPEC_SERIAL_MAX 20           /* virtio-blk's serial: 20 bytes */
#define SPEC_DEVICE_INDEX_MAX 255
#define SPEC_WAIT_MAX 3600
#define SPEC_WAIT_DEFAULT 10

struct spec_device {
	enum spec_loc_kind kind;       /* NONE: not given */
	char *text;                    /* as written: "/dev/vdb", "serial:data", "index:1" */
	const char *value;             /* PATH: the path; SERIAL: the serial (inside text) */
	unsigned index;                /* INDEX: 0 is the first disk attached */
	int wait;                      /* wait_seconds: how long it may take to appear */
	int line;                      /* of its section header */
};

/* The file systems vminit mounts. */
enum spec_fs { SPEC_FS_EXT4, SPEC_FS_SQUASHFS, SPEC_FS_EROFS };

/* The guest's network (docs/network.md): [guest.network] and
 * [guest.network.interfaces.NAME]. */
#define SPEC_NET_MAX_IFACES 8
#define SPEC_NET_MAX_ADDRS 16          /* per interface */
#define SPEC_NET_MAX_DNS 3             /* resolv.conf's nameserver limit */
#define SPEC_NET_MAX_SEARCH 6
#define SPEC_NET_MAX_HOSTS 64
#define SPEC_NET_LINK_WAIT_DEFAULT 5   /* seconds a missing link is waited for */
#define SPEC_NET_LINK_WAIT_MAX 300

/* An IP address, with its prefix length for an interface address (-1 for a
 * plain address: a gateway, a DNS server). family 0: none. */
struct spec_ip {
	int family;                    /* AF_INET, AF_INET6, or 0 */
	int prefix;
	unsigned char addr[16];        /* network order; 4 bytes for AF_INET */
};

struct spec_iface {
	char *name;                    /* the section's NAME: a label for status */
	int line;                      /* of its section header */
	int has_mac;
	unsigned char mac[6];          /* mac = "52:54:00:12:34:56" */
	int mtu;                       /* 0: leave the kernel's */
	struct spec_ip addrs[SPEC_NET_MAX_ADDRS];
	size_t naddrs;
	struct spec_ip gw4, gw6;       /* default routes' gateways; family 0: none */
};

struct spec_volume {
	char *name;
	char *size; uint64_t size_bytes;
	char *filesystem;
	int backup_enabled;
	struct spec_device dev;        /* [guest.volumes.NAME]; kind NONE when absent */
};

struct spec {
	char *path;
	char *app_name, *app_description;
	char *image_ref, *pull_policy;
	struct {
		struct spec_strv vars;
		char *workdir, *user;
		struct spec_strv prestart;
		int prestart_timeout;
	} env;
	struct spec_process *procs; size_t nprocs;   /* sorted by name */
	struct spec_volume *vols; size_t nvols;      /* in index order */
	struct {
		char *hostname;
		enum spec_halt halt;
		int stop_timeout;
		int backoff_max;
		int reset_after;
		struct spec_strv control;   /* listen addresses (docs/protocol.md) */
		char *push;                 /* push address, or NULL */
	} guest;
	/* [guest.root]: the image's root file system (docs/storage.md). dev.kind
	 * NONE: stay in the initramfs (no root switch). */
	struct {
		struct spec_device dev;
		enum spec_fs fs;            /* filesystem: required with device */
		struct spec_strv writable;  /* set: the strict form, no overlay:
		                             * only these absolute paths are writable */
		char *tmpfs_size; uint64_t tmpfs_bytes;  /* the writes' tmpfs when there
		                             * is no scratch disk; default "256Mi" */
	} root;
	/* [guest.scratch]: the instance's scratch disk (resources.disk), where
	 * the root's writes go. dev.kind NONE: none (a tmpfs instead). */
	struct {
		struct spec_device dev;
	} scratch;
	/* [guest.network]: set when the section or an interface is given. */
	struct {
		int set;
		int required;               /* processes wait until it is applied */
		int link_wait;              /* link_wait_seconds */
		struct spec_ip dns[SPEC_NET_MAX_DNS]; size_t ndns;
		struct spec_strv search;    /* dns_search: domain names */
		struct spec_strv hosts;     /* "ADDR NAME [NAME...]", as given */
		struct spec_iface ifaces[SPEC_NET_MAX_IFACES]; size_t nifaces;
	} net;
	struct {
		struct spec_strv entrypoint, cmd, env;
		char *workdir, *user;
	} image;
	/* entrypoint + cmd, shared by every process without a command; its
	 * strings belong to image.entrypoint and image.cmd */
	struct spec_strv image_argv;
	/* "file:line: key: message", in file order */
	char **errors; size_t nerrors;
	size_t errors_dropped;
};

/* An address as text: "fdaa::2/64", "10.0.0.1" (prefix -1). 0, or -1 when it
 * does not fit in len (64 is always enough). */
int spec_ip_print(const struct spec_ip *ip, char *buf, size_t len);

/* Parse and validate. Returns NULL only when out of memory; otherwise a spec
 * whose nerrors says whether it may be used. */
struct spec *spec_load_file(const char *path);
struct spec *spec_load_buffer(const char *name, const char *buf, size_t len);
/* The wrap form's spec (docs/wrap.md): one process SPEC_WRAP_NAME running
 * argv (copied, argv[0] non-empty), restart never, no memory limit, the
 * strings of envp that hold '=' as the image's env, the current directory
 * as its workdir, `wrapped` set. NULL when argv is empty or out of memory. */
#define SPEC_WRAP_NAME "main"
struct spec *spec_wrap_new(char *const *argv, char *const *envp);
void spec_free(struct spec *s);

/* Write the canonical form (defaults applied, stable order). */
int spec_print(const struct spec *s, FILE *out);

const struct spec_process *spec_find_process(const struct spec *s, const char *name);
const char *spec_restart_name(enum spec_restart r);
/* "started", "healthy" or "succeeded": x-depends_on's spelling, which status
 * and events use too. */
const char *spec_dep_cond_name(enum spec_dep_cond c);

/* Helpers shared with the printer and tests. */
int spec_parse_size(const char *s, uint64_t *ret_bytes);
int spec_path_is_under(const char *path, const char *dir);
/* "ext4", "squashfs", "erofs". */
const char *spec_fs_name(enum spec_fs fs);

#endif
