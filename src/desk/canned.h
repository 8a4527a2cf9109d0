/* canned.h — canned responses: ready answers in Russian and English,
 * tagged with the emotion and/or category they fit, curated by admins and
 * suggested to agents for a ticket (docs/api.md, "Canned responses"). */
#ifndef PARLEY_DESK_CANNED_H
#define PARLEY_DESK_CANNED_H

#include "desk/desk.h"

/* Which fields of a canned response a save takes from the caller. */
enum {
    CANNED_LANGUAGE = 1 << 0,
    CANNED_TITLE = 1 << 1,
    CANNED_BODY = 1 << 2,
    CANNED_EMOTION = 1 << 3,
    CANNED_CATEGORY = 1 << 4,
    CANNED_ALL = 0x1f,
};

/* NULL when the fields being set are valid, else a static message naming
 * the field. Empty emotion/category tags are turned into NULL. */
const char *desk_canned_check(struct canned_response *c, unsigned fields);
/* Adds (c->id == 0: every field is taken, language/title/body required) or
 * updates (c->id > 0: only the fields in `fields`, the rest kept) a canned
 * response. Admins only (PL_EFORBIDDEN). language "ru"/"en", emotion one
 * of the analysis' emotions or NULL (PL_EINVAL otherwise, see
 * desk_canned_check()); PL_ENOTFOUND for an unknown id. Writes canned.created /
 * canned.updated. On success *c holds the stored row (owned by the
 * caller: canned_response_clear()). */
int desk_canned_save(struct desk *d, const struct desk_actor *who, struct canned_response *c,
                     unsigned fields);
/* Removes one (admins only); writes canned.deleted. */
int desk_canned_delete(struct desk *d, const struct desk_actor *who, int64_t id);
int desk_canned_get(struct desk *d, int64_t id, struct canned_response *out);
/* The responses that fit: language NULL = both; a response tagged with an
 * emotion (category) fits only that emotion (category) when one is asked
 * for; untagged ones fit any. With emotion or category given, the best
 * fits come first (an emotion match counts twice a category match), then
 * by id; limit <= 0 = all. */
int desk_canned_find(struct desk *d, const char *language, const char *emotion,
                     const char *category, int limit, struct canned_response **out, size_t *n);
/* desk_canned_find() for a ticket: its detected emotion, its category and
 * the customer's language (the ticket's, else the one its latest inbound
 * message was written in, else language_hint). */
int desk_canned_suggest(struct desk *d, int64_t ticket_id, const char *language_hint,
                        int limit, struct canned_response **out, size_t *n);
/* Adds the demo responses (ru and en) when there are none. */
int desk_canned_seed(struct desk *d);

#endif
