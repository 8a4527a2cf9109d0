/* bench_conflicts.c — the ROI's in-memory conflict index (insight/
 * conflicts.h) at the shape of `parley demo --tickets N`: N tickets over
 * 180 days, 48.5 % of them conflicts, a customer per two tickets, one
 * resolution fact per conflict ticket, an order for one customer in ten.
 * Prints the time to load it and the p50 / p99 of the ROI's two counts
 * (90 days and the 90 before) — what /roi spends in it.
 *   meson setup build-rel-t --buildtype=release && ninja -C build-rel-t \
 *       tests/insight/bench_conflicts && build-rel-t/tests/insight/bench_conflicts [N [ROUNDS]] */
#include "insight/conflicts.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define DAY 86400000LL

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    int rounds = argc > 2 ? atoi(argv[2]) : 200;
    if (n < 2 || rounds < 1) {
        fprintf(stderr, "usage: bench_conflicts [TICKETS [ROUNDS]]\n");
        return 2;
    }
    const int64_t end = 1795392000000LL, start = end - 180 * DAY;
    unsigned seed = 1;
    double t0 = now_ms();
    struct insight_conflicts *c = insight_conflicts_new();
    int64_t customers = n / 2;
    for (long id = 1; id <= n; id++) {
        if (rand_r(&seed) % 1000 >= 485)
            continue;
        int64_t at = start + (int64_t)((double)(id - 1) / (double)n * 180.0 * DAY);
        insight_conflicts_load(c, id, at, 1 + rand_r(&seed) % customers);
    }
    insight_conflicts_sort(c);
    seed = 1;
    for (long id = 1; id <= n; id++) {
        if (rand_r(&seed) % 1000 >= 485)
            continue;
        int64_t at = start + (int64_t)((double)(id - 1) / (double)n * 180.0 * DAY);
        rand_r(&seed);
        insight_conflicts_fact(c, id, at + 3600000, 60000 + rand_r(&seed) % 3600000);
    }
    for (int64_t k = 1; k <= customers; k += 10)
        insight_conflicts_order(c, k, start + (int64_t)(rand_r(&seed) % 180) * DAY);
    printf("%ld tickets: index loaded in %.0f ms\n", n, now_ms() - t0);

    double *t = malloc((size_t)rounds * sizeof *t);
    struct insight_conflicts_count p, b;
    for (int r = 0; r < rounds; r++) {
        double a = now_ms();
        insight_conflicts_count(c, end - 90 * DAY, end, end + 90 * DAY, &p);
        insight_conflicts_count(c, end - 180 * DAY, end - 90 * DAY, end, &b);
        t[r] = now_ms() - a;
    }
    qsort(t, (size_t)rounds, sizeof *t, by_value);
    printf("both periods: p50 %.2f ms, p99 %.2f ms (period: %lld customers, %lld retained; "
           "baseline: %lld customers, %lld retained)\n",
           t[rounds / 2], t[(int)(rounds * 0.99)], (long long)p.customers,
           (long long)p.retained, (long long)b.customers, (long long)b.retained);
    free(t);
    insight_conflicts_free(c);
    return 0;
}
