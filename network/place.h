/* place.h - where resolv.conf and hosts are written (docs/network.md).
 *
 * In place when /etc is writable (an overlay root, an initramfs): a temp
 * file in the same directory, renamed over the old one, so no reader ever
 * sees half a file. When /etc is read-only (EROFS: a strict root, a
 * read-only image): the file goes to a directory on a tmpfs (PID 1's own,
 * hidden from processes) and is bound over /etc/NAME in PID 1's mount
 * namespace, which every process's own namespace is copied from. A file the
 * read-only image does not have cannot be bound over: that is an error.
 */
#ifndef VMINIT_NET_PLACE_H
#define VMINIT_NET_PLACE_H

#include <stddef.h>

/* buf[0..len) as etc/name, or run/name bound over it. 0 with the path
 * written in where (etc/name, or run/name when bound); -1 with why in err. */
int net_place_file(const char *etc, const char *run, const char *name, const char *buf, size_t len,
		   char *where, size_t wlen, char *err, size_t elen);

#endif
