/* bench_store.c — ticket-list latency at scale, on either backend.
 *
 *   bench_store [URL] [N]     (default: a temp SQLite file, N = 1000000)
 *
 * Fills an empty database with N tickets (10% new/open/pending, the rest
 * resolved/closed; 4 priorities; 50 agents; 10,000 customers), then times
 * the list queries the UI issues: the inbox (open, most urgent first) and
 * its next pages, the inbox by last update, one agent's queue, one
 * customer's tickets, and the open count. Prints the median of 21 runs. */
#include "store/store.h"
#include "base/clock.h"
#include "base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OPEN_MASK (1u << STATUS_NEW | 1u << STATUS_OPEN | 1u << STATUS_PENDING)
#define RUNS 21

static uint64_t rng = 88172645463325252ull;

static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Median wall time (µs) of listing f `pages` pages deep. */
static int64_t time_list(struct store *st, struct ticket_filter f, int pages, size_t *rows)
{
    int64_t t[RUNS];
    for (int r = 0; r < RUNS; r++) {
        struct ticket_filter g = f;
        int64_t t0 = clock_mono_ns();
        *rows = 0;
        for (int p = 0; p < pages; p++) {
            struct ticket *v = NULL;
            size_t n = 0;
            if (st->ops->ticket_list(st, &g, &v, &n)) {
                fprintf(stderr, "list: %s\n", store_errmsg(st));
                exit(1);
            }
            *rows += n;
            if (n) {
                g.has_cursor = 1;
                g.cursor_key = ticket_sort_key(g.sort, &v[n - 1]);
                g.cursor_id = v[n - 1].id;
            }
            store_free_tickets(v, n);
        }
        t[r] = (clock_mono_ns() - t0) / 1000;
    }
    qsort(t, RUNS, sizeof t[0], cmp_i64);
    return t[RUNS / 2];
}

int main(int argc, char **argv)
{
    char tmp[] = "/tmp/parley-bench-XXXXXX";
    char *url = NULL, *err = NULL;
    long n = argc > 2 ? atol(argv[2]) : 1000000;
    struct store *st = NULL;

    if (argc > 1 && strcmp(argv[1], "-") != 0) {
        url = xstrdup(argv[1]);
    } else {
        if (!mkdtemp(tmp))
            return 1;
        url = xasprintf("sqlite:%s/bench.db", tmp);
    }
    if (store_open(url, 1, &st, &err)) {
        fprintf(stderr, "open %s: %s\n", url, err);
        return 1;
    }
    printf("backend %s, %ld tickets\n", st->ops->name, n);

    int64_t t0 = clock_mono_ns();
    int64_t cust0 = 0;
    st->ops->begin(st);
    for (int i = 0; i < 10000; i++) {
        struct customer c = {.name = (char *)"bench", .created_at = 1};
        st->ops->customer_insert(st, &c);
        if (!cust0)
            cust0 = c.id;
    }
    int64_t base = 1700000000000;
    for (long i = 0; i < n; i++) {
        uint64_t r = next_rand();
        struct ticket t = {
            .customer_id = cust0 + (int64_t)(r % 10000),
            .subject = (char *)"Заказ не доставлен / order not delivered",
            .status = (r >> 20) % 10 == 0 ? (enum ticket_status)((r >> 24) % 3)
                                          : (enum ticket_status)(3 + (r >> 24) % 2),
            .priority = (enum priority)((r >> 28) % 4),
            .category = (char *)((r >> 32) % 2 ? "delivery" : "billing"),
            .channel = CHANNEL_EMAIL,
            .assignee_id = (int64_t)((r >> 36) % 51),
            .created_at = base + i * 1000,
            .updated_at = base + i * 1000 + (int64_t)((r >> 40) % 100000000),
        };
        if (st->ops->ticket_insert(st, &t)) {
            fprintf(stderr, "insert: %s\n", store_errmsg(st));
            return 1;
        }
        if (i % 100000 == 99999) {
            st->ops->commit(st);
            st->ops->begin(st);
        }
    }
    st->ops->commit(st);
    printf("filled in %.1f s\n", (double)(clock_mono_ns() - t0) / 1e9);

    struct {
        const char *name;
        unsigned mask;
        enum ticket_sort sort;
        int64_t assignee;
        int64_t customer;
        int pages;
    } q[] = {
        {"inbox, priority desc, page 1", OPEN_MASK, TSORT_PRIORITY, -1, 0, 1},
        {"inbox, priority desc, pages 1-20", OPEN_MASK, TSORT_PRIORITY, -1, 0, 20},
        {"inbox, priority desc, pages 1-400", OPEN_MASK, TSORT_PRIORITY, -1, 0, 400},
        {"inbox, updated desc, page 1", OPEN_MASK, TSORT_UPDATED, -1, 0, 1},
        {"agent 7 queue, priority desc", OPEN_MASK, TSORT_PRIORITY, 7, 0, 1},
        {"unassigned open, created desc", OPEN_MASK, TSORT_CREATED, 0, 0, 1},
        {"all tickets, created desc", 0, TSORT_CREATED, -1, 0, 1},
        {"one customer, updated desc", 0, TSORT_UPDATED, -1, cust0 + 42, 1},
    };
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
        struct ticket_filter f;
        ticket_filter_init(&f);
        f.status_mask = q[i].mask;
        f.sort = q[i].sort;
        f.assignee_id = q[i].assignee;
        f.customer_id = q[i].customer;
        size_t rows = 0;
        int64_t us = time_list(st, f, q[i].pages, &rows);
        printf("%-36s %6zu rows  %8.2f ms\n", q[i].name, rows, (double)us / 1000);
    }
    struct ticket_filter f;
    ticket_filter_init(&f);
    f.status_mask = OPEN_MASK;
    int64_t cnt = 0, c0 = clock_mono_ns();
    st->ops->ticket_count(st, &f, &cnt);
    printf("%-36s %6lld       %8.2f ms\n", "count open", (long long)cnt,
           (double)(clock_mono_ns() - c0) / 1e6);

    store_close(st);
    if (strncmp(url, "sqlite:/tmp/parley-bench-", 25) == 0) {
        char *p;
        static const char *const sfx[] = {"", "-wal", "-shm"};
        for (int i = 0; i < 3; i++) {
            p = xasprintf("%s/bench.db%s", tmp, sfx[i]);
            unlink(p);
            free(p);
        }
        rmdir(tmp);
    }
    free(url);
    free(err);
    return 0;
}
