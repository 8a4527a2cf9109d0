/* spike.h — online detection of complaint spikes per category.
 *
 * Input: the number of negative messages per hour for one category (feed
 * every hour, zeros included; skipped hours are filled with zeros).
 * Baseline: λ(t) = level × day_profile[hour of day] × week_profile[weekday],
 * each factor an exponentially weighted mean that starts as a plain mean,
 * in local time (utc_offset_min); updates are winsorised and paused during
 * an alert so a spike does not teach the baseline that spikes are normal.
 * Trigger: a CUSUM of the log-likelihood ratio of rate `shift`×λ against λ
 * — negative binomial with the overdispersion measured online, Poisson when
 * there is none — raised at `threshold`, cleared after `clear_hours` hours
 * at or below the baseline. Until `warmup_hours` of history the baseline
 * is "young" and tested with a margin; no alert before `min_hours`.
 * Fed message by message (insight_spikes_add), an alert is raised as soon
 * as the open hour's count makes it certain, not when the hour ends. See docs/insight.md and docs/insight-quality.md. */
#ifndef PARLEY_INSIGHT_SPIKE_H
#define PARLEY_INSIGHT_SPIKE_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

struct insight_spike_config {
    int utc_offset_min;      /* local time of the team, for seasonality (default 0) */
    double alpha_level;      /* EW weight of the level per hour (default 0.005) */
    double alpha_day;        /* EW weight of an hour-of-day slot per day (default 0.02) */
    double alpha_week;       /* EW weight of a weekday slot per hour of it (default 0.01) */
    double shift;            /* rise the CUSUM is tuned to, r > 1 (default 2); 0 = auto */
    double threshold;        /* CUSUM threshold h (default 6) */
    int warmup_hours;        /* hours until the seasonal baseline is trusted (default 336 = 2 weeks) */
    int min_hours;           /* no alert before this many hours (default 24) */
    double young_margin;     /* before warmup_hours the CUSUM tests against this many
                              * times the baseline: the daily and weekly profile are not
                              * known yet (default 1.5) */
    int clear_hours;         /* hours at zero before clearing (default 3) */
    double min_expected;     /* floor on λ per hour (default 0.05) */
};
void insight_spike_config_default(struct insight_spike_config *c);

#define INSIGHT_SPIKE_SAMPLES 5
#define INSIGHT_SPIKE_CAT_LEN 64

enum insight_spike_change { INSIGHT_SPIKE_NONE, INSIGHT_SPIKE_RAISED, INSIGHT_SPIKE_CLEARED };

struct insight_spike_alert {
    char category[INSIGHT_SPIKE_CAT_LEN];
    int64_t started_at;      /* first hour of the run of excess that led to the alert */
    int64_t raised_at;       /* start of the hour that crossed the threshold */
    int64_t cleared_at;      /* 0 while active */
    int hours;               /* hours since started_at (to the last observed hour) */
    double observed;         /* messages since started_at */
    double expected;         /* baseline expectation over the same hours */
    double ratio;            /* observed / expected */
    double score;            /* CUSUM statistic when raised */
    int64_t samples[INSIGHT_SPIKE_SAMPLES];  /* ticket ids, newest last */
    int nsamples;
};

/* Adds a sample ticket id (keeps the newest INSIGHT_SPIKE_SAMPLES). */
void insight_spike_alert_add_sample(struct insight_spike_alert *a, int64_t ticket_id);
/* New JSON object; caller decrefs. */
json_t *insight_spike_alert_to_json(const struct insight_spike_alert *a);

/* One series. cfg NULL = defaults. Free with insight_spike_free(). */
struct insight_spike;
struct insight_spike *insight_spike_new(const struct insight_spike_config *cfg);
void insight_spike_free(struct insight_spike *s);
/* Observes the count of the hour starting at hour_start (ms, any instant
 * inside the hour is rounded down). Returns INSIGHT_SPIKE_NONE, _RAISED or
 * _CLEARED (and fills *out, whose category is left empty), or PL_EINVAL for
 * a negative/non-finite count or an hour before the last one observed. */
int insight_spike_observe(struct insight_spike *s, int64_t hour_start, double count,
                          struct insight_spike_alert *out);
/* Whether the hour containing hour_start, with `count` messages so far,
 * is certain to raise an alert when it closes (the statistic only grows
 * with the count). Returns INSIGHT_SPIKE_RAISED (filling *out) once per
 * hour — that alert is then not reported again when the hour closes —
 * or INSIGHT_SPIKE_NONE; the detector's state is not advanced. */
int insight_spike_peek(struct insight_spike *s, int64_t hour_start, double count,
                       struct insight_spike_alert *out);
/* Baseline expectation for the hour containing t (NAN before any data). */
double insight_spike_expected(const struct insight_spike *s, int64_t t);
bool insight_spike_active(const struct insight_spike *s);

/* A set of detectors by category, fed message by message. */
struct insight_spikes;
struct insight_spikes *insight_spikes_new(const struct insight_spike_config *cfg);
void insight_spikes_free(struct insight_spikes *set);
/* Counts one negative message of `category` at `at`, remembering ticket_id
 * as a sample. Hours are closed by the first message or tick after them;
 * an alert the open hour already makes certain is raised at once
 * (insight_spike_peek). A category seen for the first time starts its
 * history at the set's first hour, with zeros before its first message.
 * Alerts produced while closing hours are written to out[0..max-1]; the
 * number written is returned (or a negative PL_E* code: PL_EINVAL for a
 * NULL/too-long category or time going back more than an hour). */
int insight_spikes_add(struct insight_spikes *set, const char *category, int64_t at,
                       int64_t ticket_id, struct insight_spike_alert *out, int max);
/* Closes every hour that ended at or before `now` for all categories. */
int insight_spikes_tick(struct insight_spikes *set, int64_t now, struct insight_spike_alert *out,
                        int max);

#endif
