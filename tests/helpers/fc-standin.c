/* fc-standin UDS_PATH GUEST_SOCKET: a stand-in for the host side of
 * Firecracker's hybrid vsock, for tests of the fc: address without a VM.
 *
 * It listens on the unix socket UDS_PATH. Each connection must start with
 * "CONNECT <port>\n" (anything else, or nothing within 5 s: closed). The
 * guest's vsock listener on <port> is played by the unix socket
 * GUEST_SOCKET_<port> (the port appended with a '_', as Firecracker names the
 * sockets of guest-initiated connections), so a client that asks for the
 * wrong port finds nobody. When that connect fails - nobody listens "in the
 * guest" yet - the client's socket is closed without a word, as Firecracker
 * does. Otherwise it answers "OK <host port>\n" (1073741824 and up, one per
 * connection) and relays bytes both ways; when one side stops sending, the
 * other gets a shutdown(SHUT_WR), and the connection ends when both have.
 *
 * One child per connection (fork): simple, and one stuck relay cannot hold
 * up the others. Children die with the stand-in (PR_SET_PDEATHSIG).
 *
 * Test knob: FC_STANDIN_OK_DELAY_MS=N waits up to N ms after connecting to
 * the guest for the guest's first bytes and sends them in the same write as
 * the OK line, so a client must keep bytes that follow the OK.
 *
 * Each connection's fate goes to stderr, one line.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>

static const char *guest_base;

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int unix_addr(struct sockaddr_un *sa, const char *path)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return -1;
	strcpy(sa->sun_path, path);
	return 0;
}

/* "CONNECT <port>\n", read a byte at a time so that nothing after it is
 * taken from the stream. The port, or -1. */
static long read_connect(int fd)
{
	char line[64];
	size_t n = 0;
	char *end;
	long port;
	while (n < sizeof(line) - 1) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;
		if (poll(&p, 1, 5000) <= 0)
			return -1;
		r = read(fd, line + n, 1);
		if (r <= 0)
			return -1;
		if (line[n] == '\n')
			break;
		n++;
	}
	if (n == sizeof(line) - 1)
		return -1;
	line[n] = '\0';
	if (strncmp(line, "CONNECT ", 8) || line[8] < '0' || line[8] > '9')
		return -1;
	errno = 0;
	port = strtol(line + 8, &end, 10);
	if (errno || *end || port > 0xffffffffL)
		return -1;
	return port;
}

/* Copy what is there from a to b. 1 on EOF from a, 0 otherwise, -1 on error. */
static int pump(int a, int b)
{
	char buf[65536];
	ssize_t r = read(a, buf, sizeof(buf));
	if (r < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -1;
	if (r == 0)
		return 1;
	return write_all(b, buf, (size_t)r) < 0 ? -1 : 0;
}

static void serve(int cfd, unsigned long host_port)
{
	struct sockaddr_un sa;
	char path[sizeof(sa.sun_path) + 16], ok[8192 + 64];
	long port = read_connect(cfd);
	int gfd, open_in[2] = { 1, 1 };   /* client->guest, guest->client */
	size_t n;
	const char *delay = getenv("FC_STANDIN_OK_DELAY_MS");

	if (port < 0) {
		fprintf(stderr, "fc-standin: no CONNECT line: closed\n");
		return;
	}
	snprintf(path, sizeof(path), "%s_%ld", guest_base, port);
	gfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (gfd < 0 || unix_addr(&sa, path) < 0 || connect(gfd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "fc-standin: CONNECT %ld: %s: %s: closed\n", port, path, strerror(errno));
		return;
	}
	n = (size_t)snprintf(ok, sizeof(ok), "OK %lu\n", host_port);
	if (delay) {
		struct pollfd p = { .fd = gfd, .events = POLLIN };
		if (poll(&p, 1, atoi(delay)) > 0) {
			ssize_t r = read(gfd, ok + n, sizeof(ok) - n);
			if (r > 0)
				n += (size_t)r;
		}
	}
	if (write_all(cfd, ok, n) < 0)
		return;
	fprintf(stderr, "fc-standin: CONNECT %ld: OK %lu\n", port, host_port);
	while (open_in[0] || open_in[1]) {
		struct pollfd p[2] = { { .fd = open_in[0] ? cfd : -1, .events = POLLIN },
				       { .fd = open_in[1] ? gfd : -1, .events = POLLIN } };
		int rc;
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		for (int k = 0; k < 2; k++) {
			if (!p[k].revents)
				continue;
			rc = k == 0 ? pump(cfd, gfd) : pump(gfd, cfd);
			if (rc < 0)
				return;
			if (rc == 1) {
				open_in[k] = 0;
				shutdown(k == 0 ? gfd : cfd, SHUT_WR);
			}
		}
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa;
	struct sigaction act;
	unsigned long host_port = 1073741824UL;
	pid_t self = getpid();
	int lfd;

	if (argc != 3) {
		fprintf(stderr, "usage: fc-standin UDS_PATH GUEST_SOCKET\n");
		return 2;
	}
	guest_base = argv[2];
	memset(&act, 0, sizeof(act));
	act.sa_handler = SIG_IGN;
	act.sa_flags = SA_NOCLDWAIT;   /* children reap themselves */
	sigaction(SIGCHLD, &act, NULL);
	signal(SIGPIPE, SIG_IGN);

	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || unix_addr(&sa, argv[1]) < 0) {
		perror("fc-standin: socket");
		return 1;
	}
	unlink(argv[1]);
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 64) < 0) {
		perror("fc-standin: bind");
		return 1;
	}
	for (;;) {
		int cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		pid_t pid;
		if (cfd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			perror("fc-standin: accept");
			return 1;
		}
		pid = fork();
		if (pid == 0) {
			close(lfd);
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != self)
				_exit(0);
			serve(cfd, host_port);
			_exit(0);
		}
		if (pid < 0)
			perror("fc-standin: fork");
		close(cfd);
		host_port++;
	}
}
