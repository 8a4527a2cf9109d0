/* roi.c — orders and the ROI report: entered inputs from the setting
 * "roi_inputs", the rest computed from the data of each period. */
#include "desk/roi.h"
#include "desk/desk_internal.h"
#include "desk/import.h"
#include "base/clock.h"
#include "base/csv.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "insight/metrics.h"
#include "insight/roi.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS 86400000LL
#define MAX_CENTS 100000000000000LL   /* 10^12 in major units */
/* A conflict customer is retained who orders within this long of their
 * first conflict ticket of the period. Fixed, so that a period that ends
 * today is measured like one that ended a year ago: only customers whose
 * window has passed are counted. */
#define RETENTION_DAYS 30

int desk_parse_amount(const char *s, int64_t *cents)
{
    int64_t whole = 0, frac = 0;
    int nd = 0, nf = 0;
    const char *p = s;
    for (; isdigit((unsigned char)*p) && nd < 13; p++, nd++)
        whole = whole * 10 + (*p - '0');
    if (*p == '.')
        for (p++; isdigit((unsigned char)*p) && nf < 2; p++, nf++)
            frac = frac * 10 + (*p - '0');
    if (!nd || *p)
        return PL_EINVAL;
    *cents = whole * 100 + (nf == 1 ? frac * 10 : frac);
    return *cents <= MAX_CENTS ? 0 : PL_EINVAL;
}

/* ---- orders ----------------------------------------------------------------- */

struct order_job {
    const struct desk_actor *who;
    const struct desk_order_in *in;
    struct order *out;
    size_t n;
    char *err;
    size_t errlen;
    long *lines;                  /* CSV: the line of each order, for errors */
};

static int resolve_customer(struct store *st, const struct desk_order_in *in, int64_t *id)
{
    if (in->customer_id) {
        struct customer c;
        int rc = st->ops->customer_get(st, in->customer_id, &c);
        if (rc == 0) {
            *id = c.merged_into ? c.merged_into : c.id;
            customer_clear(&c);
        }
        return rc;
    }
    char *v = xstrdup(in->id_value ? in->id_value : "");
    struct identity ident;
    int rc = identity_normalize(in->id_kind, v) ? PL_EINVAL
                                                  : st->ops->identity_find(st, in->id_kind, v, &ident);
    free(v);
    if (rc == 0) {
        *id = ident.customer_id;
        identity_clear(&ident);
    }
    return rc;
}

static int add_one(struct desk_tx *tx, const struct order_job *j, size_t i)
{
    const struct desk_order_in *in = &j->in[i];
    char where[32] = "";
    if (j->lines)
        snprintf(where, sizeof where, "line %ld: ", j->lines[i]);
    struct order o = {.external_id = (char *)in->external_id, .amount_cents = in->amount_cents,
                      .currency = (char *)in->currency, .upsell = in->upsell != 0,
                      .ordered_at = in->ordered_at ? in->ordered_at : clock_now_ms()};
    int rc = resolve_customer(tx->st, in, &o.customer_id);
    if (rc) {
        snprintf(j->err, j->errlen, "%sno customer %s%s", where,
                 in->customer_id ? "with that id" : "with ", in->customer_id ? "" : in->id_value);
        return rc == PL_EINVAL ? PL_EINVAL : PL_ENOTFOUND;
    }
    if ((rc = tx->st->ops->order_insert(tx->st, &o))) {
        if (rc == PL_EEXISTS)
            snprintf(j->err, j->errlen, "%sorder '%s' was already imported", where,
                     in->external_id);
        return rc;
    }
    json_t *ev = json_pack("{s:I,s:s?,s:I,s:I,s:s?,s:b,s:I}", "order_id", (json_int_t)o.id,
                           "external_id", in->external_id, "customer_id",
                           (json_int_t)o.customer_id, "amount_cents", (json_int_t)o.amount_cents,
                           "currency", in->currency, "upsell", o.upsell, "ordered_at",
                           (json_int_t)o.ordered_at);
    char *text = desk_json_text(ev);
    rc = desk_event(tx, j->who, "order.created", 0, o.customer_id, 0, NULL, text,
                    tx->history ? o.ordered_at : clock_now_ms());
    free(text);
    if (rc == 0 && j->out) {
        j->out[i] = o;
        j->out[i].external_id = in->external_id ? xstrdup(in->external_id) : NULL;
        j->out[i].currency = in->currency ? xstrdup(in->currency) : NULL;
    }
    return rc;
}

int desk_order_add_tx(struct desk_tx *tx, const struct desk_actor *who,
                      const struct desk_order_in *in)
{
    char err[200];
    struct order_job j = {who, in, NULL, 1, err, sizeof err, NULL};
    return add_one(tx, &j, 0);
}

static int orders_fn(struct desk_tx *tx, void *arg)
{
    const struct order_job *j = arg;
    for (size_t i = 0; i < j->n; i++) {
        int rc = add_one(tx, j, i);
        if (rc)
            return rc;
    }
    return 0;
}

int desk_order_add(struct desk *d, const struct desk_actor *who, const struct desk_order_in *in,
                   struct order *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    snprintf(err, errlen, "the order could not be stored");
    struct order_job j = {who, in, out, 1, err, errlen, NULL};
    return desk_exec(d, orders_fn, &j);
}

enum { O_ID, O_EMAIL, O_PHONE, O_CUSTOMER, O_AMOUNT, O_CURRENCY, O_AT, O_UPSELL, O__COUNT };
static const char *const order_cols[O__COUNT] = {"order_id", "customer_email", "customer_phone",
                                                 "customer_id", "amount", "currency",
                                                 "ordered_at", "upsell"};

/* Checks one CSV row into in (strings borrowed from f). */
static void check_order(char **f, long line, struct desk_order_in *in,
                        struct desk_import_report *rep)
{
    memset(in, 0, sizeof *in);
    in->external_id = f[O_ID];
    in->currency = f[O_CURRENCY];
    char *end;
    if (f[O_CUSTOMER]) {
        in->customer_id = strtoll(f[O_CUSTOMER], &end, 10);
        if (*end || in->customer_id <= 0)
            desk_import_error(rep, "line %ld: customer_id must be a positive integer", line);
    } else if (f[O_EMAIL] || f[O_PHONE]) {
        in->id_kind = f[O_EMAIL] ? IDENTITY_EMAIL : IDENTITY_PHONE;
        in->id_value = f[O_EMAIL] ? f[O_EMAIL] : f[O_PHONE];
    } else {
        desk_import_error(rep, "line %ld: an order needs customer_email, customer_phone or "
                               "customer_id", line);
    }
    if (!f[O_AMOUNT] || desk_parse_amount(f[O_AMOUNT], &in->amount_cents))
        desk_import_error(rep, "line %ld: 'amount' must be a number like 1250.50, not '%s'",
                          line, f[O_AMOUNT] ? f[O_AMOUNT] : "");
    if (!f[O_AT] || clock_parse(f[O_AT], &in->ordered_at))
        desk_import_error(rep, "line %ld: 'ordered_at' is not an ISO 8601 date: '%s'", line,
                          f[O_AT] ? f[O_AT] : "");
    const char *u = f[O_UPSELL];
    if (u && strcmp(u, "0") && strcmp(u, "no") && strcmp(u, "false")) {
        if (strcmp(u, "1") && strcmp(u, "yes") && strcmp(u, "true"))
            desk_import_error(rep, "line %ld: 'upsell' is yes or no, not '%s'", line, u);
        in->upsell = 1;
    }
}

int desk_import_orders_csv(struct desk *d, const struct desk_actor *who, FILE *fp,
                           struct desk_import_report *rep)
{
    memset(rep, 0, sizeof *rep);
    struct csv *c = csv_open(fp, ',');
    char *(*fields)[O__COUNT] = NULL;
    struct desk_order_in *in = NULL;
    long *lines = NULL, n = 0, cap = 0;
    int idx[O__COUNT], rc = csv_next(c);
    if (rc <= 0) {
        desk_import_error(rep, "%s", rc == 0 ? "line 1: the file is empty; a header row is "
                                               "expected" : csv_error(c));
        rc = PL_EPARSE;
        goto out;
    }
    for (int k = 0; k < O__COUNT; k++)
        idx[k] = csv_find(c, order_cols[k]);
    if (idx[O_AMOUNT] < 0 || idx[O_AT] < 0) {
        desk_import_error(rep, "line 1: the header must name the columns amount and ordered_at");
        rc = PL_EPARSE;
        goto out;
    }
    while ((rc = csv_next(c)) > 0) {
        if (csv_nfields(c) == 1 && csv_field_len(c, 0) == 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            fields = xrealloc(fields, (size_t)cap * sizeof *fields);
            in = xrealloc(in, (size_t)cap * sizeof *in);
            lines = xrealloc(lines, (size_t)cap * sizeof *lines);
        }
        lines[n] = csv_line(c);
        for (int k = 0; k < O__COUNT; k++)
            fields[n][k] = idx[k] >= 0 && csv_field_len(c, (size_t)idx[k]) > 0
                               ? xstrdup(csv_field(c, (size_t)idx[k]))
                               : NULL;
        check_order(fields[n], lines[n], &in[n], rep);
        n++;
    }
    if (rc < 0) {
        desk_import_error(rep, "%s", csv_error(c));
        rc = PL_EPARSE;
        goto out;
    }
    rep->rows = n;
    if (rep->nerrors) {
        rc = PL_EPARSE;
        goto out;
    }
    char err[300] = "";
    struct order_job j = {who, in, NULL, (size_t)n, err, sizeof err, lines};
    rc = desk_exec(d, orders_fn, &j);
    if (rc)
        desk_import_error(rep, "%s", err[0] ? err : parley_strerror(rc));
    else
        rep->messages = n;
out:
    for (long i = 0; i < n; i++)
        for (int k = 0; k < O__COUNT; k++)
            free(fields[i][k]);
    free(fields);
    free(in);
    free(lines);
    csv_close(c);
    return rc;
}

/* ---- ROI ---------------------------------------------------------------------- */

int desk_roi_inputs_get(struct desk *d, char **json)
{
    return desk_setting_get(d, "roi_inputs", "{}", json);
}

int desk_roi_inputs_set(struct desk *d, const struct desk_actor *who, const char *json,
                        char *err, size_t errlen)
{
    json_t *j = json_loads(json, JSON_REJECT_DUPLICATES, NULL);
    struct insight_roi_inputs in;
    int rc = insight_roi_parse(j, &in, err, errlen);
    char *text = rc ? NULL : json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(j);
    if (rc == 0)
        rc = desk_setting_put(d, who, "roi_inputs", text, "settings.roi_inputs");
    free(text);
    return rc;
}

/* Sets f from the data unless the user entered it. */
static void from_data(struct insight_roi_inputs *in, enum insight_roi_field f, bool baseline,
                      double v, const char *note)
{
    struct insight_roi_value *x = baseline ? &in->baseline[f] : &in->period[f];
    if (x->src == INSIGHT_SRC_MISSING && isfinite(v))
        insight_roi_set(in, f, baseline, v, INSIGHT_SRC_DATA, note);
}

/* Fills what the database knows about [from, to) and records it in data. */
static int side_data(struct desk *d, struct store *st, struct insight_roi_inputs *in,
                     bool baseline, int64_t from, int64_t to, json_t *data)
{
    struct insight_report r;
    desk_report(d, INSIGHT_DAY, from, to, INSIGHT_DIM_ALL, 0, &r);
    struct order_totals ot;
    const int64_t window = RETENTION_DAYS * DAY_MS;
    struct insight_conflicts_query q = {from, to, to + (to - from), clock_now_ms() - window,
                                        window};
    struct insight_conflicts_count cc;
    int rc = st->ops->order_totals(st, from, to, &ot);
    if (rc == 0 && desk_conflicts_count(d, &q, &cc)) {
        rc = st->ops->conflict_customers(st, from, to, q.cut, window, &cc.customers,
                                         &cc.measured, &cc.retained);
        if (rc == 0)
            rc = st->ops->conflict_facts(st, INSIGHT_FACT_RESOLUTION, from, to, q.until,
                                         &cc.facts);
    }
    if (rc)
        return rc;
    /* The cost side of conflict resolution is the time spent on the
     * period's conflicts, as the benefit side is what their customers did
     * next: routine tickets would be handled, and paid for, without any
     * conflict work. */
    from_data(in, INSIGHT_ROI_staff_hours, baseline, (double)cc.facts / 3600000.0,
              "handling time of the conflict tickets created in the period (escalated, or "
              "read as angry or frustrated), resolved within one period length after it");
    from_data(in, INSIGHT_ROI_sentiment_mean, baseline, r.sentiment_mean,
              "mean polarity of analysed customer messages in the period");
    from_data(in, INSIGHT_ROI_conflict_customers, baseline, (double)cc.customers,
              "customers with a ticket escalated or read as angry or frustrated");
    if (cc.measured > 0)
        from_data(in, INSIGHT_ROI_retention_rate, baseline,
                  (double)cc.retained / (double)cc.measured,
                  "share of them who ordered again within 30 days of their conflict (of "
                  "those whose 30 days have passed)");
    from_data(in, INSIGHT_ROI_repeat_revenue, baseline, (double)ot.repeat_cents / 100.0,
              "orders (not upsell) by customers after a resolved ticket");
    from_data(in, INSIGHT_ROI_upsell_revenue, baseline, (double)ot.upsell_cents / 100.0,
              "upsell orders by customers after a resolved ticket");
    char a[CLOCK_ISO_LEN], b[CLOCK_ISO_LEN];
    clock_format(from, a);
    clock_format(to, b);
    json_object_set_new(
        data, baseline ? "baseline" : "period",
        json_pack("{s:s,s:s,s:f,s:f,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:i}", "from", a, "to", b,
                  "handling_hours", (double)r.sum.aht_sum / 3600000.0,
                  "conflict_handling_hours", (double)cc.facts / 3600000.0, "resolutions",
                  (json_int_t)r.sum.aht_n, "conflict_customers", (json_int_t)cc.customers,
                  "conflict_customers_measured", (json_int_t)cc.measured,
                  "conflict_customers_retained", (json_int_t)cc.retained, "orders",
                  (json_int_t)ot.orders, "order_cents", (json_int_t)ot.cents,
                  "repeat_orders", (json_int_t)ot.repeat_orders, "repeat_cents",
                  (json_int_t)ot.repeat_cents, "upsell_cents", (json_int_t)ot.upsell_cents,
                  "retention_days", RETENTION_DAYS));
    return 0;
}

int desk_roi(struct desk *d, int64_t from, int64_t to, int64_t bfrom, int64_t bto,
             const char *lang, json_t **out, char *err, size_t errlen)
{
    char *text;
    int rc = desk_roi_inputs_get(d, &text);
    if (rc)
        return rc;
    json_t *j = json_loads(text, 0, NULL);
    free(text);
    struct insight_roi_inputs in;
    rc = insight_roi_parse(j, &in, err, errlen);
    json_decref(j);
    if (rc)
        return rc;
    int64_t now = clock_now_ms();
    in.period_from = from ? from : in.period_from ? in.period_from : now - 90 * DAY_MS;
    in.period_to = to ? to : in.period_to ? in.period_to : now;
    in.baseline_to = bto ? bto : in.baseline_to ? in.baseline_to : in.period_from;
    in.baseline_from = bfrom     ? bfrom
                       : in.baseline_from ? in.baseline_from
                                          : in.baseline_to - (in.period_to - in.period_from);
    if (in.period_to <= in.period_from || in.baseline_to <= in.baseline_from) {
        snprintf(err, errlen, "each period must end after it starts");
        return PL_EINVAL;
    }
    struct store *st = desk_reader(d);
    json_t *data = json_object();
    rc = st ? side_data(d, st, &in, false, in.period_from, in.period_to, data) : PL_EDB;
    if (rc == 0)
        rc = side_data(d, st, &in, true, in.baseline_from, in.baseline_to, data);
    if (rc) {
        json_decref(data);
        return rc;
    }
    struct insight_roi_result res;
    insight_roi_compute(&in, &res);
    *out = insight_roi_report(&in, &res, lang);
    json_object_set_new(*out, "data", data);
    return 0;
}
