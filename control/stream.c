/* stream.c - the events and logs streams (docs/protocol.md §3).
 *
 * A stream is a connection in CM_EVENTS or CM_LOGS mode with a cursor into
 * the server's event or log ring, never a queue of its own: items are made
 * only while the connection's unsent output is under CTL_OUT_LOW (the push:
 * one at a time), so a slow reader costs its cursor and nothing more. A reader
 * the ring overtook gets {"lost":N} first, and goes on from the oldest kept.
 * An item that finds no room in the output budget waits (blocked) for a later
 * batch; one that can never fit is skipped and counted.
 */
#include "ctl_int.h"

#include <stdlib.h>
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

/* One record of the log ring as its item: a line, or lines dropped. */
static void log_item(struct conn *c, struct jw *w, const struct ring_rec *r)
{
	const struct ring *logs = &c->ctl->logs;
	const char *name = ctl_proc_name(c->ctl, r->tag);
	jw_init(w, c->ctl->work->scratch, CTL_OUT_MAX);
	if (r->kind == CTL_LOG_DROPPED) {
		/* Lines the process wrote over its budget, here in order. */
		char count[24];
		size_t n = r->len < sizeof(count) ? r->len : sizeof(count) - 1;
		memcpy(count, ring_data(logs, r), n);
		count[n] = '\0';
		enc_log_dropped(w, (uint64_t)strtoll(count, NULL, 10), name);
	} else {
		enc_log(w, r->seq, r->at_ms, name, r->kind, ring_data(logs, r), r->len);
	}
}

static void pump_logs(struct conn *c)
{
	const struct ring *logs = &c->ctl->logs;
	uint64_t stop = c->follow ? ring_next(logs) : c->end_seq;
	while (ctl_pending(c) < CTL_OUT_LOW && c->cursor < stop) {
		const struct ring_rec *r;
		struct jw w;
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
		log_item(c, &w, r);
		if (emit_item(c, &w) < 0)
			return;
		c->cursor++;
		if (r->kind != CTL_LOG_DROPPED)
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
