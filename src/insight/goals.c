/* goals.c — SMART goals: baseline, target, progress, projection, alert. */
#include "insight/goals.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/utf8.h"
#include "base/xalloc.h"
#include "insight/catalog.h"
#include "insight/stats.h"

#define DAY_MS 86400000.0

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

static int get_date(const json_t *o, const char *k, int64_t *out)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s && !clock_parse(s, out) ? 0 : PL_EINVAL;
}

static void copy_text(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
    dst[utf8_invalid_at(dst, strlen(dst))] = 0;
}

int insight_goal_parse(const json_t *j, struct insight_goal *g, char *err, size_t errlen)
{
    memset(g, 0, sizeof *g);
    g->min_points = 3;
    if (err && errlen)
        err[0] = 0;
    if (!json_is_object(j))
        return fail(err, errlen, "expected a JSON object");
    const char *metric = json_string_value(json_object_get(j, "metric"));
    if (!metric || !*metric || strlen(metric) >= sizeof g->metric)
        return fail(err, errlen, "\"metric\" must be a short non-empty string");
    copy_text(g->metric, sizeof g->metric, metric);
    const json_t *title = json_object_get(j, "title");
    if (title && !json_is_string(title))
        return fail(err, errlen, "\"title\" must be a string");
    copy_text(g->title, sizeof g->title, json_string_value(title));
    const json_t *b = json_object_get(j, "baseline");
    if (!json_is_object(b))
        return fail(err, errlen, "\"baseline\" must be {\"from\",\"to\"} or {\"value\"}");
    const json_t *bv = json_object_get(b, "value");
    if (bv) {
        if (!json_is_number(bv) || !isfinite(json_number_value(bv)))
            return fail(err, errlen, "baseline.value must be a number");
        g->baseline_given = true;
        g->baseline = json_number_value(bv);
    } else if (get_date(b, "from", &g->baseline_from) || get_date(b, "to", &g->baseline_to) ||
               g->baseline_to <= g->baseline_from) {
        return fail(err, errlen, "baseline needs dates from < to, e.g. \"2026-07-01\"");
    }
    const json_t *t = json_object_get(j, "target");
    const json_t *rel = json_object_get(t, "relative"), *abs_ = json_object_get(t, "absolute");
    if (!json_is_object(t) || (!rel == !abs_))
        return fail(err, errlen, "\"target\" must be {\"relative\":-0.2} or {\"absolute\":n}");
    const json_t *tv = rel ? rel : abs_;
    if (!json_is_number(tv) || !isfinite(json_number_value(tv)))
        return fail(err, errlen, "target must be a number");
    g->kind = rel ? INSIGHT_TARGET_RELATIVE : INSIGHT_TARGET_ABSOLUTE;
    g->target_value = json_number_value(tv);
    if (rel && (g->target_value <= -1.0 || g->target_value > 100.0 || g->target_value == 0.0))
        return fail(err, errlen, "relative target must be in (−1, 100] and not 0");
    if (get_date(j, "start", &g->start) || get_date(j, "deadline", &g->deadline))
        return fail(err, errlen, "\"start\" and \"deadline\" must be dates");
    if (g->deadline <= g->start)
        return fail(err, errlen, "deadline must be after start");
    const json_t *mp = json_object_get(j, "min_points");
    if (mp) {
        if (!json_is_integer(mp) || json_integer_value(mp) < 2 || json_integer_value(mp) > 10000)
            return fail(err, errlen, "min_points must be an integer 2..10000");
        g->min_points = (int)json_integer_value(mp);
    }
    if (g->baseline_given)
        insight_goal_resolve(g, NULL, 0);
    return 0;
}

static json_t *date_json(int64_t ms)
{
    char s[CLOCK_ISO_LEN];
    clock_format(ms, s);
    return json_string(s);
}

static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

json_t *insight_goal_to_json(const struct insight_goal *g)
{
    json_t *b = g->baseline_given
                    ? json_pack("{s:o}", "value", num(g->baseline))
                    : json_pack("{s:o,s:o,s:o}", "from", date_json(g->baseline_from), "to",
                                date_json(g->baseline_to), "value", num(g->baseline));
    json_t *t = json_pack("{s:f,s:o}", g->kind == INSIGHT_TARGET_RELATIVE ? "relative" : "absolute",
                          g->target_value, "resolved", num(g->target));
    return json_pack("{s:s,s:s,s:o,s:o,s:o,s:o,s:i}", "metric", g->metric, "title", g->title,
                     "baseline", b, "target", t, "start", date_json(g->start), "deadline",
                     date_json(g->deadline), "min_points", g->min_points);
}

int insight_goal_resolve(struct insight_goal *g, const struct insight_point *s, size_t n)
{
    if (!g->baseline_given) {
        double sum = 0;
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (s[i].t >= g->baseline_from && s[i].t < g->baseline_to && isfinite(s[i].v)) {
                sum += s[i].v;
                k++;
            }
        if (!k) {
            g->baseline = g->target = NAN;
            return PL_ENOTFOUND;
        }
        g->baseline = sum / (double)k;
    }
    g->target = g->kind == INSIGHT_TARGET_RELATIVE ? g->baseline * (1.0 + g->target_value)
                                                   : g->target_value;
    return 0;
}

static bool meets(double v, double target, bool lower)
{
    return lower ? v <= target : v >= target;
}

int insight_goal_evaluate(const struct insight_goal *g, const struct insight_point *s, size_t n,
                          int64_t now, struct insight_goal_status *st)
{
    memset(st, 0, sizeof *st);
    st->current = st->last = st->projected = st->progress = NAN;
    if (!g || !isfinite(g->baseline) || !isfinite(g->target) || g->deadline <= g->start ||
        (n && !s))
        return PL_EINVAL;
    st->lower_is_better = g->target < g->baseline;
    int64_t end = now < g->deadline ? now : g->deadline;
    double *x = xmalloc((n ? n : 1) * sizeof *x), *y = xmalloc((n ? n : 1) * sizeof *y);
    size_t k = 0;
    int64_t last_t = g->start;
    for (size_t i = 0; i < n; i++) {
        if (s[i].t < g->start || s[i].t > end || !isfinite(s[i].v))
            continue;
        x[k] = (double)(s[i].t - g->start) / DAY_MS;
        y[k] = s[i].v;
        if (s[i].t >= last_t) {
            last_t = s[i].t;
            st->last = s[i].v;
        }
        k++;
    }
    st->n = (int)k;
    double span = (double)(g->deadline - g->start);
    st->time_elapsed = now <= g->start ? 0.0 : now >= g->deadline ? 1.0
                                                                  : (double)(now - g->start) / span;
    if (k >= 2) {
        double a, b = insight_slope(x, y, k, &a);
        st->slope_per_day = b;
        st->current = a + b * (double)(last_t - g->start) / DAY_MS;
        if ((int)k >= g->min_points)
            st->projected = a + b * span / DAY_MS;
    } else if (k == 1) {
        st->current = st->last;
    }
    free(x);
    free(y);
    if (isfinite(st->current)) {
        double gap = g->baseline - g->target;
        double p = gap != 0 ? (g->baseline - st->current) / gap : 1.0;
        st->progress = p < 0 ? 0 : p > 1 ? 1 : p;
        st->achieved = meets(st->current, g->target, st->lower_is_better);
    }
    st->judged = (int)k >= g->min_points;
    if (st->judged) {
        st->on_track = st->achieved || meets(st->projected, g->target, st->lower_is_better);
        st->alert = !st->on_track;
    }
    return 0;
}

/* The state in words, in lang, with the values in the metric's unit. */
static void message(const struct insight_goal *g, const struct insight_goal_status *st,
                    const char *lang, char *msg, size_t n)
{
    bool ru = lang && !strcmp(lang, "ru");
    const struct insight_metric *m = insight_metric_find(g->metric);
    char now[48], proj[48], target[48];
    insight_metric_format(m, st->current, lang, now, sizeof now);
    insight_metric_format(m, st->projected, lang, proj, sizeof proj);
    insight_metric_format(m, g->target, lang, target, sizeof target);
    if (!st->judged)
        snprintf(msg, n, ru ? "Недостаточно данных: %d из %d точек"
                            : "Not enough data yet: %d of %d points",
                 st->n, g->min_points);
    else if (st->achieved)
        snprintf(msg, n, ru ? "Цель достигнута: %s (цель %s)" : "Target reached: %s (target %s)",
                 now, target);
    else if (st->on_track)
        snprintf(msg, n, ru ? "По плану: прогноз %s к сроку (цель %s)"
                            : "On track: projected %s by the deadline (target %s)",
                 proj, target);
    else
        snprintf(msg, n, ru ? "Отставание: прогноз %s к сроку не достигает цели %s"
                            : "Off track: projected %s by the deadline misses the target %s",
                 proj, target);
}

json_t *insight_goal_status_to_json(const struct insight_goal *g,
                                    const struct insight_goal_status *st, const char *lang)
{
    char msg[300], msg_ru[300];
    message(g, st, lang, msg, sizeof msg);
    message(g, st, "ru", msg_ru, sizeof msg_ru);
    return json_pack("{s:s,s:i,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:b,s:b,s:b,s:b,s:s,s:s}",
                     "metric", g->metric, "points", st->n, "baseline", num(g->baseline),
                     "target", num(g->target), "current", num(st->current), "last",
                     num(st->last), "slope_per_day", num(st->slope_per_day), "projected",
                     num(st->projected), "progress", num(st->progress), "time_elapsed",
                     num(st->time_elapsed), "achieved", st->achieved, "on_track", st->on_track,
                     "alert", st->alert, "judged", st->judged, "message", msg, "message_ru",
                     msg_ru);
}
