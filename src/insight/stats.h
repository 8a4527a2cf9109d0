/* stats.h — small numeric helpers shared by the insight engines:
 * fixed log-scale duration histograms (mergeable quantiles), least-squares
 * slope, median/MAD, and a deterministic random generator for synthetic
 * evaluation data. All pure; no allocation unless said. */
#ifndef PARLEY_INSIGHT_STATS_H
#define PARLEY_INSIGHT_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Instants further than this from the epoch (±3,000 years) are refused as
 * input: they can only be mistakes, and arithmetic on them could overflow. */
#define INSIGHT_MAX_ABS_MS 100000000000000LL

/* Log-scale histogram of durations in milliseconds. Bin 0 holds values
 * below 1 s; bin i (1..94) holds [2^((i-1)/4), 2^(i/4)) seconds; bin 95
 * everything from 2^23.5 s (~137 days) up. Four bins per octave: a
 * quantile read from it is within ±9% of the exact one. Two histograms
 * merge by adding counts, so p50/p90 of a month are exact merges of days. */
#define INSIGHT_HIST_BINS 96
struct insight_hist {
    uint32_t n[INSIGHT_HIST_BINS];
};

void insight_hist_add(struct insight_hist *h, int64_t ms);      /* negative → 0 */
void insight_hist_sub(struct insight_hist *h, int64_t ms);      /* undo an add (never below 0) */
void insight_hist_merge(struct insight_hist *dst, const struct insight_hist *src);
uint64_t insight_hist_count(const struct insight_hist *h);
/* q in [0,1]; returns the quantile in milliseconds, geometric interpolation
 * inside the bin; NAN when the histogram is empty. */
double insight_hist_quantile(const struct insight_hist *h, double q);
/* Bin of a duration and the bin's lower edge in ms (exported for tests). */
int insight_hist_bin(int64_t ms);
double insight_hist_lower_ms(int bin);

/* Least-squares slope of y on x (n points); 0 when n < 2 or x constant.
 * If intercept is not NULL it receives the intercept. NaN y are skipped. */
double insight_slope(const double *x, const double *y, size_t n, double *intercept);
/* Median of n values (copies, does not reorder v); NAN when n == 0. */
double insight_median(const double *v, size_t n);
/* Median absolute deviation around the median (raw, not scaled). */
double insight_mad(const double *v, size_t n);

/* Deterministic generator (splitmix64); the same seed gives the same
 * sequence on every machine. */
struct insight_rng {
    uint64_t s;
};
uint64_t insight_rng_next(struct insight_rng *r);
double insight_rng_uniform(struct insight_rng *r);          /* [0,1) */
double insight_rng_normal(struct insight_rng *r);           /* N(0,1) */
unsigned insight_rng_poisson(struct insight_rng *r, double lambda);
/* Gamma(shape, scale 1), shape ≥ 1 (Marsaglia–Tsang); NAN for shape < 1. */
double insight_rng_gamma(struct insight_rng *r, double shape);

#endif
