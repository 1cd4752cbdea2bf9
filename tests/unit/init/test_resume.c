#include "tests/unit/unit.h"

/* test_resume.c - folding signs of one restore (init/resume.c): the first
 * is a resume; a sign within RESUME_FOLD_MS of the last one, or the first
 * from another source within RESUME_CONFIRM_MS of the resume's start, is
 * folded into it; anything else is a new resume. Loop time only: it does
 * not count a pause. */

#include "init/resume.h"

#define MS (LOOP_NS_PER_MS)

/* What resume_signal() keeps when a sign is a new resume or folded. */
static int sign(struct resume *r, const char *source, uint64_t now)
{
	int folded = resume_fold(r, source, now);
	if (!folded) {
		r->st.count++;
		r->start_ns = now;
		r->sources = 0;
	}
	r->last_ns = now;
	r->sources |= resume_source_bit(source);
	return folded;
}

Test(resume, the_first_sign_is_a_resume)
{
	struct resume r;
	resume_init(&r);
	cr_assert_eq(r.st.last_ms, -1);
	cr_assert_null(r.st.last_source);
	cr_assert_not(resume_fold(&r, "host", 7 * LOOP_NS_PER_SEC));
	cr_assert_neq(resume_source_bit("host"), resume_source_bit("vmgenid"));
	cr_assert_neq(resume_source_bit("vsock"), resume_source_bit("vmgenid"));
	cr_assert_eq(resume_source_bit("other"), 0);
}

Test(resume, a_burst_folds)
{
	struct resume r;
	uint64_t t = 7 * LOOP_NS_PER_SEC;
	resume_init(&r);
	cr_assert_not(sign(&r, "vsock", t));
	cr_assert(sign(&r, "vsock", t + RESUME_FOLD_MS * MS - 1), "a second connection reset at once");
	cr_assert(sign(&r, "vsock", t + 2 * RESUME_FOLD_MS * MS - 2), "the window runs from the last sign");
	cr_assert_not(sign(&r, "vsock", t + 4 * RESUME_FOLD_MS * MS), "the same source, later: a new restore");
	cr_assert_eq(r.st.count, 2);
}

Test(resume, another_source_confirms_within_its_window)
{
	struct resume r;
	uint64_t t = 7 * LOOP_NS_PER_SEC;
	resume_init(&r);
	cr_assert_not(sign(&r, "vmgenid", t));
	cr_assert(sign(&r, "host", t + (RESUME_CONFIRM_MS - 1) * MS), "the host's word on the same restore, late");
	cr_assert_not(sign(&r, "host", t + RESUME_CONFIRM_MS * MS + RESUME_FOLD_MS * MS),
		      "the host again: a new restore");
	cr_assert(sign(&r, "vmgenid", t + RESUME_CONFIRM_MS * MS + RESUME_FOLD_MS * MS + 10 * LOOP_NS_PER_SEC),
		  "the kernel's word on that one");
	cr_assert_eq(r.st.count, 2);
}

Test(resume, past_the_windows_a_new_resume)
{
	struct resume r;
	uint64_t t = 7 * LOOP_NS_PER_SEC;
	resume_init(&r);
	cr_assert_not(sign(&r, "vmgenid", t));
	cr_assert_not(sign(&r, "host", t + RESUME_CONFIRM_MS * MS));
	cr_assert_not(sign(&r, "host", t + 3600 * LOOP_NS_PER_SEC));
	cr_assert_eq(r.st.count, 3);
}
