/* decide.c — the whole triage of one inbound message and its explainable
 * JSON: priority → category → escalation → SLA → route. */
#include "triage/triage.h"
#include "triage/triage_internal.h"

#include "base/clock.h"
#include "base/xalloc.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void triage_decide(const struct triage_config *c, const struct triage_signal *s,
                   const struct triage_context *x, const struct triage_agent *agents,
                   size_t n, struct triage_decision *d)
{
    memset(d, 0, sizeof *d);
    struct triage_reasons *why = &d->reasons;
    triage_priority(c, s, x, &d->prio, why);
    triage_category(c, s, d->category, sizeof d->category, why);
    d->escalate = triage_escalate(c, s, x, why);

    const int64_t created = x->created_at ? x->created_at : x->now;
    triage_sla(c, d->prio.priority, created, x->now, &d->sla);
    static const char *const ru_prio[PRIORITY__COUNT] = {"низкий", "обычный", "высокий",
                                                         "срочный"};
    const struct triage_target *t = &c->target[d->prio.priority];
    char en[160], ru[320];
    snprintf(en, sizeof en, "Service standard for %s priority: first response %d min, next %d "
             "min, resolution %d min (business time)", priority_name(d->prio.priority),
             t->first_min, t->next_min, t->resolve_min);
    snprintf(ru, sizeof ru, "Стандарт для приоритета «%s»: первый ответ %d мин, следующий %d "
             "мин, решение %d мин (рабочее время)", ru_prio[d->prio.priority], t->first_min,
             t->next_min, t->resolve_min);
    triage__reason(why, "sla", "sla_targets", en, ru);
    if (c->hours_enabled && !triage_business_open(c, x->now))
        triage__why(why, "sla", "outside_hours", "Received outside business hours: the clock "
                    "starts at the next opening", "Получено вне рабочего времени: отсчёт "
                    "начнётся с открытия");

    if (n == 0)
        return;
    /* An assignee keeps the conversation unless it escalates to someone
     * who is not already a supervisor. */
    if (x->assignee_id) {
        for (size_t i = 0; i < n; i++)
            if (agents[i].id == x->assignee_id &&
                (!d->escalate || agents[i].role == ROLE_SUPERVISOR)) {
                d->route.agent_id = x->assignee_id;
                triage__why(why, "route", "keep_assignee", "Stays with the assigned agent #%lld",
                            "Остаётся у назначенного агента #%lld", (long long)x->assignee_id);
                return;
            }
    }
    const struct triage_route_request rq = {
        .language = s->language,
        .category = d->category,
        .hostile = d->prio.hostile,
        .intense = d->prio.intense,
        .escalated = d->escalate,
        .now = x->now,
    };
    triage_route(c, agents, n, &rq, &d->route, why);
}

void triage_decision_release(struct triage_decision *d)
{
    triage_reasons_release(&d->reasons);
}

static json_t *iso(int64_t ms)
{
    if (ms == 0)
        return json_null();
    char s[CLOCK_ISO_LEN];
    clock_format(ms, s);
    return json_string(s);
}

static json_t *reasons_of(const struct triage_reasons *r, const char *stage)
{
    json_t *a = json_array();
    for (size_t i = 0; i < r->n; i++) {
        const struct triage_reason *x = &r->v[i];
        if (stage && strcmp(x->stage, stage) != 0)
            continue;
        json_t *o = json_pack("{s:s,s:s,s:s}", "code", x->code, "en", x->en, "ru", x->ru);
        if (!stage)
            json_object_set_new(o, "stage", json_string(x->stage));
        json_array_append_new(a, o);
    }
    return a;
}

char *triage_decision_json(const struct triage_decision *d)
{
    const struct triage_reasons *r = &d->reasons;
    json_t *root = json_object();
    json_object_set_new(root, "priority", json_string(priority_name(d->prio.priority)));
    json_object_set_new(root, "score", json_integer(d->prio.score));
    json_object_set_new(root, "hostility", json_real(d->prio.hostility));
    json_object_set_new(root, "hostile", json_boolean(d->prio.hostile));
    json_object_set_new(root, "intense", json_boolean(d->prio.intense));
    json_object_set_new(root, "rising", json_boolean(d->prio.rising));
    json_object_set_new(root, "category", d->category[0] ? json_string(d->category) : json_null());
    json_object_set_new(root, "sla", json_pack("{s:o,s:o,s:o}",
        "first_response_due", iso(d->sla.first_due), "next_response_due", iso(d->sla.next_due),
        "resolution_due", iso(d->sla.resolve_due)));
    json_t *route = json_pack("{s:o,s:b,s:i,s:b,s:o}",
        "agent_id", d->route.agent_id ? json_integer(d->route.agent_id) : json_null(),
        "offer_pause", d->route.offer_pause, "pause_minutes", d->route.pause_min,
        "wellbeing_limit_exceeded", d->route.limit_exceeded, "reasons", reasons_of(r, "route"));
    json_object_set_new(root, "route", route);
    json_object_set_new(root, "escalate", json_pack("{s:b,s:o}", "escalate", d->escalate,
                                                    "reasons", reasons_of(r, "escalate")));
    json_object_set_new(root, "reasons", reasons_of(r, NULL));
    char *s = json_dumps(root, JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(4));
    json_decref(root);
    char *out = s ? xstrdup(s) : NULL;
    free(s);
    return out;
}
