/* routes_disputes.c — dispute panels: supervisors send a question on a
 * ticket to reviewers, reviewers vote, the decision is taken at the quorum
 * and its receipt proves it. Thin: the rules are in desk/disputes.c. */
#include "http/http_internal.h"
#include "base/err.h"

#include <stdlib.h>
#include <string.h>

static json_t *dispute_json(const struct dispute *dp)
{
    json_t *rev = json_array(), *votes = json_array();
    int up = 0, down = 0;
    for (size_t i = 0; i < dp->nreviewers; i++)
        json_array_append_new(rev, json_integer((json_int_t)dp->reviewers[i]));
    for (size_t i = 0; i < dp->nvotes; i++) {
        const struct dispute_vote *v = &dp->votes[i];
        up += strcmp(v->decision, "uphold") == 0;
        down += strcmp(v->decision, "reject") == 0;
        json_array_append_new(votes, json_pack("{s:I,s:s,s:s?,s:I,s:o}", "user_id",
                                               (json_int_t)v->user_id, "decision", v->decision,
                                               "reason", v->reason, "event_id",
                                               (json_int_t)v->event_id, "created_at",
                                               http_time(v->created_at)));
    }
    json_t *j = json_pack("{s:I,s:I,s:s,s:i,s:s,s:s?,s:o,s:o,s:{s:i,s:i}}", "id",
                          (json_int_t)dp->id, "ticket_id", (json_int_t)dp->ticket_id, "question",
                          dp->question, "quorum", dp->quorum, "status", dp->status, "decision",
                          dp->decision, "reviewers", rev, "votes", votes, "tally", "uphold", up,
                          "reject", down);
    json_object_set_new(j, "created_by", dp->created_by ? json_integer((json_int_t)dp->created_by)
                                                        : json_null());
    json_object_set_new(j, "created_at", http_time(dp->created_at));
    json_object_set_new(j, "decided_at", http_time(dp->decided_at));
    json_object_set_new(j, "decision_event_id", dp->decision_event_id
                                                    ? json_integer((json_int_t)dp->decision_event_id)
                                                    : json_null());
    return j;
}

static enum MHD_Result reply_dispute(struct req *r, unsigned status, struct dispute *dp)
{
    json_t *j = dispute_json(dp);
    dispute_clear(dp);
    return http_json(r, status, j);
}

/* POST /api/v1/tickets/{id}/disputes {reviewers:[ids], quorum, question} */
static enum MHD_Result dispute_open(struct req *r)
{
    json_t *b = http_body_object(r);
    if (!b)
        return MHD_YES;
    bool ok = true;
    const char *question = http_str(r, b, "question", true, &ok);
    if (!ok) {
        json_decref(b);
        return MHD_YES;
    }
    json_t *rev = json_object_get(b, "reviewers"), *q = json_object_get(b, "quorum");
    size_t n = json_array_size(rev);
    if (!json_is_array(rev) || n == 0 || n > DESK_DISPUTE_MAX_REVIEWERS || !json_is_integer(q) ||
        json_integer_value(q) < 1 || (size_t)json_integer_value(q) > n) {
        json_decref(b);
        return http_error(r, 400, "invalid",
                          "reviewers is a list of 1 to %d user ids and quorum 1 to their number",
                          DESK_DISPUTE_MAX_REVIEWERS);
    }
    int64_t ids[DESK_DISPUTE_MAX_REVIEWERS];
    for (size_t i = 0; i < n; i++) {
        json_t *x = json_array_get(rev, i);
        if (!json_is_integer(x) || json_integer_value(x) <= 0) {
            json_decref(b);
            return http_error(r, 400, "invalid", "reviewers are positive user ids");
        }
        ids[i] = json_integer_value(x);
    }
    struct dispute dp;
    int rc = desk_dispute_open(r->srv->d, &r->who, r->id, ids, n, (int)json_integer_value(q),
                               question, &dp);
    json_decref(b);
    if (rc == PL_EINVAL)
        return http_error(r, 400, "invalid", "reviewers must be distinct active staff users, "
                                             "not including you, and the question non-empty");
    if (rc)
        return http_fail(r, rc);
    return reply_dispute(r, 201, &dp);
}

/* POST /api/v1/disputes/{id}/votes {decision: uphold|reject, reason?} */
static enum MHD_Result dispute_vote(struct req *r)
{
    json_t *b = http_body_object(r);
    if (!b)
        return MHD_YES;
    bool ok = true;
    const char *decision = http_str(r, b, "decision", true, &ok);
    const char *reason = ok ? http_str(r, b, "reason", false, &ok) : NULL;
    if (!ok) {
        json_decref(b);
        return MHD_YES;
    }
    struct dispute dp;
    int rc = desk_dispute_vote(r->srv->d, &r->who, r->id, decision, reason, &dp);
    json_decref(b);
    switch (rc) {
    case 0:
        return reply_dispute(r, 201, &dp);
    case PL_EINVAL:
        return http_error(r, 400, "invalid", "decision is \"uphold\" or \"reject\"");
    case PL_EFORBIDDEN:
        return http_error(r, 403, "forbidden", "only the dispute's reviewers may vote");
    case PL_EEXISTS:
        return http_error(r, 409, "already_voted", "each reviewer votes once");
    case PL_ESTATE:
        return http_error(r, 409, "closed", "the dispute is no longer open");
    default:
        return http_fail(r, rc);
    }
}

static enum MHD_Result dispute_get(struct req *r)
{
    struct dispute dp;
    int rc = desk_dispute_get(r->srv->d, r->id, &dp);
    if (rc)
        return http_fail(r, rc);
    return reply_dispute(r, 200, &dp);
}

/* GET /api/v1/disputes?status=open|decided|deadlocked&limit=N */
static enum MHD_Result dispute_list(struct req *r)
{
    const char *status = http_query(r, "status"), *l = http_query(r, "limit");
    struct dispute *v = NULL;
    size_t n = 0;
    int rc = desk_dispute_list(r->srv->d, status, l ? atoi(l) : 0, &v, &n);
    if (rc == PL_EINVAL)
        return http_error(r, 400, "invalid", "status is open, decided or deadlocked");
    if (rc)
        return http_fail(r, rc);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, dispute_json(&v[i]));
    store_free_disputes(v, n);
    return http_json(r, 200, json_pack("{s:o}", "disputes", arr));
}

/* GET /api/v1/disputes/{id}/receipt[?cosigned=1] — the receipt of the
 * decision, against the current or the latest cosigned checkpoint. */
static enum MHD_Result dispute_receipt(struct req *r)
{
    char *json = NULL;
    const char *c = http_query(r, "cosigned");
    bool cosigned = c && strcmp(c, "0") != 0;
    int rc = desk_dispute_receipt(r->srv->d, r->id, cosigned, &json);
    if (rc == PL_ESTATE)
        return http_error(r, 409, "not_yet", cosigned ? "undecided, or decided after the latest "
                                                        "cosigned checkpoint"
                                                      : "the panel has not decided yet");
    if (rc)
        return http_fail(r, rc);
    return http_raw(r, 200, "application/json; charset=utf-8", json, strlen(json), NULL, NULL);
}

static const struct http_subroute droutes[] = {
    {"POST", "/api/v1/tickets/", true, "/disputes", HTTP_SUPERVISOR, dispute_open},
    {"GET", "/api/v1/disputes", false, NULL, HTTP_STAFF, dispute_list},
    {"GET", "/api/v1/disputes/", true, "", HTTP_STAFF, dispute_get},
    {"POST", "/api/v1/disputes/", true, "/votes", HTTP_STAFF, dispute_vote},
    {"GET", "/api/v1/disputes/", true, "/receipt", HTTP_STAFF, dispute_receipt},
};

enum MHD_Result http_route_disputes(struct req *r, bool *handled)
{
    return http_subroute(r, droutes, sizeof droutes / sizeof droutes[0], handled);
}
