/* addr.h - the addresses of the host channel (docs/protocol.md §6):
 *   vsock:PORT  vsock:CID:PORT  unix:PATH  fc:UDS_PATH:PORT  serial:NAME-or-PATH
 */
#ifndef VMINIT_ADDR_H
#define VMINIT_ADDR_H

#include <stddef.h>
#include <stdint.h>

#define ADDR_PATH_MAX 108          /* sun_path */
#define ADDR_CID_ANY 0xffffffffu   /* VMADDR_CID_ANY */

enum addr_kind { ADDR_VSOCK, ADDR_UNIX, ADDR_FC, ADDR_SERIAL };

struct addr {
	enum addr_kind kind;
	uint32_t cid;             /* vsock: ADDR_CID_ANY when only a port was given */
	uint32_t port;            /* vsock, fc */
	char path[ADDR_PATH_MAX]; /* unix, fc (the UDS), serial (a port name or a socket path) */
};

/* 0, or -1 with a reason in *ret_err. */
int addr_parse(const char *s, struct addr *ret, const char **ret_err);
/* Back to text, for messages. */
void addr_format(const struct addr *a, char *buf, size_t len);

#endif
