/* feedback.c — CSAT surveys: offered when a ticket is resolved, through a
 * single-use link sent as an outbound message on the ticket (so it goes
 * out by the channel the customer used: live over a chat's stream, by
 * mail on an e-mail ticket); answered once, the comment analysed like any
 * message; the answer is a "survey.answered" event, which the live
 * metrics count as CSAT and NPS. */
#include "desk/desk_internal.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/utf8.h"
#include "base/xalloc.h"
#include "text/text.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define COMMENT_MAX 4000

void desk_set_public_url(struct desk *d, const char *url)
{
    free(d->public_url);
    d->public_url = xstrdup(url);
    size_t n = strlen(d->public_url);
    while (n > 0 && d->public_url[n - 1] == '/')
        d->public_url[--n] = '\0';
}

/* The language of the customer's latest analysed message: "ru" or "en". */
static const char *ticket_language(struct store *st, int64_t ticket_id)
{
    struct message *m = NULL;
    size_t n = 0;
    const char *lang = "en";
    if (st->ops->message_list(st, ticket_id, &m, &n) != 0)
        return lang;
    for (size_t i = n; i-- > 0;) {
        if (m[i].kind != MESSAGE_INBOUND || !m[i].analysis)
            continue;
        json_t *j = json_loads(m[i].analysis, 0, NULL);
        const char *l = json_string_value(json_object_get(j, "language"));
        bool ru = l && !strcmp(l, "ru");
        json_decref(j);
        if (l) {
            lang = ru ? "ru" : "en";
            break;
        }
    }
    store_free_messages(m, n);
    return lang;
}

/* The outbound message carrying the link, written by the system. */
static int send_link(struct desk_tx *tx, struct ticket *t, const char *body, int64_t at,
                     int64_t *message_id)
{
    struct store *st = tx->st;
    struct desk_actor sys = DESK_SYSTEM;
    struct message m = {0};
    m.ticket_id = t->id;
    m.kind = MESSAGE_REPLY;
    m.channel = t->channel;
    m.body = (char *)body;
    m.created_at = at;
    int rc = st->ops->message_insert(st, &m);
    if (rc)
        return rc;
    *message_id = m.id;
    char *after = desk_json_text(json_pack("{s:I,s:s,s:b}", "message_id", (json_int_t)m.id,
                                           "body", body, "survey", 1));
    rc = desk_event(tx, &sys, "message.reply", t->id, t->customer_id, m.id, NULL, after, at);
    free(after);
    if (rc)
        return rc;
    t->message_count++;
    t->updated_at = at;
    return st->ops->ticket_update(st, t);
}

int desk_survey_offer_tx(struct desk_tx *tx, int64_t ticket_id, int64_t at)
{
    struct store *st = tx->st;
    struct ticket t = {0};
    int rc = st->ops->ticket_get(st, ticket_id, &t);
    if (rc)
        return rc;
    unsigned char raw[16];
    char token[33], hash[65];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(token, sizeof token, raw, sizeof raw);
    desk_secret_hash(token, hash);
    struct survey s = {.token_hash = hash, .ticket_id = t.id, .customer_id = t.customer_id,
                       .created_at = at};
    if ((rc = st->ops->survey_insert(st, &s))) {
        s.token_hash = NULL;
        goto out;
    }
    s.token_hash = NULL; /* borrowed */
    const char *base = tx->d->public_url ? tx->d->public_url : "http://localhost:8080";
    bool ru = !strcmp(ticket_language(st, t.id), "ru");
    char *body = xasprintf(ru ? "Оцените, пожалуйста, нашу помощь — это займёт несколько "
                                "секунд: %s/survey.html?t=%s"
                              : "How did we do? Please rate the help you got — it takes a "
                                "few seconds: %s/survey.html?t=%s",
                           base, token);
    int64_t message_id = 0;
    rc = send_link(tx, &t, body, at, &message_id);
    free(body);
    if (rc == 0) {
        struct desk_actor sys = DESK_SYSTEM;
        char *after = desk_json_text(json_pack("{s:I,s:I}", "survey_id", (json_int_t)s.id,
                                               "message_id", (json_int_t)message_id));
        rc = desk_event(tx, &sys, "survey.sent", t.id, t.customer_id, message_id, NULL, after, at);
        free(after);
    }
out:
    sodium_memzero(token, sizeof token);
    survey_clear(&s);
    ticket_clear(&t);
    return rc;
}

/* ---- the customer's side ------------------------------------------------------ */

static int find(struct store *st, const char *token, struct survey *out)
{
    if (!token || strlen(token) != 32 || strspn(token, "0123456789abcdef") != 32)
        return PL_ENOTFOUND;
    char hash[65];
    desk_secret_hash(token, hash);
    return st->ops->survey_find(st, hash, out);
}

int desk_survey_get(struct desk *d, const char *token, struct survey *out, char **subject,
                    char **language)
{
    struct store *st = desk_reader(d);
    if (!st)
        return PL_EUNAVAIL;
    int rc = find(st, token, out);
    if (rc)
        return rc;
    struct ticket t = {0};
    if ((rc = st->ops->ticket_get(st, out->ticket_id, &t)) == 0) {
        *subject = t.subject ? xstrdup(t.subject) : NULL;
        *language = xstrdup(ticket_language(st, t.id));
    } else {
        survey_clear(out);
    }
    ticket_clear(&t);
    return rc;
}

struct answer_args {
    const char *token;
    int score, nps;
    const char *comment;
    const char *analysis_json;
    const struct text_analysis *an;
};

static int answer_fn(struct desk_tx *tx, void *arg)
{
    struct answer_args *a = arg;
    struct store *st = tx->st;
    struct survey s = {0};
    int rc = find(st, a->token, &s);
    if (rc)
        return rc;
    if (s.answered_at) {
        survey_clear(&s);
        return PL_ESTATE;
    }
    int64_t now = clock_now_ms();
    s.answered_at = now;
    s.score = a->score;
    s.nps = a->nps;
    s.comment = a->comment ? xstrdup(a->comment) : NULL;
    s.analysis = a->analysis_json ? xstrdup(a->analysis_json) : NULL;
    if ((rc = st->ops->survey_answer(st, &s)) == 0) {
        json_t *after = json_pack("{s:I,s:i}", "survey_id", (json_int_t)s.id, "score", s.score);
        if (s.nps >= 0)
            json_object_set_new(after, "nps", json_integer(s.nps));
        if (a->comment)
            json_object_set_new(after, "comment", json_string(a->comment));
        if (a->an) {
            /* Not "sentiment"/"emotion" at the top: the metrics count those
             * as an inbound message's mood, and this is not a message. */
            enum text_emotion best = TEXT_EMOTION_NEUTRAL;
            for (int e = 0; e < TEXT_EMOTION__COUNT; e++)
                if (a->an->emotions[e] > a->an->emotions[best])
                    best = (enum text_emotion)e;
            json_object_set_new(after, "comment_analysis",
                                json_pack("{s:f,s:s,s:s}", "sentiment", (double)a->an->sentiment,
                                          "emotion", text_emotion_name(best), "language",
                                          a->an->language));
        }
        struct desk_actor cust = {ACTOR_CUSTOMER, s.customer_id, ROLE_INTEGRATION};
        char *text = desk_json_text(after);
        rc = desk_event(tx, &cust, "survey.answered", s.ticket_id, s.customer_id, 0, NULL, text,
                        now);
        free(text);
    }
    survey_clear(&s);
    return rc;
}

int desk_survey_answer(struct desk *d, const char *token, int score, int nps,
                       const char *comment)
{
    if (score < 1 || score > 5 || nps < -1 || nps > 10)
        return PL_EINVAL;
    if (comment && !*comment)
        comment = NULL;
    if (comment && strlen(comment) > COMMENT_MAX)
        return PL_ETOOBIG;
    if (comment && !utf8_valid(comment, strlen(comment)))
        return PL_EUTF8;
    struct answer_args a = {token, score, nps, comment, NULL, NULL};
    /* The comment is analysed here, in the caller's thread, like a message. */
    struct text_analysis an;
    struct buf json = BUF_INIT;
    if (comment && d->text && text_analyze(d->text, comment, strlen(comment), &an) == 0) {
        text_analysis_json(&an, &json);
        a.analysis_json = json.ptr;
        a.an = &an;
    }
    int rc = desk_exec(d, answer_fn, &a);
    buf_release(&json);
    return rc;
}

/* ---- repeat contacts (first-contact resolution) ------------------------------- */

#define REPEAT_HOURS_DEFAULT 168
#define REPEAT_HOURS_MAX (24 * 365)

void desk_feedback_load(struct desk *d)
{
    char *json = NULL;
    d->repeat_window_ms = REPEAT_HOURS_DEFAULT * 3600000LL;
    if (d->writer->ops->setting_get(d->writer, "feedback", &json) != 0)
        return;
    json_t *j = json_loads(json, 0, NULL);
    json_t *h = json_object_get(j, "repeat_window_hours");
    if (json_is_integer(h) && json_integer_value(h) >= 0 &&
        json_integer_value(h) <= REPEAT_HOURS_MAX)
        d->repeat_window_ms = json_integer_value(h) * 3600000LL;
    json_decref(j);
    free(json);
}

int desk_feedback_config(struct desk *d, int *repeat_window_hours)
{
    *repeat_window_hours = (int)(d->repeat_window_ms / 3600000LL);
    return 0;
}

struct window_args {
    const struct desk_actor *who;
    int hours;
};

static int set_window_fn(struct desk_tx *tx, void *arg)
{
    struct window_args *a = arg;
    char *json = desk_json_text(json_pack("{s:i}", "repeat_window_hours", a->hours));
    int rc = tx->st->ops->setting_set(tx->st, "feedback", json);
    if (rc == 0)
        rc = desk_event(tx, a->who, "settings.feedback", 0, 0, 0, NULL, json, clock_now_ms());
    free(json);
    if (rc)
        return rc;
    /* Writer-thread state, like the triage configuration; the live
     * metrics use the same window. */
    tx->d->repeat_window_ms = a->hours * 3600000LL;
    if (tx->d->metrics) {
        if (tx->d->repeat_window_ms != tx->d->metrics_cfg.repeat_window_ms)
            desk_metrics_snap_mixed(tx->d);   /* a replay would use one window for all */
        pthread_rwlock_wrlock(&tx->d->metrics_lock);
        insight_metrics_set_repeat_window(tx->d->metrics, tx->d->repeat_window_ms);
        pthread_rwlock_unlock(&tx->d->metrics_lock);
    }
    return 0;
}

int desk_set_feedback_config(struct desk *d, const struct desk_actor *who,
                             int repeat_window_hours)
{
    if (!(who->kind == ACTOR_SYSTEM || (who->kind == ACTOR_USER && who->role == ROLE_ADMIN)))
        return PL_EFORBIDDEN;
    if (repeat_window_hours < 0 || repeat_window_hours > REPEAT_HOURS_MAX)
        return PL_EINVAL;
    struct window_args a = {who, repeat_window_hours};
    return desk_exec(d, set_window_fn, &a);
}

int desk_repeat_link_tx(struct desk_tx *tx, const struct ticket *t, int64_t at)
{
    struct store *st = tx->st;
    struct ticket_filter f;
    ticket_filter_init(&f);
    f.customer_id = t->customer_id;
    f.status_mask = 1u << STATUS_RESOLVED | 1u << STATUS_CLOSED;
    f.sort = TSORT_UPDATED;
    f.limit = 20;
    struct ticket *v = NULL;
    size_t n = 0;
    int rc = st->ops->ticket_list(st, &f, &v, &n);
    if (rc)
        return rc;
    /* The customer's ticket resolved most recently, within the window. */
    int64_t best = 0, best_at = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t done = v[i].resolved_at ? v[i].resolved_at : v[i].closed_at;
        if (v[i].id != t->id && done && done <= at && at - done <= tx->d->repeat_window_ms &&
            done > best_at) {
            best = v[i].id;
            best_at = done;
        }
    }
    store_free_tickets(v, n);
    if (!best)
        return 0;
    struct desk_actor sys = DESK_SYSTEM;
    char *after = desk_json_text(json_pack("{s:I,s:I}", "repeat_of", (json_int_t)best,
                                           "window_hours",
                                           (json_int_t)(tx->d->repeat_window_ms / 3600000LL)));
    rc = desk_event(tx, &sys, "ticket.repeat", t->id, t->customer_id, 0, NULL, after, at);
    free(after);
    return rc;
}
