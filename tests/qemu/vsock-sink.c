/* vsock-sink.c - a guest-side stand-in for the host end of vminit's push.
 *
 *   vsock-sink PORT FILE
 *
 * Listens on AF_VSOCK port PORT (any CID) and appends what each connection
 * sends to FILE, after a "# connection N" line. With vsock_loopback and no
 * virtio vsock transport, the guest's connections to CID 2 (the host) land
 * here, so vminit's push runs its real vsock code in the e2e tests.
 * Static musl, like vminit: the initramfs has no libc.
 */
#include <fcntl.h>
#include <linux/vm_sockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_vm a = { .svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_ANY };
	int s, n = 0;
	if (argc != 3) {
		fprintf(stderr, "usage: vsock-sink PORT FILE\n");
		return 2;
	}
	a.svm_port = (unsigned)atoi(argv[1]);
	s = socket(AF_VSOCK, SOCK_STREAM, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 4) < 0) {
		perror("vsock-sink: listen");
		return 1;
	}
	printf("vsock-sink: listening on port %u\n", a.svm_port);
	fflush(stdout);
	for (;;) {
		char buf[4096], head[64];
		ssize_t r;
		int out, c = accept(s, NULL, NULL);
		if (c < 0)
			continue;
		out = open(argv[2], O_WRONLY | O_APPEND | O_CREAT, 0644);
		if (out < 0) {
			perror("vsock-sink: open");
			return 1;
		}
		snprintf(head, sizeof(head), "# connection %d\n", ++n);
		if (write(out, head, strlen(head)) < 0)
			return 1;
		while ((r = read(c, buf, sizeof(buf))) > 0)
			if (write(out, buf, (size_t)r) != r)
				return 1;
		close(out);
		close(c);
	}
}
