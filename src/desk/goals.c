/* goals.c — SMART goals stored in the setting "goals" as
 * {"next_id":n,"goals":[{"id","spec":{…},"created_at","off_track"}]}. Every
 * change is a read-modify-write of that setting on the writer thread, with
 * its event, so concurrent requests cannot lose one another's goals. */
#include "desk/goals.h"
#include "desk/desk_internal.h"
#include "desk/report.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "insight/catalog.h"
#include "insight/goals.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_GOALS 200

/* A goal checked against the data: parsed, baseline resolved, evaluated. */
struct judged {
    struct insight_goal g;
    struct insight_goal_status st;
};

static int fail(char *err, size_t len, const char *msg)
{
    if (err && len)
        snprintf(err, len, "%s", msg);
    return PL_EINVAL;
}

/* Parses spec, resolves the baseline from history and evaluates at now. */
static int judge(struct desk *d, const json_t *spec, int64_t now, struct judged *j, char *err,
                 size_t errlen)
{
    int rc = insight_goal_parse(spec, &j->g, err, errlen);
    if (rc)
        return rc;
    const struct insight_metric *m = insight_metric_find(j->g.metric);
    if (!m)
        return fail(err, errlen, "unknown metric (the names of GET /reports, docs/insight.md)");
    const char *gs = json_string_value(json_object_get(spec, "group"));
    const char *key = json_string_value(json_object_get(spec, "key"));
    enum desk_group grp = DESK_GROUP_ALL;
    if (gs && desk_group_parse(gs, &grp))
        return fail(err, errlen, "group is all, agent, team, category, channel or priority");
    if (grp != DESK_GROUP_ALL && !key)
        return fail(err, errlen, "key is required with a group");
    int64_t from = j->g.baseline_given ? j->g.start : j->g.baseline_from;
    if (j->g.start < from)
        from = j->g.start;
    int64_t to = (now < j->g.deadline ? now : j->g.deadline) + 1;
    if (to <= from)
        to = from + 1;
    struct insight_point *pts;
    size_t n;
    if ((rc = desk_metric_series(d, m, grp, key, from, to, &pts, &n, err, errlen)))
        return rc;
    rc = insight_goal_resolve(&j->g, pts, n);
    if (rc == PL_ENOTFOUND)
        rc = fail(err, errlen, "no data for the metric in the baseline window");
    if (rc == 0)
        rc = insight_goal_evaluate(&j->g, pts, n, now, &j->st);
    free(pts);
    return rc;
}

static json_t *goal_json(const json_t *item, const struct judged *j)
{
    json_t *g = insight_goal_to_json(&j->g);
    const json_t *spec = json_object_get(item, "spec");
    const json_t *grp = json_object_get(spec, "group"), *key = json_object_get(spec, "key");
    json_object_set_new(g, "group", grp ? json_incref((json_t *)grp) : json_string("all"));
    json_object_set_new(g, "key", key ? json_incref((json_t *)key) : json_null());
    return json_pack("{s:O,s:o,s:o,s:O}", "id", json_object_get(item, "id"), "goal", g, "status",
                     insight_goal_status_to_json(&j->g, &j->st, "en"), "created_at",
                     json_object_get(item, "created_at"));
}

/* ---- the job: every operation reads and writes the setting -------------- */

enum op { OP_CREATE, OP_UPDATE, OP_GET, OP_LIST, OP_DELETE };

struct goal_job {
    enum op op;
    const struct desk_actor *who;
    int64_t id;
    json_t *body;                  /* create/update input (borrowed) */
    json_t *out;
    char *err;
    size_t errlen;
};

static json_t *load(struct store *st)
{
    char *text = NULL;
    json_t *j = NULL;
    if (st->ops->setting_get(st, "goals", &text) == 0)
        j = json_loads(text, 0, NULL);
    free(text);
    if (!json_is_object(j) || !json_is_array(json_object_get(j, "goals"))) {
        json_decref(j);
        j = json_pack("{s:i,s:[]}", "next_id", 1, "goals");
    }
    return j;
}

static int save(struct desk_tx *tx, const struct desk_actor *who, json_t *all, const char *type,
                json_t *payload)
{
    char *text = json_dumps(all, JSON_COMPACT | JSON_SORT_KEYS);
    int rc = tx->st->ops->setting_set(tx->st, "goals", text);
    free(text);
    char *ev = desk_json_text(payload);
    if (rc == 0)
        rc = desk_event(tx, who, type, 0, 0, 0, NULL, ev, clock_now_ms());
    free(ev);
    return rc;
}

static size_t find(json_t *goals, int64_t id)
{
    size_t i;
    json_t *g;
    json_array_foreach(goals, i, g) {
        if (json_integer_value(json_object_get(g, "id")) == id)
            return i;
    }
    return (size_t)-1;
}

/* An off-track goal is an alert (kind "goal"): projected value as its
 * size, the target as expected, the current value as observed. */
static int raise_alert(struct desk_tx *tx, const json_t *item, const struct judged *j)
{
    const json_t *spec = json_object_get(item, "spec");
    const char *grp = json_string_value(json_object_get(spec, "group"));
    json_t *detail = json_pack("{s:O,s:s,s:O,s:O,s:o}", "goal_id", json_object_get(item, "id"),
                               "title", j->g.title, "group", json_object_get(spec, "group"),
                               "key", json_object_get(spec, "key"), "status",
                               insight_goal_status_to_json(&j->g, &j->st, "en"));
    if (!detail) /* no group or key: the goal is for everything */
        detail = json_pack("{s:O,s:s,s:o}", "goal_id", json_object_get(item, "id"), "title",
                           j->g.title, "status", insight_goal_status_to_json(&j->g, &j->st, "en"));
    char *text = desk_json_text(detail);
    struct alert a = {.kind = (char *)"goal", .metric = (char *)j->g.metric,
                      .category = grp && !strcmp(grp, "category")
                                      ? (char *)json_string_value(json_object_get(spec, "key"))
                                      : NULL,
                      .size = j->st.projected, .expected = j->g.target,
                      .observed = j->st.current, .detail = text};
    int rc = desk_alert_raise_tx(tx, &a);
    free(text);
    return rc;
}

/* Judges goal item at now; records the change of its off-track state with
 * an event. Adds the goal's JSON to out (an array) or sets *one. */
static int judge_item(struct desk_tx *tx, json_t *item, int64_t now, bool *changed, json_t **one,
                      char *err, size_t errlen)
{
    struct judged j;
    int rc = judge(tx->d, json_object_get(item, "spec"), now, &j, err, errlen);
    if (rc)
        return rc;
    bool was = json_is_true(json_object_get(item, "off_track"));
    if (j.st.alert != was) {
        json_object_set_new(item, "off_track", json_boolean(j.st.alert));
        *changed = true;
        if (j.st.alert)
            rc = raise_alert(tx, item, &j);
    }
    *one = goal_json(item, &j);
    return rc;
}

static int goal_fn(struct desk_tx *tx, void *arg)
{
    struct goal_job *a = arg;
    json_t *all = load(tx->st), *goals = json_object_get(all, "goals"), *item = NULL;
    int64_t now = clock_now_ms();
    bool changed = false;
    int rc = 0;
    size_t at = a->op == OP_CREATE || a->op == OP_LIST ? 0 : find(goals, a->id);
    if (at == (size_t)-1) {
        json_decref(all);
        return PL_ENOTFOUND;
    }
    switch (a->op) {
    case OP_CREATE: {
        if (json_array_size(goals) >= MAX_GOALS) {
            rc = fail(a->err, a->errlen, "at most 200 goals");
            break;
        }
        json_int_t id = json_integer_value(json_object_get(all, "next_id"));
        item = json_pack("{s:I,s:O,s:I,s:b}", "id", id, "spec", a->body, "created_at",
                         (json_int_t)now, "off_track", 0);
        json_array_append(goals, item);
        json_object_set_new(all, "next_id", json_integer(id + 1));
        rc = judge_item(tx, item, now, &changed, &a->out, a->err, a->errlen);
        if (rc == 0)
            rc = save(tx, a->who, all, "goal.created", json_pack("{s:I,s:O}", "goal_id", id,
                                                                   "spec", a->body));
        break;
    }
    case OP_UPDATE: {
        item = json_array_get(goals, at);
        json_t *spec = json_deep_copy(json_object_get(item, "spec"));
        json_object_update(spec, a->body);
        json_object_set_new(item, "spec", spec);
        rc = judge_item(tx, item, now, &changed, &a->out, a->err, a->errlen);
        if (rc == 0)
            rc = save(tx, a->who, all, "goal.updated", json_pack("{s:I,s:O}", "goal_id",
                                                                   (json_int_t)a->id, "spec", spec));
        break;
    }
    case OP_DELETE:
        json_array_remove(goals, at);
        rc = save(tx, a->who, all, "goal.deleted", json_pack("{s:I}", "goal_id", (json_int_t)a->id));
        break;
    case OP_GET:
        rc = judge_item(tx, json_array_get(goals, at), now, &changed, &a->out, a->err,
                        a->errlen);
        break;
    case OP_LIST: {
        json_t *list = json_array(), *one;
        size_t i;
        json_array_foreach(goals, i, item) {
            char err[200];
            if (judge_item(tx, item, now, &changed, &one, err, sizeof err) == 0)
                json_array_append_new(list, one);
            else /* e.g. a team removed since: shown with the reason */
                json_array_append_new(list, json_pack("{s:O,s:O,s:s}", "id",
                                                      json_object_get(item, "id"), "goal",
                                                      json_object_get(item, "spec"), "error", err));
        }
        a->out = json_pack("{s:o}", "goals", list);
        break;
    }
    }
    if (rc == 0 && changed && (a->op == OP_GET || a->op == OP_LIST)) {
        char *text = json_dumps(all, JSON_COMPACT | JSON_SORT_KEYS);
        rc = tx->st->ops->setting_set(tx->st, "goals", text);
        free(text);
    }
    if (item && a->op == OP_CREATE)
        json_decref(item);
    json_decref(all);
    if (rc) {
        json_decref(a->out);
        a->out = NULL;
    }
    return rc;
}

static int run(struct desk *d, struct goal_job *a, json_t **out)
{
    int rc = desk_exec(d, goal_fn, a);
    *out = rc ? NULL : a->out;
    if (rc)
        json_decref(a->out);
    return rc;
}

static json_t *body_object(const char *json, char *err, size_t errlen)
{
    json_t *j = json_loads(json, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(j)) {
        json_decref(j);
        fail(err, errlen, "expected a JSON object");
        return NULL;
    }
    return j;
}

/* Hourly on the writer: judges every goal so that one slipping off track
 * raises its alert even when nobody reads the goals. */
#define GOALS_EVERY_NS (3600LL * 1000000000LL)

void desk_goals_tick(struct desk *d)
{
    int64_t now = clock_mono_ns();
    /* Only where alerts are on (the server), not in one-shot commands. */
    if (!d->alerts || (d->goals_checked_ns && now - d->goals_checked_ns < GOALS_EVERY_NS))
        return;
    d->goals_checked_ns = now;
    struct store *st = d->writer;
    char err[200];
    struct goal_job a = {OP_LIST, NULL, 0, NULL, NULL, err, sizeof err};
    struct desk_tx tx = {st, d};
    if (st->ops->begin(st))
        return;
    size_t mark = desk_ledger_mark(d);
    if (goal_fn(&tx, &a) == 0 && st->ops->commit(st) == 0) {
        desk_ledger_commit(d);
    } else {
        log_error("goals: the hourly check failed: %s", store_errmsg(st));
        st->ops->rollback(st);
        desk_ledger_rollback(d, mark);
    }
    json_decref(a.out);
}

int desk_goal_create(struct desk *d, const struct desk_actor *who, const char *json,
                     json_t **out, char *err, size_t errlen)
{
    json_t *b = body_object(json, err, errlen);
    if (!b)
        return PL_EINVAL;
    struct goal_job a = {OP_CREATE, who, 0, b, NULL, err, errlen};
    int rc = run(d, &a, out);
    json_decref(b);
    return rc;
}

int desk_goal_update(struct desk *d, const struct desk_actor *who, int64_t id, const char *json,
                     json_t **out, char *err, size_t errlen)
{
    json_t *b = body_object(json, err, errlen);
    if (!b)
        return PL_EINVAL;
    struct goal_job a = {OP_UPDATE, who, id, b, NULL, err, errlen};
    int rc = run(d, &a, out);
    json_decref(b);
    return rc;
}

int desk_goal_get(struct desk *d, const struct desk_actor *who, int64_t id, json_t **out)
{
    char err[200];
    struct goal_job a = {OP_GET, who, id, NULL, NULL, err, sizeof err};
    return run(d, &a, out);
}

int desk_goal_list(struct desk *d, const struct desk_actor *who, json_t **out)
{
    char err[200];
    struct goal_job a = {OP_LIST, who, 0, NULL, NULL, err, sizeof err};
    return run(d, &a, out);
}

int desk_goal_delete(struct desk *d, const struct desk_actor *who, int64_t id)
{
    char err[200];
    json_t *out;
    struct goal_job a = {OP_DELETE, who, id, NULL, NULL, err, sizeof err};
    return run(d, &a, &out);
}
