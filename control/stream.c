/* stream.c - the events and logs streams (docs/protocol.md §3).
 *
 * A stream is a connection in CM_EVENTS or CM_LOGS mode with a cursor into
 * the server's event or log ring, never a queue of its own: items are made
 * only while the connection's unsent output is under CTL_OUT_LOW (the push:
 * one at a time), so a slow reader costs its cursor and nothing more. A reader
 * the ring overtook gets {"lost":N} first, and goes on from the oldest kept.
 * An item that finds no room in the output budget waits (blocked) for a later
 * batch; one that can never fit is skipped and counted.
 *
 * Flow control (docs/logs.md): while a `logs -f` follower is healthy (its
 * reader took bytes within CTL_LOG_HOLD_MS, or it has nothing unsent), the
 * log ring is never written over a record it has yet to send: PID 1 reads a
 * process's pipe only as far as ctl_log_room() allows, and polls it again
 * (ctl_log_resume) once the followers moved or one of them stopped being
 * healthy. A follower that is not healthy holds no one: it is overtaken and
 * told {"lost":N}.
 */
#include "ctl_int.h"

#include "base/console.h"
#include "supervisor/output.h"

#include <stdint.h>
#include <string.h>

/* Queue one stream item. -1 when the output budget has no room now: the
 * caller leaves its cursor where it was and the stream waits (blocked) until
 * a later batch finds room. An item that can never fit is skipped, counted. */
static int emit_item(struct conn *c, struct jw *w)
{
	if (w->overflow) {
		c->ctl->count[ENC_C_ITEMS_DROPPED]++;
		return 0;
	}
	if (ctl_out_append(c, w->buf, w->len, 0) < 0) {
		c->blocked = 1;
		c->ctl->count[ENC_C_STREAM_WAITS]++;
		return -1;
	}
	return 0;
}

static void emit_lost(struct conn *c, uint64_t n)
{
	struct jw w;
	char buf[64];
	jw_init(&w, buf, sizeof(buf) - 1);
	enc_lost(&w, n);
	/* Small, and the client must learn it: past the budget. */
	ctl_out_append(c, buf, w.len, 1);
	c->ctl->count[ENC_C_ITEMS_LOST] += n;
}

static void pump_events(struct conn *c)
{
	struct ring *ev = &c->ctl->events;
	/* The push makes one item at a time, so that when its connection is
	 * lost, the one unsent item is known and is sent again. */
	size_t low = c->kind == CK_PUSH ? 1 : CTL_OUT_LOW;
	while (ctl_pending(c) < low && c->cursor < ring_next(ev)) {
		const struct ring_rec *r;
		struct jw w;
		if (c->cursor < ring_first(ev)) {
			emit_lost(c, ring_first(ev) - c->cursor);
			c->cursor = ring_first(ev);
			continue;
		}
		r = ring_get(ev, c->cursor);
		jw_init(&w, c->ctl->work->scratch, CTL_OUT_MAX);
		enc_event(&w, r->seq, r->at_ms, ring_data(ev, r), r->len);
		if (emit_item(c, &w) < 0)
			return;
		c->cursor++;
		if (c->kind == CK_PUSH) {
			c->inflight = r->seq;
			c->ctl->count[ENC_C_PUSH_SENT]++;
		}
	}
}


/* A log item, made where it is sent from: in the connection's output, with
 * room for the most it can take (ENC_LOG_MAX), not made then copied. */
static int emit_log(struct conn *c, const struct ring_rec *r)
{
	const struct ring *logs = &c->ctl->logs;
	const char *name = ctl_proc_name(c->ctl, r->tag);
	size_t max = r->kind & CTL_LOG_PLAIN ? ENC_LOG_MAX_PLAIN(strlen(name), r->len)
					      : ENC_LOG_MAX(strlen(name), r->len);
	char *d = ctl_out_space(c, max, 0);
	struct jw w;
	if (!d) {
		c->blocked = 1;
		c->ctl->count[ENC_C_STREAM_WAITS]++;
		return -1;
	}
	jw_init(&w, d, max);
	enc_log(&w, r->seq, r->at_ms, name, r->kind & CTL_LOG_STREAM, ring_data(logs, r), r->len,
		r->kind & CTL_LOG_PLAIN);
	if (w.overflow)
		c->ctl->count[ENC_C_ITEMS_DROPPED]++;
	else
		ctl_out_commit(c, w.len);
	return 0;
}

static void pump_logs(struct conn *c)
{
	const struct ring *logs = &c->ctl->logs;
	uint64_t stop = c->follow ? ring_next(logs) : c->end_seq;
	while (ctl_pending(c) < CTL_OUT_LOW && c->cursor < stop) {
		const struct ring_rec *r;
		if (c->cursor < ring_first(logs)) {
			emit_lost(c, ring_first(logs) - c->cursor);
			c->cursor = ring_first(logs);
			continue;
		}
		r = ring_get(logs, c->cursor);
		if (c->filter >= 0 && r->tag != (unsigned)c->filter) {
			c->cursor++;
			continue;
		}
		if (emit_log(c, r) < 0)
			return;
		c->cursor++;
		c->sent++;
	}
	if (!c->follow && c->cursor >= stop && ctl_pending(c) < CTL_OUT_LOW) {
		struct jw w;
		jw_init(&w, c->ctl->work->scratch, CTL_OUT_MAX);
		enc_logs_end(&w, c->sent);
		if (emit_item(c, &w) < 0)
			return;
		/* Back to requests. */
		c->mode = CM_REQ;
	}
}

void ctl_stream_pump(struct conn *c)
{
	if (c->mode == CM_EVENTS)
		pump_events(c);
	else if (c->mode == CM_LOGS)
		pump_logs(c);
}

void ctl_stream_start(struct conn *c, enum conn_mode mode, uint64_t cursor)
{
	c->mode = mode;
	c->cursor = cursor;
	c->sent = 0;
}

/* The oldest log record a healthy follower has yet to send (ring_next: it has
 * sent them all), in *ret_any whether there is one at all, and in *ret_due
 * when the first of those waiting on their reader stops being healthy. */
static uint64_t log_keep(struct ctl_server *ctl, uint64_t now, uint64_t *ret_due, int *ret_any)
{
	uint64_t keep = ring_next(&ctl->logs);
	*ret_due = UINT64_MAX;
	*ret_any = 0;
	for (const struct conn *c = ctl->conns; c; c = c->next) {
		if (c->mode != CM_LOGS || !c->follow)
			continue;
		if (ctl_pending(c) > 0) {
			uint64_t until = c->last_progress + CTL_LOG_HOLD_MS * LOOP_NS_PER_MS;
			if (now >= until)
				continue;
			if (until < *ret_due)
				*ret_due = until;
		}
		*ret_any = 1;
		if (c->cursor < keep)
			keep = c->cursor;
	}
	return keep;
}

/* Pipe bytes that may be read now: n bytes make records of at most
 * n + CONSOLE_LINE_MAX bytes (a partial line is buffered); in *lines how many
 * records the ring can take, one kept for that partial line. A follower that
 * has sent every record bounds them as well: n empty lines are n records. */
static size_t log_room(struct ctl_server *ctl, uint64_t now, uint64_t *ret_due, size_t *lines)
{
	int any;
	uint64_t keep = log_keep(ctl, now, ret_due, &any);
	size_t slots, bytes;
	*lines = SIZE_MAX;
	if (!any)
		return SIZE_MAX;
	bytes = ring_room(&ctl->logs, keep, CONSOLE_LINE_MAX, &slots);
	*lines = slots > 0 ? slots - 1 : 0;
	return bytes > CONSOLE_LINE_MAX ? bytes - CONSOLE_LINE_MAX : 0;
}

size_t ctl_log_room(void *ctx, size_t *lines)
{
	struct ctl_server *ctl = ctx;
	uint64_t now = loop_now(), due;
	size_t room = log_room(ctl, now, &due, lines);
	if (output_room_ok(room, *lines))
		return room;
	if (!ctl->log_waiting) {
		ctl->log_waiting = 1;
		ctl->log_held_since = now;
		ctl->count[ENC_C_LOG_HOLDS]++;
	}
	/* Woken when the follower holding it would stop being healthy. */
	if (due != UINT64_MAX)
		loop_timer_at(ctl->vm.loop, &ctl->log_timer, due);
	return room;
}

int ctl_log_resume(struct ctl_server *ctl)
{
	uint64_t now, due;
	size_t room, lines;
	if (!ctl->log_waiting)
		return 0;
	now = loop_now();
	room = log_room(ctl, now, &due, &lines);
	if (!output_room_ok(room, lines)) {
		if (due != UINT64_MAX)
			loop_timer_at(ctl->vm.loop, &ctl->log_timer, due);
		return 0;
	}
	ctl->log_waiting = 0;
	ctl->count[ENC_C_LOG_HELD_MS] += (now - ctl->log_held_since) / LOOP_NS_PER_MS;
	loop_timer_cancel(ctl->vm.loop, &ctl->log_timer);
	return 1;
}
