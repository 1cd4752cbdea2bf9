/* test_cgroup.c - the tree vminit makes (resources/tree.c) and what it reads
 * back (resources/usage.c), on a fake cgroup2 of plain files in a temporary
 * directory, found through fake mountinfo and /proc/self/cgroup files
 * (struct rsc_paths): the directories, every file written and its value,
 * controllers missing, a base that is not delegated, a process whose cgroup
 * cannot be made, the OOM reports, status's figures. The real kernel's
 * cgroup2 is test_kill.c's. */
#include "tests/unit/resources/rsc_test.h"
#include "base/loop.h"

static char dir[64];
static char cg[128];                      /* the fake cgroup2's mount point */
static struct rsc_paths paths;

static void setup(void)
{
	char mi[256];
	snprintf(dir, sizeof(dir), "/tmp/vminit-rsc-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(cg, sizeof(cg), "%s/cg", dir);
	cr_assert_eq(mkdir(cg, 0755), 0);
	snprintf(mi, sizeof(mi), "22 1 0:21 / /proc rw - proc proc rw\n"
		 "41 31 0:38 / %s rw,relatime - cgroup2 cgroup2 rw\n", cg);
	rsc_t_put(rsc_t_at(dir, "mountinfo"), mi);
	rsc_t_put(rsc_t_at(dir, "self"), "1:name=systemd:/\n0::/\n");
	rsc_t_put(rsc_t_at(cg, "cgroup.controllers"), "cpuset cpu io memory hugetlb pids rdma misc\n");
	rsc_t_put(rsc_t_at(cg, "cgroup.procs"), "1\n2\n");
	paths = (struct rsc_paths){ .plain_files = 1 };
	paths.mountinfo = strdup(rsc_t_at(dir, "mountinfo"));
	paths.self_cgroup = strdup(rsc_t_at(dir, "self"));
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
	free((char *)paths.mountinfo);
	free((char *)paths.self_cgroup);
}

TestSuite(rsc_tree, .init = setup, .fini = teardown);

static const struct rsc_t_proc three[] = {
	{ "web", 256ull << 20, 0.5, 0 }, { "big", 1ull << 30, 64, 100 }, { "tiny", 64ull << 20, 0.001, 0 },
};

Test(rsc_tree, made_with_every_limit)
{
	struct spec *s = rsc_t_spec(three, 3);
	struct rsc *r = rsc_new(NULL, s, NULL, &paths);
	const struct rsc_tree *t = rsc_tree(r);
	cr_assert_eq(t->on, 1, "%s", t->error);
	cr_assert_str_eq(t->error, "");
	cr_assert_str_eq(t->mount, cg);
	cr_assert_str_eq(t->base, "/");
	cr_assert_eq(t->ctrls, RSC_MEMORY | RSC_PIDS | RSC_CPU);
	cr_assert_eq(t->reserve, 1);
	cr_assert_eq(t->has_kill, 0, "no cgroup.kill file in the fake");
	cr_assert_str_eq(rsc_t_get(rsc_t_at(cg, "vminit/cgroup.procs")), "0");
	cr_assert_str_eq(rsc_t_get(rsc_t_at(cg, "vminit/memory.min")), "16777216");
	cr_assert_str_eq(rsc_t_get(rsc_t_at(cg, "vminit/cpu.weight.nice")), "-10", "PID 1's cgroup weighs as its nice");
	cr_assert_str_eq(rsc_t_get(rsc_t_at(cg, "cgroup.subtree_control")), "+memory+pids+cpu");
	cr_assert_str_eq(rsc_t_get(rsc_t_at(cg, "app/cgroup.subtree_control")), "+memory+pids+cpu");
	cr_assert_str_eq(rsc_exec_dir(r), rsc_t_at(cg, "exec"));
	struct stat st;
	cr_assert_eq(stat(rsc_t_at(cg, "exec"), &st), 0);
	cr_assert(S_ISDIR(st.st_mode));

	cr_assert_str_eq(rsc_proc_dir(r, 0), rsc_t_at(cg, "app/web"));
	cr_assert_str_eq(rsc_t_get(rsc_t_at(cg, "app/web/memory.max")), "268435456");
	cr_assert_str_eq(rsc_t_get(rsc_t_at(cg, "app/web/memory.swap.max")), "0");
	cr_assert_str_eq(rsc_t_get(rsc_t_at(cg, "app/web/memory.oom.group")), "1");
	cr_assert_str_eq(rsc_t_get(rsc_t_at(cg, "app/web/cpu.weight")), "50");
	cr_assert_str_eq(rsc_t_get(rsc_t_at(cg, "app/web/pids.max")), "4096", "0: SPEC_PIDS_DEFAULT");
	cr_assert_str_eq(rsc_t_get(rsc_t_at(cg, "app/big/memory.max")), "1073741824");
	cr_assert_str_eq(rsc_t_get(rsc_t_at(cg, "app/big/cpu.weight")), "6400");
	cr_assert_str_eq(rsc_t_get(rsc_t_at(cg, "app/big/pids.max")), "100");
	cr_assert_str_eq(rsc_t_get(rsc_t_at(cg, "app/tiny/cpu.weight")), "1");
	for (size_t i = 0; i < 3; i++)
		cr_assert_str_eq(rsc_proc_error(r, i), "", "%zu: %s", i, rsc_proc_error(r, i));
	cr_assert_str_eq(rsc_proc_error(r, 3), "");
	cr_assert_null(rsc_proc_dir(r, 3));

	struct rsc_stats st2;
	cr_assert_eq(rsc_stats(r, 1, &st2), 0);
	cr_assert_eq(st2.memory_max, 1 << 30);
	cr_assert_eq(st2.pids_max, 100);
	cr_assert_eq(st2.cpu_weight, 6400);
	cr_assert_eq(st2.memory_current, -1, "no such file in the fake");
	cr_assert_eq(st2.tasks, -1);
	cr_assert_eq(st2.cpu_usage_usec, -1);
	cr_assert_eq(st2.oom_kills, 0);
	cr_assert_eq(rsc_stats(r, 3, &st2), -1);
	cr_assert_eq(rsc_self_stats(r, &st2), 0);
	cr_assert_eq(st2.memory_max, -1);
	cr_assert_eq(st2.cpu_weight, RSC_PID1_WEIGHT, "PID 1's cgroup at the weight of its nice");
	rsc_free(r);
	rsc_t_spec_free(s);
}

/* cpu 1.0 is the kernel's default weight; rounding is to the nearest. */
Test(rsc_tree, cpu_weights_round_and_clamp)
{
	static const struct rsc_t_proc p[] = {
		{ "a", 1, 1.0, 0 }, { "b", 1, 0.004, 0 }, { "c", 1, 0.005, 0 }, { "d", 1, 0.255, 0 },
		{ "e", 1, 100.5, 0 }, { "f", 1, 0, 0 },
	};
	static const char *want[] = { "100", "1", "1", "26", "10000", "1" };
	struct spec *s = rsc_t_spec(p, 6);
	struct rsc *r = rsc_new(NULL, s, NULL, &paths);
	for (size_t i = 0; i < 6; i++)
		cr_assert_str_eq(rsc_t_get(rsc_t_at(cg, "app/%s/cpu.weight", p[i].name)), want[i],
				 "cpu %g", p[i].cpu);
	rsc_free(r);
	rsc_t_spec_free(s);
}

Test(rsc_tree, controllers_missing_are_named)
{
	rsc_t_put(rsc_t_at(cg, "cgroup.controllers"), "cpuset io pids hugetlb\n");
	struct spec *s = rsc_t_spec(three, 1);
	struct rsc *r = rsc_new(NULL, s, NULL, &paths);
	const struct rsc_tree *t = rsc_tree(r);
	cr_assert_eq(t->on, 1);
	cr_assert_eq(t->ctrls, RSC_PIDS);
	cr_assert_eq(t->reserve, 0);
	cr_assert_str_eq(t->error, "no memory, cpu controllers: limits not enforced");
	cr_assert_str_eq(rsc_t_get(rsc_t_at(cg, "cgroup.subtree_control")), "+pids");
	cr_assert_str_eq(rsc_t_get(rsc_t_at(cg, "app/web/memory.max")), "<absent>");
	cr_assert_str_eq(rsc_t_get(rsc_t_at(cg, "app/web/cpu.weight")), "<absent>");
	cr_assert_str_eq(rsc_t_get(rsc_t_at(cg, "vminit/memory.min")), "<absent>");
	cr_assert_str_eq(rsc_t_get(rsc_t_at(cg, "vminit/cpu.weight.nice")), "<absent>");
	cr_assert_str_eq(rsc_t_get(rsc_t_at(cg, "app/web/pids.max")), "4096");
	cr_assert_not_null(rsc_proc_dir(r, 0), "a process still gets its cgroup");
	struct rsc_stats st;
	cr_assert_eq(rsc_stats(r, 0, &st), 0);
	cr_assert_eq(st.memory_max, -1);
	cr_assert_eq(st.cpu_weight, -1);
	cr_assert_eq(st.pids_max, 4096);
	rsc_free(r);

	/* one missing; and no controllers file at all */
	rsc_t_put(rsc_t_at(cg, "cgroup.controllers"), "memory pids\n");
	r = rsc_new(NULL, s, NULL, &paths);
	cr_assert_str_eq(rsc_tree(r)->error, "no cpu controller: limits not enforced");
	rsc_free(r);
	unlink(rsc_t_at(cg, "cgroup.controllers"));
	r = rsc_new(NULL, s, NULL, &paths);
	cr_assert_eq(rsc_tree(r)->on, 1);
	cr_assert_str_eq(rsc_tree(r)->error, "no memory, pids, cpu controllers: limits not enforced");
	rsc_free(r);
	rsc_t_spec_free(s);
}

/* Nothing is made, nothing signalled: every process runs as without. */
static void expect_off(const char *want)
{
	struct spec *s = rsc_t_spec(three, 2);
	struct rsc *r = rsc_new(NULL, s, NULL, &paths);
	struct rsc_stats st;
	cr_assert_eq(rsc_tree(r)->on, 0);
	cr_assert(strstr(rsc_tree(r)->error, want), "error \"%s\" lacks \"%s\"", rsc_tree(r)->error, want);
	cr_assert_null(rsc_proc_dir(r, 0));
	cr_assert_null(rsc_proc_dir(r, 1));
	cr_assert_null(rsc_exec_dir(r));
	cr_assert_eq(rsc_signal(r, 0, SIGTERM, 0), -1);
	cr_assert_eq(rsc_signal(r, 0, SIGKILL, 0), -1);
	cr_assert_eq(rsc_populated(r, 0), -1);
	cr_assert_eq(rsc_stats(r, 0, &st), -1);
	cr_assert_eq(rsc_self_stats(r, &st), -1);
	cr_assert_eq(rsc_last_oom(r, 0)->kind, RSC_OOM_NONE);
	cr_assert_eq(rsc_run_ended(r, 0, NULL), 0);
	cr_assert_str_eq(rsc_t_get(rsc_t_at(cg, "app/web/memory.max")), "<absent>");
	rsc_free(r);
	rsc_t_spec_free(s);
}

Test(rsc_tree, not_delegated_tasks_outside_our_pid_namespace)
{
	rsc_t_put(rsc_t_at(cg, "cgroup.procs"), "1\n0\n0\n");
	expect_off("cgroup /: not delegated: it holds tasks outside vminit's pid namespace");
	struct stat st;
	cr_assert_eq(stat(rsc_t_at(cg, "vminit"), &st), -1, "vminit's cgroup made anyway");
}

Test(rsc_tree, not_delegated_other_processes_below_the_root)
{
	char procs[64];
	cr_assert_eq(mkdir(rsc_t_at(cg, "box"), 0755), 0);
	rsc_t_put(rsc_t_at(dir, "self"), "0::/box\n");
	snprintf(procs, sizeof(procs), "%d\n4242\n", (int)getpid());
	rsc_t_put(rsc_t_at(cg, "box/cgroup.procs"), procs);
	expect_off("cgroup /box: not delegated: it holds other processes (pid 4242)");
}

/* Below the root, a cgroup that holds only PID 1 (or nothing) is ours. */
Test(rsc_tree, delegated_below_the_root)
{
	char procs[64];
	cr_assert_eq(mkdir(rsc_t_at(cg, "box"), 0755), 0);
	rsc_t_put(rsc_t_at(dir, "self"), "0::/box\n");
	snprintf(procs, sizeof(procs), "%d\n", (int)getpid());
	rsc_t_put(rsc_t_at(cg, "box/cgroup.procs"), procs);
	rsc_t_put(rsc_t_at(cg, "box/cgroup.controllers"), "memory pids cpu\n");
	struct spec *s = rsc_t_spec(three, 1);
	struct rsc *r = rsc_new(NULL, s, NULL, &paths);
	cr_assert_eq(rsc_tree(r)->on, 1, "%s", rsc_tree(r)->error);
	cr_assert_str_eq(rsc_tree(r)->base, "/box");
	cr_assert_str_eq(rsc_proc_dir(r, 0), rsc_t_at(cg, "box/app/web"));
	cr_assert_str_eq(rsc_t_get(rsc_t_at(cg, "box/vminit/cgroup.procs")), "0");
	cr_assert_str_eq(rsc_t_get(rsc_t_at(cg, "box/app/web/memory.max")), "268435456");
	rsc_free(r);
	rsc_t_put(rsc_t_at(cg, "box/cgroup.procs"), "");
	r = rsc_new(NULL, s, NULL, &paths);
	cr_assert_eq(rsc_tree(r)->on, 1, "empty: %s", rsc_tree(r)->error);
	rsc_free(r);
	rsc_t_spec_free(s);
}

Test(rsc_tree, no_cgroup2)
{
	rsc_t_put(rsc_t_at(dir, "mountinfo"), "22 1 0:21 / /proc rw - proc proc rw\n"
		  "32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n");
	expect_off("no cgroup2 file system mounted");
}

Test(rsc_tree, no_mountinfo)
{
	free((char *)paths.mountinfo);
	paths.mountinfo = strdup(rsc_t_at(dir, "nothing-here"));
	expect_off("no cgroup2 file system mounted");
}

Test(rsc_tree, no_cgroup2_entry)
{
	rsc_t_put(rsc_t_at(dir, "self"), "4:memory:/x\n");
	expect_off(": no cgroup2 entry");
}

Test(rsc_tree, base_gone)
{
	rsc_t_put(rsc_t_at(dir, "self"), "0::/gone\n");
	expect_off("cgroup /gone: cgroup.procs: No such file or directory");
}

/* A mountinfo longer than the reader's buffer, with a line longer than it
 * before the one that counts: found all the same. */
Test(rsc_tree, long_mountinfo)
{
	FILE *f = fopen(paths.mountinfo, "w");
	cr_assert_not_null(f);
	fprintf(f, "1 1 0:1 / /");
	for (int i = 0; i < 10000; i++)
		fputc('x', f);
	fprintf(f, " rw - cgroup2 cgroup2 rw\n");
	for (int i = 0; i < 2000; i++)
		fprintf(f, "%d 1 0:%d / /mnt/%d rw - tmpfs tmpfs rw\n", i + 2, i, i);
	fprintf(f, "9999 1 0:38 / %s rw - cgroup2 cgroup2 rw\n", cg);
	fclose(f);
	struct spec *s = rsc_t_spec(three, 1);
	struct rsc *r = rsc_new(NULL, s, NULL, &paths);
	cr_assert_eq(rsc_tree(r)->on, 1, "%s", rsc_tree(r)->error);
	cr_assert_str_eq(rsc_tree(r)->mount, cg);
	rsc_free(r);
	rsc_t_spec_free(s);
}

Test(rsc_tree, a_process_that_cannot_have_one_goes_without)
{
	static const struct rsc_t_proc p[] = { { "bad", 1, 1, 0 }, { "web", 1, 1, 0 }, { "..", 1, 1, 0 } };
	cr_assert_eq(mkdir(rsc_t_at(cg, "app"), 0755), 0);
	rsc_t_put(rsc_t_at(cg, "app/bad"), "a file where the directory goes\n");
	struct spec *s = rsc_t_spec(p, 3);
	struct rsc *r = rsc_new(NULL, s, NULL, &paths);
	cr_assert_eq(rsc_tree(r)->on, 1);
	cr_assert_null(rsc_proc_dir(r, 0));
	cr_assert_str_eq(rsc_proc_error(r, 0), "cgroup memory.max: Not a directory");
	cr_assert_eq(rsc_signal(r, 0, SIGTERM, 0), -1);
	cr_assert_not_null(rsc_proc_dir(r, 1));
	cr_assert_null(rsc_proc_dir(r, 2));
	cr_assert(strstr(rsc_proc_error(r, 2), "no directory name"), "%s", rsc_proc_error(r, 2));
	rsc_free(r);
	rsc_t_spec_free(s);
}

Test(rsc_tree, a_name_too_long)
{
	char name[RSC_PATH_MAX];
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	struct rsc_t_proc p[] = { { name, 1, 1, 0 } };
	struct spec *s = rsc_t_spec(p, 1);
	struct rsc *r = rsc_new(NULL, s, NULL, &paths);
	cr_assert_null(rsc_proc_dir(r, 0));
	cr_assert_str_eq(rsc_proc_error(r, 0), "cgroup: its path is too long");
	rsc_free(r);
	rsc_t_spec_free(s);
}

/* -- what it reads back -- */

#define EVENTS(oom, kills) "low 0\nhigh 0\nmax 9\noom " #oom "\noom_kill " #kills "\noom_group_kill 0\n"

TestSuite(rsc_usage, .init = setup, .fini = teardown);

static struct rsc_oom told[8];
static size_t ntold, told_i;

static void on_oom(void *ctx, size_t i, const struct rsc_oom *o)
{
	cr_assert_eq(ctx, &ntold);
	cr_assert_lt(ntold, 8);
	told_i = i;
	told[ntold++] = *o;
}

/* web's cgroup with its files there before vminit (EEXIST is fine). */
static struct rsc *with_files(struct spec **ret_spec, struct loop *l)
{
	static const struct rsc_hooks h = { on_oom, &ntold };
	cr_assert_eq(mkdir(rsc_t_at(cg, "app"), 0755), 0);
	cr_assert_eq(mkdir(rsc_t_at(cg, "app/web"), 0755), 0);
	rsc_t_put(rsc_t_at(cg, "app/web/memory.events"), EVENTS(2, 2));
	rsc_t_put(rsc_t_at(cg, "app/web/memory.peak"), "200000000\n");
	rsc_t_put(rsc_t_at(cg, "app/web/memory.current"), "123456\n");
	rsc_t_put(rsc_t_at(cg, "app/web/pids.current"), "7\n");
	rsc_t_put(rsc_t_at(cg, "app/web/cpu.stat"), "usage_usec 900\nuser_usec 600\nsystem_usec 300\n");
	rsc_t_put(rsc_t_at(cg, "app/web/cgroup.events"), "populated 1\nfrozen 0\n");
	*ret_spec = rsc_t_spec(three, 1);
	ntold = 0;
	return rsc_new(l, *ret_spec, &h, &paths);
}

Test(rsc_usage, status_figures)
{
	struct spec *s;
	struct rsc *r = with_files(&s, NULL);
	struct rsc_stats st;
	cr_assert_eq(rsc_stats(r, 0, &st), 0);
	cr_assert_eq(st.memory_current, 123456);
	cr_assert_eq(st.memory_peak, 200000000);
	cr_assert_eq(st.memory_max, 256 << 20);
	cr_assert_eq(st.cpu_usage_usec, 900);
	cr_assert_eq(st.cpu_user_usec, 600);
	cr_assert_eq(st.cpu_system_usec, 300);
	cr_assert_eq(st.tasks, 7);
	cr_assert_eq(st.pids_max, 4096);
	cr_assert_eq(st.cpu_weight, 50);
	cr_assert_eq(st.oom_kills, 2);
	/* read again each time: the same fds, the files' new content */
	rsc_t_put(rsc_t_at(cg, "app/web/memory.current"), "99\n");
	rsc_t_put(rsc_t_at(cg, "app/web/cpu.stat"), "user_usec 1\n");
	cr_assert_eq(rsc_stats(r, 0, &st), 0);
	cr_assert_eq(st.memory_current, 99);
	cr_assert_eq(st.cpu_usage_usec, -1);
	cr_assert_eq(st.cpu_user_usec, 1);
	cr_assert_eq(rsc_populated(r, 0), 1);
	rsc_t_put(rsc_t_at(cg, "app/web/cgroup.events"), "populated 0\nfrozen 0\n");
	cr_assert_eq(rsc_populated(r, 0), 0);
	rsc_t_put(rsc_t_at(cg, "app/web/cgroup.events"), "frozen 0\n");
	cr_assert_eq(rsc_populated(r, 0), -1);
	rsc_free(r);
	rsc_t_spec_free(s);
}

Test(rsc_usage, oom_reports_limit_then_vm)
{
	struct spec *s;
	struct rsc *r = with_files(&s, NULL);
	struct rsc_oom o;
	rsc_run_started(r, 0);
	rsc_check_oom(r, 0);
	cr_assert_eq(ntold, 0, "kills from before vminit are not news");
	/* the kernel counts oom before it kills: a wake in between tells nothing */
	rsc_t_put(rsc_t_at(cg, "app/web/memory.events"), EVENTS(3, 2));
	rsc_check_oom(r, 0);
	cr_assert_eq(ntold, 0);
	rsc_t_put(rsc_t_at(cg, "app/web/memory.events"), EVENTS(3, 4));
	rsc_check_oom(r, 0);
	cr_assert_eq(ntold, 1);
	cr_assert_eq(told_i, 0);
	cr_assert_eq(told[0].kind, RSC_OOM_LIMIT);
	cr_assert_eq(told[0].kills, 2);
	cr_assert_eq(told[0].limit, 256 << 20);
	cr_assert_eq(told[0].peak, 200000000);
	rsc_check_oom(r, 0);
	cr_assert_eq(ntold, 1, "told twice");
	/* kills without oom: the VM ran short */
	rsc_t_put(rsc_t_at(cg, "app/web/memory.events"), EVENTS(3, 5));
	rsc_check_oom(r, 0);
	cr_assert_eq(ntold, 2);
	cr_assert_eq(told[1].kind, RSC_OOM_VM);
	cr_assert_eq(told[1].kills, 1);
	/* the run: every kill since it started, the limit's as oom grew */
	cr_assert_eq(rsc_last_oom(r, 0)->kind, RSC_OOM_NONE);
	cr_assert_eq(rsc_run_ended(r, 0, &o), 1);
	cr_assert_eq(o.kind, RSC_OOM_LIMIT);
	cr_assert_eq(o.kills, 3);
	cr_assert_eq(o.limit, 256 << 20);
	cr_assert_eq(rsc_last_oom(r, 0)->kills, 3);
	/* the next run, without a kill: none, and the last one forgotten */
	rsc_run_started(r, 0);
	memset(&o, 0x5a, sizeof(o));
	cr_assert_eq(rsc_run_ended(r, 0, &o), 0);
	cr_assert_eq(o.kills, 0x5a5a5a5a5a5a5a5aull, "ret touched without a kill");
	cr_assert_eq(rsc_last_oom(r, 0)->kind, RSC_OOM_NONE);
	/* a run the VM's shortage ended */
	rsc_run_started(r, 0);
	rsc_t_put(rsc_t_at(cg, "app/web/memory.events"), EVENTS(3, 6));
	cr_assert_eq(rsc_run_ended(r, 0, &o), 1);
	cr_assert_eq(o.kind, RSC_OOM_VM);
	cr_assert_eq(o.kills, 1);
	rsc_free(r);
	rsc_t_spec_free(s);
}

Test(rsc_usage, a_bad_memory_events_stops_the_watch)
{
	struct spec *s;
	struct rsc *r = with_files(&s, NULL);
	rsc_t_put(rsc_t_at(cg, "app/web/memory.events"), "oom x\n");
	rsc_check_oom(r, 0);
	cr_assert_eq(ntold, 0);
	cr_assert(strstr(rsc_proc_error(r, 0), "OOM kills no longer watched"), "%s", rsc_proc_error(r, 0));
	cr_assert_eq(rsc_run_ended(r, 0, NULL), 0);
	rsc_free(r);
	rsc_t_spec_free(s);
}

/* epoll refuses a plain file: the process keeps its cgroup, the error says
 * its OOM kills are not watched. (The kernel's memory.events is watched in
 * the QEMU tests: this host's cgroup2 has no memory controller.) */
Test(rsc_usage, a_file_epoll_refuses)
{
	struct loop *l = loop_new(4);
	struct spec *s;
	struct rsc *r = with_files(&s, l);
	cr_assert_not_null(rsc_proc_dir(r, 0));
	cr_assert(strstr(rsc_proc_error(r, 0), "OOM kills not watched"), "%s", rsc_proc_error(r, 0));
	rsc_free(r);
	rsc_t_spec_free(s);
	loop_free(l);
}
