/* serial.c - the host channel over a virtio-serial port (docs/protocol.md §6).
 *
 * A port is one connection that never closes and counts against no limit:
 * the host's end comes and goes. While nobody holds the host's end, the
 * kernel reports EPOLLHUP without end, so a lost port leaves epoll and is
 * polled twice a second until the host is back: the only periodic wake-up
 * in vminit, and only in a VM with such a port and no host on it.
 *
 * The guest's kernel learns of the host's end opening and closing from one
 * queue and of its bytes from another: on a busy guest a new host's request
 * can be read, and its stream begun, before the port says the last host
 * went and then came back. So a hangup only stops the polling: what the host
 * had (a stream, the rest of a half-sent line) is forgotten when the next
 * look, 0.5 s on, still finds the port without a host, or when a request
 * comes after the hangup or during a stream, for that is a new host's
 * (ctl_serial_request). A host that seemed to go and is there at the next
 * look gets its stream on. Whole lines meant for an earlier host may reach
 * the next one, which skips them by their id (docs/protocol.md §6).
 */
#include "ctl_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#define SERIAL_POLL_NS (500 * LOOP_NS_PER_MS)

/* /dev/NAME of the port named name, from /sys/class/virtio-ports. */
static int find_port(const char *name, char *dev, size_t len)
{
	DIR *d = opendir("/sys/class/virtio-ports");
	struct dirent *de;
	int found = 0;
	if (!d)
		return -1;
	while (!found && (de = readdir(d))) {
		char path[512], got[256];
		int fd;
		ssize_t n;
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/class/virtio-ports/%s/name", de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, got, sizeof(got) - 1);
		close(fd);
		if (n <= 0)
			continue;
		got[n] = '\0';
		got[strcspn(got, "\n")] = '\0';
		if (!strcmp(got, name)) {
			snprintf(dev, len, "/dev/%s", de->d_name);
			found = 1;
		}
	}
	closedir(d);
	if (!found)
		errno = ENOENT;
	return found ? 0 : -1;
}

int ctl_serial_open(struct ctl_server *ctl, const char *name)
{
	char dev[300];
	int fd;
	if (find_port(name, dev, sizeof(dev)) < 0)
		return -1;
	fd = open(dev, O_RDWR | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	return ctl_serial_adopt(ctl, fd);
}

int ctl_serial_adopt(struct ctl_server *ctl, int fd)
{
	struct conn *c = ctl_conn_new(ctl, fd, CK_SERIAL, 1);
	if (!c) {
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	/* Not counted against the connection limit. */
	ctl->nconns--;
	return 0;
}

void ctl_serial_lost(struct conn *c)
{
	if (c->io.fd < 0)
		return;   /* already waiting for the next look */
	/* A connection that was to close (a request line too long) loses what
	 * it had not read, as a socket would; a request read with the host's
	 * end of file is kept (it may be a new host's). */
	if (c->closing) {
		explicit_bzero(c->in, c->inlen);
		c->inlen = 0;
	}
	c->closing = c->peer_eof = 0;
	c->hup = SERIAL_HUP_SEEN;
	c->hup_cut = ctl_conn_mid_line(c);
	loop_io_del(c->ctl->vm.loop, &c->io);
	loop_timer_in(c->ctl->vm.loop, &c->timer, SERIAL_POLL_NS);
}

void ctl_serial_request(struct conn *c)
{
	if (c->hup == SERIAL_HUP_NONE && c->mode != CM_EVENTS && c->mode != CM_LOGS)
		return;
	ctl_conn_host_gone(c, c->hup_cut);
	c->hup = SERIAL_HUP_NONE;
	c->hup_cut = 0;
}

void ctl_serial_timer(struct conn *c)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	if (poll(&p, 1, 0) < 0 || (p.revents & (POLLHUP | POLLERR | POLLNVAL))) {
		if (c->hup == SERIAL_HUP_SEEN) {
			ctl_conn_host_gone(c, c->hup_cut);
			c->hup = SERIAL_HUP_GONE;
			c->hup_cut = 0;
		}
		loop_timer_in(c->ctl->vm.loop, &c->timer, SERIAL_POLL_NS);
		return;
	}
	/* Back (or never gone): read before writing, so that a new host's
	 * request already there ends the last host's stream before any more
	 * of it goes out. */
	if (ctl_conn_watch(c, EPOLLIN) < 0)
		loop_timer_in(c->ctl->vm.loop, &c->timer, SERIAL_POLL_NS);
	else
		ctl_conn_input(c);
}
