/* assess.c — the triage step of ingest: an analysed inbound message, in
 * the context of its conversation, its customer and the team, becomes a
 * priority, a category, SLA due times, a route and possibly an escalation,
 * each with its reasons, written to the ticket and to the event record.
 *
 * Runs inside the ingest transaction on the writer (it reads the ticket's
 * history and the agents' state and must see them consistent with the
 * write). The text analysis itself ran before, in the caller's thread. */
#include "desk/desk_internal.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "text/text.h"
#include "triage/triage.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PREV_MAX 16
#define AGENTS_MAX 256
#define REPEAT_WINDOW_MS (7LL * 86400000)

/* ---- configuration ------------------------------------------------------- */

int desk_triage_config(struct desk *d, struct triage_config *out)
{
    struct store *st = desk_reader(d);
    triage_config_default(out);
    if (!st)
        return PL_EUNAVAIL;
    char *json = NULL;
    int rc = st->ops->setting_get(st, "triage", &json);
    if (rc == PL_ENOTFOUND)
        return 0;
    if (rc)
        return rc;
    char err[200];
    rc = triage_config_from_json(json, out, err, sizeof err);
    if (rc)
        log_warn("triage: stored configuration ignored: %s", err);
    free(json);
    return 0;
}

struct cfg_args {
    const struct desk_actor *who;
    const char *json;
    const struct triage_config *cfg;
};

static int set_cfg_fn(struct desk_tx *tx, void *arg)
{
    struct cfg_args *a = arg;
    int rc = tx->st->ops->setting_set(tx->st, "triage", a->json);
    if (rc == 0)
        rc = desk_event(tx, a->who, "settings.triage", 0, 0, 0, NULL, a->json, clock_now_ms());
    if (rc == 0)
        tx->d->triage_cfg = *a->cfg; /* a later failure of the commit is logged; restart reloads */
    return rc;
}

int desk_set_triage_config(struct desk *d, const struct desk_actor *who,
                           const struct triage_config *c)
{
    if (!(who->kind == ACTOR_SYSTEM || (who->kind == ACTOR_USER && who->role == ROLE_ADMIN)))
        return PL_EFORBIDDEN;
    char *json = triage_config_to_json(c);
    struct cfg_args a = {who, json, c};
    int rc = desk_exec(d, set_cfg_fn, &a);
    free(json);
    return rc;
}

void desk_set_text(struct desk *d, const struct text_engine *te)
{
    d->text = te;
}

/* ---- the conversation so far ---------------------------------------------- */

/* Reads anger and sentiment back from a stored analysis JSON. */
static int prev_from_json(const char *json, struct triage_prev *p)
{
    json_t *j = json ? json_loads(json, 0, NULL) : NULL;
    if (!j)
        return -1;
    json_t *emo = json_object_get(j, "emotions");
    p->anger = (float)json_number_value(json_object_get(emo, "anger"));
    p->sentiment = (float)json_number_value(json_object_get(j, "sentiment"));
    json_decref(j);
    return 0;
}

struct history {
    struct triage_prev prev[PREV_MAX];
    size_t nprev;
    int64_t waiting_since;     /* first inbound after the last reply; 0 = none */
};

static int load_history(struct store *st, int64_t ticket_id, int64_t this_msg,
                        struct history *h)
{
    struct message *m = NULL;
    size_t n = 0;
    int rc = st->ops->message_list(st, ticket_id, &m, &n);
    if (rc)
        return rc;
    memset(h, 0, sizeof *h);
    for (size_t i = 0; i < n; i++) {
        if (m[i].id == this_msg)
            continue;
        if (m[i].kind == MESSAGE_REPLY) {
            h->waiting_since = 0;
        } else if (m[i].kind == MESSAGE_INBOUND) {
            if (!h->waiting_since)
                h->waiting_since = m[i].created_at;
            struct triage_prev p;
            if (prev_from_json(m[i].analysis, &p) == 0) {
                if (h->nprev == PREV_MAX) {
                    memmove(h->prev, h->prev + 1, (PREV_MAX - 1) * sizeof h->prev[0]);
                    h->nprev--;
                }
                h->prev[h->nprev++] = p;
            }
        }
    }
    store_free_messages(m, n);
    return 0;
}

static int repeat_contacts(struct store *st, const struct ticket *t, int64_t now)
{
    struct ticket_filter f;
    ticket_filter_init(&f);
    f.customer_id = t->customer_id;
    f.limit = 20;
    struct ticket *v = NULL;
    size_t n = 0;
    int count = 0;
    if (st->ops->ticket_list(st, &f, &v, &n) != 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (v[i].id != t->id && now - v[i].created_at <= REPEAT_WINDOW_MS)
            count++;
    store_free_tickets(v, n);
    return count;
}

/* ---- the team --------------------------------------------------------------- */

/* Wellbeing counters live in the settings table ("wellbeing:<user id>"), so
 * they roll back with the transaction that changed them. */
struct wellbeing {
    int hostile_in_a_row;
    int64_t last_intense_at, last_assigned_at;
    int64_t paused_until;      /* the agent asked for a pause: no new conversations */
};

static void load_wellbeing(struct store *st, int64_t user_id, struct wellbeing *w)
{
    char key[48], *json = NULL;
    memset(w, 0, sizeof *w);
    snprintf(key, sizeof key, "wellbeing:%lld", (long long)user_id);
    if (st->ops->setting_get(st, key, &json) != 0)
        return;
    json_t *j = json_loads(json, 0, NULL);
    free(json);
    if (!j)
        return;
    w->hostile_in_a_row = (int)json_integer_value(json_object_get(j, "hostile_in_a_row"));
    w->last_intense_at = json_integer_value(json_object_get(j, "last_intense_at"));
    w->last_assigned_at = json_integer_value(json_object_get(j, "last_assigned_at"));
    w->paused_until = json_integer_value(json_object_get(j, "paused_until"));
    json_decref(j);
}

static int save_wellbeing(struct store *st, int64_t user_id, const struct wellbeing *w)
{
    char key[48];
    snprintf(key, sizeof key, "wellbeing:%lld", (long long)user_id);
    char *json = desk_json_text(json_pack("{s:i,s:I,s:I,s:I}", "hostile_in_a_row",
                                          w->hostile_in_a_row, "last_intense_at",
                                          (json_int_t)w->last_intense_at, "last_assigned_at",
                                          (json_int_t)w->last_assigned_at, "paused_until",
                                          (json_int_t)w->paused_until));
    int rc = st->ops->setting_set(st, key, json);
    free(json);
    return rc;
}

struct pause_args {
    const struct desk_actor *who;
    int minutes;
};

static int pause_fn(struct desk_tx *tx, void *arg)
{
    struct pause_args *a = arg;
    int64_t now = clock_now_ms();
    struct wellbeing w;
    load_wellbeing(tx->st, a->who->id, &w);
    w.paused_until = now + (int64_t)a->minutes * 60000;
    int rc = save_wellbeing(tx->st, a->who->id, &w);
    if (rc)
        return rc;
    char *after = desk_json_text(json_pack("{s:i,s:I}", "minutes", a->minutes, "until",
                                           (json_int_t)w.paused_until));
    rc = desk_event(tx, a->who, "agent.paused", 0, 0, 0, NULL, after, now);
    free(after);
    return rc;
}

int desk_agent_pause(struct desk *d, const struct desk_actor *who, int minutes)
{
    if (who->kind != ACTOR_USER)
        return PL_EFORBIDDEN;
    if (minutes < 0 || minutes > 120)
        return PL_EINVAL;
    struct pause_args a = {who, minutes};
    return desk_exec(d, pause_fn, &a);
}

struct team {
    struct user *users;
    size_t nusers;
    struct triage_agent agents[AGENTS_MAX];
    size_t n;
};

static int load_team(struct store *st, int64_t now, struct team *tm)
{
    memset(tm, 0, sizeof *tm);
    int rc = st->ops->user_list(st, &tm->users, &tm->nusers);
    if (rc)
        return rc;
    for (size_t i = 0; i < tm->nusers && tm->n < AGENTS_MAX; i++) {
        struct user *u = &tm->users[i];
        if (!u->active || (u->role != ROLE_AGENT && u->role != ROLE_SUPERVISOR))
            continue;
        struct triage_agent *a = &tm->agents[tm->n++];
        a->id = u->id;
        a->skills = u->skills;
        a->languages = u->languages;
        a->role = u->role;
        a->available = true;
        a->capacity = 0;
        struct ticket_filter f;
        ticket_filter_init(&f);
        f.assignee_id = u->id;
        f.status_mask = 1u << STATUS_NEW | 1u << STATUS_OPEN | 1u << STATUS_PENDING;
        int64_t load = 0;
        if ((rc = st->ops->ticket_count(st, &f, &load)))
            return rc;
        a->open_load = (int)load;
        struct wellbeing w;
        load_wellbeing(st, u->id, &w);
        a->consecutive_hostile = w.hostile_in_a_row;
        a->last_intense_at = w.last_intense_at;
        a->last_assigned_at = w.last_assigned_at;
        a->available = w.paused_until <= now;
    }
    return 0;
}

static void team_release(struct team *tm)
{
    store_free_users(tm->users, tm->nusers);
}

/* ---- the step ------------------------------------------------------------------ */

static enum text_emotion dominant(const struct text_analysis *a)
{
    enum text_emotion best = TEXT_EMOTION_NEUTRAL;
    for (int e = 0; e < TEXT_EMOTION__COUNT; e++)
        if (a->emotions[e] > a->emotions[best])
            best = (enum text_emotion)e;
    return best;
}

json_t *desk_analysis_summary(const struct text_analysis *a)
{
    json_t *cues = json_array();
    for (size_t i = 0; i < a->ncues; i++)
        json_array_append_new(cues, json_string(text_cue_name(a->cues[i].kind)));
    /* Rounded: the summary is for aggregates, and goes into every event. */
    return json_pack("{s:s,s:f,s:f,s:o}", "emotion", text_emotion_name(dominant(a)), "sentiment",
                     round(a->sentiment * 1000.0) / 1000.0, "anger",
                     round(a->emotions[TEXT_EMOTION_ANGER] * 1000.0) / 1000.0, "cues", cues);
}

int desk_assess_tx(struct desk_tx *tx, const struct desk_actor *who, struct ticket *t,
                   const struct customer *c, int64_t message_id, bool new_ticket,
                   const struct text_analysis *a, int64_t now, struct desk_ingest_result *out)
{
    struct store *st = tx->st;
    const struct triage_config *cfg = &tx->d->triage_cfg;
    struct history h;
    struct team tm = {0};
    struct triage_decision dec = {0};
    int rc = load_history(st, t->id, message_id, &h);
    if (rc)
        return rc;

    struct triage_signal sig = {0};
    for (int e = 0; e < TEXT_EMOTION__COUNT && e < TRIAGE_EMOTION__COUNT; e++)
        sig.emotion[e] = a->emotions[e];
    sig.sentiment = a->sentiment;
    for (size_t i = 0; i < a->ncues; i++)
        sig.cues |= 1u << a->cues[i].kind; /* same order as TRIAGE_CUE_* bits */
    sig.language = a->language;
    sig.intent = a->intent[0] ? a->intent : NULL;
    sig.intent_confidence = a->intent_confidence;

    struct triage_context x = {0};
    x.prev = h.prev;
    x.n_prev = h.nprev;
    x.waiting_ms = h.waiting_since ? now - h.waiting_since : 0;
    x.repeat_contacts = new_ticket ? repeat_contacts(st, t, now) : 0;
    x.tier = c->tier;
    x.existing = !new_ticket;
    x.current_priority = t->priority;
    x.status = t->status;
    x.created_at = t->created_at;
    x.assignee_id = t->assignee_id;
    x.sla_first_due = t->first_response_at ? 0 : t->sla_first_due;
    x.sla_next_due = t->sla_next_due;
    x.sla_resolve_due = t->sla_resolve_due;
    x.now = now;

    /* Route only what needs a (new) owner: unassigned tickets, and
     * escalations that must reach a supervisor. */
    bool need_route = t->assignee_id == 0 || !t->escalated;
    if (need_route && (rc = load_team(st, now, &tm)))
        goto out;
    triage_decide(cfg, &sig, &x, tm.agents, need_route ? tm.n : 0, &dec);
    bool reroute = t->assignee_id == 0 || (dec.escalate && !t->escalated);
    if (!reroute)
        dec.route.agent_id = t->assignee_id;

    /* Apply the decision: priority only ever rises through triage. */
    struct desk_actor sys = DESK_SYSTEM;
    (void)who;
    struct desk_ticket_patch p = {0};
    if (dec.prio.priority > t->priority) {
        p.set_priority = true;
        p.priority = dec.prio.priority;
    }
    if (!t->category && dec.category[0]) {
        p.set_category = true;
        p.category = dec.category;
    }
    if (reroute && dec.route.agent_id && dec.route.agent_id != t->assignee_id) {
        p.set_assignee = true;
        p.assignee_id = dec.route.agent_id;
    }
    if (p.set_priority || p.set_category || p.set_assignee) {
        if ((rc = desk_update_ticket_tx(tx, &sys, t->id, &p, now)))
            goto out;
        struct ticket fresh = {0};
        if ((rc = st->ops->ticket_get(st, t->id, &fresh)))
            goto out;
        ticket_clear(t);
        *t = fresh;
    }
    /* SLA: a new ticket gets all three dues; a customer writing again after
     * an answer starts a new next-response clock. */
    if (new_ticket) {
        triage_sla(cfg, t->priority, t->created_at, now, &dec.sla);
        t->sla_first_due = dec.sla.first_due;
        t->sla_next_due = dec.sla.next_due;
        t->sla_resolve_due = dec.sla.resolve_due;
    } else if (!h.waiting_since) {
        struct triage_sla s;
        triage_sla(cfg, t->priority, t->created_at, now, &s);
        t->sla_next_due = s.next_due;
    }
    char *decision = triage_decision_json(&dec);
    free(t->triage);
    t->triage = decision;
    free(t->emotion);
    t->emotion = xstrdup(text_emotion_name(dominant(a)));
    t->hostility = (int)lround(dec.prio.hostility * 1000.0);
    if ((rc = desk_event(tx, &sys, "ticket.triaged", t->id, t->customer_id, message_id, NULL,
                         decision, now)))
        goto out;
    if (dec.escalate && !t->escalated) {
        t->escalated = true;
        char *why = desk_json_text(json_pack("{s:I}", "assignee_id", (json_int_t)t->assignee_id));
        rc = desk_event(tx, &sys, "ticket.escalated", t->id, t->customer_id, message_id, NULL,
                        why, now);
        free(why);
        if (rc)
            goto out;
    }
    if ((rc = st->ops->ticket_update(st, t)))
        goto out;

    /* The chosen agent's wellbeing counters move with this conversation. */
    if (p.set_assignee) {
        for (size_t i = 0; i < tm.n; i++)
            if (tm.agents[i].id == p.assignee_id) {
                struct triage_agent *ag = &tm.agents[i];
                triage_agent_record(ag, dec.prio.hostile, dec.prio.intense, now);
                struct wellbeing w;
                load_wellbeing(st, ag->id, &w);
                w.hostile_in_a_row = ag->consecutive_hostile;
                w.last_intense_at = ag->last_intense_at;
                w.last_assigned_at = ag->last_assigned_at;
                rc = save_wellbeing(st, ag->id, &w);
                break;
            }
    }
    out->triaged = true;
    out->priority = t->priority;
    out->escalated = t->escalated;
    out->assignee_id = t->assignee_id;
    out->offer_pause = dec.route.offer_pause;
out:
    triage_decision_release(&dec);
    team_release(&tm);
    return rc;
}
