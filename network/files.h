/* files.h - the guest's /etc/resolv.conf and /etc/hosts, rendered from the
 * spec's [guest.network] (docs/network.md). Pure: bytes into a caller's
 * buffer; where they are written (in place on a writable root, or bound
 * over the image's files in each process's view) is the wiring's.
 */
#ifndef VMINIT_NET_FILES_H
#define VMINIT_NET_FILES_H

#include <stddef.h>

#include "spec/spec.h"

/* The largest file either can be: what a caller's buffer must hold. */
#define NET_FILE_MAX 40960

/* resolv.conf: a comment naming vminit, then "nameserver ADDR" per DNS
 * server in the spec's order, then "search D1 D2 ..." when any. 0 and its
 * length, or -1 (errno EMSGSIZE) when cap is too small: never a cut file. */
int net_render_resolv(const struct spec *s, char *buf, size_t cap, size_t *ret_len);

/* hosts: localhost for 127.0.0.1 and ::1; the hostname for the first
 * address of the first interface (127.0.1.1 when there is none); then the
 * spec's hosts lines as given. Same contract as net_render_resolv. */
int net_render_hosts(const struct spec *s, char *buf, size_t cap, size_t *ret_len);

#endif
