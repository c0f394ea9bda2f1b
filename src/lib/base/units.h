/* units.h - numbers for people: one unit per column, chosen from the values shown (internal) */
#ifndef PT_UNITS_H
#define PT_UNITS_H

#include <stddef.h>

enum pt_unit {
	PT_UNIT_COUNT,    /* as is, no decimals */
	PT_UNIT_RATE,     /* per second: /s, k/s, M/s, G/s */
	PT_UNIT_NS,       /* a time in nanoseconds: ns, us, ms, s */
	PT_UNIT_BYTES,    /* B, KiB, MiB, GiB, TiB */
	PT_UNIT_PERCENT,  /* a ratio shown in % */
	PT_UNIT_RATIO,    /* a plain ratio, two decimals */
};

struct pt_unit_scale {
	double div;        /* shown value = value / div */
	const char *name;  /* e.g. "k/s"; "" for plain numbers */
	int decimals;
};

/* The scale for values of UNIT whose largest magnitude is MAX (NAN: none
 * known): the largest step MAX reaches, with three significant digits on
 * MAX; whole numbers of the base unit stay whole. */
struct pt_unit_scale pt_unit_scale(enum pt_unit unit, double max);
/* V in scale S into BUF, without the unit name; "-" when V is not finite. */
void pt_unit_format(char *buf, size_t len, double v, const struct pt_unit_scale *s);
/* V with its own scale and the unit name, e.g. "1.25 ms", "-" when not
 * finite; DECIMALS of them, or with DECIMALS < 0 the scale's three
 * significant digits. */
void pt_unit_print(char *buf, size_t len, double v, enum pt_unit unit, int decimals);

#endif
