/* routes_insight.c — reports with drill-down and CSV, teams, ROI with
 * its inputs and orders, SMART goals (docs/api.md, docs/insight.md). The
 * handlers translate; desk/report.c, desk/roi.c and desk/goals.c do the
 * work. */
#include "http/http_internal.h"
#include "base/err.h"
#include "base/clock.h"
#include "desk/goals.h"
#include "desk/report.h"
#include "desk/roi.h"
#include "insight/roi.h"

#include <stdlib.h>
#include <string.h>

/* Query parameters → a report request; false when a 400 was queued. */
static bool report_req(struct req *r, struct desk_report_req *q)
{
    char err[300];
    if (desk_report_parse(q, http_query(r, "metric"), http_query(r, "group"),
                          http_query(r, "period"), http_query(r, "from"), http_query(r, "to"),
                          err, sizeof err)) {
        http_error(r, 400, "invalid", "%s", err);
        return false;
    }
    return true;
}

/* GET /api/v1/reports?metric=&group=&period=&from=&to=&format=json|csv */
static enum MHD_Result reports(struct req *r)
{
    struct desk_report_req q;
    if (!report_req(r, &q))
        return MHD_YES;
    const char *fmt = http_query(r, "format");
    if (fmt && strcmp(fmt, "json") && strcmp(fmt, "csv"))
        return http_error(r, 400, "invalid", "format is json or csv");
    int rc;
    if (fmt && !strcmp(fmt, "csv")) {
        struct buf b = BUF_INIT;
        if ((rc = desk_report_csv(r->srv->d, &q, &b))) {
            buf_release(&b);
            return rc == PL_ETOOBIG ? http_error(r, 400, "invalid", "too many rows: use a "
                                                 "longer period or a shorter range") :
                                      http_fail(r, rc);
        }
        size_t len;
        char *s = buf_detach(&b, &len);
        return http_raw(r, 200, "text/csv; charset=utf-8", s, len, NULL, NULL);
    }
    json_t *j;
    if ((rc = desk_report_json(r->srv->d, &q, &j)))
        return rc == PL_ETOOBIG ? http_error(r, 400, "invalid", "too many rows: use a longer "
                                             "period or a shorter range") :
                                  http_fail(r, rc);
    return http_json(r, 200, j);
}

/* GET /api/v1/reports/tickets?metric=&group=&key=&from=&to=&limit= */
static enum MHD_Result report_tickets(struct req *r)
{
    struct desk_report_req q;
    if (!report_req(r, &q))
        return MHD_YES;
    const char *v = http_query(r, "limit");
    if (v) {
        char *end;
        long n = strtol(v, &end, 10);
        q.limit = *end || n < 1 || n > 1000 ? 0 : (int)n;
    }
    q.key = http_query(r, "key");
    char err[300];
    json_t *j;
    int rc = desk_report_tickets(r->srv->d, &q, &j, err, sizeof err);
    if (rc == PL_EINVAL)
        return http_error(r, 400, "invalid", "%s", err);
    if (rc)
        return http_fail(r, rc);
    return http_json(r, 200, j);
}

static enum MHD_Result get_teams(struct req *r)
{
    char *s;
    int rc = desk_teams_get(r->srv->d, &s);
    if (rc)
        return http_fail(r, rc);
    return http_raw(r, 200, "application/json; charset=utf-8", s, strlen(s), NULL, NULL);
}

static enum MHD_Result put_teams(struct req *r)
{
    json_t *b = http_body_object(r);
    if (!b)
        return MHD_YES;
    json_decref(b);
    char err[300];
    int rc = desk_teams_set(r->srv->d, &r->who, buf_str(&r->body), err, sizeof err);
    if (rc == PL_EINVAL)
        return http_error(r, 400, "invalid", "%s", err);
    if (rc)
        return http_fail(r, rc);
    return get_teams(r);
}

/* ---- ROI and orders ------------------------------------------------------------ */

static enum MHD_Result get_roi_inputs(struct req *r)
{
    char *s;
    int rc = desk_roi_inputs_get(r->srv->d, &s);
    if (rc)
        return http_fail(r, rc);
    json_t *fields = json_array();
    for (int f = 0; f < INSIGHT_ROI__COUNT; f++)
        json_array_append_new(
            fields, json_pack("{s:s,s:s,s:s}", "name", insight_roi_field_name(f), "explain_en",
                              insight_roi_explain(f, "en"), "explain_ru",
                              insight_roi_explain(f, "ru")));
    json_t *in = json_loads(s, 0, NULL);
    free(s);
    return http_json(r, 200, json_pack("{s:o,s:o}", "inputs", in ? in : json_object(), "fields",
                                       fields));
}

static enum MHD_Result put_roi_inputs(struct req *r)
{
    json_t *b = http_body_object(r);
    if (!b)
        return MHD_YES;
    json_decref(b);
    char err[300];
    int rc = desk_roi_inputs_set(r->srv->d, &r->who, buf_str(&r->body), err, sizeof err);
    if (rc == PL_EINVAL)
        return http_error(r, 400, "invalid", "%s", err);
    if (rc)
        return http_fail(r, rc);
    return get_roi_inputs(r);
}

/* An optional date parameter; false when a 400 was queued. */
static bool date_param(struct req *r, const char *name, int64_t *out)
{
    const char *v = http_query(r, name);
    *out = 0;
    if (v && clock_parse(v, out)) {
        http_error(r, 400, "invalid", "%s must be an ISO 8601 date", name);
        return false;
    }
    return true;
}

/* GET /api/v1/roi?from=&to=&baseline_from=&baseline_to=&lang=en|ru */
static enum MHD_Result roi(struct req *r)
{
    int64_t f, t, bf, bt;
    if (!date_param(r, "from", &f) || !date_param(r, "to", &t) ||
        !date_param(r, "baseline_from", &bf) || !date_param(r, "baseline_to", &bt))
        return MHD_YES;
    const char *lang = http_query(r, "lang");
    if (lang && strcmp(lang, "en") && strcmp(lang, "ru"))
        return http_error(r, 400, "invalid", "lang is en or ru");
    char err[300];
    json_t *j;
    int rc = desk_roi(r->srv->d, f, t, bf, bt, lang ? lang : "en", &j, err, sizeof err);
    if (rc == PL_EINVAL)
        return http_error(r, 400, "invalid", "%s", err);
    if (rc)
        return http_fail(r, rc);
    return http_json(r, 200, j);
}

/* POST /api/v1/orders {"customer_id"|"customer_email"|"customer_phone",
 * "amount":"12.50"|12.5,"currency","external_id","upsell","ordered_at"} */
static enum MHD_Result post_order(struct req *r)
{
    json_t *b = http_body_object(r);
    if (!b)
        return MHD_YES;
    struct desk_order_in in = {0};
    bool ok = true;
    in.external_id = http_str(r, b, "external_id", false, &ok);
    const char *email = ok ? http_str(r, b, "customer_email", false, &ok) : NULL;
    const char *phone = ok ? http_str(r, b, "customer_phone", false, &ok) : NULL;
    in.currency = ok ? http_str(r, b, "currency", false, &ok) : NULL;
    const char *at = ok ? http_str(r, b, "ordered_at", false, &ok) : NULL;
    if (!ok) {
        json_decref(b);
        return MHD_YES;
    }
    json_t *cid = json_object_get(b, "customer_id"), *amt = json_object_get(b, "amount"),
           *up = json_object_get(b, "upsell");
    char amount[48] = "";
    if (json_is_string(amt))
        snprintf(amount, sizeof amount, "%s", json_string_value(amt));
    else if (json_is_number(amt))
        snprintf(amount, sizeof amount, "%.2f", json_number_value(amt));
    const char *bad = NULL;
    if (cid && (!json_is_integer(cid) || json_integer_value(cid) <= 0))
        bad = "customer_id must be a positive integer";
    else if (!cid && !email && !phone)
        bad = "customer_id, customer_email or customer_phone is required";
    else if (desk_parse_amount(amount, &in.amount_cents))
        bad = "amount must be a non-negative number with at most 2 decimals";
    else if (up && !json_is_boolean(up))
        bad = "upsell must be true or false";
    else if (at && clock_parse(at, &in.ordered_at))
        bad = "ordered_at must be an ISO 8601 date";
    if (bad) {
        json_decref(b);
        return http_error(r, 400, "invalid", "%s", bad);
    }
    in.customer_id = cid ? json_integer_value(cid) : 0;
    in.id_kind = email ? IDENTITY_EMAIL : IDENTITY_PHONE;
    in.id_value = email ? email : phone;
    in.upsell = json_is_true(up);
    struct order o;
    char err[300];
    int rc = desk_order_add(r->srv->d, &r->who, &in, &o, err, sizeof err);
    json_decref(b);
    if (rc == PL_ENOTFOUND || rc == PL_EINVAL)
        return http_error(r, rc == PL_EINVAL ? 400 : 404, rc == PL_EINVAL ? "invalid" : "not_found",
                          "%s", err);
    if (rc == PL_EEXISTS)
        return http_error(r, 409, "exists", "%s", err);
    if (rc)
        return http_fail(r, rc);
    json_t *j = json_pack("{s:I,s:s?,s:I,s:I,s:s?,s:b,s:o}", "id", (json_int_t)o.id,
                          "external_id", o.external_id, "customer_id", (json_int_t)o.customer_id,
                          "amount_cents", (json_int_t)o.amount_cents, "currency", o.currency,
                          "upsell", o.upsell, "ordered_at", http_time(o.ordered_at));
    order_clear(&o);
    return http_json(r, 201, j);
}

/* ---- SMART goals ----------------------------------------------------------------- */

static enum MHD_Result goal_reply(struct req *r, int rc, unsigned ok, json_t *j, const char *err)
{
    if (rc == PL_EINVAL)
        return http_error(r, 400, "invalid", "%s", err);
    if (rc)
        return http_fail(r, rc);
    return http_json(r, ok, j);
}

static enum MHD_Result post_goal(struct req *r)
{
    json_t *b = http_body_object(r), *j = NULL;
    if (!b)
        return MHD_YES;
    json_decref(b);
    char err[300] = "";
    int rc = desk_goal_create(r->srv->d, &r->who, buf_str(&r->body), &j, err, sizeof err);
    return goal_reply(r, rc, 201, j, err);
}

static enum MHD_Result list_goals(struct req *r)
{
    json_t *j = NULL;
    int rc = desk_goal_list(r->srv->d, &r->who, &j);
    return goal_reply(r, rc, 200, j, "");
}

static enum MHD_Result get_goal(struct req *r)
{
    json_t *j = NULL;
    int rc = desk_goal_get(r->srv->d, &r->who, r->id, &j);
    return goal_reply(r, rc, 200, j, "");
}

static enum MHD_Result patch_goal(struct req *r)
{
    json_t *b = http_body_object(r), *j = NULL;
    if (!b)
        return MHD_YES;
    json_decref(b);
    char err[300] = "";
    int rc = desk_goal_update(r->srv->d, &r->who, r->id, buf_str(&r->body), &j, err, sizeof err);
    return goal_reply(r, rc, 200, j, err);
}

static enum MHD_Result delete_goal(struct req *r)
{
    int rc = desk_goal_delete(r->srv->d, &r->who, r->id);
    if (rc)
        return http_fail(r, rc);
    return http_raw(r, 204, "application/json", NULL, 0, NULL, NULL);
}

static const struct http_subroute iroutes[] = {
    {"GET", "/api/v1/reports", false, "", HTTP_SUPERVISOR, reports},
    {"GET", "/api/v1/reports/tickets", false, "", HTTP_SUPERVISOR, report_tickets},
    {"GET", "/api/v1/config/teams", false, "", HTTP_SUPERVISOR, get_teams},
    {"PUT", "/api/v1/config/teams", false, "", HTTP_ADMIN, put_teams},
    {"GET", "/api/v1/roi", false, "", HTTP_SUPERVISOR, roi},
    {"GET", "/api/v1/roi/inputs", false, "", HTTP_SUPERVISOR, get_roi_inputs},
    {"PUT", "/api/v1/roi/inputs", false, "", HTTP_SUPERVISOR, put_roi_inputs},
    {"POST", "/api/v1/orders", false, "", HTTP_INGEST, post_order},
    {"GET", "/api/v1/goals", false, "", HTTP_SUPERVISOR, list_goals},
    {"POST", "/api/v1/goals", false, "", HTTP_SUPERVISOR, post_goal},
    {"GET", "/api/v1/goals/", true, "", HTTP_SUPERVISOR, get_goal},
    {"PATCH", "/api/v1/goals/", true, "", HTTP_SUPERVISOR, patch_goal},
    {"DELETE", "/api/v1/goals/", true, "", HTTP_SUPERVISOR, delete_goal},
};

enum MHD_Result http_route_insight(struct req *r, bool *handled)
{
    return http_subroute(r, iroutes, sizeof iroutes / sizeof iroutes[0], handled);
}
