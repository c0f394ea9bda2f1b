/* grid.c - text tables that fit their width, and prose wrapped to it */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "report/grid.h"
#include "report/util.h"

struct cell {
	char *text;
	const char *colour;
};

struct grid {
	size_t ncols, nrows, cap;
	char **title;
	int *right;
	int *priority;
	struct cell *cells; /* nrows x ncols */
};

/* Columns between two table columns. */
#define GAP 2

struct grid *grid_new(size_t ncols)
{
	struct grid *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	g->ncols = ncols;
	g->title = calloc(ncols, sizeof(*g->title));
	g->right = calloc(ncols, sizeof(*g->right));
	g->priority = calloc(ncols, sizeof(*g->priority));
	if (!g->title || !g->right || !g->priority) {
		grid_free(g);
		return NULL;
	}
	return g;
}

void grid_free(struct grid *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->nrows * g->ncols; i++)
		free(g->cells[i].text);
	for (size_t i = 0; g->title && i < g->ncols; i++)
		free(g->title[i]);
	free(g->cells);
	free(g->title);
	free(g->right);
	free(g->priority);
	free(g);
}

/* A copy of S (malloc'd) safe to print: no control characters, valid
 * UTF-8; a cell keeps its columns whatever text it is given. */
static char *shown(const char *s)
{
	struct pt_strbuf b = PT_STRBUF_INIT;

	pt_strbuf_add_text(&b, s, strlen(s), PT_TEXT_SHOWN);
	return pt_strbuf_finish(&b);
}

void grid_head(struct grid *g, size_t col, const char *title, int right, int priority)
{
	if (col >= g->ncols)
		return;
	free(g->title[col]);
	g->title[col] = shown(title);
	g->right[col] = right;
	g->priority[col] = priority;
}

size_t grid_row(struct grid *g)
{
	if (g->nrows == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 16;
		struct cell *c = realloc(g->cells, cap * g->ncols * sizeof(*c));

		if (!c)
			return (size_t)-1;
		g->cells = c;
		g->cap = cap;
	}
	memset(&g->cells[g->nrows * g->ncols], 0, g->ncols * sizeof(*g->cells));
	return g->nrows++;
}

void grid_set(struct grid *g, size_t row, size_t col, const char *text, const char *colour)
{
	struct cell *c;

	if (row >= g->nrows || col >= g->ncols)
		return;
	c = &g->cells[row * g->ncols + col];
	free(c->text);
	c->text = shown(text ? text : "");
	c->colour = colour;
}

void grid_numbers(struct grid *g, size_t col, const char *title, enum pt_unit unit,
		  int priority, const double *v, size_t n)
{
	double max = NAN;
	struct pt_unit_scale u;
	char buf[64];

	for (size_t i = 0; i < n; i++)
		if (isfinite(v[i]) && (isnan(max) || fabs(v[i]) > max))
			max = fabs(v[i]);
	u = pt_unit_scale(unit, max);
	if (*u.name)
		snprintf(buf, sizeof(buf), "%s (%s)", title, u.name);
	else
		snprintf(buf, sizeof(buf), "%s", title);
	grid_head(g, col, buf, 1, priority);
	for (size_t i = 0; i < n && i < g->nrows; i++) {
		pt_unit_format(buf, sizeof(buf), v[i], &u);
		grid_set(g, i, col, buf, NULL);
	}
}

void grid_field(struct grid *g, size_t col, const struct pt_field *f, const double *v,
		size_t n)
{
	double *x = malloc((n + 1) * sizeof(*x));

	if (!x)
		return;
	for (size_t i = 0; i < n; i++)
		x[i] = v[i] * f->scale;
	grid_numbers(g, col, f->title, f->unit, f->priority, x, n);
	free(x);
}

static const char *cell_text(const struct grid *g, size_t r, size_t c)
{
	const char *t = g->cells[r * g->ncols + c].text;

	return t ? t : "";
}

/* Display width of UTF-8 text: two columns for a wide (CJK) character,
 * none for a combining mark, one for the others. */
static size_t text_width(const char *s)
{
	return pt_utf8_width(s, strlen(s));
}

size_t grid_print(FILE *f, const struct grid *g, const char *indent, int colour,
		  unsigned width)
{
	size_t *w = calloc(g->ncols, sizeof(*w)), total, dropped = 0, last = 0;
	char *keep = calloc(g->ncols, 1);

	if (!w || !keep) {
		free(w);
		free(keep);
		return 0;
	}
	for (size_t c = 0; c < g->ncols; c++) {
		/* a column never given a title is left out */
		keep[c] = g->title[c] != NULL;
		w[c] = g->title[c] ? text_width(g->title[c]) : 0;
		for (size_t r = 0; r < g->nrows; r++)
			if (text_width(cell_text(g, r, c)) > w[c])
				w[c] = text_width(cell_text(g, r, c));
	}
	/* drop the least important columns (the highest priority number, the
	 * rightmost of equals) until the lines fit; the first column stays */
	for (;;) {
		size_t worst = 0;

		total = text_width(indent);
		for (size_t c = 0, k = 0; c < g->ncols; c++)
			if (keep[c])
				total += (k++ ? GAP : 0) + w[c];
		if (!width || total <= width)
			break;
		for (size_t c = 1; c < g->ncols; c++)
			if (keep[c] && (!worst || g->priority[c] >= g->priority[worst]))
				worst = c;
		if (!worst)
			break;
		keep[worst] = 0;
		dropped++;
	}
	for (size_t c = 0; c < g->ncols; c++)
		if (keep[c])
			last = c;
	/* the title line, then the rows; no padding after the last column:
	 * lines carry no trailing blanks */
	for (size_t r = 0; r <= g->nrows; r++) {
		fputs(indent, f);
		for (size_t c = 0, k = 0; c < g->ncols; c++) {
			const struct cell *cell = r ? &g->cells[(r - 1) * g->ncols + c] : NULL;
			const char *t = r ? cell_text(g, r - 1, c) : g->title[c] ? g->title[c] : "";
			int pad = (int)(w[c] - text_width(t));

			if (!keep[c])
				continue;
			if (k++)
				fprintf(f, "%*s", GAP, "");
			if (g->right[c])
				fprintf(f, "%*s", pad, "");
			if (colour && cell && cell->colour && *t)
				fprintf(f, "\033[%sm%s\033[0m", cell->colour, t);
			else
				fputs(t, f);
			if (!g->right[c] && c != last)
				fprintf(f, "%*s", pad, "");
		}
		fputc('\n', f);
	}
	free(w);
	free(keep);
	return dropped;
}

void grid_markdown(FILE *f, const struct grid *g)
{
	/* as grid_print, a column never given a title is left out */
	fputc('|', f);
	for (size_t c = 0; c < g->ncols; c++) {
		if (!g->title[c])
			continue;
		fputc(' ', f);
		md_escape(f, g->title[c]);
		fputs(" |", f);
	}
	fputs("\n|", f);
	for (size_t c = 0; c < g->ncols; c++)
		if (g->title[c])
			fputs(g->right[c] ? "---:|" : ":---|", f);
	fputc('\n', f);
	for (size_t r = 0; r < g->nrows; r++) {
		fputc('|', f);
		for (size_t c = 0; c < g->ncols; c++) {
			if (!g->title[c])
				continue;
			fputc(' ', f);
			md_escape(f, cell_text(g, r, c));
			fputs(" |", f);
		}
		fputc('\n', f);
	}
}

/* Write the N bytes of WORD at column *COL, breaking it (between UTF-8
 * characters) onto lines of INDENT when it reaches WIDTH. */
static void put_word(FILE *f, const char *word, size_t n, size_t *col, const char *indent,
		     size_t ind, unsigned width)
{
	for (size_t i = 0; i < n;) {
		size_t len = 1, cw;

		while (i + len < n && ((unsigned char)word[i + len] & 0xc0) == 0x80)
			len++;
		/* a wide character takes two columns, a combining mark none:
		 * it stays with the character before it */
		cw = pt_utf8_width(word + i, len);
		if (*col + cw > width && *col > ind) {
			fputc('\n', f);
			fputs(indent, f);
			*col = ind;
		}
		fwrite(word + i, 1, len, f);
		*col += cw;
		i += len;
	}
}

void text_wrap(FILE *f, const char *text, unsigned start, const char *indent, unsigned width)
{
	size_t col = start, ind = text_width(indent), gap = 0;
	const char *p = text;
	int first = 1;   /* the next word is the text's first */
	int empty = 1;   /* the line holds no word yet */

	if (!width) {
		fputs(text, f);
		fputc('\n', f);
		return;
	}
	/* leading blanks are the text's own indent */
	while (*p == ' ') {
		fputc(' ', f);
		col++;
		p++;
	}
	while (*p) {
		size_t word = strcspn(p, " "), ww;
		char *tmp = strndup(p, word);

		ww = tmp ? text_width(tmp) : word;
		free(tmp);
		/* a word that does not fit goes to the next line, unless the
		 * line holds nothing yet; blanks between words that stay on a
		 * line are kept; a word longer than a whole line is broken */
		if (col + gap + ww > width && (!empty || (start > ind && ind + ww <= width))) {
			fputc('\n', f);
			fputs(indent, f);
			col = ind;
			empty = 1;
		} else if (!first) {
			fprintf(f, "%*s", (int)gap, "");
			col += gap;
		}
		put_word(f, p, word, &col, indent, ind, width);
		first = empty = 0;
		p += word;
		for (gap = 0; *p == ' '; p++)
			gap++;
	}
	fputc('\n', f);
}
