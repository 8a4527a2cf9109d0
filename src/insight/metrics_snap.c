/* metrics_snap.c — binary snapshot of the metrics engine, checksummed. */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/fnv.h"
#include "base/utf8.h"
#include "base/xalloc.h"
#include "insight/metrics_internal.h"

#define MAGIC "parley-metrics\n"
#define MAGIC_LEN 15
#define VERSION 1

static void put_u32(struct buf *b, uint32_t v)
{
    buf_add(b, &v, sizeof v);
}

static void put_u64(struct buf *b, uint64_t v)
{
    buf_add(b, &v, sizeof v);
}

void insight_metrics_save(const struct insight_metrics *m, struct buf *out)
{
    size_t start = out->len;
    buf_add(out, MAGIC, MAGIC_LEN);
    put_u32(out, VERSION);
    put_u32(out, (uint32_t)sizeof(struct tstate));
    put_u32(out, (uint32_t)sizeof(struct insight_agg));
    put_u32(out, (uint32_t)sizeof(struct insight_metrics_config));
    buf_add(out, &m->cfg, sizeof m->cfg);
    put_u32(out, (uint32_t)m->ncats);
    for (size_t i = 1; i < m->ncats; i++) {
        uint32_t n = (uint32_t)strlen(m->cats[i]);
        put_u32(out, n);
        buf_add(out, m->cats[i], n);
    }
    put_u64(out, m->nr);
    for (size_t i = 0; i < m->nr; i++) {
        const struct row *r = &m->r[i];
        put_u64(out, (uint64_t)r->k.start);
        put_u32(out, (uint32_t)r->k.gran);
        put_u32(out, (uint32_t)r->k.dim);
        put_u64(out, (uint64_t)r->k.value);
        buf_add(out, &r->a, sizeof r->a);
    }
    put_u64(out, m->nt);
    buf_add(out, m->t, m->nt * sizeof *m->t);
    put_u64(out, m->nc);
    /* Customers are keyed by id only in the map: walk it. */
    for (size_t i = 0; i < m->cmap.cap; i++) {
        if (m->cmap.v[i] == UINT32_MAX)
            continue;
        put_u64(out, m->cmap.ka[i]);
        buf_add(out, &m->c[m->cmap.v[i]], sizeof(struct cstate));
    }
    put_u64(out, fnv1a(FNV1A_INIT, out->ptr + start, out->len - start));
}

struct reader {
    const char *p, *end;
};

static int take(struct reader *r, void *dst, size_t n)
{
    if ((size_t)(r->end - r->p) < n)
        return -1;
    memcpy(dst, r->p, n);
    r->p += n;
    return 0;
}

static bool dims_ok(const struct dims *d, size_t ncats)
{
    return d->agent >= 0 && d->category >= 0 && (size_t)d->category < ncats &&
           d->channel >= 0 && d->channel < CHANNEL__COUNT && d->priority >= 0 &&
           d->priority < PRIORITY__COUNT;
}

int insight_metrics_load(const char *p, size_t len, struct insight_metrics **out)
{
    *out = NULL;
    if (!p || len < MAGIC_LEN + 8 || memcmp(p, MAGIC, MAGIC_LEN))
        return PL_EFORMAT;
    uint64_t want;
    memcpy(&want, p + len - 8, 8);
    if (fnv1a(FNV1A_INIT, p, len - 8) != want)
        return PL_ECHECKSUM;
    struct reader r = {p + MAGIC_LEN, p + len - 8};
    uint32_t ver, st, sa, sc, ncats;
    struct insight_metrics_config cfg;
    if (take(&r, &ver, 4) || take(&r, &st, 4) || take(&r, &sa, 4) || take(&r, &sc, 4) ||
        ver != VERSION || st != sizeof(struct tstate) || sa != sizeof(struct insight_agg) ||
        sc != sizeof cfg || take(&r, &cfg, sizeof cfg) || take(&r, &ncats, 4) || ncats < 1 ||
        ncats > 65535)
        return PL_EFORMAT;
    struct insight_metrics *m = insight_metrics_new(&cfg);
    int rc = PL_EFORMAT;
    for (uint32_t i = 1; i < ncats; i++) {
        uint32_t n;
        if (take(&r, &n, 4) || n == 0 || n > 4096 || (size_t)(r.end - r.p) < n ||
            !utf8_valid(r.p, n))
            goto bad;
        if (m->ncats == m->capcats) {
            m->capcats *= 2;
            m->cats = xrealloc(m->cats, m->capcats * sizeof *m->cats);
        }
        m->cats[m->ncats++] = xstrndup(r.p, n);
        r.p += n;
    }
    uint64_t nr, nt, nc;
    if (take(&r, &nr, 8) || nr > (uint64_t)(r.end - r.p) / sizeof(struct insight_agg))
        goto bad;
    for (uint64_t i = 0; i < nr; i++) {
        uint64_t start, value;
        uint32_t gran, dim;
        struct insight_agg a;
        if (take(&r, &start, 8) || take(&r, &gran, 4) || take(&r, &dim, 4) ||
            take(&r, &value, 8) || take(&r, &a, sizeof a) || gran >= INSIGHT_GRAN__COUNT ||
            dim >= INSIGHT_DIM__COUNT || (int64_t)start < -INSIGHT_MAX_ABS_MS ||
            (int64_t)start > INSIGHT_MAX_ABS_MS)
            goto bad;
        struct insight_key k = {(int64_t)start, (enum insight_gran)gran, (enum insight_dim)dim,
                                (int64_t)value};
        insight_metrics_put_row(m, &k, &a);
    }
    if (take(&r, &nt, 8) || nt > (uint64_t)(r.end - r.p) / sizeof(struct tstate) ||
        nt >= UINT32_MAX)
        goto bad;
    m->capt = m->nt = (size_t)nt;
    m->t = xmalloc((nt ? nt : 1) * sizeof *m->t);
    if (take(&r, m->t, nt * sizeof *m->t))
        goto bad;
    for (size_t i = 0; i < m->nt; i++) {
        const struct tstate *t = &m->t[i];
        if (t->status >= STATUS__COUNT || !dims_ok(&t->d, m->ncats) ||
            !dims_ok(&t->fcr_d, m->ncats) ||
            insight__imap_get(&m->tmap, (uint64_t)t->id, 0) != UINT32_MAX)
            goto bad;
        insight__imap_put(&m->tmap, (uint64_t)t->id, 0, (uint32_t)i);
    }
    if (take(&r, &nc, 8) || nc > (uint64_t)(r.end - r.p) / (8 + sizeof(struct cstate)) ||
        nc >= UINT32_MAX)
        goto bad;
    m->capc = m->nc = (size_t)nc;
    m->c = xmalloc((nc ? nc : 1) * sizeof *m->c);
    for (size_t i = 0; i < m->nc; i++) {
        uint64_t id;
        if (take(&r, &id, 8) || take(&r, &m->c[i], sizeof m->c[i]) ||
            insight__imap_get(&m->cmap, id, 1) != UINT32_MAX)
            goto bad;
        insight__imap_put(&m->cmap, id, 1, (uint32_t)i);
    }
    if (r.p != r.end)
        goto bad;
    *out = m;
    return 0;
bad:
    insight_metrics_free(m);
    return rc;
}
