/* search_internal.h — shared by the backends' knowledge-base, ticket
 * search and chat operations (search.c, sqlite_search.c,
 * postgres_search.c). Not for use outside src/store/. */
#ifndef PARLEY_STORE_SEARCH_INTERNAL_H
#define PARLEY_STORE_SEARCH_INTERNAL_H

#include "store/store.h"

#define STORE_Q_FTS5 0
#define STORE_Q_TSQUERY 1
#define STORE_QUERY_MAX_WORDS 16
#define STORE_SEARCH_MAX 100
/* Ticket search ranks only the newest matches — an index walk that stops
 * early, where ranking every match of a common word at a million tickets
 * takes seconds — reading this many messages per hit asked, since a
 * ticket's messages often share their words. */
#define STORE_SEARCH_MSG_PER_HIT 4

#define KB_COLS "id, language, title, category, body, created_at, updated_at"
#define CANNED_COLS "id, language, title, body, emotion, category, created_at, updated_at"
#define CHAT_COLS "id, token_hash, customer_id, ticket_id, language, handoff, created_at"

#define FACT_COLS "kind, at, ticket_id, agent, category, channel, priority, value, label, " \
                  "event_id"
/* Orders in [from, to), and those by a customer with a ticket resolved
 * before the order (tickets_customer_thread serves the lookup). */
#define ORDER_TOTALS_SQL(from, to)                                                         \
    "SELECT count(*), coalesce(sum(amount_cents), 0), coalesce(sum(r), 0), "              \
    "coalesce(sum(r * amount_cents), 0), coalesce(sum(u), 0), "                            \
    "coalesce(sum(u * amount_cents), 0) FROM (SELECT amount_cents, CASE WHEN back AND "    \
    "upsell = 0 THEN 1 ELSE 0 END AS r, CASE WHEN back AND upsell <> 0 THEN 1 ELSE 0 END " \
    "AS u FROM (SELECT o.amount_cents, o.upsell, EXISTS (SELECT 1 FROM tickets t WHERE "   \
    "t.customer_id = o.customer_id AND t.resolved_at > 0 AND t.resolved_at <= "            \
    "o.ordered_at) AS back FROM orders o WHERE o.ordered_at >= " from " AND "               \
    "o.ordered_at < " to ") x) y"
/* A conflict ticket: escalated, or read as angry or frustrated. */
#define CONFLICT_TICKET "(escalated <> 0 OR emotion IN ('anger', 'frustration'))"
/* Conflict customers of [from, to); those whose first conflict ticket of
 * the period is before cut; and of these, those who ordered within window
 * after it (store.h conflict_customers). */
#define CONFLICT_SQL(from, to, cut, window)                                                \
    "SELECT count(*), coalesce(sum(CASE WHEN c.first < " cut " THEN 1 ELSE 0 END), 0), "   \
    "coalesce(sum(CASE WHEN c.first < " cut " AND EXISTS (SELECT 1 FROM orders o WHERE "   \
    "o.customer_id = c.customer_id AND o.ordered_at > c.first AND o.ordered_at <= "        \
    "c.first + " window ") THEN 1 ELSE 0 END), 0) FROM (SELECT customer_id, "              \
    "min(created_at) AS first FROM tickets WHERE created_at >= " from " AND created_at < " \
    to " AND " CONFLICT_TICKET " GROUP BY customer_id) c"
/* The sum of the values of the facts of a kind before until on conflict
 * tickets created in [from, to): per conflict ticket (tickets_conflict),
 * its facts (metric_facts_ticket), so the cost follows the conflicts and
 * not every resolution of the period. The unary + keeps SQLite's planner,
 * which has no statistics, off metric_facts_kind_at (every fact of the
 * kind before until, for each ticket). */
#define CONFLICT_FACTS_SQL(kind, from, to, until)                                          \
    "SELECT CAST(coalesce(sum((SELECT sum(f.value) FROM metric_facts f WHERE "             \
    "f.ticket_id = c.id AND +f.kind = " kind " AND +f.at < " until ")), 0) AS BIGINT) "     \
    "FROM "                                                                                \
    "(SELECT id FROM tickets WHERE created_at >= " from " AND created_at < " to " AND "    \
    CONFLICT_TICKET ") c"

/* The conflict tickets, the orders and the facts of a kind, and the facts
 * of a kind of one ticket (store.h conflict_scan, ticket_facts). */
#define CONFLICT_SCAN_SQL(kind)                                                            \
    "SELECT 0, id, created_at, customer_id FROM tickets WHERE " CONFLICT_TICKET            \
    " UNION ALL SELECT 1, id, ordered_at, customer_id FROM orders UNION ALL SELECT 2, "    \
    "ticket_id, at, CAST(value AS BIGINT) FROM metric_facts WHERE kind = " kind
#define TICKET_FACTS_SQL(kind, ticket)                                                     \
    "SELECT 2, ticket_id, at, CAST(value AS BIGINT) FROM metric_facts WHERE ticket_id = "  \
    ticket " AND kind = " kind

/* The words of q as a full-text query in `style` (FTS5 MATCH or
 * to_tsquery text), each word quoted, joined by OR (any) or AND; NULL
 * when q has no words. Caller frees. */
char *store__query_words(const char *q, int style, int any);
/* Collects hits by ticket (best score, first snippet kept), then sorts
 * them best first and keeps at most limit. */
void store__hits_add(struct search_hit **v, size_t *n, size_t *cap, int64_t ticket_id,
                     const char *snippet, double score);
void store__hits_finish(struct search_hit *v, size_t *n, int limit);

/* The backends' operations (sqlite_search.c, postgres_search.c). */
int sq__kb_insert(struct store *st, struct kb_article *a);
int sq__kb_update(struct store *st, const struct kb_article *a);
int sq__kb_get(struct store *st, int64_t id, struct kb_article *out);
int sq__kb_list(struct store *st, const char *language, struct kb_article **out, size_t *n);
int sq__kb_search(struct store *st, const char *query, const char *language, int limit,
                  struct kb_article **out, size_t *n);
int sq__ticket_search(struct store *st, const char *query, int limit, struct search_hit **out,
                      size_t *n);
int sq__canned_insert(struct store *st, struct canned_response *c);
int sq__canned_update(struct store *st, const struct canned_response *c);
int sq__canned_delete(struct store *st, int64_t id);
int sq__canned_get(struct store *st, int64_t id, struct canned_response *out);
int sq__canned_list(struct store *st, const char *language, struct canned_response **out,
                    size_t *n);
int sq__chat_insert(struct store *st, struct chat *c);
int sq__chat_get(struct store *st, int64_t id, struct chat *out);
int sq__chat_update(struct store *st, const struct chat *c);

int sq__fact_insert(struct store *st, const struct metric_fact *f);
int sq__fact_withdraw(struct store *st, int kind, int64_t ticket_id);
int sq__fact_list(struct store *st, const struct fact_filter *f, struct metric_fact **out,
                  size_t *n);
int sq__order_insert(struct store *st, struct order *o);
int sq__order_totals(struct store *st, int64_t from, int64_t to, struct order_totals *out);
int sq__conflict_customers(struct store *st, int64_t from, int64_t to, int64_t cut,
                           int64_t window, int64_t *customers, int64_t *measured,
                           int64_t *retained);
int sq__conflict_facts(struct store *st, int kind, int64_t from, int64_t to, int64_t until,
                       int64_t *sum);
int sq__conflict_scan(struct store *st, int kind,
                      int (*fn)(void *ctx, int what, int64_t id, int64_t at, int64_t v),
                      void *ctx);
int sq__ticket_facts(struct store *st, int kind, int64_t ticket_id,
                     int (*fn)(void *ctx, int what, int64_t id, int64_t at, int64_t v),
                     void *ctx);

int pg__kb_insert(struct store *st, struct kb_article *a);
int pg__kb_update(struct store *st, const struct kb_article *a);
int pg__kb_get(struct store *st, int64_t id, struct kb_article *out);
int pg__kb_list(struct store *st, const char *language, struct kb_article **out, size_t *n);
int pg__kb_search(struct store *st, const char *query, const char *language, int limit,
                  struct kb_article **out, size_t *n);
int pg__ticket_search(struct store *st, const char *query, int limit, struct search_hit **out,
                      size_t *n);
int pg__canned_insert(struct store *st, struct canned_response *c);
int pg__canned_update(struct store *st, const struct canned_response *c);
int pg__canned_delete(struct store *st, int64_t id);
int pg__canned_get(struct store *st, int64_t id, struct canned_response *out);
int pg__canned_list(struct store *st, const char *language, struct canned_response **out,
                    size_t *n);
int pg__chat_insert(struct store *st, struct chat *c);
int pg__chat_get(struct store *st, int64_t id, struct chat *out);
int pg__chat_update(struct store *st, const struct chat *c);

int pg__fact_insert(struct store *st, const struct metric_fact *f);
int pg__fact_withdraw(struct store *st, int kind, int64_t ticket_id);
int pg__fact_list(struct store *st, const struct fact_filter *f, struct metric_fact **out,
                  size_t *n);
int pg__order_insert(struct store *st, struct order *o);
int pg__order_totals(struct store *st, int64_t from, int64_t to, struct order_totals *out);
int pg__conflict_customers(struct store *st, int64_t from, int64_t to, int64_t cut,
                           int64_t window, int64_t *customers, int64_t *measured,
                           int64_t *retained);
int pg__conflict_facts(struct store *st, int kind, int64_t from, int64_t to, int64_t until,
                       int64_t *sum);
int pg__conflict_scan(struct store *st, int kind,
                      int (*fn)(void *ctx, int what, int64_t id, int64_t at, int64_t v),
                      void *ctx);
int pg__ticket_facts(struct store *st, int kind, int64_t ticket_id,
                     int (*fn)(void *ctx, int what, int64_t id, int64_t at, int64_t v),
                     void *ctx);

#endif
