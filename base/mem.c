/* mem.c - see mem.h. A mapping of its own for each object: no allocator
 * header in front of it, no memset, and munmap gives it all back. */
#include "mem.h"

#include <errno.h>
#include <sys/mman.h>

void *mem_pages(size_t n)
{
	void *p;
	if (n == 0) {
		errno = ENOMEM;
		return NULL;
	}
	p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

void mem_pages_free(void *p, size_t n)
{
	if (p)
		munmap(p, n);
}
