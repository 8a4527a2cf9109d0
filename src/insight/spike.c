/* spike.c — seasonal Poisson baseline + CUSUM per category. The model and
 * its measured quality: docs/insight.md, docs/insight-quality.md. */
#include "insight/spike.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/xalloc.h"
#include "insight/stats.h"

#define HOUR_MS 3600000LL
#define DAY_MS  86400000LL
#define MAX_GAP_HOURS (24 * 7 * 4)

struct insight_spike {
    struct insight_spike_config cfg;
    int64_t last_hour;         /* INT64_MIN: nothing yet */
    long nobs;
    /* Exponentially weighted sums (a ratio of two EW sums is a plain mean
     * while young and an EW mean once old): counts and hours per hour of
     * day and per weekday; the level is Σx / Σ(seasonal factor). */
    double day_x[24], day_n[24], week_x[7], week_n[7];
    double lev_x, lev_n;
    double day[24], week[7];   /* factors, mean 1 */
    /* Overdispersion α of a negative binomial (variance λ + αλ²), as
     * Σ((x−λ)² − x) / Σλ² over recent hours, exponentially weighted. */
    double od_num, od_den;
    double S;                  /* CUSUM statistic */
    bool active;
    int zero_run;
    struct insight_spike_alert run;   /* the current run of excess / alert */
    bool in_run;
    int64_t early_hour;        /* an alert raised early for this hour (peek) */
};

void insight_spike_config_default(struct insight_spike_config *c)
{
    memset(c, 0, sizeof *c);
    c->alpha_level = 0.005;
    c->alpha_day = 0.02;
    c->alpha_week = 0.01;
    c->shift = 2.0;
    c->threshold = 6.0;
    c->warmup_hours = 336;
    c->min_hours = 24;
    c->young_margin = 1.5;
    c->clear_hours = 3;
    c->min_expected = 0.05;
}

struct insight_spike *insight_spike_new(const struct insight_spike_config *cfg)
{
    struct insight_spike *s = xcalloc(1, sizeof *s);
    if (cfg)
        s->cfg = *cfg;
    else
        insight_spike_config_default(&s->cfg);
    if (!(s->cfg.shift > 1.0) && s->cfg.shift != 0.0)
        s->cfg.shift = 2.0;
    if (!(s->cfg.threshold > 0.0))
        s->cfg.threshold = 6.0;
    if (s->cfg.clear_hours < 1)
        s->cfg.clear_hours = 1;
    if (s->cfg.utc_offset_min < -24 * 60 || s->cfg.utc_offset_min > 24 * 60)
        s->cfg.utc_offset_min = 0;
    if (!(s->cfg.alpha_level > 0 && s->cfg.alpha_level < 1))
        s->cfg.alpha_level = 0.005;
    if (!(s->cfg.alpha_day > 0 && s->cfg.alpha_day < 1))
        s->cfg.alpha_day = 0.02;
    if (!(s->cfg.alpha_week > 0 && s->cfg.alpha_week < 1))
        s->cfg.alpha_week = 0.01;
    if (!(s->cfg.min_expected > 0))
        s->cfg.min_expected = 0.05;
    if (s->cfg.min_hours < 1)
        s->cfg.min_hours = 1;
    if (!(s->cfg.young_margin >= 1.0 && s->cfg.young_margin <= 100.0))
        s->cfg.young_margin = 1.5;
    s->last_hour = INT64_MIN;
    s->early_hour = INT64_MIN;
    for (int i = 0; i < 24; i++)
        s->day[i] = 1.0;
    for (int i = 0; i < 7; i++)
        s->week[i] = 1.0;
    return s;
}

void insight_spike_free(struct insight_spike *s)
{
    free(s);
}

bool insight_spike_active(const struct insight_spike *s)
{
    return s->active;
}

static int64_t floor_to(int64_t t, int64_t step)
{
    int64_t q = t / step;
    if (t % step && t < 0)
        q--;
    return q * step;
}

/* Local hour of day and weekday (0 = Monday; 1970-01-01 was a Thursday). */
static void slot(const struct insight_spike *s, int64_t t, int *h, int *d)
{
    int64_t local = t + (int64_t)s->cfg.utc_offset_min * 60000LL;
    int64_t days = floor_to(local, DAY_MS) / DAY_MS;
    *h = (int)((local - days * DAY_MS) / HOUR_MS);
    *d = (int)(((days + 3) % 7 + 7) % 7);
}

static double expected_at(const struct insight_spike *s, int h, int d)
{
    double level = s->lev_n > 0 ? s->lev_x / s->lev_n : 0.0;
    double l = level * s->day[h] * s->week[d];
    return l < s->cfg.min_expected ? s->cfg.min_expected : l;
}

double insight_spike_expected(const struct insight_spike *s, int64_t t)
{
    if (!s->nobs)
        return NAN;
    int h, d;
    slot(s, t, &h, &d);
    return expected_at(s, h, d);
}

/* Seasonal factors from the sums: each slot's mean rate, shrunk towards
 * the overall mean by a prior worth `k` observations (sparse categories
 * have noisy slots), normalised to mean 1. */
static void factors(double *f, const double *x, const double *n, int slots, double k)
{
    double tx = 0, tn = 0, sum = 0;
    for (int i = 0; i < slots; i++) {
        tx += x[i];
        tn += n[i];
    }
    double mean = tn > 0 ? tx / tn : 0.0;
    if (mean <= 0) {
        for (int i = 0; i < slots; i++)
            f[i] = 1.0;
        return;
    }
    for (int i = 0; i < slots; i++) {
        f[i] = (x[i] + k * mean) / (n[i] + k) / mean;
        if (f[i] < 0.02)
            f[i] = 0.02;
        sum += f[i];
    }
    for (int i = 0; i < slots; i++)
        f[i] *= slots / sum;
}


static double overdispersion(const struct insight_spike *s)
{
    if (!(s->od_den > 0))
        return 0.0;
    double a = s->od_num / s->od_den;
    return a < 0 ? 0.0 : a > 2.0 ? 2.0 : a;
}

static void learn(struct insight_spike *s, int h, int d, double x, double lambda)
{
    /* Winsorise: one bad hour moves the baseline at most ~3σ worth. */
    double cap = lambda + 3.0 * sqrt(lambda + overdispersion(s) * lambda * lambda) + 1.0;
    double xw = s->nobs > 48 && x > cap ? cap : x;
    double kd = 1.0 - s->cfg.alpha_day;
    s->day_x[h] = s->day_x[h] * kd + xw;
    s->day_n[h] = s->day_n[h] * kd + 1.0;
    double kw = 1.0 - s->cfg.alpha_week;
    s->week_x[d] = s->week_x[d] * kw + xw;
    s->week_n[d] = s->week_n[d] * kw + 1.0;
    factors(s->day, s->day_x, s->day_n, 24, 2.0);
    factors(s->week, s->week_x, s->week_n, 7, 24.0);
    double kl = 1.0 - s->cfg.alpha_level;
    s->lev_x = s->lev_x * kl + xw;
    s->lev_n = s->lev_n * kl + s->day[h] * s->week[d];
    if (s->nobs >= 24) {
        /* Outliers are capped at 5 sd so one spike does not read as noise. */
        double sd = sqrt(lambda + overdispersion(s) * lambda * lambda);
        double xo = x > lambda + 5 * sd ? lambda + 5 * sd : x;
        s->od_num = s->od_num * (1.0 - 0.01) + ((xo - lambda) * (xo - lambda) - xo);
        s->od_den = s->od_den * (1.0 - 0.01) + lambda * lambda;
    }
}

static int observe_one(struct insight_spike *s, int64_t hour, double x,
                       struct insight_spike_alert *out)
{
    int h, d, change = INSIGHT_SPIKE_NONE;
    slot(s, hour, &h, &d);
    double lambda = s->nobs ? expected_at(s, h, d) : x;
    if (s->nobs >= s->cfg.min_hours) {
        /* A young baseline does not know the daily and weekly rhythm yet:
         * test against a margin above it, not against it. */
        double lt = s->nobs < s->cfg.warmup_hours ? lambda * s->cfg.young_margin : lambda;
        double r = s->cfg.shift;
        if (r <= 0) {
            /* Auto: tune to the rise that is about three standard deviations
             * over six hours at this category's mean rate — large relative
             * rises for quiet categories, small ones for busy ones. */
            double mean = s->lev_n > 0 ? s->lev_x / s->lev_n : 0.0;
            r = 1.0 + 3.0 / sqrt((mean > 0.05 ? mean : 0.05) * 6.0);
            r = r < 1.25 ? 1.25 : r > 4.0 ? 4.0 : r;
        }
        /* Log-likelihood ratio of rate rλ vs λ: negative binomial with the
         * measured α (shape k = 1/α), Poisson when α is negligible. */
        double a = overdispersion(s), inc;
        if (a < 1e-3) {
            inc = x * log(r) - (r - 1.0) * lt;
        } else {
            double k = 1.0 / a;
            inc = x * log(r * (k + lt) / (k + r * lt)) +
                  k * log((k + lt) / (k + r * lt));
        }
        s->S = s->S + inc > 0 ? s->S + inc : 0.0;
        if (s->S > 0 && !s->in_run && !s->active) {
            memset(&s->run, 0, sizeof s->run);
            s->run.started_at = hour;
            s->in_run = true;
        }
        if (s->in_run || s->active) {
            s->run.observed += x;
            s->run.expected += lambda;
            s->run.hours++;
            s->run.ratio = s->run.expected > 0 ? s->run.observed / s->run.expected : 0;
        }
        if (!s->active && s->S >= s->cfg.threshold) {
            s->active = true;
            s->zero_run = 0;
            s->run.raised_at = hour;
            s->run.score = s->S;
            s->S = 0; /* restart: a continuing spike keeps it above zero */
            change = INSIGHT_SPIKE_RAISED;
        } else if (s->active) {
            /* While active the statistic is capped at the threshold, so the
             * alert can end soon after the excess does: it clears after
             * clear_hours hours in a row at or below the baseline (or with
             * the statistic back at zero). */
            if (s->S > s->cfg.threshold)
                s->S = s->cfg.threshold;
            s->zero_run = s->S <= 0 || x <= lambda ? s->zero_run + 1 : 0;
            if (s->zero_run >= s->cfg.clear_hours) {
                s->active = false;
                s->in_run = false;
                s->S = 0;
                s->run.cleared_at = hour + HOUR_MS;
                change = INSIGHT_SPIKE_CLEARED;
            }
        } else if (s->S <= 0) {
            s->in_run = false;
        }
    }
    if (!s->active)
        learn(s, h, d, x, lambda);
    s->nobs++;
    s->last_hour = hour;
    if (change && out)
        *out = s->run;
    return change;
}

int insight_spike_observe(struct insight_spike *s, int64_t hour_start, double count,
                          struct insight_spike_alert *out)
{
    if (!s || !isfinite(count) || count < 0 || count > 1e9 || hour_start < -INSIGHT_MAX_ABS_MS ||
        hour_start > INSIGHT_MAX_ABS_MS)
        return PL_EINVAL;
    int64_t hour = floor_to(hour_start, HOUR_MS);
    if (s->last_hour != INT64_MIN && hour <= s->last_hour)
        return PL_EINVAL;
    int pending = INSIGHT_SPIKE_NONE;
    struct insight_spike_alert tmp;
    if (s->last_hour != INT64_MIN) {
        int64_t gap = (hour - s->last_hour) / HOUR_MS - 1;
        if (gap > MAX_GAP_HOURS) {
            /* A long silence: the feed was down. Start the statistic over. */
            s->S = 0;
            s->active = s->in_run = false;
        } else {
            for (int64_t g = 1; g <= gap; g++) {
                int c = observe_one(s, s->last_hour + HOUR_MS, 0.0, &tmp);
                if (c) {
                    pending = c;
                    if (out)
                        *out = tmp;
                }
            }
        }
    }
    int c = observe_one(s, hour, count, out);
    if (c == INSIGHT_SPIKE_RAISED && hour == s->early_hour)
        c = INSIGHT_SPIKE_NONE; /* reported by insight_spike_peek() already */
    return c ? c : pending;
}

int insight_spike_peek(struct insight_spike *s, int64_t hour_start, double count,
                       struct insight_spike_alert *out)
{
    int64_t hour = floor_to(hour_start, HOUR_MS);
    if (!s || s->active || hour == s->early_hour)
        return INSIGHT_SPIKE_NONE;
    struct insight_spike trial = *s;   /* plain data: a copy is a what-if */
    struct insight_spike_alert a;
    if (insight_spike_observe(&trial, hour, count, &a) != INSIGHT_SPIKE_RAISED)
        return INSIGHT_SPIKE_NONE;
    s->early_hour = hour;
    if (out)
        *out = a;
    return INSIGHT_SPIKE_RAISED;
}

void insight_spike_alert_add_sample(struct insight_spike_alert *a, int64_t ticket_id)
{
    for (int i = 0; i < a->nsamples; i++)
        if (a->samples[i] == ticket_id)
            return;
    if (a->nsamples == INSIGHT_SPIKE_SAMPLES) {
        memmove(a->samples, a->samples + 1, (INSIGHT_SPIKE_SAMPLES - 1) * sizeof a->samples[0]);
        a->nsamples--;
    }
    a->samples[a->nsamples++] = ticket_id;
}

json_t *insight_spike_alert_to_json(const struct insight_spike_alert *a)
{
    json_t *ids = json_array();
    for (int i = 0; i < a->nsamples; i++)
        json_array_append_new(ids, json_integer((json_int_t)a->samples[i]));
    return json_pack("{s:s,s:I,s:I,s:o,s:i,s:f,s:f,s:f,s:f,s:o}", "category", a->category,
                     "started_at", (json_int_t)a->started_at, "raised_at",
                     (json_int_t)a->raised_at, "cleared_at",
                     a->cleared_at ? json_integer((json_int_t)a->cleared_at) : json_null(),
                     "hours", a->hours, "observed", a->observed, "expected", a->expected,
                     "ratio", a->ratio, "score", a->score, "sample_tickets", ids);
}

/* ---- a set of detectors by category ------------------------------------ */

struct cat {
    char name[INSIGHT_SPIKE_CAT_LEN];
    struct insight_spike *det;
    int64_t hour;              /* the open hour */
    double count;
    struct insight_spike_alert recent;   /* only its sample ring is used */
};

struct insight_spikes {
    struct insight_spike_config cfg;
    struct cat *c;
    size_t n, cap;
    int64_t start;             /* the first hour any category was seen */
};

struct insight_spikes *insight_spikes_new(const struct insight_spike_config *cfg)
{
    struct insight_spikes *set = xcalloc(1, sizeof *set);
    if (cfg)
        set->cfg = *cfg;
    else
        insight_spike_config_default(&set->cfg);
    set->start = INT64_MIN;
    return set;
}

void insight_spikes_free(struct insight_spikes *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->n; i++)
        insight_spike_free(set->c[i].det);
    free(set->c);
    free(set);
}

/* Closes the open hour of c if it ended at or before `now`. */
static int close_hour(struct cat *c, int64_t now, struct insight_spike_alert *out, int max, int n)
{
    if (c->hour == INT64_MIN || c->hour + HOUR_MS > now)
        return n;
    struct insight_spike_alert a;
    int ch = insight_spike_observe(c->det, c->hour, c->count, &a);
    c->hour = floor_to(now, HOUR_MS);
    c->count = 0;
    if (ch == INSIGHT_SPIKE_RAISED || ch == INSIGHT_SPIKE_CLEARED) {
        snprintf(a.category, sizeof a.category, "%s", c->name);
        memcpy(a.samples, c->recent.samples, sizeof a.samples);
        a.nsamples = c->recent.nsamples;
        if (n < max)
            out[n] = a;
        n++;
    }
    return n;
}

int insight_spikes_add(struct insight_spikes *set, const char *category, int64_t at,
                       int64_t ticket_id, struct insight_spike_alert *out, int max)
{
    if (!set || !category || strlen(category) >= INSIGHT_SPIKE_CAT_LEN ||
        at < -INSIGHT_MAX_ABS_MS || at > INSIGHT_MAX_ABS_MS)
        return PL_EINVAL;
    struct cat *c = NULL;
    for (size_t i = 0; i < set->n; i++)
        if (!strcmp(set->c[i].name, category))
            c = &set->c[i];
    if (!c) {
        if (set->n == set->cap) {
            set->cap = set->cap ? set->cap * 2 : 8;
            set->c = xrealloc(set->c, set->cap * sizeof *set->c);
        }
        c = &set->c[set->n++];
        memset(c, 0, sizeof *c);
        snprintf(c->name, sizeof c->name, "%s", category);
        c->det = insight_spike_new(&set->cfg);
        /* Its history starts with the set's: no complaint so far is a count. */
        int64_t first = floor_to(at, HOUR_MS);
        if (set->start == INT64_MIN)
            set->start = first;
        c->hour = first - set->start > MAX_GAP_HOURS * HOUR_MS ? first - MAX_GAP_HOURS * HOUR_MS
                                                               : set->start;
    }
    int64_t h = floor_to(at, HOUR_MS);
    if (h < c->hour - HOUR_MS)
        return PL_EINVAL;
    int n = close_hour(c, at, out, max, 0);
    c->count += 1.0; /* a message up to an hour late counts in the open hour */
    if (ticket_id)
        insight_spike_alert_add_sample(&c->recent, ticket_id);
    struct insight_spike_alert a;
    if (insight_spike_peek(c->det, c->hour, c->count, &a) == INSIGHT_SPIKE_RAISED) {
        snprintf(a.category, sizeof a.category, "%s", c->name);
        memcpy(a.samples, c->recent.samples, sizeof a.samples);
        a.nsamples = c->recent.nsamples;
        if (n < max)
            out[n] = a;
        n++;
    }
    return n < max ? n : max;
}

int insight_spikes_tick(struct insight_spikes *set, int64_t now, struct insight_spike_alert *out,
                        int max)
{
    int n = 0;
    for (size_t i = 0; set && i < set->n; i++)
        n = close_hour(&set->c[i], now, out, max, n);
    return n < max ? n : max;
}
