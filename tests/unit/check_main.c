/* check_main.c - runs every unit test suite of libproftune in one Check runner */
#include "config.h"

#include <stdlib.h>

#include "check.h"

int main(void)
{
	SRunner *sr = srunner_create(suite_abi());
	int failed;

	srunner_add_suite(sr, suite_sysmon());
	srunner_add_suite(sr, suite_clock());
	srunner_add_suite(sr, suite_text());
	srunner_add_suite(sr, suite_hist());
	srunner_add_suite(sr, suite_stats());
	srunner_add_suite(sr, suite_rank());
	srunner_add_suite(sr, suite_usl());
	srunner_add_suite(sr, suite_prof());
	srunner_add_suite(sr, suite_stamps());
	srunner_add_suite(sr, suite_trace());
	srunner_add_suite(sr, suite_mrecord());
	srunner_add_suite(sr, suite_export());
	srunner_add_suite(sr, suite_sampler());
	srunner_add_suite(sr, suite_trialprof());
	srunner_add_suite(sr, suite_params());
	srunner_add_suite(sr, suite_loader());
	srunner_add_suite(sr, suite_topology());
	srunner_add_suite(sr, suite_trial());
	srunner_add_suite(sr, suite_isolate());
	srunner_add_suite(sr, suite_limits());
	srunner_add_suite(sr, suite_results());
	srunner_add_suite(sr, suite_journal());
	srunner_add_suite(sr, suite_validate());
	srunner_add_suite(sr, suite_doc());
	srunner_add_suite(sr, suite_fields());
	srunner_add_suite(sr, suite_compare());
	srunner_add_suite(sr, suite_tune());
	srunner_add_suite(sr, suite_grid());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	/* under the TAP driver each failure is already a "not ok" line */
	if (getenv("CK_TAP_LOG_FILE_NAME"))
		return EXIT_SUCCESS;
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
