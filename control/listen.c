/* listen.c - the host channel's listeners: vsock and unix sockets
 * (docs/protocol.md §6, §7).
 *
 * Owns: the server's listeners (at most CTL_MAX_LISTENERS) and, for a unix
 * socket, its file, removed at the end.
 *
 * Invariants:
 * - A vsock listener lets in only the host's CID (2), or the one CID its
 *   address names: with vsock_loopback any process in the VM could reach CID
 *   1, and `exec` runs as root. Its connections are the host's; a unix
 *   socket's (mode 0600) are local.
 * - Accepting never spins: at most 32 connections a wake-up, and out of fds
 *   the listener pauses for a second.
 * - A connection that cannot be admitted gets one busy line and is closed;
 *   it never holds a slot.
 */
#include "ctl_int.h"
#include "base/console.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

static void refuse(struct ctl_server *ctl, int fd, const char *why)
{
	struct jw w;
	char buf[256];
	jw_init(&w, buf, sizeof(buf));
	enc_error_reply(&w, NULL, CTL_E_BUSY, why);
	/* Best effort on a fresh socket: it has room for one line. What the
	 * client sent is read first: closing on unread input resets the
	 * connection, and the client would not see why. */
	for (int k = 0; k < 4; k++) {
		char sink[4096];
		if (read(fd, sink, sizeof(sink)) <= 0)
			break;
	}
	if (write(fd, buf, w.len) < 0) {
		/* nothing to do */
	}
	close(fd);
	ctl->count[ENC_C_CONNECTIONS_REFUSED]++;
}

static void on_listener_pause(struct loop *l, struct loop_timer *t)
{
	struct listener *ls = t->ctx;
	loop_io_add(l, &ls->io, ls->fd, EPOLLIN, ls->io.fn, ls);
}

/* Admit the connection fd: 0, or -1 when it was refused (and closed). */
static int accept_one(struct listener *ls, int fd)
{
	struct ctl_server *ctl = ls->ctl;
	if (!ctl_admit(ctl, ls->host)) {
		refuse(ctl, fd, ls->host ? "too many connections (256)"
				   : "too many local connections (224; 32 more are the host's)");
		return -1;
	}
	if (ctl->vm.shutdown_phase && ctl->finalized) {
		refuse(ctl, fd, "the VM is powering off");
		return -1;
	}
	if (!ctl_conn_new(ctl, fd, CK_SOCKET, ls->host)) {
		refuse(ctl, fd, "out of memory");
		return -1;
	}
	ctl->count[ENC_C_CONNECTIONS_ACCEPTED]++;
	return 0;
}

static void on_accept(struct loop *l, struct loop_io *io, uint32_t events)
{
	struct listener *ls = io->ctx;
	(void)events;
	for (int k = 0; k < 32; k++) {
		struct sockaddr_vm peer;
		socklen_t plen = sizeof(peer);
		int fd;
		memset(&peer, 0, sizeof(peer));
		fd = accept4(ls->fd, ls->vsock ? (struct sockaddr *)&peer : NULL, ls->vsock ? &plen : NULL,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE || errno == ENOMEM || errno == ENOBUFS) {
				/* Out of fds: stop accepting for a second rather than
				 * spin on a listener that stays readable. */
				log_warn("%s: accept: %s: pausing for 1 s", ls->name, strerror(errno));
				ls->ctl->count[ENC_C_CONNECTIONS_REFUSED]++;
				loop_io_del(l, &ls->io);
				loop_timer_in(l, &ls->pause, LOOP_NS_PER_SEC);
			}
			return;
		}
		/* With vsock_loopback, any process in the VM can reach CID 1: a
		 * root shell for anyone, unless only the host is let in. */
		if (fd >= 0 && ls->vsock && ls->peer_cid != ADDR_CID_ANY && peer.svm_cid != ls->peer_cid) {
			close(fd);
			ls->ctl->count[ENC_C_CONNECTIONS_REFUSED_PEER]++;
			continue;
		}
		accept_one(ls, fd);
	}
}

static int add_listener(struct ctl_server *ctl, int fd, const char *name, int vsock, uint32_t peer_cid)
{
	struct listener *ls;
	if (ctl->nlisteners == CTL_MAX_LISTENERS) {
		close(fd);
		errno = ENOSPC;
		return -1;
	}
	ls = &ctl->listeners[ctl->nlisteners];
	ls->ctl = ctl;
	ls->fd = fd;
	ls->vsock = vsock;
	ls->host = vsock;
	ls->peer_cid = peer_cid;
	ls->io.fd = -1;
	ls->path[0] = '\0';
	snprintf(ls->name, sizeof(ls->name), "%s", name);
	loop_timer_init(&ls->pause, on_listener_pause, ls);
	if (listen(fd, CTL_LISTEN_BACKLOG) < 0 ||
	    loop_io_add(ctl->vm.loop, &ls->io, fd, EPOLLIN, on_accept, ls) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	ctl->nlisteners++;
	return 0;
}

static int listen_unix(struct ctl_server *ctl, const struct addr *a, const char *name)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	memcpy(sa.sun_path, a->path, strlen(a->path) + 1);
	/* A socket left by an earlier run is replaced; any other file is not. */
	if (lstat(a->path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(a->path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(a->path, 0600) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	if (add_listener(ctl, fd, name, 0, 0) < 0)
		return -1;
	snprintf(ctl->listeners[ctl->nlisteners - 1].path, sizeof(ctl->listeners[0].path), "%s", a->path);
	return 0;
}

static int listen_vsock(struct ctl_server *ctl, const struct addr *a, const char *name)
{
	struct sockaddr_vm sa;
	int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.svm_family = AF_VSOCK;
	sa.svm_cid = VMADDR_CID_ANY;
	sa.svm_port = a->port;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	/* vsock:PORT lets in the host only; vsock:CID:PORT that CID. */
	return add_listener(ctl, fd, name, 1, a->cid == ADDR_CID_ANY ? VMADDR_CID_HOST : a->cid);
}

void ctl_close_listeners(struct ctl_server *ctl)
{
	for (size_t i = 0; i < ctl->nlisteners; i++) {
		struct listener *ls = &ctl->listeners[i];
		loop_io_del(ctl->vm.loop, &ls->io);
		loop_timer_cancel(ctl->vm.loop, &ls->pause);
		close(ls->fd);
		if (ls->path[0])
			unlink(ls->path);
	}
	ctl->nlisteners = 0;
}

void ctl_listen(struct ctl_server *ctl, const char *list)
{
	char buf[1024], *save = NULL;
	snprintf(buf, sizeof(buf), "%s", list);
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		struct addr a;
		const char *err;
		int rc;
		if (!*tok)
			continue;
		if (addr_parse(tok, &a, &err) < 0) {
			log_error("control %s: %s", tok, err);
			continue;
		}
		switch (a.kind) {
		case ADDR_UNIX:
			rc = listen_unix(ctl, &a, tok);
			break;
		case ADDR_VSOCK:
			rc = listen_vsock(ctl, &a, tok);
			break;
		case ADDR_SERIAL:
			rc = ctl_serial_open(ctl, a.path);
			break;
		default:
			errno = EINVAL;
			rc = -1;
			break;
		}
		if (rc < 0) {
			log_warn("control %s: %s: not listening there", tok, strerror(errno));
			ctl_listen_failed(ctl, tok);
		} else {
			log_info("control: listening on %s", tok);
		}
	}
}
