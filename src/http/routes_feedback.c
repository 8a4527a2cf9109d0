/* routes_feedback.c — alerts for supervisors, and the customer's CSAT
 * survey reached by its single-use link. */
#include "http/http_internal.h"
#include "base/err.h"

#include <stdlib.h>
#include <string.h>

/* GET /api/v1/alerts?status=open|all&limit=N */
static enum MHD_Result list_alerts(struct req *r)
{
    const char *status = http_query(r, "status"), *l = http_query(r, "limit");
    if (status && strcmp(status, "open") && strcmp(status, "all"))
        return http_error(r, 400, "invalid", "status must be open or all");
    int limit = 100;
    if (l) {
        char *end;
        long v = strtol(l, &end, 10);
        if (*end || v < 1 || v > 500)
            return http_error(r, 400, "invalid", "limit must be 1 to 500");
        limit = (int)v;
    }
    struct alert *v = NULL;
    size_t n = 0;
    int rc = desk_alert_list(r->srv->d, !status || !strcmp(status, "open"), limit, &v, &n);
    if (rc)
        return http_fail(r, rc);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, desk_alert_json(&v[i]));
    store_free_alerts(v, n);
    return http_json(r, 200, json_pack("{s:o}", "alerts", arr));
}

/* POST /api/v1/alerts/{id}/ack */
static enum MHD_Result ack_alert(struct req *r)
{
    int rc = desk_alert_ack(r->srv->d, &r->who, r->id);
    if (rc)
        return http_fail(r, rc);
    struct store *st = desk_reader(r->srv->d);
    struct alert a = {0};
    if (!st || (rc = st->ops->alert_get(st, r->id, &a)))
        return http_fail(r, st ? rc : PL_EUNAVAIL);
    json_t *j = desk_alert_json(&a);
    alert_clear(&a);
    return http_json(r, 200, j);
}

/* ---- surveys (public: the token is the credential) ----------------------------- */

#define SURVEY_PREFIX "/api/v1/surveys/"

/* GET /api/v1/surveys/{token} */
static enum MHD_Result get_survey(struct req *r, const char *token)
{
    struct survey s = {0};
    char *subject = NULL, *language = NULL;
    int rc = desk_survey_get(r->srv->d, token, &s, &subject, &language);
    if (rc == PL_ENOTFOUND)
        return http_error(r, 404, "not_found", "no such survey");
    if (rc)
        return http_fail(r, rc);
    json_t *j = json_pack("{s:s?,s:s,s:b}", "subject", subject, "language", language,
                          "answered", s.answered_at != 0);
    if (s.answered_at)
        json_object_set_new(j, "score", json_integer(s.score));
    free(subject);
    free(language);
    survey_clear(&s);
    return http_json(r, 200, j);
}

/* An optional integer member in [lo, hi]; false (400 queued) otherwise. */
static bool int_member(struct req *r, json_t *b, const char *key, int lo, int hi, int *out)
{
    json_t *v = json_object_get(b, key);
    if (!v || json_is_null(v))
        return true;
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
        http_error(r, 400, "invalid", "%s must be a whole number from %d to %d", key, lo, hi);
        return false;
    }
    *out = (int)json_integer_value(v);
    return true;
}

/* POST /api/v1/surveys/{token} {score 1-5, comment?, nps? 0-10} */
static enum MHD_Result answer_survey(struct req *r, const char *token)
{
    json_t *b = http_body_object(r);
    if (!b)
        return MHD_YES;
    int score = 0, nps = -1;
    bool ok = true;
    if (!json_object_get(b, "score")) {
        json_decref(b);
        return http_error(r, 400, "invalid", "score is required (1 to 5)");
    }
    const char *comment = NULL;
    if (int_member(r, b, "score", 1, 5, &score) && int_member(r, b, "nps", 0, 10, &nps))
        comment = http_str(r, b, "comment", false, &ok);
    else
        ok = false;
    if (!ok) {
        json_decref(b);
        return MHD_YES;
    }
    int rc = desk_survey_answer(r->srv->d, token, score, nps, comment);
    json_decref(b);
    if (rc == PL_ESTATE)
        return http_error(r, 410, "gone", "this survey was already answered");
    if (rc == PL_ENOTFOUND)
        return http_error(r, 404, "not_found", "no such survey");
    if (rc)
        return http_fail(r, rc);
    return http_json(r, 201, json_pack("{s:b,s:i}", "answered", 1, "score", score));
}

static enum MHD_Result route_survey(struct req *r, bool *handled)
{
    const char *token = r->path + strlen(SURVEY_PREFIX);
    if (strncmp(r->path, SURVEY_PREFIX, strlen(SURVEY_PREFIX)) != 0 || !*token ||
        strchr(token, '/'))
        return MHD_YES;
    *handled = true;
    if (!strcmp(r->method, "GET"))
        return get_survey(r, token);
    if (!strcmp(r->method, "POST"))
        return answer_survey(r, token);
    return http_error(r, 405, "method_not_allowed", "%s is not allowed here", r->method);
}

/* ---- settings ---------------------------------------------------------------- */

/* GET /api/v1/config/feedback */
static enum MHD_Result get_feedback_config(struct req *r)
{
    int hours = 0;
    int rc = desk_feedback_config(r->srv->d, &hours);
    if (rc)
        return http_fail(r, rc);
    return http_json(r, 200, json_pack("{s:i}", "repeat_window_hours", hours));
}

/* PUT /api/v1/config/feedback {"repeat_window_hours": 0..8760} */
static enum MHD_Result put_feedback_config(struct req *r)
{
    json_t *b = http_body_object(r);
    if (!b)
        return MHD_YES;
    int hours = -1;
    bool ok = int_member(r, b, "repeat_window_hours", 0, 24 * 365, &hours);
    json_decref(b);
    if (!ok)
        return MHD_YES;
    if (hours < 0)
        return http_error(r, 400, "invalid", "repeat_window_hours is required (0 to 8760)");
    int rc = desk_set_feedback_config(r->srv->d, &r->who, hours);
    if (rc)
        return http_fail(r, rc);
    return get_feedback_config(r);
}

/* ---- the table ---------------------------------------------------------------- */

static const struct http_subroute froutes[] = {
    {"GET", "/api/v1/alerts", false, NULL, HTTP_SUPERVISOR, list_alerts},
    {"POST", "/api/v1/alerts/", true, "/ack", HTTP_SUPERVISOR, ack_alert},
    {"GET", "/api/v1/config/feedback", false, NULL, HTTP_SUPERVISOR, get_feedback_config},
    {"PUT", "/api/v1/config/feedback", false, NULL, HTTP_ADMIN, put_feedback_config},
};

enum MHD_Result http_route_feedback(struct req *r, bool *handled)
{
    enum MHD_Result res = route_survey(r, handled);
    if (*handled)
        return res;
    return http_subroute(r, froutes, sizeof froutes / sizeof froutes[0], handled);
}
