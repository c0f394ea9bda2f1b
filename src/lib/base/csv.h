/* csv.h - RFC 4180 fields, written the same way by every CSV that proftune writes (internal) */
#ifndef PT_CSV_H
#define PT_CSV_H

#include "base/strbuf.h"

/* Records end with CRLF, as RFC 4180 says and as Python's csv module
 * writes them (the block and measurement CSVs match files it wrote). */
#define PT_CSV_EOL "\r\n"

/* Append S ("" for NULL) to B as one field: quoted, with quotes doubled,
 * when it holds a comma, quote, CR or LF. */
void pt_csv_field(struct pt_strbuf *b, const char *s);
/* Append V in its shortest form that reads back as the same double (as the
 * JSON writer prints it, so CSV and JSON agree to the last digit); nothing
 * when V is not finite: an empty field is "not measured". */
void pt_csv_number(struct pt_strbuf *b, double v);

#endif
