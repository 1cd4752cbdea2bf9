/* test_bundle.c - the secret bundle (secrets/bundle.c): the file format and
 * its round trip through host/envfile.c, every limit at its edge, the errors
 * (which never hold a byte of a value: a canary proves it), and the atomic
 * write (mode, owner, rename, O_EXCL, cleanup). Runs as root (chown). */
#include "tests/unit/unit.h"
#include "secrets/bundle.h"
#include "host/envfile.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define CANARY "CANARY-7f3a"

static char err[256];

static struct secrets_bundle render_ok(char *const *vars, size_t n)
{
	struct secrets_bundle b = { 0 };
	int r = secrets_render(vars, n, "v1", &b, err, sizeof(err));
	cr_assert_eq(r, 0, "render failed: %s", err);
	cr_assert_not_null(b.text);
	cr_assert_eq(strlen(b.text), b.len);
	return b;
}

/* Renders vars, which must fail with an error containing want and not the canary. */
static void render_bad(char *const *vars, size_t n, const char *want)
{
	struct secrets_bundle b = { .text = (char *)"untouched" };
	err[0] = '\0';
	cr_assert_eq(secrets_render(vars, n, "v1", &b, err, sizeof(err)), -1);
	cr_assert_str_eq(b.text, "untouched", "ret was touched on failure");
	cr_assert(strstr(err, want), "error \"%s\" lacks \"%s\"", err, want);
	cr_assert_null(strstr(err, CANARY), "error \"%s\" holds the value", err);
	cr_assert_null(strstr(err, "7f3a"), "error \"%s\" holds part of the value", err);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Render, then parse: the same vars, sorted by key. Keys here never share
 * a prefix ending in a byte below '=', so sorting the strings sorts keys. */
static void round_trip(char **vars, size_t n)
{
	struct secrets_bundle b = render_ok(vars, n);
	char **got = calloc(n + 1, sizeof(*got));
	int k = envfile_parse(b.text, b.len, got, n + 1, err, sizeof(err));
	cr_assert_eq(k, (int)n, "parse gave %d of %zu: %s\n%s", k, n, err, b.text);
	char **want = malloc((n + 1) * sizeof(*want));
	memcpy(want, vars, n * sizeof(*want));
	qsort(want, n, sizeof(*want), cmp_str);
	for (size_t i = 0; i < n; i++)
		cr_assert_str_eq(got[i], want[i], "entry %zu", i);
	envfile_free(got, (size_t)k);
	free(got);
	free(want);
	secrets_bundle_wipe(&b);
	cr_assert_null(b.text);
	cr_assert_eq(b.len, 0);
}

Test(secrets_render, format_raw_quoted_empty_sorted)
{
	char *v[] = { "ZED=a b", "A=", "URL=postgres://u:p@h:5432/db?x=1", "M=x_y.z/1:2@3%4+5,6=7-8",
		      "U=h\xc3\xa9", "Q=\\\"$`\n\r\t\x01\x7f", "B=it's" };
	struct secrets_bundle b = render_ok(v, 7);
	cr_assert_str_eq(b.text,
			 "A=\n"
			 "B=\"it's\"\n"
			 "M=x_y.z/1:2@3%4+5,6=7-8\n"
			 "Q=\"\\\\\\\"\\$\\`\\n\\r\\t\\x01\\x7f\"\n"
			 "U=h\xc3\xa9\n"
			 "URL=\"postgres://u:p@h:5432/db?x=1\"\n"
			 "ZED=\"a b\"\n");
	cr_assert_eq(b.keys, 7);
	cr_assert_str_eq(b.version, "v1");
	secrets_bundle_wipe(&b);
}

Test(secrets_render, empty_bundle_is_an_empty_file)
{
	struct secrets_bundle b = render_ok(NULL, 0);
	cr_assert_eq(b.len, 0);
	cr_assert_eq(b.keys, 0);
	secrets_bundle_wipe(&b);
}

Test(secrets_render, every_escape_round_trips)
{
	char *v[] = { "A=\\", "B=\"", "C=$HOME", "D=`id`", "E=\n", "F=\r", "G=\t", "H=\x01\x1f\x7f",
		      "I= lead and trail ", "J='single'", "K=#not a comment", "L=\"", "M=x\\xzz",
		      "N=\xf0\x9f\x94\x91 key", "O=a\\nb", "P==", "R=" };
	round_trip(v, sizeof(v) / sizeof(*v));
}

/* Random valid UTF-8 values: ASCII 1-127, and 2-, 3- and 4-byte sequences. */
static size_t put_random_char(char *out)
{
	unsigned r = (unsigned)rand();
	unsigned cp;
	switch (r % 4) {
	case 0: cp = 1 + r / 4 % 127; break;
	case 1: cp = 0x80 + r / 4 % 0x780; break;
	case 2: cp = 0x800 + r / 4 % 0xf800; if (cp >= 0xd800 && cp < 0xe000) cp = 'x'; break;
	default: cp = 0x10000 + r / 4 % 0x100000; break;
	}
	if (cp < 0x80) { out[0] = (char)cp; return 1; }
	if (cp < 0x800) { out[0] = (char)(0xc0 | cp >> 6); out[1] = (char)(0x80 | (cp & 63)); return 2; }
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12); out[1] = (char)(0x80 | (cp >> 6 & 63));
		out[2] = (char)(0x80 | (cp & 63)); return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18); out[1] = (char)(0x80 | (cp >> 12 & 63));
	out[2] = (char)(0x80 | (cp >> 6 & 63)); out[3] = (char)(0x80 | (cp & 63)); return 4;
}

Test(secrets_render, random_utf8_values_round_trip)
{
	srand(13);
	for (int round = 0; round < 200; round++) {
		char *v[8];
		size_t n = (size_t)(rand() % 8);
		for (size_t i = 0; i < n; i++) {
			char *s = malloc(64);
			size_t at = (size_t)sprintf(s, "K%zu=", i);
			for (int c = rand() % 10; c > 0; c--)
				at += put_random_char(s + at);
			s[at] = '\0';
			v[i] = s;
		}
		round_trip(v, n);
		for (size_t i = 0; i < n; i++)
			free(v[i]);
	}
}

Test(secrets_render, key_count_at_the_edge)
{
	char *v[SECRETS_MAX_KEYS + 1];
	for (size_t i = 0; i <= SECRETS_MAX_KEYS; i++) {
		v[i] = malloc(32);
		sprintf(v[i], "K%03zu=" CANARY, i);
	}
	struct secrets_bundle b = render_ok(v, SECRETS_MAX_KEYS);
	cr_assert_eq(b.keys, SECRETS_MAX_KEYS);
	secrets_bundle_wipe(&b);
	render_bad(v, SECRETS_MAX_KEYS + 1, "at most 256 variables");
	for (size_t i = 0; i <= SECRETS_MAX_KEYS; i++)
		free(v[i]);
}

Test(secrets_render, size_at_the_edge)
{
	/* One line "A=xxx...\n": 3 bytes and the value. */
	char *v = malloc(SECRETS_MAX_BYTES + 2);
	memcpy(v, "A=", 2);
	memset(v + 2, 'x', SECRETS_MAX_BYTES - 3);
	memcpy(v + 2, CANARY, strlen(CANARY));
	v[SECRETS_MAX_BYTES - 1] = '\0';
	struct secrets_bundle b = render_ok(&v, 1);
	cr_assert_eq(b.len, SECRETS_MAX_BYTES);
	secrets_bundle_wipe(&b);
	v[SECRETS_MAX_BYTES - 1] = 'x';
	v[SECRETS_MAX_BYTES] = '\0';
	render_bad(&v, 1, "the bundle is over 12288 bytes");
	/* Escapes count as written: 6142 newlines are 12284 bytes quoted. */
	memset(v + 2, '\n', 6142);
	v[6144] = '\0';
	render_bad(&v, 1, "the bundle is over 12288 bytes");
	free(v);
}

Test(secrets_render, bad_keys)
{
	char *v[] = { "OK=" CANARY, "=" CANARY, "FOO-BAR=" CANARY, CANARY, "lower=" CANARY, "1A=" CANARY,
		      "A B=" CANARY, "\x01\xff=" CANARY };
	render_bad((char *[]){ v[0], v[1] }, 2, "vars[1]: the key is empty");
	render_bad((char *[]){ v[0], v[2] }, 2, "vars[1]: key \"FOO-BAR\" is not [A-Z_][A-Z0-9_]*");
	render_bad((char *[]){ v[0], v[0], v[3] }, 3, "vars[2]: not KEY=VALUE");
	render_bad(&v[4], 1, "vars[0]: key \"lower\" is not");
	render_bad(&v[5], 1, "vars[0]: key \"1A\" is not");
	render_bad(&v[6], 1, "vars[0]: key \"A B\" is not");
	render_bad(&v[7], 1, "vars[0]: the key is not [A-Z_][A-Z0-9_]*");
}

Test(secrets_render, duplicate_key_names_the_later_one)
{
	char *v[] = { "B=" CANARY, "A=1", "C=2", "D=3", "E=4", "A=" CANARY, "A=x" };
	render_bad(v, 7, "vars[5]: key \"A\" given twice");
	render_bad(v, 6, "vars[5]: key \"A\" given twice");
}

Test(secrets_render, bad_utf8)
{
	const char *bad[] = {
		"A=" CANARY "\xc0\xaf",         /* overlong '/' */
		"A=" CANARY "\xe0\x80\xaf",     /* overlong, 3 bytes */
		"A=" CANARY "\xed\xa0\x80",     /* surrogate U+D800 */
		"A=" CANARY "\xe2\x82",         /* truncated */
		"A=" CANARY "\xf4\x90\x80\x80", /* over U+10FFFF */
		"A=" CANARY "\x80",             /* lone continuation */
		"A=" CANARY "\xff",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		render_bad((char *[]){ "OK=1", (char *)bad[i] }, 2, "vars[1]: the value is not valid UTF-8");
}

Test(secrets_render, nul_ends_the_value)
{
	/* A NUL inside the request is refused before us; here the C string
	 * simply ends at it, and what is left is rendered. */
	char v[] = "A=ab\0" CANARY;
	struct secrets_bundle b = render_ok((char *[]){ v }, 1);
	cr_assert_str_eq(b.text, "A=ab\n");
	secrets_bundle_wipe(&b);
}

Test(secrets_render, version)
{
	struct secrets_bundle b = { 0 };
	char *v[] = { "A=1" };
	const char *good[] = { "v42", "2024-01-02T03:04:05+00:00", "a.b_c", "x" };
	for (size_t i = 0; i < 4; i++) {
		cr_assert_eq(secrets_render(v, 1, good[i], &b, err, sizeof(err)), 0, "%s: %s", good[i], err);
		cr_assert_str_eq(b.version, good[i]);
		secrets_bundle_wipe(&b);
	}
	char long65[66];
	memset(long65, 'a', 65);
	long65[65] = '\0';
	const char *bad[] = { "", "a b", "v/1", "v\n", long65, NULL };
	for (size_t i = 0; i < 6; i++) {
		cr_assert_eq(secrets_render(v, 1, bad[i], &b, err, sizeof(err)), -1);
		cr_assert(!strncmp(err, "version: ", 9), "%s", err);
		cr_assert_null(b.text);
	}
	long65[64] = '\0';
	cr_assert_eq(secrets_render(v, 1, long65, &b, err, sizeof(err)), 0);
	secrets_bundle_wipe(&b);
}

/* secrets_write_file in a fresh directory. */
static char dir[64];
static int dfd = -1;

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/vminit-secrets-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cr_assert_geq(dfd, 0);
}

static void teardown(void)
{
	char cmd[160];
	close(dfd);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

static char *slurp(const char *name)
{
	static char buf[256];
	int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);
	cr_assert_geq(fd, 0, "%s: %s", name, strerror(errno));
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	cr_assert_geq(n, 0);
	buf[n] = '\0';
	close(fd);
	return buf;
}

/* The directory holds exactly these names (NULL-terminated list). */
static void only(const char *const *names)
{
	char cmd[160], out[256] = "", want[256] = "";
	snprintf(cmd, sizeof(cmd), "ls -A %s | tr '\\n' ' '", dir);
	FILE *f = popen(cmd, "r");
	cr_assert_not_null(f);
	if (!fgets(out, sizeof(out), f))
		out[0] = '\0';
	pclose(f);
	for (; *names; names++)
		snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s ", *names);
	cr_assert_str_eq(out, want);
}

TestSuite(secrets_write_file, .init = setup, .fini = teardown);

Test(secrets_write_file, mode_owner_content)
{
	cr_assert_eq(secrets_write_file(dfd, "platform.env", "A=1\n", 4, 65534, 65534), 0, "%s", strerror(errno));
	struct stat st;
	cr_assert_eq(fstatat(dfd, "platform.env", &st, AT_SYMLINK_NOFOLLOW), 0);
	cr_assert(S_ISREG(st.st_mode));
	cr_assert_eq(st.st_mode & 07777, 0400);
	cr_assert_eq(st.st_uid, 65534);
	cr_assert_eq(st.st_gid, 65534);
	cr_assert_str_eq(slurp("platform.env"), "A=1\n");
	only((const char *[]){ "platform.env", NULL });
}

Test(secrets_write_file, replaces_by_rename)
{
	cr_assert_eq(secrets_write_file(dfd, "platform.env", "A=old\n", 6, 0, 0), 0);
	/* A reader that opened the old file keeps reading it whole: the new
	 * one is another inode, renamed over the name. */
	int old = openat(dfd, "platform.env", O_RDONLY);
	struct stat st1, st2;
	cr_assert_eq(fstat(old, &st1), 0);
	cr_assert_eq(secrets_write_file(dfd, "platform.env", "A=new!\n", 7, 0, 0), 0);
	cr_assert_eq(fstatat(dfd, "platform.env", &st2, 0), 0);
	cr_assert_neq(st1.st_ino, st2.st_ino);
	char buf[16] = "";
	cr_assert_eq(read(old, buf, sizeof(buf)), 6);
	cr_assert_str_eq(buf, "A=old\n");
	close(old);
	cr_assert_str_eq(slurp("platform.env"), "A=new!\n");
	only((const char *[]){ "platform.env", NULL });
}

Test(secrets_write_file, planted_symlink_is_not_followed)
{
	cr_assert_eq(symlinkat("victim", dfd, ".platform.env.0"), 0);
	int v = openat(dfd, "victim", O_WRONLY | O_CREAT, 0600);
	cr_assert_geq(v, 0);
	close(v);
	cr_assert_eq(secrets_write_file(dfd, "platform.env", "A=1\n", 4, 0, 0), 0);
	cr_assert_str_eq(slurp("victim"), "");
	cr_assert_str_eq(slurp("platform.env"), "A=1\n");
	struct stat st;
	cr_assert_eq(fstatat(dfd, ".platform.env.0", &st, AT_SYMLINK_NOFOLLOW), 0);
	cr_assert(S_ISLNK(st.st_mode));
	only((const char *[]){ ".platform.env.0", "platform.env", "victim", NULL });
}

Test(secrets_write_file, failure_removes_the_temporary_file)
{
	/* The rename fails (a directory is in the way): the old stays, the
	 * temporary file goes, errno says why. */
	cr_assert_eq(mkdirat(dfd, "platform.env", 0700), 0);
	cr_assert_eq(mkdirat(dfd, "platform.env/x", 0700), 0);
	errno = 0;
	cr_assert_eq(secrets_write_file(dfd, "platform.env", "A=1\n", 4, 0, 0), -1);
	cr_assert(errno == EISDIR || errno == ENOTEMPTY || errno == EEXIST, "%s", strerror(errno));
	only((const char *[]){ "platform.env", NULL });
}

Test(secrets_write_file, read_only_directory_fails_cleanly)
{
	/* A read-only mount stops root too; for a plain directory root needs
	 * no write bit, so this uses a file as the dirfd: ENOTDIR. */
	int f = openat(dfd, "file", O_RDWR | O_CREAT, 0600);
	cr_assert_geq(f, 0);
	errno = 0;
	cr_assert_eq(secrets_write_file(f, "platform.env", "A=1\n", 4, 0, 0), -1);
	cr_assert_eq(errno, ENOTDIR);
	close(f);
	only((const char *[]){ "file", NULL });
}

Test(secrets_write_file, failed_write_removes_the_temporary_file)
{
	/* A file size limit of 2 bytes: the write fails half way (EFBIG). */
	cr_assert_eq(secrets_write_file(dfd, "platform.env", "A=old\n", 6, 0, 0), 0);
	signal(SIGXFSZ, SIG_IGN);
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &(struct rlimit){ 2, 2 }), 0);
	errno = 0;
	cr_assert_eq(secrets_write_file(dfd, "platform.env", "A=new\n", 6, 0, 0), -1);
	cr_assert_eq(errno, EFBIG, "%s", strerror(errno));
	cr_assert_str_eq(slurp("platform.env"), "A=old\n");
	only((const char *[]){ "platform.env", NULL });
}

Test(secrets_write_file, name_too_long)
{
	char name[300];
	memset(name, 'n', 254);
	name[254] = '\0';
	errno = 0;
	cr_assert_eq(secrets_write_file(dfd, name, "A=1\n", 4, 0, 0), -1);
	cr_assert_eq(errno, ENAMETOOLONG);
	only((const char *[]){ NULL });
}
