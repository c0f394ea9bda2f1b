/* params.h - task parameter helpers shared with the trial engine (internal) */
#ifndef PT_PARAMS_H
#define PT_PARAMS_H

#include <sys/types.h>

#include "proftune.h"

/* Index of KEY in P, or -1. */
ssize_t pt_params_find(const pt_params *p, const char *key);
/* Parse an integer (decimal, 0x hex, 0 octal; optional k/M/G decimal
 * multiplier) or a double (strtod syntax).  0, or -EINVAL / -ERANGE. */
int pt_parse_int(const char *s, long long *out);
int pt_parse_double(const char *s, double *out);

#endif
