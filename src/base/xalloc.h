/* xalloc.h — allocation wrappers.
 *
 * Parley is a server: running out of memory is not a recoverable
 * condition for a request, so these abort with a message instead of
 * returning NULL. Every allocation in Parley goes through them. */
#ifndef PARLEY_BASE_XALLOC_H
#define PARLEY_BASE_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);                 /* never NULL; caller frees */
void *xcalloc(size_t nmemb, size_t size);/* zeroed; never NULL */
void *xrealloc(void *p, size_t n);       /* never NULL */
char *xstrdup(const char *s);            /* NULL in, NULL out */
char *xstrndup(const char *s, size_t n); /* copies at most n bytes, NUL-terminates */
/* Returns a new string formatted like printf; caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
