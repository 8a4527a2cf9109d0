/* desk.h — the use cases of Parley. The only place that writes.
 *
 * HTTP handlers, the CLI (import, demo, user add) and the channels all
 * translate their input into these calls. Every write use case runs as one
 * transaction on the desk's single writer connection; the writer groups
 * the transactions that arrive together into one database commit (group
 * commit), each inside its own savepoint, so a failing use case rolls back
 * alone and a success is reported only after its commit is durable.
 *
 * Reads go through desk_reader(): one store connection per calling thread,
 * opened on first use and closed by desk_close().
 *
 * Ownership: strings passed in are borrowed for the duration of the call.
 */
#ifndef PARLEY_DESK_DESK_H
#define PARLEY_DESK_DESK_H

#include <stdbool.h>
#include <stdint.h>

#include "insight/metrics.h"
#include "model/model.h"
#include "store/store.h"

struct desk;

/* Who is acting. role matters for users and API keys. */
struct desk_actor {
    enum actor_kind kind;
    int64_t id;
    enum role role;
};

#define DESK_SYSTEM ((struct desk_actor){ACTOR_SYSTEM, 0, ROLE_ADMIN})

struct text_engine;
struct text_analysis;
struct triage_config;

/* Opens the desk on a database (migrating it). For reading, or for tests
 * that own the database; a process that writes uses desk_open_claimed(). */
int desk_open(const char *db_url, struct desk **out, char **err);
/* desk_open() for a process that writes (`parley serve` and the writing
 * commands): first claims the database (store_ops.claim), held until
 * desk_close(). A desk keeps the tamper-evident log's tree and the live
 * metrics in memory and extends them from its own commits, so writes by
 * another process would leave them wrong: one writing process at a time.
 * who: "serve" or the command ("import", "user add", ...). PL_EBUSY when
 * another process holds the claim, with *err naming it ("a server is
 * running on this database (pid N); stop it or use the HTTP API"). */
int desk_open_claimed(const char *db_url, const char *who, struct desk **out, char **err);
/* The claim of desk_open_claimed() on a bare store connection (for
 * commands that write below the desk, e.g. `parley copy`): 0, or PL_EBUSY
 * etc. with *err (when err != NULL) saying who holds it and what to do. */
int desk_claim(struct store *st, const char *who, char **err);
/* Attaches a text engine (borrowed; must outlive the desk): every inbound
 * message is then analysed and triaged. */
void desk_set_text(struct desk *d, const struct text_engine *te);
/* The triage configuration in force (service standards, routing and
 * wellbeing limits, escalation rules); stored as setting "triage". */
int desk_triage_config(struct desk *d, struct triage_config *out);
int desk_set_triage_config(struct desk *d, const struct desk_actor *who,
                           const struct triage_config *c);
void desk_close(struct desk *d);
/* The calling thread's read connection, taken from a bounded pool on first
 * use (NULL if none can be opened). Borrowed until desk_reader_release()
 * or the thread's end. */
struct store *desk_reader(struct desk *d);
/* Gives the calling thread's read connection back to the pool (after each
 * HTTP request); the next desk_reader() takes one again. */
void desk_reader_release(struct desk *d);

/* A write transaction in progress on the writer thread: the connection,
 * and the desk whose side effects (the tamper-evident log, live metrics)
 * every event written through it feeds. Borrowed by the job function. */
struct desk_tx {
    struct store *st;
    struct desk *d;
    bool history;   /* a job recording the past (import, demo history):
                     * nothing it writes is mailed or sent to webhooks */
};

/* Runs fn(tx, arg) inside a transaction on the writer connection and
 * returns its result once committed (0) or rolled back (fn's error, or
 * PL_EDB if the commit itself failed). fn must not commit or roll back,
 * and must write events only through desk_event(). Used by the use cases
 * below and by bulk jobs (import, demo). Must not be called from inside
 * another job (it would wait for itself). */
int desk_exec(struct desk *d, int (*fn)(struct desk_tx *tx, void *arg), void *arg);

/* Appends an event (before/after: JSON texts or NULL) in tx: the row, its
 * leaf in the tamper-evident log, and live aggregates move together. */
int desk_event(struct desk_tx *tx, const struct desk_actor *who, const char *type,
               int64_t ticket_id, int64_t customer_id, int64_t message_id,
               const char *before, const char *after, int64_t at);
/* The same with before/after as objects (either may be NULL), which it
 * takes over: personal fields are sealed without a parse of the text. */
int desk_event_obj(struct desk_tx *tx, const struct desk_actor *who, const char *type,
                   int64_t ticket_id, int64_t customer_id, int64_t message_id,
                   json_t *before, json_t *after, int64_t at);

/* Highest event id committed so far, and a way to wait for a newer one
 * (for Server-Sent Events). desk_wait_events() returns the new last id, or
 * `after` on timeout. */
int64_t desk_last_event(struct desk *d);
int64_t desk_wait_events(struct desk *d, int64_t after, int timeout_ms);

/* ---- ingest ------------------------------------------------------------ */

struct desk_inbound {
    enum channel channel;
    enum identity_kind id_kind;   /* how the customer is identified */
    const char *id_value;         /* raw; normalised by desk */
    const char *customer_name;    /* optional */
    const char *subject;          /* optional */
    const char *body;             /* required, non-empty */
    const char *thread;           /* optional external thread key */
    const char *external_id;      /* optional, e.g. e-mail Message-ID */
    int64_t created_at;           /* 0 = now; set by import for history */
    /* Filled by desk_ingest() when a text engine is attached; callers of
     * desk_ingest_tx() may pass their own or leave both NULL. */
    const struct text_analysis *analysis;
    const char *analysis_json;
    /* What to analyse when it differs from body (e-mail: without quoted
     * history and signature); NULL = body. */
    const char *analyze_text;
    /* Files that came with the message (e-mail), stored with it: name,
     * type, sha256, data/len are read; the rest is filled in. */
    const struct attachment *att;
    size_t natt;
};

struct desk_ingest_result {
    int64_t customer_id;
    int64_t ticket_id;
    int64_t message_id;
    bool new_customer;
    bool new_ticket;
    bool triaged;                 /* analysis and triage ran */
    enum priority priority;       /* the ticket's priority after triage */
    bool escalated;
    int64_t assignee_id;
    bool offer_pause;             /* the assignee should be offered a pause */
};

/* Finds or creates the customer by identity, attaches the message to the
 * customer's open ticket for that thread (or opens a new ticket), stores
 * message and events in one transaction. */
int desk_ingest(struct desk *d, const struct desk_actor *who, const struct desk_inbound *in,
                struct desk_ingest_result *out);
/* The same, inside a transaction the caller already runs (for import). */
int desk_ingest_tx(struct desk_tx *tx, const struct desk_actor *who,
                   const struct desk_inbound *in, struct desk_ingest_result *out);

/* A raw RFC 5322 e-mail (channel email): parsed, threaded onto its ticket
 * by In-Reply-To/References, analysed without quoted history and
 * signature. PL_EPARSE with *err for something that is not a message;
 * PL_EEXISTS when that Message-ID (without one: those exact bytes) was
 * already received. */
int desk_ingest_mail(struct desk *d, const struct desk_actor *who, const char *raw, size_t len,
                     struct desk_ingest_result *out, char **err);

/* ---- agent work ------------------------------------------------------- */

/* An outbound reply by a user; sets first_response_at, moves a new ticket
 * to open. */
int desk_reply(struct desk *d, const struct desk_actor *who, int64_t ticket_id,
               const char *body, int64_t *message_id);
/* An internal note, never shown to the customer. */
int desk_note(struct desk *d, const struct desk_actor *who, int64_t ticket_id,
              const char *body, int64_t *message_id);

struct desk_ticket_patch {
    bool set_status;   enum ticket_status status;
    bool set_priority; enum priority priority;
    bool set_assignee; int64_t assignee_id;    /* 0 = unassign */
    bool set_category; const char *category;  /* NULL or "" = clear */
};

/* Applies the patch; PL_ESTATE for an illegal status move, PL_ENOTFOUND
 * for an unknown ticket or assignee. One event per changed field. */
int desk_update_ticket(struct desk *d, const struct desk_actor *who, int64_t ticket_id,
                       const struct desk_ticket_patch *p);

/* The transaction bodies of reply/note and ticket changes, with an explicit
 * instant, for callers that already run a transaction (import). */
int desk_post_tx(struct desk_tx *tx, const struct desk_actor *who, int64_t ticket_id,
                 enum message_kind kind, const char *body, int64_t at, int64_t *message_id);
int desk_update_ticket_tx(struct desk_tx *tx, const struct desk_actor *who, int64_t ticket_id,
                          const struct desk_ticket_patch *p, int64_t at);

/* Merges customer `from` into `into`: identities and tickets move, `from`
 * is marked merged. PL_EINVAL when from == into. */
int desk_merge_customers(struct desk *d, const struct desk_actor *who, int64_t into,
                         int64_t from);

/* An agent takes a pause of `minutes` (0 ends it): no new conversations
 * are routed to them until it ends. Offered after an intense conversation. */
int desk_agent_pause(struct desk *d, const struct desk_actor *who, int minutes);

/* ---- users and access --------------------------------------------------- */

/* Creates a user with an argon2id hash of password (>= 8 bytes). */
int desk_user_add(struct desk *d, const struct desk_actor *who, struct user *u,
                  const char *password);
struct desk_user_patch {
    const char *name, *skills, *languages;   /* NULL = unchanged */
    bool set_role;   enum role role;
    bool set_active; bool active;
};
/* Changes a user (admin only); one user.updated event with before/after. */
int desk_user_update(struct desk *d, const struct desk_actor *who, int64_t id,
                     const struct desk_user_patch *p);
/* Checks e-mail and password; on success returns a new bearer token
 * (caller frees) valid for ttl_ms, and the user. PL_EAUTH otherwise. */
int desk_login(struct desk *d, const char *email, const char *password, int64_t ttl_ms,
               char **token, struct user *user);
int desk_logout(struct desk *d, const char *token);
/* Resolves a bearer token or API key to an actor. PL_EAUTH if unknown. */
int desk_authenticate(struct desk *d, const char *token, struct desk_actor *who);
/* Creates an API key; returns the secret once (caller frees). */
int desk_apikey_add(struct desk *d, const struct desk_actor *who, const char *name,
                    enum role role, char **secret, int64_t *id);

/* ---- the tamper-evident log (docs/ledger.md) ----------------------------- */

/* Generates an Ed25519 signing key named `name` (the log's origin, e.g.
 * "parley.example.com/log") into path (mode 0600) and its public key into
 * path.pub; *vkey (optional) receives the public key string. Refuses to
 * overwrite. */
int desk_ledger_keygen(const char *name, const char *path, char **vkey, char **err);
/* Signs checkpoints with the key in path; when the file does not exist and
 * origin != NULL, creates it first. */
int desk_ledger_use_key(struct desk *d, const char *path, const char *origin, char **err);
/* The log's public (verifier) key string, or NULL without a key. Caller frees. */
char *desk_ledger_vkey(struct desk *d);
/* Stops logging: later events get no leaf until the next desk_open(),
 * which adds the missing ones (backfill). Only for measuring what the log
 * costs (bench/desk/bench_ingest.c); call it before any write. */
void desk_ledger_disable(struct desk *d);
/* Number of leaves (committed events) in the log. */
uint64_t desk_ledger_size(struct desk *d);
/* The signed checkpoint of the current tree (signed and stored on first
 * request for a size). PL_EUNAVAIL without a key. Caller frees. */
int desk_ledger_checkpoint(struct desk *d, char **note);
/* A receipt (JSON parley-receipt/v1) proving event_id is in the log,
 * against the current checkpoint. Caller frees. */
int desk_ledger_receipt(struct desk *d, int64_t event_id, char **json);
/* The same against a given signed checkpoint note (e.g. the latest
 * cosigned one, desk_ledger_cosigned()): PL_EINVAL when the event is not
 * below its size. */
int desk_ledger_receipt_on(struct desk *d, int64_t event_id, const char *note, char **json);
/* RFC 9162 proofs from the in-memory tree; proof has room for 64 hashes. */
int desk_ledger_inclusion(struct desk *d, uint64_t index, uint64_t size, uint8_t proof[][32],
                          size_t *n);
int desk_ledger_consistency(struct desk *d, uint64_t size1, uint64_t size2, uint8_t proof[][32],
                            size_t *n);

/* Witnesses (witness.c). desk_witness_add registers a witness by its
 * public key string — the .pub `parley ledger keygen` writes, or its
 * cosignature/v1 key — stored as the cosignature/v1 key under the key's
 * name; admin only (PL_EFORBIDDEN), PL_EPARSE for a bad key, PL_EEXISTS
 * for a name taken; an event ledger.witness_added. *out (optional) gets
 * the row (witness_clear()). */
int desk_witness_add(struct desk *d, const struct desk_actor *who, const char *vkey,
                     struct witness *out);
int desk_witness_list(struct desk *d, struct witness **out, size_t *n);
/* Accepts a checkpoint this log signed with witness cosignature lines
 * added (C2SP tlog-cosignature/v1): every line that is not the log's must
 * be by a registered witness key and verify; then all are stored and
 * *stored says how many. Refusals, with *why in words (caller frees):
 * PL_EPARSE not a signed checkpoint, PL_ECONFLICT a checkpoint this log
 * did not sign, PL_EFORBIDDEN a key that is not registered, PL_ECRYPTO a
 * cosignature that does not verify, PL_EINVAL no cosignature at all. */
int desk_ledger_cosign(struct desk *d, const char *note, size_t len, int *stored, char **why);
/* A signed checkpoint with every cosignature stored for it: size > 0 that
 * stored checkpoint, 0 the current one (as desk_ledger_checkpoint()), < 0
 * the largest one that has cosignatures (PL_ENOTFOUND if none). */
int desk_ledger_cosigned(struct desk *d, int64_t size, char **note);
/* A receipt against the latest cosigned checkpoint, witnesses' lines
 * included: PL_ENOTFOUND when nothing is cosigned yet (or no such event),
 * PL_ESTATE when the event is newer than that checkpoint. */
int desk_ledger_receipt_cosigned(struct desk *d, int64_t event_id, char **json);

struct desk_verify_report {
    int64_t events;          /* events read */
    int64_t leaves;          /* leaves read */
    int64_t checkpoint_size; /* the checkpoint checked (0 = none) */
    int64_t erased;          /* message events of erased customers: checked by leaf hash only */
    int64_t unopened;        /* sealed message texts not compared: no data key */
    int ok;                  /* 1: everything matches */
    char *problem;           /* first problem, in words (caller frees), or NULL */
};

/* Checks the whole store against the log: every event re-hashed and
 * compared with its leaf, in order, and the leaves against the latest
 * signed checkpoint (verified with vkey when not NULL). Names the first
 * event that was altered, deleted, inserted or reordered. Returns 0 when
 * the check could run (see rep->ok), or an error opening/reading. */
int desk_ledger_verify(const char *db_url, const char *vkey, struct desk_verify_report *rep);

/* ---- dispute panels (disputes.c, docs/ledger.md) ----------------------- */

#define DESK_DISPUTE_MAX_REVIEWERS 25

/* Sends a question on a ticket to a panel: supervisor or admin only
 * (PL_EFORBIDDEN). reviewers: 1..25 distinct active staff users, not the
 * one who opens it; quorum 1..n; question 1..2000 bytes of UTF-8
 * (PL_EINVAL / PL_ETOOBIG / PL_EUTF8); PL_ENOTFOUND for an unknown ticket.
 * An event dispute.opened. *out (optional) the new dispute (dispute_clear()). */
int desk_dispute_open(struct desk *d, const struct desk_actor *who, int64_t ticket_id,
                      const int64_t *reviewers, size_t n, int quorum, const char *question,
                      struct dispute *out);
/* A reviewer's vote, decision "uphold" or "reject" (PL_EINVAL otherwise),
 * reason optional (at most 4000 bytes): an event dispute.vote. Only a
 * listed reviewer (PL_EFORBIDDEN), once (PL_EEXISTS), while the dispute is
 * open (PL_ESTATE). When `quorum` votes agree, the same transaction takes
 * the decision: event dispute.decided (by the system), a note on the
 * ticket, status "decided"; when neither side can reach the quorum any
 * more, dispute.deadlocked and status "deadlocked". *out (optional) the
 * dispute after the vote. */
int desk_dispute_vote(struct desk *d, const struct desk_actor *who, int64_t dispute_id,
                      const char *decision, const char *reason, struct dispute *out);
int desk_dispute_get(struct desk *d, int64_t id, struct dispute *out);
/* status: NULL, "open", "decided" or "deadlocked" (PL_EINVAL otherwise). */
int desk_dispute_list(struct desk *d, const char *status, int limit, struct dispute **out,
                      size_t *n);
/* The receipt (parley-receipt/v1) of the dispute's decision event: what
 * proves the outcome to the customer; against the latest cosigned
 * checkpoint when `cosigned` (see desk_ledger_receipt_cosigned()).
 * PL_ESTATE while undecided or, cosigned, not yet witnessed. */
int desk_dispute_receipt(struct desk *d, int64_t id, bool cosigned, char **json);

/* ---- personal data and erasure (docs/ledger.md "Erasure") ---------------- */

/* The data key file used for a database: $PARLEY_DATA_KEY, else
 * "<path>.data-key" next to a SQLite file, else ./parley.data-key.
 * Caller frees. */
char *desk_data_key_default(const char *db_url);
/* Uses the data key in path instead (created 0600 on the first personal
 * data written when missing). PL_ESTATE once the key is in use. */
int desk_set_data_key(struct desk *d, const char *path);

/* Opens the sealed personal fields of events in place (before/after
 * replaced by their opened JSON text) for staff views; an erased
 * customer's stay as stored. st: the caller's read connection. */
void desk_events_open(struct desk *d, struct store *st, struct event *e, size_t n);

struct desk_erase_result {
    int64_t customer_id;
    int64_t erased_at;
    int64_t tickets;           /* tickets whose subject was erased */
    int64_t messages;          /* messages whose body was erased */
    int64_t merged;            /* customers merged into this one, erased too */
    bool scrubbed;             /* old row versions dropped from the files */
};

/* Erases a customer (admin only) in one transaction: their key destroyed,
 * their name, identities, ticket subjects and every message on their
 * tickets replaced by a tombstone, customers merged into them likewise,
 * and one customer.erased event (no personal data) logged. Then the
 * store is scrubbed (desk_erase_result.scrubbed). PL_ENOTFOUND,
 * PL_EEXISTS when already erased, PL_ESTATE when the record was merged
 * into another (erase that one). */
int desk_customer_erase(struct desk *d, const struct desk_actor *who, int64_t id,
                        struct desk_erase_result *out);
/* Everything stored about a customer as one JSON document
 * (parley-export/v1): the customer, identities, tickets with messages,
 * events about them with their sealed fields opened, and a receipt per
 * event. Admin or supervisor. Caller frees. */
int desk_customer_export(struct desk *d, const struct desk_actor *who, int64_t id,
                         char **json);

/* ---- live metrics (src/insight/metrics.h, docs/insight.md) ---------------- */

/* Builds the live aggregates by replaying the stored events; from then on
 * every commit updates them. Call it once before serving (reports call it
 * on first use otherwise). */
int desk_metrics_enable(struct desk *d);
/* The aggregates only, without recording drill-down facts: for one-shot
 * readers (`parley report`) next to a running server, which records them. */
int desk_metrics_enable_aggregates(struct desk *d);
/* Keeps a snapshot of the aggregates and risk features in path (a file;
 * NULL = none): read by desk_metrics_enable() so only the events after it
 * are replayed (ignored, with a log line, unless it matches this database,
 * its facts and the desk's settings); with write, also written at
 * desk_close() and periodically by the writer (the server; one-shot
 * readers only read it). Call before enabling. */
void desk_metrics_snapshot_at(struct desk *d, const char *path, int write);
/* A report of [from, to) for one dimension value (INSIGHT_DIM_ALL, 0 for
 * everything; an agent's user id; a category id from desk_category_id();
 * an enum channel or enum priority), from aggregates kept up to date as
 * events commit. */
void desk_report(struct desk *d, enum insight_gran gran, int64_t from, int64_t to,
                 enum insight_dim dim, int64_t value, struct insight_report *out);
/* The same split into n equal periods (out has n entries), with the slope
 * of time to resolution per period. */
void desk_report_series(struct desk *d, enum insight_gran gran, int64_t from, int64_t to, int n,
                        enum insight_dim dim, int64_t value, struct insight_report *out,
                        double *ttr_slope);
/* The same for several values of one dimension merged (a team's agents). */
void desk_report_set(struct desk *d, enum insight_gran gran, int64_t from, int64_t to,
                     enum insight_dim dim, const int64_t *values, size_t n,
                     struct insight_report *out);
/* The name of category id (1..), or NULL past the last; caller frees. */
char *desk_category_name(struct desk *d, int id);
/* The id of a category name in reports, 0 if never seen. */
int desk_category_id(struct desk *d, const char *name);

/* ---- risk scores (src/insight/risk_track.h, docs/cli/train-risk.md) ------- */

/* Loads the models written by `parley train-risk` (one to three, any
 * kind). PL_EFORMAT / PL_ECHECKSUM / PL_EIO with *err (caller frees). */
int desk_risk_load(struct desk *d, const char *path, char **err);
/* {"escalation": p, "low_csat": p, "factors": [{"name","label","value",
 * "weight"}]} for an open ticket (weights in log-odds of the strongest
 * model present), or NULL when no model applies or the ticket is closed.
 * Needs desk_metrics_enable(). New object. */
json_t *desk_ticket_risk(struct desk *d, int64_t ticket_id, const char *lang);
/* {"probability": p, "factors": [...]} for a customer, or NULL. */
json_t *desk_customer_churn(struct desk *d, int64_t customer_id, const char *lang);
/* ---- the outbox: outbound e-mail and webhooks (docs/channels.md) --------- */

/* The team's From address for outbound e-mail ("Support <help@shop.example>"),
 * copied; NULL while no SMTP server is configured: e-mail deliveries then
 * wait, queued, with a note saying so. Call before serving. */
void desk_set_mail_from(struct desk *d, const char *from);

/* A due delivery with everything its transport needs, read at send time.
 * fail != NULL: it cannot be sent (e.g. the customer has no e-mail
 * address, the webhook was deleted) — record it as a permanent failure. */
struct desk_send {
    struct delivery dl;
    char *fail;
    /* e-mail */
    char *from, *to, *to_name, *subject, *message_id, *in_reply_to, *references, *body;
    /* webhook */
    char *url, *secret, *event_type;
};

/* Due deliveries whose kind bit (1u << kind) is in kinds, at most limit,
 * oldest first. Free with desk_outbox_free(). */
int desk_outbox_due(struct desk *d, unsigned kinds, int limit, struct desk_send **out,
                    size_t *n);
void desk_outbox_free(struct desk_send *v, size_t n);
/* Records one attempt of delivery id: err NULL = sent; otherwise it is
 * retried with exponential backoff (capped) until DESK_OUTBOX_ATTEMPTS,
 * or fails at once when permanent. */
int desk_outbox_result(struct desk *d, int64_t id, const char *err, bool permanent);
/* Forces a new attempt, now, of the e-mail of message_id (staff):
 * PL_ENOTFOUND without one, PL_ESTATE when it was sent already. */
int desk_outbox_retry(struct desk *d, const struct desk_actor *who, int64_t message_id);
/* True (once) when a delivery was queued since the last call. */
bool desk_outbox_signalled(struct desk *d);

#define DESK_OUTBOX_ATTEMPTS 15
#define DESK_OUTBOX_BACKOFF_MS 1000            /* first retry; doubles each time */
#define DESK_OUTBOX_BACKOFF_MAX_MS (3600 * 1000)

/* Webhook subscriptions (admin). events: comma-separated event types,
 * "prefix.*" or "*"; "message.created" stands for every new message that
 * is not an internal note. secret: the receiver's own (16 to 200
 * printable ASCII characters), or NULL to generate one. On success *out
 * holds the new subscription with its secret (shown once;
 * webhook_clear()). PL_EINVAL for a URL that is not http(s), a bad event
 * list or secret. */
int desk_webhook_add(struct desk *d, const struct desk_actor *who, const char *url,
                     const char *events, const char *secret, struct webhook *out);
int desk_webhook_delete(struct desk *d, const struct desk_actor *who, int64_t id);

/* ---- CSAT surveys (feedback.c, docs/insight.md) ------------------------------ */

/* The public base URL of the web UI, for links sent to customers (default
 * http://localhost:8080). Set before serving. */
void desk_set_public_url(struct desk *d, const char *url);
/* The survey of a link's token, with its ticket's subject and language
 * (caller frees both). PL_ENOTFOUND for an unknown or malformed token. */
int desk_survey_get(struct desk *d, const char *token, struct survey *out, char **subject,
                    char **language);
/* Answers a survey once: score 1..5, nps 0..10 or -1, comment optional
 * (analysed by the text engine; ≤ 4000 bytes). PL_EINVAL for a bad score,
 * PL_ENOTFOUND for an unknown token, PL_ESTATE when already answered. */
int desk_survey_answer(struct desk *d, const char *token, int score, int nps,
                       const char *comment);

/* Repeat contacts: a new ticket of a customer whose previous ticket was
 * resolved at most this many hours before is linked to it ("ticket.repeat",
 * "repeat_of" in the ticket) and withdraws its first-contact resolution.
 * Stored as setting "feedback" (default 168 h = 7 days; 0..8760). */
int desk_feedback_config(struct desk *d, int *repeat_window_hours);
int desk_set_feedback_config(struct desk *d, const struct desk_actor *who,
                             int repeat_window_hours);

/* ---- alerts (alerts.c, docs/insight.md) ------------------------------------ */

/* Starts the online detectors — complaint spikes per category (baseline
 * rebuilt from the stored negative messages of the last 8 weeks) and
 * deviations from the service standards — on every commit from now on.
 * Call once before serving, after desk_metrics_enable(). */
int desk_alerts_enable(struct desk *d);
/* Raises an alert: a->kind required ("spike", "deviation", "goal", ...);
 * the other fields optional (ticket_ids a JSON array text, detail a JSON
 * object text). Stores it, fills a->id and a->created_at, and writes an
 * "alert.raised" event. desk_alert_raise() runs its own transaction; inside
 * a job use desk_alert_raise_tx(). */
int desk_alert_raise(struct desk *d, struct alert *a);
int desk_alert_raise_tx(struct desk_tx *tx, struct alert *a);
/* A supervisor or admin acknowledges an alert ("alert.acknowledged");
 * again is a no-op. PL_ENOTFOUND for an unknown id. */
int desk_alert_ack(struct desk *d, const struct desk_actor *who, int64_t id);
/* Newest first; open_only: not acknowledged. Free with store_free_alerts(). */
int desk_alert_list(struct desk *d, int open_only, int limit, struct alert **out, size_t *n);
/* The API form of an alert: a new JSON object (json_t *). */
struct json_t *desk_alert_json(const struct alert *a);

/* Hex SHA-256 of a secret, as stored for sessions and API keys. */
void desk_secret_hash(const char *secret, char out[65]);

#endif
