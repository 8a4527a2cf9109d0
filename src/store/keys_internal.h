/* keys_internal.h — the backends' personal-data key and erasure
 * operations (sqlite_keys.c, postgres_keys.c; docs/ledger.md "Erasure").
 * Not for use outside src/store/. */
#ifndef PARLEY_STORE_KEYS_INTERNAL_H
#define PARLEY_STORE_KEYS_INTERNAL_H

#include "store/store.h"

int sq__customer_key_get(struct store *st, int64_t customer_id, char **wrapped,
                         int64_t *erased_at);
int sq__customer_key_insert(struct store *st, int64_t customer_id, const char *wrapped,
                            int64_t created_at);
int sq__customer_erase(struct store *st, int64_t customer_id, const char *tombstone,
                       int64_t now, int64_t *tickets, int64_t *messages);
int sq__customer_merged(struct store *st, int64_t into, int64_t **ids, size_t *n);
int sq__scrub(struct store *st);

int pg__customer_key_get(struct store *st, int64_t customer_id, char **wrapped,
                         int64_t *erased_at);
int pg__customer_key_insert(struct store *st, int64_t customer_id, const char *wrapped,
                            int64_t created_at);
int pg__customer_erase(struct store *st, int64_t customer_id, const char *tombstone,
                       int64_t now, int64_t *tickets, int64_t *messages);
int pg__customer_merged(struct store *st, int64_t into, int64_t **ids, size_t *n);
int pg__scrub(struct store *st);

#endif
