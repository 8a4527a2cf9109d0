/* deviation.h — alerts when a service metric leaves its standard or its
 * learned normal band, with hysteresis (seed 003: monitoring deviations).
 *
 * Standard mode: the limit is fixed (e.g. first response ≤ 1 h).
 * Band mode: the normal band is the rolling median ± k × 1.4826 × MAD of
 * the last `window` points seen while not alerting (so an incident does
 * not become "normal" while it lasts).
 * An alert is raised when the metric has been on the wrong side for at
 * least raise_points points AND raise_ms of time ("above the standard for
 * an hour"); it clears after clear_points points back inside the limit by
 * clear_margin (a fraction of the limit's distance from zero, or of the
 * band's half-width). */
#ifndef PARLEY_INSIGHT_DEVIATION_H
#define PARLEY_INSIGHT_DEVIATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

enum insight_dev_mode { INSIGHT_DEV_STANDARD, INSIGHT_DEV_BAND };
enum insight_dev_side { INSIGHT_DEV_ABOVE, INSIGHT_DEV_BELOW, INSIGHT_DEV_BOTH };

#define INSIGHT_DEV_MAX_WINDOW 1024

struct insight_dev_config {
    char metric[48];
    enum insight_dev_mode mode;
    enum insight_dev_side bad;   /* which side is a deviation (BOTH only in band mode) */
    double standard;             /* standard mode: the limit */
    double k;                    /* band mode: width in robust σ (default 3) */
    double min_width;            /* band mode: minimum half-width (default 0) */
    int window;                  /* band mode: points in the rolling window (default 48) */
    int min_points;              /* band mode: points before judging (default 12) */
    int raise_points;            /* default 1 */
    int64_t raise_ms;            /* default 0 */
    int clear_points;            /* default 2 */
    double clear_margin;         /* default 0 */
};
void insight_dev_config_default(struct insight_dev_config *c);
/* Parses {"metric":"frt_p90_ms","mode":"standard"|"band","bad":"above"|"below"|"both",
 * "standard":3600000,"k":3,"min_width":0,"window":48,"min_points":12,
 * "raise_points":1,"raise_minutes":60,"clear_points":2,"clear_margin":0.05}.
 * Starts from the defaults; PL_EINVAL with a message on bad input. */
int insight_dev_config_parse(const json_t *j, struct insight_dev_config *c, char *err,
                             size_t errlen);

enum insight_dev_change { INSIGHT_DEV_NONE, INSIGHT_DEV_RAISED, INSIGHT_DEV_CLEARED };

struct insight_dev_alert {
    char metric[48];
    int change;                  /* RAISED or CLEARED */
    int64_t since;               /* first point of the breach */
    int64_t at;                  /* the point that raised / cleared */
    double value;                /* that point's value */
    double limit;                /* the limit crossed (standard or band edge) */
    double center;               /* band centre (= standard in standard mode) */
    bool above;
    int points;                  /* breaching points so far */
};
/* New JSON object; caller decrefs. */
json_t *insight_dev_alert_to_json(const struct insight_dev_alert *a);

struct insight_dev;
/* Copies cfg (clamping out-of-range numbers to defaults). Never NULL. */
struct insight_dev *insight_dev_new(const struct insight_dev_config *cfg);
void insight_dev_free(struct insight_dev *d);
/* Observes the metric at time t (non-decreasing). Returns NONE, RAISED or
 * CLEARED (filling *out), or PL_EINVAL for NaN/inf or time going back.
 * Points with no data (e.g. no ticket answered in the hour) should simply
 * not be passed. */
int insight_dev_observe(struct insight_dev *d, int64_t t, double v, struct insight_dev_alert *out);
bool insight_dev_active(const struct insight_dev *d);
/* Current limits (NAN until the band has min_points). */
void insight_dev_limits(const struct insight_dev *d, double *lo, double *hi, double *center);

#endif
