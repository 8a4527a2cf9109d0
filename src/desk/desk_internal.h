/* desk_internal.h — what the desk's files share; not for other modules. */
#ifndef PARLEY_DESK_INTERNAL_H
#define PARLEY_DESK_INTERNAL_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>

#include "desk/desk.h"
#include "insight/conflicts.h"
#include "insight/risk_track.h"
#include "triage/triage.h"

struct job;

/* Read connections open at most at once (a pool; see writer.c). */
#define DESK_READERS_MAX 48

struct desk {
    char *url;
    struct store *writer;
    pthread_t thread;

    pthread_mutex_t mu;          /* guards the job queue and stopping */
    pthread_cond_t cv_work;
    struct job *head, *tail;
    _Atomic int stopping;

    pthread_mutex_t ev_mu;       /* guards last_event */
    pthread_cond_t ev_cv;
    int64_t last_event;

    struct desk_ledger *ledger;  /* the tamper-evident log (ledger.c) */
    struct desk_datakey *datakey; /* seals personal data (personal.c) */
    const struct text_engine *text;    /* NULL: messages are not analysed */
    struct triage_config triage_cfg;   /* read and changed on the writer only */

    struct insight_metrics *metrics;   /* live aggregates (metrics.c) */
    int64_t metrics_last;              /* last event fed to them */
    pthread_rwlock_t metrics_lock;
    /* Drill-down facts counted but not yet stored (writer thread only):
     * facts[0..facts_flushed) are written in the open transaction. */
    struct metric_fact *facts;
    size_t nfacts, capfacts, facts_flushed;
    int64_t facts_through;             /* facts of events up to here are stored */
    int64_t metrics_applying;          /* the event being fed */
    bool metrics_replaying;            /* the replay at open is running */
    bool metrics_facts;                /* drill-down facts are recorded */
    int64_t goals_checked_ns;          /* last hourly goal check (goals.c) */
    struct insight_risk_track *risk_track;   /* risk features, fed with the metrics */
    char *metrics_snap;                /* snapshot file (metrics_snap.c); NULL = none */
    bool snap_write;                   /* this process writes it (the server) */
    struct insight_metrics_config metrics_cfg;   /* what the aggregates were built with */
    bool metrics_mixed;                /* built with more than one config: no snapshot */
    int64_t snap_last;                 /* event of the last snapshot read or written */
    int64_t snap_next_ms;              /* no periodic snapshot before this time */
    struct insight_risk_model *risk_model[3]; /* by enum insight_risk_kind; NULL = none */
    /* Conflict tickets and orders for the ROI (conflicts.c), under
     * metrics_lock; NULL = none (the ROI asks the store). */
    struct insight_conflicts *conflicts;
    int64_t conflicts_as_of;           /* the events it includes */

    struct desk_alerts *alerts;        /* online detectors (alerts.c); writer only */
    char *public_url;                  /* base of links sent to customers (feedback.c) */
    int64_t repeat_window_ms;          /* repeat contacts (feedback.c); writer only */

    pthread_key_t reader_key;
    pthread_mutex_t readers_mu;      /* guards the pool below */
    pthread_cond_t readers_cv;       /* a connection came back */
    struct store *readers[DESK_READERS_MAX];       /* every open read connection */
    size_t nopen;
    size_t nreaders;                 /* open or being opened */
    struct store *idle[DESK_READERS_MAX];          /* the ones no thread holds */
    size_t nidle;

    /* The outbox (outbox.c). hooks: the webhook subscriptions, cached for
     * the writer (read and reloaded only there; stale: reload first). */
    char *mail_from;
    struct webhook *hooks;
    size_t nhooks;
    int hooks_loaded;
    _Atomic int hooks_stale;
    _Atomic int outbox_signal;
};

/* The log's hooks into the writer (ledger.c). */
int desk_ledger_open(struct desk *d, char **err);
void desk_ledger_close(struct desk *d);
int desk_ledger_append(struct desk_tx *tx, const struct event *e);
size_t desk_ledger_mark(struct desk *d);
void desk_ledger_rollback(struct desk *d, size_t mark);
void desk_ledger_commit(struct desk *d);

/* Personal data (personal.c): the server's data key (path may be NULL);
 * desk_personal_seal() moves the personal fields of an event's before /
 * after into a secretbox under the customer's key (made on first use, in
 * tx), *b / *a = new texts or NULL when unchanged, PL_ESTATE for an erased
 * customer; desk_personal_open() gives the payload back as an object with
 * those fields restored (PL_ESTATE: erased, PL_EUNAVAIL: no data key,
 * PL_ECRYPTO: the box or key does not open). */
struct desk_datakey *desk_datakey_new(const char *path);
void desk_datakey_free(struct desk_datakey *k);
int desk_personal_seal(struct desk_tx *tx, int64_t customer_id, const char *before,
                       const char *after, char **b, char **a);
/* The same on objects, in place (either may be NULL). */
int desk_personal_seal_obj(struct desk_tx *tx, int64_t customer_id, json_t *before,
                           json_t *after);
int desk_personal_open(struct desk_datakey *k, struct store *st, int64_t customer_id,
                       const char *payload, json_t **out);
/* Drops the writer's cached customer keys (after a job is undone, after an
 * erasure). */
void desk_personal_forget(struct desk_datakey *k);

/* Live metrics (metrics.c). */
void desk_metrics_close(struct desk *d);
int desk_metrics_catch_up(struct desk *d, struct store *st);
/* Writes the pending drill-down facts in the open transaction (writer);
 * after the commit, desk_metrics_facts_done(d, 1) forgets them, after a
 * rollback desk_metrics_facts_done(d, 0) keeps them for the next one. */
int desk_metrics_flush_facts(struct desk *d, struct store *st);
void desk_metrics_facts_done(struct desk *d, int committed);
/* True when facts wait to be written. */
int desk_metrics_facts_pending(const struct desk *d);
/* With no fact waiting, moves the stored mark of facts to the last event
 * fed, in a transaction of its own (writer, outside a batch). */
int desk_metrics_mark_facts(struct desk *d, struct store *st);

/* The conflict index (conflicts.c), writer thread: build reads it from
 * the store as of its last event (the metrics lock must exist), feed
 * applies events read after a commit, facts the drill-down facts just
 * committed, drop forgets it. */
int desk_conflicts_build(struct desk *d, struct store *st);
void desk_conflicts_feed(struct desk *d, struct store *st, const struct event *ev, size_t n);
void desk_conflicts_facts(struct desk *d, const struct metric_fact *f, size_t n);
void desk_conflicts_drop(struct desk *d);
/* The ROI's conflict customers and handling time of the resolutions
 * (store.h conflict_customers, conflict_facts with the resolution fact)
 * from the index; PL_EUNAVAIL when there is none. Any thread. */
int desk_conflicts_count(struct desk *d, const struct insight_conflicts_query *q,
                         struct insight_conflicts_count *out);

/* The snapshot of metrics and risk features (metrics_snap.c), writer
 * thread or after it stopped. load replaces both and returns the event id
 * it is as of (0: none usable; one past not_after, of another database or
 * built with another config is not used). save writes the current state
 * unless facts wait to be stored or the state mixes configs; tick saves
 * when enough events came since the last snapshot and the writer's time
 * budget allows; mixed marks the state as built with more than one
 * config (a setting changed while serving). */
int64_t desk_metrics_snap_load(struct desk *d, struct store *st, int64_t not_after);
void desk_metrics_snap_save(struct desk *d, struct store *st);
void desk_metrics_snap_tick(struct desk *d, struct store *st);
void desk_metrics_snap_mixed(struct desk *d);

/* {"emotion","sentiment","anger","cues":[...]} of an analysis, as carried
 * by message.inbound events for the metrics and risk trackers. New object. */
json_t *desk_analysis_summary(const struct text_analysis *a);

/* Alerts (alerts.c): the detectors see each commit's events, and a tick
 * once a minute, idle or busy: desk_alerts_tick() does nothing before the
 * minute is up and returns 1 when it ran. Writer thread only. */
#define DESK_ALERTS_TICK_MS 60000
struct desk_alerts;
void desk_alerts_after_commit(struct desk *d, struct store *st);
int desk_alerts_tick(struct desk *d);
void desk_alerts_free(struct desk_alerts *al);

/* Offers a CSAT survey for a ticket just resolved (feedback.c): a
 * single-use token and an outbound message with its link. */
int desk_survey_offer_tx(struct desk_tx *tx, int64_t ticket_id, int64_t at);
/* Reads the feedback settings (repeat window) at open. */
void desk_feedback_load(struct desk *d);
/* A new ticket t: links it ("ticket.repeat") to the customer's ticket
 * resolved most recently within the repeat window, if any. */
int desk_repeat_link_tx(struct desk_tx *tx, const struct ticket *t, int64_t at);

/* The triage step of ingest (assess.c): t and c are the ticket after the
 * message was added and its customer; t is updated in place and stored. */
int desk_assess_tx(struct desk_tx *tx, const struct desk_actor *who, struct ticket *t,
                   const struct customer *c, int64_t message_id, bool new_ticket,
                   const struct text_analysis *a, int64_t now, struct desk_ingest_result *out);

/* Settings written by use cases (settings.c): the value and an event of
 * event_type in one transaction; get gives dflt when unset (caller frees). */
int desk_setting_put(struct desk *d, const struct desk_actor *who, const char *key,
                     const char *json, const char *event_type);
int desk_setting_get(struct desk *d, const char *key, const char *dflt, char **json);
/* The outbox's hook into every event (outbox.c): queues the e-mail of a
 * new outbound message on an e-mail ticket and the webhook calls that
 * match e, in e's transaction. */
int desk_outbox_event(struct desk_tx *tx, const struct event *e);
void desk_outbox_close(struct desk *d);

/* Judges every SMART goal at most once an hour, raising the alerts of
 * those off track (goals.c), when the alerts are enabled (the server).
 * Writer thread, outside a transaction. */
void desk_goals_tick(struct desk *d);

/* Returns a new compact JSON text with sorted keys (the canonical form of
 * event payloads); consumes j; NULL in, NULL out. Caller frees. */
char *desk_json_text(json_t *j);

#endif
