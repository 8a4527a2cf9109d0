/* route.c — choosing an agent: availability, role, language, wellbeing,
 * skill and pause filters (each relaxed with a reason when it would leave
 * nobody), then lowest load and round robin among equals. */
#include "triage/triage.h"
#include "triage/triage_internal.h"

#include "base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define WHY(...) triage__why(why, "route", __VA_ARGS__)

/* True if the comma-separated list contains tok (case-insensitive,
 * surrounding spaces ignored). */
static bool has_token(const char *list, const char *tok)
{
    const size_t tl = strlen(tok);
    const char *p = list;
    while (p && *p) {
        while (*p == ' ' || *p == ',')
            p++;
        const char *e = p;
        while (*e && *e != ',')
            e++;
        const char *q = e;
        while (q > p && q[-1] == ' ')
            q--;
        if ((size_t)(q - p) == tl && tl > 0 && strncasecmp(p, tok, tl) == 0)
            return true;
        p = e;
    }
    return false;
}

typedef bool (*keep_fn)(const struct triage_agent *a, const void *arg);

/* Keeps the candidates for which keep() is true, unless that would keep
 * none. Returns how many were kept (0 = nothing changed). */
static size_t narrow(const struct triage_agent *ag, size_t *idx, size_t *m, keep_fn keep,
                     const void *arg)
{
    size_t k = 0;
    for (size_t i = 0; i < *m; i++)
        if (keep(&ag[idx[i]], arg))
            k++;
    if (k == 0)
        return 0;
    size_t j = 0;
    for (size_t i = 0; i < *m; i++)
        if (keep(&ag[idx[i]], arg))
            idx[j++] = idx[i];
    *m = j;
    return k;
}

static bool is_role(const struct triage_agent *a, const void *arg)
{
    return a->role == *(const enum role *)arg;
}

static bool speaks(const struct triage_agent *a, const void *arg)
{
    return has_token(a->languages, arg);
}

static bool skilled(const struct triage_agent *a, const void *arg)
{
    return has_token(a->skills, arg);
}

static bool under_limit(const struct triage_agent *a, const void *arg)
{
    return a->consecutive_hostile < *(const int *)arg;
}

struct pause_arg {
    int64_t now, pause_ms;
};

static bool rested(const struct triage_agent *a, const void *arg)
{
    const struct pause_arg *p = arg;
    return a->last_intense_at == 0 || p->now - a->last_intense_at >= p->pause_ms;
}

/* Ordering of the remaining candidates: lower load first; then, for a
 * hostile conversation, the less exposed agent, and for a calm one the
 * more exposed (it breaks their run); then least recently assigned (round
 * robin); then the smaller id so the result never depends on input order. */
static bool better(const struct triage_agent *a, const struct triage_agent *b, bool hostile)
{
    if (a->open_load != b->open_load)
        return a->open_load < b->open_load;
    if (a->consecutive_hostile != b->consecutive_hostile)
        return hostile ? a->consecutive_hostile < b->consecutive_hostile
                       : a->consecutive_hostile > b->consecutive_hostile;
    if (a->last_assigned_at != b->last_assigned_at)
        return a->last_assigned_at < b->last_assigned_at;
    return a->id < b->id;
}

void triage_route(const struct triage_config *c, const struct triage_agent *ag, size_t n,
                  const struct triage_route_request *rq, struct triage_route *out,
                  struct triage_reasons *why)
{
    memset(out, 0, sizeof *out);
    size_t *idx = xmalloc((n ? n : 1) * sizeof *idx);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const struct triage_agent *a = &ag[i];
        if (!a->available || a->role == ROLE_INTEGRATION || a->role >= ROLE__COUNT)
            continue;
        if (a->capacity > 0 && a->open_load >= a->capacity)
            continue;
        idx[m++] = i;
    }
    if (m == 0) {
        WHY("no_agent_available", "No agent is available with free capacity",
            "Нет доступных агентов со свободной ёмкостью");
        goto out;
    }

    /* Role before language, except that a customer must be understood: if
     * no person of the wanted role speaks the language but someone else
     * does, the role gives way. */
    const char *lang = rq->language && *rq->language ? rq->language : NULL;
    const enum role want = rq->escalated ? ROLE_SUPERVISOR : ROLE_AGENT;
    bool role_speaks = false, other_speaks = false, any_role = false;
    for (size_t i = 0; lang && i < m; i++) {
        const struct triage_agent *a = &ag[idx[i]];
        any_role = any_role || a->role == want;
        if (has_token(a->languages, lang)) {
            if (a->role == want)
                role_speaks = true;
            else
                other_speaks = true;
        }
    }
    if (lang && any_role && !role_speaks && other_speaks) {
        if (rq->escalated)
            WHY("no_supervisor_speaks", "Escalated, but no available supervisor speaks %s: "
                "routed to someone who does", "Эскалация, но ни один доступный руководитель не "
                "говорит на языке %s: назначен тот, кто говорит", lang);
        else
            WHY("no_agent_speaks", "No available agent speaks %s: a supervisor who does takes it",
                "Ни один доступный агент не говорит на языке %s: обращение берёт руководитель",
                lang);
    } else if (narrow(ag, idx, &m, is_role, &want) == 0) {
        if (rq->escalated)
            WHY("no_supervisor_available", "Escalated, but no supervisor is available: routed to "
                "an agent", "Эскалация, но нет доступного руководителя: назначен агент");
        else
            WHY("no_agent_role_available", "No agent available: a supervisor takes it",
                "Нет свободных агентов: обращение берёт руководитель");
    } else if (rq->escalated) {
        WHY("to_supervisor", "Escalated: routed to a supervisor",
            "Эскалация: направлено руководителю");
    }

    bool lang_ok = false;
    if (lang) {
        lang_ok = narrow(ag, idx, &m, speaks, lang) > 0;
        if (!lang_ok)
            WHY("no_language_match", "Nobody available speaks %s", "Никто из доступных не говорит "
                "на языке %s", lang);
    }

    if (rq->hostile) {
        const size_t before = m;
        const int max = c->max_hostile_in_a_row;
        if (narrow(ag, idx, &m, under_limit, &max) == 0) {
            /* Nobody else can take it: the least exposed agent does. */
            int low = ag[idx[0]].consecutive_hostile;
            for (size_t i = 1; i < m; i++)
                if (ag[idx[i]].consecutive_hostile < low)
                    low = ag[idx[i]].consecutive_hostile;
            size_t j = 0;
            for (size_t i = 0; i < m; i++)
                if (ag[idx[i]].consecutive_hostile == low)
                    idx[j++] = idx[i];
            m = j;
            out->limit_exceeded = true;
            WHY("wellbeing_limit_unavoidable",
                "Every suitable agent already had %d hostile conversations in a row; the least "
                "exposed takes it", "У всех подходящих агентов уже было %d враждебных разговоров "
                "подряд; назначен наименее нагруженный", max);
        } else if (m < before) {
            WHY("wellbeing_skip", "Skipped %zu agent(s) who already had %d hostile conversations "
                "in a row", "Пропущено агентов: %zu (уже было %d враждебных разговоров подряд)",
                before - m, max);
        }
    }

    const char *cat = rq->category && *rq->category ? rq->category : NULL;
    bool skill_ok = false;
    if (cat) {
        skill_ok = narrow(ag, idx, &m, skilled, cat) > 0;
        if (!skill_ok)
            WHY("no_skill_match", "Nobody suitable has the skill %s: routed by load",
                "Ни у кого из подходящих нет навыка %s: назначение по загрузке", cat);
    }

    if (c->pause_after_intense_min > 0) {
        const struct pause_arg pa = {rq->now, (int64_t)c->pause_after_intense_min * 60000};
        const size_t before = m;
        if (narrow(ag, idx, &m, rested, &pa) > 0 && m < before)
            WHY("pause_respected", "Left %zu agent(s) their pause after an intense conversation",
                "Агентам на паузе после напряжённого разговора не назначено: %zu", before - m);
    }

    size_t best = idx[0];
    for (size_t i = 1; i < m; i++)
        if (better(&ag[idx[i]], &ag[best], rq->hostile))
            best = idx[i];
    const struct triage_agent *a = &ag[best];
    out->agent_id = a->id;
    char en[160], ru[320];
    snprintf(en, sizeof en, "Agent #%lld: load %d%s%s; %s", (long long)a->id, a->open_load,
             lang_ok ? ", speaks the language" : "", skill_ok ? ", has the skill" : "",
             m == 1 ? "the only suitable agent" : "lowest load, then least recently assigned");
    snprintf(ru, sizeof ru, "Агент #%lld: загрузка %d%s%s; %s", (long long)a->id, a->open_load,
             lang_ok ? ", владеет языком" : "", skill_ok ? ", есть навык" : "",
             m == 1 ? "единственный подходящий"
                    : "меньше всех загружен, затем дольше всех без назначения");
    triage__reason(why, "route", "assigned", en, ru);
    if (rq->intense && c->pause_after_intense_min > 0) {
        out->offer_pause = true;
        out->pause_min = c->pause_after_intense_min;
        WHY("offer_pause", "Offer the agent a %d-minute pause after this intense conversation",
            "Предложить агенту паузу %d мин после этого напряжённого разговора",
            c->pause_after_intense_min);
    }
out:
    free(idx);
}

void triage_agent_record(struct triage_agent *a, bool hostile, bool intense, int64_t now)
{
    a->consecutive_hostile = hostile ? a->consecutive_hostile + 1 : 0;
    if (intense)
        a->last_intense_at = now;
    a->last_assigned_at = now;
}
