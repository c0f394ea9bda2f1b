/* check_doc.c - what a validated document says per worker count */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "../check.h"
#include "proftune.h"
#include "testdoc.h"

START_TEST(doc_counts_per_worker_count)
{
	unsigned w[] = { 2, 1, 2, 2, 1 };
	double x[] = { 200, 100, 180, 0, 110 };
	pt_doc *d = parse_tree(make_doc("run", w, x, 5), NULL);
	struct pt_doc_count *c;
	size_t n;

	ck_assert_int_eq(pt_doc_counts(d, &c, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(c[0].workers, 1);
	ck_assert_uint_eq(c[0].trials, 2);
	ck_assert_double_eq_tol(c[0].throughput, 105, 1e-9);
	ck_assert_uint_eq(c[1].workers, 2);
	ck_assert_uint_eq(c[1].trials, 3);
	ck_assert_uint_eq(c[1].ok_trials, 2);   /* the failed trial is left out */
	ck_assert_double_eq_tol(c[1].throughput, 190, 1e-9);
	ck_assert_double_eq_tol(c[1].low, 180, 1e-9);
	ck_assert_double_eq_tol(c[1].high, 200, 1e-9);
	ck_assert_int_eq(c[1].interval_is_ci, 0);
	ck_assert(isnan(c[1].model));
	free(c);
	ck_assert_int_eq(pt_doc_model(d, &(struct pt_usl_model){ 0 }), -ENOENT);
	pt_doc_free(d);
}
END_TEST

Suite *suite_doc(void)
{
	Suite *s = suite_create("doc");
	TCase *t = tcase_create("counts");

	tcase_add_test(t, doc_counts_per_worker_count);
	suite_add_tcase(s, t);
	return s;
}
