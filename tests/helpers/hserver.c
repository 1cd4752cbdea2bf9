/* hserver PORT MODE [ARG]: a misbehaving server for the health-check tests.
 *
 * Listens on 127.0.0.1:PORT (or [::1]:PORT with MODE v6-ok) and answers every
 * connection per MODE:
 *   ok            HTTP/1.1 200 with a small body
 *   status N      HTTP/1.1 N
 *   redirect      HTTP/1.1 301 with a Location
 *   hang          accepts, reads, never answers (connections kept open)
 *   halfline      sends "HTTP/1.1 20" and closes
 *   garbage       sends a line that is not HTTP, then closes
 *   drip          the 200 status line one byte every 100 ms, then the body
 *                 endlessly, 1 KiB every 10 ms (until the client goes)
 *   file PATH     200 while PATH does not exist, 500 while it does
 *   tcp           accepts and closes at once (a TCP check passes)
 *   v6-ok         as ok, on ::1 only
 * ARG for `late S`: `late S MODE...` first sleeps S seconds before listening.
 * Each answered request is logged on stdout: "hserver: PORT STATUS".
 * One process, poll(2), at most 64 connections; the oldest hung one is
 * dropped to make room.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAXC 64

static const char *mode;
static const char *arg;
static int port;

static void reply(int c, int status)
{
	char buf[512];
	int n = snprintf(buf, sizeof(buf),
			 "HTTP/1.1 %d X\r\nContent-Type: text/plain\r\n%sContent-Length: 3\r\nConnection: close\r\n\r\nok\n",
			 status, status == 301 ? "Location: /elsewhere\r\n" : "");
	if (write(c, buf, (size_t)n) < 0)
		perror("hserver: write");
	printf("hserver: %d %d\n", port, status);
	fflush(stdout);
}

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static void drip(int c)
{
	const char *line = "HTTP/1.1 200 OK\r\n\r\n";
	char body[1024];
	memset(body, 'x', sizeof(body));
	for (const char *p = line; *p; p++) {
		if (write(c, p, 1) < 0)
			return;
		msleep(100);
	}
	printf("hserver: %d 200 (dripped)\n", port);
	fflush(stdout);
	while (write(c, body, sizeof(body)) > 0)
		msleep(10);
}

static int answer(int c)   /* 1: keep the connection (hang) */
{
	char req[4096];
	struct stat st;
	/* The request, or what came of it: the checks send it at once. */
	struct pollfd p = { c, POLLIN, 0 };
	if (poll(&p, 1, 1000) > 0 && read(c, req, sizeof(req)) < 0)
		return 0;
	if (!strcmp(mode, "ok") || !strcmp(mode, "v6-ok"))
		reply(c, 200);
	else if (!strcmp(mode, "status"))
		reply(c, atoi(arg));
	else if (!strcmp(mode, "redirect"))
		reply(c, 301);
	else if (!strcmp(mode, "hang"))
		return 1;
	else if (!strcmp(mode, "halfline")) {
		if (write(c, "HTTP/1.1 20", 11) < 0)
			perror("write");
		printf("hserver: %d halfline\n", port);
	} else if (!strcmp(mode, "garbage")) {
		if (write(c, "SSH-2.0-OpenSSH_9.2\r\n", 21) < 0)
			perror("write");
		printf("hserver: %d garbage\n", port);
	} else if (!strcmp(mode, "drip")) {
		drip(c);
	} else if (!strcmp(mode, "file")) {
		reply(c, stat(arg, &st) == 0 ? 500 : 200);
	}
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	int hung[MAXC], nhung = 0, s, one = 1, v6;
	int i = 2;
	if (argc < 3) {
		fprintf(stderr, "usage: hserver PORT [late S] MODE [ARG]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	port = atoi(argv[1]);
	if (!strcmp(argv[i], "late") && argc > i + 2) {
		msleep(atoi(argv[i + 1]) * 1000);
		i += 2;
	}
	mode = argv[i];
	arg = argc > i + 1 ? argv[i + 1] : "";
	v6 = !strcmp(mode, "v6-ok");
	s = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (v6) {
		struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port) };
		setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		a.sin6_addr = in6addr_loopback;
		if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
			perror("hserver: bind ::1");
			return 1;
		}
	} else {
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
			perror("hserver: bind");
			return 1;
		}
	}
	if (listen(s, 64) < 0) {
		perror("hserver: listen");
		return 1;
	}
	printf("hserver: listening on %d (%s)\n", port, mode);
	fflush(stdout);
	for (;;) {
		int c = accept(s, NULL, NULL);
		if (c < 0)
			continue;
		if (answer(c)) {
			if (nhung == MAXC) {
				close(hung[0]);
				memmove(hung, hung + 1, sizeof(hung[0]) * (MAXC - 1));
				nhung--;
			}
			hung[nhung++] = c;
			printf("hserver: %d hung\n", port);
			fflush(stdout);
		} else {
			close(c);
		}
	}
}
