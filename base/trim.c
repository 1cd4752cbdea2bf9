/* trim.c - drop boot's text from PID 1's resident set (trim.h).
 *
 * Boot runs most of the binary once (mounts, the spec reader, the set-up of
 * every module), and the kernel maps up to 64 KiB around each page it
 * faults in: after boot nearly the whole file is mapped, and counted in
 * PID 1's RSS, though the loop runs a small part of it. MADV_DONTNEED on the
 * read-only, executable segment unmaps it; the pages stay in the page cache
 * and what runs again is mapped again on its first use. PID 1 locks its
 * pages (mlockall, resources/kill.c): the segment is unlocked for the drop,
 * then locked again on fault, so what the loop runs stays locked.
 *
 * Invariants: only a segment that is not writable is touched, so no data is
 * ever lost (MADV_DONTNEED on a written private page would zero it).
 */
#include "trim.h"

#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>

int trim_text(int relock)
{
	const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
	size_t n = getauxval(AT_PHNUM), page = (size_t)sysconf(_SC_PAGESIZE);
	uintptr_t bias = 0;
	int rc = 0;
	if (!ph || !n) {
		errno = ENOENT;
		return -1;
	}
	/* A static PIE is loaded at an offset: PT_PHDR tells it. */
	for (size_t i = 0; i < n; i++)
		if (ph[i].p_type == PT_PHDR)
			bias = (uintptr_t)ph - ph[i].p_vaddr;
	for (size_t i = 0; i < n; i++) {
		uintptr_t a, b;
		if (ph[i].p_type != PT_LOAD || (ph[i].p_flags & PF_W))
			continue;
		a = (bias + ph[i].p_vaddr) & ~(uintptr_t)(page - 1);
		b = (bias + ph[i].p_vaddr + ph[i].p_filesz) & ~(uintptr_t)(page - 1);
		if (b <= a)
			continue;
		if (munlock((void *)a, b - a) < 0 || madvise((void *)a, b - a, MADV_DONTNEED) < 0)
			rc = -1;
		if (relock && mlock2((void *)a, b - a, MLOCK_ONFAULT) < 0)
			rc = -1;
	}
	return rc;
}
