/* triage.h — explainable decisions for an analysed inbound message:
 * priority, category, SLA due times in business time, route to an agent
 * (with wellbeing limits) and escalation. Every decision carries reasons.
 *
 * A pure engine: no storage, no HTTP, no mutable globals. The desk maps
 * the text analysis into struct triage_signal, the ticket and customer
 * into struct triage_context, users into struct triage_agent. All string
 * pointers in the input structs are borrowed for the duration of a call.
 * Instants are int64_t ms since the epoch, UTC; durations are ms. */
#ifndef PARLEY_TRIAGE_TRIAGE_H
#define PARLEY_TRIAGE_TRIAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model.h"

/* ---- inputs ------------------------------------------------------------ */

/* Fixed order of the emotion vector. */
enum triage_emotion {
    TRIAGE_ANGER, TRIAGE_FRUSTRATION, TRIAGE_ANXIETY, TRIAGE_SADNESS,
    TRIAGE_CONFUSION, TRIAGE_JOY, TRIAGE_NEUTRAL, TRIAGE_EMOTION__COUNT
};

/* Escalation cues found in the text (bitmask). */
enum triage_cue {
    TRIAGE_CUE_CANCEL    = 1u << 0,   /* threat to cancel / leave */
    TRIAGE_CUE_LEGAL     = 1u << 1,   /* lawyer, court, lawsuit */
    TRIAGE_CUE_REGULATOR = 1u << 2,   /* consumer agency, regulator */
    TRIAGE_CUE_PRESS     = 1u << 3,   /* journalists, media */
    TRIAGE_CUE_REVIEW    = 1u << 4,   /* public review, social post */
    TRIAGE_CUE_PROFANITY = 1u << 5,
    TRIAGE_CUE_INSULT    = 1u << 6,
};
#define TRIAGE_CUE__COUNT 7

/* Static names: "anger", ... / "cancel", "legal", ... */
const char *triage_emotion_name(enum triage_emotion e);
int triage_emotion_parse(const char *s, enum triage_emotion *out);  /* 0 or PL_EINVAL */
const char *triage_cue_name(unsigned bit);                        /* NULL if not one bit */
int triage_cue_parse(const char *s, unsigned *bit);               /* 0 or PL_EINVAL */

struct triage_signal {
    float emotion[TRIAGE_EMOTION__COUNT];  /* each in [0,1] */
    float sentiment;                       /* [-1,1] */
    unsigned cues;                         /* TRIAGE_CUE_* */
    const char *language;                  /* "ru", "en", other or NULL */
    const char *intent;                    /* intent label or NULL */
    float intent_confidence;               /* [0,1] */
};

/* One earlier inbound message of the same conversation. */
struct triage_prev {
    float anger;
    float sentiment;
};

struct triage_context {
    const struct triage_prev *prev;  /* earlier inbound messages, oldest first */
    size_t n_prev;
    int64_t waiting_ms;          /* since the last unanswered inbound message */
    int repeat_contacts;         /* earlier contacts on the same issue in the window */
    const char *tier;            /* "silver", "gold", "vip", NULL/"none" */
    double lifetime_value;       /* in the shop's currency; 0 = unknown */
    /* The ticket so far (zeroes for a new ticket). */
    enum priority current_priority;
    bool existing;               /* true: current_priority etc. are meaningful */
    enum ticket_status status;
    int64_t created_at;          /* ticket creation; 0 = now */
    int64_t assignee_id;         /* 0 = unassigned */
    int64_t sla_first_due;       /* 0 = none or already met */
    int64_t sla_next_due;
    int64_t sla_resolve_due;
    int64_t now;
};

/* ---- configuration ------------------------------------------------------ */

#define TRIAGE_MAX_HOLIDAYS 64
#define TRIAGE_MAX_INTENTS  48
#define TRIAGE_NAME_MAX     48

struct triage_target {                   /* business minutes; 0 = no target */
    int first_min, next_min, resolve_min;
};

struct triage_config {
    /* priority scoring */
    double anger_high, anger_moderate;         /* 0.7, 0.4 */
    double frustration_high, anxiety_high;     /* 0.7, 0.7 */
    double negative_sentiment;                 /* -0.6 */
    double rise_min;                           /* 0.15: anger up vs. recent mean */
    int wait_min, wait_long_min;               /* 60, 240 */
    int repeat_some, repeat_many;              /* 1, 3 */
    int tier_points[4];                        /* none, silver, gold, vip: 0,0,1,2 */
    double high_value;                         /* lifetime value worth +1; 0 = off */
    int high_score, urgent_score;              /* 3, 6 */
    /* service standards per enum priority */
    struct triage_target target[PRIORITY__COUNT];
    /* business calendar: week[0] = Monday ... week[6] = Sunday, local
     * minutes since midnight; open >= close means closed that day. */
    bool hours_enabled;
    int open_min[7], close_min[7];
    int utc_offset_min;
    int32_t holidays[TRIAGE_MAX_HOLIDAYS];     /* local days since epoch, sorted */
    int n_holidays;
    bool pause_when_pending;
    /* routing and wellbeing */
    int max_hostile_in_a_row;                  /* 2 */
    int pause_after_intense_min;               /* 5; 0 = never offer */
    double hostile_threshold, intense_threshold; /* 0.6, 0.8 */
    /* escalation rules */
    bool esc_anger_enabled;    double esc_anger_threshold;   /* true, 0.7 */
    bool esc_sla_enabled;      int esc_sla_window_min;       /* true, 30 */
    bool esc_cues_enabled;     unsigned esc_cue_mask;        /* legal|regulator|press */
    /* intent → category */
    double intent_min_confidence;              /* 0.5 */
    int n_intents;
    char intent[TRIAGE_MAX_INTENTS][TRIAGE_NAME_MAX];
    char category[TRIAGE_MAX_INTENTS][TRIAGE_NAME_MAX];
};

/* Fills *c with the documented defaults (docs/triage.md). */
void triage_config_default(struct triage_config *c);
/* Parses an admin's JSON over the defaults: missing keys keep defaults,
 * unknown keys, wrong types and out-of-range values are rejected. On
 * error returns PL_EPARSE (not JSON) or PL_EINVAL (bad value), *c is
 * untouched and err (if errlen > 0) holds a message naming the key. */
int triage_config_from_json(const char *text, struct triage_config *c,
                            char *err, size_t errlen);
/* Same, reading a file; PL_EIO if it cannot be read. */
int triage_config_load(const char *path, struct triage_config *c,
                       char *err, size_t errlen);
/* Returns the full configuration as pretty JSON; caller frees. */
char *triage_config_to_json(const struct triage_config *c);

/* ---- reasons ----------------------------------------------------------- */

struct triage_reason {
    char stage[12];      /* "priority", "category", "sla", "route", "escalate" */
    char code[32];       /* machine code, e.g. "anger_high" */
    char en[160];
    char ru[320];
};

struct triage_reasons {
    struct triage_reason *v;   /* owned */
    size_t n, cap;
};

void triage_reasons_release(struct triage_reasons *r);
/* True if a reason with this code is present. */
bool triage_reasons_has(const struct triage_reasons *r, const char *code);

/* ---- decisions --------------------------------------------------------- */

struct triage_priority {
    enum priority priority;
    int score;              /* points, see docs/triage.md */
    double hostility;       /* [0,1] intensity of hostile feeling */
    bool hostile, intense;  /* hostility over the configured thresholds */
    bool rising;            /* anger/negativity rising across the conversation */
};

/* Priority from emotion, trend, cues, waiting, repeats and tier. Appends
 * reasons (stage "priority") to *why. Never lowers an existing ticket's
 * priority. */
void triage_priority(const struct triage_config *c, const struct triage_signal *s,
                     const struct triage_context *x, struct triage_priority *out,
                     struct triage_reasons *why);

/* True when anger (or negativity) rises across the conversation; *delta
 * gets the anger increase over the mean of the last three messages. */
bool triage_rising(const struct triage_config *c, const struct triage_signal *s,
                   const struct triage_context *x, double *delta);

/* Category from the intent: the configured map, else the intent itself,
 * else "" (uncategorised) when absent or under the confidence floor.
 * Writes at most outlen bytes (NUL-terminated). */
void triage_category(const struct triage_config *c, const struct triage_signal *s,
                     char *out, size_t outlen, struct triage_reasons *why);

/* ---- SLA in business time --------------------------------------------- */

struct triage_sla {
    int64_t first_due, next_due, resolve_due;   /* 0 = no target */
};

/* start + dur_ms of business time (the calendar in c; 24/7 when hours are
 * disabled). dur 0 returns start. */
int64_t triage_business_add(const struct triage_config *c, int64_t start, int64_t dur_ms);
/* Business ms between a and b (0 if b <= a). */
int64_t triage_business_between(const struct triage_config *c, int64_t a, int64_t b);
/* True if the instant falls inside business hours. */
bool triage_business_open(const struct triage_config *c, int64_t t);
/* Due times for priority p: first and resolution from created, next from
 * last_inbound. */
void triage_sla(const struct triage_config *c, enum priority p, int64_t created,
                int64_t last_inbound, struct triage_sla *out);
/* A ticket was pending on the customer from `from` to `to`: moves each
 * non-zero due that was still ahead at `from` by the business time spent
 * pending (nothing when pause_when_pending is off). Returns that time. */
int64_t triage_sla_pause(const struct triage_config *c, struct triage_sla *dues,
                         int64_t from, int64_t to);

/* ---- routing ----------------------------------------------------------- */

struct triage_agent {
    int64_t id;
    const char *skills;          /* comma-separated categories; NULL = none */
    const char *languages;       /* comma-separated, e.g. "ru,en" */
    int open_load;               /* open conversations now */
    int capacity;                /* max open; <= 0 = unlimited */
    bool available;              /* online and accepting */
    enum role role;
    int consecutive_hostile;     /* hostile conversations received in a row */
    int64_t last_intense_at;     /* when it last got an intense one; 0 = never */
    int64_t last_assigned_at;    /* 0 = never (comes first in round robin) */
};

struct triage_route_request {
    const char *language;        /* customer's language or NULL */
    const char *category;        /* "" or NULL = any skill */
    bool hostile, intense, escalated;
    int64_t now;
};

struct triage_route {
    int64_t agent_id;            /* 0 = nobody can take it */
    bool offer_pause;            /* offer the agent a pause after this one */
    int pause_min;
    bool limit_exceeded;         /* wellbeing limit could not be kept */
};

/* Chooses among agents[0..n) (see docs/triage.md for the order of
 * filters). Appends reasons (stage "route"). */
void triage_route(const struct triage_config *c, const struct triage_agent *agents, size_t n,
                  const struct triage_route_request *rq, struct triage_route *out,
                  struct triage_reasons *why);
/* Updates an agent's counters after it received a conversation. */
void triage_agent_record(struct triage_agent *a, bool hostile, bool intense, int64_t now);

/* ---- escalation -------------------------------------------------------- */

/* True when a rule fires: anger high and rising, SLA breach imminent (or
 * past), legal/regulator/press cues; each rule can be disabled. Appends
 * reasons (stage "escalate"). */
bool triage_escalate(const struct triage_config *c, const struct triage_signal *s,
                     const struct triage_context *x, struct triage_reasons *why);

/* ---- everything -------------------------------------------------------- */

struct triage_decision {
    struct triage_priority prio;
    char category[TRIAGE_NAME_MAX];   /* "" = uncategorised */
    struct triage_sla sla;
    struct triage_route route;
    bool escalate;
    struct triage_reasons reasons;    /* owned; triage_decision_release() */
};

/* Runs priority, category, escalation, SLA and routing in that order.
 * agents may be NULL when n == 0 (no routing). *d is overwritten. */
void triage_decide(const struct triage_config *c, const struct triage_signal *s,
                   const struct triage_context *x, const struct triage_agent *agents,
                   size_t n, struct triage_decision *d);
void triage_decision_release(struct triage_decision *d);
/* Returns the explainable JSON of a decision; caller frees. */
char *triage_decision_json(const struct triage_decision *d);

#endif
