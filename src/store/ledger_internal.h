/* ledger_internal.h — the backends' operations on the log's witnesses,
 * cosignatures and dispute panels (sqlite_ledger.c, postgres_ledger.c),
 * put into the ops tables by sqlite_ops.c and postgres_ops.c. Not for use
 * outside src/store/. */
#ifndef PARLEY_STORE_LEDGER_INTERNAL_H
#define PARLEY_STORE_LEDGER_INTERNAL_H

#include "store/store.h"

#define WITNESS_COLS "id, name, vkey, created_at"
#define DISPUTE_COLS                                                              \
    "id, ticket_id, question, quorum, status, decision, created_by, created_at, " \
    "decided_at, decision_event_id"
#define DISPUTE_LIST_MAX 500

int sq__witness_insert(struct store *st, struct witness *w);
int sq__witness_list(struct store *st, struct witness **out, size_t *n);
int sq__cosig_insert(struct store *st, int64_t size, const char *witness, const char *line,
                     int64_t created_at);
int sq__cosig_lines(struct store *st, int64_t size, char **lines);
int sq__cosig_latest(struct store *st, int64_t *size);
int sq__dispute_insert(struct store *st, struct dispute *d);
int sq__dispute_get(struct store *st, int64_t id, struct dispute *out);
int sq__dispute_update(struct store *st, const struct dispute *d);
int sq__dispute_vote_insert(struct store *st, int64_t dispute_id, const struct dispute_vote *v);
int sq__dispute_list(struct store *st, const char *status, int limit, struct dispute **out,
                     size_t *n);

int pg__witness_insert(struct store *st, struct witness *w);
int pg__witness_list(struct store *st, struct witness **out, size_t *n);
int pg__cosig_insert(struct store *st, int64_t size, const char *witness, const char *line,
                     int64_t created_at);
int pg__cosig_lines(struct store *st, int64_t size, char **lines);
int pg__cosig_latest(struct store *st, int64_t *size);
int pg__dispute_insert(struct store *st, struct dispute *d);
int pg__dispute_get(struct store *st, int64_t id, struct dispute *out);
int pg__dispute_update(struct store *st, const struct dispute *d);
int pg__dispute_vote_insert(struct store *st, int64_t dispute_id, const struct dispute_vote *v);
int pg__dispute_list(struct store *st, const char *status, int limit, struct dispute **out,
                     size_t *n);

#endif
