/* kb.h — the knowledge base use cases (docs/chat.md): articles in Russian
 * and English, full-text search, suggestions for a ticket. */
#ifndef PARLEY_DESK_KB_H
#define PARLEY_DESK_KB_H

#include "desk/desk.h"

/* Adds (a->id == 0) or updates (a->id > 0) an article: admins and
 * supervisors only (PL_EFORBIDDEN); language "ru"/"en", title and body
 * required (PL_EINVAL). Writes kb.created / kb.updated. Fills a->id. */
int desk_kb_save(struct desk *d, const struct desk_actor *who, struct kb_article *a);
/* Articles matching any word of q, best first (language NULL = both). */
int desk_kb_search(struct desk *d, const char *q, const char *language, int limit,
                   struct kb_article **out, size_t *n);
int desk_kb_list(struct desk *d, const char *language, struct kb_article **out, size_t *n);
/* Articles for the ticket's latest inbound message. */
int desk_kb_suggest(struct desk *d, int64_t ticket_id, int limit, struct kb_article **out,
                    size_t *n);
/* How well article a answers q, in [0, 1]: the share of q's content words
 * (light-stemmed) found in its title and body. */
double desk_kb_confidence(const char *q, const struct kb_article *a);
/* Tickets matching every word of q (messages, subjects, customer names). */
int desk_search(struct desk *d, const char *q, int limit, struct search_hit **out, size_t *n);
/* Adds the demo articles (ru and en) when the base is empty. */
int desk_kb_seed(struct desk *d);

#endif
