/* model.h — Parley's domain: customers and their identities, agents
 * (users), tickets, messages and the append-only event record.
 *
 * Plain structs with owned strings (char *, NULL when absent); each has a
 * *_clear() that frees what it owns and zeroes it. Instants are int64_t
 * milliseconds since the epoch, UTC; 0 means "not set". Ids are int64_t,
 * assigned by the store, 0 means "none". Enums have to/from-string
 * helpers: *_name() returns a static string, *_parse() returns 0 or
 * PL_EINVAL. */
#ifndef PARLEY_MODEL_MODEL_H
#define PARLEY_MODEL_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- enums ------------------------------------------------------------ */

enum channel {
    CHANNEL_EMAIL, CHANNEL_CHAT, CHANNEL_WEB, CHANNEL_PHONE, CHANNEL_SOCIAL,
    CHANNEL_API, CHANNEL__COUNT
};

enum identity_kind {
    IDENTITY_EMAIL, IDENTITY_PHONE, IDENTITY_CHAT, IDENTITY_HANDLE,
    IDENTITY__COUNT
};

enum role { ROLE_ADMIN, ROLE_SUPERVISOR, ROLE_AGENT, ROLE_INTEGRATION, ROLE__COUNT };

enum ticket_status {
    STATUS_NEW, STATUS_OPEN, STATUS_PENDING, STATUS_RESOLVED, STATUS_CLOSED,
    STATUS__COUNT
};

enum priority { PRIORITY_LOW, PRIORITY_NORMAL, PRIORITY_HIGH, PRIORITY_URGENT, PRIORITY__COUNT };

enum message_kind { MESSAGE_INBOUND, MESSAGE_REPLY, MESSAGE_NOTE, MESSAGE_BOT, MESSAGE__COUNT };

/* Who caused an event. */
enum actor_kind { ACTOR_SYSTEM, ACTOR_USER, ACTOR_CUSTOMER, ACTOR_APIKEY, ACTOR__COUNT };

const char *channel_name(enum channel c);
int channel_parse(const char *s, enum channel *out);
const char *identity_kind_name(enum identity_kind k);
int identity_kind_parse(const char *s, enum identity_kind *out);
const char *role_name(enum role r);
int role_parse(const char *s, enum role *out);
const char *status_name(enum ticket_status s);
int status_parse(const char *s, enum ticket_status *out);
const char *priority_name(enum priority p);
int priority_parse(const char *s, enum priority *out);
const char *message_kind_name(enum message_kind k);
int message_kind_parse(const char *s, enum message_kind *out);
const char *actor_kind_name(enum actor_kind k);
int actor_kind_parse(const char *s, enum actor_kind *out);

/* Ticket life cycle: new → open → pending → resolved → closed, with
 * pending ↔ open, open/new/pending → resolved, resolved → open (reopen),
 * closed → open (reopen). Staying in the same status is not a transition.
 * Returns true when from → to is legal. */
bool status_can_move(enum ticket_status from, enum ticket_status to);
/* True while a ticket still needs work (new, open, pending). */
bool status_is_open(enum ticket_status s);

/* Normalises an identity value in place so that the same person written
 * two ways matches: e-mail lower-cased and trimmed; phone reduced to '+'
 * and digits; chat ids and handles trimmed (handles lower-cased, leading
 * '@' dropped). Returns 0, or PL_EINVAL if nothing valid is left (e.g. an
 * e-mail without '@' or a phone with fewer than 5 digits). */
int identity_normalize(enum identity_kind kind, char *value);

/* ---- entities --------------------------------------------------------- */

struct identity {
    int64_t id;
    int64_t customer_id;
    enum identity_kind kind;
    char *value;               /* normalised */
    int64_t created_at;
};

struct customer {
    int64_t id;
    char *name;
    char *tier;                /* loyalty tier, e.g. "gold"; NULL = none */
    char *language;            /* "ru", "en" or NULL */
    int64_t merged_into;       /* != 0: this record was merged into that id */
    int64_t created_at;
    int64_t updated_at;
};

struct user {
    int64_t id;
    char *email;
    char *name;
    enum role role;
    char *skills;              /* comma-separated categories, e.g. "billing,delivery" */
    char *languages;           /* comma-separated, e.g. "ru,en" */
    char *password_hash;       /* argon2id string (crypto_pwhash_str) */
    bool active;
    int64_t created_at;
};

struct ticket {
    int64_t id;
    int64_t customer_id;
    char *subject;
    enum ticket_status status;
    enum priority priority;
    char *category;            /* NULL = uncategorised */
    enum channel channel;      /* channel of the first message */
    char *thread;              /* external thread key (e.g. chat id); NULL = none */
    char *language;            /* "ru", "en", or NULL */
    int64_t assignee_id;       /* user id, 0 = unassigned */
    int64_t sla_first_due;     /* first-response due; 0 = no SLA */
    int64_t sla_next_due;      /* next-response due */
    int64_t sla_resolve_due;   /* resolution due */
    int64_t created_at;
    int64_t updated_at;
    int64_t first_response_at;
    int64_t resolved_at;
    int64_t closed_at;
    int message_count;
    /* From triage of the latest inbound message (docs/triage.md). */
    char *emotion;             /* dominant emotion, e.g. "anger"; NULL = not analysed */
    int hostility;             /* 0..1000 (per mille) */
    bool escalated;            /* sent to a supervisor */
    char *triage;              /* JSON of the latest decision with its reasons */
};

struct message {
    int64_t id;
    int64_t ticket_id;
    enum message_kind kind;
    enum channel channel;
    int64_t author_user_id;    /* replies and notes */
    int64_t author_customer_id;/* inbound */
    char *body;
    char *external_id;         /* e.g. the e-mail Message-ID; NULL = none */
    char *analysis;            /* JSON text of the analysis, NULL = none */
    int64_t created_at;
};

/* One change, recorded forever. type names the change ("ticket.created",
 * "message.inbound", "ticket.status", ...); before/after are JSON texts of
 * the fields that changed (NULL when not applicable). */
struct event {
    int64_t id;                /* global sequence, strictly increasing */
    char *type;
    enum actor_kind actor_kind;
    int64_t actor_id;          /* user, customer or API key id; 0 for system */
    int64_t ticket_id;         /* 0 when not about a ticket */
    int64_t customer_id;       /* 0 when not about a customer */
    int64_t message_id;        /* 0 when not about a message */
    char *before;
    char *after;
    int64_t created_at;
};

void identity_clear(struct identity *i);
void customer_clear(struct customer *c);
void user_clear(struct user *u);
void ticket_clear(struct ticket *t);
void message_clear(struct message *m);
void event_clear(struct event *e);

#endif
