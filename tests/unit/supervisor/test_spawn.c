/* test_spawn.c - a child's privileges (supervisor/spawn.c, spawn.h: bound
 * and caps): what grep reads in its own /proc/self/status once spawned.
 * Needs root with CAP_SETPCAP (skipped otherwise); tests/pid1/t-caps.sh has
 * the same as PID 1. */
#include "tests/unit/unit.h"
#include "supervisor/spawn.h"

#include <errno.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

struct sets {
	unsigned long long eff, bnd;
	int nnp;
};

static void parse_sets(const char *text, struct sets *ret)
{
	const char *p;
	cr_assert_not_null(p = strstr(text, "CapEff:"), "%s", text);
	ret->eff = strtoull(p + 7, NULL, 16);
	cr_assert_not_null(p = strstr(text, "CapBnd:"), "%s", text);
	ret->bnd = strtoull(p + 7, NULL, 16);
	cr_assert_not_null(p = strstr(text, "NoNewPrivs:"), "%s", text);
	ret->nnp = atoi(p + 11);
}

/* Spawn grep over its own status with these privileges; its sets. */
static void spawn_sets(int bound, uint64_t caps, const char *user, struct sets *ret)
{
	char *argv[] = { "/bin/grep", "-E", "^(CapEff|CapBnd|NoNewPrivs):", "/proc/self/status", NULL };
	char *envp[] = { "PATH=/usr/bin:/bin", NULL };
	char buf[512];
	size_t n = 0;
	ssize_t r;
	int fds[2], st;
	pid_t pid;
	cr_assert_eq(pipe(fds), 0);
	pid = spawn_process(&(struct spawn_req){ .argv = argv, .envp = envp, .user = user, .root = "/",
						 .out_fd = fds[1], .err_fd = fds[1], .bound = bound,
						 .caps = caps });
	cr_assert_gt(pid, 0);
	close(fds[1]);
	while (n < sizeof(buf) - 1 && (r = read(fds[0], buf + n, sizeof(buf) - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
	close(fds[0]);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "grep: status %d: %s", st, buf);
	parse_sets(buf, ret);
}

static struct sets ours;

static void need_setpcap(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char text[4096];
	size_t n;
	cr_assert_not_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	parse_sets(text, &ours);
	if (geteuid() != 0 || !(ours.eff >> CAP_SETPCAP & 1) || !(ours.eff >> CAP_SETUID & 1))
		cr_skip_test("needs root with CAP_SETPCAP and CAP_SETUID");
}

Test(spawn_privileges, unbound_keeps_ours)
{
	struct sets s;
	need_setpcap();
	spawn_sets(0, 0, NULL, &s);
	cr_assert_eq(s.bnd, ours.bnd);
	cr_assert_eq(s.nnp, 0);
}

Test(spawn_privileges, root_gets_caps_in_every_set)
{
	struct sets s;
	uint64_t caps = SPEC_CAPS_DEFAULT | 1ull << CAP_NET_ADMIN;
	need_setpcap();
	spawn_sets(1, caps, NULL, &s);
	cr_assert_eq(s.bnd, caps & ours.bnd, "CapBnd %llx", s.bnd);
	cr_assert_eq(s.eff, caps & ours.eff, "CapEff %llx", s.eff);
	cr_assert_eq(s.nnp, 0);
	spawn_sets(1, 1ull << CAP_KILL, "root", &s);
	cr_assert_eq(s.bnd, 1ull << CAP_KILL);
	cr_assert_eq(s.eff, 1ull << CAP_KILL);
	spawn_sets(1, 0, NULL, &s);
	cr_assert_eq(s.bnd, 0);
	cr_assert_eq(s.eff, 0);
	cr_assert_eq(s.nnp, 0);
}

Test(spawn_privileges, others_get_nothing)
{
	struct sets s;
	need_setpcap();
	spawn_sets(1, SPEC_CAPS_DEFAULT, "65534:65534", &s);
	cr_assert_eq(s.bnd, 0, "CapBnd %llx", s.bnd);
	cr_assert_eq(s.eff, 0);
	cr_assert_eq(s.nnp, 1);
}
