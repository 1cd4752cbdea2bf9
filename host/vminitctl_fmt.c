/* vminitctl_fmt.c - how vminitctl prints what vminit answers: the fields of
 * a reply, durations and sizes, stream items, the status table.
 *
 * Everything reads x->r, the reply or item last parsed, and writes to
 * stdout; nothing here talks to vminit. The output is what scripts and
 * tests/channel/t-client.sh read: change it only with them.
 */
#include "vminitctl.h"
#include "channel/proto.h"

#include <stdio.h>
#include <string.h>

/* ---- JSON helpers ---- */

int vctl_tok_len(const struct jr *r, int i)
{
	return r->tok[i].end - r->tok[i].start;
}

const char *vctl_tok_text(const struct jr *r, int i)
{
	return r->js + r->tok[i].start;
}

/* A string field into buf, or dflt when absent, null or not a string. */
const char *vctl_get_str(const struct jr *r, int obj, const char *key, char *buf, size_t cap,
			 const char *dflt)
{
	int i = jr_get(r, obj, key);
	return i >= 0 && jr_str(r, i, buf, cap) >= 0 ? buf : dflt;
}

/* An integer field: 0, or -1 when absent, null or not an integer. */
int vctl_get_int(const struct jr *r, int obj, const char *key, long long *ret)
{
	int i = jr_get(r, obj, key);
	return i >= 0 ? jr_int(r, i, ret) : -1;
}

int vctl_get_bool(const struct jr *r, int obj, const char *key, int dflt)
{
	int i = jr_get(r, obj, key), v;
	return i >= 0 && jr_bool(r, i, &v) == 0 ? v : dflt;
}

/* The bytes of the string at token i, unescaped in place in x->line (an
 * escape is never shorter than what it stands for). Unlike jr_str it keeps
 * NUL and control bytes, which a command's output or a log line may hold.
 * Each token is unescaped at most once. Its length, or -1 if not a string. */
long vctl_str_bytes(struct vctl *x, int i, char **ret)
{
	if (jr_type(&x->r, i) != JR_STRING)
		return -1;
	*ret = x->line + x->r.tok[i].start;
	return jr_bytes(&x->r, i, *ret, (size_t)(x->r.tok[i].end - x->r.tok[i].start) + 1);
}

/* A value for key=value output: a plain string bare, anything else as JSON. */
void vctl_print_value(const struct jr *r, int i)
{
	const char *t = vctl_tok_text(r, i);
	int n = vctl_tok_len(r, i);
	if (jr_type(r, i) == JR_STRING) {
		int plain = n > 0;
		for (int k = 0; k < n && plain; k++)
			plain = (unsigned char)t[k] > ' ' && !strchr("\"\\=", t[k]);
		if (plain)
			printf("%.*s", n, t);
		else
			printf("\"%.*s\"", n, t);
		return;
	}
	printf("%.*s", n, t);
}

/* " key=value" for each field of obj but those named in skip. */
void vctl_print_fields(const struct jr *r, int obj, const char *const *skip)
{
	int k = obj + 1;
	for (int j = 0; j < r->tok[obj].size; j++, k = jr_next(r, k + 1)) {
		int skipped = 0;
		for (const char *const *s = skip; s && *s && !skipped; s++)
			skipped = vctl_tok_len(r, k) == (int)strlen(*s) && !memcmp(vctl_tok_text(r, k), *s, strlen(*s));
		if (skipped)
			continue;
		printf(" %.*s=", vctl_tok_len(r, k), vctl_tok_text(r, k));
		vctl_print_value(r, k + 1);
	}
}

/* ---- formatting ---- */

void vctl_fmt_duration(char *b, size_t n, long long ms)
{
	if (ms < 0)
		ms = 0;
	if (ms < 1000)
		snprintf(b, n, "%lldms", ms);
	else if (ms < 60000)
		snprintf(b, n, "%lld.%llds", ms / 1000, ms % 1000 / 100);
	else if (ms < 3600000)
		snprintf(b, n, "%lldm%02llds", ms / 60000, ms / 1000 % 60);
	else if (ms < 86400000)
		snprintf(b, n, "%lldh%02lldm", ms / 3600000, ms / 60000 % 60);
	else
		snprintf(b, n, "%lldd%02lldh", ms / 86400000, ms / 3600000 % 24);
}

static void fmt_bytes(char *b, size_t n, long long v)
{
	static const char unit[] = "BKMGTPE";
	double d = (double)v;
	int k = 0;
	while (d >= 1024 && k < 6) {
		d /= 1024;
		k++;
	}
	if (k == 0)
		snprintf(b, n, "%lldB", v);
	else if (d < 9.95)
		snprintf(b, n, "%.1f%c", d, unit[k]);
	else
		snprintf(b, n, "%.0f%c", d, unit[k]);
}

void vctl_print_event(struct vctl *x, int ev)
{
	static const char *const skip[] = { "seq", "at_ms", "type", "process", NULL };
	long long at;
	char type[64], proc[PROTO_NAME_MAX];
	if (vctl_get_int(&x->r, ev, "at_ms", &at) == 0 && at >= 0)
		printf("[%5lld.%03lld]", at / 1000, at % 1000);
	else
		printf("[%9s]", "?");
	printf(" %s", vctl_get_str(&x->r, ev, "type", type, sizeof(type), "?"));
	if (vctl_get_str(&x->r, ev, "process", proc, sizeof(proc), NULL))
		printf(" %s", proc);
	vctl_print_fields(&x->r, ev, skip);
	putchar('\n');
}

void vctl_print_log(struct vctl *x, int lg)
{
	char *p, *l;
	long pn = vctl_str_bytes(x, jr_get(&x->r, lg, "process"), &p);
	long ln = vctl_str_bytes(x, jr_get(&x->r, lg, "line"), &l);
	if (pn < 0) {
		p = "-";
		pn = 1;
	}
	if (ln < 0)
		ln = 0;
	fwrite(p, 1, (size_t)pn, stdout);
	fputs(" | ", stdout);
	fwrite(l, 1, (size_t)ln, stdout);
	putchar('\n');
}

enum { COL_NAME, COL_STATE, COL_HEALTH, COL_WANT, COL_PID, COL_RESTARTS, COL_EXIT, COL_UPTIME, COL_RSS, COL_CPU,
       COL_COUNT };

struct row {
	char f[COL_COUNT][PROTO_NAME_MAX];
};

static void status_row(const struct jr *r, int p, struct row *row)
{
	long long v, u, s;
	int e;
	vctl_get_str(r, p, "name", row->f[COL_NAME], sizeof(row->f[0]), "?");
	vctl_get_str(r, p, "state", row->f[COL_STATE], sizeof(row->f[0]), "?");
	/* What the state alone hides: a running process stopped by a signal
	 * (as ps shows T), a start deferred for lack of resources. */
	{
		char why[PROTO_NAME_MAX];
		if (vctl_get_str(r, p, "stopped_by", why, sizeof(why), NULL))
			strcpy(row->f[COL_STATE], "stopped");
		else if (vctl_get_str(r, p, "deferred", why, sizeof(why), NULL))
			strcpy(row->f[COL_STATE], "deferred");
	}
	vctl_get_str(r, p, "want", row->f[COL_WANT], sizeof(row->f[0]), "?");
	for (int c = COL_PID; c < COL_COUNT; c++)
		strcpy(row->f[c], "-");
	/* The readiness state, else the liveness one; what a waiting one waits for. */
	strcpy(row->f[COL_HEALTH], "-");
	if (jr_type(r, e = jr_get(r, p, "health")) == JR_OBJECT) {
		int c = jr_get(r, e, "readiness");
		if (jr_type(r, c) != JR_OBJECT)
			c = jr_get(r, e, "liveness");
		if (jr_type(r, c) == JR_OBJECT)
			vctl_get_str(r, c, "state", row->f[COL_HEALTH], sizeof(row->f[0]), "?");
	}
	{
		char dep[PROTO_NAME_MAX];
		if (vctl_get_str(r, p, "waiting_for", dep, sizeof(dep), NULL))
			snprintf(row->f[COL_HEALTH], sizeof(row->f[0]), "waits %.*s", (int)sizeof(row->f[0]) - 7, dep);
		else if (vctl_get_str(r, p, "blocked", dep, sizeof(dep), NULL))
			strcpy(row->f[COL_STATE], "blocked");
	}
	if (vctl_get_int(r, p, "pid", &v) == 0)
		snprintf(row->f[COL_PID], sizeof(row->f[0]), "%lld", v);
	if (vctl_get_int(r, p, "restarts", &v) == 0)
		snprintf(row->f[COL_RESTARTS], sizeof(row->f[0]), "%lld", v);
	if (jr_type(r, e = jr_get(r, p, "last_exit")) == JR_OBJECT) {
		if (!vctl_get_str(r, e, "signal", row->f[COL_EXIT], sizeof(row->f[0]), NULL)) {
			if (vctl_get_int(r, e, "code", &v) == 0 || vctl_get_int(r, e, "status", &v) == 0)
				snprintf(row->f[COL_EXIT], sizeof(row->f[0]), "%lld", v);
			else
				strcpy(row->f[COL_EXIT], "?");
		}
		/* An OOM kill ended it: say so beside the signal. */
		if (jr_type(r, jr_get(r, e, "oom")) == JR_OBJECT) {
			size_t n = strlen(row->f[COL_EXIT]);
			snprintf(row->f[COL_EXIT] + n, sizeof(row->f[0]) - n, " (oom)");
		}
	}
	if (vctl_get_int(r, p, "uptime_ms", &v) == 0)
		vctl_fmt_duration(row->f[COL_UPTIME], sizeof(row->f[0]), v);
	if (vctl_get_int(r, p, "memory_rss_bytes", &v) == 0)
		fmt_bytes(row->f[COL_RSS], sizeof(row->f[0]), v);
	if (vctl_get_int(r, p, "cpu_user_ms", &u) == 0 && vctl_get_int(r, p, "cpu_system_ms", &s) == 0)
		vctl_fmt_duration(row->f[COL_CPU], sizeof(row->f[0]), u + s);
}

static void print_row(const struct row *row, const int *width)
{
	for (int c = 0; c < COL_COUNT; c++) {
		if (c == COL_COUNT - 1)
			printf("%s\n", row->f[c]);
		else
			printf("%-*s  ", width[c], row->f[c]);
	}
}

/* The root and the volumes, under the processes: a line each. */
static void print_storage(const struct jr *r, int res)
{
	int st = jr_get(r, res, "storage"), root, vols;
	char a[256], b[64], c[64], d[64], e[512];
	long long size, used;
	if (jr_type(r, st) != JR_OBJECT)
		return;
	root = jr_get(r, st, "root");
	vols = jr_get(r, st, "volumes");
	if (jr_type(r, root) == JR_OBJECT) {
		printf("\nroot  %s (%s) %s, %s", vctl_get_str(r, root, "device", a, sizeof(a), "?"),
		       vctl_get_str(r, root, "path", b, sizeof(b), "-"), vctl_get_str(r, root, "filesystem", c, sizeof(c), "?"),
		       vctl_get_str(r, root, "state", d, sizeof(d), "?"));
		if (vctl_get_str(r, root, "upper", b, sizeof(b), NULL))
			printf(", writes on %s", b);
		else
			printf(", %s", vctl_get_str(r, root, "mode", b, sizeof(b), "?"));
		if (vctl_get_str(r, root, "error", e, sizeof(e), NULL))
			printf(": %s", e);
		putchar('\n');
	}
	if (jr_type(r, vols) != JR_ARRAY || r->tok[vols].size == 0)
		return;
	printf("%sVOLUME  DEVICE  PATH  STATE  MODE  SIZE  USED\n", jr_type(r, root) == JR_OBJECT ? "" : "\n");
	for (int j = 0, v = vols + 1; j < r->tok[vols].size; j++, v = jr_next(r, v)) {
		char sz[32] = "-", us[32] = "-";
		if (vctl_get_int(r, v, "size_bytes", &size) == 0)
			fmt_bytes(sz, sizeof(sz), size);
		if (vctl_get_int(r, v, "used_bytes", &used) == 0)
			fmt_bytes(us, sizeof(us), used);
		printf("%s  %s  %s  %s%s  %s  %s  %s", vctl_get_str(r, v, "name", a, sizeof(a), "?"),
		       vctl_get_str(r, v, "device", e, sizeof(e), "-"), vctl_get_str(r, v, "path", b, sizeof(b), "-"),
		       vctl_get_str(r, v, "state", c, sizeof(c), "?"), vctl_get_bool(r, v, "recovered", 0) ? " (recovered)" : "",
		       vctl_get_bool(r, v, "read_only", 0) ? "ro" : "rw", sz, us);
		if (vctl_get_str(r, v, "error", e, sizeof(e), NULL))
			printf("  %s", e);
		putchar('\n');
	}
}

/* cgroups off, or what they lack: one line (docs/resources.md). */
static void print_resources(const struct jr *r, int res)
{
	int rs = jr_get(r, res, "resources");
	char e[512];
	if (jr_type(r, rs) != JR_OBJECT || !vctl_get_str(r, rs, "error", e, sizeof(e), NULL))
		return;
	printf("\ncgroups: %s%s\n", vctl_get_bool(r, rs, "cgroups", 0) ? "" : "off: ", e);
}

/* The network's items: what was applied, or why not (the error names it). */
static void print_net_items(const struct jr *r, int arr, const char *key, const char *what)
{
	char t[256], e[512];
	for (int j = 0, a = arr + 1; jr_type(r, arr) == JR_ARRAY && j < r->tok[arr].size; j++, a = jr_next(r, a)) {
		if (vctl_get_str(r, a, "error", e, sizeof(e), NULL))
			printf("  failed: %s\n", e);
		else
			printf("  %s%s\n", what, vctl_get_str(r, a, key, t, sizeof(t), "?"));
	}
}

/* The guest's network (docs/network.md), unless off: its state, each
 * interface with its addresses and routes, where resolv.conf went. */
static void print_network(const struct jr *r, int res)
{
	int n = jr_get(r, res, "network"), ifs, dns;
	char a[256], b[64], c[64], e[512];
	long long mtu;
	if (jr_type(r, n) != JR_OBJECT || !strcmp(vctl_get_str(r, n, "state", a, sizeof(a), "off"), "off"))
		return;
	printf("\nnetwork %s%s\n", a, vctl_get_bool(r, n, "required", 0) ? " (required)" : "");
	ifs = jr_get(r, n, "interfaces");
	for (int j = 0, f = ifs + 1; jr_type(r, ifs) == JR_ARRAY && j < r->tok[ifs].size; j++, f = jr_next(r, f)) {
		printf("%s: %s %s", vctl_get_str(r, f, "name", a, sizeof(a), "?"),
		       vctl_get_str(r, f, "device", b, sizeof(b), "-"), vctl_get_str(r, f, "mac", c, sizeof(c), "-"));
		if (vctl_get_int(r, f, "mtu", &mtu) == 0)
			printf(" mtu %lld", mtu);
		printf(" %s", vctl_get_bool(r, f, "up", 0) ? "up" : "down");
		if (vctl_get_str(r, f, "error", e, sizeof(e), NULL))
			printf(": %s", e);
		putchar('\n');
		print_net_items(r, jr_get(r, f, "addresses"), "address", "");
		print_net_items(r, jr_get(r, f, "routes"), "via", "default via ");
	}
	dns = jr_get(r, n, "dns");
	if (vctl_get_str(r, dns, "resolv_conf", a, sizeof(a), NULL))
		printf("resolv.conf: %s\n", a);
	if (vctl_get_str(r, dns, "hosts", a, sizeof(a), NULL))
		printf("hosts: %s\n", a);
	if (vctl_get_str(r, dns, "error", e, sizeof(e), NULL))
		printf("dns failed: %s\n", e);
}

/* Why a blocked process did not start. */
static void print_blocked(const struct jr *r, int procs)
{
	for (int j = 0, p = procs + 1; procs >= 0 && j < r->tok[procs].size; j++, p = jr_next(r, p)) {
		char name[PROTO_NAME_MAX], why[512];
		if (vctl_get_str(r, p, "blocked", why, sizeof(why), NULL))
			printf("%s: not started: %s\n", vctl_get_str(r, p, "name", name, sizeof(name), "?"), why);
	}
}

void vctl_print_status(struct vctl *x, int res)
{
	static const struct row head = { { "NAME", "STATE", "HEALTH", "WANT", "PID", "RESTARTS", "LAST-EXIT", "UPTIME",
					   "RSS", "CPU" } };
	struct row row;
	int width[COL_COUNT], procs, spec, errs;
	char path[4096], shut[64];
	long long dropped = 0;

	for (int c = 0; c < COL_COUNT; c++)
		width[c] = (int)strlen(head.f[c]);
	procs = jr_get(&x->r, res, "processes");
	if (jr_type(&x->r, procs) != JR_ARRAY)
		procs = -1;
	/* Two passes over the reply: the widths, then the rows. */
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1)
			print_row(&head, width);
		for (int j = 0, p = procs + 1; procs >= 0 && j < x->r.tok[procs].size; j++, p = jr_next(&x->r, p)) {
			status_row(&x->r, p, &row);
			if (pass == 1) {
				print_row(&row, width);
				continue;
			}
			for (int c = 0; c < COL_COUNT; c++)
				if ((int)strlen(row.f[c]) > width[c])
					width[c] = (int)strlen(row.f[c]);
		}
	}
	print_storage(&x->r, res);
	print_resources(&x->r, res);
	print_network(&x->r, res);
	vctl_print_clock(&x->r, res);
	print_blocked(&x->r, procs);
	spec = jr_get(&x->r, res, "spec");
	errs = jr_get(&x->r, spec, "errors");
	vctl_get_int(&x->r, spec, "errors_dropped", &dropped);
	if (jr_type(&x->r, errs) == JR_ARRAY && (x->r.tok[errs].size > 0 || dropped > 0)) {
		printf("\nspec %s: %lld error%s\n", vctl_get_str(&x->r, spec, "path", path, sizeof(path), "?"),
		       x->r.tok[errs].size + dropped, x->r.tok[errs].size + dropped == 1 ? "" : "s");
		for (int j = 0, e = errs + 1; j < x->r.tok[errs].size; j++, e = jr_next(&x->r, e)) {
			char text[2048], key[256];
			long long line = 0;
			/* "text" is the whole error as vminit check prints it. */
			if (vctl_get_str(&x->r, e, "text", text, sizeof(text), NULL)) {
				printf("  %s\n", text);
				continue;
			}
			printf(" ");
			if (vctl_get_int(&x->r, e, "line", &line) == 0 && line > 0)
				printf(" line %lld:", line);
			if (vctl_get_str(&x->r, e, "key", key, sizeof(key), NULL))
				printf(" %s:", key);
			printf(" %s\n", vctl_get_str(&x->r, e, "message", text, sizeof(text), "?"));
		}
		if (dropped > 0)
			printf("  ... and %lld more\n", dropped);
	}
	if (vctl_get_str(&x->r, res, "shutdown", shut, sizeof(shut), NULL))
		printf("\nshutting down: %s\n", shut);
}

