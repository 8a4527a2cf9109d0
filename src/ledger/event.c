/* event.c — canonical leaf bytes of an event ("parley/event/v1") and the
 * audit that names the first stored event that disagrees with the log.
 *
 * Binary, length-prefixed, big-endian: no escaping, no field order or
 * number formatting to agree on, and NULL differs from "". */
#include "ledger/ledger.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/xalloc.h"

static const uint8_t MAGIC[5] = { 'P', 'L', 'E', 'V', 0x01 };

static void put_u64(struct buf *b, uint64_t v)
{
    uint8_t x[8];
    for (int i = 0; i < 8; i++)
        x[i] = (uint8_t)(v >> (56 - 8 * i));
    buf_add(b, x, 8);
}

static int put_str(struct buf *b, const char *s)
{
    size_t n = strlen(s);
    if (n > UINT32_MAX)
        return PL_ETOOBIG;
    uint8_t x[4] = { (uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n };
    buf_add(b, x, 4);
    buf_add(b, s, n);
    return 0;
}

static int put_ostr(struct buf *b, const char *s)
{
    buf_putc(b, s ? 1 : 0);
    return s ? put_str(b, s) : 0;
}

int ledger_event_encode(const struct event *ev, struct buf *out)
{
    if (!ev || !ev->type || (unsigned)ev->actor_kind >= ACTOR__COUNT)
        return PL_EINVAL;
    size_t mark = out->len;
    int rc;
    buf_add(out, MAGIC, sizeof MAGIC);
    put_u64(out, (uint64_t)ev->id);
    if ((rc = put_str(out, ev->type)) < 0 ||
        (rc = put_str(out, actor_kind_name(ev->actor_kind))) < 0)
        goto fail;
    put_u64(out, (uint64_t)ev->actor_id);
    put_u64(out, (uint64_t)ev->ticket_id);
    put_u64(out, (uint64_t)ev->customer_id);
    put_u64(out, (uint64_t)ev->message_id);
    if ((rc = put_ostr(out, ev->before)) < 0 || (rc = put_ostr(out, ev->after)) < 0)
        goto fail;
    put_u64(out, (uint64_t)ev->created_at);
    return 0;
fail:
    out->len = mark;
    if (out->ptr)
        out->ptr[mark] = 0;
    return rc;
}

int ledger_event_leaf_hash(const struct event *ev, uint8_t out[LEDGER_HASH_LEN])
{
    struct buf b = BUF_INIT;
    int rc = ledger_event_encode(ev, &b);
    if (rc == 0)
        ledger_leaf_hash(b.ptr, b.len, out);
    buf_release(&b);
    return rc;
}

/* ---- decoding (for receipts shown to people; input is untrusted) ------ */

struct rd {
    const uint8_t *p;
    size_t n;
};

static int get_u64(struct rd *r, int64_t *v)
{
    if (r->n < 8)
        return PL_EPARSE;
    uint64_t x = 0;
    for (int i = 0; i < 8; i++)
        x = (x << 8) | r->p[i];
    r->p += 8;
    r->n -= 8;
    *v = (int64_t)x;
    return 0;
}

/* Reads a str; *s is a new NUL-terminated copy. Embedded NULs are refused:
 * the encoder (strlen) can never produce them. */
static int get_str(struct rd *r, char **s)
{
    if (r->n < 4)
        return PL_EPARSE;
    size_t len = ((size_t)r->p[0] << 24) | ((size_t)r->p[1] << 16) |
                 ((size_t)r->p[2] << 8) | r->p[3];
    r->p += 4;
    r->n -= 4;
    if (len > r->n || memchr(r->p, 0, len))
        return PL_EPARSE;
    *s = xstrndup((const char *)r->p, len);
    r->p += len;
    r->n -= len;
    return 0;
}

static int get_ostr(struct rd *r, char **s)
{
    if (r->n < 1 || r->p[0] > 1)
        return PL_EPARSE;
    uint8_t present = r->p[0];
    r->p++;
    r->n--;
    *s = NULL;
    return present ? get_str(r, s) : 0;
}

int ledger_event_decode(const void *data, size_t len, struct event *ev)
{
    struct rd r = { data, len };
    char *kind = NULL;
    int64_t id;
    int rc = PL_EPARSE;
    memset(ev, 0, sizeof *ev);
    if (!data || len < sizeof MAGIC || memcmp(data, MAGIC, sizeof MAGIC) != 0)
        return PL_EPARSE;
    r.p += sizeof MAGIC;
    r.n -= sizeof MAGIC;
    if (get_u64(&r, &id) < 0 || get_str(&r, &ev->type) < 0 || get_str(&r, &kind) < 0)
        goto out;
    ev->id = id;
    if (actor_kind_parse(kind, &ev->actor_kind) < 0)
        goto out;
    if (get_u64(&r, &ev->actor_id) < 0 || get_u64(&r, &ev->ticket_id) < 0 ||
        get_u64(&r, &ev->customer_id) < 0 || get_u64(&r, &ev->message_id) < 0 ||
        get_ostr(&r, &ev->before) < 0 || get_ostr(&r, &ev->after) < 0 ||
        get_u64(&r, &ev->created_at) < 0 || r.n != 0)
        goto out;
    rc = 0;
out:
    free(kind);
    if (rc < 0)
        event_clear(ev);
    return rc;
}

/* ---- audit ------------------------------------------------------------ */

void ledger_audit_init(struct ledger_audit *a)
{
    memset(a, 0, sizeof *a);
    ledger_frontier_init(&a->f);
    a->first_bad = UINT64_MAX;
    a->checkpoint_bad_size = UINT64_MAX;
}

int ledger_audit_step(struct ledger_audit *a, const struct event *ev,
                      const uint8_t logged[LEDGER_HASH_LEN])
{
    uint8_t h[LEDGER_HASH_LEN];
    bool ok = ev && logged && ledger_event_leaf_hash(ev, h) == 0 && ledger_hash_equal(h, logged);
    uint64_t idx = a->f.size;
    if (logged) {
        ledger_frontier_push(&a->f, logged);
    } else {
        /* An event with no logged leaf: count it so later indices line up. */
        uint8_t zero[LEDGER_HASH_LEN] = { 0 };
        ledger_frontier_push(&a->f, zero);
    }
    if (ok)
        return 0;
    if (a->first_bad == UINT64_MAX) {
        a->first_bad = idx;
        a->first_bad_event_id = ev ? ev->id : 0;
    }
    return PL_ECHECKSUM;
}

int ledger_audit_checkpoint(struct ledger_audit *a, uint64_t size,
                            const uint8_t root[LEDGER_HASH_LEN])
{
    if (size != a->f.size)
        return PL_EINVAL;
    uint8_t r[LEDGER_HASH_LEN];
    ledger_frontier_root(&a->f, r);
    if (ledger_hash_equal(r, root))
        return 0;
    if (size < a->checkpoint_bad_size)
        a->checkpoint_bad_size = size;
    return PL_ECHECKSUM;
}
