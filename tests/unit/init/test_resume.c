#include "tests/unit/unit.h"

/* test_resume.c - folding signs of one restore (init/resume.c): the first
 * is a resume, those within RESUME_FOLD_MS are folded into it, a later one
 * is a new resume. Loop time only: it does not count a pause. */

#include "init/resume.h"

Test(resume, folds_within_the_window)
{
	struct resume r;
	uint64_t t = 7 * LOOP_NS_PER_SEC;
	resume_init(&r);
	cr_assert_eq(r.st.last_ms, -1);
	cr_assert_null(r.st.last_source);
	cr_assert_not(resume_fold(&r, t), "the first sign is a resume");
	r.st.count = 1;
	r.last_ns = t;
	cr_assert(resume_fold(&r, t));
	cr_assert(resume_fold(&r, t + RESUME_FOLD_MS * LOOP_NS_PER_MS - 1));
	cr_assert_not(resume_fold(&r, t + RESUME_FOLD_MS * LOOP_NS_PER_MS));
	cr_assert_not(resume_fold(&r, t + 3600 * LOOP_NS_PER_SEC));
}
