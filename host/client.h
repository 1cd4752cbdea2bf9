/* client.h - the host side of the host channel: connect to vminit and move
 * lines (docs/protocol.md). What a host agent in C links; vminitctl uses it.
 *
 * It frames lines and nothing more: build requests with json.h's jw_*, read
 * replies with jr_*. Every call blocks for at most its timeout (milliseconds,
 * -1 for none) on CLOCK_MONOTONIC. One struct vmc per connection; a vmc is
 * not shared between threads.
 */
#ifndef VMINIT_CLIENT_H
#define VMINIT_CLIENT_H

#include <stddef.h>
#include <sys/types.h>

/* The longest line vminit sends, newline included (a connection's unsent
 * replies are capped there, docs/protocol.md §7): a buffer of this size
 * holds any reply or item with its NUL. */
#define VMC_LINE_MAX (1 << 20)

struct vmc;

/* Connect to addr, a host address of docs/protocol.md §6: vsock:CID:PORT,
 * unix:PATH, fc:UDS_PATH:PORT or serial:PATH. While the other end is not
 * there yet (no socket file, refused, or Firecracker closing before its OK
 * because the guest does not listen yet) it tries again every 100 ms until
 * timeout_ms has passed. NULL with errno and a message in err on failure
 * (ETIMEDOUT once the time is up, with the last reason in the message). */
struct vmc *vmc_connect(const char *addr, int timeout_ms, char *err, size_t errlen);

/* The socket (non-blocking), for a caller's own poll(). Bytes already read
 * into the vmc's buffer do not show there: call vmc_read_line with a zero
 * timeout first. */
int vmc_fd(const struct vmc *c);

/* Send line[0..len) and a '\n'. The line must not hold a '\n' (EINVAL).
 * 0, or -1 with errno (ETIMEDOUT, EPIPE, ...). */
int vmc_send_line(struct vmc *c, const char *line, size_t len, int timeout_ms);

/* Read the next line into buf (its '\n' and a '\r' before it stripped,
 * NUL-terminated). Empty lines are skipped, as the protocol says.
 *   > 0  the line's length (it may hold NUL bytes)
 *     0  the other end closed the connection
 *    -1  errno: ETIMEDOUT (what was read so far is kept for the next call),
 *        EMSGSIZE (the line does not fit in cap with its NUL: it is skipped,
 *        and the next call returns the line after it), ECONNRESET (closed in
 *        the middle of a line), or the socket's error.
 * The vmc's buffer grows to the longest line asked for and no further. */
ssize_t vmc_read_line(struct vmc *c, char *buf, size_t cap, int timeout_ms);

/* Close the connection and free c (NULL is fine). */
void vmc_close(struct vmc *c);

#endif
