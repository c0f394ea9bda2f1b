/* svg.c - `report --plot FILE.svg`: throughput and latency against workers, self-contained SVG */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "base/json.h"
#include "base/util.h"
#include "report/svg.h"
#include "report/grid.h"
#include "report/util.h"

/* Layout in SVG user units (pixels at 100% zoom). */
#define WIDTH 960
#define HEIGHT 780
#define LEFT 90       /* room for the y tick labels and axis title */
#define RIGHT 730
/* Legends right of the panels, never over the data. */
#define LEGEND_X (RIGHT + 16)
#define LEGEND_W 200
#define TOP1 90       /* throughput panel */
#define BOTTOM1 440
#define TOP2 530      /* latency panel */
#define BOTTOM2 720
/* Points on the model curve: smooth at any size this image is shown. */
#define CURVE_POINTS 200
/* About this many ticks on an axis. */
#define TICKS 6

#define C_MEDIAN "#1f77b4"
#define C_TRIAL "#9a9a9a"
#define C_MODEL "#ff7f0e"
#define C_RECOMMENDED "#2ca02c"
#define C_OPTIMAL "#d62728"
#define C_P50 "#1f77b4"
#define C_P99 "#9467bd"

/* A linear map from data values [lo, hi] to pixels [p0, p1]. */
struct axis {
	double lo, hi, step;
	double p0, p1;
};

static double map(const struct axis *a, double v)
{
	return a->p0 + (v - a->lo) / (a->hi - a->lo) * (a->p1 - a->p0);
}

/* A round step (1, 2 or 5 times a power of ten) giving about TICKS ticks
 * from 0 to MAX, and the axis end: the first tick at or above MAX. */
static void nice_axis(struct axis *a, double max, double p0, double p1, int integer)
{
	double raw, mag, norm;

	if (!(max > 0) || !isfinite(max))
		max = 1;
	raw = max / TICKS;
	mag = pow(10, floor(log10(raw)));
	norm = raw / mag;
	a->step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
	if (integer && a->step < 1)
		a->step = 1;
	a->lo = 0;
	a->hi = ceil(max / a->step - 1e-9) * a->step;
	if (a->hi <= 0)
		a->hi = a->step;
	a->p0 = p0;
	a->p1 = p1;
}

/* Tick label of V in unit U, with as many decimals as the step needs. */
static void tick_label(char *buf, size_t len, double v, double step, const struct pt_unit_scale *u)
{
	double s = step / u->div;
	int dec = s >= 1 ? 0 : s >= 0.1 ? 1 : s >= 0.01 ? 2 : 3;

	snprintf(buf, len, "%.*f", dec, v / u->div);
}

static void text(FILE *f, double x, double y, const char *anchor, const char *cls, const char *s)
{
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" class=\"%s\">", x, y, anchor, cls);
	xml_escape(f, s);
	fputs("</text>\n", f);
}

/* Grid lines, ticks and labels of a panel with x axis X and y axis Y. */
static void frame(FILE *f, const struct axis *x, const struct axis *y, const struct pt_unit_scale *yu,
		  const char *ytitle)
{
	char buf[64];

	for (double v = y->lo; v <= y->hi + y->step / 2; v += y->step) {
		double py = map(y, v);

		fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"grid\"/>\n",
			LEFT, py, RIGHT, py);
		tick_label(buf, sizeof(buf), v, y->step, yu);
		text(f, LEFT - 8, py + 4, "end", "tick", buf);
	}
	for (double v = x->lo; v <= x->hi + x->step / 2; v += x->step) {
		double px = map(x, v);

		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"axis\"/>\n",
			px, y->p0, px, y->p0 + 5);
		snprintf(buf, sizeof(buf), "%g", v);
		text(f, px, y->p0 + 19, "middle", "tick", buf);
	}
	fprintf(f, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" class=\"frame\"/>\n",
		LEFT, y->p1, RIGHT - LEFT, y->p0 - y->p1);
	text(f, (LEFT + RIGHT) / 2.0, y->p0 + 40, "middle", "label", "workers");
	fprintf(f, "<text transform=\"translate(%d %.1f) rotate(-90)\" text-anchor=\"middle\" "
		"class=\"label\">", LEFT - 62, (y->p0 + y->p1) / 2);
	xml_escape(f, ytitle);
	fputs("</text>\n", f);
}

/* A legend entry at row I of the legend box whose top is at Y. */
static void legend(FILE *f, double y, int i, const char *colour, const char *shape,
		   const char *label)
{
	double ly = y + 18 + 18 * i, lx = LEGEND_X + 8;

	if (strcmp(shape, "line") == 0)
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
			"stroke-width=\"2.5\"/>\n", lx, ly - 4, lx + 24, ly - 4, colour);
	else if (strcmp(shape, "dash") == 0)
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
			"stroke-width=\"2\" stroke-dasharray=\"6 4\"/>\n", lx, ly - 4, lx + 24,
			ly - 4, colour);
	else if (strcmp(shape, "whisker") == 0)
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
			"stroke-width=\"1.5\"/><circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>\n",
			lx + 12, ly - 11, lx + 12, ly + 3, colour, lx + 12, ly - 4, colour);
	else
		fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n", lx + 12, ly - 4,
			colour);
	text(f, lx + 32, ly, "start", "legend", label);
}

/* A vertical marker line at WORKERS with its label. */
static void marker(FILE *f, const struct axis *x, const struct axis *y, double workers,
		   const char *colour, const char *label, int row)
{
	double px = map(x, workers);

	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
		"stroke-width=\"2\" stroke-dasharray=\"6 4\"/>\n", px, y->p0, px, y->p1, colour);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" class=\"marker\" fill=\"%s\">",
		px + (px > (LEFT + RIGHT) / 2.0 ? -5 : 5), y->p1 + 16 + 16 * row,
		px > (LEFT + RIGHT) / 2.0 ? "end" : "start", colour);
	xml_escape(f, label);
	fputs("</text>\n", f);
}

static void throughput_panel(FILE *f, const struct report_doc *d, const struct axis *x)
{
	const struct pt_doc_count *c = d->counts;
	struct pt_usl_model m;
	struct pt_tune_answer a;
	int model = pt_doc_model(d->doc, &m) == 0, answer = pt_doc_tune_answer(d->doc, &a) == 0;
	double max = 0;
	struct axis y;
	struct pt_unit_scale u;
	const cJSON *t;
	char title[64], buf[96];
	int ci = d->ncounts > 0 && c[0].interval_is_ci, row = 0;

	for (size_t i = 0; i < d->ncounts; i++)
		max = fmax(max, fmax(isfinite(c[i].high) ? c[i].high : 0,
				     isfinite(c[i].throughput) ? c[i].throughput : 0));
	cJSON_ArrayForEach(t, robj(d->tree, "trials"))
		if (strcmp(pt_json_str(t, "status"), "ok") == 0 && isfinite(pt_json_num(t, "throughput")))
			max = fmax(max, pt_json_num(t, "throughput"));
	if (model)
		for (int i = 0; i <= CURVE_POINTS; i++)
			max = fmax(max, pt_usl_predict(&m, 1 + (x->hi - 1) * i / CURVE_POINTS));
	/* 5% headroom: the highest whisker never touches the frame */
	nice_axis(&y, max * 1.05, BOTTOM1, TOP1, 0);
	u = pt_unit_scale(PT_UNIT_RATE, y.hi);
	snprintf(title, sizeof(title), "throughput (items %s)", u.name);
	frame(f, x, &y, &u, title);
	fprintf(f, "<g clip-path=\"url(#panel1)\">\n");
	/* every ok trial, then the median with its interval */
	cJSON_ArrayForEach(t, robj(d->tree, "trials"))
		if (strcmp(pt_json_str(t, "status"), "ok") == 0 && isfinite(pt_json_num(t, "throughput")))
			fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\" "
				"fill-opacity=\"0.7\"/>\n", map(x, pt_json_num(t, "workers")),
				map(&y, pt_json_num(t, "throughput")), C_TRIAL);
	if (model) {
		fprintf(f, "<polyline class=\"model\" fill=\"none\" stroke=\"%s\" stroke-width=\"2.5\" "
			"points=\"", C_MODEL);
		for (int i = 0; i <= CURVE_POINTS; i++) {
			double w = 1 + (x->hi - 1) * i / CURVE_POINTS;

			fprintf(f, "%s%.1f,%.1f", i ? " " : "", map(x, w), map(&y, pt_usl_predict(&m, w)));
		}
		fputs("\"/>\n", f);
	}
	for (size_t i = 0; i < d->ncounts; i++) {
		double px = map(x, c[i].workers);

		if (isfinite(c[i].low) && isfinite(c[i].high))
			fprintf(f, "<path d=\"M%.1f %.1fV%.1fM%.1f %.1fH%.1fM%.1f %.1fH%.1f\" "
				"stroke=\"%s\" stroke-width=\"1.5\" fill=\"none\"/>\n", px,
				map(&y, c[i].low), map(&y, c[i].high), px - 5, map(&y, c[i].low), px + 5,
				px - 5, map(&y, c[i].high), px + 5, C_MEDIAN);
		if (isfinite(c[i].throughput))
			fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4.5\" fill=\"%s\"/>\n", px,
				map(&y, c[i].throughput), C_MEDIAN);
	}
	fputs("</g>\n", f);
	if (answer && a.recommended_workers == a.optimal_workers) {
		snprintf(buf, sizeof(buf), "recommended = optimal: %u", a.optimal_workers);
		marker(f, x, &y, a.optimal_workers, C_RECOMMENDED, buf, 0);
	} else if (answer) {
		snprintf(buf, sizeof(buf), "recommended: %u", a.recommended_workers);
		marker(f, x, &y, a.recommended_workers, C_RECOMMENDED, buf, 0);
		snprintf(buf, sizeof(buf), "optimal: %u", a.optimal_workers);
		marker(f, x, &y, a.optimal_workers, C_OPTIMAL, buf, 1);
	}
	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" class=\"legendbox\"/>\n",
		LEGEND_X, TOP1, LEGEND_W, 12 + 18 * (2 + model + (answer ? 1 : 0) +
		(answer && a.recommended_workers != a.optimal_workers)));
	legend(f, TOP1, row++, C_MEDIAN, "whisker", ci ? "median, 95% CI" : "median, min-max");
	legend(f, TOP1, row++, C_TRIAL, "dot", "trials");
	if (model) {
		snprintf(buf, sizeof(buf), "USL model (R2 %.2f)", m.r2);
		legend(f, TOP1, row++, C_MODEL, "line", buf);
	}
	if (answer && a.recommended_workers == a.optimal_workers) {
		legend(f, TOP1, row++, C_RECOMMENDED, "dash", "recommended = optimal");
	} else if (answer) {
		legend(f, TOP1, row++, C_RECOMMENDED, "dash", "recommended");
		legend(f, TOP1, row++, C_OPTIMAL, "dash", "optimal");
	}
}

/* A line with markers through the counts' values V (NAN: no point). */
static void series(FILE *f, const struct axis *x, const struct axis *y, const struct report_doc *d,
		   int p99, const char *colour)
{
	int first = 1;

	fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", colour);
	for (size_t i = 0; i < d->ncounts; i++) {
		double v = p99 ? d->counts[i].p99_ns : d->counts[i].p50_ns;

		if (!isfinite(v))
			continue;
		fprintf(f, "%s%.1f,%.1f", first ? "" : " ", map(x, d->counts[i].workers), map(y, v));
		first = 0;
	}
	fputs("\"/>\n", f);
	for (size_t i = 0; i < d->ncounts; i++) {
		double v = p99 ? d->counts[i].p99_ns : d->counts[i].p50_ns;
		double px = map(x, d->counts[i].workers), py = map(y, v);

		if (!isfinite(v))
			continue;
		if (p99)
			fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"7\" height=\"7\" fill=\"%s\"/>\n",
				px - 3.5, py - 3.5, colour);
		else
			fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"/>\n", px, py,
				colour);
	}
}

static void latency_panel(FILE *f, const struct report_doc *d, const struct axis *x)
{
	double max = 0;
	struct axis y;
	struct pt_unit_scale u;
	char title[64];

	for (size_t i = 0; i < d->ncounts; i++)
		if (isfinite(d->counts[i].p99_ns))
			max = fmax(max, fmax(d->counts[i].p99_ns, d->counts[i].p50_ns));
	nice_axis(&y, max * 1.05, BOTTOM2, TOP2, 0);
	u = pt_unit_scale(PT_UNIT_NS, y.hi);
	snprintf(title, sizeof(title), "latency per item (%s)", u.name);
	frame(f, x, &y, &u, title);
	if (!(max > 0)) {
		text(f, (LEFT + RIGHT) / 2.0, (TOP2 + BOTTOM2) / 2.0, "middle", "label",
		     "latency was not recorded (--no-latency)");
		return;
	}
	fprintf(f, "<g clip-path=\"url(#panel2)\">\n");
	series(f, x, &y, d, 0, C_P50);
	series(f, x, &y, d, 1, C_P99);
	fputs("</g>\n", f);
	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"48\" class=\"legendbox\"/>\n",
		LEGEND_X, TOP2, LEGEND_W);
	legend(f, TOP2, 0, C_P50, "line", "p50 (median of trials)");
	legend(f, TOP2, 1, C_P99, "line", "p99 (median of trials)");
}

int report_svg(FILE *f, const struct report *r)
{
	const struct report_doc *d = &r->docs[0];
	unsigned maxw = 1;
	struct axis x;
	char buf[300];

	for (size_t i = 0; i < d->ncounts; i++)
		if (d->counts[i].workers > maxw)
			maxw = d->counts[i].workers;
	/* one step of room right of the largest count */
	nice_axis(&x, maxw, LEFT, RIGHT, 1);
	if (x.hi < maxw + x.step / 2)
		x.hi += x.step;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Arial, Helvetica, sans-serif\">\n",
		WIDTH, HEIGHT, WIDTH, HEIGHT);
	fputs("<title>", f);
	snprintf(buf, sizeof(buf), "proftune %s of %s: throughput and latency against workers",
		 pt_json_str(d->tree, "command"), pt_json_str(robj(d->tree, "task"), "name"));
	xml_escape(f, buf);
	fputs("</title>\n<style>\n"
	      ".grid { stroke: #e4e4e4; stroke-width: 1; }\n"
	      ".axis { stroke: #444; stroke-width: 1; }\n"
	      ".frame { fill: none; stroke: #444; stroke-width: 1; }\n"
	      ".tick { font-size: 12px; fill: #333; }\n"
	      ".label { font-size: 14px; fill: #222; }\n"
	      ".title { font-size: 18px; font-weight: bold; fill: #111; }\n"
	      ".subtitle { font-size: 13px; fill: #555; }\n"
	      ".legend { font-size: 12px; fill: #222; }\n"
	      ".legendbox { fill: #fff; fill-opacity: 0.85; stroke: #bbb; }\n"
	      ".marker { font-size: 13px; font-weight: bold; }\n"
	      "</style>\n", f);
	fprintf(f, "<defs><clipPath id=\"panel1\"><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>"
		"</clipPath><clipPath id=\"panel2\"><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>"
		"</clipPath></defs>\n", LEFT, TOP1, RIGHT - LEFT, BOTTOM1 - TOP1, LEFT, TOP2,
		RIGHT - LEFT, BOTTOM2 - TOP2);
	fprintf(f, "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", WIDTH, HEIGHT);
	text(f, LEFT, 34, "start", "title", buf);
	snprintf(buf, sizeof(buf), "%s: %d trials on %s (%s), %s", d->file,
		 cJSON_GetArraySize(robj(d->tree, "trials")),
		 pt_json_str(robj(d->tree, "host"), "hostname"),
		 *pt_json_str(robj(d->tree, "host"), "cpu_model") ?
		 pt_json_str(robj(d->tree, "host"), "cpu_model") : "unknown CPU",
		 pt_json_str(d->tree, "created"));
	text(f, LEFT, 56, "start", "subtitle", buf);
	throughput_panel(f, d, &x);
	latency_panel(f, d, &x);
	fputs("</svg>\n", f);
	return 0;
}
