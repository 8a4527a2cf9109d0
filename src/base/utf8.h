/* utf8.h — UTF-8 validation (RFC 3629: no overlongs, no surrogates,
 * nothing above U+10FFFF). Every string from outside passes through it. */
#ifndef PARLEY_BASE_UTF8_H
#define PARLEY_BASE_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Returns true if s[0..n) is valid UTF-8 without NUL bytes. */
bool utf8_valid(const char *s, size_t n);
/* Returns the byte offset of the first invalid sequence, or n if valid. */
size_t utf8_invalid_at(const char *s, size_t n);

#endif
