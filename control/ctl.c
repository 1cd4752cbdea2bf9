/* ctl.c - the host channel's server as one object (docs/protocol.md): made,
 * told of the rest of PID 1, run after every loop batch, freed.
 *
 * Owns: struct ctl_server, the two rings that events and log lines go into
 * (allocated once, here), and the working memory of replies. Its parts are
 * the files ctl_int.h lists; each reaches the server through the object it
 * handles (a connection's, a listener's ctl), never through a global.
 *
 * Invariants:
 * - Nothing blocks, and nothing grows after ctl_new() but connections (at
 *   most CTL_MAX_CONNS, each bounded) and their output (CTL_OUT_BUDGET).
 * - A connection closed during a loop batch is freed in ctl_after_batch(),
 *   once the batch that may still hold its events is over.
 */
#include "ctl_int.h"
#include "base/clock.h"
#include "base/mem.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Only wakes the loop: a follower's hold limit ran out, and
 * ctl_log_resume() decides after the batch. */
static void on_log_timer(struct loop *l, struct loop_timer *t)
{
	(void)l; (void)t;
}

struct ctl_server *ctl_new(const struct ctl_vm *vm)
{
	struct ctl_server *ctl = calloc(1, sizeof(*ctl));
	if (!ctl)
		return NULL;
	ctl->vm = *vm;
	ctl->boot.pid1_ms = vm->started_ms;
	ctl->boot.spec_loaded_ms = -1;
	ctl->boot.first_process_ms = -1;
	ctl->oom_fd = -1;
	loop_timer_init(&ctl->log_timer, on_log_timer, ctl);
	/* 1 MiB and more of which a reply uses what it writes: its own pages
	 * (base/mem.h), resident only as far as the biggest reply reached. */
	ctl->work = mem_pages(sizeof(*ctl->work));
	if (!ctl->work || ring_init(&ctl->events, CTL_EVENT_BYTES, CTL_EVENT_SLOTS) < 0 ||
	    ring_init(&ctl->logs, CTL_LOG_BYTES, CTL_LOG_SLOTS) < 0) {
		/* Not ctl_free(): PID 1 never frees the server, so that (and what
		 * only it uses) stays out of the binary. */
		ring_free(&ctl->events);
		mem_pages_free(ctl->work, sizeof(*ctl->work));
		free(ctl);
		return NULL;
	}
	return ctl;
}

static void free_list(struct conn *c)
{
	while (c) {
		struct conn *next = c->next;
		ctl_conn_free(c);
		c = next;
	}
}

void ctl_free(struct ctl_server *ctl)
{
	if (!ctl)
		return;
	ctl_close_listeners(ctl);
	loop_timer_cancel(ctl->vm.loop, &ctl->log_timer);
	free_list(ctl->conns);
	free_list(ctl->dead);
	if (ctl->push)
		ctl_conn_free(ctl->push);
	ring_free(&ctl->events);
	ring_free(&ctl->logs);
	ctl_status_free(ctl);
	if (ctl->oom_fd >= 0)
		close(ctl->oom_fd);
	mem_pages_free(ctl->work, sizeof(*ctl->work));
	free(ctl);
}

void ctl_set_health(struct ctl_server *ctl, struct hc_set *hc)
{
	ctl->hc = hc;
}

void ctl_mark(struct ctl_server *ctl, enum ctl_mark m)
{
	if (m == CTL_MARK_SPEC)
		ctl->boot.spec_loaded_ms = (int64_t)clock_boot_ms();
}

void ctl_after_batch(struct ctl_server *ctl)
{
	struct conn *c, *next;
	ctl->log_at_ms = 0;      /* the next turn's lines read the clock again */
	for (c = ctl->conns; c; c = next) {
		next = c->next;
		c->blocked = 0;
		if ((c->mode == CM_EVENTS || c->mode == CM_LOGS) && ctl_pending(c) < CTL_OUT_LOW) {
			/* Rounds while the socket takes all: a burst of new lines
			 * goes out now, in big writes, not one EPOLLOUT at a time. */
			for (int round = 0; round < 16; round++) {
				uint64_t cursor = c->cursor;
				ctl_stream_pump(c);
				ctl_conn_flush(c);
				if (c->dead || c->fd < 0 || ctl_pending(c) > 0 || c->cursor == cursor)
					break;
			}
			if (!c->dead)
				ctl_conn_update(c);
		}
	}
	c = ctl->push;
	if (c)
		c->blocked = 0;
	if (c && c->mode == CM_EVENTS && c->fd >= 0 && ctl_pending(c) < CTL_OUT_LOW) {
		ctl_stream_pump(c);
		ctl_conn_flush(c);
		if (c->fd >= 0)
			ctl_conn_update(c);
	}
	if (c && c->mode == CM_EVENTS)
		ctl->push_cursor = c->cursor;
	for (c = ctl->dead; c; c = next) {
		next = c->next;
		if (c->out)
			ctl->out_total -= c->outcap;
		free(c->out);
		free(c);
	}
	ctl->dead = NULL;
}

int ctl_flushed(struct ctl_server *ctl)
{
	const struct conn *p = ctl->push;
	for (const struct conn *c = ctl->conns; c; c = c->next) {
		/* A serial port's host that only seems gone may be back. */
		if (c->fd < 0 || (c->io.fd < 0 && c->hup != SERIAL_HUP_SEEN))
			continue;
		if (ctl_pending(c) > 0)
			return 0;
		if (c->mode == CM_EVENTS && c->cursor < ring_next(&ctl->events))
			return 0;
	}
	if (p && (p->mode != CM_EVENTS || ctl_pending(p) > 0 || p->cursor < ring_next(&ctl->events)))
		return 0;
	return 1;
}
