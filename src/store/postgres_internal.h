/* postgres_internal.h — what the two halves of the PostgreSQL backend
 * share: the statement list, the connection struct and small helpers.
 * postgres.c: connection, prepared statements, migrations, transactions;
 * postgres_ops.c: the data operations and the ops table.
 * Not for use outside src/store/. */
#ifndef PARLEY_STORE_POSTGRES_INTERNAL_H
#define PARLEY_STORE_POSTGRES_INTERNAL_H

#include "store/store.h"
#include "store/store_internal.h"
#include "store/search_internal.h"
#include "store/ledger_internal.h"
#include "store/feedback_internal.h"
#include "store/outbox_internal.h"
#include "base/xalloc.h"

#include <assert.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>


#define OID_INT4 23
#define OID_INT8 20
#define OID_TEXT 25


/* Every data statement of the backend, PQprepare()d by name ("p<N>") on
 * first use and cached per connection (struct pg.prepared). */
#define PG_STATEMENTS(X)                                                                   \
    X(MIG_VERSION, "SELECT coalesce(max(version), 0) FROM schema_migrations")              \
    X(MIG_RECORD, "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)")   \
    X(CUST_INSERT, "INSERT INTO customers (name, tier, language, merged_into, created_at, " \
                   "updated_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")             \
    X(CUST_GET, "SELECT " CUSTOMER_COLS " FROM customers WHERE id = $1")                   \
    X(CUST_UPDATE, "UPDATE customers SET name = $2, tier = $3, language = $4, "            \
                   "merged_into = $5, updated_at = $6 WHERE id = $1")                      \
    X(IDENT_FIND, "SELECT " IDENTITY_COLS " FROM identities WHERE kind = $1 AND value = $2") \
    X(IDENT_INSERT, "INSERT INTO identities (customer_id, kind, value, created_at) "       \
                    "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING id")         \
    X(IDENT_LIST, "SELECT " IDENTITY_COLS " FROM identities WHERE customer_id = $1 "       \
                  "ORDER BY id")                                                           \
    X(MOVE_IDENT, "UPDATE identities SET customer_id = $2 WHERE customer_id = $1")         \
    X(MOVE_TICKETS, "UPDATE tickets SET customer_id = $2 WHERE customer_id = $1")          \
    X(TICKET_INSERT, "INSERT INTO tickets (customer_id, subject, status, priority, "       \
                     "category, channel, thread, language, assignee_id, sla_first_due, "   \
                     "sla_next_due, sla_resolve_due, created_at, updated_at, "             \
                     "first_response_at, resolved_at, closed_at, message_count, emotion, "  \
                     "hostility, escalated, triage) VALUES "                               \
                     "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, " \
                     "$16, $17, $18, $19, $20, $21, $22) RETURNING id")                                        \
    X(TICKET_GET, "SELECT " TICKET_COLS " FROM tickets WHERE id = $1")                     \
    X(TICKET_UPDATE, "UPDATE tickets SET customer_id = $2, subject = $3, status = $4, "    \
                     "priority = $5, category = $6, channel = $7, thread = $8, "           \
                     "language = $9, assignee_id = $10, sla_first_due = $11, "             \
                     "sla_next_due = $12, sla_resolve_due = $13, updated_at = $14, "       \
                     "first_response_at = $15, resolved_at = $16, closed_at = $17, "       \
                     "message_count = $18, emotion = $19, hostility = $20, escalated = $21, " \
                     "triage = $22 WHERE id = $1")                                  \
    X(FIND_OPEN_THREAD, "SELECT " TICKET_COLS " FROM tickets WHERE customer_id = $1 "      \
                        "AND thread = $2 AND status IN (0, 1, 2) "                         \
                        "ORDER BY updated_at DESC, id DESC LIMIT 1")                       \
    X(FIND_OPEN_CHANNEL, "SELECT " TICKET_COLS " FROM tickets WHERE customer_id = $1 "     \
                         "AND thread IS NULL AND channel = $2 AND status IN (0, 1, 2) "    \
                         "ORDER BY updated_at DESC, id DESC LIMIT 1")                      \
    X(MSG_INSERT, "INSERT INTO messages (ticket_id, kind, channel, author_user_id, "       \
                  "author_customer_id, body, external_id, analysis, created_at) VALUES "   \
                  "($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING RETURNING id") \
    X(MSG_GET, "SELECT " MESSAGE_COLS " FROM messages WHERE id = $1")                      \
    X(MSG_LIST, "SELECT " MESSAGE_COLS " FROM messages WHERE ticket_id = $1 ORDER BY id")  \
    X(MSG_EXTERNAL, "SELECT " MESSAGE_COLS " FROM messages WHERE external_id = $1")        \
    X(EV_INSERT, "INSERT INTO events (type, actor_kind, actor_id, ticket_id, customer_id, " \
                 "message_id, before_json, after_json, created_at) VALUES "                \
                 "($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id")                      \
    X(EV_LIST, "SELECT " EVENT_COLS " FROM events WHERE id > $1 ORDER BY id LIMIT $2")     \
    X(EV_LIST_TICKET, "SELECT " EVENT_COLS " FROM events WHERE ticket_id = $2 AND id > $1 " \
                      "AND ($3::bigint = 0 OR customer_id = $3) ORDER BY id LIMIT $4")     \
    X(EV_LIST_CUSTOMER, "SELECT " EVENT_COLS " FROM events WHERE customer_id = $2 "        \
                        "AND id > $1 ORDER BY id LIMIT $3")                                \
    X(EV_LAST, "SELECT coalesce(max(id), 0) FROM events")                                  \
    X(USER_INSERT, "INSERT INTO users (email, name, role, skills, languages, "             \
                   "password_hash, active, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) " \
                   "ON CONFLICT DO NOTHING RETURNING id")                                  \
    X(USER_GET, "SELECT " USER_COLS " FROM users WHERE id = $1")                           \
    X(USER_GET_EMAIL, "SELECT " USER_COLS " FROM users WHERE email = $1")                  \
    X(USER_UPDATE, "UPDATE users SET email = $2, name = $3, role = $4, skills = $5, "      \
                   "languages = $6, password_hash = $7, active = $8 WHERE id = $1")        \
    X(USER_LIST, "SELECT " USER_COLS " FROM users ORDER BY id")                            \
    X(USER_COUNT, "SELECT count(*) FROM users")                                            \
    X(SESS_INSERT, "INSERT INTO sessions (token_hash, user_id, expires_at) "               \
                   "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING user_id")         \
    X(SESS_LOOKUP, "SELECT user_id FROM sessions WHERE token_hash = $1 AND expires_at > $2") \
    X(SESS_DELETE, "DELETE FROM sessions WHERE token_hash = $1")                           \
    X(KEY_INSERT, "INSERT INTO apikeys (name, role, created_by, created_at, revoked, "     \
                  "key_hash) VALUES ($1, $2, $3, $4, $5, $6) "                             \
                  "ON CONFLICT DO NOTHING RETURNING id")                                   \
    X(KEY_LOOKUP, "SELECT " APIKEY_COLS " FROM apikeys WHERE key_hash = $1")               \
    X(KEY_LIST, "SELECT " APIKEY_COLS " FROM apikeys ORDER BY id")                         \
    X(KEY_REVOKE, "UPDATE apikeys SET revoked = 1 WHERE id = $1")                          \
    X(EV_GET, "SELECT " EVENT_COLS " FROM events WHERE id = $1")                           \
    X(EV_SCAN, "SELECT " EVENT_COLS " FROM events WHERE id > $1 ORDER BY id LIMIT $2")     \
    X(LEAF_INSERT, "INSERT INTO ledger_leaves (idx, event_id, hash) "                     \
                   "SELECT $1::bigint, $2::bigint, decode($3, 'hex') "                     \
                   "WHERE coalesce((SELECT event_id FROM ledger_leaves WHERE idx < $1 "    \
                   "ORDER BY idx DESC LIMIT 1), -1) < $2 AND coalesce((SELECT event_id "   \
                   "FROM ledger_leaves WHERE idx > $1 ORDER BY idx LIMIT 1), $2 + 1) > $2 " \
                   "ON CONFLICT DO NOTHING RETURNING idx")                                 \
    X(LEAF_SCAN, "SELECT idx, event_id, hash FROM ledger_leaves WHERE idx >= $1 "          \
                 "ORDER BY idx LIMIT $2")                                                  \
    X(LEAF_OF_EVENT, LEAF_SEARCH("$1::bigint", "0::bigint"))                               \
    X(CP_INSERT, "INSERT INTO ledger_checkpoints (size, note, created_at) VALUES ($1, $2, $3) " \
                 "ON CONFLICT DO NOTHING RETURNING size")                                  \
    X(CP_LATEST, "SELECT size, note FROM ledger_checkpoints ORDER BY size DESC LIMIT 1")   \
    X(CP_GET, "SELECT note FROM ledger_checkpoints WHERE size = $1")                       \
    X(SET_GET, "SELECT value FROM settings WHERE key = $1")                                \
    X(SET_SET, "INSERT INTO settings (key, value) VALUES ($1, $2) "                        \
               "ON CONFLICT (key) DO UPDATE SET value = excluded.value")                   \
    PG_SEARCH_STATEMENTS(X)                                                                \
    PG_LEDGER_STATEMENTS(X)                                                                \
    PG_INSIGHT_STATEMENTS(X)                                                               \
    PG_KEYS_STATEMENTS(X)                                                                  \
    PG_OUTBOX_STATEMENTS(X)                                                                \
    PG_FEEDBACK_STATEMENTS(X)

/* Personal-data keys and erasure (postgres_keys.c). */
#define PG_KEYS_STATEMENTS(X)                                                              \
    X(CKEY_GET, "SELECT wrapped, erased_at FROM customer_keys WHERE customer_id = $1")    \
    X(CKEY_INSERT, "INSERT INTO customer_keys (customer_id, wrapped, created_at) "         \
                   "VALUES ($1, $2, $3)")                                                  \
    X(CKEY_DESTROY, "INSERT INTO customer_keys (customer_id, wrapped, created_at, "        \
                    "erased_at) VALUES ($1, NULL, $2, $2) ON CONFLICT (customer_id) "       \
                    "DO UPDATE SET wrapped = NULL, erased_at = excluded.erased_at")        \
    X(ERASE_CUSTOMER, "UPDATE customers SET name = $2, updated_at = $3 WHERE id = $1")     \
    X(ERASE_IDENTITIES, "UPDATE identities SET value = 'erased:' || id "                  \
                        "WHERE customer_id = $1")                                          \
    X(ERASE_TICKETS, "UPDATE tickets SET subject = CASE WHEN subject IS NULL THEN NULL "   \
                     "ELSE $2 END, thread = NULL WHERE customer_id = $1")                  \
    X(ERASE_MESSAGES, "UPDATE messages SET body = $2, external_id = NULL, analysis = NULL " \
                      "WHERE ticket_id IN (SELECT id FROM tickets WHERE customer_id = $1)") \
    X(MERGED_INTO, "SELECT id FROM customers WHERE merged_into = $1 ORDER BY id") \

/* Surveys, alerts and the negative messages of the spike baseline
 * (postgres_feedback.c). */
#define PG_FEEDBACK_STATEMENTS(X)                                                          \
    X(SURVEY_INSERT, "INSERT INTO surveys (token_hash, ticket_id, customer_id, created_at) " \
                     "VALUES ($1, $2, $3, $4) RETURNING id")                               \
    X(SURVEY_FIND, "SELECT " SURVEY_COLS " FROM surveys WHERE token_hash = $1")            \
    X(SURVEY_ANSWER, "UPDATE surveys SET answered_at = $2, score = $3, nps = $4, "          \
                     "comment = $5, analysis = $6 WHERE id = $1 AND answered_at = 0")      \
    X(SURVEY_EXISTS, "SELECT 1 FROM surveys WHERE id = $1")                                \
    X(ALERT_INSERT, "INSERT INTO alerts (kind, category, metric, size, expected, observed, " \
                    "ticket_ids, detail, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) " \
                    "RETURNING id")                                                        \
    X(ALERT_GET, "SELECT " ALERT_COLS " FROM alerts WHERE id = $1")                        \
    X(ALERT_LIST, "SELECT " ALERT_COLS " FROM alerts WHERE $1 = 0 OR acknowledged_at = 0 "  \
                  "ORDER BY id DESC LIMIT $2")                                             \
    X(ALERT_ACK, "UPDATE alerts SET acknowledged_by = $2, acknowledged_at = $3 "           \
                 "WHERE id = $1 AND acknowledged_at = 0")                                  \
    X(NEGATIVE_SCAN, "SELECT m.created_at, m.ticket_id, t.category FROM messages m "       \
                     "JOIN tickets t ON t.id = m.ticket_id WHERE m.created_at >= $1 "      \
                     "AND m.kind = 0 AND m.analysis IS NOT NULL "                          \
                     "AND (m.analysis::jsonb ->> 'sentiment')::float8 < $2 "               \
                     "ORDER BY m.created_at, m.id")

/* Knowledge base, ticket search and chats (postgres_search.c). */
#define PG_TSQ "to_tsquery('russian', $1::text)"
/* The newest matches of a full-text query in messages or tickets, in two
 * steps (pg__ticket_search): among the rows with id > $3 — the newest few
 * thousand: a backward scan of the primary key that stops at the limit,
 * what a common word needs, or the GIN index ANDed with that range — then,
 * when they hold fewer than the limit, among older rows, id in ($4, $3],
 * in ranges growing fourfold, through the GIN index: "ORDER BY id + 0"
 * keeps the planner off the backward scan, which for a word it wrongly
 * thinks common reads every row (14 s at five million messages), and the
 * range keeps a word of middling frequency from fetching every match. */
#define PG_SEARCH_NEWEST(hit, ticket, table, text, range, order)                           \
    "SELECT " hit " FROM (SELECT " ticket " AS ticket, " text " AS text FROM " table       \
    " WHERE to_tsvector('russian', " text ") @@ " PG_TSQ " AND " range                    \
    " ORDER BY " order " DESC LIMIT $2) m, " PG_TSQ " q"
#define PG_OLDER "id <= $3 AND id > $4"
#define PG_MSG_HIT "ticket, ts_headline('russian', text, q, 'MaxWords=18, MinWords=6, "    \
                   "StartSel=[, StopSel=]'), ts_rank(to_tsvector('russian', text), q)"
#define PG_TICKET_HIT "ticket, text, ts_rank(to_tsvector('russian', text), q)"
#define PG_SEARCH_STATEMENTS(X)                                                            \
    X(KB_INSERT, "INSERT INTO kb_articles (language, title, category, body, created_at, "  \
                 "updated_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")               \
    X(KB_UPDATE, "UPDATE kb_articles SET language = $2, title = $3, category = $4, "       \
                 "body = $5, updated_at = $6 WHERE id = $1")                               \
    X(KB_GET, "SELECT " KB_COLS " FROM kb_articles WHERE id = $1")                         \
    X(KB_LIST, "SELECT " KB_COLS " FROM kb_articles WHERE $1::text IS NULL "               \
               "OR language = $1::text ORDER BY id")                                       \
    X(KB_SEARCH, "SELECT " KB_COLS ", ts_rank_cd(tsv, q) FROM kb_articles, "               \
                 "(SELECT to_tsquery('russian', $1::text) || "                             \
                 "to_tsquery('english', $1::text) AS q) x WHERE tsv @@ q "                 \
                 "AND ($2::text IS NULL OR language = $2::text) "                          \
                 "ORDER BY 8 DESC, id LIMIT $3")                                           \
    X(SEARCH_MSG_NEW, PG_SEARCH_NEWEST(PG_MSG_HIT, "ticket_id", "messages", "body",      \
                                       "id > $3", "id"))                                   \
    X(SEARCH_MSG_OLD, PG_SEARCH_NEWEST(PG_MSG_HIT, "ticket_id", "messages", "body",      \
                                       PG_OLDER, "id + 0"))                                \
    X(SEARCH_TICKET_NEW, PG_SEARCH_NEWEST(PG_TICKET_HIT, "id", "tickets",                  \
                                          "coalesce(subject, '')", "id > $3", "id"))       \
    X(SEARCH_TICKET_OLD, PG_SEARCH_NEWEST(PG_TICKET_HIT, "id", "tickets",                  \
                                          "coalesce(subject, '')", PG_OLDER, "id + 0"))    \
    X(MSG_LAST, "SELECT coalesce(max(id), 0) FROM messages")                               \
    X(TICKET_LAST, "SELECT coalesce(max(id), 0) FROM tickets")                             \
    X(SEARCH_CUSTOMER, "SELECT t.id, c.name, 0.05 FROM customers c JOIN tickets t "        \
                       "ON t.customer_id = c.id WHERE to_tsvector('russian', "             \
                       "coalesce(c.name, '')) @@ " PG_TSQ " ORDER BY t.id DESC LIMIT $2")  \
    X(CHAT_INSERT, "INSERT INTO chats (token_hash, customer_id, ticket_id, language, "     \
                   "handoff, created_at) VALUES ($1, $2, $3, $4, $5, $6) "                 \
                   "ON CONFLICT DO NOTHING RETURNING id")                                  \
    X(CHAT_GET, "SELECT " CHAT_COLS " FROM chats WHERE id = $1")                           \
    X(CHAT_UPDATE, "UPDATE chats SET customer_id = $2, ticket_id = $3, handoff = $4 "      \
                   "WHERE id = $1")                                                        \
    X(CANNED_INSERT, "INSERT INTO canned_responses (language, title, body, emotion, "      \
                     "category, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) " \
                     "RETURNING id")                                                       \
    X(CANNED_UPDATE, "UPDATE canned_responses SET language = $2, title = $3, body = $4, "  \
                     "emotion = $5, category = $6, updated_at = $7 WHERE id = $1")         \
    X(CANNED_DELETE, "DELETE FROM canned_responses WHERE id = $1")                         \
    X(CANNED_GET, "SELECT " CANNED_COLS " FROM canned_responses WHERE id = $1")            \
    X(CANNED_LIST, "SELECT " CANNED_COLS " FROM canned_responses "                         \
                   "WHERE $1::text IS NULL OR language = $1::text ORDER BY id")

/* Witnesses and cosignatures (postgres_ledger.c). */
#define PG_LEDGER_STATEMENTS(X)                                                            \
    X(WIT_INSERT, "INSERT INTO ledger_witnesses (name, vkey, created_at) VALUES ($1, $2, $3) " \
                  "ON CONFLICT DO NOTHING RETURNING id")                                   \
    X(WIT_LIST, "SELECT id, name, vkey, created_at FROM ledger_witnesses ORDER BY name COLLATE \"C\"") \
    X(COSIG_INSERT, "INSERT INTO ledger_cosignatures (size, witness, line, created_at) "   \
                    "VALUES ($1, $2, $3, $4) ON CONFLICT (size, witness) DO UPDATE SET "   \
                    "line = excluded.line, created_at = excluded.created_at")              \
    X(COSIG_LINES, "SELECT line FROM ledger_cosignatures WHERE size = $1 ORDER BY witness COLLATE \"C\"") \
    X(COSIG_LATEST, "SELECT max(size) FROM ledger_cosignatures")                           \
    X(DISPUTE_INSERT, "INSERT INTO disputes (ticket_id, question, quorum, status, decision, " \
                      "created_by, created_at, decided_at, decision_event_id) VALUES "     \
                      "($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id")                 \
    X(DISPUTE_REVIEWER, "INSERT INTO dispute_reviewers (dispute_id, user_id) VALUES ($1, $2) " \
                        "ON CONFLICT DO NOTHING")                                          \
    X(DISPUTE_GET, "SELECT " DISPUTE_COLS " FROM disputes WHERE id = $1")                  \
    X(DISPUTE_REVIEWERS, "SELECT user_id FROM dispute_reviewers WHERE dispute_id = $1 "    \
                         "ORDER BY user_id")                                               \
    X(DISPUTE_VOTES, "SELECT user_id, decision, reason, event_id, created_at FROM "        \
                     "dispute_votes WHERE dispute_id = $1 ORDER BY event_id")              \
    X(DISPUTE_UPDATE, "UPDATE disputes SET status = $2, decision = $3, decided_at = $4, "  \
                      "decision_event_id = $5 WHERE id = $1")                              \
    X(VOTE_INSERT, "INSERT INTO dispute_votes (dispute_id, user_id, decision, reason, "    \
                   "event_id, created_at) VALUES ($1, $2, $3, $4, $5, $6) "                \
                   "ON CONFLICT DO NOTHING RETURNING dispute_id")                          \
    X(DISPUTE_LIST, "SELECT " DISPUTE_COLS " FROM disputes WHERE $1::text IS NULL "        \
                    "OR status = $1::text ORDER BY id DESC LIMIT $2")                      \
    X(ERASE_DISPUTES, "UPDATE disputes SET question = $2 WHERE ticket_id IN "              \
                      "(SELECT id FROM tickets WHERE customer_id = $1)")                   \
    X(ERASE_VOTES, "UPDATE dispute_votes SET reason = $2 WHERE reason IS NOT NULL AND "    \
                   "dispute_id IN (SELECT d.id FROM disputes d JOIN tickets t ON "         \
                   "t.id = d.ticket_id WHERE t.customer_id = $1)")

/* Drill-down facts, orders (postgres_insight.c). */
#define PG_INSIGHT_STATEMENTS(X)                                                           \
    X(FACT_INSERT, "INSERT INTO metric_facts (kind, at, ticket_id, agent, category, "      \
                   "channel, priority, value, label, event_id) VALUES ($1, $2, $3, $4, $5, $6, " \
                   "$7, $8::double precision, $9, $10) ON CONFLICT (event_id, kind) DO NOTHING") \
    X(FACT_WITHDRAW, "DELETE FROM metric_facts WHERE ticket_id = $2 AND kind = $1")         \
    X(FACT_LIST, "SELECT " FACT_COLS " FROM metric_facts WHERE kind = $1 AND at >= $2 "    \
                 "AND at < $3 AND ($4::int = 0 OR ($4 = 3 AND channel = $5::int) OR "      \
                 "($4 = 4 AND priority = $5)) AND ($6::int = 0 OR label = $7::int) "       \
                 "ORDER BY at LIMIT $8")                                                   \
    X(FACT_LIST_AGENT, "SELECT " FACT_COLS " FROM metric_facts WHERE kind = $1 AND "       \
                       "agent = $2 AND at >= $3 AND at < $4 AND ($5::int = 0 OR label = "  \
                       "$6::int) ORDER BY at LIMIT $7")                                    \
    X(FACT_LIST_CATEGORY, "SELECT " FACT_COLS " FROM metric_facts WHERE kind = $1 AND "    \
                          "category = $2 AND at >= $3 AND at < $4 AND ($5::int = 0 OR "    \
                          "label = $6::int) ORDER BY at LIMIT $7")                         \
    X(ORDER_INSERT, "INSERT INTO orders (external_id, customer_id, amount_cents, currency, " \
                    "upsell, ordered_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) "  \
                    "ON CONFLICT DO NOTHING RETURNING id")                                 \
    X(ORDER_TOTALS, ORDER_TOTALS_SQL("$1::bigint", "$2::bigint"))                          \
    X(CONFLICT_CUSTOMERS, CONFLICT_SQL("$1::bigint", "$2::bigint", "$3::bigint", "$4::bigint")) \
    X(CONFLICT_FACTS, CONFLICT_FACTS_SQL("$1::int", "$2::bigint", "$3::bigint", "$4::bigint")) \
    X(CONFLICT_SCAN, CONFLICT_SCAN_SQL("$1::int"))                                         \
    X(TICKET_FACTS, TICKET_FACTS_SQL("$1::int", "$2::bigint"))

/* The outbox, webhooks and attachments (postgres_outbox.c). Attachment
 * bytes travel as bytea hex text ("\\x..."). */
#define PG_OUTBOX_STATEMENTS(X)                                                            \
    X(DLV_INSERT, "INSERT INTO outbox (kind, status, message_id, ticket_id, event_id, "    \
                  "webhook_id, payload, attempts, last_error, next_attempt_at, created_at, " \
                  "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) " \
                  "ON CONFLICT DO NOTHING RETURNING id")                                   \
    X(DLV_GET, "SELECT " DELIVERY_COLS " FROM outbox WHERE id = $1")                       \
    X(DLV_UPDATE, "UPDATE outbox SET status = $2, attempts = $3, last_error = $4, "        \
                  "next_attempt_at = $5, updated_at = $6 WHERE id = $1")                   \
    X(DLV_DUE, "SELECT " DELIVERY_COLS " FROM outbox WHERE status IN (0, 2) "              \
               "AND next_attempt_at <= $1 AND ((1 << kind) & $2::int) <> 0 "               \
               "ORDER BY next_attempt_at, id LIMIT $3")                                    \
    X(DLV_TICKET, "SELECT " DELIVERY_COLS " FROM outbox WHERE ticket_id = $1 AND kind = 0 " \
                  "ORDER BY id")                                                           \
    X(DLV_MESSAGE, "SELECT " DELIVERY_COLS " FROM outbox WHERE message_id = $1 "           \
                   "AND kind = 0")                                                         \
    X(HOOK_INSERT, "INSERT INTO webhooks (url, events, secret, created_by, created_at) "   \
                   "VALUES ($1, $2, $3, $4, $5) RETURNING id")                             \
    X(HOOK_GET, "SELECT " WEBHOOK_COLS " FROM webhooks WHERE id = $1")                     \
    X(HOOK_LIST, "SELECT " WEBHOOK_COLS " FROM webhooks ORDER BY id")                      \
    X(HOOK_DELETE, "DELETE FROM webhooks WHERE id = $1")                                   \
    X(ATT_INSERT, "INSERT INTO attachments (message_id, ticket_id, filename, content_type, " \
                  "size, sha256, created_at, data) VALUES ($1, $2, $3, $4, $5, $6, $7, "   \
                  "$8::bytea) RETURNING id")                                               \
    X(ATT_GET, "SELECT " ATTACHMENT_COLS ", data FROM attachments WHERE id = $1")          \
    X(ATT_TICKET, "SELECT " ATTACHMENT_COLS " FROM attachments WHERE ticket_id = $1 "      \
                  "ORDER BY id")                                                           \
    X(ERASE_ATTACHMENTS, "DELETE FROM attachments WHERE ticket_id IN "                     \
                         "(SELECT id FROM tickets WHERE customer_id = $1)")

enum pid {
#define PG_ENUM_(name, sql) P_##name,
    PG_STATEMENTS(PG_ENUM_)
#undef PG_ENUM_
    P__COUNT
};

struct pg {
    struct store base;         /* first: a struct pg * is a struct store * */
    PGconn *conn;
    unsigned char prepared[P__COUNT];
    unsigned *shapes;          /* ticket list/count shapes prepared as "t<shape>" */
    int in_tx;                 /* between begin() and commit()/rollback() */
    char *claim;               /* "parley PID WHO" while claimed (pg__claim), else NULL */
    int claim_lost;            /* a new session could not claim again: writes refused */
    size_t nshapes, capshapes;
    char err[512];
};

static inline struct pg *PG(struct store *st)
{
    return (struct pg *)st;
}

#define PG_MAXPARAMS 32 /* the most any statement takes (tickets: 22) */

/* Parameters as text, as libpq sends them. */
struct args {
    int n;
    const char *v[PG_MAXPARAMS];
    char num[PG_MAXPARAMS][24];
};

static inline void a_i64(struct args *a, int64_t x)
{
    assert(a->n < PG_MAXPARAMS);
    snprintf(a->num[a->n], sizeof a->num[0], "%" PRId64, x);
    a->v[a->n] = a->num[a->n];
    a->n++;
}

static inline void a_str(struct args *a, const char *s)
{
    assert(a->n < PG_MAXPARAMS);
    a->v[a->n++] = s;          /* NULL is SQL NULL */
}

static inline char *col_str(PGresult *r, int row, int i)
{
    return PQgetisnull(r, row, i) ? NULL : xstrdup(PQgetvalue(r, row, i));
}

static inline int64_t col_i64(PGresult *r, int row, int i)
{
    return PQgetisnull(r, row, i) ? 0 : strtoll(PQgetvalue(r, row, i), NULL, 10);
}

static inline int col_int(PGresult *r, int row, int i)
{
    return (int)col_i64(r, row, i);
}

/* postgres.c */
/* Records msg (trailing newline dropped) as the connection's error. */
void pg__set_err(struct pg *p, const char *msg);
/* Maps a failed result (NULL: the connection's error) to a PL_E* code and
 * records its message; clears r. */
int pg__fail(struct pg *p, PGresult *r);
/* Re-establishes a dropped connection, except inside a transaction. */
void pg__check_conn(struct pg *p);
int pg__prepare(struct pg *p, const char *name, const char *sql, int nparams,
                const Oid *types);
/* Runs a prepared statement; the result (caller PQclear()s) or NULL with *rc. */
PGresult *pg__run_prepared(struct pg *p, const char *name, const struct args *a, int *rc);
/* Runs statement id, preparing it on first use; as pg__run_prepared(). */
PGresult *pg__exec(struct pg *p, enum pid id, const struct args *a, int *rc);
/* Prepares statement id unless it is already, with its name in name. */
int pg__ready(struct pg *p, enum pid id, char name[16]);
/* The same for a statement run for its effect: pg__run() returns its code,
 * pg__changed() the rows a write touched, pg__one_row() PL_ENOTFOUND when
 * it touched none; pg__int64() the integer in the first column of the
 * first row — the id an INSERT ... RETURNING id gave, a max(), a count —
 * or the code `none` when there is no row (e.g. ON CONFLICT DO NOTHING). */
int pg__run(struct pg *p, enum pid id, const struct args *a);
int pg__changed(struct pg *p, enum pid id, const struct args *a, int *changed);
int pg__one_row(struct pg *p, enum pid id, const struct args *a);
int pg__int64(struct pg *p, enum pid id, const struct args *a, int64_t *out, int none);
void pg__close(struct store *st);
int pg__claim(struct store *st, const char *who, struct store_holder *holder);
const char *pg__errmsg(struct store *st);
int pg__schema_version(struct store *st, int *version);
int pg__migrate(struct store *st);
int pg__begin(struct store *st);
int pg__commit(struct store *st);
int pg__rollback(struct store *st);
int pg__savepoint(struct store *st);
int pg__release(struct store *st);
int pg__rollback_to(struct store *st);

/* postgres_ops.c */
extern const struct store_ops pg__ops;

#endif
