/* outbox_internal.h — shared by the backends' outbox, webhook and
 * attachment operations (outbox.c, sqlite_outbox.c, postgres_outbox.c).
 * Not for use outside src/store/. */
#ifndef PARLEY_STORE_OUTBOX_INTERNAL_H
#define PARLEY_STORE_OUTBOX_INTERNAL_H

#include "store/store.h"

#define DELIVERY_COLS                                                           \
    "id, kind, status, message_id, ticket_id, event_id, webhook_id, payload, " \
    "attempts, last_error, next_attempt_at, created_at, updated_at"
#define WEBHOOK_COLS "id, url, events, secret, created_by, created_at"
#define ATTACHMENT_COLS \
    "id, message_id, ticket_id, filename, content_type, size, sha256, created_at"

int sq__delivery_insert(struct store *st, struct delivery *d);
int sq__delivery_get(struct store *st, int64_t id, struct delivery *out);
int sq__delivery_update(struct store *st, const struct delivery *d);
int sq__delivery_due(struct store *st, int64_t now, unsigned kinds, int limit,
                     struct delivery **out, size_t *n);
int sq__delivery_list_ticket(struct store *st, int64_t ticket_id, struct delivery **out,
                             size_t *n);
int sq__delivery_of_message(struct store *st, int64_t message_id, struct delivery *out);
int sq__webhook_insert(struct store *st, struct webhook *w);
int sq__webhook_get(struct store *st, int64_t id, struct webhook *out);
int sq__webhook_list(struct store *st, struct webhook **out, size_t *n);
int sq__webhook_delete(struct store *st, int64_t id);
int sq__attachment_insert(struct store *st, struct attachment *a);
int sq__attachment_get(struct store *st, int64_t id, struct attachment *out);
int sq__attachment_list_ticket(struct store *st, int64_t ticket_id, struct attachment **out,
                               size_t *n);

int pg__delivery_insert(struct store *st, struct delivery *d);
int pg__delivery_get(struct store *st, int64_t id, struct delivery *out);
int pg__delivery_update(struct store *st, const struct delivery *d);
int pg__delivery_due(struct store *st, int64_t now, unsigned kinds, int limit,
                     struct delivery **out, size_t *n);
int pg__delivery_list_ticket(struct store *st, int64_t ticket_id, struct delivery **out,
                             size_t *n);
int pg__delivery_of_message(struct store *st, int64_t message_id, struct delivery *out);
int pg__webhook_insert(struct store *st, struct webhook *w);
int pg__webhook_get(struct store *st, int64_t id, struct webhook *out);
int pg__webhook_list(struct store *st, struct webhook **out, size_t *n);
int pg__webhook_delete(struct store *st, int64_t id);
int pg__attachment_insert(struct store *st, struct attachment *a);
int pg__attachment_get(struct store *st, int64_t id, struct attachment *out);
int pg__attachment_list_ticket(struct store *st, int64_t ticket_id, struct attachment **out,
                               size_t *n);

#endif
