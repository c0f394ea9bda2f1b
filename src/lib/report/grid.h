/* grid.h - text tables that fit their width, and prose wrapped to it (internal) */
#ifndef PT_REPORT_GRID_H
#define PT_REPORT_GRID_H

#include <stddef.h>
#include <stdio.h>

#include "base/units.h"
#include "doc/fields.h"

/* A text table: cells are copied; widths computed on the text, colour
 * codes added around cells only when printing with colour.  Each column
 * has a priority (1 the most important): a table too wide for its lines
 * drops the columns of the highest priority number first. */
struct grid;
struct grid *grid_new(size_t ncols);
void grid_free(struct grid *g);
/* Column COL's title, alignment (RIGHT = 1 for numbers) and priority. */
void grid_head(struct grid *g, size_t col, const char *title, int right, int priority);
/* Append a row; its index, or (size_t)-1 on ENOMEM. */
size_t grid_row(struct grid *g);
/* Set a cell's text and optional colour (an ANSI SGR code like "31"). */
void grid_set(struct grid *g, size_t row, size_t col, const char *text, const char *colour);
/* Fill column COL with values V[0..n-1] (one per row, rows must exist) in
 * a unit chosen for the column from its largest value; the title gets the
 * unit, e.g. "p99 (us)". */
void grid_numbers(struct grid *g, size_t col, const char *title, enum pt_unit unit,
		  int priority, const double *v, size_t n);
/* A column of field F's values V (as documents have them): its title, unit,
 * scale and priority from the field table. */
void grid_field(struct grid *g, size_t col, const struct pt_field *f, const double *v,
		size_t n);
/* Print with INDENT before each line, within WIDTH columns (0: all columns);
 * COLOUR enables the cells' colours.  Returns how many columns were left
 * out for the width. */
size_t grid_print(FILE *f, const struct grid *g, const char *indent, int colour,
		  unsigned width);
/* Print as a Markdown table (cells escaped). */
void grid_markdown(FILE *f, const struct grid *g);

/* Print TEXT as lines of at most WIDTH columns (0: one line), breaking at
 * spaces; continuation lines start with INDENT.  The first line starts
 * where the caller left the cursor, at column START. */
void text_wrap(FILE *f, const char *text, unsigned start, const char *indent, unsigned width);

#endif
