/* report.c — service reports: named metrics per calendar period and
 * group, from the live aggregates (no scan of tickets), and drill-down to
 * the tickets behind a number from the stored facts (index on kind and
 * time: the cost follows the period, not the database). */
#include "desk/report.h"
#include "desk/desk_internal.h"
#include "insight/goals.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS 86400000LL
#define MAX_PERIODS 1100
#define MAX_ROWS 50000
#define MAX_TEAM_AGENTS 500

static const char *const group_names[] = {"all", "agent", "team", "category", "channel",
                                          "priority"};
static const char *const period_names[] = {"day", "week", "month"};

static int fail(char *err, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, len, fmt, ap);
    va_end(ap);
    return PL_EINVAL;
}

static int add_metric(struct desk_report_req *q, const struct insight_metric *m)
{
    for (size_t i = 0; i < q->nmetrics; i++)
        if (q->metrics[i] == m)
            return 0;
    if (q->nmetrics == DESK_REPORT_MAX_METRICS)
        return PL_EINVAL;
    q->metrics[q->nmetrics++] = m;
    return 0;
}

/* "a,b", "all" or "emotion_mix" → q->metrics. */
static int parse_metrics(struct desk_report_req *q, const char *list, char *err, size_t errlen)
{
    char name[64];
    const char *p = list;
    while (*p) {
        size_t n = strcspn(p, ",");
        if (n == 0 || n >= sizeof name)
            return fail(err, errlen, "metric names are separated by single commas");
        memcpy(name, p, n);
        name[n] = '\0';
        p += n + (p[n] == ',');
        const struct insight_metric *m;
        if (!strcmp(name, "all") || !strcmp(name, "emotion_mix")) {
            for (size_t i = 0; (m = insight_metric_at(i)); i++)
                if (name[0] == 'a' || !strncmp(m->name, "emotion_", 8))
                    add_metric(q, m);
        } else if ((m = insight_metric_find(name))) {
            add_metric(q, m);
        } else {
            return fail(err, errlen, "unknown metric '%s' (see docs/insight.md)", name);
        }
    }
    if (!q->nmetrics)
        return fail(err, errlen, "metric is required");
    return 0;
}

static int find_name(const char *const *names, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(names[i], s))
            return (int)i;
    return -1;
}

int desk_report_parse(struct desk_report_req *q, const char *metric, const char *group,
                      const char *period, const char *from, const char *to, char *err,
                      size_t errlen)
{
    memset(q, 0, sizeof *q);
    q->limit = 100;
    /* Reports are in whole UTC days: the default ends with today. */
    q->to = (clock_now_ms() / DAY_MS + 1) * DAY_MS;
    q->from = q->to - 30 * DAY_MS;
    int i;
    if (!metric || !*metric)
        return fail(err, errlen, "metric is required (a name, a comma-separated list or all)");
    int rc = parse_metrics(q, metric, err, errlen);
    if (rc)
        return rc;
    if (group && (i = find_name(group_names, 6, group)) < 0)
        return fail(err, errlen, "group is all, agent, team, category, channel or priority");
    q->group = group ? (enum desk_group)i : DESK_GROUP_ALL;
    if (period && (i = find_name(period_names, 3, period)) < 0)
        return fail(err, errlen, "period is day, week or month");
    q->period = period ? (enum desk_period)i : DESK_PERIOD_DAY;
    if (from && clock_parse(from, &q->from))
        return fail(err, errlen, "from must be an ISO 8601 date");
    if (to && clock_parse(to, &q->to))
        return fail(err, errlen, "to must be an ISO 8601 date");
    if (q->to <= q->from)
        return fail(err, errlen, "to must be after from");
    if (q->from < -INSIGHT_MAX_ABS_MS || q->to > INSIGHT_MAX_ABS_MS)
        return fail(err, errlen, "from and to must be within 3,000 years of 1970");
    return 0;
}

/* ---- periods and groups ------------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* Start of the calendar period holding t, and the start of the next. */
static int64_t period_start(enum desk_period p, int64_t t)
{
    int64_t day = floor_div(t, DAY_MS);
    if (p == DESK_PERIOD_DAY)
        return day * DAY_MS;
    if (p == DESK_PERIOD_WEEK) /* 1970-01-01 was a Thursday: Mondays are day 4 + 7k */
        return (day - ((day + 3) % 7 + 7) % 7) * DAY_MS;
    int y;
    unsigned m, d;
    clock_civil_from_days(day, &y, &m, &d);
    return clock_days_from_civil(y, m, 1) * DAY_MS;
}

static int64_t period_next(enum desk_period p, int64_t start)
{
    if (p == DESK_PERIOD_DAY)
        return start + DAY_MS;
    if (p == DESK_PERIOD_WEEK)
        return start + 7 * DAY_MS;
    int y;
    unsigned m, d;
    clock_civil_from_days(floor_div(start, DAY_MS), &y, &m, &d);
    return clock_days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) * DAY_MS;
}

/* One group value: its key, a label, the dimension values it merges. */
struct gkey {
    char key[80], label[120];
    enum insight_dim dim;
    int64_t *values;
    size_t n;
};

static void gkey_add(struct gkey **v, size_t *n, enum insight_dim dim, const char *key,
                     const char *label, const int64_t *values, size_t nvalues)
{
    *v = xrealloc(*v, (*n + 1) * sizeof **v);
    struct gkey *g = &(*v)[(*n)++];
    snprintf(g->key, sizeof g->key, "%s", key);
    snprintf(g->label, sizeof g->label, "%s", label ? label : key);
    g->dim = dim;
    g->n = nvalues;
    g->values = xmalloc((nvalues ? nvalues : 1) * sizeof *g->values);
    memcpy(g->values, values, nvalues * sizeof *values);
}

static void gkeys_free(struct gkey *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].values);
    free(v);
}

/* Teams from the setting: adds one key per team (agents as values). */
static int team_keys(struct desk *d, struct gkey **v, size_t *n)
{
    char *text = NULL;
    int rc = desk_teams_get(d, &text);
    if (rc)
        return rc;
    json_t *j = json_loads(text, 0, NULL);
    free(text);
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(j, "teams"), i, t) {
        json_t *agents = json_object_get(t, "agents");
        int64_t ids[MAX_TEAM_AGENTS];
        size_t k, na = 0;
        json_t *a;
        json_array_foreach(agents, k, a) {
            if (na < MAX_TEAM_AGENTS)
                ids[na++] = json_integer_value(a);
        }
        const char *name = json_string_value(json_object_get(t, "name"));
        gkey_add(v, n, INSIGHT_DIM_AGENT, name, name, ids, na);
    }
    json_decref(j);
    return 0;
}

static int group_keys(struct desk *d, enum desk_group g, struct gkey **v, size_t *n)
{
    char num[24];
    *v = NULL;
    *n = 0;
    switch (g) {
    case DESK_GROUP_ALL:
        gkey_add(v, n, INSIGHT_DIM_ALL, "all", "all", (int64_t[]){0}, 1);
        return 0;
    case DESK_GROUP_AGENT: {
        struct store *st = desk_reader(d);
        struct user *u = NULL;
        size_t nu = 0;
        int rc = st ? st->ops->user_list(st, &u, &nu) : PL_EDB;
        if (rc)
            return rc;
        gkey_add(v, n, INSIGHT_DIM_AGENT, "0", "unassigned", (int64_t[]){0}, 1);
        for (size_t i = 0; i < nu; i++) {
            snprintf(num, sizeof num, "%lld", (long long)u[i].id);
            gkey_add(v, n, INSIGHT_DIM_AGENT, num, u[i].name ? u[i].name : u[i].email,
                     &u[i].id, 1);
        }
        store_free_users(u, nu);
        return 0;
    }
    case DESK_GROUP_TEAM:
        return team_keys(d, v, n);
    case DESK_GROUP_CATEGORY: {
        gkey_add(v, n, INSIGHT_DIM_CATEGORY, "", "none", (int64_t[]){0}, 1);
        char *name;
        for (int id = 1; (name = desk_category_name(d, id)); id++) {
            gkey_add(v, n, INSIGHT_DIM_CATEGORY, name, name, (int64_t[]){id}, 1);
            free(name);
        }
        return 0;
    }
    case DESK_GROUP_CHANNEL:
        for (int c = 0; c < CHANNEL__COUNT; c++)
            gkey_add(v, n, INSIGHT_DIM_CHANNEL, channel_name((enum channel)c), NULL,
                     (int64_t[]){c}, 1);
        return 0;
    case DESK_GROUP_PRIORITY:
        for (int p = 0; p < PRIORITY__COUNT; p++)
            gkey_add(v, n, INSIGHT_DIM_PRIORITY, priority_name((enum priority)p), NULL,
                     (int64_t[]){p}, 1);
        return 0;
    }
    return PL_EINVAL;
}

static void query(struct desk *d, const struct gkey *g, int64_t from, int64_t to,
                  struct insight_report *out)
{
    desk_report_set(d, INSIGHT_DAY, from, to, g->dim, g->values, g->n, out);
}

static bool active(const struct insight_report *r)
{
    const struct insight_agg *s = &r->sum;
    return s->created || s->resolved || s->inbound || s->replies || s->notes || s->csat_n ||
           s->nps_n || s->escalated || s->reopened || r->backlog_end;
}

/* ---- the report ------------------------------------------------------------ */

struct cell {
    int64_t start, end;
    const struct gkey *g;
    double v[DESK_REPORT_MAX_METRICS];
};

/* Fills cells (period-major, then group) and returns how many; -1 when
 * there would be too many. */
static int build(struct desk *d, const struct desk_report_req *q, struct gkey **keys,
                 size_t *nkeys, struct cell **cells, size_t *ncells)
{
    *cells = NULL;
    *ncells = 0;
    int rc = group_keys(d, q->group, keys, nkeys);
    if (rc)
        return rc;
    bool *keep = xcalloc(*nkeys ? *nkeys : 1, sizeof *keep);
    size_t nkeep = 0;
    struct insight_report r;
    for (size_t k = 0; k < *nkeys; k++) {
        query(d, &(*keys)[k], q->from, q->to, &r);
        keep[k] = q->group == DESK_GROUP_ALL || active(&r);
        nkeep += keep[k];
    }
    size_t nper = 0;
    for (int64_t s = period_start(q->period, q->from); s < q->to; s = period_next(q->period, s))
        nper++;
    if (nper > MAX_PERIODS || nper * nkeep > MAX_ROWS) {
        free(keep);
        gkeys_free(*keys, *nkeys);
        return PL_ETOOBIG;
    }
    struct cell *c = xcalloc(nper * nkeep + 1, sizeof *c);
    size_t n = 0;
    for (int64_t s = period_start(q->period, q->from); s < q->to;
         s = period_next(q->period, s)) {
        int64_t a = s < q->from ? q->from : s, e = period_next(q->period, s);
        if (e > q->to)
            e = q->to;
        for (size_t k = 0; k < *nkeys; k++) {
            if (!keep[k])
                continue;
            query(d, &(*keys)[k], a, e, &r);
            c[n] = (struct cell){.start = a, .end = e, .g = &(*keys)[k]};
            for (size_t m = 0; m < q->nmetrics; m++)
                c[n].v[m] = insight_metric_value(q->metrics[m], &r);
            n++;
        }
    }
    free(keep);
    *cells = c;
    *ncells = n;
    return 0;
}

static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

/* Least-squares slope per period of each metric of one group. */
static json_t *trend(const struct desk_report_req *q, const struct cell *c, size_t n,
                     const struct gkey *g)
{
    double *x = xmalloc((n + 1) * sizeof *x), *y = xmalloc((n + 1) * sizeof *y);
    json_t *t = json_object();
    for (size_t m = 0; m < q->nmetrics; m++) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (c[i].g == g) {
                x[k] = (double)k;
                y[k++] = c[i].v[m];
            }
        json_object_set_new(t, q->metrics[m]->name, num(insight_slope(x, y, k, NULL)));
    }
    free(x);
    free(y);
    return t;
}

static void iso(int64_t ms, char out[CLOCK_ISO_LEN])
{
    clock_format(ms, out);
}

int desk_report_json(struct desk *d, const struct desk_report_req *q, json_t **out)
{
    struct gkey *keys;
    size_t nkeys, n;
    struct cell *c;
    int rc = build(d, q, &keys, &nkeys, &c, &n);
    if (rc)
        return rc;
    char a[CLOCK_ISO_LEN], b[CLOCK_ISO_LEN];
    json_t *rows = json_array(), *names = json_array(), *trends = json_object();
    for (size_t m = 0; m < q->nmetrics; m++)
        json_array_append_new(names, json_string(q->metrics[m]->name));
    for (size_t i = 0; i < n; i++) {
        iso(c[i].start, a);
        iso(c[i].end, b);
        json_t *row = json_pack("{s:s,s:s,s:s,s:s}", "period_start", a, "period_end", b, "key",
                                c[i].g->key, "label", c[i].g->label);
        for (size_t m = 0; m < q->nmetrics; m++)
            json_object_set_new(row, q->metrics[m]->name, num(c[i].v[m]));
        json_array_append_new(rows, row);
        if (!json_object_get(trends, c[i].g->key))
            json_object_set_new(trends, c[i].g->key, trend(q, c, n, c[i].g));
    }
    iso(q->from, a);
    iso(q->to, b);
    *out = json_pack("{s:s,s:s,s:s,s:s,s:o,s:o,s:o}", "from", a, "to", b, "period",
                     period_names[q->period], "group", group_names[q->group], "metrics", names,
                     "rows", rows, "trend", trends);
    free(c);
    gkeys_free(keys, nkeys);
    return 0;
}

static void csv_text(struct buf *b, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        buf_puts(b, s);
        return;
    }
    buf_putc(b, '"');
    for (; *s; s++) {
        if (*s == '"')
            buf_putc(b, '"');
        buf_putc(b, *s);
    }
    buf_putc(b, '"');
}

int desk_report_csv(struct desk *d, const struct desk_report_req *q, struct buf *out)
{
    struct gkey *keys;
    size_t nkeys, n;
    struct cell *c;
    int rc = build(d, q, &keys, &nkeys, &c, &n);
    if (rc)
        return rc;
    buf_printf(out, "period_start,period_end,group,key,label");
    for (size_t m = 0; m < q->nmetrics; m++)
        buf_printf(out, ",%s", q->metrics[m]->name);
    buf_puts(out, "\r\n");
    char a[CLOCK_ISO_LEN], b[CLOCK_ISO_LEN];
    for (size_t i = 0; i < n; i++) {
        iso(c[i].start, a);
        iso(c[i].end, b);
        buf_printf(out, "%s,%s,%s,", a, b, group_names[q->group]);
        csv_text(out, c[i].g->key);
        buf_putc(out, ',');
        csv_text(out, c[i].g->label);
        for (size_t m = 0; m < q->nmetrics; m++) {
            buf_putc(out, ',');
            if (isfinite(c[i].v[m]))
                buf_printf(out, "%.10g", c[i].v[m]);
        }
        buf_puts(out, "\r\n");
    }
    free(c);
    gkeys_free(keys, nkeys);
    return 0;
}

/* ---- series for goals ----------------------------------------------------- */

int desk_group_parse(const char *s, enum desk_group *out)
{
    int i = find_name(group_names, 6, s);
    if (i < 0)
        return PL_EINVAL;
    *out = (enum desk_group)i;
    return 0;
}

int desk_metric_series(struct desk *d, const struct insight_metric *m, enum desk_group g,
                       const char *key, int64_t from, int64_t to, struct insight_point **out,
                       size_t *n, char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    int64_t first = period_start(DESK_PERIOD_DAY, from);
    if (to <= from || (to - first) / DAY_MS > MAX_PERIODS)
        return fail(err, errlen, "a goal's series spans 1 to %d days", MAX_PERIODS);
    struct gkey *keys;
    size_t nkeys;
    int rc = group_keys(d, g, &keys, &nkeys);
    if (rc)
        return rc;
    const struct gkey *k = NULL;
    for (size_t i = 0; i < nkeys && !k; i++)
        if (g == DESK_GROUP_ALL || (key && !strcmp(keys[i].key, key)))
            k = &keys[i];
    if (!k) {
        gkeys_free(keys, nkeys);
        return fail(err, errlen, "no %s '%s'", group_names[g], key ? key : "");
    }
    struct insight_point *v = xmalloc(((size_t)((to - first) / DAY_MS) + 1) * sizeof *v);
    size_t len = 0;
    struct insight_report r;
    for (int64_t t = first; t < to; t += DAY_MS) {
        query(d, k, t, t + DAY_MS, &r);
        v[len++] = (struct insight_point){t, insight_metric_value(m, &r)};
    }
    gkeys_free(keys, nkeys);
    *out = v;
    *n = len;
    return 0;
}

/* ---- drill-down ------------------------------------------------------------ */

/* The fact filter(s) for the group key: one per agent of a team. */
static int drill_filters(struct desk *d, const struct desk_report_req *q, struct fact_filter *base,
                         int64_t **agents, size_t *nagents, char *err, size_t errlen)
{
    const char *k = q->key;
    char *end;
    *agents = NULL;
    *nagents = 0;
    if (q->group == DESK_GROUP_ALL)
        return 0;
    if (!k)
        return fail(err, errlen, "key is required with group %s", group_names[q->group]);
    static const enum insight_dim dims[] = {INSIGHT_DIM_ALL,      INSIGHT_DIM_AGENT,
                                            INSIGHT_DIM_AGENT,    INSIGHT_DIM_CATEGORY,
                                            INSIGHT_DIM_CHANNEL, INSIGHT_DIM_PRIORITY};
    base->dim = (int)dims[q->group];
    enum channel ch;
    enum priority p;
    switch (q->group) {
    case DESK_GROUP_AGENT:
        base->value = strtoll(k, &end, 10);
        if (!*k || *end || base->value < 0)
            return fail(err, errlen, "key must be an agent id (0 = unassigned)");
        return 0;
    case DESK_GROUP_CATEGORY:
        if (!*k)
            return fail(err, errlen, "key must be a category name");
        base->category = k;
        return 0;
    case DESK_GROUP_CHANNEL:
        if (channel_parse(k, &ch))
            return fail(err, errlen, "unknown channel '%s'", k);
        base->value = ch;
        return 0;
    case DESK_GROUP_PRIORITY:
        if (priority_parse(k, &p))
            return fail(err, errlen, "unknown priority '%s'", k);
        base->value = p;
        return 0;
    default:
        break;
    }
    struct gkey *keys;
    size_t n;
    int rc = team_keys(d, &keys, &n);
    if (rc)
        return rc;
    rc = fail(err, errlen, "no team named '%s'", k);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(keys[i].key, k)) {
            *agents = xmalloc((keys[i].n + 1) * sizeof **agents);
            memcpy(*agents, keys[i].values, keys[i].n * sizeof **agents);
            *nagents = keys[i].n;
            rc = 0;
        }
    gkeys_free(keys, n);
    return rc;
}

static int cmp_fact(const void *a, const void *b)
{
    const struct metric_fact *x = a, *y = b;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return (x->ticket_id > y->ticket_id) - (x->ticket_id < y->ticket_id);
}

int desk_report_tickets(struct desk *d, const struct desk_report_req *q, json_t **out, char *err,
                        size_t errlen)
{
    const struct insight_metric *m = q->metrics[0];
    if (q->nmetrics != 1)
        return fail(err, errlen, "drill-down takes exactly one metric");
    if (!m->fact)
        return fail(err, errlen, "%s has no drill-down (it is not counted ticket by ticket)",
                    m->name);
    if (q->limit < 1 || q->limit > 1000)
        return fail(err, errlen, "limit is 1 to 1000");
    struct fact_filter f = {.kind = m->fact, .from = q->from, .to = q->to,
                            .has_label = m->label >= 0, .label = m->label, .limit = q->limit};
    int64_t *agents;
    size_t nagents;
    int rc = drill_filters(d, q, &f, &agents, &nagents, err, errlen);
    if (rc)
        return rc;
    struct store *st = desk_reader(d);
    if (!st) {
        free(agents);
        return PL_EDB;
    }
    struct metric_fact *all = NULL, *v;
    size_t nall = 0, n;
    for (size_t i = 0; i < (q->group == DESK_GROUP_TEAM ? nagents : 1) && rc == 0; i++) {
        if (q->group == DESK_GROUP_TEAM)
            f.value = agents[i];
        if ((rc = st->ops->fact_list(st, &f, &v, &n)))
            break;
        all = xrealloc(all, (nall + n + 1) * sizeof *all);
        if (n)
            memcpy(all + nall, v, n * sizeof *v);
        nall += n;
        free(v); /* the strings moved to all */
    }
    free(agents);
    if (rc) {
        store_free_facts(all, nall);
        return rc;
    }
    qsort(all, nall, sizeof *all, cmp_fact);
    bool truncated = nall >= (size_t)q->limit;
    json_t *ids = json_array(), *facts = json_array();
    char a[CLOCK_ISO_LEN], b[CLOCK_ISO_LEN];
    for (size_t i = 0; i < nall && i < (size_t)q->limit; i++) {
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = all[j].ticket_id == all[i].ticket_id;
        if (!seen)
            json_array_append_new(ids, json_integer(all[i].ticket_id));
        iso(all[i].at, a);
        json_array_append_new(facts, json_pack("{s:I,s:s,s:o,s:i}", "ticket_id",
                                               (json_int_t)all[i].ticket_id, "at", a, "value",
                                               num(all[i].value), "label", all[i].label));
    }
    store_free_facts(all, nall);
    iso(q->from, a);
    iso(q->to, b);
    *out = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s?,s:o,s:o,s:b}", "metric", m->name, "about",
                     m->about, "from", a, "to", b, "group", group_names[q->group], "key", q->key,
                     "tickets", ids, "facts", facts, "truncated", truncated);
    return 0;
}
