/* risk_track.h — the features of the risk models, kept up to date from the
 * event stream, and the training sets drawn from the same stream.
 *
 * One piece of code computes what the models see, whether the server is
 * scoring an open ticket now or `parley train-risk` is replaying history:
 * both feed every event, in order, to a tracker. The server reads the
 * current features of a ticket or customer (microseconds, no query); the
 * trainer also asks the tracker to keep samples and labels them at the end.
 *
 * What a sample is (docs/insight-quality.md):
 *  - escalation and low CSAT: one snapshot per ticket, drawn uniformly
 *    (reservoir) from its waits: after each inbound message of an open,
 *    not yet escalated ticket, its state at a random instant before the
 *    next thing happened to it (a reply, another message, a status change),
 *    so waiting time is seen as the server sees it. A message whose own
 *    triage escalated the ticket yields no sample (that is the rule, not a
 *    prediction); nor does a wait still running at the end of the history.
 *    Label: escalated after the instant; final survey score ≤ 2 (only
 *    tickets with a survey answered).
 *  - churn: one snapshot per customer, drawn from the states at each of
 *    their tickets' resolutions. Label: within CHURN_WINDOW days the customer
 *    says they are leaving (a "cancel" cue), or — after a bad experience
 *    (the ticket escalated, was rated 1–2, or its last message was clearly
 *    negative) — never contacts support again. Samples whose window runs
 *    past the end of the history and have no cancel are left out. */
#ifndef PARLEY_INSIGHT_RISK_TRACK_H
#define PARLEY_INSIGHT_RISK_TRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "insight/risk.h"
#include "model/model.h"

#define INSIGHT_CHURN_WINDOW_DAYS 60

struct insight_risk_track;

/* collect: also keep training samples (more memory). */
struct insight_risk_track *insight_risk_track_new(bool collect);
void insight_risk_track_free(struct insight_risk_track *tr);

/* Feeds one committed event. Events of other kinds are ignored. An event
 * whose JSON does not parse is ignored too (returns PL_EPARSE). The
 * analysis is read from message.inbound's after.analysis
 * ({"emotion","sentiment","anger","cues":[...]}). */
int insight_risk_track_apply(struct insight_risk_track *tr, const struct event *ev);

/* The features of a ticket / customer as of `now` (ms). PL_ENOTFOUND for
 * one never seen. open_out (may be NULL) tells whether the ticket is open. */
int insight_risk_track_ticket(const struct insight_risk_track *tr, int64_t ticket_id, int64_t now,
                              struct insight_ticket_features *f, bool *open_out);
int insight_risk_track_customer(const struct insight_risk_track *tr, int64_t customer_id,
                                int64_t now, struct insight_customer_features *f);

/* Binary snapshot of a tracker made without collect, for a fast restart of
 * the same build (struct sizes in the header; the caller checksums the
 * whole file). save appends to out; load returns a new tracker in *out or
 * PL_EFORMAT. */
void insight_risk_track_save(const struct insight_risk_track *tr, struct buf *out);
int insight_risk_track_load(const char *p, size_t len, struct insight_risk_track **out);

/* A labelled training set: n rows of d features, the time of each sample. */
struct insight_risk_data {
    enum insight_risk_kind kind;
    int d;
    size_t n;
    double *X;         /* n × d */
    int *y;
    int64_t *at;
};
/* Labels the collected samples of `kind` as of end_ms (the end of the
 * history). out is filled with new arrays; release with
 * insight_risk_data_release. n may be 0 (e.g. no survey answered). */
void insight_risk_track_dataset(const struct insight_risk_track *tr, enum insight_risk_kind kind,
                                int64_t end_ms, struct insight_risk_data *out);
void insight_risk_data_release(struct insight_risk_data *d);

/* Trains on the rows before holdout_from and evaluates on the rows from it:
 * {"kind","train":{"n","positives"},"test":{"n","positives","auc","brier",
 * "ece","baseline_brier","reliability":[{"from","to","n","predicted",
 * "observed"}]},"weights":[{"name","weight"}]}. holdout_from = 0 picks the
 * time that leaves the last 20 % of samples for the test. PL_EINVAL (with
 * *why, static) when a part has too few rows or one class only. */
int insight_risk_fit(const struct insight_risk_data *d, int64_t holdout_from, double l2,
                     struct insight_risk_model *m, json_t **report, const char **why);

#endif
