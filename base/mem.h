/* mem.h - big zeroed objects that cost memory only where they are used.
 *
 * PID 1 keeps a few big objects for its whole life (the host channel's
 * rings and reply buffer, the supervisor's table, the network's state) of
 * which an idle VM touches a page or two. malloc would give them a header
 * page each and calloc would write zeros over all of them, making every page
 * resident at boot; fresh anonymous pages are zero already and take memory
 * only once written. Used for objects of a few KiB and more, allocated once.
 */
#ifndef VMINIT_MEM_H
#define VMINIT_MEM_H

#include <stddef.h>

/* n bytes (rounded up to whole pages), zeroed, page-aligned, each page
 * resident only once used; NULL (ENOMEM) when there is no memory or n is 0. */
void *mem_pages(size_t n);
/* Give back what mem_pages(n) returned (NULL: nothing), with the same n. */
void mem_pages_free(void *p, size_t n);

#endif
