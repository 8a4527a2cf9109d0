/* deviation.c — standard / rolling robust band with hysteresis. */
#include "insight/deviation.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/utf8.h"
#include "base/xalloc.h"
#include "insight/stats.h"

struct insight_dev {
    struct insight_dev_config cfg;
    double ring[INSIGHT_DEV_MAX_WINDOW];
    int nring, head;
    int64_t last_t;
    bool has_t;
    bool active;
    int breach_points, ok_points;
    int64_t breach_since;
    bool breach_above;
};

void insight_dev_config_default(struct insight_dev_config *c)
{
    memset(c, 0, sizeof *c);
    c->mode = INSIGHT_DEV_STANDARD;
    c->bad = INSIGHT_DEV_ABOVE;
    c->k = 3.0;
    c->window = 48;
    c->min_points = 12;
    c->raise_points = 1;
    c->clear_points = 2;
}

static int fail(char *err, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t n, const char *fmt, ...)
{
    if (err && n) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, n, fmt, ap);
        va_end(ap);
    }
    return PL_EINVAL;
}

static int get_num(const json_t *j, const char *k, double lo, double hi, double *out)
{
    const json_t *v = json_object_get(j, k);
    if (!v)
        return 0;
    if (!json_is_number(v) || !(json_number_value(v) >= lo) || !(json_number_value(v) <= hi))
        return -1;
    *out = json_number_value(v);
    return 0;
}

int insight_dev_config_parse(const json_t *j, struct insight_dev_config *c, char *err,
                             size_t errlen)
{
    insight_dev_config_default(c);
    if (err && errlen)
        err[0] = 0;
    if (!json_is_object(j))
        return fail(err, errlen, "expected a JSON object");
    const char *metric = json_string_value(json_object_get(j, "metric"));
    if (!metric || !*metric || strlen(metric) >= sizeof c->metric ||
        !utf8_valid(metric, strlen(metric)))
        return fail(err, errlen, "\"metric\" must be a short non-empty string");
    snprintf(c->metric, sizeof c->metric, "%s", metric);
    const json_t *mode = json_object_get(j, "mode"), *bad = json_object_get(j, "bad");
    if (mode) {
        const char *m = json_string_value(mode);
        if (m && !strcmp(m, "standard"))
            c->mode = INSIGHT_DEV_STANDARD;
        else if (m && !strcmp(m, "band"))
            c->mode = INSIGHT_DEV_BAND;
        else
            return fail(err, errlen, "\"mode\" must be \"standard\" or \"band\"");
    }
    if (bad) {
        const char *b = json_string_value(bad);
        if (b && !strcmp(b, "above"))
            c->bad = INSIGHT_DEV_ABOVE;
        else if (b && !strcmp(b, "below"))
            c->bad = INSIGHT_DEV_BELOW;
        else if (b && !strcmp(b, "both") && c->mode == INSIGHT_DEV_BAND)
            c->bad = INSIGHT_DEV_BOTH;
        else
            return fail(err, errlen, "\"bad\" must be \"above\", \"below\" or (band) \"both\"");
    }
    double window = c->window, minp = c->min_points, rp = c->raise_points, cp = c->clear_points,
           rmin = 0;
    if (c->mode == INSIGHT_DEV_STANDARD) {
        const json_t *s = json_object_get(j, "standard");
        if (!json_is_number(s) || !isfinite(json_number_value(s)))
            return fail(err, errlen, "standard mode needs a numeric \"standard\"");
        c->standard = json_number_value(s);
    }
    if (get_num(j, "k", 0.1, 100, &c->k) || get_num(j, "min_width", 0, 1e18, &c->min_width) ||
        get_num(j, "window", 3, INSIGHT_DEV_MAX_WINDOW, &window) ||
        get_num(j, "min_points", 3, INSIGHT_DEV_MAX_WINDOW, &minp) ||
        get_num(j, "raise_points", 1, 10000, &rp) ||
        get_num(j, "raise_minutes", 0, 525600, &rmin) ||
        get_num(j, "clear_points", 1, 10000, &cp) ||
        get_num(j, "clear_margin", 0, 1, &c->clear_margin))
        return fail(err, errlen, "a numeric setting is missing its type or out of range");
    c->window = (int)window;
    c->min_points = (int)minp < c->window ? (int)minp : c->window;
    c->raise_points = (int)rp;
    c->clear_points = (int)cp;
    c->raise_ms = (int64_t)(rmin * 60000.0);
    return 0;
}

struct insight_dev *insight_dev_new(const struct insight_dev_config *cfg)
{
    struct insight_dev *d = xcalloc(1, sizeof *d);
    if (cfg)
        d->cfg = *cfg;
    else
        insight_dev_config_default(&d->cfg);
    struct insight_dev_config def;
    insight_dev_config_default(&def);
    struct insight_dev_config *c = &d->cfg;
    if (c->window < 3 || c->window > INSIGHT_DEV_MAX_WINDOW)
        c->window = def.window;
    if (c->min_points < 3 || c->min_points > c->window)
        c->min_points = c->min_points > c->window ? c->window : def.min_points;
    if (!(c->k > 0) || !isfinite(c->k))
        c->k = def.k;
    if (c->raise_points < 1)
        c->raise_points = 1;
    if (c->clear_points < 1)
        c->clear_points = 1;
    if (c->raise_ms < 0)
        c->raise_ms = 0;
    if (!(c->clear_margin >= 0 && c->clear_margin <= 1))
        c->clear_margin = 0;
    if (!(c->min_width >= 0) || !isfinite(c->min_width))
        c->min_width = 0;
    if (c->mode == INSIGHT_DEV_STANDARD && c->bad == INSIGHT_DEV_BOTH)
        c->bad = INSIGHT_DEV_ABOVE;
    return d;
}

void insight_dev_free(struct insight_dev *d)
{
    free(d);
}

bool insight_dev_active(const struct insight_dev *d)
{
    return d->active;
}

void insight_dev_limits(const struct insight_dev *d, double *lo, double *hi, double *center)
{
    const struct insight_dev_config *c = &d->cfg;
    double l = NAN, h = NAN, m = NAN;
    if (c->mode == INSIGHT_DEV_STANDARD) {
        m = c->standard;
        if (c->bad == INSIGHT_DEV_ABOVE)
            h = c->standard;
        else
            l = c->standard;
    } else if (d->nring >= c->min_points) {
        m = insight_median(d->ring, (size_t)d->nring);
        double w = c->k * 1.4826 * insight_mad(d->ring, (size_t)d->nring);
        if (w < c->min_width)
            w = c->min_width;
        if (c->bad != INSIGHT_DEV_BELOW)
            h = m + w;
        if (c->bad != INSIGHT_DEV_ABOVE)
            l = m - w;
    }
    if (lo)
        *lo = l;
    if (hi)
        *hi = h;
    if (center)
        *center = m;
}

static void fill(const struct insight_dev *d, int change, int64_t t, double v, double limit,
                 double center, struct insight_dev_alert *out)
{
    if (!out)
        return;
    memset(out, 0, sizeof *out);
    snprintf(out->metric, sizeof out->metric, "%s", d->cfg.metric);
    out->change = change;
    out->since = d->breach_since;
    out->at = t;
    out->value = v;
    out->limit = limit;
    out->center = center;
    out->above = d->breach_above;
    out->points = d->breach_points;
}

int insight_dev_observe(struct insight_dev *d, int64_t t, double v, struct insight_dev_alert *out)
{
    if (!d || !isfinite(v) || (d->has_t && t < d->last_t))
        return PL_EINVAL;
    d->has_t = true;
    d->last_t = t;
    double lo, hi, center;
    insight_dev_limits(d, &lo, &hi, &center);
    int change = INSIGHT_DEV_NONE;
    bool above = isfinite(hi) && v > hi, below = isfinite(lo) && v < lo;
    if (!d->active) {
        if (above || below) {
            if (!d->breach_points || d->breach_above != above) {
                d->breach_points = 0;
                d->breach_since = t;
                d->breach_above = above;
            }
            d->breach_points++;
            if (d->breach_points >= d->cfg.raise_points && t - d->breach_since >= d->cfg.raise_ms) {
                d->active = true;
                d->ok_points = 0;
                change = INSIGHT_DEV_RAISED;
                fill(d, change, t, v, above ? hi : lo, center, out);
            }
        } else {
            d->breach_points = 0;
        }
    } else {
        /* Hysteresis: back inside by a margin before a point counts as ok. */
        double lim = d->breach_above ? hi : lo, margin;
        if (d->cfg.mode == INSIGHT_DEV_STANDARD)
            margin = d->cfg.clear_margin * fabs(lim);
        else
            margin = d->cfg.clear_margin * fabs(lim - center);
        bool ok = d->breach_above ? v <= lim - margin : v >= lim + margin;
        if (ok) {
            d->ok_points++;
        } else {
            d->ok_points = 0;
            d->breach_points++;
        }
        if (d->ok_points >= d->cfg.clear_points) {
            d->active = false;
            change = INSIGHT_DEV_CLEARED;
            fill(d, change, t, v, lim, center, out);
            d->breach_points = 0;
        }
    }
    /* Learn the band only from points seen while not alerting. */
    if (d->cfg.mode == INSIGHT_DEV_BAND && !d->active && change != INSIGHT_DEV_CLEARED) {
        if (!(above || below) || d->nring < d->cfg.min_points) {
            d->ring[d->head] = v;
            d->head = (d->head + 1) % d->cfg.window;
            if (d->nring < d->cfg.window)
                d->nring++;
        }
    }
    return change;
}

json_t *insight_dev_alert_to_json(const struct insight_dev_alert *a)
{
    return json_pack("{s:s,s:s,s:I,s:I,s:f,s:f,s:o,s:s,s:i}", "metric", a->metric, "change",
                     a->change == INSIGHT_DEV_RAISED ? "raised" : "cleared", "since",
                     (json_int_t)a->since, "at", (json_int_t)a->at, "value", a->value, "limit",
                     a->limit, "center", isfinite(a->center) ? json_real(a->center) : json_null(),
                     "side", a->above ? "above" : "below", "points", a->points);
}
