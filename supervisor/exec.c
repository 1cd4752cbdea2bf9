/* exec.c - see exec.h.
 *
 * Owns: a fixed table of EXEC_MAX_JOBS jobs, each with two capture buffers
 * allocated at start and freed at the end, and its command's entry in the
 * reap table (base/children.h). A job ends when PID 1 reaps its command: the pipes are drained of what is in them then (a descendant that
 * escaped the group kill may hold them open: it is not waited for).
 * Never: blocks on a pipe or waits for a child.
 */
#include "exec.h"
#include "spawn.h"
#include "base/children.h"
#include "base/loop.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

struct capture {
	struct loop_io io;
	int fd;
	char *buf;
	size_t len;
	uint64_t total;
};

struct job {
	int used;
	pid_t pid;
	struct loop *loop;
	struct capture cap[2];
	size_t max;
	struct loop_timer timer;
	uint64_t started;
	int timed_out;
	exec_done_fn done;
	void *ctx;
};

static struct job jobs[EXEC_MAX_JOBS];

static void capture_read(struct job *j, struct capture *c)
{
	char buf[16384];
	/* Bounded per call: a command writing without end cannot hold the loop. */
	for (int k = 0; k < 8 && c->fd >= 0; k++) {
		ssize_t n = read(c->fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0 || errno != EAGAIN) {
				loop_io_del(j->loop, &c->io);
				close(c->fd);
				c->fd = -1;
			}
			return;
		}
		c->total += (uint64_t)n;
		if (c->len < j->max) {
			size_t take = (size_t)n < j->max - c->len ? (size_t)n : j->max - c->len;
			memcpy(c->buf + c->len, buf, take);
			c->len += take;
		}
	}
}

static void on_capture(struct loop *l, struct loop_io *io, uint32_t events)
{
	struct job *j = io->ctx;
	(void)l; (void)events;
	capture_read(j, io == &j->cap[0].io ? &j->cap[0] : &j->cap[1]);
}

static void on_timeout(struct loop *l, struct loop_timer *t)
{
	struct job *j = t->ctx;
	(void)l;
	j->timed_out = 1;
	if (kill(-j->pid, SIGKILL) < 0)
		kill(j->pid, SIGKILL);
}

static void job_release(struct job *j)
{
	for (int i = 0; i < 2; i++) {
		if (j->cap[i].fd >= 0) {
			loop_io_del(j->loop, &j->cap[i].io);
			close(j->cap[i].fd);
		}
		free(j->cap[i].buf);
		j->cap[i].buf = NULL;
		j->cap[i].fd = -1;
	}
	loop_timer_cancel(j->loop, &j->timer);
	j->used = 0;
	j->pid = 0;
	j->done = NULL;
	j->ctx = NULL;
}

static const struct child_owner job_owner;

/* A free job, cleared for loop l, or NULL. */
static struct job *job_claim(struct loop *l)
{
	struct job *j = NULL;
	for (size_t i = 0; i < EXEC_MAX_JOBS && !j; i++)
		if (!jobs[i].used)
			j = &jobs[i];
	if (!j)
		return NULL;
	{
		/* The loop skips stale events by generation: keep them. */
		uint64_t gen[2] = { j->cap[0].io.gen, j->cap[1].io.gen };
		memset(j, 0, sizeof(*j));
		j->cap[0].io.gen = gen[0];
		j->cap[1].io.gen = gen[1];
	}
	j->loop = l;
	j->cap[0].fd = j->cap[1].fd = -1;
	j->cap[0].io.fd = j->cap[1].io.fd = -1;
	loop_timer_init(&j->timer, on_timeout, j);
	return j;
}

int exec_start(struct loop *l, const struct exec_req *r, exec_done_fn done, void *ctx)
{
	struct job *j = job_claim(l);
	int fds[2][2] = { { -1, -1 }, { -1, -1 } };
	struct spawn_req sr;
	int saved;

	if (!j) {
		errno = EBUSY;
		return -1;
	}
	j->max = r->max_output;
	for (int i = 0; i < 2; i++) {
		j->cap[i].buf = malloc(j->max ? j->max : 1);
		if (!j->cap[i].buf) {
			errno = ENOMEM;
			goto fail;
		}
		if (pipe2(fds[i], O_CLOEXEC) < 0)
			goto fail;
	}
	sr = (struct spawn_req){
		.argv = r->argv, .envp = r->envp, .workdir = r->workdir, .user = r->user,
		.root = "/", .out_fd = fds[0][1], .err_fd = fds[1][1],
		.cgroup = r->cgroup,
	};
	if (r->view) {
		sr.cgroup = r->view->cgroup;
		sr.bound = r->view->bound;
		sr.caps = r->view->caps;
		sr.nofile = r->view->nofile;
		sr.vol_dir = r->view->vol_dir;
		sr.hide = r->view->hide;
		sr.mounts = r->view->mounts;
		sr.nmounts = r->view->nmounts;
		sr.secrets_dir = r->view->secrets_dir;
	}
	j->pid = spawn_process(&sr);
	if (j->pid < 0)
		goto fail;
	if (children_add(j->pid, &job_owner, j) < 0) {
		/* Cannot happen (the table has room for every job): a command
		 * nobody would hear of is killed, and the request fails. */
		saved = errno;
		kill(j->pid, SIGKILL);
		errno = saved;
		goto fail;
	}
	j->used = 1;
	j->done = done;
	j->ctx = ctx;
	j->started = loop_now();
	for (int i = 0; i < 2; i++) {
		close(fds[i][1]);
		fds[i][1] = -1;
		j->cap[i].fd = fds[i][0];
		fcntl(j->cap[i].fd, F_SETFL, O_NONBLOCK);
	}
	/* No timeout or no reader: kill it at once; the reply says so. */
	if (loop_timer_in(l, &j->timer, r->timeout_ns) < 0 ||
	    loop_io_add(l, &j->cap[0].io, j->cap[0].fd, EPOLLIN, on_capture, j) < 0 ||
	    loop_io_add(l, &j->cap[1].io, j->cap[1].fd, EPOLLIN, on_capture, j) < 0) {
		j->timed_out = 1;
		if (kill(-j->pid, SIGKILL) < 0)
			kill(j->pid, SIGKILL);
	}
	return 0;
fail:
	saved = errno;
	for (int i = 0; i < 2; i++) {
		if (fds[i][0] >= 0)
			close(fds[i][0]);
		if (fds[i][1] >= 0)
			close(fds[i][1]);
		free(j->cap[i].buf);
		j->cap[i].buf = NULL;
	}
	j->used = 0;
	errno = saved;
	return -1;
}

void exec_cancel(void *ctx)
{
	for (size_t i = 0; i < EXEC_MAX_JOBS; i++)
		if (jobs[i].used && jobs[i].ctx == ctx) {
			/* The job stays until its command is reaped. */
			jobs[i].done = NULL;
			jobs[i].ctx = NULL;
			if (kill(-jobs[i].pid, SIGKILL) < 0)
				kill(jobs[i].pid, SIGKILL);
		}
}

/* The reaper's hooks (base/children.h): the command's group dies with it,
 * then the job ends with what its pipes hold. */
static void job_group_end(void *ctx, pid_t pid)
{
	(void)ctx;
	kill(-pid, SIGKILL);
}

static void job_exited(void *ctx, pid_t pid, int wstatus)
{
	struct job *j = ctx;
	struct exec_result res;
	exec_done_fn done;
	void *dctx;
	char *bufs[2];
	(void)pid;
	for (int i = 0; i < 2; i++)
		if (j->cap[i].fd >= 0)
			capture_read(j, &j->cap[i]);
	memset(&res, 0, sizeof(res));
	res.wstatus = wstatus;
	res.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus)
		   : WIFSIGNALED(wstatus) ? 128 + WTERMSIG(wstatus) : 255;
	res.timed_out = j->timed_out;
	res.duration_ns = loop_now() - j->started;
	res.out = bufs[0] = j->cap[0].buf;
	res.out_len = j->cap[0].len;
	res.out_total = j->cap[0].total;
	res.err = bufs[1] = j->cap[1].buf;
	res.err_len = j->cap[1].len;
	res.err_total = j->cap[1].total;
	done = j->done;
	dctx = j->ctx;
	/* Free the slot before the callback: it may start the requester's next
	 * command, or close the requester (exec_cancel must not find a job
	 * whose pid is already reaped). */
	j->cap[0].buf = j->cap[1].buf = NULL;
	job_release(j);
	if (done)
		done(dctx, &res);
	free(bufs[0]);
	free(bufs[1]);
}

static const struct child_owner job_owner = {
	.group_end = job_group_end,
	.exited = job_exited,
	/* A command's stops and continues are not watched. */
};

size_t exec_running(void)
{
	size_t n = 0;
	for (size_t i = 0; i < EXEC_MAX_JOBS; i++)
		n += jobs[i].used != 0;
	return n;
}
