/* ring.h - a bounded ring of numbered records (the host channel's events and
 * log lines).
 *
 * Records get consecutive sequence numbers from 1. The ring keeps the newest
 * ones that fit in both its byte arena and its slot table; older ones are
 * overwritten, never blocked on. Readers keep only a sequence number (their
 * cursor): a reader that fell behind finds ring_first() past its cursor and
 * knows exactly how many records it lost. Nothing is allocated after
 * ring_init().
 */
#ifndef VMINIT_RING_H
#define VMINIT_RING_H

#include <stddef.h>
#include <stdint.h>

struct ring_rec {
	uint64_t seq;
	uint64_t at_ms;
	uint32_t off, len;
	uint16_t tag;         /* the owner's: a process index */
	uint8_t kind;         /* the owner's: a stream */
};

struct ring {
	char *data;
	size_t cap;
	struct ring_rec *rec;
	size_t nslots;
	uint64_t first, next;   /* kept: [first, next) */
	size_t head;            /* where the next record's bytes go */
	uint64_t evicted;
};

/* 0, or -1 (ENOMEM). */
int ring_init(struct ring *r, size_t bytes, size_t slots);
void ring_free(struct ring *r);
/* Add a record (len is cut to cap / 4); its seq. */
uint64_t ring_add(struct ring *r, uint16_t tag, uint8_t kind, uint64_t at_ms,
		  const char *data, size_t len);
/* The bytes of new records, none longer than maxlen, that are sure to fit
 * without overwriting record keep or any later one; *ret_slots the number of
 * records. keep = ring_next(r): nothing to keep. */
size_t ring_room(const struct ring *r, uint64_t keep, size_t maxlen, size_t *ret_slots);
/* The record seq, or NULL when it was overwritten or does not exist yet. */
const struct ring_rec *ring_get(const struct ring *r, uint64_t seq);
static inline const char *ring_data(const struct ring *r, const struct ring_rec *rec)
{
	return r->data + rec->off;
}
static inline uint64_t ring_first(const struct ring *r) { return r->first; }
static inline uint64_t ring_next(const struct ring *r) { return r->next; }

#endif
