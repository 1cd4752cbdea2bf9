#include "tests/unit/unit.h"

/* test_http.c - the HTTP health check's status line (health/http.c): verdicts,
 * every split of the input, early failure on garbage, the line limit, EOF at
 * every point, and the request builder. */

#include <errno.h>

#include "health/http.h"
#include "base/version.h"

#define LEN(s) (sizeof(s) - 1)

/* Feed a whole buffer at once. */
static enum hc_http_verdict feed_all(struct hc_http *h, const char *s, size_t n)
{
	hc_http_init(h);
	return hc_http_feed(h, s, n);
}

static void expect_verdict(const char *s, size_t n, enum hc_http_verdict v, int status,
			   const char *reason)
{
	struct hc_http h;
	cr_assert_eq(feed_all(&h, s, n), v, "verdict %d for \"%.*s\" (%s)", h.verdict, (int)n, s,
		     h.reason);
	cr_assert_eq(h.verdict, v);
	cr_assert_eq(h.status, status, "status %d for \"%.*s\"", h.status, (int)n, s);
	if (reason)
		cr_assert_str_eq(h.reason, reason);
	cr_assert_eq(h.len + h.ignored, n, "len %zu + ignored %llu != %zu", h.len,
		     (unsigned long long)h.ignored, n);
}

/* ---- verdicts ---- */

Test(http, pass_200_with_reason)
{
	expect_verdict("HTTP/1.1 200 OK\r\n", LEN("HTTP/1.1 200 OK\r\n"), HC_HTTP_PASS, 200, "status 200");
}

Test(http, no_reason_phrase)
{
	expect_verdict("HTTP/1.1 200\r\n", LEN("HTTP/1.1 200\r\n"), HC_HTTP_PASS, 200, "status 200");
	expect_verdict("HTTP/1.1 200 \r\n", LEN("HTTP/1.1 200 \r\n"), HC_HTTP_PASS, 200, "status 200");
	expect_verdict("HTTP/1.1 204\n", LEN("HTTP/1.1 204\n"), HC_HTTP_PASS, 204, NULL);
}

Test(http, http_1_0_and_bare_lf)
{
	expect_verdict("HTTP/1.0 200 OK\r\n", LEN("HTTP/1.0 200 OK\r\n"), HC_HTTP_PASS, 200, NULL);
	expect_verdict("HTTP/1.1 200 OK\n", LEN("HTTP/1.1 200 OK\n"), HC_HTTP_PASS, 200, NULL);
	expect_verdict("HTTP/1.0 200 OK\n", LEN("HTTP/1.0 200 OK\n"), HC_HTTP_PASS, 200, NULL);
}

Test(http, redirects_pass_and_are_not_followed)
{
	expect_verdict("HTTP/1.1 301 Moved Permanently\r\nLocation: /x\r\n\r\n",
		       LEN("HTTP/1.1 301 Moved Permanently\r\nLocation: /x\r\n\r\n"), HC_HTTP_PASS, 301,
		       "status 301");
	expect_verdict("HTTP/1.1 399 Odd\r\n", LEN("HTTP/1.1 399 Odd\r\n"), HC_HTTP_PASS, 399, NULL);
}

Test(http, statuses_outside_200_399_fail)
{
	const struct { const char *s; int status; } t[] = {
		{ "HTTP/1.1 100 Continue\r\n", 100 },
		{ "HTTP/1.1 199 x\r\n", 199 },
		{ "HTTP/1.1 400 Bad Request\r\n", 400 },
		{ "HTTP/1.1 404\r\n", 404 },
		{ "HTTP/1.1 500 Internal Server Error\r\n", 500 },
		{ "HTTP/1.0 503 Service Unavailable\n", 503 },
		{ "HTTP/1.1 599 x\r\n", 599 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char want[32];
		snprintf(want, sizeof(want), "status %d", t[i].status);
		expect_verdict(t[i].s, strlen(t[i].s), HC_HTTP_FAIL, t[i].status, want);
	}
}

Test(http, reason_phrase_bytes)
{
	/* HTAB and obs-text are allowed in a reason phrase; an empty one too. */
	const char ok[] = "HTTP/1.1 200 O\tK \x80\xff~\r\n";
	expect_verdict(ok, LEN(ok), HC_HTTP_PASS, 200, NULL);
}

/* ---- pieces ---- */

static const char *const valid[] = {
	"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok",
	"HTTP/1.0 302 Found\nLocation: /\n\n",
	"HTTP/1.1 200\r\n\r\n",
	"HTTP/1.1 200 \r\nX: y\r\n\r\n",
	"HTTP/1.1 503 Busy\r\nRetry-After: 1\r\n\r\nbusy",
};

static void check_same(const struct hc_http *a, const struct hc_http *b, const char *what)
{
	cr_assert_eq(a->verdict, b->verdict, "%s: verdict %d vs %d", what, a->verdict, b->verdict);
	cr_assert_eq(a->status, b->status, "%s: status", what);
	cr_assert_eq(a->len, b->len, "%s: len", what);
	cr_assert_eq(a->ignored, b->ignored, "%s: ignored", what);
	cr_assert_str_eq(a->reason, b->reason, "%s: reason", what);
	cr_assert_eq(memcmp(a->line, b->line, a->len), 0, "%s: line", what);
}

Test(http, every_split_point_gives_the_same_verdict)
{
	for (size_t k = 0; k < sizeof(valid) / sizeof(valid[0]); k++) {
		const char *s = valid[k];
		size_t n = strlen(s);
		struct hc_http whole;
		feed_all(&whole, s, n);
		cr_assert_neq(whole.verdict, HC_HTTP_MORE);
		for (size_t cut = 0; cut <= n; cut++) {
			struct hc_http h;
			hc_http_init(&h);
			hc_http_feed(&h, s, cut);
			hc_http_feed(&h, s + cut, n - cut);
			check_same(&h, &whole, s);
		}
	}
}

Test(http, byte_by_byte_the_verdict_comes_at_the_lf)
{
	for (size_t k = 0; k < sizeof(valid) / sizeof(valid[0]); k++) {
		const char *s = valid[k];
		size_t n = strlen(s), eol = (size_t)(strchr(s, '\n') - s);
		struct hc_http h, whole;
		feed_all(&whole, s, n);
		hc_http_init(&h);
		for (size_t i = 0; i < n; i++) {
			enum hc_http_verdict v = hc_http_feed(&h, s + i, 1);
			if (i < eol)
				cr_assert_eq(v, HC_HTTP_MORE, "%s: verdict early at byte %zu", s, i);
			else
				cr_assert_eq(v, whole.verdict, "%s: no verdict at byte %zu", s, i);
		}
		check_same(&h, &whole, s);
		cr_assert_eq(h.len, eol + 1);
		cr_assert_eq(h.ignored, n - eol - 1);
	}
}

Test(http, huge_headers_after_a_good_status_line_are_ignored)
{
	static char big[300000];
	struct hc_http h;
	size_t n;
	memset(big, 'a', sizeof(big));
	memcpy(big, "HTTP/1.1 200 OK\r\nX-Big: ", 24);
	n = sizeof(big);
	hc_http_init(&h);
	cr_assert_eq(hc_http_feed(&h, big, 1000), HC_HTTP_PASS);
	for (size_t off = 1000; off < n; off += 4096) {
		size_t take = n - off < 4096 ? n - off : 4096;
		cr_assert_eq(hc_http_feed(&h, big + off, take), HC_HTTP_PASS);
	}
	cr_assert_eq(h.status, 200);
	cr_assert_eq(h.len, 17);
	cr_assert_eq(h.ignored, n - 17);
	cr_assert_str_eq(h.reason, "status 200");
	/* EOF after a verdict changes nothing. */
	cr_assert_eq(hc_http_eof(&h), HC_HTTP_PASS);
	cr_assert_str_eq(h.reason, "status 200");
}

Test(http, a_fail_verdict_stays_whatever_follows)
{
	struct hc_http h;
	hc_http_init(&h);
	cr_assert_eq(hc_http_feed(&h, "HTTP/1.1 500 x\r\n", 16), HC_HTTP_FAIL);
	cr_assert_eq(hc_http_feed(&h, "HTTP/1.1 200 OK\r\n", 17), HC_HTTP_FAIL);
	cr_assert_eq(hc_http_feed(&h, "", 0), HC_HTTP_FAIL);
	cr_assert_str_eq(h.reason, "status 500");
	cr_assert_eq(h.ignored, 17);
}

/* ---- garbage: fails at the first impossible byte ---- */

static const struct { const char *s; size_t n; size_t bad; } garbage[] = {
	{ "SSH-2.0-OpenSSH_9.6\r\n", 21, 0 },
	{ "http/1.1 200 OK\r\n", 17, 0 },
	{ "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11, 0 },   /* a TLS ClientHello */
	{ "\0\0\0\0", 4, 0 },
	{ "HTTP/2 200\r\n", 12, 5 },
	{ "HTTP/1.2 200 OK\r\n", 17, 7 },
	{ "HTTP/1.1  200 OK\r\n", 18, 9 },
	{ "HTTP/1.1 20\r\n", 13, 11 },
	{ "HTTP/1.1 2000 OK\r\n", 18, 12 },
	{ "HTTP/1.1 200OK\r\n", 16, 12 },
	{ "HTTP/1.1 099 x\r\n", 16, 9 },
	{ "HTTP/1.1 600 x\r\n", 16, 9 },
	{ "HTTP/1.1 2x0 x\r\n", 16, 10 },
	{ "HTTP/1.1 200 OK\rX\n", 18, 16 },
	{ "HTTP/1.1 200\r\r\n", 15, 13 },
	{ "HTTP/1.1 200 O\x01K\r\n", 18, 14 },
	{ "HTTP/1.1 200 O\x7fK\r\n", 18, 14 },
	{ "HTTP/1.1 200 OK\r\0", 17, 16 },
	{ " HTTP/1.1 200 OK\r\n", 18, 0 },
	{ "\r\nHTTP/1.1 200 OK\r\n", 19, 0 },
};

Test(http, garbage_fails_at_the_first_impossible_byte)
{
	for (size_t k = 0; k < sizeof(garbage) / sizeof(garbage[0]); k++) {
		const char *s = garbage[k].s;
		size_t bad = garbage[k].bad;
		struct hc_http h;
		hc_http_init(&h);
		/* Byte by byte: MORE up to the bad byte, FAIL on it. */
		for (size_t i = 0; i < bad; i++)
			cr_assert_eq(hc_http_feed(&h, s + i, 1), HC_HTTP_MORE, "#%zu: byte %zu", k, i);
		cr_assert_eq(hc_http_feed(&h, s + bad, 1), HC_HTTP_FAIL, "#%zu: byte %zu", k, bad);
		cr_assert_eq(h.len, bad, "#%zu: the bad byte is not stored", k);
		cr_assert_eq(h.status, 0);
		cr_assert(strncmp(h.reason, "malformed status line: \"", 24) == 0, "#%zu: %s", k, h.reason);
		/* At once: the same verdict, the rest counted as ignored. */
		feed_all(&h, s, garbage[k].n);
		cr_assert_eq(h.verdict, HC_HTTP_FAIL, "#%zu", k);
		cr_assert_eq(h.len, bad);
		cr_assert_eq(h.ignored, garbage[k].n - bad);
	}
}

Test(http, malformed_reason_shows_the_bytes_escaped)
{
	struct hc_http h;
	feed_all(&h, "SSH-2.0-Op", 10);
	cr_assert_str_eq(h.reason, "malformed status line: \"SSH-2.0-Op\"");
	feed_all(&h, "SSH-2.0-OpenSSH_9.6\r\n", 21);
	cr_assert_str_eq(h.reason, "malformed status line: \"SSH-2.0-OpenSSH_9.6\\r\\n\"");
	feed_all(&h, "\x16\x03\x01\"\\\t", 6);
	cr_assert_str_eq(h.reason, "malformed status line: \"\\x16\\x03\\x01\\\"\\\\\\t\"");
	/* The valid prefix from earlier reads comes first. */
	hc_http_init(&h);
	hc_http_feed(&h, "HTTP/1.", 7);
	hc_http_feed(&h, "2 200", 5);
	cr_assert_str_eq(h.reason, "malformed status line: \"HTTP/1.2 200\"");
}

Test(http, malformed_reason_is_cut_at_40_bytes)
{
	struct hc_http h;
	char bin[100];
	feed_all(&h, "<html><head><title>Welcome to nginx!</title></head>", 51);
	cr_assert_str_eq(h.reason, "malformed status line: \"<html><head><title>Welcome to nginx!</ti\"...");
	/* 40 bytes that each take 4 escaped still fit the reason. */
	for (size_t i = 0; i < sizeof(bin); i++)
		bin[i] = (char)(0x80 + i);
	feed_all(&h, bin, sizeof(bin));
	cr_assert_eq(strlen(h.reason), 24 + 40 * 4 + 4, "%s", h.reason);
	cr_assert(strstr(h.reason, "\\xa7\"...") != NULL, "%s", h.reason);
	feed_all(&h, bin, 40);
	cr_assert_eq(strlen(h.reason), 24 + 40 * 4 + 1, "%s", h.reason);
}

/* ---- the line limit ---- */

/* "HTTP/1.1 200 " then 'a' up to total bytes, CRLF included. */
static size_t long_line(char *buf, size_t total)
{
	memset(buf, 'a', total);
	memcpy(buf, "HTTP/1.1 200 ", 13);
	buf[total - 2] = '\r';
	buf[total - 1] = '\n';
	return total;
}

Test(http, a_status_line_of_256_bytes_passes)
{
	char buf[HC_HTTP_LINE_MAX];
	expect_verdict(buf, long_line(buf, HC_HTTP_LINE_MAX), HC_HTTP_PASS, 200, "status 200");
}

Test(http, a_status_line_over_256_bytes_fails)
{
	char buf[HC_HTTP_LINE_MAX + 1];
	struct hc_http h;
	size_t n = long_line(buf, sizeof(buf));
	expect_verdict(buf, n, HC_HTTP_FAIL, 0, "status line over 256 bytes");
	/* It fails at byte 257, before its end of line could come. */
	hc_http_init(&h);
	cr_assert_eq(hc_http_feed(&h, buf, HC_HTTP_LINE_MAX), HC_HTTP_MORE);
	cr_assert_eq(hc_http_feed(&h, buf + HC_HTTP_LINE_MAX, 1), HC_HTTP_FAIL);
	cr_assert_eq(h.len, HC_HTTP_LINE_MAX);
	cr_assert_eq(h.ignored, 1);
	/* An endless line of valid reason bytes ends too. */
	static char endless[4096];
	memset(endless, 'b', sizeof(endless));
	memcpy(endless, "HTTP/1.1 200 ", 13);
	expect_verdict(endless, sizeof(endless), HC_HTTP_FAIL, 0, "status line over 256 bytes");
}

/* ---- EOF ---- */

Test(http, eof_at_every_point)
{
	const char *s = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
	size_t n = strlen(s), eol = (size_t)(strchr(s, '\n') - s);
	for (size_t cut = 0; cut <= n; cut++) {
		struct hc_http h;
		feed_all(&h, s, cut);
		enum hc_http_verdict v = hc_http_eof(&h);
		if (cut == 0) {
			cr_assert_eq(v, HC_HTTP_FAIL);
			cr_assert_str_eq(h.reason, "closed without a response");
		} else if (cut <= eol) {
			cr_assert_eq(v, HC_HTTP_FAIL, "cut %zu", cut);
			cr_assert_str_eq(h.reason, "closed before a complete status line");
		} else {
			cr_assert_eq(v, HC_HTTP_PASS, "cut %zu", cut);
			cr_assert_str_eq(h.reason, "status 200");
		}
		/* A second EOF changes nothing. */
		cr_assert_eq(hc_http_eof(&h), v);
	}
}

Test(http, eof_after_garbage_keeps_the_malformed_reason)
{
	struct hc_http h;
	feed_all(&h, "SSH", 3);
	cr_assert_eq(hc_http_eof(&h), HC_HTTP_FAIL);
	cr_assert_str_eq(h.reason, "malformed status line: \"SSH\"");
}

/* ---- the request ---- */

#define WANT_REQ(path, host) \
	"GET " path " HTTP/1.1\r\n" \
	"Host: " host "\r\n" \
	"User-Agent: vminit/" VMINIT_VERSION " (health check)\r\n" \
	"Accept: */*\r\n" \
	"Connection: close\r\n" \
	"\r\n"

Test(http, request_exact_bytes)
{
	char buf[512];
	const char want[] = WANT_REQ("/healthz?full=1", "127.0.0.1:8080");
	const char want6[] = WANT_REQ("/", "[::1]:80");
	cr_assert_eq(hc_http_request(buf, sizeof(buf), "/healthz?full=1", "127.0.0.1:8080"),
		     (int)LEN(want));
	cr_assert_str_eq(buf, want);
	cr_assert_eq(hc_http_request(buf, sizeof(buf), "/", "[::1]:80"), (int)LEN(want6));
	cr_assert_str_eq(buf, want6);
}

Test(http, request_buffer_too_small)
{
	char buf[512];
	const char want[] = WANT_REQ("/h", "127.0.0.1:1");
	size_t n = LEN(want);
	/* Exactly big enough: the text and its NUL. */
	cr_assert_eq(hc_http_request(buf, n + 1, "/h", "127.0.0.1:1"), (int)n);
	cr_assert_str_eq(buf, want);
	errno = 0;
	cr_assert_eq(hc_http_request(buf, n, "/h", "127.0.0.1:1"), -1);
	cr_assert_eq(errno, ENOSPC);
	cr_assert_eq(hc_http_request(buf, 1, "/h", "127.0.0.1:1"), -1);
	cr_assert_eq(hc_http_request(NULL, 0, "/h", "127.0.0.1:1"), -1);
	cr_assert_eq(errno, ENOSPC);
}

Test(http, request_refuses_bytes_that_change_its_meaning)
{
	char buf[512];
	const char *bad_paths[] = { "", "healthz", "/a b", "/a\r\nX-Injected: 1", "/\t", "/\x7f",
				    "/\xc3\xa9", NULL };
	for (size_t i = 0; i < sizeof(bad_paths) / sizeof(bad_paths[0]); i++) {
		errno = 0;
		cr_assert_eq(hc_http_request(buf, sizeof(buf), bad_paths[i], "127.0.0.1:80"), -1,
			     "path #%zu", i);
		cr_assert_eq(errno, EINVAL);
	}
	errno = 0;
	cr_assert_eq(hc_http_request(buf, sizeof(buf), "/", "127.0.0.1:80\r\nX: y"), -1);
	cr_assert_eq(errno, EINVAL);
}
