/* store_internal.h — what the two backends share: the ticket-list query
 * builder and small helpers. Not for use outside src/store/. */
#ifndef PARLEY_STORE_INTERNAL_H
#define PARLEY_STORE_INTERNAL_H

#include "base/buf.h"
#include "store/store.h"

#include <stdint.h>

#define TICKET_LIST_DEFAULT 50
#define TICKET_LIST_MAX 500
#define EVENT_LIST_DEFAULT 100
#define EVENT_LIST_MAX 1000

/* The ticket columns, in the order every backend reads them. */
#define TICKET_COLS                                                          \
    "id, customer_id, subject, status, priority, category, channel, thread, " \
    "language, assignee_id, sla_first_due, sla_next_due, sla_resolve_due, "   \
    "created_at, updated_at, first_response_at, resolved_at, closed_at, "     \
    "message_count, emotion, hostility, escalated, triage"
#define TICKET_NCOLS 23
#define CUSTOMER_COLS "id, name, tier, language, merged_into, created_at, updated_at"
#define IDENTITY_COLS "id, customer_id, kind, value, created_at"
#define USER_COLS \
    "id, email, name, role, skills, languages, password_hash, active, created_at"
#define MESSAGE_COLS                                                      \
    "id, ticket_id, kind, channel, author_user_id, author_customer_id, " \
    "body, external_id, analysis, created_at"
#define EVENT_COLS                                                        \
    "id, type, actor_kind, actor_id, ticket_id, customer_id, message_id, " \
    "before_json, after_json, created_at"
#define APIKEY_COLS "id, name, role, created_by, created_at, revoked"

/* A ticket-list or ticket-count query, decoded from a ticket_filter.
 *
 * The SQL text depends only on the query's *shape* (which filters are
 * present, how many statuses, sort, direction, cursor) and never on the
 * values: those are bound as numbered parameters
 *   1 priority (int), 2 assignee_id, 3 customer_id, 4 category (text),
 *   5 cursor key, 6 cursor id, 7 limit, 8.. statuses (int).
 * So a backend prepares one statement per shape and caches it by
 * tq.shape (list and count shapes are distinct numbers). */
struct ticket_query {
    unsigned shape;
    int empty;                 /* the filter can match nothing (e.g. mask with no valid status) */
    int nstatus;               /* 0 = no status condition */
    int statuses[STATUS__COUNT];
    int has_priority, has_assignee, has_customer, has_category, has_cursor;
    int priority;
    int64_t assignee_id, customer_id, cursor_key, cursor_id;
    const char *category;      /* borrowed from the filter */
    enum ticket_sort sort;
    int ascending;
    int64_t limit;
};

#define TQ_NPARAMS (7 + STATUS__COUNT)
#define TQ_P_PRIORITY 1
#define TQ_P_ASSIGNEE 2
#define TQ_P_CUSTOMER 3
#define TQ_P_CATEGORY 4
#define TQ_P_CKEY 5
#define TQ_P_CID 6
#define TQ_P_LIMIT 7
#define TQ_P_STATUS 8

/* Decodes f (NULL = defaults) for a list (count = 0) or a count. */
void ticket_query_init(struct ticket_query *q, const struct ticket_filter *f, int count);
/* Appends the SQL of q's shape to b; ph is the parameter marker of the
 * backend: '?' (SQLite, "?N") or '$' (PostgreSQL, "$N"). */
void ticket_query_sql(const struct ticket_query *q, char ph, struct buf *b);

/* Rows per round trip of leaf_scan()/event_scan(): each chunk is read
 * whole before the callback runs, so the callback may use the store. */
#define SCAN_CHUNK 512

/* The log's leaves (table ledger_leaves: idx primary key, event_id, hash
 * as 32 bytes) keep their event ids strictly increasing with idx, as the
 * desk appends them: that is what makes an event's leaf findable without
 * a second index on event_id. Each backend refuses a leaf out of that
 * order (so an event logged twice is refused like a taken index): SQLite
 * with a trigger (migration 16), PostgreSQL in its INSERT. The search is
 * shared SQL, given the backend's expression E for the event id.
 *
 * The event id of the first leaf at or after index M. */
#define LEAF_FIRST_AT(M) "(SELECT event_id FROM ledger_leaves WHERE idx >= " M " ORDER BY idx LIMIT 1)"
/* LEAF_SEARCH: the index of event E's leaf, in one statement. First a
 * guess: with no gap in the event ids since leaf 0 (SQLite's are
 * contiguous; a rolled-back PostgreSQL sequence value leaves one), E's
 * leaf is E minus leaf 0's event id — two lookups. Else a binary search
 * for the first leaf whose event id is >= E (about 2 log2(n) primary-key
 * lookups), then whether that leaf is E's. ZERO is a 0 of the index's
 * type. */
#define LEAF_SEARCH(E, ZERO)                                                       \
    "WITH RECURSIVE b(lo, hi) AS (SELECT " ZERO ", (SELECT max(idx) FROM ledger_leaves) " \
    "UNION ALL SELECT "                                                            \
    "CASE WHEN " LEAF_FIRST_AT("(lo + hi) / 2") " < " E " THEN (lo + hi) / 2 + 1 ELSE lo END, " \
    "CASE WHEN " LEAF_FIRST_AT("(lo + hi) / 2") " < " E " THEN hi ELSE (lo + hi) / 2 END " \
    "FROM b WHERE lo < hi) "                                                       \
    "SELECT idx FROM ledger_leaves WHERE event_id = " E " AND idx = " E            \
    " - (SELECT event_id FROM ledger_leaves WHERE idx = 0) "                       \
    "UNION ALL "                                                                   \
    "SELECT idx FROM (SELECT idx, event_id FROM ledger_leaves "                    \
    "WHERE idx >= (SELECT max(lo) FROM b) ORDER BY idx LIMIT 1) f WHERE event_id = " E " " \
    "LIMIT 1"

/* A 32-byte hash as 64 lower-case hex digits + NUL, and back (0, or -1
 * when s is not exactly 64 hex digits). PostgreSQL exchanges the log's
 * hashes as hex text (stored as bytea); SQLite binds them as blobs. */
void store__hex32(const unsigned char h[32], char out[65]);
int store__unhex32(const char *s, unsigned char out[32]);

/* The native connection of st for copy.c, or NULL when st is of the
 * other backend (sqlite.c, postgres.c). */
struct sqlite3;
struct pg_conn;
struct sqlite3 *store__sqlite_db(struct store *st);
struct pg_conn *store__pg_conn(struct store *st);

/* Clamps an event_filter limit to 1..EVENT_LIST_MAX (0 = default). */
int64_t event_limit(int limit);

#endif
