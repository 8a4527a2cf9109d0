/* feedback_internal.h — the backends' survey, alert and negative-message
 * operations (sqlite_feedback.c, postgres_feedback.c) and their shared
 * helpers (feedback.c). Not for use outside src/store/. */
#ifndef PARLEY_STORE_FEEDBACK_INTERNAL_H
#define PARLEY_STORE_FEEDBACK_INTERNAL_H

#include "store/store.h"

#define SURVEY_COLS "id, token_hash, ticket_id, customer_id, created_at, answered_at, score, " \
                    "nps, comment, analysis"
#define ALERT_COLS "id, kind, category, metric, size, expected, observed, ticket_ids, detail, " \
                   "created_at, acknowledged_by, acknowledged_at"

int sq__survey_insert(struct store *st, struct survey *s);
int sq__survey_find(struct store *st, const char *token_hash, struct survey *out);
int sq__survey_answer(struct store *st, const struct survey *s);
int sq__alert_insert(struct store *st, struct alert *a);
int sq__alert_get(struct store *st, int64_t id, struct alert *out);
int sq__alert_list(struct store *st, int open_only, int limit, struct alert **out, size_t *n);
int sq__alert_ack(struct store *st, int64_t id, int64_t user_id, int64_t at);
int sq__negative_scan(struct store *st, int64_t since, double below,
                      int (*fn)(void *ctx, int64_t at, int64_t ticket_id, const char *category),
                      void *ctx);

int pg__survey_insert(struct store *st, struct survey *s);
int pg__survey_find(struct store *st, const char *token_hash, struct survey *out);
int pg__survey_answer(struct store *st, const struct survey *s);
int pg__alert_insert(struct store *st, struct alert *a);
int pg__alert_get(struct store *st, int64_t id, struct alert *out);
int pg__alert_list(struct store *st, int open_only, int limit, struct alert **out, size_t *n);
int pg__alert_ack(struct store *st, int64_t id, int64_t user_id, int64_t at);
int pg__negative_scan(struct store *st, int64_t since, double below,
                      int (*fn)(void *ctx, int64_t at, int64_t ticket_id, const char *category),
                      void *ctx);

#endif
