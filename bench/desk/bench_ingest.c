/* bench_ingest.c — what the tamper-evident log costs the desk: ingest
 * throughput with the log on and off, on SQLite, same workload, runs
 * interleaved; then, with the log on, checkpoint signing, receipts and
 * proofs as the server makes them (database reads included).
 *
 *   meson setup build-rel --buildtype=release && ninja -C build-rel bench_ingest
 *   ./build-rel/tests/desk/bench_ingest [messages=20000] [threads=4] [rounds=3] [dir=/tmp]
 *
 * Prints one line per measurement; figures go to docs/benchmarks.md.
 * BENCH_WEBHOOK=1 subscribes a webhook to every event first, so each event
 * also writes an outbox row (no delivery thread runs here: the figure is
 * the cost of those writes). BENCH_LOG=on or BENCH_LOG=off makes one run
 * in that mode only and stops there, for counting instructions:
 *
 *   BENCH_LOG=on valgrind --tool=callgrind --separate-threads=yes \
 *       ./build-rel/tests/desk/bench_ingest 1600 8 1 /dev/shm */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "desk/desk.h"
#include "ledger/ledger.h"

static const char *const bodies[] = {
    "My order #%d never arrived and nobody answers the phone.",
    "I was charged twice for order %d, please refund one payment.",
    "Заказ %d до сих пор не доставлен, это уже третье обращение!",
    "Thanks for the quick help with %d, everything works now.",
    "Не могу войти в личный кабинет после смены пароля (%d).",
    "This is unacceptable, order %d is broken and I want my money back.",
};

static double clock_s(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double now(void)
{
    return clock_s(CLOCK_MONOTONIC);
}

struct worker {
    struct desk *d;
    int from, to;
    int failed;
};

static void *work(void *arg)
{
    struct worker *w = arg;
    struct desk_actor sys = DESK_SYSTEM;
    for (int i = w->from; i < w->to; i++) {
        char who[64], body[160];
        snprintf(who, sizeof who, "c%d@example.com", i % 5000);
        snprintf(body, sizeof body, bodies[i % 6], i);
        struct desk_inbound in = {.channel = CHANNEL_EMAIL, .id_kind = IDENTITY_EMAIL,
                                  .id_value = who, .body = body};
        struct desk_ingest_result r;
        if (desk_ingest(w->d, &sys, &in, &r))
            w->failed++;
    }
    return NULL;
}

static void remove_db(const char *path)
{
    char p[600];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

static char path[512], key[600];

static void remove_files(void)
{
    char pub[640], datakey[640];
    remove_db(path);
    unlink(key);
    snprintf(pub, sizeof pub, "%s.pub", key);
    unlink(pub);
    snprintf(datakey, sizeof datakey, "%s.data-key", path);
    unlink(datakey);
}

/* One run on a fresh database; returns messages per second and, in *cpu_us,
 * the process's CPU time per message (less sensitive than wall time to
 * other load on the machine). When d_out is not NULL the desk is left open
 * for the proof measurements. */
static double run(const char *dir, int log_on, int n, int threads, struct desk **d_out,
                  int64_t *events, double *cpu_us)
{
    char url[600];
    snprintf(path, sizeof path, "%s/bench-ingest-%d.db", dir, (int)getpid());
    snprintf(key, sizeof key, "%s.key", path);
    remove_files();
    snprintf(url, sizeof url, "sqlite:%s", path);
    struct desk *d;
    char *err = NULL;
    if (desk_open(url, &d, &err) || desk_ledger_use_key(d, key, "bench.parley/log", &err)) {
        fprintf(stderr, "bench_ingest: %s\n", err ? err : "cannot open");
        exit(1);
    }
    if (!log_on)
        desk_ledger_disable(d);
    if (getenv("BENCH_WEBHOOK")) {
        struct webhook w;
        struct desk_actor sys = DESK_SYSTEM;
        if (desk_webhook_add(d, &sys, "http://127.0.0.1:9/hook", "*", NULL, &w)) {
            fprintf(stderr, "bench_ingest: cannot subscribe the webhook\n");
            exit(1);
        }
        webhook_clear(&w);
    }
    pthread_t th[64];
    struct worker w[64];
    double t0 = now(), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    for (int i = 0; i < threads; i++) {
        w[i] = (struct worker){d, n * i / threads, n * (i + 1) / threads, 0};
        pthread_create(&th[i], NULL, work, &w[i]);
    }
    int failed = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(th[i], NULL);
        failed += w[i].failed;
    }
    double secs = now() - t0;
    *cpu_us = (clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0) * 1e6 / n;
    *events = desk_last_event(d);
    if (failed) {
        fprintf(stderr, "bench_ingest: %d ingests failed\n", failed);
        exit(1);
    }
    if (d_out) {
        *d_out = d;
    } else {
        desk_close(d);
        remove_files();
    }
    return (double)n / secs;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void report(const char *what, double secs, int ops)
{
    printf("%-48s %10.0f ops/s  %9.1f us/op  (%d ops)\n", what, ops / secs, secs * 1e6 / ops,
           ops);
}

/* Checkpoints, receipts and proofs through the desk, as the API serves them. */
static void proofs(struct desk *d, int64_t events)
{
    const int q = 2000;
    char *vkey = desk_ledger_vkey(d), *note = NULL, *json = NULL;
    struct desk_actor sys = DESK_SYSTEM;
    double sign = 0;
    for (int i = 0; i < 200; i++) {
        /* one more event each time, so each call signs and stores a new size */
        struct desk_inbound in = {.channel = CHANNEL_API, .id_kind = IDENTITY_EMAIL,
                                  .id_value = "cp@example.com", .body = "checkpoint"};
        struct desk_ingest_result r;
        desk_ingest(d, &sys, &in, &r);
        double t0 = now();
        desk_ledger_checkpoint(d, &note);
        sign += now() - t0;
        free(note);
    }
    report("checkpoint sign + store (new size)", sign, 200);
    double t0;
    t0 = now();
    for (int i = 0; i < q; i++) {
        desk_ledger_checkpoint(d, &note);
        free(note);
    }
    report("checkpoint served (already signed)", now() - t0, q);

    uint64_t size = desk_ledger_size(d);
    double gen = 0, ver = 0;
    for (int i = 0; i < q; i++) {
        int64_t id = 1 + (int64_t)((uint64_t)i * 2654435761u % (uint64_t)events);
        double a = now();
        if (desk_ledger_receipt(d, id, &json))
            continue;
        double b = now();
        struct ledger_receipt r;
        int rc = ledger_receipt_verify_text(json, strlen(json), vkey, &r);
        double c = now();
        ledger_receipt_clear(&r);
        free(json);
        if (rc) {
            fprintf(stderr, "bench_ingest: a receipt did not verify\n");
            exit(1);
        }
        gen += b - a;
        ver += c - b;
    }
    report("receipt: event read + inclusion proof + JSON", gen, q);
    report("receipt: offline verification", ver, q);

    uint8_t proof[LEDGER_MAX_PROOF][32];
    size_t n;
    gen = 0;
    for (int i = 0; i < q; i++) {
        uint64_t s1 = 1 + (uint64_t)i * 7919 % (size - 1);
        double a = now();
        desk_ledger_consistency(d, s1, size, proof, &n);
        gen += now() - a;
    }
    report("consistency proof (desk, in-memory tree)", gen, q);
    free(vkey);
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 20000;
    int threads = argc > 2 ? atoi(argv[2]) : 4;
    int rounds = argc > 3 ? atoi(argv[3]) : 3;
    const char *dir = argc > 4 ? argv[4] : "/tmp";
    if (n < 100 || threads < 1 || threads > 64 || rounds < 1 || rounds > 20)
        return 2;
    double on[20], off[20], con[20], coff[20], cpu;
    int64_t ev_on = 0, ev_off = 0;
    const char *only = getenv("BENCH_LOG");
    if (only) {
        double rate = run(dir, strcmp(only, "off") != 0, n, threads, NULL, &ev_on, &cpu);
        printf("log %s: %.0f msg/s, %.1f us CPU/msg, %" PRId64 " events\n", only, rate, cpu,
               ev_on);
        return 0;
    }
    printf("ingest of %d messages by %d threads, SQLite in %s, %d rounds (off/on interleaved)\n",
           n, threads, dir, rounds);
    for (int r = 0; r < rounds; r++) {
        off[r] = run(dir, 0, n, threads, NULL, &ev_off, &coff[r]);
        on[r] = run(dir, 1, n, threads, NULL, &ev_on, &con[r]);
        printf("round %d: log off %8.0f msg/s %6.1f us CPU/msg   log on %8.0f msg/s %6.1f us "
               "CPU/msg\n", r + 1, off[r], coff[r], on[r], con[r]);
    }
    qsort(con, (size_t)rounds, sizeof con[0], cmp_double);
    qsort(coff, (size_t)rounds, sizeof coff[0], cmp_double);
    qsort(on, (size_t)rounds, sizeof on[0], cmp_double);
    qsort(off, (size_t)rounds, sizeof off[0], cmp_double);
    double mon = on[rounds / 2], moff = off[rounds / 2];
    printf("median: log off %.0f msg/s (%.0f events/s), log on %.0f msg/s (%.0f events/s): "
           "the log costs %.1f%%\n",
           moff, moff * (double)ev_off / n, mon, mon * (double)ev_on / n,
           100.0 * (moff - mon) / moff);
    printf("median CPU per message: log off %.1f us, log on %.1f us: the log costs %.1f%%\n",
           coff[rounds / 2], con[rounds / 2],
           100.0 * (con[rounds / 2] - coff[rounds / 2]) / con[rounds / 2]);
    struct desk *d;
    int64_t events;
    run(dir, 1, n, threads, &d, &events, &cpu);
    proofs(d, events);
    desk_close(d);
    remove_files();
    return 0;
}
