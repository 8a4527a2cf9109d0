/* goals.h — SMART goals on a metric series: baseline computed from
 * history, absolute or relative target, deadline, progress, a least-squares
 * projection to the deadline and an off-track alert.
 *
 * The engine does not know metric names: the caller passes the series
 * (e.g. daily mean time to resolution from insight_metrics_series) and the
 * goal says which way is better by comparing target and baseline. */
#ifndef PARLEY_INSIGHT_GOALS_H
#define PARLEY_INSIGHT_GOALS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct insight_point {
    int64_t t;      /* ms */
    double v;       /* NaN points are skipped */
};

enum insight_target_kind { INSIGHT_TARGET_ABSOLUTE, INSIGHT_TARGET_RELATIVE };

struct insight_goal {
    char metric[48];             /* e.g. "ttr_mean_ms" */
    char title[200];             /* e.g. "Cut complaint resolution time by 20% next quarter" */
    int64_t baseline_from, baseline_to;   /* [from, to) the baseline is the mean over */
    bool baseline_given;         /* baseline entered instead of computed */
    double baseline;
    enum insight_target_kind kind;
    double target_value;         /* absolute value, or relative change (−0.2 = −20%) */
    double target;               /* resolved absolute target */
    int64_t start, deadline;     /* ms */
    int min_points;              /* points needed before judging (default 3) */
};

struct insight_goal_status {
    int n;                       /* points used since start */
    double current;              /* least-squares fit at the last point (raw last if n < 2) */
    double last;                 /* last raw value */
    double slope_per_day;
    double projected;            /* fit at the deadline; NaN if n < min_points */
    double progress;             /* 0..1 from baseline to target, from `current` */
    double time_elapsed;         /* 0..1 of [start, deadline] at `now` */
    bool lower_is_better;
    bool achieved;               /* current already meets the target */
    bool on_track;               /* projection meets the target (or achieved) */
    bool alert;                  /* judged and not on track */
    bool judged;                 /* enough points to judge */
};

/* Parses {"metric":"ttr_mean_ms","title":"...",
 *         "baseline":{"from":"2026-07-01","to":"2026-10-01"} | {"value":n},
 *         "target":{"relative":-0.2} | {"absolute":n},
 *         "start":"2026-10-01","deadline":"2026-12-31","min_points":3}.
 * PL_EINVAL with a message on bad input (missing fields, deadline not after
 * start, relative target ≤ −1, non-finite numbers). */
int insight_goal_parse(const json_t *j, struct insight_goal *g, char *err, size_t errlen);
/* New JSON object of the goal; caller decrefs. */
json_t *insight_goal_to_json(const struct insight_goal *g);

/* Computes the baseline (mean over [baseline_from, baseline_to), unless
 * given) and the absolute target. PL_ENOTFOUND if no point falls in the
 * baseline window. */
int insight_goal_resolve(struct insight_goal *g, const struct insight_point *s, size_t n);
/* Judges the goal at `now` from the points in [start, min(now, deadline)].
 * Call insight_goal_resolve first. Returns 0 or PL_EINVAL. */
int insight_goal_evaluate(const struct insight_goal *g, const struct insight_point *s, size_t n,
                          int64_t now, struct insight_goal_status *st);
/* New JSON object with the status, a one-line "message" in lang ("en" or
 * "ru") and the same in Russian as "message_ru", for a client in Russian. */
json_t *insight_goal_status_to_json(const struct insight_goal *g,
                                    const struct insight_goal_status *st, const char *lang);

#endif
