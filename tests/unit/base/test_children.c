/* test_children.c - base/children.c: the pid -> owner table the reaper looks
 * children up in. Each Criterion test runs in its own process, so each starts
 * with an empty table. */
#include "tests/unit/unit.h"
#include "base/children.h"

#include <errno.h>
#include <sys/wait.h>

struct rec {
	int before, exited, jc;
	pid_t pid;
	int wstatus, sig;
	size_t count_at_exit;   /* children_count() inside exited */
};

static void r_before(void *ctx, pid_t pid)
{
	struct rec *r = ctx;
	r->before++;
	r->pid = pid;
}

static void r_exited(void *ctx, pid_t pid, int wstatus)
{
	struct rec *r = ctx;
	r->exited++;
	r->pid = pid;
	r->wstatus = wstatus;
	r->count_at_exit = children_count();
}

static void r_jc(void *ctx, pid_t pid, int sig)
{
	struct rec *r = ctx;
	r->jc++;
	r->pid = pid;
	r->sig = sig;
}

static const struct child_owner owner = {
	.group_end = r_before, .exited = r_exited, .job_control = r_jc,
};

Test(children, add_find_and_reap)
{
	struct rec a = { 0 }, b = { 0 };
	const struct child *c;
	cr_assert_eq(children_count(), 0);
	cr_assert_eq(children_add(100, &owner, &a), 0);
	cr_assert_eq(children_add(200, &owner, &b), 0);
	cr_assert_eq(children_count(), 2);
	c = children_find(200);
	cr_assert_not_null(c);
	cr_assert_eq(c->pid, 200);
	cr_assert_eq(c->ctx, &b);
	cr_assert_eq(c->owner, &owner);
	cr_assert_null(children_find(300), "an orphan is not in the table");
	cr_assert_null(children_find(0));
	cr_assert_null(children_find(-1));

	children_reaped(c, W_EXITCODE(3, 0));
	cr_assert_eq(b.exited, 1);
	cr_assert_eq(b.pid, 200);
	cr_assert_eq(b.wstatus, W_EXITCODE(3, 0));
	cr_assert_eq(b.count_at_exit, 1, "the entry is out before its owner hears of it");
	cr_assert_eq(a.exited, 0, "the other owner was called");
	cr_assert_null(children_find(200));
	cr_assert_not_null(children_find(100));
}

Test(children, refuses_bad_and_repeated_pids)
{
	struct rec a = { 0 };
	errno = 0;
	cr_assert_eq(children_add(0, &owner, &a), -1);
	cr_assert_eq(errno, EINVAL);
	cr_assert_eq(children_add(-5, &owner, &a), -1);
	cr_assert_eq(children_add(7, &owner, &a), 0);
	errno = 0;
	cr_assert_eq(children_add(7, &owner, &a), -1, "one pid, two owners");
	cr_assert_eq(errno, EINVAL);
	cr_assert_eq(children_count(), 1);
}

Test(children, full_table_refuses_and_keeps_every_entry)
{
	static struct rec recs[CHILDREN_MAX];
	struct rec extra = { 0 };
	for (int i = 0; i < CHILDREN_MAX; i++)
		cr_assert_eq(children_add(1000 + i, &owner, &recs[i]), 0, "entry %d", i);
	cr_assert_eq(children_count(), CHILDREN_MAX);
	errno = 0;
	cr_assert_eq(children_add(5000, &owner, &extra), -1);
	cr_assert_eq(errno, ENOSPC, "a full table says so");
	/* nothing was lost: every pid is still found, with its own owner */
	for (int i = 0; i < CHILDREN_MAX; i++) {
		const struct child *c = children_find(1000 + i);
		cr_assert_not_null(c, "pid %d lost", 1000 + i);
		cr_assert_eq(c->ctx, &recs[i]);
	}
	/* reap them in an order that moves entries around; each once */
	for (int i = 0; i < CHILDREN_MAX; i += 2)
		children_reaped(children_find(1000 + i), 0);
	for (int i = CHILDREN_MAX - 1; i >= 0; i -= 2)
		children_reaped(children_find(1000 + i), 0);
	for (int i = 0; i < CHILDREN_MAX; i++)
		cr_assert_eq(recs[i].exited, 1, "pid %d: %d calls", 1000 + i, recs[i].exited);
	cr_assert_eq(children_count(), 0);
	cr_assert_eq(children_add(5000, &owner, &extra), 0, "room again");
}

Test(children, remove_tells_no_one)
{
	struct rec a = { 0 };
	cr_assert_eq(children_add(42, &owner, &a), 0);
	children_remove(children_find(42));
	cr_assert_null(children_find(42));
	cr_assert_eq(a.exited + a.before + a.jc, 0);
}

/* The owner's exited may register a new child (a restart forks again): the
 * table has room for it, and the new entry is not the one just reaped. */
static struct rec again_rec;
static void again_exited(void *ctx, pid_t pid, int wstatus)
{
	static const struct child_owner o = { .exited = r_exited };
	(void)ctx; (void)wstatus;
	cr_assert_eq(children_add(pid + 1, &o, &again_rec), 0);
}

Test(children, an_owner_may_fork_again_while_told)
{
	static const struct child_owner o = { .exited = again_exited };
	cr_assert_eq(children_add(10, &o, NULL), 0);
	children_reaped(children_find(10), 0);
	cr_assert_null(children_find(10));
	cr_assert_not_null(children_find(11));
	cr_assert_eq(children_count(), 1);
}
