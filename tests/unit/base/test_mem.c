/* mem: big zeroed objects (base/mem.c) take memory only where they are
 * written: none of their pages is resident until used, and a ring made with
 * them holds only the pages its records reached. */
#include "tests/unit/unit.h"
#include "base/mem.h"
#include "base/ring.h"

#include <sys/mman.h>
#include <unistd.h>

/* How many pages of [p, p + n) are resident. */
static size_t resident(const void *p, size_t n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), np = (n + page - 1) / page, k = 0;
	unsigned char v[256];
	cr_assert_leq(np, sizeof(v));
	cr_assert_eq(mincore((void *)p, n, v), 0);
	for (size_t i = 0; i < np; i++)
		k += v[i] & 1;
	return k;
}

Test(mem, zeroed_and_untouched_until_written)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), n = 64 * page;
	unsigned char *p = mem_pages(n);
	cr_assert_not_null(p);
	cr_assert_eq((uintptr_t)p % page, 0, "page-aligned: no allocator header in front");
	cr_assert_eq(resident(p, n), 0, "no page resident before use (calloc would write them all)");
	p[5 * page + 7] = 1;
	cr_assert_eq(resident(p, n), 1);
	cr_assert_eq(p[5 * page + 6], 0);
	cr_assert_eq(p[n - 1], 0);
	mem_pages_free(p, n);
	mem_pages_free(NULL, n);
	cr_assert_null(mem_pages(0));
}

Test(mem, a_ring_costs_the_pages_its_records_reach)
{
	struct ring r;
	cr_assert_eq(ring_init(&r, 512 * 1024, 8192), 0);
	cr_assert_eq(resident(r.data, r.cap), 0);
	cr_assert_eq(resident(r.rec, r.nslots * sizeof(*r.rec)), 0);
	cr_assert_eq(ring_add(&r, 0, 0, 0, "line", 4), 1);
	cr_assert_eq(resident(r.data, r.cap), 1);
	cr_assert_eq(resident(r.rec, r.nslots * sizeof(*r.rec)), 1);
	ring_free(&r);
}
