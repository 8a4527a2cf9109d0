/* settings.c — small JSON settings written by use cases (teams, ROI
 * inputs, goals): the value and its event in one transaction. */
#include "desk/desk_internal.h"
#include "desk/report.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct put_args {
    const struct desk_actor *who;
    const char *key, *json, *type;
};

static int put_fn(struct desk_tx *tx, void *arg)
{
    struct put_args *a = arg;
    int rc = tx->st->ops->setting_set(tx->st, a->key, a->json);
    if (rc == 0)
        rc = desk_event(tx, a->who, a->type, 0, 0, 0, NULL, a->json, clock_now_ms());
    return rc;
}

int desk_setting_put(struct desk *d, const struct desk_actor *who, const char *key,
                     const char *json, const char *event_type)
{
    struct put_args a = {who, key, json, event_type};
    return desk_exec(d, put_fn, &a);
}

int desk_setting_get(struct desk *d, const char *key, const char *dflt, char **json)
{
    struct store *st = desk_reader(d);
    if (!st)
        return PL_EDB;
    int rc = st->ops->setting_get(st, key, json);
    if (rc == PL_ENOTFOUND) {
        *json = xstrdup(dflt);
        return 0;
    }
    return rc;
}

/* ---- teams ------------------------------------------------------------------ */

int desk_teams_get(struct desk *d, char **json)
{
    return desk_setting_get(d, "teams", "{\"teams\":[]}", json);
}

static int bad(char *err, size_t len, const char *msg)
{
    snprintf(err, len, "%s", msg);
    return PL_EINVAL;
}

int desk_teams_set(struct desk *d, const struct desk_actor *who, const char *json, char *err,
                   size_t errlen)
{
    json_t *j = json_loads(json, JSON_REJECT_DUPLICATES, NULL);
    json_t *teams = json_object_get(j, "teams");
    int rc = 0;
    size_t i, k;
    json_t *t, *a;
    if (!json_is_object(j) || !json_is_array(teams) || json_object_size(j) != 1)
        rc = bad(err, errlen, "expected {\"teams\":[{\"name\":...,\"agents\":[ids]}]}");
    json_array_foreach(teams, i, t) {
        const char *name = json_string_value(json_object_get(t, "name"));
        json_t *agents = json_object_get(t, "agents");
        if (rc == 0 && (!name || !*name || strlen(name) > 79 || !json_is_array(agents) ||
                        json_array_size(agents) > 500))
            rc = bad(err, errlen, "each team needs a name (1-79 bytes) and up to 500 agent ids");
        for (size_t m = 0; rc == 0 && m < i; m++)
            if (!strcmp(name, json_string_value(json_object_get(json_array_get(teams, m), "name"))))
                rc = bad(err, errlen, "team names must be unique");
        json_array_foreach(agents, k, a) {
            if (rc == 0 && (!json_is_integer(a) || json_integer_value(a) <= 0))
                rc = bad(err, errlen, "agent ids are positive integers");
        }
    }
    char *text = rc ? NULL : json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(j);
    if (rc == 0)
        rc = desk_setting_put(d, who, "teams", text, "settings.teams");
    free(text);
    return rc;
}
