/* test_linear.c - reading any spec up to the limit is linear
 * (docs/spec.md section 8, docs/architecture.md). */
#include "tests/unit/spec/spec_test.h"

/* ==== reading any spec up to the limit is linear ==== */

/* The worst 1 MiB shapes we know (issue 10), each loaded and, when valid,
 * printed. A shape is a head, a unit repeated (with its index) until the next
 * one would pass SPEC_MAX_BYTES, and a tail.
 *
 * Not a timing race: what is measured is the CPU time of this thread
 * (CLOCK_THREAD_CPUTIME_ID), not wall time, so a loaded machine does not
 * inflate it (no other thread works in this process). The linear code takes
 * at most 0.25 s a shape here under ASan; the bound, 5 s, is 20 times that.
 * The quadratic code took over 10 s of CPU on ten of the twelve shapes (the
 * bad headers and the repeated key were never quadratic: they guard). An
 * RLIMIT_CPU of twice the bound ends a regression with SIGXCPU instead of
 * letting it run for minutes. */
#include <sys/resource.h>
#include <time.h>

#define LINEAR_BOUND_S 5.0

typedef int (*shape_unit)(char *buf, size_t len, size_t i);

static char *shape(const char *head, shape_unit unit, const char *tail, size_t *ret_len)
{
	size_t cap = SPEC_MAX_BYTES + 1, n = strlen(head), tl = strlen(tail);
	char *t = malloc(cap), u[256];
	cr_assert_not_null(t);
	memcpy(t, head, n);
	for (size_t i = 0;; i++) {
		int k = unit(u, sizeof(u), i);
		cr_assert(k > 0 && (size_t)k < sizeof(u));
		if (n + (size_t)k + tl > SPEC_MAX_BYTES)
			break;
		memcpy(t + n, u, (size_t)k);
		n += (size_t)k;
	}
	memcpy(t + n, tail, tl);
	n += tl;
	t[n] = '\0';
	*ret_len = n;
	return t;
}

static double thread_cpu_s(void)
{
	struct timespec ts;
	cr_assert_eq(clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts), 0);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Load (and print, when valid) a shape; assert the CPU time it took. */
static void expect_linear(const char *name, const char *head, shape_unit unit, const char *tail)
{
	size_t len;
	char *text = shape(head, unit, tail, &len);
	struct rlimit rl;
	struct rusage ru;
	struct spec *s;
	double t0, t;

	cr_assert_eq(getrusage(RUSAGE_SELF, &ru), 0);
	rl.rlim_cur = (rlim_t)ru.ru_utime.tv_sec + (rlim_t)ru.ru_stime.tv_sec + 2 * (rlim_t)LINEAR_BOUND_S;
	rl.rlim_max = RLIM_INFINITY;
	cr_assert_eq(setrlimit(RLIMIT_CPU, &rl), 0);
	cr_assert_geq(len, SPEC_MAX_BYTES - 256, "%s: only %zu bytes", name, len);
	t0 = thread_cpu_s();
	s = spec_load_buffer("t.ini", text, len);
	cr_assert_not_null(s);
	if (s->nerrors == 0)
		free(unit_print(s));
	t = thread_cpu_s() - t0;
	spec_free(s);
	free(text);
	cr_log_info("%s: %.3f s CPU for %zu bytes", name, t, len);
	cr_assert_lt(t, LINEAR_BOUND_S, "%s: %.2f s of CPU for %zu bytes: reading is not linear", name, t, len);
}

#define PROC_HEAD "[processes.web]\ncommand = [\"/bin/a\"]\nresources.memory = \"64Mi\"\n"

static int u_cont_elem(char *b, size_t n, size_t i) { (void)i; return snprintf(b, n, "  \"a\",\n"); }
static int u_cont_str(char *b, size_t n, size_t i) { (void)i; return snprintf(b, n, "  \"aa\"\n"); }
static int u_var(char *b, size_t n, size_t i) { return snprintf(b, n, "  \"K%zu=v\",\n", i); }
static int u_section(char *b, size_t n, size_t i) { return snprintf(b, n, "[a%zu]\n", i); }
static int u_process(char *b, size_t n, size_t i) { return snprintf(b, n, "[processes.p%zu]\n", i); }
static int u_key(char *b, size_t n, size_t i) { return snprintf(b, n, "k%zu = 1\n", i); }
static int u_dup_key(char *b, size_t n, size_t i) { (void)i; return snprintf(b, n, "user = \"x\"\n"); }
static int u_bad_header(char *b, size_t n, size_t i) { (void)i; return snprintf(b, n, "[a b]\n"); }
static int u_dep_name(char *b, size_t n, size_t i) { return snprintf(b, n, "  \"p%zu\",\n", i % 127); }
static int u_dep_chain(char *b, size_t n, size_t i)
{
	return snprintf(b, n, "[processes.p%zu]\nx-depends_on = [\"p%zu\"]\n", i, i + 1);
}
static int u_nocmd_process(char *b, size_t n, size_t i)
{
	return snprintf(b, n, "[processes.p%zu]\nresources.memory = \"64Mi\"\n", i);
}
static int u_port(char *b, size_t n, size_t i)
{
	/* processes of 1000 ports each, all named p80 */
	if (i % 1000)
		return snprintf(b, n, "ports.%zu.internal = 80\n", i % 1000);
	return snprintf(b, n, "[processes.q%zu]\ncommand = [\"/a\"]\nresources.memory = \"64Mi\"\n"
			"ports.0.internal = 80\n", i / 1000);
}

static int u_mount_1000(char *b, size_t n, size_t i)
{
	return snprintf(b, n, "mounts.%zu = {}\n", i);
}

static int u_port_1000(char *b, size_t n, size_t i)
{
	return snprintf(b, n, "ports.%zu.internal = %zu\n", i, i + 1);
}
static int u_valid_process(char *b, size_t n, size_t i)
{
	return snprintf(b, n, "[processes.p%zu]\ncommand = [\"/a\"]\nresources.memory = \"64Mi\"\n", i);
}

/* pre, then unit 0 to n - 1, then post */
static char *repeat(const char *pre, shape_unit unit, size_t n, const char *post)
{
	size_t len = strlen(pre);
	char *t = malloc(len + n * 256 + strlen(post) + 1), u[256];
	cr_assert_not_null(t);
	memcpy(t, pre, len);
	for (size_t i = 0; i < n; i++) {
		int k = unit(u, sizeof(u), i);
		memcpy(t + len, u, (size_t)k);
		len += (size_t)k;
	}
	strcpy(t + len, post);
	return t;
}

Test(linear, continued_array)
{
	expect_linear("one array continued over 150 000 lines",
		      "schema_version = \"v1\"\n" PROC_HEAD "x-depends_on = [\n", u_cont_elem, "  ]\n");
}

Test(linear, continued_string)
{
	expect_linear("one string continued over 150 000 lines",
		      "schema_version = \"v1\"\n" PROC_HEAD "workdir = \"/\"\n", u_cont_str, "");
}

Test(linear, continued_vars)
{
	expect_linear("100 000 variables", "schema_version = \"v1\"\n" PROC_HEAD "vars = [\n", u_var, "  ]\n");
}

Test(linear, sections)
{
	expect_linear("100 000 sections", "schema_version = \"v1\"\n" PROC_HEAD, u_section, "");
}

Test(linear, process_sections)
{
	expect_linear("70 000 process sections", "schema_version = \"v1\"\n", u_process, "");
}

Test(linear, keys)
{
	char *ports = repeat("schema_version = \"v1\"\n" PROC_HEAD, u_port_1000, 1000, "");
	char *head = repeat(ports, u_mount_1000, 1000, "");
	expect_linear("1000 ports, 1000 mounts, then 90 000 keys, in one process", head, u_key, "");
	free(head);
	free(ports);
}

Test(linear, duplicate_keys)
{
	expect_linear("one key 90 000 times", "schema_version = \"v1\"\n" PROC_HEAD, u_dup_key, "");
}

Test(linear, bad_headers)
{
	expect_linear("170 000 bad headers", "schema_version = \"v1\"\n" PROC_HEAD, u_bad_header, "");
}

Test(linear, depends_on_list)
{
	char *head = repeat("schema_version = \"v1\"\n", u_valid_process, 127, PROC_HEAD "x-depends_on = [\n");
	expect_linear("x-depends_on naming 127 processes 130 000 times", head, u_dep_name, "  ]\n");
	free(head);
}

Test(linear, depends_on_chain)
{
	expect_linear("a chain of 40 000 processes", "schema_version = \"v1\"\n", u_dep_chain, "");
}

Test(linear, image_argv_shared)
{
	/* half the file an image cmd, the other half processes that run it */
	char *cmd = malloc(SPEC_MAX_BYTES / 2 + 64), *head;
	size_t n = (size_t)sprintf(cmd, "[guest.image]\ncmd = [\"/a\",\n");
	while (n < SPEC_MAX_BYTES / 2)
		n += (size_t)sprintf(cmd + n, "  \"\",\n");
	sprintf(cmd + n, "  ]\n");
	head = fmt("schema_version = \"v1\"\n%s", cmd);
	expect_linear("a 90 000-element cmd run by 12 000 processes", head, u_nocmd_process, "");
	free(head);
	free(cmd);
}

Test(linear, port_names)
{
	expect_linear("processes of 1000 ports named alike", "schema_version = \"v1\"\n", u_port, "");
}

static int u_writable(char *b, size_t n, size_t i) { return snprintf(b, n, "  \"/w%zu\",\n", i); }
static int u_writable_same(char *b, size_t n, size_t i) { (void)i; return snprintf(b, n, "  \"/w/\",\n"); }

#define ROOT_HEAD "schema_version = \"v1\"\n" PROC_HEAD \
	"[guest.root]\ndevice = \"/dev/vda\"\nfilesystem = \"ext4\"\nwritable = [\n"

Test(linear, writable)
{
	expect_linear("100 000 writable directories", ROOT_HEAD, u_writable, "  ]\n");
}

Test(linear, writable_same)
{
	expect_linear("one writable directory 120 000 times", ROOT_HEAD, u_writable_same, "  ]\n");
}
