/* disputes.c — dispute panels: a question on a ticket that a supervisor
 * will not settle alone goes to a panel of reviewers; each vote is an
 * event (so a leaf of the tamper-evident log), and when `quorum` votes
 * agree the decision is taken as the event dispute.decided, whose receipt
 * proves the outcome to the customer (docs/ledger.md, "Dispute panels").
 *
 * Nobody decides alone: the one who opens the panel may not sit on it,
 * each reviewer votes once, and the decision is the system's, taken when
 * the count reaches the quorum — not any one voter's. */
#include "desk/desk_internal.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/utf8.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define QUESTION_MAX 2000
#define REASON_MAX   4000

static int check_text(const char *s, size_t max, int required)
{
    size_t n = s ? strlen(s) : 0;
    if (required && n == 0)
        return PL_EINVAL;
    if (n > max)
        return PL_ETOOBIG;
    return s && !utf8_valid(s, n) ? PL_EUTF8 : 0;
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The id of the event just written in tx (desk_event() does not return it). */
static int last_event(struct desk_tx *tx, int64_t *id)
{
    return tx->st->ops->event_last_id(tx->st, id);
}

static json_t *ids_json(const int64_t *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_integer((json_int_t)v[i]));
    return a;
}

/* ---- opening a panel ------------------------------------------------------- */

struct open_args {
    const struct desk_actor *who;
    struct dispute *dp;
};

static int open_fn(struct desk_tx *tx, void *arg)
{
    struct open_args *a = arg;
    struct store *st = tx->st;
    struct dispute *dp = a->dp;
    struct ticket t = {0};
    int rc = st->ops->ticket_get(st, dp->ticket_id, &t);
    for (size_t i = 0; rc == 0 && i < dp->nreviewers; i++) {
        struct user u = {0};
        rc = st->ops->user_get(st, dp->reviewers[i], &u);
        if (rc == 0 && (!u.active || u.role == ROLE_INTEGRATION))
            rc = PL_EINVAL;
        else if (rc == PL_ENOTFOUND)
            rc = PL_EINVAL;        /* an unknown reviewer, not an unknown ticket */
        user_clear(&u);
    }
    if (rc == 0)
        rc = st->ops->dispute_insert(st, dp);
    if (rc == 0) {
        char *after = desk_json_text(json_pack("{s:I,s:s,s:i,s:o}", "dispute_id",
                                               (json_int_t)dp->id, "question", dp->question,
                                               "quorum", dp->quorum, "reviewers",
                                               ids_json(dp->reviewers, dp->nreviewers)));
        rc = desk_event(tx, a->who, "dispute.opened", t.id, t.customer_id, 0, NULL, after,
                        dp->created_at);
        free(after);
    }
    ticket_clear(&t);
    return rc;
}

int desk_dispute_open(struct desk *d, const struct desk_actor *who, int64_t ticket_id,
                      const int64_t *reviewers, size_t n, int quorum, const char *question,
                      struct dispute *out)
{
    bool boss = who->kind == ACTOR_SYSTEM ||
                (who->kind == ACTOR_USER && (who->role == ROLE_SUPERVISOR || who->role == ROLE_ADMIN));
    if (!boss)
        return PL_EFORBIDDEN;
    if (!d->writer->ops->dispute_insert)
        return PL_EUNAVAIL;
    int rc = check_text(question, QUESTION_MAX, 1);
    if (rc)
        return rc;
    if (n == 0 || n > DESK_DISPUTE_MAX_REVIEWERS || quorum < 1 || (size_t)quorum > n)
        return PL_EINVAL;
    struct dispute dp = {0};
    dp.reviewers = xmalloc(n * sizeof *dp.reviewers);
    memcpy(dp.reviewers, reviewers, n * sizeof *dp.reviewers);
    qsort(dp.reviewers, n, sizeof *dp.reviewers, cmp_id);
    dp.nreviewers = n;
    for (size_t i = 0; i < n; i++) {
        bool dup = i > 0 && dp.reviewers[i] == dp.reviewers[i - 1];
        bool self = who->kind == ACTOR_USER && dp.reviewers[i] == who->id;
        if (dp.reviewers[i] <= 0 || dup || self) {
            dispute_clear(&dp);
            return PL_EINVAL;
        }
    }
    dp.ticket_id = ticket_id;
    dp.question = xstrdup(question);
    dp.quorum = quorum;
    dp.status = xstrdup("open");
    dp.created_by = who->kind == ACTOR_USER ? who->id : 0;
    dp.created_at = clock_now_ms();
    struct open_args a = {who, &dp};
    rc = desk_exec(d, open_fn, &a);
    if (rc == 0 && out)
        *out = dp;
    else
        dispute_clear(&dp);
    return rc;
}

/* ---- voting ---------------------------------------------------------------- */

struct vote_args {
    const struct desk_actor *who;
    int64_t id;
    const char *decision, *reason;
    int64_t at;
};

static bool is_reviewer(const struct dispute *dp, int64_t user_id)
{
    return bsearch(&user_id, dp->reviewers, dp->nreviewers, sizeof *dp->reviewers, cmp_id) != NULL;
}

static size_t count_votes(const struct dispute *dp, const char *decision)
{
    size_t k = 0;
    for (size_t i = 0; i < dp->nvotes; i++)
        k += strcmp(dp->votes[i].decision, decision) == 0;
    return k;
}

/* The panel's decision, taken once the quorum agrees: the event that
 * customers' receipts prove, and a note on the ticket. */
static int decide(struct desk_tx *tx, struct dispute *dp, const struct ticket *t,
                  const char *decision, size_t up, size_t down, int64_t at)
{
    struct desk_actor sys = DESK_SYSTEM;
    char *after = desk_json_text(json_pack(
        "{s:I,s:s,s:s,s:i,s:{s:I,s:I},s:o}", "dispute_id", (json_int_t)dp->id, "question",
        dp->question, "decision", decision, "quorum", dp->quorum, "votes", "uphold",
        (json_int_t)up, "reject", (json_int_t)down, "reviewers",
        ids_json(dp->reviewers, dp->nreviewers)));
    int rc = desk_event(tx, &sys, strcmp(decision, "deadlocked") ? "dispute.decided"
                                                                  : "dispute.deadlocked",
                        t->id, t->customer_id, 0, NULL, after, at);
    free(after);
    if (rc || (rc = last_event(tx, &dp->decision_event_id)))
        return rc;
    free(dp->status);
    dp->status = xstrdup(strcmp(decision, "deadlocked") ? "decided" : "deadlocked");
    free(dp->decision);
    dp->decision = strcmp(decision, "deadlocked") ? xstrdup(decision) : NULL;
    dp->decided_at = at;
    if ((rc = tx->st->ops->dispute_update(tx->st, dp)))
        return rc;
    char *note = dp->decision
        ? xasprintf("Dispute #%lld decided by the review panel: %s (%zu uphold, %zu reject; "
                    "quorum %d of %zu). Question: %s. Receipt: event %lld in the "
                    "tamper-evident log.",
                    (long long)dp->id, decision, up, down, dp->quorum, dp->nreviewers,
                    dp->question, (long long)dp->decision_event_id)
        : xasprintf("Dispute #%lld is deadlocked: %zu uphold, %zu reject, and the remaining "
                    "votes cannot reach the quorum of %d. Question: %s.",
                    (long long)dp->id, up, down, dp->quorum, dp->question);
    int64_t mid;
    rc = desk_post_tx(tx, &sys, t->id, MESSAGE_NOTE, note, dp->decided_at, &mid);
    free(note);
    return rc;
}

static int vote_fn(struct desk_tx *tx, void *arg)
{
    struct vote_args *a = arg;
    struct store *st = tx->st;
    struct dispute dp = {0};
    struct ticket t = {0};
    int rc = st->ops->dispute_get(st, a->id, &dp);
    if (rc)
        return rc;
    if (a->who->kind != ACTOR_USER || !is_reviewer(&dp, a->who->id))
        rc = PL_EFORBIDDEN;
    else if (strcmp(dp.status, "open") != 0)
        rc = PL_ESTATE;
    else if ((rc = st->ops->ticket_get(st, dp.ticket_id, &t)) == 0) {
        for (size_t i = 0; i < dp.nvotes; i++)
            if (dp.votes[i].user_id == a->who->id)
                rc = PL_EEXISTS;
    }
    if (rc)
        goto out;
    char *after = desk_json_text(json_pack("{s:I,s:s,s:s?}", "dispute_id", (json_int_t)dp.id,
                                           "decision", a->decision, "reason", a->reason));
    rc = desk_event(tx, a->who, "dispute.vote", t.id, t.customer_id, 0, NULL, after, a->at);
    free(after);
    struct dispute_vote v = {a->who->id, (char *)a->decision, (char *)a->reason, 0, a->at};
    if (rc || (rc = last_event(tx, &v.event_id)) ||
        (rc = st->ops->dispute_vote_insert(st, dp.id, &v)))
        goto out;
    dispute_clear(&dp);
    if ((rc = st->ops->dispute_get(st, a->id, &dp)))
        goto out;
    size_t up = count_votes(&dp, "uphold"), down = count_votes(&dp, "reject");
    size_t left = dp.nreviewers - dp.nvotes, q = (size_t)dp.quorum;
    if (up >= q || down >= q)
        rc = decide(tx, &dp, &t, up >= q ? "uphold" : "reject", up, down, a->at);
    else if (up + left < q && down + left < q)
        rc = decide(tx, &dp, &t, "deadlocked", up, down, a->at);
out:
    ticket_clear(&t);
    dispute_clear(&dp);
    return rc;
}

int desk_dispute_vote(struct desk *d, const struct desk_actor *who, int64_t dispute_id,
                      const char *decision, const char *reason, struct dispute *out)
{
    if (!decision || (strcmp(decision, "uphold") != 0 && strcmp(decision, "reject") != 0))
        return PL_EINVAL;
    int rc = check_text(reason, REASON_MAX, 0);
    if (rc)
        return rc;
    if (!d->writer->ops->dispute_vote_insert)
        return PL_EUNAVAIL;
    struct vote_args a = {who, dispute_id, decision, reason && *reason ? reason : NULL,
                          clock_now_ms()};
    rc = desk_exec(d, vote_fn, &a);
    return rc == 0 && out ? desk_dispute_get(d, dispute_id, out) : rc;
}

/* ---- reading ---------------------------------------------------------------- */

int desk_dispute_get(struct desk *d, int64_t id, struct dispute *out)
{
    struct store *st = desk_reader(d);
    memset(out, 0, sizeof *out);
    if (!st || !st->ops->dispute_get)
        return PL_EUNAVAIL;
    return st->ops->dispute_get(st, id, out);
}

int desk_dispute_list(struct desk *d, const char *status, int limit, struct dispute **out,
                      size_t *n)
{
    struct store *st = desk_reader(d);
    *out = NULL;
    *n = 0;
    if (!st || !st->ops->dispute_list)
        return PL_EUNAVAIL;
    if (status && strcmp(status, "open") && strcmp(status, "decided") &&
        strcmp(status, "deadlocked"))
        return PL_EINVAL;
    return st->ops->dispute_list(st, status, limit, out, n);
}

int desk_dispute_receipt(struct desk *d, int64_t id, bool cosigned, char **json)
{
    struct dispute dp;
    int rc = desk_dispute_get(d, id, &dp);
    if (rc == 0 && !dp.decision_event_id)
        rc = PL_ESTATE;
    if (rc == 0)
        rc = cosigned ? desk_ledger_receipt_cosigned(d, dp.decision_event_id, json)
                      : desk_ledger_receipt(d, dp.decision_event_id, json);
    dispute_clear(&dp);
    return rc;
}
