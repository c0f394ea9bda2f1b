/* check_topology.c - topology counts and worker placement plans on synthetic machines */
#include "config.h"

#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "proftune.h"

#define SMALL "package:2 numa:2 core:4 pu:2"
#define BIG "package:4 numa:2 core:24 pu:2"

static pt_topology *synthetic(const char *desc)
{
	pt_topology *t = pt_topology_new(desc);

	ck_assert_msg(t != NULL, "'%s': %s", desc, pt_last_error());
	ck_assert_int_eq(pt_topology_is_synthetic(t), 1);
	return t;
}

static struct pt_slot *plan(const pt_topology *t, enum pt_placement p, unsigned n)
{
	struct pt_slot *s = calloc(n, sizeof(*s));

	ck_assert_ptr_nonnull(s);
	ck_assert_msg(pt_topology_plan(t, p, n, s) == 0, "plan %s of %u: %s",
		      pt_placement_name(p), n, pt_last_error());
	return s;
}

/* Number of distinct values of FIELD among N slots. */
static unsigned distinct(const struct pt_slot *s, unsigned n, size_t field)
{
	unsigned count = 0;

	for (unsigned i = 0; i < n; i++) {
		int v = *(const int *)((const char *)&s[i] + field), seen = 0;

		for (unsigned j = 0; j < i && !seen; j++)
			seen = *(const int *)((const char *)&s[j] + field) == v;
		count += !seen;
	}
	return count;
}

#define DISTINCT(s, n, f) distinct((s), (n), offsetof(struct pt_slot, f))

static void assert_slot_eq(const struct pt_slot *a, const struct pt_slot *b)
{
	ck_assert_int_eq(a->pu, b->pu);
	ck_assert_int_eq(a->core, b->core);
	ck_assert_int_eq(a->numa, b->numa);
	ck_assert_int_eq(a->package, b->package);
}

START_TEST(test_counts)
{
	pt_topology *t = synthetic(SMALL);
	struct pt_topology_counts c;
	char *list, *desc;

	memset(&c, 0xff, sizeof(c));
	pt_topology_counts(t, &c);
	ck_assert_uint_eq(c.packages, 2);
	ck_assert_uint_eq(c.numa_nodes, 4);
	ck_assert_uint_eq(c.cores, 16);
	ck_assert_uint_eq(c.pus, 32);
	ck_assert_uint_eq(pt_topology_allowed_pus(t), 32);
	list = pt_topology_allowed_list(t);
	ck_assert_str_eq(list, "0-31");
	free(list);
	desc = pt_topology_describe(t);
	ck_assert_ptr_nonnull(desc);
	ck_assert_ptr_nonnull(strstr(desc, "2 packages, 4 NUMA nodes, 16 cores, 32 PUs"));
	free(desc);
	pt_topology_free(t);
}
END_TEST

START_TEST(test_slot_fields)
{
	pt_topology *t = synthetic(SMALL);
	struct pt_slot *s = plan(t, PT_PLACE_COMPACT, 32);

	for (unsigned i = 0; i < 32; i++) {
		ck_assert_int_eq(s[i].pu, (int)i);
		ck_assert_int_eq(s[i].core, (int)i / 2);
		ck_assert_int_eq(s[i].numa, (int)i / 8);
		ck_assert_int_eq(s[i].package, (int)i / 16);
	}
	free(s);
	pt_topology_free(t);
}
END_TEST

START_TEST(test_compact)
{
	pt_topology *t = synthetic(SMALL);
	struct pt_slot *s = plan(t, PT_PLACE_COMPACT, 4);

	for (unsigned i = 0; i < 4; i++)
		ck_assert_int_eq(s[i].pu, (int)i);
	ck_assert_int_eq(s[0].core, s[1].core);
	ck_assert_int_eq(s[2].core, s[3].core);
	ck_assert_int_ne(s[0].core, s[2].core);
	ck_assert_int_eq(s[0].numa, s[3].numa);
	ck_assert_int_eq(s[0].package, s[3].package);
	free(s);
	pt_topology_free(t);
}
END_TEST

START_TEST(test_scatter_packages)
{
	pt_topology *t = synthetic(SMALL);
	struct pt_slot *s = plan(t, PT_PLACE_SCATTER, 2);

	ck_assert_int_ne(s[0].package, s[1].package);
	ck_assert_int_ne(s[0].numa, s[1].numa);
	free(s);
	pt_topology_free(t);
}
END_TEST

START_TEST(test_scatter_numa)
{
	pt_topology *t = synthetic(SMALL);
	struct pt_slot *s = plan(t, PT_PLACE_SCATTER, 4);

	ck_assert_uint_eq(DISTINCT(s, 4, numa), 4);
	ck_assert_uint_eq(DISTINCT(s, 4, package), 2);
	for (unsigned i = 0; i < 4; i++)
		ck_assert(s[i].numa >= 0 && s[i].numa < 4);
	free(s);
	pt_topology_free(t);
}
END_TEST

START_TEST(test_scatter_cores)
{
	pt_topology *t = synthetic(SMALL);
	struct pt_slot *s = plan(t, PT_PLACE_SCATTER, 16);

	ck_assert_uint_eq(DISTINCT(s, 16, core), 16);
	ck_assert_uint_eq(DISTINCT(s, 16, pu), 16);
	ck_assert_uint_eq(DISTINCT(s, 16, numa), 4);
	free(s);
	s = plan(t, PT_PLACE_SCATTER, 32);
	ck_assert_uint_eq(DISTINCT(s, 32, pu), 32);
	free(s);
	pt_topology_free(t);
}
END_TEST

START_TEST(test_wrap_compact)
{
	pt_topology *t = synthetic(SMALL);
	struct pt_slot *s = plan(t, PT_PLACE_COMPACT, 70);

	for (unsigned i = 32; i < 70; i++)
		assert_slot_eq(&s[i], &s[i - 32]);
	ck_assert_int_eq(s[32].pu, 0);
	free(s);
	pt_topology_free(t);
}
END_TEST

START_TEST(test_wrap_scatter)
{
	pt_topology *t = synthetic(SMALL);
	struct pt_slot *s = plan(t, PT_PLACE_SCATTER, 64);
	unsigned uses[32] = { 0 };

	for (unsigned i = 0; i < 64; i++) {
		ck_assert(s[i].pu >= 0 && s[i].pu < 32);
		uses[s[i].pu]++;
	}
	for (unsigned i = 0; i < 32; i++)
		ck_assert_msg(uses[i] == 2, "PU %u planned %u times of 64 workers", i, uses[i]);
	/* round-robin reuse, as pt_topology_plan() documents */
	for (unsigned i = 32; i < 64; i++)
		assert_slot_eq(&s[i], &s[i - 32]);
	free(s);
	pt_topology_free(t);
}
END_TEST

START_TEST(test_none)
{
	pt_topology *t = synthetic(SMALL);
	struct pt_slot *s = plan(t, PT_PLACE_NONE, 40);

	for (unsigned i = 0; i < 40; i++) {
		ck_assert_int_eq(s[i].pu, -1);
		ck_assert_int_eq(s[i].core, -1);
		ck_assert_int_eq(s[i].numa, -1);
		ck_assert_int_eq(s[i].package, -1);
	}
	free(s);
	pt_topology_free(t);
}
END_TEST

START_TEST(test_plan_errors)
{
	pt_topology *t = synthetic(SMALL);
	struct pt_slot s[1];

	errno = 0;
	ck_assert_int_eq(pt_topology_plan(t, PT_PLACE_COMPACT, 0, s), -EINVAL);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(pt_topology_plan(t, (enum pt_placement)7, 1, s), -EINVAL);
	pt_topology_free(t);
}
END_TEST

START_TEST(test_big_machine)
{
	pt_topology *t = synthetic(BIG);
	struct pt_topology_counts c;
	struct pt_slot *s;

	pt_topology_counts(t, &c);
	ck_assert_uint_eq(c.packages, 4);
	ck_assert_uint_eq(c.numa_nodes, 8);
	ck_assert_uint_eq(c.cores, 192);
	ck_assert_uint_eq(c.pus, 384);
	s = plan(t, PT_PLACE_SCATTER, 384);
	ck_assert_uint_eq(DISTINCT(s, 384, pu), 384);
	free(s);
	s = plan(t, PT_PLACE_SCATTER, 4);
	ck_assert_uint_eq(DISTINCT(s, 4, package), 4);
	free(s);
	s = plan(t, PT_PLACE_SCATTER, 8);
	ck_assert_uint_eq(DISTINCT(s, 8, numa), 8);
	free(s);
	s = plan(t, PT_PLACE_SCATTER, 192);
	ck_assert_uint_eq(DISTINCT(s, 192, core), 192);
	free(s);
	s = plan(t, PT_PLACE_COMPACT, 384);
	ck_assert_uint_eq(DISTINCT(s, 384, pu), 384);
	ck_assert_uint_eq(DISTINCT(s, 48, package), 1);
	free(s);
	pt_topology_free(t);
}
END_TEST

#ifdef HAVE_MALLINFO2
static size_t heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

START_TEST(test_plans_do_not_leak)
{
	pt_topology *t = synthetic(BIG);
	struct pt_slot *s = calloc(384, sizeof(*s));
	size_t before, after;

	ck_assert_ptr_nonnull(s);
	for (enum pt_placement p = PT_PLACE_NONE; p <= PT_PLACE_SCATTER; p++) {
		ck_assert_int_eq(pt_topology_plan(t, p, 384, s), 0);
		before = heap_in_use();
		for (int i = 0; i < 100; i++)
			ck_assert_int_eq(pt_topology_plan(t, p, 384, s), 0);
		after = heap_in_use();
		/* hwloc_distrib() allocates the bitmaps it fills: all are freed */
		ck_assert_msg(after < before + 100000, "100 %s plans of 384 workers grew the heap "
			      "by %zu bytes", pt_placement_name(p), after - before);
	}
	free(s);
	pt_topology_free(t);
}
END_TEST
#endif

START_TEST(test_invalid_synthetic)
{
	errno = 0;
	ck_assert_ptr_null(pt_topology_new("package:two core:x"));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_nonnull(strstr(pt_last_error(), "invalid synthetic topology"));
	ck_assert_ptr_nonnull(strstr(pt_last_error(), "package:two core:x"));
	ck_assert_ptr_null(pt_topology_new("frobnicator:3"));
	ck_assert_ptr_nonnull(strstr(pt_last_error(), "invalid synthetic topology"));
}
END_TEST

/* Descriptions that hwloc would take minutes and gigabytes to build are
 * refused before it is called, naming what is too large and the bounds. */
START_TEST(test_synthetic_bounds)
{
	static const struct {
		const char *desc, *what;
	} big[] = {
		{ "package:1000 core:1000 pu:1000", "it has 1000000000 PUs" },
		{ "package:100 core:100 pu:10", "it has 100000 PUs" },
		{ "16 32 64", "it has 32768 PUs" },
		{ "package:0x10000 pu:1", "it has 65536 PUs" },
		{ "pu:16384", "it has 16384 children of one object" },
		{ "core:4096 pu:1", "it has 4096 children of one object" },
		{ "(memory=1GB)package:2 core:257(memory=1GB) pu:1", "it has 257 children" },
		{ "package:64 core:256 l2:1 l1:1 pu:1", "it has 65601 objects" },
		{ "package:99999999999999999999999 pu:2", "more PUs than a number can hold" },
	};
	pt_topology *t;

	for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
		errno = 0;
		ck_assert_ptr_null(pt_topology_new(big[i].desc));
		ck_assert_int_eq(errno, E2BIG);
		ck_assert_msg(strstr(pt_last_error(), big[i].what) &&
			      strstr(pt_last_error(), big[i].desc) &&
			      strstr(pt_last_error(), "at most 16384 PUs, 256 children of one "
				     "object and 65536 objects in all"),
			      "%s: %s", big[i].desc, pt_last_error());
	}
	/* within the bounds: the machine is built as described */
	t = synthetic("package:4 core:64 pu:64");
	ck_assert_uint_eq(pt_topology_allowed_pus(t), 16384);
	pt_topology_free(t);
	t = synthetic("package:2 [numa] core:2 pu:2");
	ck_assert_uint_eq(pt_topology_allowed_pus(t), 8);
	pt_topology_free(t);
	/* what hwloc refuses is still its to say */
	ck_assert_ptr_null(pt_topology_new("package:0 pu:2"));
	ck_assert_ptr_nonnull(strstr(pt_last_error(), "invalid synthetic topology"));
}
END_TEST

START_TEST(test_this_machine)
{
	pt_topology *t = pt_topology_new(NULL);
	struct pt_topology_counts c;
	struct pt_slot *s;
	char *list;
	unsigned n;

	ck_assert_msg(t != NULL, "%s", pt_last_error());
	ck_assert_int_eq(pt_topology_is_synthetic(t), 0);
	pt_topology_counts(t, &c);
	ck_assert_uint_ge(c.pus, 1);
	ck_assert_uint_ge(c.cores, 1);
	ck_assert_uint_le(c.cores, c.pus);
	n = pt_topology_allowed_pus(t);
	ck_assert_uint_ge(n, 1);
	ck_assert_uint_eq(n, c.pus);
	list = pt_topology_allowed_list(t);
	ck_assert_ptr_nonnull(list);
	ck_assert_int_gt((int)strlen(list), 0);
	free(list);
	s = plan(t, PT_PLACE_SCATTER, n);
	ck_assert_uint_eq(DISTINCT(s, n, pu), n);
	free(s);
	s = plan(t, PT_PLACE_COMPACT, n + 1);
	assert_slot_eq(&s[n], &s[0]);
	free(s);
	pt_topology_free(t);
	pt_topology_free(NULL);
}
END_TEST

START_TEST(test_placement_names)
{
	static const enum pt_placement all[] = { PT_PLACE_NONE, PT_PLACE_COMPACT, PT_PLACE_SCATTER };

	for (unsigned i = 0; i < 3; i++)
		ck_assert_int_eq(pt_placement_parse(pt_placement_name(all[i])), (int)all[i]);
	ck_assert_str_eq(pt_placement_name(PT_PLACE_NONE), "none");
	ck_assert_str_eq(pt_placement_name(PT_PLACE_COMPACT), "compact");
	ck_assert_str_eq(pt_placement_name(PT_PLACE_SCATTER), "scatter");
	ck_assert_str_eq(pt_placement_name((enum pt_placement)9), "?");
	ck_assert_int_eq(pt_placement_parse("diagonal"), -EINVAL);
	ck_assert_int_eq(pt_placement_parse(""), -EINVAL);
	ck_assert_int_eq(pt_placement_parse("Compact"), -EINVAL);
}
END_TEST

Suite *suite_topology(void)
{
	Suite *s = suite_create("topology");
	TCase *tc = tcase_create("synthetic");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_counts);
	tcase_add_test(tc, test_slot_fields);
	tcase_add_test(tc, test_compact);
	tcase_add_test(tc, test_scatter_packages);
	tcase_add_test(tc, test_scatter_numa);
	tcase_add_test(tc, test_scatter_cores);
	tcase_add_test(tc, test_wrap_compact);
	tcase_add_test(tc, test_wrap_scatter);
	tcase_add_test(tc, test_none);
	tcase_add_test(tc, test_plan_errors);
	tcase_add_test(tc, test_big_machine);
#ifdef HAVE_MALLINFO2
	tcase_add_test(tc, test_plans_do_not_leak);
#endif
	tcase_add_test(tc, test_invalid_synthetic);
	tcase_add_test(tc, test_synthetic_bounds);
	suite_add_tcase(s, tc);

	tc = tcase_create("machine");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_this_machine);
	tcase_add_test(tc, test_placement_names);
	suite_add_tcase(s, tc);
	return s;
}
