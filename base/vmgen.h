/* vmgen.h - the kernel's word that the VM was forked or restored from a
 * snapshot (docs/resume.md), read from two places it may say it:
 *
 * - a NETLINK_KOBJECT_UEVENT message from the vmgenid driver, whose fields
 *   hold "NEW_VMGENID=1" (the 6.12 kernel sends it on some VMMs; QEMU's
 *   restore did not, in our measurements);
 * - a /dev/kmsg record from the kernel itself (facility 0: no process can
 *   write one) saying "crng reseeded due to virtual machine fork", which
 *   the 6.12 kernel logs when the generation ID changes and its crng was
 *   already initialised.
 *
 * Pure: bytes in, a yes or no out. The bytes are the kernel's, but read
 * without trust: any length, any content, never past len. Fuzzed by
 * tests/fuzz/fuzz_request.c.
 */
#ifndef VMINIT_VMGEN_H
#define VMINIT_VMGEN_H

#include <stddef.h>

/* 1 when the uevent message buf[0..len) has a field "NEW_VMGENID=1". */
int vmgen_uevent(const char *buf, size_t len);
/* 1 when the /dev/kmsg record buf[0..len) ("PRI,SEQ,USEC,FLAGS;TEXT\n")
 * is the kernel's own and its text says the crng was reseeded for a VM fork. */
int vmgen_kmsg(const char *buf, size_t len);

#endif
