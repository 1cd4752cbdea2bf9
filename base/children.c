/* children.c - the pid -> owner table (children.h).
 *
 * Owns: a fixed array of CHILDREN_MAX entries, the first n in use, in no
 * order (a removal moves the last entry into the hole). Lookups scan the n
 * live children, which are PID 1's supervised processes and exec jobs: at
 * most a few hundred, usually a handful; orphans are never entered.
 * Invariants: n <= CHILDREN_MAX; each pid > 0 at most once.
 * Never: allocates, or blocks.
 */
#include "children.h"

#include <errno.h>
#include <stddef.h>

static struct child table[CHILDREN_MAX];
static size_t n;

static struct child *lookup(pid_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (table[i].pid == pid)
			return &table[i];
	return NULL;
}

int children_add(pid_t pid, const struct child_owner *owner, void *ctx)
{
	if (pid <= 0 || lookup(pid)) {
		errno = EINVAL;
		return -1;
	}
	if (n == CHILDREN_MAX) {
		errno = ENOSPC;
		return -1;
	}
	table[n++] = (struct child){ .pid = pid, .owner = owner, .ctx = ctx };
	return 0;
}

const struct child *children_find(pid_t pid)
{
	return pid > 0 ? lookup(pid) : NULL;
}

void children_remove(const struct child *c)
{
	table[c - table] = table[--n];
}

void children_reaped(const struct child *c, int wstatus)
{
	struct child was = *c;
	children_remove(c);
	was.owner->exited(was.ctx, was.pid, wstatus);
}

size_t children_count(void)
{
	return n;
}
