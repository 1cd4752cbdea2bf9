/* http.h - what an HTTP health check makes of the response: its status line.
 *
 * Pure: no I/O, no allocation, no clock. The probe (probe.c) feeds it the bytes
 * it reads, in whatever pieces they come, and stops reading for the check as
 * soon as there is a verdict.
 *
 * Semantics (fixed):
 * - The verdict comes from the status line alone. A status line is
 *     "HTTP/1.0" or "HTTP/1.1", one space, three digits (100-599), then
 *     either the end of the line or one space and a reason phrase (possibly
 *     empty: "HTTP/1.1 200 \r\n" is fine), ended by CRLF or a bare LF.
 *   The reason phrase may hold any byte but control characters: HTAB, SP,
 *   0x21-0x7e and 0x80-0xff (RFC 9112's VCHAR / obs-text). A CR must be
 *   followed by LF.
 * - PASS: a complete status line with status 200-399. A 3xx redirect is not
 *   followed: the endpoint answered, which is what a health check asks.
 *   FAIL: any other status, reason "status 500". The reason of a PASS is
 *   "status 200" likewise.
 * - FAIL as early as possible on garbage: at the first byte after which the
 *   bytes so far cannot begin a valid status line ("SSH-2.0-..." fails on the
 *   'S', "HTTP/2 " on the '2', "HTTP/1.1 2000" on the fourth digit), reason
 *   `malformed status line: "SSH-2.0-Op"`: what came of the line, the bad byte
 *   and the rest of that read, at most HC_HTTP_SHOW_MAX bytes, non-printables
 *   escaped (\r \n \t \" \\ \xHH), `...` after the quote when cut.
 * - The status line, terminator included, may be HC_HTTP_LINE_MAX bytes: a
 *   byte beyond that without the end of the line fails "status line over 256
 *   bytes".
 * - After a verdict every further byte (headers, body, the rest of the read
 *   that held the verdict) is ignored and only counted in `ignored`.
 *   Invariant: len + ignored == every byte fed, and line[0..len) is always a
 *   prefix of a valid status line (the byte that makes it malformed or
 *   overlong is counted in `ignored`, not stored).
 * - hc_http_eof() when the peer closes: a pending response (MORE) becomes FAIL,
 *   "closed without a response" if no byte came, else "closed before a
 *   complete status line". A verdict already given stays.
 */
#ifndef VMINIT_HEALTH_HTTP_H
#define VMINIT_HEALTH_HTTP_H

#include <stddef.h>
#include <stdint.h>

#define HC_HTTP_LINE_MAX 256    /* status line, CRLF included */
#define HC_HTTP_SHOW_MAX 40     /* bytes of a malformed line shown in the reason */
/* Room for the longest reason: a prefix, 40 bytes escaped to 4 each, `"...`. */
#define HC_HTTP_REASON_MAX 192

enum hc_http_verdict { HC_HTTP_MORE, HC_HTTP_PASS, HC_HTTP_FAIL };

struct hc_http {
	char line[HC_HTTP_LINE_MAX];   /* the status line so far; not NUL-terminated */
	size_t len;
	int status;                    /* 100-599 once the line is complete, else 0 */
	enum hc_http_verdict verdict;
	char reason[HC_HTTP_REASON_MAX];  /* "" while MORE */
	uint64_t ignored;              /* bytes fed after the verdict */
};

void hc_http_init(struct hc_http *h);
/* Feed n bytes of the response; returns the verdict so far. */
enum hc_http_verdict hc_http_feed(struct hc_http *h, const char *buf, size_t n);
/* The peer closed the connection. */
enum hc_http_verdict hc_http_eof(struct hc_http *h);

/* Write the check's request into buf, NUL-terminated:
 *   "GET PATH HTTP/1.1\r\nHost: HOST\r\nUser-Agent: vminit/VERSION (health check)\r\n"
 *   "Accept: * / *\r\nConnection: close\r\n\r\n"      (no spaces in the star-slash-star)
 * host is e.g. "127.0.0.1:8080" or "[::1]:8080". Returns the length without
 * the NUL, or -1 with errno ENOSPC when buf is too small, EINVAL when path does
 * not start with '/' or path or host holds a byte outside 0x21-0x7e (a space,
 * CR or LF there would change the request's meaning). */
int hc_http_request(char *buf, size_t n, const char *path, const char *host);

#endif
