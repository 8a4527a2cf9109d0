/* risk_synth.h — synthetic tickets and customers whose true risk model is
 * known, for the risk tests and risk_eval. Deterministic per seed. */
#ifndef PARLEY_TEST_RISK_SYNTH_H
#define PARLEY_TEST_RISK_SYNTH_H

#include <stddef.h>

#include "insight/risk.h"
#include "insight/stats.h"

/* Fills X (n × nfeatures(kind), row-major), y and the true probability p
 * (may be NULL) for rows in time order: the intercept drifts by `drift`
 * log-odds from the first row to the last, as a team's mix changes. */
void synth_risk(enum insight_risk_kind kind, struct insight_rng *r, size_t n, double drift,
                double *X, int *y, double *p);

#endif
