/* http.c - the status line of an HTTP health check's response (see http.h).
 *
 * Owns: nothing but the caller's struct hc_http.
 * Invariants: line[0..len) is a prefix of a valid status line, so the state of
 * the parse is the bytes themselves: the position says which byte may come
 * next, and a stored CR says that only LF may. len <= HC_HTTP_LINE_MAX.
 * len + ignored is every byte fed. Once verdict != MORE it never changes.
 * Never: reads past n, writes past line[] or reason[], allocates.
 */
#include "http.h"
#include "base/version.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Positions in the status line: "HTTP/1." 0-6, minor 7, SP 8, the status
 * digits 9-11, then 12: SP or the end of the line, 13 on: the reason phrase. */
#define POS_MINOR   7
#define POS_SP      8
#define POS_STATUS  9
#define POS_AFTER  12

static const char http_prefix[] = "HTTP/1.";

/* May byte c follow line[0..len)? */
static int http_accepts(const struct hc_http *h, unsigned char c)
{
	size_t i = h->len;

	/* A CR is stored only where the line may end (12 on), and then only
	 * its LF may follow. */
	if (i > 0 && h->line[i - 1] == '\r')
		return c == '\n';
	if (i < POS_MINOR)
		return c == (unsigned char)http_prefix[i];
	if (i == POS_MINOR)
		return c == '0' || c == '1';
	if (i == POS_SP)
		return c == ' ';
	if (i == POS_STATUS)
		return c >= '1' && c <= '5';   /* 100-599 */
	if (i < POS_AFTER)
		return c >= '0' && c <= '9';
	if (i == POS_AFTER)
		return c == ' ' || c == '\r' || c == '\n';
	return c == '\t' || c == '\r' || c == '\n' || (c >= 0x20 && c != 0x7f);
}

/* Append src[0..n) to out (room cap, NUL kept), escaped as a C string body.
 * Returns how many bytes of src fit whole. */
static size_t http_escape(char *out, size_t cap, size_t *ret_used, const char *src, size_t n)
{
	size_t used = *ret_used, i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)src[i];
		char tmp[5];
		size_t k;

		if (c == '"' || c == '\\')
			k = (size_t)snprintf(tmp, sizeof(tmp), "\\%c", c);
		else if (c == '\r')
			k = (size_t)snprintf(tmp, sizeof(tmp), "\\r");
		else if (c == '\n')
			k = (size_t)snprintf(tmp, sizeof(tmp), "\\n");
		else if (c == '\t')
			k = (size_t)snprintf(tmp, sizeof(tmp), "\\t");
		else if (c >= 0x20 && c < 0x7f)
			k = (size_t)snprintf(tmp, sizeof(tmp), "%c", c);
		else
			k = (size_t)snprintf(tmp, sizeof(tmp), "\\x%02x", c);
		if (used + k >= cap)
			break;
		memcpy(out + used, tmp, k);
		used += k;
	}
	out[used] = '\0';
	*ret_used = used;
	return i;
}

/* FAIL with `malformed status line: "..."`: the valid prefix, then the bad
 * byte and what followed it in this read (rest[0..nrest)). */
static void http_malformed(struct hc_http *h, const char *rest, size_t nrest)
{
	static const char head[] = "malformed status line: \"";
	size_t show = HC_HTTP_SHOW_MAX, used = sizeof(head) - 1;
	size_t from_line = h->len < show ? h->len : show;
	size_t from_rest = nrest < show - from_line ? nrest : show - from_line;
	/* Keep room for the closing quote and "...". */
	size_t cap = sizeof(h->reason) - 4;
	int cut = from_line + from_rest < h->len + nrest;

	memcpy(h->reason, head, used);
	if (http_escape(h->reason, cap, &used, h->line, from_line) < from_line ||
	    http_escape(h->reason, cap, &used, rest, from_rest) < from_rest)
		cut = 1;
	snprintf(h->reason + used, sizeof(h->reason) - used, "\"%s", cut ? "..." : "");
	h->verdict = HC_HTTP_FAIL;
}

static void http_complete(struct hc_http *h)
{
	h->status = (h->line[POS_STATUS] - '0') * 100 + (h->line[POS_STATUS + 1] - '0') * 10 +
		    (h->line[POS_STATUS + 2] - '0');
	h->verdict = h->status >= 200 && h->status <= 399 ? HC_HTTP_PASS : HC_HTTP_FAIL;
	snprintf(h->reason, sizeof(h->reason), "status %d", h->status);
}

void hc_http_init(struct hc_http *h)
{
	memset(h, 0, sizeof(*h));
	h->verdict = HC_HTTP_MORE;
}

enum hc_http_verdict hc_http_feed(struct hc_http *h, const char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n && h->verdict == HC_HTTP_MORE; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (h->len == HC_HTTP_LINE_MAX) {
			snprintf(h->reason, sizeof(h->reason), "status line over %d bytes",
				 HC_HTTP_LINE_MAX);
			h->verdict = HC_HTTP_FAIL;
			break;
		}
		if (!http_accepts(h, c)) {
			http_malformed(h, buf + i, n - i);
			break;
		}
		h->line[h->len++] = (char)c;
		if (c == '\n')
			http_complete(h);
	}
	h->ignored += n - i;
	return h->verdict;
}

enum hc_http_verdict hc_http_eof(struct hc_http *h)
{
	if (h->verdict != HC_HTTP_MORE)
		return h->verdict;
	snprintf(h->reason, sizeof(h->reason), "%s",
		 h->len ? "closed before a complete status line" : "closed without a response");
	h->verdict = HC_HTTP_FAIL;
	return h->verdict;
}

/* A byte that may stand in a request line or header value unquoted. */
static int http_token_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x21 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

int hc_http_request(char *buf, size_t n, const char *path, const char *host)
{
	int len;

	if (!path || !host || path[0] != '/' || !http_token_ok(path) || !http_token_ok(host)) {
		errno = EINVAL;
		return -1;
	}
	len = snprintf(buf, n,
		       "GET %s HTTP/1.1\r\n"
		       "Host: %s\r\n"
		       "User-Agent: vminit/" VMINIT_VERSION " (health check)\r\n"
		       "Accept: */*\r\n"
		       "Connection: close\r\n"
		       "\r\n", path, host);
	if (len < 0 || (size_t)len >= n) {
		errno = ENOSPC;
		return -1;
	}
	return len;
}
