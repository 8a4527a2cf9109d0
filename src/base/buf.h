/* buf.h — a growable byte buffer, always NUL-terminated.
 *
 * struct buf b = BUF_INIT; buf_puts(&b, "x"); ... buf_release(&b);
 * b.ptr is never NULL after the first append; b.len excludes the NUL. */
#ifndef PARLEY_BASE_BUF_H
#define PARLEY_BASE_BUF_H

#include <stddef.h>

struct buf {
    char  *ptr;
    size_t len;
    size_t cap;
};

#define BUF_INIT { NULL, 0, 0 }

void buf_grow(struct buf *b, size_t extra);        /* ensure room for extra bytes + NUL */
void buf_add(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_reset(struct buf *b);                     /* len = 0, keeps memory */
void buf_release(struct buf *b);                   /* frees, back to BUF_INIT */
/* Hands the string to the caller (caller frees); b is back to BUF_INIT. */
char *buf_detach(struct buf *b, size_t *len);
/* Returns b's content, "" if nothing was ever added. Borrowed. */
const char *buf_str(const struct buf *b);

#endif
