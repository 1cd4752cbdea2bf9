/* svc_table.c - docs/supervisor.md's table of a process's life, printed from
 * the code's own table (supervisor/svc.c, its words in svc_doc.c).
 *
 *   svc-table               print the table and its legend (markdown)
 *   svc-table --check FILE  exit 1 if FILE's copy (between the markers
 *                           below) differs from the code's: `make docs-check`
 *   svc-table --write FILE  replace FILE's copy: `make docs-table`
 *
 * Built against the same supervisor/svc.c as PID 1 (Makefile: build/svc-table).
 */
#include "supervisor/svc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BEGIN "<!-- svc-table: made by `make docs-table` from supervisor/svc.c; `make docs-check` compares -->\n"
#define END "<!-- /svc-table -->\n"

struct buf {
	char *p;
	size_t len, cap;
};

static void put(struct buf *b, const char *s)
{
	size_t n = strlen(s);
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = realloc(b->p, b->cap);
		if (!b->p) {
			perror("svc-table");
			exit(2);
		}
	}
	memcpy(b->p + b->len, s, n + 1);
	b->len += n;
}

static void table(struct buf *b)
{
	put(b, "| row (state) |");
	for (int in = 0; in < SVC_IN_N; in++) {
		put(b, " ");
		put(b, svc_input_name(in));
		put(b, " |");
	}
	put(b, "\n| --- |");
	for (int in = 0; in < SVC_IN_N; in++)
		put(b, " --- |");
	put(b, "\n");
	for (int r = 0; r < SVC_SUB_N; r++) {
		put(b, "| `");
		put(b, svc_sub_name(r));
		put(b, "` (");
		put(b, svc_state_name(svc_sub_state(r)));
		put(b, ") |");
		for (int in = 0; in < SVC_IN_N; in++) {
			put(b, " ");
			put(b, svc_act_name(svc_cell(r, in)));
			put(b, " |");
		}
		put(b, "\n");
	}
	put(b, "\n| action | what it does |\n| --- | --- |\n");
	for (int a = 0; a < SVC_ACT_N; a++) {
		put(b, "| ");
		put(b, svc_act_name(a));
		put(b, " | ");
		put(b, svc_act_doc(a));
		put(b, " |\n");
	}
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	struct buf b = { 0 };
	char chunk[4096];
	size_t n;
	if (!f) {
		perror(path);
		exit(2);
	}
	put(&b, "");
	while ((n = fread(chunk, 1, sizeof(chunk) - 1, f)) > 0) {
		chunk[n] = '\0';
		put(&b, chunk);
	}
	fclose(f);
	return b.p;
}

int main(int argc, char **argv)
{
	struct buf want = { 0 };
	char *doc, *from, *to;
	put(&want, "");
	table(&want);
	if (argc == 1) {
		fputs(want.p, stdout);
		return 0;
	}
	if (argc != 3 || (strcmp(argv[1], "--check") && strcmp(argv[1], "--write"))) {
		fprintf(stderr, "usage: svc-table [--check|--write FILE]\n");
		return 2;
	}
	doc = slurp(argv[2]);
	from = strstr(doc, BEGIN);
	to = from ? strstr(from, END) : NULL;
	if (!to) {
		fprintf(stderr, "%s: no table between the markers\n%s%s", argv[2], BEGIN, END);
		return 1;
	}
	from += strlen(BEGIN);
	if (!strcmp(argv[1], "--check")) {
		if ((size_t)(to - from) == want.len && !memcmp(from, want.p, want.len))
			return 0;
		fprintf(stderr, "%s: the table of a process's life differs from supervisor/svc.c; "
			"`make docs-table` rewrites it. The code's table:\n%s", argv[2], want.p);
		return 1;
	}
	{
		FILE *f = fopen(argv[2], "w");
		if (!f || fwrite(doc, 1, (size_t)(from - doc), f) != (size_t)(from - doc) ||
		    fputs(want.p, f) < 0 || fputs(to, f) < 0 || fclose(f) != 0) {
			perror(argv[2]);
			return 2;
		}
	}
	return 0;
}
