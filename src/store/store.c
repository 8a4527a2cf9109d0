/* store.c — store_open() dispatch by URL, and the backend-independent
 * helpers declared in store.h and store_internal.h. */
#include "store/store.h"
#include "store/store_internal.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

int store_open(const char *url, int migrate, struct store **out, char **err)
{
    struct store *st = NULL;
    int rc;

    *out = NULL;
    if (err)
        *err = NULL;
    if (!url) {
        rc = PL_EINVAL;
        if (err)
            *err = xstrdup("no database URL");
        goto out;
    }
    if (strncmp(url, "sqlite:", 7) == 0) {
        const char *path = url + 7;
        if (strncmp(path, "//", 2) == 0)   /* sqlite:///abs/path */
            path += 2;
        rc = store_sqlite_open(path, &st, err);
    } else if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0) {
        rc = store_postgres_open(url, &st, err);
    } else {
        rc = PL_EINVAL;
        if (err)
            *err = xasprintf("unknown database URL (want sqlite:PATH or postgresql://...): %s", url);
        goto out;
    }
    if (rc)
        goto out;
    if (migrate && (rc = store_migrate(st, err)) != 0) {
        st->ops->close(st);
        st = NULL;
        goto out;
    }
    *out = st;
    st = NULL;
out:
    return rc;
}

int store_migrate(struct store *st, char **err)
{
    int rc = st->ops->migrate(st);
    if (rc && err)
        *err = xasprintf("migration failed: %s", st->ops->errmsg(st));
    return rc;
}

void store_close(struct store *st)
{
    if (st)
        st->ops->close(st);
}

const char *store_errmsg(struct store *st)
{
    return st ? st->ops->errmsg(st) : "no store";
}

void ticket_filter_init(struct ticket_filter *f)
{
    memset(f, 0, sizeof *f);
    f->priority = -1;
    f->assignee_id = -1;
}

int64_t ticket_sort_key(enum ticket_sort sort, const struct ticket *t)
{
    switch (sort) {
    case TSORT_UPDATED:
        return t->updated_at;
    case TSORT_PRIORITY:
        return t->priority;
    case TSORT_CREATED:
    default:
        return t->created_at;
    }
}

void apikey_clear(struct apikey *k)
{
    if (!k)
        return;
    free(k->name);
    memset(k, 0, sizeof *k);
}

#define FREE_ARRAY(fn, type, clear)            \
    void fn(struct type *v, size_t n)          \
    {                                          \
        if (!v)                                \
            return;                            \
        for (size_t i = 0; i < n; i++)         \
            clear(&v[i]);                      \
        free(v);                               \
    }

FREE_ARRAY(store_free_identities, identity, identity_clear)
FREE_ARRAY(store_free_tickets, ticket, ticket_clear)
FREE_ARRAY(store_free_messages, message, message_clear)
FREE_ARRAY(store_free_events, event, event_clear)
FREE_ARRAY(store_free_users, user, user_clear)
FREE_ARRAY(store_free_apikeys, apikey, apikey_clear)

void store__hex32(const unsigned char h[32], char out[65])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out[2 * i] = digits[h[i] >> 4];
        out[2 * i + 1] = digits[h[i] & 15];
    }
    out[64] = '\0';
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

int store__unhex32(const char *s, unsigned char out[32])
{
    if (!s || strlen(s) != 64)
        return -1;
    for (int i = 0; i < 32; i++) {
        int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return 0;
}

void witness_clear(struct witness *w)
{
    if (!w)
        return;
    free(w->name);
    free(w->vkey);
    memset(w, 0, sizeof *w);
}

void store_free_witnesses(struct witness *v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        witness_clear(&v[i]);
    free(v);
}

void dispute_clear(struct dispute *d)
{
    if (!d)
        return;
    free(d->question);
    free(d->status);
    free(d->decision);
    free(d->reviewers);
    for (size_t i = 0; i < d->nvotes; i++) {
        free(d->votes[i].decision);
        free(d->votes[i].reason);
    }
    free(d->votes);
    memset(d, 0, sizeof *d);
}

void store_free_disputes(struct dispute *v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        dispute_clear(&v[i]);
    free(v);
}
