/* csv.h — a streaming RFC 4180 reader (quotes, "" escapes, CRLF or LF,
 * newlines inside quoted fields), with the line number of each record
 * so that errors can name it.
 *
 *   struct csv *c = csv_open(fp, ',');
 *   while ((rc = csv_next(c)) > 0) { csv_nfields(c); csv_field(c, i); }
 *   if (rc < 0) ... csv_error(c) ...
 *   csv_close(c);
 */
#ifndef PARLEY_BASE_CSV_H
#define PARLEY_BASE_CSV_H

#include <stddef.h>
#include <stdio.h>

struct csv;

/* fp is borrowed; delim is ',' or '\t' (or any single byte). */
struct csv *csv_open(FILE *fp, char delim);
void csv_close(struct csv *c);

/* Reads the next record. Returns 1 on a record, 0 at end of input, or a
 * negative PL_E* code (PL_EPARSE: unterminated quote, PL_EUTF8: invalid
 * UTF-8, PL_ETOOBIG: a record over the limit); csv_error() explains. */
int csv_next(struct csv *c);
size_t csv_nfields(const struct csv *c);
/* Field i of the current record, NUL-terminated; borrowed until csv_next(). */
const char *csv_field(const struct csv *c, size_t i);
size_t csv_field_len(const struct csv *c, size_t i);
/* Line (1-based) on which the current record starts. */
long csv_line(const struct csv *c);
const char *csv_error(const struct csv *c);
/* Index of the column named name in the current record, or -1. Use it on
 * the header row. */
int csv_find(const struct csv *c, const char *name);

#endif
