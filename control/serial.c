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
 * can be read before the port says the last host went, or came back. So
 * when the host goes only what the next one must not get is forgotten (a
 * stream, the rest of a half-sent line: ctl_conn_host_gone), and a request
 * that comes during a stream ends the stream: it is a new host's. Whole
 * lines meant for an earlier host may reach the next one, which skips them
 * by their id (docs/protocol.md §6).
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
	ctl_conn_host_gone(c);
	loop_timer_in(c->ctl->vm.loop, &c->timer, SERIAL_POLL_NS);
}

void ctl_serial_timer(struct conn *c)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	if (poll(&p, 1, 0) < 0 || (p.revents & (POLLHUP | POLLERR | POLLNVAL))) {
		loop_timer_in(c->ctl->vm.loop, &c->timer, SERIAL_POLL_NS);
		return;
	}
	if (ctl_conn_watch(c, EPOLLIN) < 0)
		loop_timer_in(c->ctl->vm.loop, &c->timer, SERIAL_POLL_NS);
	else
		ctl_conn_process(c);
}
