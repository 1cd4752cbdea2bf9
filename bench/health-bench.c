/* health-bench - the CPU PID 1 spends on health checks (bench/README.md).
 *
 *   health-bench [-n CHECKS] [-k tcp|http] [-i INTERVAL_S] [-t SECONDS] [-s SERVERS]
 *   health-bench -S [-s SERVERS]      the servers alone, in the foreground
 *
 * Runs vminit's own check engine (base/loop.c and the health/ sources, the code PID 1
 * runs, compiled the same way) with CHECKS checks at INTERVAL_S, all started
 * at once as at boot, against SERVERS loopback servers in a child process (an
 * epoll loop that answers each request with a 200 and closes). After a 2 s
 * warm-up it measures SECONDS: checks completed per second, passes, the
 * engine's CPU (getrusage: user + system, % of one CPU and µs per check) and
 * its max RSS. The servers' CPU is theirs, not counted.
 *
 * The spec is built in memory (the spec file caps processes at 128; the
 * engine has no such cap), one process per check.
 */
#include "health/health.h"
#include "base/loop.h"
#include "spec/spec.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BASE_PORT 19500

static void serve(int nservers)
{
	static const char reply[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
	int ep = epoll_create1(0), one = 1;
	struct epoll_event ev[256];
	for (int i = 0; i < nservers; i++) {
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)(BASE_PORT + i)) };
		int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 4096) < 0) {
			perror("health-bench: server");
			_exit(1);
		}
		struct epoll_event e = { .events = EPOLLIN, .data.u64 = (uint64_t)s | (1ull << 32) };
		epoll_ctl(ep, EPOLL_CTL_ADD, s, &e);
	}
	for (;;) {
		int n = epoll_wait(ep, ev, 256, -1);
		for (int i = 0; i < n; i++) {
			int fd = (int)(ev[i].data.u64 & 0xffffffff);
			if (ev[i].data.u64 >> 32) {
				int c;
				while ((c = accept4(fd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
					struct epoll_event e = { .events = EPOLLIN | EPOLLRDHUP, .data.u64 = (uint64_t)c };
					epoll_ctl(ep, EPOLL_CTL_ADD, c, &e);
				}
			} else {
				char buf[2048];
				ssize_t r = read(fd, buf, sizeof(buf));
				if (r > 0 && write(fd, reply, sizeof(reply) - 1) < 0)
					r = 0;
				close(fd);   /* a tcp check closes first: then r == 0 */
			}
		}
	}
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double cpu_s(void)
{
	struct rusage u;
	getrusage(RUSAGE_SELF, &u);
	return (double)u.ru_utime.tv_sec + (double)u.ru_utime.tv_usec / 1e6 +
	       (double)u.ru_stime.tv_sec + (double)u.ru_stime.tv_usec / 1e6;
}

static void totals(struct hc_set *hc, int n, uint64_t *ret_checks, uint64_t *ret_failed)
{
	*ret_checks = *ret_failed = 0;
	for (int i = 0; i < n; i++) {
		struct hc_view v;
		if (hc_get(hc, (size_t)i, HC_READINESS, &v) == 0) {
			*ret_checks += v.checks;
			*ret_failed += v.failed_checks;
		}
	}
}

int main(int argc, char **argv)
{
	int n = 1000, interval = 1, secs = 10, nservers = 8, opt, only_serve = 0;
	const char *kind = "http";
	struct rlimit rl = { 65536, 65536 };
	struct spec spec = { 0 };
	struct loop *l;
	struct hc_set *hc;
	pid_t srv;
	double t0, c0, t1, c1;
	uint64_t k0, f0, k1, f1;

	while ((opt = getopt(argc, argv, "n:k:i:t:s:Sh")) != -1) {
		switch (opt) {
		case 'S': only_serve = 1; break;
		case 'n': n = atoi(optarg); break;
		case 'k': kind = optarg; break;
		case 'i': interval = atoi(optarg); break;
		case 't': secs = atoi(optarg); break;
		case 's': nservers = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: health-bench [-n CHECKS] [-k tcp|http] [-i INTERVAL_S] [-t SECONDS] [-s SERVERS] | -S [-s SERVERS]\n");
			return 2;
		}
	}
	if (n < 1 || interval < 1 || secs < 1 || nservers < 1 || nservers > 200 ||
	    (strcmp(kind, "tcp") && strcmp(kind, "http"))) {
		fprintf(stderr, "health-bench: bad arguments\n");
		return 2;
	}
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
		rl.rlim_cur = rl.rlim_max = 4096;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGPIPE, SIG_IGN);
	if (only_serve)
		serve(nservers);
	srv = fork();
	if (srv == 0)
		serve(nservers);
	usleep(200000);

	spec.nprocs = (size_t)n;
	spec.procs = calloc((size_t)n, sizeof(*spec.procs));
	if (!spec.procs)
		return 1;
	for (int i = 0; i < n; i++) {
		struct spec_health *h = &spec.procs[i].health;
		h->present = 1;
		h->type = strcmp(kind, "tcp") ? SPEC_HEALTH_HTTP : SPEC_HEALTH_TCP;
		h->port = BASE_PORT + i % nservers;
		h->path = "/healthz";
		h->interval = interval;
		h->timeout = 2;
		h->grace = 0;
		h->success_threshold = 1;
		h->failure_threshold = 3;
	}
	l = loop_new((size_t)n * 4 + 64);
	hc = l ? hc_new(l, &spec, NULL) : NULL;
	if (!hc) {
		fprintf(stderr, "health-bench: out of memory\n");
		return 1;
	}
	for (int i = 0; i < n; i++)
		hc_process_started(hc, (size_t)i);
	/* Warm-up, then the measured span. */
	for (double end = now_s() + 2; now_s() < end;)
		loop_run_once(l);
	t0 = now_s();
	c0 = cpu_s();
	totals(hc, n, &k0, &f0);
	while (now_s() < t0 + secs)
		loop_run_once(l);
	t1 = now_s();
	c1 = cpu_s();
	totals(hc, n, &k1, &f1);
	kill(srv, SIGKILL);
	waitpid(srv, NULL, 0);
	{
		double dt = t1 - t0, checks = (double)(k1 - k0), cpu = c1 - c0;
		struct rusage u;
		getrusage(RUSAGE_SELF, &u);
		printf("%-5s checks=%-5d interval=%ds  %8.1f checks/s  failed=%llu  cpu=%5.2f%% of one CPU  "
		       "%6.1f us/check  maxrss=%ld KiB\n",
		       kind, n, interval, checks / dt, (unsigned long long)(f1 - f0), 100.0 * cpu / dt,
		       checks > 0 ? cpu * 1e6 / checks : 0.0, u.ru_maxrss);
	}
	hc_free(hc);
	loop_free(l);
	free(spec.procs);
	return f1 != f0 ? 1 : 0;
}
