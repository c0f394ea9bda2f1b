/* units.c - numbers for people: the scale of a column, a value in it */
#include "config.h"

#include <math.h>
#include <stdio.h>

#include "base/units.h"

struct step {
	double div;
	const char *name;
};

static const struct step rate_steps[] = {
	{ 1, "/s" }, { 1e3, "k/s" }, { 1e6, "M/s" }, { 1e9, "G/s" }, { 0, NULL },
};
static const struct step ns_steps[] = {
	{ 1, "ns" }, { 1e3, "us" }, { 1e6, "ms" }, { 1e9, "s" }, { 0, NULL },
};
static const struct step byte_steps[] = {
	{ 1, "B" }, { 1024.0, "KiB" }, { 1048576.0, "MiB" }, { 1073741824.0, "GiB" },
	{ 1099511627776.0, "TiB" }, { 0, NULL },
};

struct pt_unit_scale pt_unit_scale(enum pt_unit unit, double max)
{
	struct pt_unit_scale u = { 1, "", 0 };
	const struct step *s = NULL;
	double shown;

	max = fabs(max);
	switch (unit) {
	case PT_UNIT_COUNT:
		return u;
	case PT_UNIT_PERCENT:
		u.div = 0.01;
		u.name = "%";
		u.decimals = 1;
		return u;
	case PT_UNIT_RATIO:
		u.decimals = 2;
		return u;
	case PT_UNIT_RATE: s = rate_steps; break;
	case PT_UNIT_NS: s = ns_steps; break;
	case PT_UNIT_BYTES: s = byte_steps; break;
	}
	u.div = s[0].div;
	u.name = s[0].name;
	for (int i = 1; s[i].name && isfinite(max); i++) {
		if (max >= s[i].div) {
			u.div = s[i].div;
			u.name = s[i].name;
		}
	}
	/* three significant digits on the largest value, at most one more
	 * decimal than it needs; whole numbers of the base unit stay whole */
	shown = isfinite(max) ? max / u.div : 0;
	u.decimals = u.div == 1 && unit != PT_UNIT_RATE ? 0 : shown >= 100 ? 1 : shown >= 10 ? 2 : 3;
	if (unit == PT_UNIT_RATE && u.div == 1)
		u.decimals = shown >= 100 ? 1 : 2;
	return u;
}

void pt_unit_format(char *buf, size_t len, double v, const struct pt_unit_scale *s)
{
	if (!isfinite(v))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.*f", s->decimals, v / s->div);
}

void pt_unit_print(char *buf, size_t len, double v, enum pt_unit unit, int decimals)
{
	struct pt_unit_scale s = pt_unit_scale(unit, v);

	if (!isfinite(v))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.*f%s%s", decimals < 0 ? s.decimals : decimals, v / s.div,
			 *s.name && *s.name != '%' ? " " : "", s.name);
}
