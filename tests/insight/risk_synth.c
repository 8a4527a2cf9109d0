/* risk_synth.c — the known "true" models behind the synthetic risk data. */
#include "risk_synth.h"

#include <math.h>

#include "model/model.h"

static double clamp01(double v)
{
    return v < 0 ? 0 : v > 1 ? 1 : v;
}

static double sig(double z)
{
    return 1.0 / (1.0 + exp(-z));
}

void synth_risk(enum insight_risk_kind kind, struct insight_rng *r, size_t n, double drift,
                double *X, int *y, double *p)
{
    int d = insight_risk_nfeatures(kind);
    for (size_t i = 0; i < n; i++) {
        double shift = n > 1 ? drift * (double)i / (double)(n - 1) : 0.0;
        double *x = X + i * (size_t)d, z;
        if (kind == INSIGHT_RISK_CHURN) {
            struct insight_customer_features f = {0};
            f.contacts_90d = (int)insight_rng_poisson(r, 3.0);
            f.negative_share = pow(insight_rng_uniform(r), 1.5);
            f.unresolved = (int)insight_rng_poisson(r, 0.3 + f.negative_share);
            f.csat_mean = insight_rng_uniform(r) < 0.4 ? 0 : 1 + 4 * clamp01(
                              1 - f.negative_share * 0.6 + 0.3 * insight_rng_normal(r));
            f.low_csat = f.csat_mean && f.csat_mean < 2.5 ? (int)insight_rng_poisson(r, 1.5) : 0;
            f.tenure_days = exp(5.5 + insight_rng_normal(r));
            f.days_since_contact = exp(3.0 + insight_rng_normal(r));
            f.escalations = (int)insight_rng_poisson(r, 0.1 + 0.3 * f.negative_share);
            f.tier = (int)(insight_rng_uniform(r) * 4);
            insight_customer_vector(&f, x);
            /* x: 0 log contacts, 1 negative share, 2 unresolved, 3 csat gap,
             * 4 low csat, 5 log tenure, 6 log days since, 7 escalations, 8 tier */
            z = -1.2 + 2.0 * x[1] + 0.6 * x[2] + 0.5 * x[3] + 0.3 * x[4] - 0.35 * x[5] +
                0.25 * x[6] + 0.5 * x[7] - 0.2 * x[8];
        } else {
            struct insight_ticket_features f = {0};
            double a = insight_rng_uniform(r);
            f.anger_max = a * a;
            f.negativity_max = clamp01(0.6 * f.anger_max + 0.4 * insight_rng_uniform(r));
            f.negativity_trend = 0.3 * insight_rng_normal(r);
            f.cues = (int)insight_rng_poisson(r, 0.2 + 1.2 * f.anger_max);
            f.wait_hours = exp(1.0 + 1.2 * insight_rng_normal(r));
            f.reopen_count = (int)insight_rng_poisson(r, 0.2);
            f.repeat_contacts = (int)insight_rng_poisson(r, 0.5);
            double u = insight_rng_uniform(r);
            f.priority = u < 0.2 ? 0 : u < 0.75 ? 1 : u < 0.93 ? 2 : 3;
            f.channel = (int)(insight_rng_uniform(r) * CHANNEL__COUNT);
            f.messages = 1 + (int)insight_rng_poisson(r, 2.0);
            f.agent_replies = (int)insight_rng_poisson(r, 1.5);
            f.tier = (int)(insight_rng_uniform(r) * 4);
            f.first_response_hours = exp(insight_rng_normal(r));
            insight_ticket_vector(&f, x);
            /* x: 0 anger, 1 negativity, 2 trend, 3 cues, 4 log wait, 5 reopens,
             * 6 log repeat, 7 priority, 8 log messages, 9 log replies, 10 tier,
             * 11 log first response, 12.. channels */
            if (kind == INSIGHT_RISK_ESCALATION)
                z = -3.6 + 2.5 * x[0] + 0.8 * x[3] + 0.45 * x[4] + 0.6 * x[5] + 0.4 * x[6] +
                    0.3 * x[7] + 1.0 * x[2] - 0.2 * x[10] + 0.5 * x[14];
            else
                z = -2.2 + 1.8 * x[1] + 0.7 * x[11] + 0.5 * x[5] + 0.3 * x[4] - 0.4 * x[9] +
                    0.6 * x[2];
        }
        double pr = sig(z + shift);
        if (p)
            p[i] = pr;
        y[i] = insight_rng_uniform(r) < pr;
    }
}
