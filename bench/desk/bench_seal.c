/* bench_seal.c — the desk's ingest throughput (every message's events
 * sealed under its customer's key and appended to the log), then the cost
 * of exporting and erasing one customer in the filled database.
 *
 *   meson setup build-rel --buildtype=release -Dtests=true && ninja -C build-rel tests/desk/bench_seal
 *   ./build-rel/tests/desk/bench_seal [messages=20000] [URL=sqlite:/tmp/bench-seal.db?sync=normal]
 *
 * No text engine: the figure is the writer's own work (rows, events,
 * sealing, leaves, commit). Four threads ingest at once so the writer
 * groups their commits as the server does. Compiled with
 * -DBENCH_NO_ERASURE it builds against the tree before erasure existed,
 * for the before/after comparison in docs/benchmarks.md. */
#include <pthread.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "desk/desk.h"
#ifndef BENCH_NO_ERASURE
#include "desk/desk_internal.h"
#endif

#define THREADS 4

static const char *const bodies[] = {
    "My order #%d never arrived and nobody answers my e-mails. I want a refund now.",
    "Hello, the invoice %d shows a double charge on my card, please check it.",
    "Заказ %d до сих пор не доставлен, курьер не отвечает на звонки. Верните деньги.",
    "Thanks, the replacement for order %d works fine now!",
};

struct job {
    struct desk *d;
    int from, n;
    int failed;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU seconds (user + system) the process used so far: on a shared,
 * loaded machine a steadier measure of work than the wall clock. */
static double cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

#ifndef BENCH_NO_ERASURE
/* The sealing step alone: one message.inbound payload sealed `rounds`
 * times for one customer (key lookup, unwrap, JSON, secretbox), inside one
 * writer transaction. */
struct seal_job {
    int64_t customer_id;
    int rounds;
};

static int seal_many(struct desk_tx *tx, void *arg)
{
    struct seal_job *j = arg;
    const char *after = "{\"body\":\"My order #1234 never arrived and nobody answers my e-mails. "
                        "I want a refund now.\",\"channel\":\"email\",\"message_id\":981,"
                        "\"subject\":\"Order 1234\"}";
    for (int i = 0; i < j->rounds; i++) {
        char *b = NULL, *a = NULL;
        int rc = desk_personal_seal(tx, j->customer_id, NULL, after, &b, &a);
        free(b);
        free(a);
        if (rc)
            return rc;
    }
    return 0;
}
#endif

static void *ingest_many(void *arg)
{
    struct job *j = arg;
    const struct desk_actor sys = DESK_SYSTEM;
    for (int i = j->from; i < j->from + j->n; i++) {
        char mail[64], name[64], subject[64], body[256];
        snprintf(mail, sizeof mail, "customer%d@example.com", i / 4);
        snprintf(name, sizeof name, "Customer Number %d", i / 4);
        snprintf(subject, sizeof subject, "Order %d", i);
        snprintf(body, sizeof body, bodies[i % 4], i);
        struct desk_inbound in = {.channel = CHANNEL_EMAIL, .id_kind = IDENTITY_EMAIL,
                                  .id_value = mail, .customer_name = name, .subject = subject,
                                  .body = body};
        struct desk_ingest_result r;
        if (desk_ingest(j->d, &sys, &in, &r) != 0)
            j->failed++;
    }
    return NULL;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 20000;
    const char *url = argc > 2 ? argv[2] : "sqlite:/tmp/bench-seal.db?sync=normal";
    if (n < THREADS) {
        fprintf(stderr, "usage: bench_seal [messages >= %d] [URL]\n", THREADS);
        return 2;
    }
    static const char fresh[] = "sqlite:/tmp/bench-seal.db";
    if (strncmp(url, fresh, sizeof fresh - 1) == 0) {
        unlink("/tmp/bench-seal.db");
        unlink("/tmp/bench-seal.db-wal");
        unlink("/tmp/bench-seal.db-shm");
        unlink("/tmp/bench-seal.db.data-key");
    }
    struct desk *d = NULL;
    char *err = NULL;
    if (desk_open(url, &d, &err)) {
        fprintf(stderr, "bench_seal: %s\n", err ? err : "cannot open");
        return 1;
    }
    struct job jobs[THREADS];
    pthread_t th[THREADS];
    double t0 = now(), c0 = cpu();
    for (int i = 0; i < THREADS; i++) {
        jobs[i] = (struct job){d, i * (n / THREADS), n / THREADS, 0};
        pthread_create(&th[i], NULL, ingest_many, &jobs[i]);
    }
    int failed = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        failed += jobs[i].failed;
    }
    double dt = now() - t0, dc = cpu() - c0;
    int done = (n / THREADS) * THREADS;
    printf("ingest: %d messages in %.2f s = %.0f messages/s (%d failed), %llu log leaves; "
           "%.1f us CPU per message\n", done, dt, done / dt, failed,
           (unsigned long long)desk_ledger_size(d), dc * 1e6 / done);
#ifndef BENCH_NO_ERASURE
    const struct desk_actor sys = DESK_SYSTEM;
    struct seal_job sj = {2, 100000};
    t0 = now();
    c0 = cpu();
    int src = desk_exec(d, seal_many, &sj);
    printf("sealing alone: %s, %.2f us per payload (%.2f us CPU)\n", src ? "failed" : "ok",
           (now() - t0) * 1e6 / sj.rounds, (cpu() - c0) * 1e6 / sj.rounds);
    char *json = NULL;
    t0 = now();
    int rc = desk_customer_export(d, &sys, 1, &json);
    printf("export of customer 1: %s, %zu bytes in %.1f ms\n", rc ? "failed" : "ok",
           json ? strlen(json) : 0, (now() - t0) * 1e3);
    free(json);
    struct desk_erase_result res;
    t0 = now();
    rc = desk_customer_erase(d, &sys, 1, &res);
    printf("erase of customer 1: %s (%lld messages, scrubbed: %s) in %.1f ms\n",
           rc ? "failed" : "ok", (long long)res.messages, res.scrubbed ? "yes" : "no",
           (now() - t0) * 1e3);
#endif
    desk_close(d);
    return failed ? 1 : 0;
}
