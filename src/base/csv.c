/* csv.c — streaming CSV reader. Fields of a record live in one buffer,
 * separated by NULs; offsets index them. */
#include "base/csv.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/utf8.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define CSV_MAX_RECORD (16u << 20)

struct csv {
    FILE *fp;
    char delim;
    struct buf data;
    size_t *off;
    size_t nf, capf;
    long line;      /* physical line the reader is on */
    long rec_line;  /* line the current record started on */
    int started;
    char err[160];
};

struct csv *csv_open(FILE *fp, char delim)
{
    struct csv *c = xcalloc(1, sizeof *c);
    c->fp = fp;
    c->delim = delim;
    c->line = 1;
    return c;
}

void csv_close(struct csv *c)
{
    if (!c)
        return;
    buf_release(&c->data);
    free(c->off);
    free(c);
}

static void end_field(struct csv *c, size_t start)
{
    if (c->nf == c->capf) {
        c->capf = c->capf ? c->capf * 2 : 16;
        c->off = xrealloc(c->off, c->capf * sizeof *c->off);
    }
    c->off[c->nf++] = start;
    buf_putc(&c->data, '\0');
}

int csv_next(struct csv *c)
{
    buf_reset(&c->data);
    c->nf = 0;
    c->rec_line = c->line;
    int ch = getc(c->fp);
    if (ch == EOF)
        return 0;
    int first = !c->started;
    c->started = 1;
    /* Skip a UTF-8 BOM at the very start. */
    if (first && ch == 0xEF) {
        int b2 = getc(c->fp), b3 = getc(c->fp);
        if (b2 == 0xBB && b3 == 0xBF)
            ch = getc(c->fp);
        else {
            snprintf(c->err, sizeof c->err, "line %ld: invalid UTF-8", c->rec_line);
            return PL_EUTF8;
        }
        if (ch == EOF)
            return 0;
    }
    size_t start = 0;
    int quoted = 0, was_quoted = 0;
    for (;; ch = getc(c->fp)) {
        if (c->data.len > CSV_MAX_RECORD) {
            snprintf(c->err, sizeof c->err, "line %ld: record longer than %u bytes",
                     c->rec_line, CSV_MAX_RECORD);
            return PL_ETOOBIG;
        }
        if (quoted) {
            if (ch == EOF) {
                snprintf(c->err, sizeof c->err, "line %ld: unterminated quoted field",
                         c->rec_line);
                return PL_EPARSE;
            }
            if (ch == '"') {
                int nx = getc(c->fp);
                if (nx == '"') {
                    buf_putc(&c->data, '"');
                    continue;
                }
                quoted = 0;
                ungetc(nx, c->fp);
                continue;
            }
            if (ch == '\n')
                c->line++;
            buf_putc(&c->data, (char)ch);
            continue;
        }
        if (ch == '"' && c->data.len == start && !was_quoted) {
            quoted = was_quoted = 1;
            continue;
        }
        if (ch == c->delim) {
            end_field(c, start);
            start = c->data.len;
            was_quoted = 0;
            continue;
        }
        if (ch == '\r') {
            int nx = getc(c->fp);
            if (nx != '\n')
                ungetc(nx, c->fp);
            ch = '\n';
        }
        if (ch == '\n' || ch == EOF) {
            if (ch == '\n')
                c->line++;
            end_field(c, start);
            break;
        }
        buf_putc(&c->data, (char)ch);
    }
    for (size_t i = 0; i < c->nf; i++) {
        const char *f = c->data.ptr + c->off[i];
        size_t n = strlen(f);
        if (!utf8_valid(f, n)) {
            snprintf(c->err, sizeof c->err, "line %ld: field %zu is not valid UTF-8",
                     c->rec_line, i + 1);
            return PL_EUTF8;
        }
    }
    return 1;
}

size_t csv_nfields(const struct csv *c)
{
    return c->nf;
}

const char *csv_field(const struct csv *c, size_t i)
{
    return i < c->nf ? c->data.ptr + c->off[i] : "";
}

size_t csv_field_len(const struct csv *c, size_t i)
{
    if (i >= c->nf)
        return 0;
    size_t end = i + 1 < c->nf ? c->off[i + 1] - 1 : c->data.len - 1;
    return end - c->off[i];
}

long csv_line(const struct csv *c)
{
    return c->rec_line;
}

const char *csv_error(const struct csv *c)
{
    return c->err;
}

int csv_find(const struct csv *c, const char *name)
{
    for (size_t i = 0; i < c->nf; i++)
        if (strcmp(csv_field(c, i), name) == 0)
            return (int)i;
    return -1;
}
