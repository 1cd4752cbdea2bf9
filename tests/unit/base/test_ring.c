#include "tests/unit/unit.h"

/* test_ring.c - the bounded ring of numbered records (base/ring.c): order,
 * eviction by slots and by bytes, the wrap, and a model check against a
 * reference FIFO over random record sizes. */

#include "base/ring.h"

static void add_str(struct ring *r, const char *s)
{
	ring_add(r, 0, 0, 0, s, strlen(s));
}

static int rec_is(const struct ring *r, uint64_t seq, const char *s)
{
	const struct ring_rec *rec = ring_get(r, seq);
	return rec && rec->seq == seq && rec->len == strlen(s) && !memcmp(ring_data(r, rec), s, rec->len);
}

Test(ring, numbers_from_one_and_keeps_order)
{
	struct ring r;
	cr_assert_eq(ring_init(&r, 1024, 16), 0);
	cr_assert_eq(ring_first(&r), 1);
	cr_assert_eq(ring_next(&r), 1);
	cr_assert_null(ring_get(&r, 1));
	cr_assert_eq(ring_add(&r, 3, 2, 77, "a", 1), 1);
	cr_assert_eq(ring_add(&r, 4, 1, 78, "bb", 2), 2);
	cr_assert(rec_is(&r, 1, "a"));
	cr_assert(rec_is(&r, 2, "bb"));
	cr_assert_eq(ring_get(&r, 2)->tag, 4);
	cr_assert_eq(ring_get(&r, 2)->kind, 1);
	cr_assert_eq(ring_get(&r, 2)->at_ms, 78);
	cr_assert_null(ring_get(&r, 0));
	cr_assert_null(ring_get(&r, 3));
	ring_free(&r);
}

Test(ring, evicts_by_slots)
{
	struct ring r;
	char b[16];
	cr_assert_eq(ring_init(&r, 4096, 4), 0);
	for (int i = 1; i <= 10; i++) {
		snprintf(b, sizeof(b), "r%d", i);
		add_str(&r, b);
	}
	cr_assert_eq(ring_first(&r), 7);
	cr_assert_eq(ring_next(&r), 11);
	cr_assert_eq(r.evicted, 6);
	cr_assert_null(ring_get(&r, 6));
	cr_assert(rec_is(&r, 7, "r7"));
	cr_assert(rec_is(&r, 10, "r10"));
	ring_free(&r);
}

Test(ring, evicts_by_bytes_and_wraps)
{
	struct ring r;
	char b[40];
	/* 100 bytes, records of 24: four fit, the fifth wraps. */
	cr_assert_eq(ring_init(&r, 100, 64), 0);
	for (int i = 1; i <= 9; i++) {
		snprintf(b, sizeof(b), "%023d%c", i, 'x');
		ring_add(&r, 0, 0, 0, b, 24);
		for (uint64_t s = ring_first(&r); s < ring_next(&r); s++) {
			char want[40];
			snprintf(want, sizeof(want), "%023d%c", (int)s, 'x');
			cr_assert(rec_is(&r, s, want), "record %d corrupted after adding %d", (int)s, i);
		}
	}
	cr_assert_eq(ring_next(&r), 10);
	cr_assert_leq(ring_next(&r) - ring_first(&r), 4);
	cr_assert_geq(ring_next(&r) - ring_first(&r), 3);
	ring_free(&r);
}

Test(ring, long_records_are_cut_to_a_quarter)
{
	struct ring r;
	char big[300];
	memset(big, 'q', sizeof(big));
	cr_assert_eq(ring_init(&r, 400, 8), 0);
	ring_add(&r, 0, 0, 0, big, sizeof(big));
	cr_assert_eq(ring_get(&r, 1)->len, 100);
	ring_free(&r);
}

Test(ring, empty_records)
{
	struct ring r;
	cr_assert_eq(ring_init(&r, 64, 8), 0);
	for (int i = 0; i < 20; i++) {
		add_str(&r, "");
		add_str(&r, "0123456789");
	}
	for (uint64_t s = ring_first(&r); s < ring_next(&r); s++)
		cr_assert(rec_is(&r, s, s % 2 ? "" : "0123456789"), "record %d", (int)s);
	ring_free(&r);
}

/* Against a model: the ring keeps a suffix of what was added, each record
 * intact, never more than the slots, never more bytes than fit. */
Test(ring, model_random_sizes)
{
	struct ring r;
	enum { N = 20000 };
	static uint16_t lens[N + 1];
	unsigned seed = 12345;
	char buf[300];
	cr_assert_eq(ring_init(&r, 1000, 32), 0);
	for (int i = 1; i <= N; i++) {
		size_t len, total = 0;
		seed = seed * 1103515245u + 12345u;
		len = (seed >> 16) % 251;   /* 0..250: cut to 250 = cap / 4 */
		for (size_t k = 0; k < len; k++)
			buf[k] = (char)('a' + (i + k) % 26);
		cr_assert_eq(ring_add(&r, (uint16_t)i, 0, (uint64_t)i, buf, len), (uint64_t)i);
		lens[i] = (uint16_t)len;
		cr_assert_eq(ring_next(&r), (uint64_t)i + 1);
		cr_assert_leq(ring_next(&r) - ring_first(&r), 32);
		cr_assert_geq(ring_next(&r) - ring_first(&r), 1, "the newest record is always kept");
		for (uint64_t s = ring_first(&r); s < ring_next(&r); s++) {
			const struct ring_rec *rec = ring_get(&r, s);
			cr_assert_not_null(rec);
			cr_assert_eq(rec->len, lens[s]);
			cr_assert_eq(rec->tag, (uint16_t)s);
			for (size_t k = 0; k < rec->len; k++)
				cr_assert_eq(ring_data(&r, rec)[k], (char)('a' + (s + k) % 26),
					     "record %d byte %zu overwritten", (int)s, k);
			total += rec->len;
		}
		cr_assert_leq(total, 1000);
		cr_assert_eq(r.evicted, ring_first(&r) - 1);
	}
	ring_free(&r);
}

/* ---- room: what fits without overwriting a record a reader still needs ---- */

/* Random records (empty ones too), a reader's cursor that lags at random:
 * adding records up to ring_room's bytes and slots never evicts the cursor's
 * record, and the room is not needlessly small (after the reader caught up,
 * it is most of the arena). */
Test(ring_room, adding_within_the_room_never_evicts_the_kept_record)
{
	enum { CAP = 4096, SLOTS = 64, MAXLEN = 200 };
	static char buf[MAXLEN];
	struct ring r;
	uint64_t keep = 1;
	unsigned seed = 7;
	memset(buf, 'x', sizeof(buf));
	cr_assert_eq(ring_init(&r, CAP, SLOTS), 0);
	for (int step = 0; step < 20000; step++) {
		size_t slots, bytes = ring_room(&r, keep, MAXLEN, &slots);
		seed = seed * 1103515245u + 12345u;
		if (seed >> 28 < 2 && keep < ring_next(&r)) {
			keep += 1 + (seed >> 8) % 3 % (ring_next(&r) - keep);   /* the reader moves */
			continue;
		}
		size_t len = (seed >> 12) % 4 == 0 ? 0 : (seed >> 14) % (MAXLEN + 1);
		if (len > bytes || slots == 0)
			continue;                     /* no room: the writer is held */
		ring_add(&r, 0, 0, 0, buf, len);
		cr_assert_leq(ring_first(&r), keep, "step %d: record %llu evicted (first %llu)", step,
			      (unsigned long long)keep, (unsigned long long)ring_first(&r));
		size_t slots2;
		ring_room(&r, keep, MAXLEN, &slots2);
		cr_assert_eq(slots2 + 1, slots, "step %d", step);
	}
	size_t slots, bytes = ring_room(&r, ring_next(&r), MAXLEN, &slots);
	cr_assert_eq(slots, SLOTS);
	cr_assert_eq(bytes, CAP - MAXLEN);
	ring_free(&r);
}

Test(ring_room, full_ring_has_no_room_until_the_reader_moves)
{
	struct ring r;
	size_t slots;
	cr_assert_eq(ring_init(&r, 1000, 8), 0);
	for (int i = 0; i < 8; i++)
		add_str(&r, "0123456789");
	cr_assert_eq(ring_room(&r, 1, 10, &slots), 1000 - 80 - 10);
	cr_assert_eq(slots, 0, "8 slots, 8 records kept");
	cr_assert_eq(ring_room(&r, 5, 10, &slots), 1000 - 80 - 10 + 40);
	cr_assert_eq(slots, 4);
	ring_free(&r);
}
