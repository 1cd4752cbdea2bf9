/* spec/spec_int.h - what the spec's own files share. Not for other folders:
 * the spec's public face is spec.h (value.h for the literal syntax).
 *
 * Reading a spec is a pipeline, one concern a file (docs/spec.md, "How a
 * spec is read"):
 *   read.c      bytes -> entries (section, key, text, line): inih behind a
 *               guard that refuses what inih would mangle; then the entries
 *               grouped by section and sorted by key, and spec_take()
 *   typed.c     an entry's value as the type its field wants (getters)
 *   sections.c  each section's kind from one table, and its handler; the
 *               small sections ([app], [image], [env], [guest], ...)
 *   process.c   [processes.NAME] and its tables (ports, health, mounts, ...)
 *   checks.c    rules that join fields of different tables or sections
 *   load.c      the entry points: load a buffer or a file, free, find
 *   errors.c    the error list: "file:line: key: message", in line order
 *
 * Invariant for every step: errors are raised in the same order for the same
 * input, because only the first SPEC_MAX_ERRORS raised are kept (then sorted
 * by line). A step that moves code must keep the order of its calls.
 */
#ifndef VMINIT_SPEC_INT_H
#define VMINIT_SPEC_INT_H

#include "spec.h"
#include "value.h"

#include <linux/capability.h>
#include <stddef.h>
#include <stdint.h>

#define SEC_TOP ((size_t)-1)        /* keys before the first header */
#define SEC_REJECTED ((size_t)-2)   /* keys under a rejected header */

/* One "key = value" line, with its continuation lines joined. */
struct spec_entry {
	size_t sec;          /* index in parse.sec, or SEC_TOP / SEC_REJECTED */
	char *key;
	char *text;
	size_t len, cap;     /* of text: a continued value grows in place */
	int line;
	int used;            /* taken by a getter; what is left is unknown */
};

struct spec_kind;        /* a row of the section table (sections.c) */

struct spec_sect {
	char *name;
	int line;
	struct spec_entry **e;   /* sorted by key, then line, once grouped: spec_take() bisects */
	size_t n, cap;
	const struct spec_kind *kind;   /* NULL: not read (unknown, or reported) */
	int dup;             /* a later header of a name already given: ignored */
};

struct spec_error_item;  /* errors.c */

/* The state of one load, from the bytes to the finished struct spec. */
struct spec_parse {
	struct spec *s;
	struct spec_error_item *errs; size_t nerrs;
	const char *file;
	/* the reader */
	const char *buf;
	size_t len, pos;
	int lineno;
	int cont;            /* the line handed to inih continues a value */
	int last_was_key;    /* previous non-blank line was a key or continuation */
	int bad_header;      /* the current line is a rejected section header */
	/* entries and sections */
	struct spec_entry *ent; size_t nent, capent;
	struct spec_sect *sec; size_t nsec, capsec;
	size_t cur;          /* the section later keys belong to (SEC_*, or an index) */
	/* the sections' handlers */
	size_t procs_read;   /* [processes.NAME] sections read so far */
	int oom;
};

/* One section being read: where its keys are, and how they are named in
 * errors. */
struct spec_ctx {
	struct spec_parse *p;
	struct spec_sect *sec;
	const char *prefix;   /* for error keys: "processes.web." */
	const char *name;     /* the NAME of [processes.NAME], [guest.volumes.NAME] */
};

/* errors.c: raise an error at line (1 when lower), for key (may be NULL),
 * counted only once SPEC_MAX_ERRORS are kept. spec_key_error() prefixes
 * the key with the section's dotted path. */
void spec_error(struct spec_parse *p, int line, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void spec_key_error(struct spec_ctx *c, int line, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Hand the errors to the spec in file order; -1 when out of memory. */
int spec_errors_move(struct spec_parse *p);
void spec_errors_free(struct spec_parse *p);
/* strdup that marks p out of memory on failure. */
char *spec_strdup(struct spec_parse *p, const char *s);

/* read.c */
void spec_read(struct spec_parse *p);      /* inih over p->buf: entries, sections */
int spec_group(struct spec_parse *p);      /* entries by section, sorted; -1: out of memory */
struct spec_entry *spec_take(struct spec_ctx *c, const char *key);

/* typed.c: each getter returns 1 set, 0 absent (ret untouched), -1 error
 * (reported, nothing left in ret to free). */
int spec_typed(struct spec_ctx *c, struct spec_entry *e, enum val_type want, int or_int,
	       struct val *ret);
int spec_get_str(struct spec_ctx *c, const char *key, char **ret, int *ret_line);
int spec_get_int(struct spec_ctx *c, const char *key, long long min, long long max,
		 int *ret, int *ret_line);
int spec_get_bool(struct spec_ctx *c, const char *key, int *ret);
int spec_get_strv(struct spec_ctx *c, const char *key, struct spec_strv *ret, int *ret_line);
int spec_get_table(struct spec_ctx *c, const char *key);
int spec_get_vars(struct spec_ctx *c, const char *key, int strict, struct spec_strv *ret);
int spec_get_command(struct spec_ctx *c, const char *key, struct spec_strv *ret);
int spec_get_enum(struct spec_ctx *c, const char *key, const char *const *allowed, int *ret);
int spec_get_size(struct spec_ctx *c, const char *key, uint64_t min, const char *minstr,
		  char **ret, uint64_t *ret_bytes);
int spec_get_user(struct spec_ctx *c, const char *key, char **ret);
int spec_get_abs_path(struct spec_ctx *c, const char *key, char **ret, int *ret_line);
/* A device locator: sets ret's kind, text, value and index (docs/spec.md). */
#define SPEC_LOCATOR_FORMS "must be an absolute path, \"serial:NAME\" or \"index:N\""
int spec_get_device(struct spec_ctx *c, const char *key, struct spec_device *ret, int *ret_line);
/* Indexed tables ("ports.N.field"): the count, or -1 (reported). */
int spec_count_indexed(struct spec_ctx *c, const char *base);
void spec_report_unused(struct spec_ctx *c);   /* every key left is unknown */
int spec_match_name(const char *s);   /* [a-z][a-z0-9-]{0,31} */
void spec_strv_free(struct spec_strv *v);

/* sections.c: classify every section, then read each one. */
void spec_sections(struct spec_parse *p);

/* process.c */
void spec_read_process(struct spec_ctx *c);
/* "/a/./b/../c//" -> "/a/c", lexically (out: at least PATH_MAX bytes). */
void spec_normalize_path(const char *in, char *out, size_t outlen);
/* "/proc", "/sys" or "/dev" when a normalised path is that or under it, else
 * NULL: the kernel's file systems, which no spec may cover. */
const char *spec_path_kernel_fs(const char *norm);

/* caps.c: capability names. "ALL" in x-capabilities is every capability
 * of this build's linux/capability.h (CAP_LAST_CAP), whatever the kernel. */
#define SPEC_CAPS_ALL ((2ull << CAP_LAST_CAP) - 1)
/* A name's number: "NET_ADMIN", "cap_net_admin", any case; -1 when it is
 * not one. */
int spec_cap_number(const char *name);
/* The spec's form of a number's name: "NET_ADMIN" (upper case, no CAP_),
 * "?" for a number out of 0..CAP_LAST_CAP. */
void spec_cap_name(int cap, char *ret, size_t len);

/* checks.c: the rules across tables and sections. The handlers call the
 * first six where they read the field; spec_check() runs once every section
 * is read. */
struct spec_volume *spec_find_volume(struct spec *s, const char *name);
void spec_check_volume_names(struct spec_parse *p, const int *name_line, const int *vol_index);
void spec_check_port_names(struct spec_ctx *c, struct spec_process *pr, const int *lines);
void spec_check_health_port(struct spec_ctx *c, struct spec_process *pr, struct spec_entry *e,
			    struct spec_health *h);
void spec_check_device(struct spec_ctx *c, const struct spec_device *d, int line);
void spec_check_writable(struct spec_ctx *c, const struct spec_strv *w, int line);
void spec_check(struct spec_parse *p);
/* network.c: [guest.network], [guest.network.interfaces.NAME], and the
 * rules across interfaces. */
void spec_read_network(struct spec_ctx *c);
void spec_read_iface(struct spec_ctx *c);
void spec_check_network(struct spec_parse *p);

#endif
