/* sqlite_internal.h — what the two halves of the SQLite backend share:
 * the statement list, the connection struct and small helpers.
 * sqlite.c: connection, statements cache, migrations, transactions;
 * sqlite_ops.c: the data operations and the ops table.
 * Not for use outside src/store/. */
#ifndef PARLEY_STORE_SQLITE_INTERNAL_H
#define PARLEY_STORE_SQLITE_INTERNAL_H

#include "store/store.h"
#include "store/store_internal.h"
#include "store/search_internal.h"
#include "store/ledger_internal.h"
#include "store/feedback_internal.h"
#include "store/outbox_internal.h"
#include "base/xalloc.h"

#include <sqlite3.h>
#include <stdint.h>

/* Every statement of the backend, prepared on first use and cached per
 * connection (struct sq.stmts, indexed by enum sid). Parameters are
 * numbered (?N) so rows can be bound by one function for INSERT and
 * UPDATE. */

#define SQ_STATEMENTS(X)                                                                   \
    X(BEGIN, "BEGIN IMMEDIATE")                                                            \
    X(COMMIT, "COMMIT")                                                                    \
    X(ROLLBACK, "ROLLBACK")                                                                \
    X(SAVEPOINT, "SAVEPOINT sp")                                                           \
    X(RELEASE, "RELEASE sp")                                                               \
    X(ROLLBACK_TO, "ROLLBACK TO sp")                                                       \
    X(MIG_VERSION, "SELECT coalesce(max(version), 0) FROM schema_migrations")              \
    X(MIG_RECORD, "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)")   \
    X(CUST_INSERT, "INSERT INTO customers (name, tier, language, merged_into, created_at, " \
                   "updated_at) VALUES (?2, ?3, ?4, ?5, ?6, ?7)")                          \
    X(CUST_GET, "SELECT " CUSTOMER_COLS " FROM customers WHERE id = ?1")                   \
    X(CUST_UPDATE, "UPDATE customers SET name = ?2, tier = ?3, language = ?4, "            \
                   "merged_into = ?5, updated_at = ?7 WHERE id = ?1")                      \
    X(IDENT_FIND, "SELECT " IDENTITY_COLS " FROM identities WHERE kind = ?1 AND value = ?2") \
    X(IDENT_INSERT, "INSERT INTO identities (customer_id, kind, value, created_at) "       \
                    "VALUES (?1, ?2, ?3, ?4)")                                             \
    X(IDENT_LIST, "SELECT " IDENTITY_COLS " FROM identities WHERE customer_id = ?1 "       \
                  "ORDER BY id")                                                           \
    X(MOVE_IDENT, "UPDATE identities SET customer_id = ?2 WHERE customer_id = ?1")         \
    X(MOVE_TICKETS, "UPDATE tickets SET customer_id = ?2 WHERE customer_id = ?1")          \
    X(TICKET_INSERT, "INSERT INTO tickets (customer_id, subject, status, priority, "       \
                     "category, channel, thread, language, assignee_id, sla_first_due, "   \
                     "sla_next_due, sla_resolve_due, created_at, updated_at, "             \
                     "first_response_at, resolved_at, closed_at, message_count, emotion, "  \
                     "hostility, escalated, triage) VALUES "                               \
                     "(?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, " \
                     "?17, ?18, ?19, ?20, ?21, ?22, ?23)")                                                     \
    X(TICKET_GET, "SELECT " TICKET_COLS " FROM tickets WHERE id = ?1")                     \
    X(TICKET_UPDATE, "UPDATE tickets SET customer_id = ?2, subject = ?3, status = ?4, "    \
                     "priority = ?5, category = ?6, channel = ?7, thread = ?8, "           \
                     "language = ?9, assignee_id = ?10, sla_first_due = ?11, "             \
                     "sla_next_due = ?12, sla_resolve_due = ?13, updated_at = ?15, "       \
                     "first_response_at = ?16, resolved_at = ?17, closed_at = ?18, "       \
                     "message_count = ?19, emotion = ?20, hostility = ?21, escalated = ?22, " \
                     "triage = ?23 WHERE id = ?1")                                  \
    X(FIND_OPEN_THREAD, "SELECT " TICKET_COLS " FROM tickets WHERE customer_id = ?1 "      \
                        "AND thread = ?2 AND status IN (0, 1, 2) "                         \
                        "ORDER BY updated_at DESC, id DESC LIMIT 1")                       \
    X(FIND_OPEN_CHANNEL, "SELECT " TICKET_COLS " FROM tickets WHERE customer_id = ?1 "     \
                         "AND thread IS NULL AND channel = ?2 AND status IN (0, 1, 2) "    \
                         "ORDER BY updated_at DESC, id DESC LIMIT 1")                      \
    X(MSG_INSERT, "INSERT INTO messages (ticket_id, kind, channel, author_user_id, "       \
                  "author_customer_id, body, external_id, analysis, created_at) VALUES "   \
                  "(?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")                                 \
    X(MSG_GET, "SELECT " MESSAGE_COLS " FROM messages WHERE id = ?1")                      \
    X(MSG_LIST, "SELECT " MESSAGE_COLS " FROM messages WHERE ticket_id = ?1 ORDER BY id")  \
    X(MSG_EXTERNAL, "SELECT " MESSAGE_COLS " FROM messages WHERE external_id = ?1")        \
    X(EV_INSERT, "INSERT INTO events (type, actor_kind, actor_id, ticket_id, customer_id, " \
                 "message_id, before_json, after_json, created_at) VALUES "                \
                 "(?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")                                  \
    X(EV_LIST, "SELECT " EVENT_COLS " FROM events WHERE id > ?1 ORDER BY id LIMIT ?4")     \
    X(EV_LIST_TICKET, "SELECT " EVENT_COLS " FROM events WHERE ticket_id = ?2 AND id > ?1 " \
                      "AND (?3 = 0 OR customer_id = ?3) ORDER BY id LIMIT ?4")             \
    X(EV_LIST_CUSTOMER, "SELECT " EVENT_COLS " FROM events WHERE customer_id = ?3 "        \
                        "AND id > ?1 ORDER BY id LIMIT ?4")                     \
    X(EV_LAST, "SELECT coalesce(max(id), 0) FROM events")                                  \
    X(USER_INSERT, "INSERT INTO users (email, name, role, skills, languages, "             \
                   "password_hash, active, created_at) VALUES (?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)") \
    X(USER_GET, "SELECT " USER_COLS " FROM users WHERE id = ?1")                           \
    X(USER_GET_EMAIL, "SELECT " USER_COLS " FROM users WHERE email = ?1")                  \
    X(USER_UPDATE, "UPDATE users SET email = ?2, name = ?3, role = ?4, skills = ?5, "      \
                   "languages = ?6, password_hash = ?7, active = ?8 WHERE id = ?1")        \
    X(USER_LIST, "SELECT " USER_COLS " FROM users ORDER BY id")                            \
    X(USER_COUNT, "SELECT count(*) FROM users")                                            \
    X(SESS_INSERT, "INSERT INTO sessions (token_hash, user_id, expires_at) VALUES (?1, ?2, ?3)") \
    X(SESS_LOOKUP, "SELECT user_id FROM sessions WHERE token_hash = ?1 AND expires_at > ?2") \
    X(SESS_DELETE, "DELETE FROM sessions WHERE token_hash = ?1")                           \
    X(KEY_INSERT, "INSERT INTO apikeys (name, role, created_by, created_at, revoked, "     \
                  "key_hash) VALUES (?2, ?3, ?4, ?5, ?6, ?7)")                             \
    X(KEY_LOOKUP, "SELECT " APIKEY_COLS " FROM apikeys WHERE key_hash = ?1")               \
    X(KEY_LIST, "SELECT " APIKEY_COLS " FROM apikeys ORDER BY id")                         \
    X(KEY_REVOKE, "UPDATE apikeys SET revoked = 1 WHERE id = ?1")                          \
    X(EV_GET, "SELECT " EVENT_COLS " FROM events WHERE id = ?1")                           \
    X(EV_SCAN, "SELECT " EVENT_COLS " FROM events WHERE id > ?1 ORDER BY id LIMIT ?2")     \
    X(LEAF_INSERT, "INSERT INTO ledger_leaves (idx, event_id, hash) VALUES (?1, ?2, ?3)")  \
    X(LEAF_AROUND, "SELECT (SELECT event_id FROM ledger_leaves WHERE idx < ?1 "            \
                   "ORDER BY idx DESC LIMIT 1), (SELECT event_id FROM ledger_leaves "      \
                   "WHERE idx > ?1 ORDER BY idx LIMIT 1)")                                 \
    X(LEAF_SCAN, "SELECT idx, event_id, hash FROM ledger_leaves WHERE idx >= ?1 "          \
                 "ORDER BY idx LIMIT ?2")                                                  \
    X(LEAF_OF_EVENT, LEAF_SEARCH("?1", "CAST(0 AS BIGINT)"))                               \
    X(CP_INSERT, "INSERT INTO ledger_checkpoints (size, note, created_at) VALUES (?1, ?2, ?3)") \
    X(CP_LATEST, "SELECT size, note FROM ledger_checkpoints ORDER BY size DESC LIMIT 1")   \
    X(CP_GET, "SELECT note FROM ledger_checkpoints WHERE size = ?1")                       \
    X(SET_GET, "SELECT value FROM settings WHERE key = ?1")                                \
    X(SET_SET, "INSERT INTO settings (key, value) VALUES (?1, ?2) "                        \
               "ON CONFLICT (key) DO UPDATE SET value = excluded.value")                   \
    SQ_SEARCH_STATEMENTS(X)                                                                \
    SQ_LEDGER_STATEMENTS(X)                                                                \
    SQ_INSIGHT_STATEMENTS(X)                                                               \
    SQ_KEYS_STATEMENTS(X)                                                                  \
    SQ_OUTBOX_STATEMENTS(X)                                                                \
    SQ_FEEDBACK_STATEMENTS(X)

/* Personal-data keys and erasure (sqlite_keys.c). */
#define SQ_KEYS_STATEMENTS(X)                                                              \
    X(CKEY_GET, "SELECT wrapped, erased_at FROM customer_keys WHERE customer_id = ?1")    \
    X(CKEY_INSERT, "INSERT INTO customer_keys (customer_id, wrapped, created_at) "         \
                   "VALUES (?1, ?2, ?3)")                                                  \
    X(CKEY_DESTROY, "INSERT INTO customer_keys (customer_id, wrapped, created_at, "        \
                    "erased_at) VALUES (?1, NULL, ?3, ?3) ON CONFLICT (customer_id) "       \
                    "DO UPDATE SET wrapped = NULL, erased_at = excluded.erased_at")        \
    X(ERASE_CUSTOMER, "UPDATE customers SET name = ?2, updated_at = ?3 WHERE id = ?1")     \
    X(ERASE_IDENTITIES, "UPDATE identities SET value = 'erased:' || id "                  \
                        "WHERE customer_id = ?1")                                          \
    X(ERASE_TICKETS, "UPDATE tickets SET subject = CASE WHEN subject IS NULL THEN NULL "   \
                     "ELSE ?2 END, thread = NULL WHERE customer_id = ?1")                  \
    X(ERASE_MESSAGES, "UPDATE messages SET body = ?2, external_id = NULL, analysis = NULL " \
                      "WHERE ticket_id IN (SELECT id FROM tickets WHERE customer_id = ?1)") \
    X(MERGED_INTO, "SELECT id FROM customers WHERE merged_into = ?1 ORDER BY id")          \
    X(FTS_ADD_MESSAGE, "INSERT INTO messages_fts (rowid, body) VALUES (?1, ?2)")          \
    X(FTS_ADD_TICKET, "INSERT INTO tickets_fts (rowid, subject) VALUES (?1, ?2)")         \
    X(FTS_ADD_CUSTOMER, "INSERT INTO customers_fts (rowid, name) VALUES (?1, ?2)")        \
    X(FTS_TEXT_MESSAGE, "SELECT body FROM messages WHERE id = ?1")                          \
    X(FTS_TEXT_TICKET, "SELECT subject FROM tickets WHERE id = ?1")                         \
    X(FTS_TEXT_CUSTOMER, "SELECT name FROM customers WHERE id = ?1")                        \
    X(FTS_OPT_MESSAGES, "INSERT INTO messages_fts (messages_fts) VALUES ('optimize')")     \
    X(FTS_OPT_TICKETS, "INSERT INTO tickets_fts (tickets_fts) VALUES ('optimize')")        \
    X(FTS_OPT_CUSTOMERS, "INSERT INTO customers_fts (customers_fts) VALUES ('optimize')") \

/* Surveys, alerts and the negative messages of the spike baseline
 * (sqlite_feedback.c). */
#define SQ_FEEDBACK_STATEMENTS(X)                                                          \
    X(SURVEY_INSERT, "INSERT INTO surveys (token_hash, ticket_id, customer_id, created_at) " \
                     "VALUES (?1, ?2, ?3, ?4)")                                            \
    X(SURVEY_FIND, "SELECT " SURVEY_COLS " FROM surveys WHERE token_hash = ?1")            \
    X(SURVEY_ANSWER, "UPDATE surveys SET answered_at = ?2, score = ?3, nps = ?4, "          \
                     "comment = ?5, analysis = ?6 WHERE id = ?1 AND answered_at = 0")      \
    X(SURVEY_GET, "SELECT " SURVEY_COLS " FROM surveys WHERE id = ?1")                     \
    X(ALERT_INSERT, "INSERT INTO alerts (kind, category, metric, size, expected, observed, " \
                    "ticket_ids, detail, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)") \
    X(ALERT_GET, "SELECT " ALERT_COLS " FROM alerts WHERE id = ?1")                        \
    X(ALERT_LIST, "SELECT " ALERT_COLS " FROM alerts WHERE ?1 = 0 OR acknowledged_at = 0 "  \
                  "ORDER BY id DESC LIMIT ?2")                                             \
    X(ALERT_ACK, "UPDATE alerts SET acknowledged_by = ?2, acknowledged_at = ?3 "           \
                 "WHERE id = ?1 AND acknowledged_at = 0")                                  \
    X(NEGATIVE_SCAN, "SELECT m.created_at, m.ticket_id, t.category FROM messages m "       \
                     "JOIN tickets t ON t.id = m.ticket_id WHERE m.created_at >= ?1 "      \
                     "AND m.kind = 0 AND CASE WHEN json_valid(m.analysis) THEN "           \
                     "json_extract(m.analysis, '$.sentiment') END < ?2 "                   \
                     "ORDER BY m.created_at, m.id")

/* Knowledge base, ticket search and chats (sqlite_search.c). */
#define SQ_SEARCH_STATEMENTS(X)                                                            \
    X(KB_INSERT, "INSERT INTO kb_articles (language, title, category, body, created_at, "  \
                 "updated_at) VALUES (?2, ?3, ?4, ?5, ?6, ?7)")                            \
    X(KB_UPDATE, "UPDATE kb_articles SET language = ?2, title = ?3, category = ?4, "       \
                 "body = ?5, updated_at = ?7 WHERE id = ?1")                               \
    X(KB_GET, "SELECT " KB_COLS " FROM kb_articles WHERE id = ?1")                         \
    X(KB_LIST, "SELECT " KB_COLS " FROM kb_articles WHERE ?1 IS NULL OR language = ?1 "    \
               "ORDER BY id")                                                              \
    X(KB_SEARCH, "SELECT a.id, a.language, a.title, a.category, a.body, a.created_at, "    \
                 "a.updated_at, -bm25(kb_fts, 4.0, 1.0) FROM kb_fts "                      \
                 "JOIN kb_articles a ON a.id = kb_fts.rowid WHERE kb_fts MATCH ?1 "        \
                 "AND (?2 IS NULL OR a.language = ?2) ORDER BY bm25(kb_fts, 4.0, 1.0) "    \
                 "LIMIT ?3")                                                               \
    X(SEARCH_MSG, "SELECT m.ticket_id, snippet(messages_fts, 0, '[', ']', '…', 12), "      \
                  "-bm25(messages_fts) FROM messages_fts JOIN messages m "                 \
                  "ON m.id = messages_fts.rowid WHERE messages_fts MATCH ?1 "              \
                  "ORDER BY messages_fts.rowid DESC LIMIT ?2")                             \
    X(SEARCH_TICKET, "SELECT tickets_fts.rowid, snippet(tickets_fts, 0, '[', ']', '…', 12), " \
                     "-bm25(tickets_fts) FROM tickets_fts WHERE tickets_fts MATCH ?1 "     \
                     "ORDER BY tickets_fts.rowid DESC LIMIT ?2")                           \
    X(SEARCH_CUSTOMER, "SELECT t.id, c.name, -bm25(customers_fts) FROM customers_fts "     \
                       "JOIN customers c ON c.id = customers_fts.rowid "                   \
                       "JOIN tickets t ON t.customer_id = c.id "                           \
                       "WHERE customers_fts MATCH ?1 "                                     \
                       "ORDER BY customers_fts.rowid DESC, t.id DESC LIMIT ?2")            \
    X(CHAT_INSERT, "INSERT INTO chats (token_hash, customer_id, ticket_id, language, "     \
                   "handoff, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")                 \
    X(CHAT_GET, "SELECT " CHAT_COLS " FROM chats WHERE id = ?1")                           \
    X(CHAT_UPDATE, "UPDATE chats SET customer_id = ?2, ticket_id = ?3, handoff = ?4 "      \
                   "WHERE id = ?1")                                                        \
    X(CANNED_INSERT, "INSERT INTO canned_responses (language, title, body, emotion, "      \
                     "category, created_at, updated_at) VALUES (?2, ?3, ?4, ?5, ?6, ?7, ?8)") \
    X(CANNED_UPDATE, "UPDATE canned_responses SET language = ?2, title = ?3, body = ?4, "  \
                     "emotion = ?5, category = ?6, updated_at = ?8 WHERE id = ?1")         \
    X(CANNED_DELETE, "DELETE FROM canned_responses WHERE id = ?1")                         \
    X(CANNED_GET, "SELECT " CANNED_COLS " FROM canned_responses WHERE id = ?1")            \
    X(CANNED_LIST, "SELECT " CANNED_COLS " FROM canned_responses "                         \
                   "WHERE ?1 IS NULL OR language = ?1 ORDER BY id")

/* Witnesses and cosignatures (sqlite_ledger.c). */
#define SQ_LEDGER_STATEMENTS(X)                                                            \
    X(WIT_INSERT, "INSERT INTO ledger_witnesses (name, vkey, created_at) VALUES (?1, ?2, ?3)") \
    X(WIT_LIST, "SELECT id, name, vkey, created_at FROM ledger_witnesses ORDER BY name")   \
    X(COSIG_INSERT, "INSERT INTO ledger_cosignatures (size, witness, line, created_at) "   \
                    "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (size, witness) DO UPDATE SET "   \
                    "line = excluded.line, created_at = excluded.created_at")              \
    X(COSIG_LINES, "SELECT line FROM ledger_cosignatures WHERE size = ?1 ORDER BY witness") \
    X(COSIG_LATEST, "SELECT max(size) FROM ledger_cosignatures")                           \
    X(DISPUTE_INSERT, "INSERT INTO disputes (ticket_id, question, quorum, status, decision, " \
                      "created_by, created_at, decided_at, decision_event_id) VALUES "     \
                      "(?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")                             \
    X(DISPUTE_REVIEWER, "INSERT INTO dispute_reviewers (dispute_id, user_id) VALUES (?1, ?2)") \
    X(DISPUTE_GET, "SELECT " DISPUTE_COLS " FROM disputes WHERE id = ?1")                  \
    X(DISPUTE_REVIEWERS, "SELECT user_id FROM dispute_reviewers WHERE dispute_id = ?1 "    \
                         "ORDER BY user_id")                                               \
    X(DISPUTE_VOTES, "SELECT user_id, decision, reason, event_id, created_at FROM "        \
                     "dispute_votes WHERE dispute_id = ?1 ORDER BY event_id")              \
    X(DISPUTE_UPDATE, "UPDATE disputes SET status = ?5, decision = ?6, decided_at = ?9, "  \
                      "decision_event_id = ?10 WHERE id = ?1")                             \
    X(VOTE_INSERT, "INSERT INTO dispute_votes (dispute_id, user_id, decision, reason, "    \
                   "event_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")                \
    X(DISPUTE_LIST, "SELECT " DISPUTE_COLS " FROM disputes WHERE ?1 IS NULL OR status = ?1 " \
                    "ORDER BY id DESC LIMIT ?2")                                           \
    X(ERASE_DISPUTES, "UPDATE disputes SET question = ?2 WHERE ticket_id IN "              \
                      "(SELECT id FROM tickets WHERE customer_id = ?1)")                   \
    X(ERASE_VOTES, "UPDATE dispute_votes SET reason = ?2 WHERE reason IS NOT NULL AND "    \
                   "dispute_id IN (SELECT d.id FROM disputes d JOIN tickets t ON "         \
                   "t.id = d.ticket_id WHERE t.customer_id = ?1)")

/* Drill-down facts, orders (sqlite_insight.c). */
#define SQ_INSIGHT_STATEMENTS(X)                                                           \
    X(FACT_INSERT, "INSERT INTO metric_facts (kind, at, ticket_id, agent, category, "      \
                   "channel, priority, value, label, event_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, " \
                   "?7, ?8, ?9, ?10) ON CONFLICT (event_id, kind) DO NOTHING")             \
    X(FACT_WITHDRAW, "DELETE FROM metric_facts WHERE ticket_id = ?2 AND kind = ?1")         \
    X(FACT_LIST, "SELECT " FACT_COLS " FROM metric_facts WHERE kind = ?1 AND at >= ?2 "    \
                 "AND at < ?3 AND (?4 = 0 OR (?4 = 3 AND channel = ?5) OR (?4 = 4 AND "    \
                 "priority = ?5)) AND (?6 = 0 OR label = ?7) ORDER BY at LIMIT ?8")       \
    X(FACT_LIST_AGENT, "SELECT " FACT_COLS " FROM metric_facts WHERE kind = ?1 AND "       \
                       "agent = ?2 AND at >= ?3 AND at < ?4 AND (?5 = 0 OR label = ?6) "   \
                       "ORDER BY at LIMIT ?7")                                             \
    X(FACT_LIST_CATEGORY, "SELECT " FACT_COLS " FROM metric_facts WHERE kind = ?1 AND "    \
                          "category = ?2 AND at >= ?3 AND at < ?4 AND (?5 = 0 OR label = " \
                          "?6) ORDER BY at LIMIT ?7")                                      \
    X(ORDER_INSERT, "INSERT INTO orders (external_id, customer_id, amount_cents, currency, " \
                    "upsell, ordered_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")  \
    X(ORDER_TOTALS, ORDER_TOTALS_SQL("?1", "?2"))                                          \
    X(CONFLICT_CUSTOMERS, CONFLICT_SQL("?1", "?2", "?3", "?4"))                            \
    X(CONFLICT_FACTS, CONFLICT_FACTS_SQL("?1", "?2", "?3", "?4"))                          \
    X(CONFLICT_SCAN, CONFLICT_SCAN_SQL("?1"))                                              \
    X(TICKET_FACTS, TICKET_FACTS_SQL("?1", "?2"))

/* The outbox, webhooks and attachments (sqlite_outbox.c). */
#define SQ_OUTBOX_STATEMENTS(X)                                                            \
    X(DLV_INSERT, "INSERT OR IGNORE INTO outbox (kind, status, message_id, ticket_id, "    \
                  "event_id, webhook_id, payload, attempts, last_error, next_attempt_at, " \
                  "created_at, updated_at) VALUES (?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "  \
                  "?11, ?12, ?13)")                                                        \
    X(DLV_GET, "SELECT " DELIVERY_COLS " FROM outbox WHERE id = ?1")                       \
    X(DLV_UPDATE, "UPDATE outbox SET status = ?3, attempts = ?9, last_error = ?10, "       \
                  "next_attempt_at = ?11, updated_at = ?13 WHERE id = ?1")                 \
    X(DLV_DUE, "SELECT " DELIVERY_COLS " FROM outbox WHERE status IN (0, 2) "              \
               "AND next_attempt_at <= ?1 AND ((1 << kind) & ?2) != 0 "                    \
               "ORDER BY next_attempt_at, id LIMIT ?3")                                    \
    X(DLV_TICKET, "SELECT " DELIVERY_COLS " FROM outbox WHERE ticket_id = ?1 AND kind = 0 " \
                  "ORDER BY id")                                                           \
    X(DLV_MESSAGE, "SELECT " DELIVERY_COLS " FROM outbox WHERE message_id = ?1 "           \
                   "AND kind = 0")                                                         \
    X(HOOK_INSERT, "INSERT INTO webhooks (url, events, secret, created_by, created_at) "   \
                   "VALUES (?1, ?2, ?3, ?4, ?5)")                                          \
    X(HOOK_GET, "SELECT " WEBHOOK_COLS " FROM webhooks WHERE id = ?1")                     \
    X(HOOK_LIST, "SELECT " WEBHOOK_COLS " FROM webhooks ORDER BY id")                      \
    X(HOOK_DELETE, "DELETE FROM webhooks WHERE id = ?1")                                   \
    X(ATT_INSERT, "INSERT INTO attachments (message_id, ticket_id, filename, content_type, " \
                  "size, sha256, created_at, data) VALUES (?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)") \
    X(ATT_GET, "SELECT " ATTACHMENT_COLS ", data FROM attachments WHERE id = ?1")          \
    X(ATT_TICKET, "SELECT " ATTACHMENT_COLS " FROM attachments WHERE ticket_id = ?1 "      \
                  "ORDER BY id")                                                           \
    X(ERASE_ATTACHMENTS, "DELETE FROM attachments WHERE ticket_id IN "                     \
                         "(SELECT id FROM tickets WHERE customer_id = ?1)")

enum sid {
#define SQ_ENUM_(name, sql) S_##name,
    SQ_STATEMENTS(SQ_ENUM_)
#undef SQ_ENUM_
    S__COUNT
};

/* The connection. */
struct shape_stmt {
    unsigned shape;
    sqlite3_stmt *st;
};

/* Rows inserted in the open transaction whose full-text entry is made at
 * its COMMIT (sqlite_fts.c), by table. */
enum fts_table { FTS_MESSAGES, FTS_TICKETS, FTS_CUSTOMERS, FTS__COUNT };
struct fts_pending {
    int64_t *ids;
    size_t n, cap;
};

struct sq {
    struct store base;         /* first: a struct sq * is a struct store * */
    sqlite3 *db;
    sqlite3_stmt *stmts[S__COUNT];
    struct shape_stmt *shapes; /* ticket list/count statements by shape */
    size_t nshapes, capshapes;
    struct fts_pending fts[FTS__COUNT];
    char err[512];
    int claim_fd;              /* the open PATH.lock while claimed, else -1 */
    /* The last log leaf this connection inserted (sq_leaf_insert), until
     * a rollback: the next one in order needs no look at its neighbours. */
    int leaf_known;
    int64_t leaf_idx, leaf_event;
};

static inline struct sq *SQ(struct store *st)
{
    return (struct sq *)st;
}

static inline void done(sqlite3_stmt *q)
{
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
}

static inline void bind_text(sqlite3_stmt *q, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(q, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, i);
}

static inline void bind_i64(sqlite3_stmt *q, int i, int64_t v)
{
    sqlite3_bind_int64(q, i, v);
}

static inline char *col_str(sqlite3_stmt *q, int i)
{
    const unsigned char *t = sqlite3_column_text(q, i);
    return t ? xstrdup((const char *)t) : NULL;
}

static inline int64_t col_i64(sqlite3_stmt *q, int i)
{
    return sqlite3_column_int64(q, i);
}

static inline int col_int(sqlite3_stmt *q, int i)
{
    return sqlite3_column_int(q, i);
}

/* sqlite.c */
/* Records the connection's error in s->err and maps a SQLite code. */
int sq__fail(struct sq *s, int rc);
/* Prepares sql (uncached); NULL and s->err on error. */
sqlite3_stmt *sq__prepare(struct sq *s, const char *sql);
/* The cached statement id, prepared on first use; NULL and s->err on error. */
sqlite3_stmt *sq__stmt(struct sq *s, enum sid id);
/* Runs a bound statement to completion and resets it. */
int sq__run(struct sq *s, sqlite3_stmt *q);
/* Steps once: 1 = a row is ready, 0 = done, or a PL_E* code. */
int sq__next(struct sq *s, sqlite3_stmt *q);
/* Runs a bound write that must touch a row (PL_ENOTFOUND otherwise). */
int sq__write_one(struct sq *s, sqlite3_stmt *q);
/* Runs a bound INSERT; *id = the new rowid. */
int sq__insert(struct sq *s, sqlite3_stmt *q, int64_t *id);
void sq__close(struct store *st);
int sq__claim(struct store *st, const char *who, struct store_holder *holder);
const char *sq__errmsg(struct store *st);
int sq__schema_version(struct store *st, int *version);
int sq__migrate(struct store *st);
int sq__begin(struct store *st);
int sq__commit(struct store *st);
int sq__rollback(struct store *st);
int sq__savepoint(struct store *st);
int sq__release(struct store *st);
int sq__rollback_to(struct store *st);

/* sqlite_fts.c */
/* A new row of an indexed table: indexed now outside a transaction, else
 * at COMMIT (sq__fts_flush). */
int sq__fts_added(struct sq *s, enum fts_table t, int64_t id);
/* Before an UPDATE that may change the indexed text of row id to text:
 * a row still waiting for its entry gets it now, so the update trigger
 * replaces an entry that exists. */
int sq__fts_before_update(struct sq *s, enum fts_table t, int64_t id, const char *text);
/* Makes the entries of every waiting row (before COMMIT and before bulk
 * updates); forgets them after a ROLLBACK (sq__fts_forget). */
int sq__fts_flush(struct sq *s);
void sq__fts_forget(struct sq *s);

/* sqlite_ops.c */
extern const struct store_ops sq__ops;

#define STMT_OR_FAIL(q, s, id)       \
    sqlite3_stmt *q = sq__stmt(s, id);   \
    if (!q)                          \
        return PL_EDB

#endif
