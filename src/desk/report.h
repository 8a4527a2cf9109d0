/* report.h — service reports (issue 6 point 2): named metrics per day,
 * week or month, grouped by agent, team, category, channel or priority,
 * as JSON or CSV, and the tickets behind a number (drill-down). Shared by
 * GET /api/v1/reports and `parley report`. Reads only: aggregates from the
 * live metrics, drill-down from the stored facts (docs/insight.md). */
#ifndef PARLEY_DESK_REPORT_H
#define PARLEY_DESK_REPORT_H

#include <jansson.h>

#include "base/buf.h"
#include "desk/desk.h"
#include "insight/catalog.h"

#define DESK_REPORT_MAX_METRICS 40

enum desk_period { DESK_PERIOD_DAY, DESK_PERIOD_WEEK, DESK_PERIOD_MONTH };
enum desk_group { DESK_GROUP_ALL, DESK_GROUP_AGENT, DESK_GROUP_TEAM, DESK_GROUP_CATEGORY,
                  DESK_GROUP_CHANNEL, DESK_GROUP_PRIORITY };

struct desk_report_req {
    const struct insight_metric *metrics[DESK_REPORT_MAX_METRICS];
    size_t nmetrics;
    enum desk_group group;
    enum desk_period period;
    int64_t from, to;              /* [from, to), ms */
    const char *key;               /* drill-down: the group's key (agent id, team, name) */
    int limit;                     /* drill-down: at most this many facts (1..1000) */
};

/* Fills q from the textual parameters (any may be NULL): metric is a name,
 * a comma-separated list, "all" or "emotion_mix"; group all|agent|team|
 * category|channel|priority; period day|week|month; from/to ISO 8601
 * (default: the 30 days up to and including today). Reports count whole
 * UTC days: from and to are rounded down to midnight. PL_EINVAL with a
 * message in err. */
int desk_report_parse(struct desk_report_req *q, const char *metric, const char *group,
                      const char *period, const char *from, const char *to, char *err,
                      size_t errlen);

/* The report: {"from","to","period","group","metrics":[...],"rows":[{
 * "period_start","period_end","key","label",<metric>:value...}],
 * "trend":{key:{<metric>:slope per period}}}. Groups with no activity in
 * [from, to) are left out. New object in *out. */
int desk_report_json(struct desk *d, const struct desk_report_req *q, json_t **out);
/* The same rows as CSV (header line first, RFC 4180, CRLF). */
int desk_report_csv(struct desk *d, const struct desk_report_req *q, struct buf *out);

/* The tickets behind q->metrics[0] in [from, to) for q->group / q->key:
 * {"metric","fact","from","to","group","key","tickets":[ids],"facts":[{
 * "ticket_id","at","value","label"}],"truncated"}. PL_EINVAL with err
 * for a metric without drill-down or a key that does not fit the group. */
int desk_report_tickets(struct desk *d, const struct desk_report_req *q, json_t **out, char *err,
                        size_t errlen);

/* The daily series of metric m in [from, to) for one group value (key
 * NULL for DESK_GROUP_ALL): one point per UTC day at its start, NaN where
 * undefined. *out is allocated (caller frees). PL_EINVAL with err for a
 * key that does not fit the group or more than 1100 days. */
struct insight_point;
int desk_metric_series(struct desk *d, const struct insight_metric *m, enum desk_group g,
                       const char *key, int64_t from, int64_t to, struct insight_point **out,
                       size_t *n, char *err, size_t errlen);
/* Parses a group name (all|agent|team|category|channel|priority). */
int desk_group_parse(const char *s, enum desk_group *out);

/* Teams: setting "teams" = {"teams":[{"name":s,"agents":[ids]}]}. get
 * returns the JSON text (caller frees; an empty list when unset); set
 * validates and stores it (PL_EINVAL with err). */
int desk_teams_get(struct desk *d, char **json);
int desk_teams_set(struct desk *d, const struct desk_actor *who, const char *json, char *err,
                   size_t errlen);

#endif
