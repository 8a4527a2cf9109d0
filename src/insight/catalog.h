/* catalog.h — the named service metrics that reports, goals and
 * drill-down speak of: how each is read from a period's report, its unit,
 * and which drill-down fact lists the tickets behind it. Names are those
 * of insight_report_to_json() ("ttr_p90_ms", "fcr_rate", ...), plus
 * "emotion_<name>" for each share of the emotion mix. */
#ifndef PARLEY_INSIGHT_CATALOG_H
#define PARLEY_INSIGHT_CATALOG_H

#include "insight/metrics.h"

struct insight_metric {
    const char *name;
    const char *unit;              /* "ms", "share", "count", "score", "polarity", "nps" */
    int fact;                      /* enum insight_fact_kind, 0 = no drill-down */
    int label;                     /* fact label to match, −1 = any */
    const char *about;             /* one line, for docs and errors */
};

/* The metric called name, or NULL. Borrowed, static. */
const struct insight_metric *insight_metric_find(const char *name);
/* The i-th metric (0..), NULL past the end: for listing them. */
const struct insight_metric *insight_metric_at(size_t i);
/* v as people read it, in lang ("ru", else English): a duration ("ms") in
 * h and min, min and s, or s ("25 h", "4 min 30 s"); a share as a percent
 * ("12.5 %"); a count whole; an NPS to 1 place; a score or a polarity to
 * 2 places; "—" when v is NaN. m NULL (an unknown metric): 4 significant
 * digits. Writes at most n bytes to buf and returns buf. */
const char *insight_metric_format(const struct insight_metric *m, double v, const char *lang,
                                  char *buf, size_t n);
/* The metric's value in a report (NaN when undefined). */
double insight_metric_value(const struct insight_metric *m, const struct insight_report *r);

#endif
