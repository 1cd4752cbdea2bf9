/* test_kill.c - the module on the kernel's own cgroup2 (resources/kill.c,
 * tree.c, usage.c): the test moves itself into a cgroup of its own
 * (MOUNT/vminit-unit-PID, as vminit in a delegated subtree), makes the tree
 * there with the real /proc files, and puts real processes in a process's
 * cgroup: one in the cgroup's session, one double-forked into a session of
 * its own. SIGTERM reaches both; SIGKILL kills both, through cgroup.kill
 * and through rounds without it; cgroup.events says populated, then empty.
 *
 * The test process is a child subreaper, so the double-forked one is its
 * child again when orphaned: every death is awaited with waitpid, never
 * timed. Root required (as every unit test here); skipped where no cgroup2
 * can be made. Also: rsc_protect_self in a child. */
#include "tests/unit/resources/rsc_test.h"

#include <dirent.h>
#include <sys/prctl.h>
#include <sys/wait.h>

static char mount_point[RSC_PATH_MAX];
static char top[RSC_PATH_MAX + 64];       /* MOUNT/vminit-unit-PID */
static pid_t kids[2];                     /* in the session, double-forked */
static int made;

/* The cgroup2 mount, or "" (from the real mountinfo). */
static void find_mount(void)
{
	static char buf[1 << 16];
	int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	size_t n = 0;
	ssize_t k;
	mount_point[0] = '\0';
	if (fd < 0)
		return;
	while (n < sizeof(buf) && (k = read(fd, buf + n, sizeof(buf) - n)) > 0)
		n += (size_t)k;
	close(fd);
	if (rsc_parse_mountinfo(buf, n, mount_point, sizeof(mount_point)) < 0)
		mount_point[0] = '\0';
}

/* A test that timed out was killed without its fini: its cgroup (and a
 * double-forked child in it) is left. Those of a test process that is gone
 * are killed and removed; another run's, still alive, are left alone. */
static void sweep(void)
{
	static const char *dirs[] = { "app/job", "app", "exec", "vminit", "" };
	DIR *d = opendir(mount_point);
	struct dirent *e;
	int owner;
	while (d && (e = readdir(d)))
		if (sscanf(e->d_name, "vminit-unit-%d", &owner) == 1 && owner > 0 && kill(owner, 0) < 0 &&
		    errno == ESRCH) {
			char old[RSC_PATH_MAX + 300];
			snprintf(old, sizeof(old), "%s/%s", mount_point, e->d_name);
			int fd = open(rsc_t_at(old, "app/job/cgroup.kill"), O_WRONLY | O_CLOEXEC);
			if (fd >= 0 && write(fd, "1", 1) < 0)
				close(fd), fd = -1;
			if (fd >= 0)
				close(fd);
			for (int tries = 0; tries < 1000 && rmdir(rsc_t_at(old, "app/job")) < 0 && errno == EBUSY;
			     tries++)
				usleep(10000);   /* killed tasks leave at their own pace */
			for (size_t k = 0; k < sizeof(dirs) / sizeof(dirs[0]); k++)
				rmdir(rsc_t_at(old, "%s", dirs[k]));
		}
	if (d)
		closedir(d);
}

static void setup(void)
{
	find_mount();
	if (!mount_point[0])
		return;
	sweep();
	snprintf(top, sizeof(top), "%s/vminit-unit-%d", mount_point, (int)getpid());
	if (mkdir(top, 0755) < 0)
		return;
	made = 1;
	rsc_t_put(rsc_t_at(top, "cgroup.procs"), "0");
	cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
}

/* The cgroups go once empty: every child reaped, the test back at the root. */
static void teardown(void)
{
	static const char *dirs[] = { "app/job", "app", "exec", "vminit", "" };
	if (!made)
		return;
	for (size_t k = 0; k < 2; k++)
		if (kids[k] > 0)
			kill(kids[k], SIGKILL);
	while (waitpid(-1, NULL, 0) > 0)
		;
	rsc_t_put(rsc_t_at(mount_point, "cgroup.procs"), "0");
	for (size_t k = 0; k < sizeof(dirs) / sizeof(dirs[0]); k++) {
		const char *d = rsc_t_at(top, "%s", dirs[k]);
		cr_expect(rmdir(d) == 0 || errno == ENOENT, "rmdir %s: %s", d, strerror(errno));
	}
}

TestSuite(rsc_kill, .init = setup, .fini = teardown, .timeout = 60);

static struct rsc *tree(struct spec **ret_spec, int no_kill)
{
	static const struct rsc_t_proc job[] = { { "job", 64ull << 20, 1, 0 } };
	struct rsc_paths p = { .no_kill = no_kill };
	struct rsc *r;
	if (!made)
		cr_skip_test("no cgroup2 to make a cgroup in (%s)", mount_point[0] ? top : "none mounted");
	*ret_spec = rsc_t_spec(job, 1);
	r = rsc_new(NULL, *ret_spec, NULL, &p);
	cr_assert_not_null(r);
	cr_assert_eq(rsc_tree(r)->on, 1, "%s", rsc_tree(r)->error);
	cr_assert_str_eq(rsc_tree(r)->mount, mount_point);
	cr_assert_str_eq(rsc_tree(r)->base, top + strlen(mount_point));
	cr_assert_not_null(rsc_proc_dir(r, 0), "%s", rsc_proc_error(r, 0));
	return r;
}

/* kids[0] joins dir (as spawn's child does) and waits; its child leaves the
 * session, forks kids[1] and exits. Each says so on a pipe before it waits.
 * With hold_term, kids[0] blocks SIGTERM (a TERM sent to it stays pending,
 * where /proc shows it) and kids[1] does not. */
static void start_kids_holding(const char *dir, int hold_term)
{
	int p[2], q[2];
	pid_t mid;
	char c;
	sigset_t term;
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	cr_assert_eq(pipe(p), 0);
	cr_assert_eq(pipe(q), 0);
	kids[0] = fork();
	cr_assert_geq(kids[0], 0);
	if (kids[0] == 0) {
		int fd = open(rsc_t_at(dir, "cgroup.procs"), O_WRONLY);
		if (fd < 0 || write(fd, "0", 1) != 1)
			_exit(126);
		close(fd);
		if (hold_term)
			sigprocmask(SIG_BLOCK, &term, NULL);
		if ((mid = fork()) == 0) {
			setsid();
			sigprocmask(SIG_UNBLOCK, &term, NULL);
			if (fork() == 0) {
				pid_t me = getpid();
				if (write(q[1], &me, sizeof(me)) != sizeof(me))
					_exit(125);
				for (;;)
					pause();
			}
			_exit(0);
		}
		waitpid(mid, NULL, 0);
		if (write(p[1], "a", 1) != 1)
			_exit(125);
		for (;;)
			pause();
	}
	close(p[1]);
	close(q[1]);
	cr_assert_eq(read(p[0], &c, 1), 1, "the first child did not start");
	cr_assert_eq(read(q[0], &kids[1], sizeof(kids[1])), (ssize_t)sizeof(kids[1]),
		     "the double-forked one did not start");
	close(p[0]);
	close(q[0]);
	cr_assert_neq(getsid(kids[1]), getsid(kids[0]), "not in a session of its own");
}

static void start_kids(const char *dir)
{
	start_kids_holding(dir, 0);
}

/* Whether pid has SIGTERM pending (its own or its process's). */
static int term_pending(pid_t pid)
{
	char path[64], line[256];
	unsigned long long mask = 0, m;
	FILE *f;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f))
		if ((sscanf(line, "SigPnd: %llx", &m) == 1 || sscanf(line, "ShdPnd: %llx", &m) == 1))
			mask |= m;
	fclose(f);
	return (mask >> (SIGTERM - 1)) & 1;
}

/* Both die of sig: the double-forked one is ours again (subreaper). */
static void expect_kids_die(int sig)
{
	for (size_t k = 0; k < 2; k++) {
		int status;
		cr_assert_eq(waitpid(kids[k], &status, 0), kids[k], "kid %zu: %s", k, strerror(errno));
		cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == sig, "kid %zu: status 0x%x, not signal %d",
			  k, status, sig);
		kids[k] = 0;
	}
}

static long count(const char *dir)
{
	long n = 0;
	char path[RSC_PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	const char *s = rsc_t_get(path);
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

Test(rsc_kill, tree_on_the_kernel)
{
	struct spec *s;
	struct rsc *r = tree(&s, 0);
	char self[32];
	snprintf(self, sizeof(self), "%d\n", (int)getpid());
	cr_assert_str_eq(rsc_t_get(rsc_t_at(top, "vminit/cgroup.procs")), self, "PID 1 moved into vminit");
	cr_assert_str_eq(rsc_t_get(rsc_t_at(top, "cgroup.procs")), "");
	cr_assert_eq(rsc_tree(r)->has_kill, 1, "cgroup.kill is Linux 5.14's");
	cr_assert_eq(rsc_populated(r, 0), 0);
	struct rsc_stats st;
	cr_assert_eq(rsc_self_stats(r, &st), 0);
	cr_assert_geq(st.cpu_usage_usec, 0, "cpu.stat exists without the cpu controller");
	cr_assert_geq(st.cpu_user_usec, 0);
	cr_assert_geq(st.cpu_system_usec, 0);
	cr_assert_eq(rsc_stats(r, 0, &st), 0);
	cr_assert_eq(st.cpu_usage_usec, 0, "nothing ran in job yet");
	rsc_free(r);
	rsc_t_spec_free(s);
}

Test(rsc_kill, term_reaches_another_session)
{
	struct spec *s;
	struct rsc *r = tree(&s, 0);
	start_kids(rsc_proc_dir(r, 0));
	cr_assert_eq(count(rsc_proc_dir(r, 0)), 2);
	cr_assert_eq(rsc_populated(r, 0), 1);
	cr_assert_eq(rsc_signal(r, 0, SIGTERM, 0), 0);
	expect_kids_die(SIGTERM);
	cr_assert_eq(rsc_populated(r, 0), 0);
	struct rsc_stats st;
	cr_assert_eq(rsc_stats(r, 0, &st), 0);
	cr_assert_gt(st.cpu_usage_usec, 0, "the children's CPU time is counted");
	rsc_free(r);
	rsc_t_spec_free(s);
}

/* The stop signals the process group, then the cgroup: the group's members
 * had the signal already and must not get it twice (a handler that counts
 * them would see two); what left the group gets it. Once the TERM was sent
 * to both kids[0] (the group) and again to the cgroup. */
Test(rsc_kill, the_group_already_signalled_is_left_out)
{
	struct spec *s;
	struct rsc *r = tree(&s, 0);
	pid_t group;
	start_kids_holding(rsc_proc_dir(r, 0), 1);
	group = getpgid(kids[0]);
	cr_assert_gt(group, 0);
	cr_assert_neq(getpgid(kids[1]), group);
	cr_assert_eq(rsc_signal(r, 0, SIGTERM, group), 0);
	cr_assert_not(term_pending(kids[0]), "the group's member got the TERM again");
	{
		int status;
		cr_assert_eq(waitpid(kids[1], &status, 0), kids[1]);
		cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM, "status 0x%x", status);
		kids[1] = 0;
	}
	cr_assert_eq(rsc_signal(r, 0, SIGTERM, 0), 0);
	cr_assert(term_pending(kids[0]), "no TERM with nothing left out");
	cr_assert_eq(rsc_signal(r, 0, SIGKILL, group), 0);
	{
		int status;
		cr_assert_eq(waitpid(kids[0], &status, 0), kids[0]);
		cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "a KILL leaves no one out");
		kids[0] = 0;
	}
	rsc_free(r);
	rsc_t_spec_free(s);
}

Test(rsc_kill, kill_by_cgroup_kill)
{
	struct spec *s;
	struct rsc *r = tree(&s, 0);
	start_kids(rsc_proc_dir(r, 0));
	cr_assert_eq(rsc_populated(r, 0), 1);
	cr_assert_eq(rsc_signal(r, 0, SIGKILL, 0), 0);
	expect_kids_die(SIGKILL);
	cr_assert_eq(rsc_populated(r, 0), 0);
	rsc_free(r);
	rsc_t_spec_free(s);
}

Test(rsc_kill, kill_by_rounds_without_cgroup_kill)
{
	struct spec *s;
	struct rsc *r = tree(&s, 1);
	cr_assert_eq(rsc_tree(r)->has_kill, 0);
	start_kids(rsc_proc_dir(r, 0));
	cr_assert_eq(rsc_signal(r, 0, SIGKILL, 0), 0);
	expect_kids_die(SIGKILL);
	cr_assert_eq(rsc_populated(r, 0), 0);
	cr_assert_eq(count(rsc_proc_dir(r, 0)), 0);
	rsc_free(r);
	rsc_t_spec_free(s);
}

/* A signal to an empty cgroup is no error; a process without one is. */
Test(rsc_kill, empty_and_none)
{
	struct spec *s;
	struct rsc *r = tree(&s, 1);
	cr_assert_eq(rsc_signal(r, 0, SIGTERM, 0), 0);
	cr_assert_eq(rsc_signal(r, 0, SIGKILL, 0), 0);
	cr_assert_eq(rsc_signal(r, 1, SIGKILL, 0), -1);
	rsc_free(r);
	rsc_t_spec_free(s);
}

/* CAP_SYS_RESOURCE is in the effective set (PID 1 in a VM has it; a
 * helper of this machine's may not). */
static int has_sys_resource(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	unsigned long long eff = 0;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	if (f)
		fclose(f);
	return (eff >> 24) & 1;
}

/* In a child: the test process keeps its own score. Without
 * CAP_SYS_RESOURCE the score cannot go down, and the error says so. (The
 * sanitizers make mlockall do nothing: that half is the QEMU tests'.) */
Test(rsc_protect, oom_score_adj_and_locked)
{
	int cap = has_sys_resource(), status;
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		char err[128] = "", buf[16] = "";
		int before = 1, fd, r;
		/* Raising it needs no privilege: what it was is told back. */
		fd = open("/proc/self/oom_score_adj", O_WRONLY);
		if (fd < 0 || write(fd, "123", 3) != 3 || close(fd) < 0)
			_exit(4);
		r = rsc_protect_self(&before, err, sizeof(err));
		if (before != 123)
			_exit(5);
		if (!cap)
			_exit(r == -1 && !strcmp(err, "/proc/self/oom_score_adj: Permission denied") ? 10 : 2);
		fd = open("/proc/self/oom_score_adj", O_RDONLY);
		if (r < 0 || fd < 0 || read(fd, buf, sizeof(buf) - 1) < 0 || strcmp(buf, "-1000\n"))
			_exit(3);
		_exit(0);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status), "status 0x%x", status);
	cr_assert_eq(WEXITSTATUS(status), cap ? 0 : 10, "CAP_SYS_RESOURCE %d: exit %d", cap,
		     WEXITSTATUS(status));
}
