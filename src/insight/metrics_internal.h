/* metrics_internal.h — the metrics engine's state, shared by metrics.c
 * and metrics_snap.c only. Not part of the API. */
#ifndef PARLEY_INSIGHT_METRICS_INTERNAL_H
#define PARLEY_INSIGHT_METRICS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "insight/metrics.h"

/* A small open-addressing map: (a, b) → dense index (UINT32_MAX = empty). */
struct imap {
    uint64_t *ka, *kb;
    uint32_t *v;       /* UINT32_MAX = empty */
    size_t cap, n;
};

uint32_t insight__imap_get(const struct imap *m, uint64_t a, uint64_t b); /* UINT32_MAX: none */
void insight__imap_put(struct imap *m, uint64_t a, uint64_t b, uint32_t val);
void insight__imap_free(struct imap *m);

enum { F_FCR = 1, F_ESCALATED = 2, F_RESOLVED_ONCE = 4, F_KNOWN_START = 8, F_REPEAT = 16 };

struct dims {
    int64_t agent;
    int category, channel, priority;
};

/* The compact per-ticket state (128 bytes). */
struct tstate {
    int64_t id, customer_id, created_at, first_reply_at, first_resolved_at, last_activity;
    int64_t sla_first_due, sla_resolve_due, handle_ms;
    struct dims d, fcr_d;      /* current dims; dims when counted as FCR */
    uint8_t status, replies, flags;
};

struct cstate {
    int64_t last_ticket, last_resolved_at;
};

struct row {
    struct insight_key k;
    struct insight_agg a;
};

struct insight_metrics {
    struct insight_metrics_config cfg;
    struct imap tmap, cmap, rmap;
    struct tstate *t;
    size_t nt, capt;
    struct cstate *c;
    size_t nc, capc;
    struct row *r;
    size_t nr, capr;
    char **cats;               /* cats[0] unused: id 0 = none */
    size_t ncats, capcats;
    int64_t min_day;           /* earliest day start seen; INT64_MAX = none */
    int64_t max_day;           /* latest day start seen */
    void (*fact_fn)(void *ctx, const struct insight_fact *f);   /* not saved */
    void *fact_ctx;
};

#endif
