/* search.c — what both backends share for the knowledge base, ticket
 * search and chats: clearers, and turning a user's words into a safe
 * full-text query (never user syntax passed through). */
#include "store/search_internal.h"
#include "base/buf.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

void kb_article_clear(struct kb_article *a)
{
    if (!a)
        return;
    free(a->language);
    free(a->title);
    free(a->category);
    free(a->body);
    memset(a, 0, sizeof *a);
}

void canned_response_clear(struct canned_response *c)
{
    if (!c)
        return;
    free(c->language);
    free(c->title);
    free(c->body);
    free(c->emotion);
    free(c->category);
    memset(c, 0, sizeof *c);
}

void store_free_canned(struct canned_response *v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        canned_response_clear(&v[i]);
    free(v);
}

void chat_clear(struct chat *c)
{
    if (!c)
        return;
    free(c->token_hash);
    free(c->language);
    memset(c, 0, sizeof *c);
}

void store_free_kb_articles(struct kb_article *v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        kb_article_clear(&v[i]);
    free(v);
}

void store_free_search_hits(struct search_hit *v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i].snippet);
    free(v);
}

static int word_byte(unsigned char c)
{
    return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* UTF-8 code points in s[0..n). */
static size_t cps(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            k++;
    return k;
}

/* Byte length of the first k code points of s[0..n). */
static size_t cp_prefix(const char *s, size_t n, size_t k)
{
    size_t i = 0, seen = 0;
    while (i < n) {
        if (((unsigned char)s[i] & 0xC0) != 0x80) {
            if (seen == k)
                break;
            seen++;
        }
        i++;
    }
    return i;
}

char *store__query_words(const char *q, int style, int any)
{
    struct buf b = BUF_INIT;
    size_t nwords = 0;
    const char *p = q ? q : "";
    while (*p && nwords < STORE_QUERY_MAX_WORDS) {
        while (*p && !word_byte((unsigned char)*p))
            p++;
        const char *w = p;
        while (*p && word_byte((unsigned char)*p))
            p++;
        size_t n = (size_t)(p - w);
        if (!n)
            continue;
        if (n > 64)
            n = cp_prefix(w, n, 32);
        if (nwords)
            buf_puts(&b, style == STORE_Q_FTS5 ? (any ? " OR " : " AND ") : (any ? " | " : " & "));
        if (style == STORE_Q_FTS5) {
            /* No Russian stemmer in FTS5: words of 5+ letters match by
             * prefix with the last two letters dropped (a light stem:
             * "возврата" -> "возвр"*, "refunds" -> "refun"*). */
            size_t k = cps(w, n);
            size_t keep = n;
            int prefix = 0;
            if (k >= 5) {
                keep = cp_prefix(w, n, k - 2 < 4 ? 4 : k - 2);
                prefix = 1;
            }
            buf_putc(&b, '"');
            buf_add(&b, w, keep);
            buf_putc(&b, '"');
            if (prefix)
                buf_putc(&b, '*');
        } else {
            /* to_tsquery: the config stems each word; quote as a lexeme. */
            buf_putc(&b, '\'');
            buf_add(&b, w, n);
            buf_putc(&b, '\'');
        }
        nwords++;
    }
    if (!nwords) {
        buf_release(&b);
        return NULL;
    }
    return buf_detach(&b, NULL);
}

void store__hits_add(struct search_hit **v, size_t *n, size_t *cap, int64_t ticket_id,
                     const char *snippet, double score)
{
    for (size_t i = 0; i < *n; i++) {
        if ((*v)[i].ticket_id == ticket_id) {
            if (score > (*v)[i].score)
                (*v)[i].score = score;
            if (!(*v)[i].snippet && snippet)
                (*v)[i].snippet = xstrdup(snippet);
            return;
        }
    }
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        *v = xrealloc(*v, *cap * sizeof **v);
    }
    (*v)[*n].ticket_id = ticket_id;
    (*v)[*n].snippet = snippet ? xstrdup(snippet) : NULL;
    (*v)[*n].score = score;
    (*n)++;
}

static int by_score(const void *a, const void *b)
{
    const struct search_hit *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return x->ticket_id < y->ticket_id ? 1 : x->ticket_id > y->ticket_id ? -1 : 0;
}

void store__hits_finish(struct search_hit *v, size_t *n, int limit)
{
    if (*n > 1)
        qsort(v, *n, sizeof *v, by_score);
    while (*n > (size_t)limit) {
        (*n)--;
        free(v[*n].snippet);
    }
}
