/* metrics_snap.c — a snapshot of the live aggregates and risk features, so
 * a restart replays only the events after it instead of the whole table
 * (minutes at a million tickets, docs/benchmarks.md).
 *
 * The events stay the source of truth: the snapshot names the last event
 * it includes (id and a fingerprint of its content) and the configuration
 * the aggregates were built with, and is used only if the database still
 * holds that very event, the desk runs with that configuration and the
 * drill-down facts are stored that far, and only by a build whose code
 * that counts events is that of the build that wrote it (build_id.h); a missing, damaged,
 * foreign, stale or other-build file means a full replay, never wrong
 * numbers.
 * Written at a clean stop and, while serving, whenever enough events have
 * come since the last one (docs/architecture.md); checksummed; replaced
 * atomically. */
#include "desk/desk_internal.h"
#include "desk/build_id.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/fnv.h"
#include "base/log.h"
#include "base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC "parley-desk-snapshot 2\n"
#define MAGIC_LEN 23
#define BUILD_LEN 64 /* DESK_BUILD_ID, NUL-padded */

/* Periodic snapshots: after at least SNAP_MIN_EVENTS new events, and
 * never taking more than 1/SNAP_BUDGET of the writer's time (the next
 * one waits SNAP_BUDGET times as long as the last one took). */
#define SNAP_MIN_EVENTS 10000
#define SNAP_BUDGET 100
#define SNAP_MIN_GAP_MS 60000

static uint64_t fnv_str(uint64_t h, const char *s)
{
    return s ? fnv1a(h, s, strlen(s) + 1) : fnv1a(h, "", 0);
}

/* A fingerprint of event id's content; 0 when the store has no such event. */
static uint64_t event_print(struct store *st, int64_t id)
{
    struct event_filter f = {.after_id = id - 1, .limit = 1};
    struct event *ev = NULL;
    size_t n = 0;
    uint64_t h = 0;
    if (st->ops->event_list(st, &f, &ev, &n) == 0 && n == 1 && ev[0].id == id) {
        const struct event *e = &ev[0];
        int64_t num[6] = {e->id, e->actor_kind, e->actor_id, e->ticket_id, e->customer_id,
                          e->created_at};
        h = fnv1a(FNV1A_INIT, num, sizeof num);
        h = fnv1a(h, &e->message_id, sizeof e->message_id);
        h = fnv_str(fnv_str(fnv_str(h, e->type), e->before), e->after);
        h = h ? h : 1;
    }
    store_free_events(ev, n);
    return h;
}

void desk_metrics_snapshot_at(struct desk *d, const char *path, int write)
{
    free(d->metrics_snap);
    d->metrics_snap = path ? xstrdup(path) : NULL;
    d->snap_write = write != 0;
}

/* Appends n bytes to f and to the running checksum *h. */
static int put(FILE *f, uint64_t *h, const void *p, size_t n)
{
    *h = fnv1a(*h, p, n);
    return fwrite(p, 1, n, f) == n;
}

/* Layout: MAGIC, the build, last event id, its fingerprint, the desk's
 * metrics config, metrics length, metrics, risk length, risk, FNV-1a 64 of
 * everything before it. Each part goes to the file as it is made, so a
 * save holds one part in memory, not the whole file. */
static int save(struct desk *d, struct store *st)
{
    uint64_t print = event_print(st, d->metrics_last);
    if (!print)
        return PL_ENOTFOUND;
    char build[BUILD_LEN] = {0};
    snprintf(build, sizeof build, "%s", DESK_BUILD_ID);
    int64_t head[2] = {d->metrics_last, (int64_t)print};
    char *tmp = xasprintf("%s.tmp", d->metrics_snap);
    FILE *f = fopen(tmp, "wb");
    uint64_t h = FNV1A_INIT, n;
    int ok = f && put(f, &h, MAGIC, MAGIC_LEN) && put(f, &h, build, sizeof build) &&
             put(f, &h, head, sizeof head) &&
             put(f, &h, &d->metrics_cfg, sizeof d->metrics_cfg);
    struct buf part = BUF_INIT;
    if (ok) {
        insight_metrics_save(d->metrics, &part);
        n = part.len;
        ok = put(f, &h, &n, sizeof n) && put(f, &h, part.ptr, part.len);
    }
    if (ok) {
        part.len = 0;
        insight_risk_track_save(d->risk_track, &part);
        n = part.len;
        ok = put(f, &h, &n, sizeof n) && put(f, &h, part.ptr, part.len);
    }
    buf_release(&part);
    ok = ok && fwrite(&h, 1, sizeof h, f) == sizeof h;
    ok = f && fclose(f) == 0 && ok;
    ok = ok && rename(tmp, d->metrics_snap) == 0;
    if (!ok)
        remove(tmp);
    free(tmp);
    return ok ? 0 : PL_EIO;
}

void desk_metrics_snap_save(struct desk *d, struct store *st)
{
    if (!d->metrics_snap || !d->snap_write || !d->metrics || d->metrics_mixed ||
        d->metrics_last <= 0 || d->metrics_last == d->snap_last)
        return;
    /* A snapshot is used only as far as the drill-down facts are stored
     * (a replay from it records none before it): every fact must be, and
     * the mark must say so even when the last events counted none. */
    int64_t t0 = clock_mono_ns();
    int rc = desk_metrics_mark_facts(d, st);
    if (rc == 0)
        rc = save(d, st);
    int64_t ms = (clock_mono_ns() - t0) / 1000000;
    if (rc) {
        log_warn("metrics: cannot write the snapshot %s: %s", d->metrics_snap,
                 parley_strerror(rc));
    } else {
        d->snap_last = d->metrics_last;
        log_info("metrics: snapshot %s as of event %lld written in %lld ms", d->metrics_snap,
                 (long long)d->metrics_last, (long long)ms);
    }
    int64_t gap = ms * SNAP_BUDGET;
    d->snap_next_ms = clock_now_ms() + (gap > SNAP_MIN_GAP_MS ? gap : SNAP_MIN_GAP_MS);
}

void desk_metrics_snap_tick(struct desk *d, struct store *st)
{
    /* Under load facts are usually pending: wait for a moment without. */
    if (d->metrics && d->snap_write && d->metrics_last - d->snap_last >= SNAP_MIN_EVENTS &&
        !desk_metrics_facts_pending(d) && clock_now_ms() >= d->snap_next_ms)
        desk_metrics_snap_save(d, st);
}

void desk_metrics_snap_mixed(struct desk *d)
{
    if (!d->metrics_mixed && d->metrics_snap)
        log_info("metrics: settings changed while serving: no snapshot until the next start");
    d->metrics_mixed = true;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct buf b = BUF_INIT;
    char chunk[1 << 16];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_add(&b, chunk, n);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        buf_release(&b);
        return NULL;
    }
    *len = b.len;
    return b.ptr;
}

static int parse(const char *p, size_t len, struct store *st, const struct desk *d,
                 int64_t not_after, int64_t head[2], struct insight_metrics **m,
                 struct insight_risk_track **tr)
{
    uint64_t h, nm, nr;
    const size_t head_at = MAGIC_LEN + BUILD_LEN, cfg_at = head_at + 2 * sizeof(int64_t);
    const size_t fixed = cfg_at + sizeof d->metrics_cfg + sizeof nm;
    if (len < fixed + sizeof nr + sizeof h || memcmp(p, MAGIC, MAGIC_LEN))
        return PL_EFORMAT;
    memcpy(&h, p + len - sizeof h, sizeof h);
    if (h != fnv1a(FNV1A_INIT, p, len - sizeof h))
        return PL_ECHECKSUM;
    char build[BUILD_LEN] = {0};
    snprintf(build, sizeof build, "%s", DESK_BUILD_ID);
    if (memcmp(p + MAGIC_LEN, build, BUILD_LEN))
        return PL_EUNAVAIL;
    memcpy(head, p + head_at, 2 * sizeof(int64_t));
    if (memcmp(p + cfg_at, &d->metrics_cfg, sizeof d->metrics_cfg) || head[0] > not_after)
        return PL_ESTATE;
    memcpy(&nm, p + fixed - sizeof nm, sizeof nm);
    if (nm > len - fixed - sizeof nr - sizeof h)
        return PL_EFORMAT;
    memcpy(&nr, p + fixed + nm, sizeof nr);
    if (nr != len - fixed - nm - sizeof nr - sizeof h)
        return PL_EFORMAT;
    if (event_print(st, head[0]) != (uint64_t)head[1])
        return PL_ENOTFOUND;
    int rc = insight_metrics_load(p + fixed, (size_t)nm, m);
    if (rc == 0 && (rc = insight_risk_track_load(p + fixed + nm + sizeof nr, (size_t)nr, tr))) {
        insight_metrics_free(*m);
        *m = NULL;
    }
    return rc;
}

int64_t desk_metrics_snap_load(struct desk *d, struct store *st, int64_t not_after)
{
    size_t len = 0;
    char *p = d->metrics_snap ? read_file(d->metrics_snap, &len) : NULL;
    if (!p)
        return 0;
    int64_t head[2];
    struct insight_metrics *m = NULL;
    struct insight_risk_track *tr = NULL;
    int rc = parse(p, len, st, d, not_after, head, &m, &tr);
    free(p);
    if (rc) {
        log_warn("metrics: snapshot %s not used (%s): replaying every event", d->metrics_snap,
                  rc == PL_ENOTFOUND  ? "not of this database, or its events were lost"
                 : rc == PL_EUNAVAIL ? "written by another build"
                 : rc == PL_ESTATE   ? "other settings, or drill-down facts not stored that far"
                                     : parley_strerror(rc));
        return 0;
    }
    insight_metrics_free(d->metrics);
    insight_risk_track_free(d->risk_track);
    d->metrics = m;
    d->risk_track = tr;
    d->metrics_last = d->snap_last = head[0];
    log_info("metrics: snapshot %s as of event %lld", d->metrics_snap, (long long)head[0]);
    return head[0];
}
