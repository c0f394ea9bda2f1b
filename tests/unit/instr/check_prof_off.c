/* check_prof_off.c - the instrumentation macros compiled out with PT_NO_INSTRUMENTATION */
#define PT_NO_INSTRUMENTATION
#include "config.h"

#include "proftune.h"

/* Runs every macro on P once and returns what PT_PROF_CALL yields: with the
 * macros compiled out nothing may reach P. */
int check_prof_off_run(pt_prof *p);

static int answer(void)
{
	return 42;
}

int check_prof_off_run(pt_prof *p)
{
	int rc;

	PT_BLOCK(p, 0, "off block");
	PT_FUNCTION_BLOCK(p, 0);
	PT_COUNTER_ADD(p, "off counter", 1);
	rc = PT_PROF_CALL(p, 0, "off call", answer());
	return rc;
}
