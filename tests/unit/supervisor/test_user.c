#include "tests/unit/unit.h"

/* test_user.c - "user[:group]" resolution against a root's /etc/passwd and
 * /etc/group (supervisor/user.c), on files in a temporary root. */

#include <errno.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "supervisor/user.h"

static char root[64];

static void write_file(const char *rel, const char *text)
{
	char path[256];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	cr_assert_not_null(f, "cannot create %s: %s", path, strerror(errno));
	fputs(text, f);
	cr_assert_eq(fclose(f), 0);
}

static const char passwd[] =
	"root:x:0:0:root:/root:/bin/sh\n"
	"daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
	"# a comment is not an entry\n"
	"this line is malformed\n"
	"\n"
	"bad:x:notanumber:5:Bad:/home/bad:/bin/sh\n"
	"short:x:1003:1003\n"
	"neggid:x:1004:-1::/home/neg:/bin/sh\n"
	"alice:x:1000:1000:Alice:/home/alice:/bin/sh\n"
	"bob:x:1001:100::/home/bob:/bin/sh\n"
	"nohome:x:1002:1002:::/bin/sh\n"
	"dave:x:1005:1005:Dave:/home/dave:/bin/sh\n"
	"alice:x:2000:2000:second alice:/nope:/bin/sh\n";

static const char group[] =
	"root:x:0:\n"
	"daemon:x:1:alice\n"
	"malformedgroup\n"
	"badgid:x:abc:alice\n"
	"users:x:100:alice,bob\n"
	"alice:x:1000:\n"
	"wheel:x:10:bob,alice,alice\n"
	"audio:x:29:alicia,malice,bobby\n"
	"staff:x:50:dave\n"
	"video:x:44:dave,alice\n"
	"nomembers:x:45\n"
	"dup100:x:100:alice\n";

static void mkroot(void)
{
	char path[256];
	snprintf(root, sizeof(root), "/tmp/vminit-user-XXXXXX");
	cr_assert_not_null(mkdtemp(root), "mkdtemp: %s", strerror(errno));
	snprintf(path, sizeof(path), "%s/etc", root);
	cr_assert_eq(mkdir(path, 0755), 0);
	write_file("etc/passwd", passwd);
	write_file("etc/group", group);
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(p);
}

static void rmroot(void)
{
	if (root[0])
		nftw(root, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

TestSuite(user, .init = mkroot, .fini = rmroot);

static struct user_info resolve_ok(const char *spec)
{
	struct user_info u;
	char err[256] = "";
	memset(&u, 0xa5, sizeof(u));
	cr_assert_eq(user_resolve(root, spec, &u, err, sizeof(err)), 0,
		     "user_resolve(\"%s\") failed: %s", spec, err);
	return u;
}

static void assert_groups(const struct user_info *u, const gid_t *want, size_t n)
{
	char got[512] = "";
	size_t len = 0;
	for (size_t i = 0; i < u->ngroups && i < 32; i++)
		len += (size_t)snprintf(got + len, sizeof(got) - len, "%u ", (unsigned)u->groups[i]);
	cr_assert_eq(u->ngroups, n, "ngroups %zu, want %zu (got: %s)", u->ngroups, n, got);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(u->groups[i], want[i], "groups[%zu] = %u, want %u (got: %s)", i,
			     (unsigned)u->groups[i], (unsigned)want[i], got);
}

Test(user, by_name)
{
	struct user_info u = resolve_ok("alice");
	cr_assert_eq(u.uid, 1000);
	cr_assert_eq(u.gid, 1000);
	cr_assert_str_eq(u.home, "/home/alice");
	/* primary first, then membership in file order; dup100 deduplicated,
	 * "badgid" skipped, "malice"/"alicia" are not alice */
	const gid_t want[] = { 1000, 1, 100, 10, 44 };
	assert_groups(&u, want, 5);
}

Test(user, by_name_root)
{
	struct user_info u = resolve_ok("root");
	cr_assert_eq(u.uid, 0);
	cr_assert_eq(u.gid, 0);
	cr_assert_str_eq(u.home, "/root");
	const gid_t want[] = { 0 };
	assert_groups(&u, want, 1);
}

Test(user, primary_gid_also_listed_as_membership_is_not_repeated)
{
	struct user_info u = resolve_ok("bob");
	cr_assert_eq(u.uid, 1001);
	cr_assert_eq(u.gid, 100);
	const gid_t want[] = { 100, 10 };
	assert_groups(&u, want, 2);
}

Test(user, by_numeric_uid_present)
{
	struct user_info u = resolve_ok("1000");
	cr_assert_eq(u.uid, 1000);
	cr_assert_eq(u.gid, 1000);
	cr_assert_str_eq(u.home, "/home/alice");
	const gid_t want[] = { 1000, 1, 100, 10, 44 };
	assert_groups(&u, want, 5);

	u = resolve_ok("0");
	cr_assert_eq(u.uid, 0);
	cr_assert_str_eq(u.home, "/root");
}

Test(user, by_numeric_uid_absent)
{
	struct user_info u = resolve_ok("4321");
	cr_assert_eq(u.uid, 4321);
	cr_assert_eq(u.gid, 0);
	cr_assert_str_eq(u.home, "/");
	const gid_t want[] = { 0 };
	assert_groups(&u, want, 1);
}

Test(user, first_matching_entry_wins)
{
	struct user_info u = resolve_ok("alice");
	cr_assert_eq(u.uid, 1000);
	u = resolve_ok("2000");
	cr_assert_eq(u.uid, 2000);
	cr_assert_eq(u.gid, 2000);
	cr_assert_str_eq(u.home, "/nope");
}

Test(user, empty_home_is_root_dir)
{
	struct user_info u = resolve_ok("nohome");
	cr_assert_eq(u.uid, 1002);
	cr_assert_eq(u.gid, 1002);
	cr_assert_str_eq(u.home, "/");
}

Test(user, user_and_group_by_name)
{
	struct user_info u = resolve_ok("alice:staff");
	cr_assert_eq(u.uid, 1000);
	cr_assert_eq(u.gid, 50);
	cr_assert_str_eq(u.home, "/home/alice");
	const gid_t want[] = { 50, 1, 100, 10, 44 };
	assert_groups(&u, want, 5);
}

Test(user, user_and_group_by_gid)
{
	struct user_info u = resolve_ok("alice:4242");
	cr_assert_eq(u.uid, 1000);
	cr_assert_eq(u.gid, 4242, "a numeric gid need not be in /etc/group");
	cr_assert_eq(u.groups[0], 4242);

	u = resolve_ok("dave:44");
	cr_assert_eq(u.gid, 44);
	const gid_t want[] = { 44, 50 };   /* video not repeated */
	assert_groups(&u, want, 2);
}

Test(user, numeric_user_and_group)
{
	struct user_info u = resolve_ok("4321:4322");
	cr_assert_eq(u.uid, 4321);
	cr_assert_eq(u.gid, 4322);
	cr_assert_str_eq(u.home, "/");
	const gid_t want[] = { 4322 };
	assert_groups(&u, want, 1);

	u = resolve_ok("4321:users");
	cr_assert_eq(u.gid, 100);

	u = resolve_ok("1001:wheel");
	cr_assert_eq(u.uid, 1001);
	cr_assert_eq(u.gid, 10);
	const gid_t want2[] = { 10, 100 };
	assert_groups(&u, want2, 2);
}

Test(user, unknown_user)
{
	struct user_info u;
	char err[256] = "";
	cr_assert_eq(user_resolve(root, "mallory", &u, err, sizeof(err)), -1);
	cr_assert(strstr(err, "mallory"), "error does not name the user: %s", err);
	err[0] = '\0';
	cr_assert_eq(user_resolve(root, "mallory:users", &u, err, sizeof(err)), -1);
	cr_assert(strstr(err, "mallory"), "%s", err);
	/* a prefix of a name is not that name */
	cr_assert_eq(user_resolve(root, "alic", &u, err, sizeof(err)), -1);
	cr_assert_eq(user_resolve(root, "alicex", &u, err, sizeof(err)), -1);
}

Test(user, unknown_group)
{
	struct user_info u;
	char err[256] = "";
	cr_assert_eq(user_resolve(root, "alice:nogroup", &u, err, sizeof(err)), -1);
	cr_assert(strstr(err, "nogroup"), "error does not name the group: %s", err);
	cr_assert_not(strstr(err, "user \""), "group error reported as a user error: %s", err);
	/* the malformed group lines do not resolve either */
	cr_assert_eq(user_resolve(root, "alice:malformedgroup", &u, err, sizeof(err)), -1);
	cr_assert_eq(user_resolve(root, "alice:badgid", &u, err, sizeof(err)), -1);
	cr_assert_eq(user_resolve(root, "4321:nogroup", &u, err, sizeof(err)), -1);
}

Test(user, malformed_passwd_lines_skipped)
{
	struct user_info u;
	char err[256];
	/* the entries themselves do not resolve... */
	cr_assert_eq(user_resolve(root, "bad", &u, err, sizeof(err)), -1);
	cr_assert_eq(user_resolve(root, "short", &u, err, sizeof(err)), -1);
	cr_assert_eq(user_resolve(root, "neggid", &u, err, sizeof(err)), -1);
	cr_assert_eq(user_resolve(root, "this line is malformed", &u, err, sizeof(err)), -1);
	/* ...a numeric uid of a skipped line is an unknown uid... */
	u = resolve_ok("1003");
	cr_assert_eq(u.gid, 0);
	cr_assert_str_eq(u.home, "/");
	/* ...and the entries after them are still read */
	u = resolve_ok("dave");
	cr_assert_eq(u.uid, 1005);
	cr_assert_eq(u.gid, 1005);
	const gid_t want[] = { 1005, 50, 44 };
	assert_groups(&u, want, 3);
}

Test(user, no_files_in_root)
{
	char empty[128], err[256] = "";
	struct user_info u;
	/* inside the suite's root, so .fini removes it even after a failure */
	snprintf(empty, sizeof(empty), "%s/empty", root);
	cr_assert_eq(mkdir(empty, 0755), 0);
	memset(&u, 0xa5, sizeof(u));
	cr_assert_eq(user_resolve(empty, "7", &u, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(u.uid, 7);
	cr_assert_eq(u.gid, 0);
	cr_assert_str_eq(u.home, "/");
	cr_assert_eq(u.ngroups, 1);
	cr_assert_eq(user_resolve(empty, "7:8", &u, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(u.gid, 8);
	cr_assert_eq(user_resolve(empty, "alice", &u, err, sizeof(err)), -1);
	cr_assert_eq(user_resolve(empty, "7:users", &u, err, sizeof(err)), -1);
}

Test(user, many_memberships_bounded)
{
	/* more groups than USER_MAX_GROUPS: truncated, never overflowed */
	size_t cap = (USER_MAX_GROUPS + 50) * 32 + 64, len = 0;
	char *g = malloc(cap);
	cr_assert_not_null(g);
	for (unsigned i = 0; i < USER_MAX_GROUPS + 50; i++)
		len += (size_t)snprintf(g + len, cap - len, "g%u:x:%u:bob\n", i, 5000 + i);
	write_file("etc/group", g);
	free(g);
	struct user_info u = resolve_ok("bob");
	cr_assert_eq(u.ngroups, USER_MAX_GROUPS);
	cr_assert_eq(u.groups[0], 100);
	cr_assert_eq(u.groups[1], 5000);
	cr_assert_eq(u.groups[USER_MAX_GROUPS - 1], 5000 + USER_MAX_GROUPS - 2);
}

Test(user, long_group_line_membership)
{
	/* A group with many members has a line far longer than 1024 bytes;
	 * a member near its end is still a member. */
	size_t cap = 16384, len = 0;
	char *g = malloc(cap);
	cr_assert_not_null(g);
	len += (size_t)snprintf(g + len, cap - len, "root:x:0:\nbig:x:777:");
	for (int i = 0; i < 300; i++)
		len += (size_t)snprintf(g + len, cap - len, "member%03d,", i);
	len += (size_t)snprintf(g + len, cap - len, "alice\nvideo:x:44:alice\n");
	cr_assert_gt(len, 3000);
	write_file("etc/group", g);
	free(g);
	struct user_info u = resolve_ok("alice");
	const gid_t want[] = { 1000, 777, 44 };
	assert_groups(&u, want, 3);
}

Test(user, running_system_root)
{
	/* "" and "/" both mean the running system, where root is uid 0 */
	struct user_info u;
	char err[256] = "";
	cr_assert_eq(user_resolve("/", "root", &u, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(u.uid, 0);
	cr_assert_eq(user_resolve("", "root", &u, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(u.uid, 0);
}

Test(user, home_of_a_uid)
{
	/* A process that keeps its user: HOME from the first entry with its
	 * uid, "/" for an empty field or no entry, and no /etc/group needed. */
	char home[64], path[256];
	user_home(root, 1000, home, sizeof(home));
	cr_assert_str_eq(home, "/home/alice");
	user_home(root, 1002, home, sizeof(home));
	cr_assert_str_eq(home, "/");
	user_home(root, 4242, home, sizeof(home));
	cr_assert_str_eq(home, "/");
	snprintf(path, sizeof(path), "%s/etc/group", root);
	cr_assert_eq(unlink(path), 0);
	user_home(root, 0, home, sizeof(home));
	cr_assert_str_eq(home, "/root");
}

Test(user, home_across_reads_long_lines_and_no_last_newline)
{
	/* user_home reads 4 KiB at a time into a stack buffer: an entry that
	 * straddles two reads is still whole, a line longer than the buffer is
	 * skipped (and its tail is no entry), a last line without its newline
	 * counts. */
	char home[64], *text = malloc(20000);
	size_t n = 0;
	cr_assert_not_null(text);
	for (int i = 0; i < 150; i++)   /* ~5.6 KB of entries: past one read */
		n += (size_t)sprintf(text + n, "u%03d:x:%d:%d::/home/u%03d:/bin/sh\n", i, 3000 + i, 3000 + i, i);
	memset(text + n, 'x', 9000);   /* one 9000-byte line ... */
	n += 9000;
	n += (size_t)sprintf(text + n, ":x:7000:7000::/fake:/bin/sh\n");   /* ... whose tail looks like one */
	n += (size_t)sprintf(text + n, "last:x:7001:7001::/home/last:/bin/sh");   /* no newline */
	text[n] = '\0';
	write_file("etc/passwd", text);
	free(text);
	user_home(root, 3000, home, sizeof(home));
	cr_assert_str_eq(home, "/home/u000");
	user_home(root, 3113, home, sizeof(home));
	cr_assert_str_eq(home, "/home/u113", "an entry across the first read's end");
	user_home(root, 3149, home, sizeof(home));
	cr_assert_str_eq(home, "/home/u149");
	user_home(root, 7000, home, sizeof(home));
	cr_assert_str_eq(home, "/", "the tail of an over-long line is no entry");
	user_home(root, 7001, home, sizeof(home));
	cr_assert_str_eq(home, "/home/last", "a last line without its newline");
}

static void fifo_at(const char *rel)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	cr_assert_eq(unlink(path), 0);
	cr_assert_eq(mkfifo(path, 0644), 0, "mkfifo %s: %s", path, strerror(errno));
}

Test(user, fifo_files_are_not_read, .timeout = 10)
{
	/* A FIFO would block the open until a writer came (PID 1 looks users
	 * up too, supervisor.c): refused at once, and said so. */
	struct user_info u;
	char err[256] = "", home[64];
	fifo_at("etc/group");
	cr_assert_eq(user_resolve(root, "alice:users", &u, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "group \"users\" not found in /etc/group (not a regular file)");
	u = resolve_ok("alice");   /* no group asked: its primary one */
	assert_groups(&u, (gid_t[]){ 1000 }, 1);
	fifo_at("etc/passwd");
	cr_assert_eq(user_resolve(root, "alice", &u, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "user \"alice\" not found in /etc/passwd (not a regular file)");
	u = resolve_ok("1234:5678");   /* numeric: no entry needed */
	cr_assert_eq(u.uid, 1234);
	cr_assert_eq(u.gid, 5678);
	user_home(root, 1000, home, sizeof(home));
	cr_assert_str_eq(home, "/");
}

Test(user, files_over_1_MiB_are_not_read)
{
	/* An endless file (a /proc one behind a link says size 0) is read no
	 * further than USER_FILE_MAX: a passwd just under it is read whole. */
	char path[256], home[64], err[256] = "";
	struct user_info u;
	FILE *f;
	snprintf(path, sizeof(path), "%s/etc/passwd", root);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	for (size_t n = 0; n < USER_FILE_MAX - 100; n += 50)
		fprintf(f, "%-49s\n", "# filler");
	fputs("alice:x:1000:1000:Alice:/home/alice:/bin/sh\n", f);
	cr_assert_eq(fclose(f), 0);
	u = resolve_ok("alice");
	cr_assert_str_eq(u.home, "/home/alice");
	user_home(root, 1000, home, sizeof(home));
	cr_assert_str_eq(home, "/home/alice");
	f = fopen(path, "a");
	cr_assert_not_null(f);
	for (int i = 0; i < 10; i++)
		fputs("bob:x:1001:100::/home/bob:/bin/sh\n", f);
	cr_assert_eq(fclose(f), 0);
	cr_assert_eq(user_resolve(root, "alice", &u, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "user \"alice\" not found in /etc/passwd (over 1 MiB)");
	user_home(root, 1000, home, sizeof(home));
	cr_assert_str_eq(home, "/");
	/* Over it, the file counts as absent wherever the entry is: the
	 * child's HOME as much as a user by name. */
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("alice:x:1000:1000:Alice:/home/alice:/bin/sh\n", f);
	for (size_t n = 0; n <= USER_FILE_MAX; n += 50)
		fprintf(f, "%-49s\n", "# filler");
	cr_assert_eq(fclose(f), 0);
	cr_assert_eq(user_resolve(root, "alice", &u, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "user \"alice\" not found in /etc/passwd (over 1 MiB)");
	user_home(root, 1000, home, sizeof(home));
	cr_assert_str_eq(home, "/");
}
