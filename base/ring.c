/* ring.c - see ring.h.
 *
 * Invariant: the kept records lie in the arena in sequence order, starting
 * at the oldest and wrapping at most once, so the records a new one would
 * overwrite are always the oldest: eviction is FIFO. A record never straddles
 * the end of the arena; the tail left unused by a wrap counts as consumed.
 */
#include "ring.h"
#include "mem.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int ring_init(struct ring *r, size_t bytes, size_t slots)
{
	memset(r, 0, sizeof(*r));
	if (bytes < 16 || slots < 1 || bytes > UINT32_MAX || slots > SIZE_MAX / sizeof(*r->rec)) {
		errno = ENOMEM;
		return -1;
	}
	/* Its own pages (base/mem.h): an idle VM's rings are mostly unused. */
	r->cap = bytes;
	r->nslots = slots;
	r->data = mem_pages(bytes);
	r->rec = mem_pages(slots * sizeof(*r->rec));
	if (!r->data || !r->rec) {
		ring_free(r);
		errno = ENOMEM;
		return -1;
	}
	r->first = r->next = 1;
	return 0;
}

void ring_free(struct ring *r)
{
	mem_pages_free(r->data, r->cap);
	mem_pages_free(r->rec, r->nslots * sizeof(*r->rec));
	memset(r, 0, sizeof(*r));
}

static struct ring_rec *slot(const struct ring *r, uint64_t seq)
{
	return &r->rec[seq % r->nslots];
}

static void evict_oldest(struct ring *r)
{
	r->first++;
	r->evicted++;
}

uint64_t ring_add(struct ring *r, uint16_t tag, uint8_t kind, uint64_t at_ms,
		  const char *data, size_t len)
{
	struct ring_rec *rec;
	if (len > r->cap / 4)
		len = r->cap / 4;
	if (r->next - r->first == r->nslots)
		evict_oldest(r);
	if (len > r->cap - r->head) {
		/* Wrap: the oldest records are the ones ahead of head. */
		while (r->first < r->next && slot(r, r->first)->off >= r->head)
			evict_oldest(r);
		r->head = 0;
	}
	/* Whatever starts inside [head, head + len) is older than everything
	 * behind head: overwrite it. */
	while (r->first < r->next) {
		const struct ring_rec *o = slot(r, r->first);
		if (o->off < r->head || o->off >= r->head + len)
			break;
		evict_oldest(r);
	}
	/* Zero-length records at head are evicted above only when len > 0;
	 * one still ahead of head but with an offset inside the new record
	 * cannot exist, as offsets grow within a lap. */
	rec = slot(r, r->next);
	rec->seq = r->next;
	rec->at_ms = at_ms;
	rec->off = (uint32_t)r->head;
	rec->len = (uint32_t)len;
	rec->tag = tag;
	rec->kind = kind;
	if (len)
		memcpy(r->data + r->head, data, len);
	r->head += len;
	return r->next++;
}

const struct ring_rec *ring_get(const struct ring *r, uint64_t seq)
{
	if (seq < r->first || seq >= r->next)
		return NULL;
	return slot(r, seq);
}

size_t ring_room(const struct ring *r, uint64_t keep, size_t maxlen, size_t *ret_slots)
{
	size_t off, last, free;
	if (keep < r->first)
		keep = r->first;
	*ret_slots = r->nslots - (size_t)(r->next - keep);
	if (keep >= r->next)
		return r->cap > maxlen ? r->cap - maxlen : 0;
	off = slot(r, keep)->off;
	last = slot(r, r->next - 1)->off;
	if (last < off)
		free = off - r->head;          /* the kept ones wrapped: up to keep */
	else if (off == r->head)
		/* Only empty records at head are kept: ring_add evicts those
		 * with the next record that has bytes. None until they are read. */
		free = 0;
	else
		/* To the end, then from 0 up to keep: a record that does not fit
		 * before the end leaves less than maxlen unused. */
		free = r->cap - r->head + off > maxlen ? r->cap - r->head + off - maxlen : 0;
	return free;
}
