/* goals.h — SMART goals (issue 6 point 7) as use cases: a goal names a
 * metric of the catalogue (optionally for one group value: an agent, a
 * team, a category, a channel or a priority), a baseline computed from
 * history over a window (or entered), an absolute or relative target and a
 * deadline. Each read evaluates it on the metric's daily series: progress,
 * projection to the deadline, on_track; the writer also judges every goal
 * hourly (desk_goals_tick). The first evaluation that finds a
 * goal off track raises an alert of kind "goal" (again only after it was
 * back on track). Stored as the setting "goals". docs/insight.md §6. */
#ifndef PARLEY_DESK_GOALS_H
#define PARLEY_DESK_GOALS_H

#include <jansson.h>

#include "desk/desk.h"

/* Each returns 0 and a new JSON object in *out, or PL_EINVAL with err (bad
 * goal, unknown metric or group key, no data in the baseline window),
 * PL_ENOTFOUND for an unknown id. create and update take the goal as JSON
 * text (insight_goal_parse's form plus "group" and "key"); update merges
 * the given fields into the stored goal. */
int desk_goal_create(struct desk *d, const struct desk_actor *who, const char *json,
                     json_t **out, char *err, size_t errlen);
int desk_goal_update(struct desk *d, const struct desk_actor *who, int64_t id, const char *json,
                     json_t **out, char *err, size_t errlen);
int desk_goal_get(struct desk *d, const struct desk_actor *who, int64_t id, json_t **out);
/* {"goals":[…]}, each evaluated now. */
int desk_goal_list(struct desk *d, const struct desk_actor *who, json_t **out);
int desk_goal_delete(struct desk *d, const struct desk_actor *who, int64_t id);

#endif
