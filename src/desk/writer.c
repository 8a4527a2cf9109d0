/* writer.c — the desk's single writer with group commit, per-thread read
 * connections and the "new events" signal.
 *
 * Why one writer: SQLite allows one writer at a time anyway, the
 * tamper-evident log needs events appended in one total order, and a
 * durable commit (fsync) is the expensive part of a write. Requests hand
 * their transaction function to the writer thread; it takes every job that
 * is waiting, runs each inside its own savepoint in ONE transaction and
 * commits once, so N concurrent requests cost one fsync. A job's caller is
 * woken only after that commit returned: a 2xx means committed. */
#include "desk/desk_internal.h"
#include "base/err.h"
#include "base/log.h"
#include "base/xalloc.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH_MAX 512

struct job {
    int (*fn)(struct desk_tx *tx, void *arg);
    void *arg;
    int rc;
    int done;
    pthread_cond_t cv;         /* its caller sleeps here: no thundering herd */
    struct job *next;
};

/* Drill-down facts of the previous commits ride along in the next
 * transaction, in their own savepoint so they cannot fail a job. */
static void carry_facts(struct desk *d, struct store *st)
{
    if (!desk_metrics_facts_pending(d) || st->ops->savepoint(st))
        return;
    if (desk_metrics_flush_facts(d, st) == 0 && st->ops->release(st) == 0)
        return;
    log_error("desk: cannot store drill-down facts: %s", store_errmsg(st));
    st->ops->rollback_to(st);
    desk_metrics_facts_done(d, 0);
}

/* Facts left over when no job came within FACTS_GRACE_MS of the last
 * batch get a transaction of their own. Under load they ride along with
 * the next batch instead, so recording them costs no extra commit. */
static int flush_idle_facts(struct desk *d, struct store *st)
{
    if (st->ops->begin(st) == 0) {
        if (desk_metrics_flush_facts(d, st) == 0 && st->ops->commit(st) == 0) {
            desk_metrics_facts_done(d, 1);
            return 0;
        }
        st->ops->rollback(st);
    }
    log_error("desk: cannot store drill-down facts: %s", store_errmsg(st));
    desk_metrics_facts_done(d, 0);
    return -1;
}

/* Wakes the readers of the live stream when new events were committed. */
static void publish_last_event(struct desk *d, struct store *st)
{
    int64_t last = 0;
    if (st->ops->event_last_id(st, &last) == 0) {
        pthread_mutex_lock(&d->ev_mu);
        if (last > d->last_event) {
            d->last_event = last;
            pthread_cond_broadcast(&d->ev_cv);
        }
        pthread_mutex_unlock(&d->ev_mu);
    }
}

/* What the writer remembers of work that did not commit: the log's leaves
 * after mark (0: all pending) and the customer keys it may have made. */
static void undo(struct desk *d, size_t mark)
{
    desk_ledger_rollback(d, mark);
    desk_personal_forget(d->datakey);
}

static void run_batch(struct desk *d, struct job *batch)
{
    struct store *st = d->writer;
    int rc = st->ops->begin(st);
    if (rc) {
        log_error("desk: begin failed: %s", store_errmsg(st));
        for (struct job *j = batch; j; j = j->next)
            j->rc = PL_EDB;
        return;
    }
    carry_facts(d, st);
    int ok = 0;
    for (struct job *j = batch; j; j = j->next) {
        if (st->ops->savepoint(st)) {
            j->rc = PL_EDB;
            continue;
        }
        size_t mark = desk_ledger_mark(d);
        struct desk_tx tx = {st, d};
        j->rc = j->fn(&tx, j->arg);
        if (j->rc == 0) {
            if (st->ops->release(st))
                j->rc = PL_EDB;
            else
                ok++;
        }
        if (j->rc != 0)
            undo(d, mark);
        if (j->rc != 0 && st->ops->rollback_to(st)) {
            /* The transaction is unusable: fail everything in it. */
            log_error("desk: rollback to savepoint failed: %s", store_errmsg(st));
            st->ops->rollback(st);
            undo(d, 0);
            desk_metrics_facts_done(d, 0);
            for (struct job *k = batch; k; k = k->next)
                if (k->rc == 0)
                    k->rc = PL_EDB;
            return;
        }
    }
    if (ok == 0) {
        st->ops->rollback(st);
        undo(d, 0);
        desk_metrics_facts_done(d, 0);
        return;
    }
    if (st->ops->commit(st)) {
        log_error("desk: commit failed: %s", store_errmsg(st));
        st->ops->rollback(st);
        undo(d, 0);
        desk_metrics_facts_done(d, 0);
        for (struct job *j = batch; j; j = j->next)
            if (j->rc == 0)
                j->rc = PL_EDB;
        return;
    }
    desk_ledger_commit(d);
    desk_metrics_facts_done(d, 1);
    if (desk_metrics_catch_up(d, st))
        log_error("desk: metrics could not read the new events: %s", store_errmsg(st));
    desk_alerts_after_commit(d, st);
    publish_last_event(d, st);
}

/* The writer's idle wake-up: detectors close hours nobody wrote in. */
#define TICK_MS DESK_ALERTS_TICK_MS
#define FACTS_GRACE_MS 5

static void *writer_main(void *arg)
{
    struct desk *d = arg;
    int facts_failed = 0;
    pthread_mutex_lock(&d->mu);
    for (;;) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        /* After a failed attempt the facts wait for the next batch rather
         * than being retried every few milliseconds. */
        int facts = desk_metrics_facts_pending(d) && !facts_failed;
        if (facts) {
            ts.tv_nsec += FACTS_GRACE_MS * 1000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
        } else {
            ts.tv_sec += TICK_MS / 1000;
        }
        int timed_out = 0;
        while (!d->head && !d->stopping && !timed_out)
            timed_out = pthread_cond_timedwait(&d->cv_work, &d->mu, &ts) == ETIMEDOUT;
        if (!d->head && d->stopping) {
            /* Store the last facts, so the snapshot at close is usable. */
            pthread_mutex_unlock(&d->mu);
            if (desk_metrics_facts_pending(d))
                flush_idle_facts(d, d->writer);
            pthread_mutex_lock(&d->mu);
            break;
        }
        int idle = !d->head;
        pthread_mutex_unlock(&d->mu);
        if (idle && facts) {
            facts_failed = flush_idle_facts(d, d->writer) != 0;
        } else {
            /* The detectors' clock runs idle or busy (at most once a minute);
             * goals are judged when idle. */
            int ticked = desk_alerts_tick(d);
            if (idle) {
                desk_goals_tick(d);
                ticked = 1;
            }
            if (ticked)
                publish_last_event(d, d->writer);
            desk_metrics_snap_tick(d, d->writer);
        }
        pthread_mutex_lock(&d->mu);
        if (!d->head)
            continue;
        /* Take up to BATCH_MAX jobs. */
        struct job *batch = d->head, *last = batch;
        int n = 1;
        while (last->next && n < BATCH_MAX) {
            last = last->next;
            n++;
        }
        d->head = last->next;
        if (!d->head)
            d->tail = NULL;
        last->next = NULL;
        pthread_mutex_unlock(&d->mu);

        run_batch(d, batch);
        facts_failed = 0;

        pthread_mutex_lock(&d->mu);
        for (struct job *j = batch; j;) {
            /* j lives on its caller's stack: read next before waking it
             * (it cannot return before we release d->mu). */
            struct job *next = j->next;
            j->done = 1;
            pthread_cond_signal(&j->cv);
            j = next;
        }
        if (!d->head) { /* busy servers may never idle for a whole tick */
            pthread_mutex_unlock(&d->mu);
            desk_goals_tick(d);
            pthread_mutex_lock(&d->mu);
        }
    }
    pthread_mutex_unlock(&d->mu);
    return NULL;
}

int desk_exec(struct desk *d, int (*fn)(struct desk_tx *tx, void *arg), void *arg)
{
    struct job j = {.fn = fn, .arg = arg};
    pthread_cond_init(&j.cv, NULL);
    pthread_mutex_lock(&d->mu);
    if (d->stopping) {
        pthread_mutex_unlock(&d->mu);
        pthread_cond_destroy(&j.cv);
        return PL_EUNAVAIL;
    }
    if (d->tail)
        d->tail->next = &j;
    else
        d->head = &j;
    d->tail = &j;
    pthread_cond_signal(&d->cv_work);
    while (!j.done)
        pthread_cond_wait(&j.cv, &d->mu);
    pthread_mutex_unlock(&d->mu);
    pthread_cond_destroy(&j.cv);
    return j.rc;
}

int64_t desk_last_event(struct desk *d)
{
    pthread_mutex_lock(&d->ev_mu);
    int64_t v = d->last_event;
    pthread_mutex_unlock(&d->ev_mu);
    return v;
}

int64_t desk_wait_events(struct desk *d, int64_t after, int timeout_ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += timeout_ms / 1000;
    ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&d->ev_mu);
    while (d->last_event <= after && !d->stopping) {
        if (pthread_cond_timedwait(&d->ev_cv, &d->ev_mu, &ts) == ETIMEDOUT)
            break;
    }
    int64_t v = d->last_event;
    pthread_mutex_unlock(&d->ev_mu);
    return v;
}

/* ---- readers ------------------------------------------------------------ */

/* Read connections are pooled: a thread takes one on its first
 * desk_reader() and keeps it until desk_reader_release() (the HTTP server
 * releases after each request) or until it exits. At most DESK_READERS_MAX are
 * open at once, so a thousand client connections do not become a thousand
 * database connections (PostgreSQL allows 100 by default); a thread that
 * finds none free waits for one. d->readers lists every open one. */
struct reader {
    struct desk *d;
    struct store *st;
};

static void give_back(struct desk *d, struct store *st)
{
    pthread_mutex_lock(&d->readers_mu);
    d->idle[d->nidle++] = st;
    pthread_cond_signal(&d->readers_cv);
    pthread_mutex_unlock(&d->readers_mu);
}

static void reader_destroy(void *p)
{
    struct reader *r = p;
    give_back(r->d, r->st);
    free(r);
}

void desk_reader_release(struct desk *d)
{
    struct reader *r = pthread_getspecific(d->reader_key);
    if (!r)
        return;
    pthread_setspecific(d->reader_key, NULL);
    reader_destroy(r);
}

struct store *desk_reader(struct desk *d)
{
    struct reader *r = pthread_getspecific(d->reader_key);
    if (r)
        return r->st;
    struct store *st = NULL;
    pthread_mutex_lock(&d->readers_mu);
    while (d->nidle == 0 && d->nreaders >= DESK_READERS_MAX)
        pthread_cond_wait(&d->readers_cv, &d->readers_mu);
    if (d->nidle > 0) {
        st = d->idle[--d->nidle];
    } else {
        d->nreaders++;   /* reserve the slot while opening outside the lock */
        pthread_mutex_unlock(&d->readers_mu);
        char *err = NULL;
        if (store_open(d->url, 0, &st, &err) != 0) {
            log_error("desk: cannot open a read connection: %s", err ? err : "?");
            free(err);
            pthread_mutex_lock(&d->readers_mu);
            d->nreaders--;
            pthread_cond_signal(&d->readers_cv);
            pthread_mutex_unlock(&d->readers_mu);
            return NULL;
        }
        pthread_mutex_lock(&d->readers_mu);
        d->readers[d->nopen++] = st;
    }
    pthread_mutex_unlock(&d->readers_mu);
    r = xmalloc(sizeof *r);
    r->d = d;
    r->st = st;
    pthread_setspecific(d->reader_key, r);
    return st;
}

/* ---- life cycle ----------------------------------------------------------- */

/* The stored triage configuration, or the defaults. */
static void load_triage_config(struct desk *d)
{
    char *json = NULL, msg[200];
    triage_config_default(&d->triage_cfg);
    if (d->writer->ops->setting_get(d->writer, "triage", &json) != 0)
        return;
    if (triage_config_from_json(json, &d->triage_cfg, msg, sizeof msg) != 0)
        log_warn("triage: stored configuration ignored: %s", msg);
    free(json);
}

int desk_claim(struct store *st, const char *who, char **err)
{
    struct store_holder h;
    int rc = st->ops->claim(st, who, &h);
    if (rc == 0 || !err)
        return rc;
    char pid[32] = "pid unknown";
    if (rc == PL_EBUSY && h.pid > 0)
        snprintf(pid, sizeof pid, "pid %ld", h.pid);
    if (rc != PL_EBUSY)
        *err = xasprintf("cannot claim the database: %s", store_errmsg(st));
    else if (strcmp(h.who, "serve") == 0)
        *err = xasprintf("a server is running on this database (%s); stop it or use the "
                         "HTTP API", pid);
    else if (*h.who)
        *err = xasprintf("`parley %s` is writing to this database (%s); wait for it to "
                         "finish", h.who, pid);
    else
        *err = xasprintf("another Parley process is writing to this database (%s)", pid);
    return rc;
}

int desk_open(const char *db_url, struct desk **out, char **err)
{
    return desk_open_claimed(db_url, NULL, out, err);
}

int desk_open_claimed(const char *db_url, const char *who, struct desk **out, char **err)
{
    if (sodium_init() < 0) {
        if (err)
            *err = xstrdup("libsodium failed to initialise");
        return PL_ECRYPTO;
    }
    struct desk *d = xcalloc(1, sizeof *d);
    d->url = xstrdup(db_url);
    char *keypath = desk_data_key_default(db_url);
    d->datakey = desk_datakey_new(keypath);
    free(keypath);
    /* Claimed before migrating and before the log is loaded into memory. */
    int rc = store_open(db_url, 0, &d->writer, err);
    if (rc == 0 && who)
        rc = desk_claim(d->writer, who, err);
    if (rc == 0)
        rc = store_migrate(d->writer, err);
    if (rc) {
        store_close(d->writer);
        desk_datakey_free(d->datakey);
        free(d->url);
        free(d);
        return rc;
    }
    pthread_mutex_init(&d->mu, NULL);
    pthread_cond_init(&d->cv_work, NULL);
    pthread_mutex_init(&d->ev_mu, NULL);
    pthread_cond_init(&d->ev_cv, NULL);
    pthread_mutex_init(&d->readers_mu, NULL);
    pthread_cond_init(&d->readers_cv, NULL);
    pthread_key_create(&d->reader_key, reader_destroy);
    d->writer->ops->event_last_id(d->writer, &d->last_event);
    load_triage_config(d);
    desk_feedback_load(d);
    if (pthread_create(&d->thread, NULL, writer_main, d) != 0) {
        store_close(d->writer);
        desk_datakey_free(d->datakey);
        free(d->url);
        free(d);
        if (err)
            *err = xstrdup("cannot start the writer thread");
        return PL_EUNAVAIL;
    }
    if ((rc = desk_ledger_open(d, err)) != 0) {
        desk_close(d);
        return rc;
    }
    *out = d;
    return 0;
}

void desk_close(struct desk *d)
{
    if (!d)
        return;
    pthread_mutex_lock(&d->mu);
    d->stopping = 1;
    pthread_cond_broadcast(&d->cv_work);
    pthread_mutex_unlock(&d->mu);
    pthread_mutex_lock(&d->ev_mu);
    pthread_cond_broadcast(&d->ev_cv);
    pthread_mutex_unlock(&d->ev_mu);
    pthread_join(d->thread, NULL);
    desk_ledger_close(d);
    desk_alerts_free(d->alerts);
    desk_metrics_close(d);
    desk_outbox_close(d);

    /* Every read connection, idle or still held by a live thread. */
    desk_reader_release(d);
    pthread_key_delete(d->reader_key);
    for (size_t i = 0; i < d->nopen; i++)
        store_close(d->readers[i]);
    pthread_cond_destroy(&d->readers_cv);
    store_close(d->writer);
    pthread_mutex_destroy(&d->mu);
    pthread_cond_destroy(&d->cv_work);
    pthread_mutex_destroy(&d->ev_mu);
    pthread_cond_destroy(&d->ev_cv);
    pthread_mutex_destroy(&d->readers_mu);
    desk_datakey_free(d->datakey);
    free(d->public_url);
    free(d->url);
    free(d);
}
