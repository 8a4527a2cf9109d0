/* store.h — Parley's storage interface.
 *
 * One interface, two backends (SQLite and PostgreSQL) side by side in this
 * folder, chosen by URL: "sqlite:PATH" or "postgresql://..." (also
 * "postgres://..."). Nothing outside src/store/ writes SQL.
 *
 * A struct store is ONE connection, used by one thread at a time. The
 * server opens one writer connection (the desk's writer thread) and one
 * reader per HTTP worker thread.
 *
 * Conventions for every operation:
 *   - returns 0 on success or a negative PL_E* code: PL_ENOTFOUND when the
 *     row does not exist, PL_EEXISTS on a unique-key clash, PL_EDB for
 *     anything the database refused (store_errmsg() has its message);
 *   - *_insert() fills in the id (and created_at when it was 0);
 *   - "out" structs are filled with freshly allocated strings that the
 *     caller frees with the model's *_clear();
 *   - list results are arrays the caller frees with store_free_*();
 *   - every statement is prepared once per connection and reused.
 */
#ifndef PARLEY_STORE_STORE_H
#define PARLEY_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "model/model.h"

struct store;

/* Filter, sort and page for ticket lists. After ticket_filter_init():
 * everything, newest first, default limit. (A plain zeroed struct means
 * priority "low" and assignee "unassigned": always start from init.) */
enum ticket_sort { TSORT_CREATED, TSORT_UPDATED, TSORT_PRIORITY };

struct ticket_filter {
    unsigned status_mask;      /* bit (1u << status); 0 = any */
    int priority;              /* enum priority, or -1 = any (set by ticket_filter_init) */
    int64_t assignee_id;       /* -1 = any, 0 = unassigned, >0 = that user */
    int64_t customer_id;       /* 0 = any */
    const char *category;      /* NULL = any */
    enum ticket_sort sort;
    int ascending;             /* default descending */
    int has_cursor;            /* continue after (cursor_key, cursor_id) */
    int64_t cursor_key;        /* value of the sort column of the last row seen */
    int64_t cursor_id;         /* id of the last row seen */
    int limit;                 /* 1..500; 0 = 50 */
};

void ticket_filter_init(struct ticket_filter *f);
/* The value of f->sort's column for t (for building the next cursor). */
int64_t ticket_sort_key(enum ticket_sort sort, const struct ticket *t);

struct event_filter {
    int64_t after_id;          /* only events with id > after_id */
    int64_t ticket_id;         /* 0 = any */
    int64_t customer_id;       /* 0 = any */
    int limit;                 /* 0 = 100, at most 1000 */
};

struct apikey {
    int64_t id;
    char *name;
    enum role role;            /* what the key may do; ROLE_INTEGRATION by default */
    int64_t created_by;
    int64_t created_at;
    int revoked;
};
void apikey_clear(struct apikey *k);

/* A knowledge-base article (ru/en). score: set by kb_search (higher =
 * better match), 0 otherwise. */
struct kb_article {
    int64_t id;
    char *language;            /* "ru" or "en" */
    char *title;
    char *category;            /* optional */
    char *body;
    int64_t created_at;
    int64_t updated_at;
    double score;
};
void kb_article_clear(struct kb_article *a);
void store_free_kb_articles(struct kb_article *v, size_t n);

/* A canned response (docs/api.md, "Canned responses"): a ready answer in
 * one language, optionally tagged with the emotion and/or the category it
 * fits (NULL = any). */
struct canned_response {
    int64_t id;
    char *language;            /* "ru" or "en" */
    char *title;
    char *body;
    char *emotion;             /* e.g. "anger"; NULL = any */
    char *category;            /* e.g. "billing"; NULL = any */
    int64_t created_at;
    int64_t updated_at;
};
void canned_response_clear(struct canned_response *c);
void store_free_canned(struct canned_response *v, size_t n);

/* A ticket found by full-text search, with a snippet of what matched. */
struct search_hit {
    int64_t ticket_id;
    char *snippet;
    double score;              /* higher = better */
};
void store_free_search_hits(struct search_hit *v, size_t n);

/* A live-chat conversation: the customer's token (hex SHA-256 stored),
 * its ticket, and whether a human took over. */
struct chat {
    int64_t id;
    char *token_hash;
    int64_t customer_id;
    int64_t ticket_id;
    char *language;
    int handoff;
    int64_t created_at;
};
void chat_clear(struct chat *c);

/* A witness the log accepts cosignatures from (docs/ledger.md): its key
 * name and its cosignature/v1 verifier key string. */
struct witness {
    int64_t id;
    char *name;
    char *vkey;
    int64_t created_at;
};
void witness_clear(struct witness *w);
void store_free_witnesses(struct witness *v, size_t n);
/* A fact behind a service metric, kept for drill-down (struct
 * insight_fact in src/insight/metrics.h: kind, value and label mean the
 * same). category NULL = none. */
struct metric_fact {
    int64_t event_id;          /* the event that produced it: (event_id, kind) is unique */
    int kind;
    int64_t ticket_id, at, agent;
    char *category;
    int channel, priority;
    double value;              /* NaN is stored as NULL */
    int label;
};
void store_free_facts(struct metric_fact *v, size_t n);

/* Facts of one kind in [from, to), optionally of one dimension value
 * (dim as enum insight_dim: 0 all, 1 agent, 2 category, 3 channel,
 * 4 priority; value, or category for dim 2) and one label (has_label),
 * oldest first, at most limit (1..1000). Served by the (kind, at) index,
 * or (kind, agent, at) and (kind, category, at) for those dimensions: the
 * cost follows the period, not the database. */
struct fact_filter {
    int kind;
    int64_t from, to;
    int dim;
    int64_t value;
    const char *category;
    int has_label, label;
    int limit;
};

/* An order, for the ROI's repeat and upsell revenue (docs/insight.md). */
struct order {
    int64_t id;
    char *external_id;         /* the shop's order number; unique when given */
    int64_t customer_id;
    int64_t amount_cents;      /* in minor units */
    char *currency;
    int upsell;                /* an upsell / cross-sell order */
    int64_t ordered_at;
    int64_t created_at;
};
void order_clear(struct order *o);

/* Orders placed in [from, to): all of them, and those placed by a
 * customer who had a ticket resolved before the order (split into repeat
 * = not upsell, and upsell). */
struct order_totals {
    int64_t orders, cents;
    int64_t repeat_orders, repeat_cents;
    int64_t upsell_orders, upsell_cents;
};
/* A CSAT survey sent on resolution (docs/insight.md): the single-use
 * token is stored as its hex SHA-256. answered_at 0 = not answered yet;
 * nps -1 = not given; analysis = the text engine's JSON of the comment. */
struct survey {
    int64_t id;
    char *token_hash;
    int64_t ticket_id;
    int64_t customer_id;
    int64_t created_at;
    int64_t answered_at;
    int score;                 /* 1..5 once answered */
    int nps;                   /* 0..10, or -1 */
    char *comment;
    char *analysis;
};
void survey_clear(struct survey *s);

/* An alert: a complaint spike, a deviation from a service standard, an
 * off-track goal... ticket_ids is a JSON array text of sample tickets,
 * detail a JSON object text (or NULL) with what the detector said. */
struct alert {
    int64_t id;
    char *kind;                /* "spike", "deviation", ... */
    char *category;            /* NULL = none */
    char *metric;              /* NULL = none */
    double size, expected, observed;
    char *ticket_ids;
    char *detail;
    int64_t created_at;
    int64_t acknowledged_by;   /* user id, 0 = open */
    int64_t acknowledged_at;
};
void alert_clear(struct alert *a);
void store_free_alerts(struct alert *v, size_t n);

/* A dispute panel (docs/ledger.md): reviewers vote "uphold" or "reject"
 * on a question about a ticket; `quorum` equal votes decide it. status:
 * "open", "decided", or "deadlocked" (no decision can reach the quorum
 * any more). */
struct dispute_vote {
    int64_t user_id;
    char *decision;            /* "uphold" or "reject" */
    char *reason;              /* optional */
    int64_t event_id;          /* the dispute.vote event */
    int64_t created_at;
};
struct dispute {
    int64_t id;
    int64_t ticket_id;
    char *question;
    int quorum;
    char *status;
    char *decision;            /* NULL until decided */
    int64_t created_by;        /* user id, 0 = system */
    int64_t created_at;
    int64_t decided_at;        /* 0 until decided */
    int64_t decision_event_id; /* the dispute.decided event, 0 until then */
    int64_t *reviewers;        /* user ids, ascending */
    size_t nreviewers;
    struct dispute_vote *votes;    /* in the order cast */
    size_t nvotes;
};
void dispute_clear(struct dispute *d);
void store_free_disputes(struct dispute *v, size_t n);
/* An outbound delivery in the outbox (docs/channels.md): the e-mail of an
 * outbound message (kind e-mail, one per message) or one webhook call for
 * an event (kind webhook, payload = the JSON body). Written in the
 * transaction of the change that causes it; the delivery thread sends it
 * and records every attempt. */
enum delivery_kind { DELIVERY_EMAIL, DELIVERY_WEBHOOK, DELIVERY__COUNT };
enum delivery_status { DELIVERY_QUEUED, DELIVERY_SENT, DELIVERY_RETRYING, DELIVERY_FAILED,
                       DELIVERY_STATUS__COUNT };
struct delivery {
    int64_t id;
    enum delivery_kind kind;
    enum delivery_status status;
    int64_t message_id;        /* e-mail: the message sent; 0 = none */
    int64_t ticket_id;         /* 0 = none */
    int64_t event_id;          /* webhook: the event announced */
    int64_t webhook_id;        /* webhook: the subscription */
    char *payload;             /* a body kept with the row; NULL = built when sent
                                * (the desk builds webhook bodies from the event) */
    int attempts;
    char *last_error;          /* NULL = none */
    int64_t next_attempt_at;   /* when it is due (queued, retrying) */
    int64_t created_at;
    int64_t updated_at;
};
void delivery_clear(struct delivery *d);
void store_free_deliveries(struct delivery *v, size_t n);

/* A webhook subscription: events is a comma-separated list of event
 * types (or "*"); secret signs the calls (kept in clear: HMAC needs it). */
struct webhook {
    int64_t id;
    char *url;
    char *events;
    char *secret;
    int64_t created_by;
    int64_t created_at;
};
void webhook_clear(struct webhook *w);
void store_free_webhooks(struct webhook *v, size_t n);

/* A file attached to an inbound e-mail. data/len: the content (only filled
 * by attachment_get; lists leave it NULL). */
struct attachment {
    int64_t id;
    int64_t message_id;
    int64_t ticket_id;
    char *filename;            /* NULL when unnamed */
    char *content_type;
    int64_t size;
    char sha256[65];           /* hex */
    unsigned char *data;
    size_t len;
    int64_t created_at;
};
void attachment_clear(struct attachment *a);
void store_free_attachments(struct attachment *v, size_t n);

/* Who holds a database's claim (store_ops.claim): the process id (0 when
 * the backend cannot tell) and what it runs ("serve", "import", ...; ""
 * when unknown). */
struct store_holder {
    long pid;
    char who[64];
};

/* The table of operations a backend provides (after SQLite's io_methods:
 * `version` lets the table grow without breaking older backends). */
struct store_ops {
    int version;
    const char *name;          /* "sqlite" or "postgresql" */

    void (*close)(struct store *st);
    const char *(*errmsg)(struct store *st);

    /* Applies pending numbered migrations; idempotent. */
    int (*migrate)(struct store *st);
    /* Current schema version (highest applied migration). */
    int (*schema_version)(struct store *st, int *version);

    /* Transactions. begin() takes the write lock at once (SQLite: BEGIN
     * IMMEDIATE), so a transaction never fails half-way for lock reasons.
     * Savepoints nest inside a transaction. */
    int (*begin)(struct store *st);
    int (*commit)(struct store *st);
    int (*rollback)(struct store *st);
    int (*savepoint)(struct store *st);      /* SAVEPOINT sp */
    int (*release)(struct store *st);        /* RELEASE sp */
    int (*rollback_to)(struct store *st);    /* ROLLBACK TO sp; RELEASE sp */

    /* Customers and identities. */
    int (*customer_insert)(struct store *st, struct customer *c);
    int (*customer_get)(struct store *st, int64_t id, struct customer *out);
    int (*customer_update)(struct store *st, const struct customer *c);
    /* Finds the identity (kind, normalised value); PL_ENOTFOUND if none. */
    int (*identity_find)(struct store *st, enum identity_kind kind, const char *value,
                         struct identity *out);
    int (*identity_insert)(struct store *st, struct identity *i);
    int (*identity_list)(struct store *st, int64_t customer_id,
                         struct identity **out, size_t *n);
    /* Re-points identities and tickets of customer `from` to `into`. */
    int (*customer_move)(struct store *st, int64_t from, int64_t into);

    /* Tickets. */
    int (*ticket_insert)(struct store *st, struct ticket *t);
    int (*ticket_get)(struct store *st, int64_t id, struct ticket *out);
    /* Writes every mutable field of t (by t->id). */
    int (*ticket_update)(struct store *st, const struct ticket *t);
    /* The most recently updated open (new/open/pending) ticket of the
     * customer: with thread != NULL the one with that thread key; with
     * thread == NULL one on `channel` that has no thread key. */
    int (*ticket_find_open)(struct store *st, int64_t customer_id, enum channel channel,
                            const char *thread, struct ticket *out);
    int (*ticket_list)(struct store *st, const struct ticket_filter *f,
                       struct ticket **out, size_t *n);
    /* Number of tickets matching f (cursor and limit ignored). */
    int (*ticket_count)(struct store *st, const struct ticket_filter *f, int64_t *count);

    /* Messages. */
    int (*message_insert)(struct store *st, struct message *m);
    int (*message_get)(struct store *st, int64_t id, struct message *out);
    int (*message_list)(struct store *st, int64_t ticket_id, struct message **out, size_t *n);
    /* The message with that external id (e.g. e-mail Message-ID). */
    int (*message_find_external)(struct store *st, const char *external_id,
                                 struct message *out);

    /* Events: append-only; never updated or deleted. */
    int (*event_insert)(struct store *st, struct event *e);
    int (*event_list)(struct store *st, const struct event_filter *f,
                      struct event **out, size_t *n);
    int (*event_last_id)(struct store *st, int64_t *id);

    /* Users (agents, supervisors, admins). */
    int (*user_insert)(struct store *st, struct user *u);
    int (*user_get)(struct store *st, int64_t id, struct user *out);
    int (*user_get_by_email)(struct store *st, const char *email, struct user *out);
    int (*user_update)(struct store *st, const struct user *u);
    int (*user_list)(struct store *st, struct user **out, size_t *n);
    int (*user_count)(struct store *st, int64_t *count);

    /* Sessions: token_hash is the hex SHA-256 of the bearer token. */
    int (*session_insert)(struct store *st, const char *token_hash, int64_t user_id,
                          int64_t expires_at);
    /* PL_ENOTFOUND when absent or expired at `now`. */
    int (*session_lookup)(struct store *st, const char *token_hash, int64_t now,
                          int64_t *user_id);
    int (*session_delete)(struct store *st, const char *token_hash);

    /* API keys for integrations; key_hash as for sessions. */
    int (*apikey_insert)(struct store *st, struct apikey *k, const char *key_hash);
    int (*apikey_lookup)(struct store *st, const char *key_hash, struct apikey *out);
    int (*apikey_list)(struct store *st, struct apikey **out, size_t *n);
    int (*apikey_revoke)(struct store *st, int64_t id);

    /* The tamper-evident log (src/ledger/, docs/ledger.md). Leaves are the
     * SHA-256 leaf hashes of events, in log order, idx = 0, 1, 2, ...;
     * written in the same transaction as their event. Event ids increase
     * with idx: leaf_insert answers PL_EEXISTS for a taken idx and for an
     * event id not between its neighbours' (an event logged twice). */
    int (*leaf_insert)(struct store *st, int64_t idx, int64_t event_id,
                       const unsigned char hash[32]);
    /* Calls fn for every leaf with idx >= from, in idx order, until fn
     * returns non-zero (which is then returned). */
    int (*leaf_scan)(struct store *st, int64_t from,
                     int (*fn)(void *ctx, int64_t idx, int64_t event_id,
                               const unsigned char hash[32]),
                     void *ctx);
    /* Calls fn for every event with id > after_id, in id order (for audits
     * and rebuilding aggregates), until fn returns non-zero. */
    int (*event_scan)(struct store *st, int64_t after_id,
                      int (*fn)(void *ctx, const struct event *e), void *ctx);
    int (*event_get)(struct store *st, int64_t id, struct event *out);
    /* The leaf index of an event (no index on event_id: LEAF_SEARCH in
     * store_internal.h); PL_ENOTFOUND if it has none. */
    int (*leaf_of_event)(struct store *st, int64_t event_id, int64_t *idx);
    /* Signed checkpoints (note text) by tree size; the latest one. */
    int (*checkpoint_insert)(struct store *st, int64_t size, const char *note,
                             int64_t created_at);
    int (*checkpoint_latest)(struct store *st, int64_t *size, char **note);
    int (*checkpoint_get)(struct store *st, int64_t size, char **note);

    /* Settings: a small key → JSON text table for configuration
     * (service standards, routing limits, ...). */
    int (*setting_get)(struct store *st, const char *key, char **value);
    int (*setting_set)(struct store *st, const char *key, const char *value);

    /* Knowledge base (docs/chat.md): full-text indexed in the same
     * transaction (SQLite FTS5, PostgreSQL tsvector). kb_list: language
     * NULL = all. kb_search: the words of `query` (any of them), best
     * first, at most limit; language NULL = both. */
    int (*kb_insert)(struct store *st, struct kb_article *a);
    int (*kb_update)(struct store *st, const struct kb_article *a);
    int (*kb_get)(struct store *st, int64_t id, struct kb_article *out);
    int (*kb_list)(struct store *st, const char *language, struct kb_article **out, size_t *n);
    int (*kb_search)(struct store *st, const char *query, const char *language, int limit,
                     struct kb_article **out, size_t *n);
    /* Tickets whose messages, subject or customer name hold every word of
     * query, at most limit, best first among the newest matches (a few
     * per hit asked: the index walk stops there, at any size). The index
     * is kept by triggers / expression indexes, so message_insert etc.
     * maintain it. */
    int (*ticket_search)(struct store *st, const char *query, int limit,
                         struct search_hit **out, size_t *n);
    /* Canned responses: a small curated table, listed whole (language
     * NULL = all) in id order; update/delete answer PL_ENOTFOUND for an
     * unknown id. */
    int (*canned_insert)(struct store *st, struct canned_response *c);
    int (*canned_update)(struct store *st, const struct canned_response *c);
    int (*canned_delete)(struct store *st, int64_t id);
    int (*canned_get)(struct store *st, int64_t id, struct canned_response *out);
    int (*canned_list)(struct store *st, const char *language, struct canned_response **out,
                       size_t *n);
    /* Live-chat conversations. */
    int (*chat_insert)(struct store *st, struct chat *c);
    int (*chat_get)(struct store *st, int64_t id, struct chat *out);
    /* Writes ticket_id and handoff (by c->id). */
    int (*chat_update)(struct store *st, const struct chat *c);

    /* Witnesses and their cosignatures of checkpoints (sqlite_ledger.c,
     * postgres_ledger.c). witness_insert: PL_EEXISTS when the name is
     * taken; witness_list: by name. cosig_insert keeps one line per
     * (size, witness), replacing an earlier one. cosig_lines: the lines of
     * checkpoint `size` joined in witness-name order (new string, "" when
     * none). cosig_latest: the largest size with a cosignature,
     * PL_ENOTFOUND when there is none. */
    int (*witness_insert)(struct store *st, struct witness *w);
    int (*witness_list)(struct store *st, struct witness **out, size_t *n);
    int (*cosig_insert)(struct store *st, int64_t size, const char *witness, const char *line,
                        int64_t created_at);
    int (*cosig_lines)(struct store *st, int64_t size, char **lines);
    int (*cosig_latest)(struct store *st, int64_t *size);

    /* Dispute panels (sqlite_ledger.c, postgres_ledger.c).
     * dispute_insert: the dispute and its reviewers. dispute_get: with
     * reviewers and votes. dispute_update: status, decision, decided_at,
     * decision_event_id. dispute_vote_insert: PL_EEXISTS when that reviewer
     * already voted. dispute_list: newest first, status NULL = any, at
     * most limit (1..500), with reviewers and votes. */
    int (*dispute_insert)(struct store *st, struct dispute *d);
    int (*dispute_get)(struct store *st, int64_t id, struct dispute *out);
    int (*dispute_update)(struct store *st, const struct dispute *d);
    int (*dispute_vote_insert)(struct store *st, int64_t dispute_id, const struct dispute_vote *v);
    int (*dispute_list)(struct store *st, const char *status, int limit, struct dispute **out,
                        size_t *n);
    /* Drill-down facts (docs/insight.md). fact_insert ignores a fact whose
     * (event_id, kind) is stored already. fact_withdraw deletes the facts
     * of one kind of a ticket (a first-contact resolution that no longer
     * holds). */
    int (*fact_insert)(struct store *st, const struct metric_fact *f);
    int (*fact_withdraw)(struct store *st, int kind, int64_t ticket_id);
    int (*fact_list)(struct store *st, const struct fact_filter *f, struct metric_fact **out,
                     size_t *n);
    /* Orders: PL_EEXISTS for an external_id already stored. */
    int (*order_insert)(struct store *st, struct order *o);
    int (*order_totals)(struct store *st, int64_t from, int64_t to, struct order_totals *out);
    /* Customers with a conflict ticket (escalated, or read as angry or
     * frustrated) created in [from, to); how many of them had their first
     * such ticket of the period before cut (measured); and how many of
     * those ordered within window (ms) after that ticket (retained). */
    int (*conflict_customers)(struct store *st, int64_t from, int64_t to, int64_t cut,
                              int64_t window, int64_t *customers, int64_t *measured,
                              int64_t *retained);
    /* The sum of the values (rounded down) of the facts of `kind` before
     * until on the conflict tickets (as above) created in [from, to): with
     * the resolution fact, the handling time those conflicts took (the
     * ROI's staff hours). */
    int (*conflict_facts)(struct store *st, int kind, int64_t from, int64_t to, int64_t until,
                          int64_t *sum);
    /* What the desk's in-memory index of conflicts is built from
     * (desk/conflicts.c): conflict_scan calls fn with what 0 for every
     * conflict ticket (as above; id, created_at, customer_id), what 1 for
     * every order (id, ordered_at, customer_id) and what 2 for every fact
     * of `kind` (ticket_id, at, value as a whole number), ticket_facts with
     * what 2 for the facts of `kind` of one ticket; until fn returns
     * non-zero, which is then returned. */
    int (*conflict_scan)(struct store *st, int kind,
                         int (*fn)(void *ctx, int what, int64_t id, int64_t at, int64_t v),
                         void *ctx);
    int (*ticket_facts)(struct store *st, int kind, int64_t ticket_id,
                        int (*fn)(void *ctx, int what, int64_t id, int64_t at, int64_t v),
                        void *ctx);
    /* Personal-data keys and erasure (docs/ledger.md "Erasure"; ops in
     * sqlite_keys.c / postgres_keys.c). wrapped: the customer's key sealed
     * by the server's data key, base64; NULL (with *erased_at set) once
     * the customer was erased. PL_ENOTFOUND when the customer has none. */
    int (*customer_key_get)(struct store *st, int64_t customer_id, char **wrapped,
                            int64_t *erased_at);
    int (*customer_key_insert)(struct store *st, int64_t customer_id, const char *wrapped,
                               int64_t created_at);
    /* Erases one customer in place: the key row destroyed (erased_at =
     * now), the name, identity values, ticket subjects and thread keys,
     * and the bodies of every message on their tickets replaced by
     * tombstone (identities by "erased:<id>"; message external ids and
     * analyses cleared); full-text indexes purged. Counts what changed. */
    int (*customer_erase)(struct store *st, int64_t customer_id, const char *tombstone,
                          int64_t now, int64_t *tickets, int64_t *messages);
    /* The ids of customers merged into `into` (caller frees *ids). */
    int (*customer_merged)(struct store *st, int64_t into, int64_t **ids, size_t *n);
    /* Outside a transaction, after an erasure committed: drops old row
     * versions the backend still keeps (SQLite: WAL checkpoint and
     * truncate; PostgreSQL: VACUUM of the tables erasure touches). */
    int (*scrub)(struct store *st);
    /* CSAT surveys. survey_find: by token hash. survey_answer writes
     * answered_at, score, nps, comment and analysis once: PL_ESTATE when
     * the survey was already answered, PL_ENOTFOUND when unknown. */
    int (*survey_insert)(struct store *st, struct survey *s);
    int (*survey_find)(struct store *st, const char *token_hash, struct survey *out);
    int (*survey_answer)(struct store *st, const struct survey *s);
    /* Alerts. alert_list: newest first, at most limit (1..500), only the
     * unacknowledged ones when open_only. alert_ack keeps the first
     * acknowledgement; PL_ENOTFOUND for an unknown id. */
    int (*alert_insert)(struct store *st, struct alert *a);
    int (*alert_get)(struct store *st, int64_t id, struct alert *out);
    int (*alert_list)(struct store *st, int open_only, int limit, struct alert **out, size_t *n);
    int (*alert_ack)(struct store *st, int64_t id, int64_t user_id, int64_t at);
    /* Calls fn for every inbound message created at or after `since` whose
     * analysed sentiment is below `below`, in time order, with its
     * ticket's category (NULL = none), until fn returns non-zero. */
    int (*negative_scan)(struct store *st, int64_t since, double below,
                         int (*fn)(void *ctx, int64_t at, int64_t ticket_id, const char *category),
                         void *ctx);
    /* The outbox (docs/channels.md). delivery_insert: PL_EEXISTS when the
     * message already has an e-mail delivery. delivery_update writes
     * status, attempts, last_error, next_attempt_at, updated_at.
     * delivery_due: queued or retrying ones due at `now` whose kind bit
     * (1u << kind) is in kinds, oldest first, at most limit.
     * delivery_list_ticket: the e-mail deliveries of a ticket's messages.
     * delivery_of_message: a message's e-mail delivery. */
    int (*delivery_insert)(struct store *st, struct delivery *d);
    int (*delivery_get)(struct store *st, int64_t id, struct delivery *out);
    int (*delivery_update)(struct store *st, const struct delivery *d);
    int (*delivery_due)(struct store *st, int64_t now, unsigned kinds, int limit,
                        struct delivery **out, size_t *n);
    int (*delivery_list_ticket)(struct store *st, int64_t ticket_id, struct delivery **out,
                                size_t *n);
    int (*delivery_of_message)(struct store *st, int64_t message_id, struct delivery *out);
    /* Webhook subscriptions. */
    int (*webhook_insert)(struct store *st, struct webhook *w);
    int (*webhook_get)(struct store *st, int64_t id, struct webhook *out);
    int (*webhook_list)(struct store *st, struct webhook **out, size_t *n);
    int (*webhook_delete)(struct store *st, int64_t id);
    /* Attachments of inbound e-mail: insert takes data/len; list (by
     * ticket, oldest first) leaves data NULL; get fills it. */
    int (*attachment_insert)(struct store *st, struct attachment *a);
    int (*attachment_get)(struct store *st, int64_t id, struct attachment *out);
    int (*attachment_list_ticket)(struct store *st, int64_t ticket_id, struct attachment **out,
                                  size_t *n);
    /* Claims the database for this connection until it closes, so that
     * one process at a time writes (docs/cli/serve.md, "One writer"):
     * SQLite takes an flock() on PATH.lock beside the file (none for an
     * in-memory database), PostgreSQL a session advisory lock keyed by
     * the schema (taken again if the connection is re-established; if
     * another process claimed it meanwhile, begin() answers PL_EBUSY from
     * then on). who says what this process runs. PL_EBUSY when another
     * connection holds it, with *holder filled in. */
    int (*claim)(struct store *st, const char *who, struct store_holder *holder);
};

/* The first member of every backend's connection struct. */
struct store {
    const struct store_ops *ops;
};

/* Opens a connection for url ("sqlite:PATH", "postgresql://..."), applies
 * migrations when migrate != 0. On failure returns a PL_E* code and, when
 * err != NULL, a message in err (caller frees). */
int store_open(const char *url, int migrate, struct store **out, char **err);
/* Applies pending migrations (what store_open() does when migrate != 0);
 * on failure err as for store_open(). */
int store_migrate(struct store *st, char **err);
void store_close(struct store *st);
const char *store_errmsg(struct store *st);

/* Progress of store_copy(): step is a table's name (rows = rows copied so
 * far) or "indexes" / "analyze" (rows = indexes and foreign keys put back
 * so far / tables analysed); seconds since the step began; done = 1 at its
 * end, 0 on the way. */
typedef void store_copy_progress_fn(void *ctx, const char *step, int64_t rows, double seconds,
                                    int done);
/* Copies every row of every table of the SQLite database `from` into the
 * PostgreSQL database `to`, which must hold no row (src/store/copy.c,
 * docs/cli/copy.md). Both are open, migrated to the same version and
 * claimed by the caller. One transaction on `to`: on failure nothing is
 * left there. *rows = the rows copied. PL_EEXISTS when `to` has rows,
 * PL_ESTATE when the schemas differ, PL_EINVAL when the backends are not
 * SQLite and PostgreSQL, PL_EDB when a database refused; *err (when
 * err != NULL) says what, caller frees. progress may be NULL. */
int store_copy(struct store *from, struct store *to, store_copy_progress_fn *progress,
               void *ctx, int64_t *rows, char **err);

void store_free_identities(struct identity *v, size_t n);
void store_free_tickets(struct ticket *v, size_t n);
void store_free_messages(struct message *v, size_t n);
void store_free_events(struct event *v, size_t n);
void store_free_users(struct user *v, size_t n);
void store_free_apikeys(struct apikey *v, size_t n);

/* Backends' constructors (used by store_open). */
int store_sqlite_open(const char *path, struct store **out, char **err);
int store_postgres_open(const char *conninfo, struct store **out, char **err);

#endif
