/* risk.h — risk scores: P(ticket escalates), P(ticket ends with low CSAT)
 * and P(customer churns), from L2-regularised logistic regression trained
 * here (Newton's method on standardised features), with the factors behind
 * each prediction, exact AUC, calibration, and a checksummed model file.
 *
 * Features are defined by this module (insight_ticket_vector /
 * insight_customer_vector) so a trained model and the code that feeds it
 * cannot disagree: the model file lists the feature names and loading
 * checks them. */
#ifndef PARLEY_INSIGHT_RISK_H
#define PARLEY_INSIGHT_RISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "base/buf.h"

#define INSIGHT_RISK_MAX_FEATURES 24

enum insight_risk_kind { INSIGHT_RISK_ESCALATION, INSIGHT_RISK_LOW_CSAT, INSIGHT_RISK_CHURN,
                         INSIGHT_RISK__COUNT };

const char *insight_risk_kind_name(enum insight_risk_kind k);
int insight_risk_kind_parse(const char *s, enum insight_risk_kind *out);

/* What is known about an open ticket now. */
struct insight_ticket_features {
    double anger_max;          /* max anger intensity over inbound messages, 0..1 */
    double negativity_max;     /* max of −sentiment over inbound messages, 0..1 */
    double negativity_trend;   /* last minus first message negativity, −1..1 */
    int cues;                  /* escalation cues seen (threat to leave, sue, go public) */
    double wait_hours;         /* customer waiting since their last message */
    int reopen_count;
    int repeat_contacts;       /* other tickets of the customer in the last 30 days */
    int priority;              /* enum priority, 0..3 */
    int channel;               /* enum channel */
    int messages;              /* inbound messages */
    int agent_replies;
    int tier;                  /* 0 none, 1, 2, 3 higher loyalty tiers */
    double first_response_hours;   /* 0 while unanswered: then wait_hours counts */
};

/* What is known about a customer now. */
struct insight_customer_features {
    int contacts_90d;
    double negative_share;     /* share of their messages that were negative, 0..1 */
    int unresolved;            /* open tickets */
    double csat_mean;          /* 1..5; 0 = no survey answered */
    int low_csat;              /* surveys answered 1 or 2 */
    double tenure_days;
    double days_since_contact;
    int escalations;
    int tier;
};

/* Writes the nfeatures(kind) values of the feature vector to x[0..d-1]
 * and returns d (16 for tickets, 9 for customers). */
int insight_ticket_vector(const struct insight_ticket_features *f, double *x);
int insight_customer_vector(const struct insight_customer_features *f, double *x);
/* Feature count, machine name and human name ("en"/"ru") of a kind. */
int insight_risk_nfeatures(enum insight_risk_kind k);
const char *insight_risk_feature_name(enum insight_risk_kind k, int j);
const char *insight_risk_feature_label(enum insight_risk_kind k, int j, const char *lang);

struct insight_risk_model {
    enum insight_risk_kind kind;
    int d;
    double bias;
    double w[INSIGHT_RISK_MAX_FEATURES];       /* on standardised features */
    double mean[INSIGHT_RISK_MAX_FEATURES], sd[INSIGHT_RISK_MAX_FEATURES];
    double l2;
    int64_t n_train;
    double prevalence;
};

/* Trains on n rows of X (row-major, n × d where d = nfeatures(kind)) with
 * labels y ∈ {0,1}. l2 ≥ 0 is the penalty on standardised weights (the
 * bias is not penalised). PL_EINVAL for n < 2, a single class, non-finite
 * values. Deterministic. */
int insight_risk_train(struct insight_risk_model *m, enum insight_risk_kind kind, const double *X,
                       const int *y, size_t n, double l2);
double insight_risk_predict(const struct insight_risk_model *m, const double *x);

struct insight_risk_factor {
    int feature;
    const char *name;          /* static */
    const char *label;         /* static, in the requested language */
    double value;              /* raw feature value */
    double contribution;       /* weight × standardised value, in log-odds; > 0 raises risk */
};
/* The k factors with the largest |contribution| for x, largest first;
 * returns how many were written. */
int insight_risk_explain(const struct insight_risk_model *m, const double *x, const char *lang,
                         struct insight_risk_factor *out, int k);

/* {"kind","probability","factors":[{"name","label","value","contribution"}]}
 * with the top k factors; new JSON object, caller decrefs. */
json_t *insight_risk_prediction_json(const struct insight_risk_model *m, const double *x,
                                     const char *lang, int k);

/* Exact AUC via ranks (ties get mid-ranks); NAN if a class is absent. */
double insight_auc(const double *score, const int *y, size_t n);

#define INSIGHT_CALIB_MAX_BINS 20
struct insight_calibration {
    int bins;
    int64_t count[INSIGHT_CALIB_MAX_BINS];
    double mean_pred[INSIGHT_CALIB_MAX_BINS], observed[INSIGHT_CALIB_MAX_BINS];
    double brier;              /* mean (p − y)² */
    double ece;                /* Σ count/n × |observed − mean_pred| */
};
/* Equal-width bins on [0,1]; bins clamped to 1..INSIGHT_CALIB_MAX_BINS. */
void insight_calibrate(const double *p, const int *y, size_t n, int bins,
                       struct insight_calibration *out);

/* Model text format "parley-risk 1", one line per feature, ending with an
 * FNV-1a 64 checksum of everything before it. save appends to out. load
 * returns PL_EFORMAT (not a model, wrong version, feature names that do
 * not match this build) or PL_ECHECKSUM (damaged). */
void insight_risk_save(const struct insight_risk_model *m, struct buf *out);
int insight_risk_load(const char *text, size_t len, struct insight_risk_model *m);

#endif
