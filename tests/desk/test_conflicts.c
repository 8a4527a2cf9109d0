/* test_conflicts.c — the ROI's in-memory conflict index (desk/conflicts.c)
 * against the SQL it stands for (store's conflict_customers and
 * conflict_facts), over a random history: tickets created out of order,
 * emotions flipping to and from anger, escalations, agents' replies,
 * resolutions (handling time) and reopenings, orders, customer merges and
 * erasures.
 * After every few steps, and again after a restart (the index read back
 * from the store), many random periods must give the same numbers both
 * ways. SQLite temp file, or the PostgreSQL database named by
 * PARLEY_TEST_DB in a fresh schema. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/xalloc.h"
#include "desk/desk.h"
#include "desk/desk_internal.h"
#include "desk/roi.h"
#include "insight/metrics.h"
#include "text/text.h"
#include "../store/testdb.h"

#define DAY 86400000LL
#define T0 1767225600000LL        /* 2026-01-01 */
#define SPAN_DAYS 200
#define NCUST 14
#define STEPS 400

static const struct desk_actor sys = {ACTOR_SYSTEM, 0, ROLE_ADMIN};

struct world {
    struct testdb db;
    char *keypath;
    struct desk *d;
    struct desk_actor agent;
    int64_t tickets[STEPS];
    size_t ntickets;
    int64_t customers[NCUST];     /* by e-mail number; 0 = none yet */
    unsigned seed;
};

static void open_desk(struct world *w)
{
    char *err = NULL;
    if (desk_open(w->db.url, &w->d, &err)) {
        print_error("desk_open %s: %s\n", w->db.url, err ? err : "?");
        free(err);
        fail();
    }
    assert_int_equal(desk_metrics_enable(w->d), 0);
}

static int setup(void **state)
{
    struct world *w = xcalloc(1, sizeof *w);
    w->seed = 20261123;
    if (testdb_make(&w->db, "conflicts")) {
        testdb_drop(&w->db);
        free(w);
        return -1;
    }
    w->keypath = xasprintf("/tmp/parley-conflicts-%ld.data-key", (long)getpid());
    unlink(w->keypath);
    setenv("PARLEY_DATA_KEY", w->keypath, 1);
    open_desk(w);
    struct user u = {.email = xstrdup("agent@example.com"), .role = ROLE_AGENT,
                     .languages = xstrdup("en")};
    assert_int_equal(desk_user_add(w->d, &sys, &u, "password1"), 0);
    w->agent = (struct desk_actor){ACTOR_USER, u.id, ROLE_AGENT};
    user_clear(&u);
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    struct world *w = *state;
    desk_close(w->d);
    testdb_drop(&w->db);
    unlink(w->keypath);
    free(w->keypath);
    free(w);
    return 0;
}

static int draw(unsigned *seed, int n)
{
    return (int)(rand_r(seed) % (unsigned)n);
}

static int pick(struct world *w, int n)
{
    return draw(&w->seed, n);
}

static int64_t some_time(struct world *w)
{
    return T0 + (int64_t)pick(w, SPAN_DAYS) * DAY + (int64_t)pick(w, 86400) * 1000;
}

/* A customer message read as emotion e; with a threat to sue (which
 * escalates) when legal. */
static void ingest(struct world *w, int who, enum text_emotion e, bool legal, int64_t at)
{
    struct text_analysis a = {0};
    memcpy(a.language, "en", 3);
    a.emotions[TEXT_EMOTION_NEUTRAL] = 0.05f;
    a.emotions[e] = 0.9f;
    a.sentiment = e == TEXT_EMOTION_ANGER || e == TEXT_EMOTION_FRUSTRATION ? -0.7f : 0.2f;
    a.intensity = legal ? 0.9f : 0.3f;
    if (legal) {
        a.cues[0].kind = TEXT_CUE_LEGAL;
        memcpy(a.cues[0].evidence, "my lawyer", sizeof "my lawyer");
        a.ncues = 1;
    }
    char email[32], thread[16];
    snprintf(email, sizeof email, "c%d@example.com", who);
    snprintf(thread, sizeof thread, "t%d", pick(w, 3));
    struct desk_inbound in = {.channel = CHANNEL_EMAIL, .id_kind = IDENTITY_EMAIL,
                              .id_value = email, .subject = "s", .body = "hello",
                              .thread = thread, .created_at = at, .analysis = &a,
                              .analysis_json = "{\"sentiment\":0}"};
    struct desk_ingest_result r;
    assert_int_equal(desk_ingest(w->d, &sys, &in, &r), 0);
    w->customers[who] = r.customer_id;
    if (r.new_ticket)
        w->tickets[w->ntickets++] = r.ticket_id;
}

struct work {
    const struct desk_actor *agent;
    int64_t ticket, at, handled;
};

/* An agent's reply, then a resolution `handled` later. */
static int work_fn(struct desk_tx *tx, void *arg)
{
    struct work *k = arg;
    int64_t mid;
    struct desk_ticket_patch p = {.set_status = true, .status = STATUS_RESOLVED};
    int rc = desk_post_tx(tx, k->agent, k->ticket, MESSAGE_REPLY, "on it", k->at, &mid);
    return rc ? rc : desk_update_ticket_tx(tx, k->agent, k->ticket, &p, k->at + k->handled);
}

static void step(struct world *w)
{
    static const enum text_emotion moods[] = {TEXT_EMOTION_ANGER, TEXT_EMOTION_FRUSTRATION,
                                              TEXT_EMOTION_NEUTRAL, TEXT_EMOTION_JOY};
    int r = pick(w, 100), who = pick(w, NCUST);
    int64_t other = w->customers[pick(w, NCUST)];
    if (r < 50 || w->ntickets == 0) {
        ingest(w, who, moods[pick(w, 4)], pick(w, 12) == 0, some_time(w));
    } else if (r < 58) {   /* reopened: its next message may make it a conflict */
        struct desk_ticket_patch p = {.set_status = true, .status = STATUS_OPEN};
        int rc = desk_update_ticket(w->d, &w->agent, w->tickets[pick(w, (int)w->ntickets)], &p);
        assert_true(rc == 0 || rc == PL_ESTATE);
    } else if (r < 72) {
        struct work k = {&w->agent, w->tickets[pick(w, (int)w->ntickets)], some_time(w),
                         (int64_t)(1 + pick(w, 3600)) * 1000};
        int rc = desk_exec(w->d, work_fn, &k);
        assert_true(rc == 0 || rc == PL_ESTATE);
    } else if (r < 85 && w->customers[who]) {
        struct desk_order_in in = {.customer_id = w->customers[who], .amount_cents = 1000,
                                   .currency = "EUR", .ordered_at = some_time(w)};
        struct order o;
        char err[200];
        assert_int_equal(desk_order_add(w->d, &sys, &in, &o, err, sizeof err), 0);
        order_clear(&o);
    } else if (r < 95 && w->customers[who] && other && other != w->customers[who]) {
        int rc = desk_merge_customers(w->d, &sys, w->customers[who], other);
        assert_true(rc == 0 || rc == PL_ESTATE);
    } else if (w->customers[who]) {
        struct desk_erase_result res;
        int rc = desk_customer_erase(w->d, &sys, w->customers[who], &res);
        assert_true(rc == 0 || rc == PL_EEXISTS || rc == PL_ESTATE);
    }
}

static int nothing(struct desk_tx *tx, void *arg)
{
    (void)tx;
    (void)arg;
    return 0;
}

/* Many periods, with the index and with the SQL. */
static void compare(struct world *w)
{
    /* A commit of its own stores the facts still waiting. */
    assert_int_equal(desk_exec(w->d, nothing, NULL), 0);
    struct store *st = desk_reader(w->d);
    assert_non_null(st);
    /* periods drawn from a stream of their own: the history stays the same
     * whatever the questions */
    unsigned qs = w->seed ^ 0x5bd1e995u;
    for (int i = 0; i < 40; i++) {
        int64_t from = T0 + (int64_t)(draw(&qs, SPAN_DAYS + 20) - 10) * DAY;
        int64_t len = (int64_t)(1 + draw(&qs, 120)) * DAY - draw(&qs, 3) * 3600000LL;
        int64_t to = from + len;
        /* the retention window and the cut anywhere, ending inside or after */
        int64_t cut = from + (int64_t)draw(&qs, 2 * (int)(len / DAY) + 1) * DAY;
        struct insight_conflicts_query p = {from, to, to + len, cut,
                                            (int64_t)(1 + draw(&qs, 60)) * DAY};
        struct insight_conflicts_count mem, sql;
        assert_int_equal(desk_conflicts_count(w->d, &p, &mem), 0);
        assert_int_equal(st->ops->conflict_customers(st, from, to, p.cut, p.window,
                                                     &sql.customers, &sql.measured,
                                                     &sql.retained), 0);
        assert_int_equal(st->ops->conflict_facts(st, INSIGHT_FACT_RESOLUTION, from, to,
                                                 p.until, &sql.facts), 0);
        assert_int_equal(mem.customers, sql.customers);
        assert_int_equal(mem.measured, sql.measured);
        assert_int_equal(mem.retained, sql.retained);
        assert_int_equal(mem.facts, sql.facts);
    }
    desk_reader_release(w->d);
}

static void test_index_equals_sql(void **state)
{
    struct world *w = *state;
    for (int i = 0; i < STEPS; i++) {
        step(w);
        if (i % 25 == 24)
            compare(w);
        if (i == STEPS / 2) {   /* a restart: the index read back from the store */
            desk_close(w->d);
            open_desk(w);
            compare(w);
        }
    }
    /* The history is not trivial: conflicts, retained customers, handling. */
    struct insight_conflicts_count all;
    struct insight_conflicts_query q = {T0, T0 + SPAN_DAYS * DAY / 2, T0 + SPAN_DAYS * DAY,
                                        T0 + SPAN_DAYS * DAY / 2, 30 * DAY};
    assert_int_equal(desk_conflicts_count(w->d, &q, &all), 0);
    assert_true(all.customers > 2);
    assert_true(all.measured > 0 && all.measured <= all.customers);
    assert_true(all.retained > 0 && all.retained <= all.measured);
    assert_true(all.facts > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_index_equals_sql, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
