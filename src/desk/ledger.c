/* ledger.c — the desk's tamper-evident log: every event becomes a leaf of
 * an RFC 9162 Merkle tree in the same transaction that stores it.
 *
 * The tree lives in memory (rebuilt from the stored leaf hashes at start);
 * leaves appended by a job sit in a pending list until the writer's
 * COMMIT returns, and are dropped with a job's savepoint, so the tree only
 * ever holds committed events. Checkpoints are signed on demand with the
 * log's Ed25519 key and stored, so every receipt handed out can be proved
 * again later. */
#include "desk/desk_internal.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "ledger/ledger.h"

#include <errno.h>
#include <sodium.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct desk_ledger {
    struct ledger_tree *tree;
    struct ledger_pending pending;
    struct ledger_signer *signer;     /* NULL: no checkpoints can be signed */
    pthread_mutex_t sign_mu;          /* one checkpoint signed at a time */
};

static int load_leaf(void *ctx, int64_t idx, int64_t event_id, const unsigned char hash[32])
{
    struct ledger_tree *t = ctx;
    (void)event_id;
    if ((uint64_t)idx != ledger_tree_size(t))
        return PL_ECHECKSUM; /* a gap in the stored leaves */
    ledger_tree_append(t, hash);
    return 0;
}

static int last_event_of_leaf(void *ctx, int64_t idx, int64_t event_id,
                              const unsigned char hash[32])
{
    (void)idx, (void)hash;
    *(int64_t *)ctx = event_id;
    return 1; /* stop: only the one leaf is wanted */
}

/* Events stored before the log existed (or by an older version) get their
 * leaves now, in id order, in one transaction. */
struct backfill {
    int64_t after;
    long n;
};

static int backfill_event(void *ctx, const struct event *e)
{
    struct desk_tx *tx = ctx;
    return desk_ledger_append(tx, e);
}

static int backfill_fn(struct desk_tx *tx, void *arg)
{
    struct backfill *b = arg;
    return tx->st->ops->event_scan(tx->st, b->after, backfill_event, tx);
}

int desk_ledger_open(struct desk *d, char **err)
{
    if (!d->writer->ops->leaf_scan)
        return 0; /* a backend without the log tables: no log */
    struct desk_ledger *l = xcalloc(1, sizeof *l);
    l->tree = ledger_tree_new();
    pthread_mutex_init(&l->sign_mu, NULL);
    d->ledger = l;
    struct store *st = d->writer;
    int rc = st->ops->leaf_scan(st, 0, load_leaf, l->tree);
    if (rc) {
        if (err)
            *err = xasprintf("the tamper-evident log cannot be loaded: %s",
                             rc == PL_ECHECKSUM ? "leaf indexes have a gap" : store_errmsg(st));
        return rc;
    }
    /* Leaves cover a prefix of the events; find where to continue. */
    int64_t after = 0, last = 0;
    uint64_t n = ledger_tree_size(l->tree);
    if (n > 0 && (rc = st->ops->leaf_scan(st, (int64_t)n - 1, last_event_of_leaf, &after)) != 0 &&
        rc != 1) {
        if (err)
            *err = xasprintf("the tamper-evident log cannot be read: %s", store_errmsg(st));
        return rc;
    }
    if (st->ops->event_last_id(st, &last) == 0 && last > after) {
        struct backfill b = {after, 0};
        rc = desk_exec(d, backfill_fn, &b);
        if (rc) {
            if (err)
                *err = xasprintf("cannot add old events to the log: %s", parley_strerror(rc));
            return rc;
        }
        log_info("ledger: %llu events added to the tamper-evident log",
                 (unsigned long long)(ledger_tree_size(l->tree) - n));
    }
    return 0;
}

void desk_ledger_close(struct desk *d)
{
    struct desk_ledger *l = d->ledger;
    if (!l)
        return;
    ledger_tree_free(l->tree);
    ledger_pending_release(&l->pending);
    ledger_signer_free(l->signer);
    pthread_mutex_destroy(&l->sign_mu);
    free(l);
    d->ledger = NULL;
}

void desk_ledger_disable(struct desk *d)
{
    desk_ledger_close(d);
}

int desk_ledger_append(struct desk_tx *tx, const struct event *e)
{
    struct desk_ledger *l = tx->d->ledger;
    if (!l)
        return 0; /* the log is being opened: desk_ledger_open() backfills */
    uint8_t h[LEDGER_HASH_LEN];
    int rc = ledger_event_leaf_hash(e, h);
    if (rc)
        return rc;
    uint64_t idx = ledger_pending_add(l->tree, &l->pending, h);
    rc = tx->st->ops->leaf_insert(tx->st, (int64_t)idx, e->id, h);
    if (rc)
        ledger_pending_rollback(&l->pending, l->pending.n - 1);
    return rc;
}

size_t desk_ledger_mark(struct desk *d)
{
    return d->ledger ? d->ledger->pending.n : 0;
}

void desk_ledger_rollback(struct desk *d, size_t mark)
{
    if (d->ledger)
        ledger_pending_rollback(&d->ledger->pending, mark);
}

void desk_ledger_commit(struct desk *d)
{
    if (d->ledger)
        ledger_pending_commit(d->ledger->tree, &d->ledger->pending);
}

/* ---- keys ------------------------------------------------------------------ */

static char *read_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    struct buf b = BUF_INIT;
    char tmp[4096];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, fp)) > 0 && b.len < (1u << 20))
        buf_add(&b, tmp, n);
    fclose(fp);
    while (b.len && (b.ptr[b.len - 1] == '\n' || b.ptr[b.len - 1] == '\r'))
        b.ptr[--b.len] = '\0';
    return buf_detach(&b, NULL);
}

static int write_file(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
    if (fd < 0)
        return PL_EIO;
    size_t len = strlen(text);
    int ok = write(fd, text, len) == (ssize_t)len && write(fd, "\n", 1) == 1 && fsync(fd) == 0;
    close(fd);
    return ok ? 0 : PL_EIO;
}

int desk_ledger_keygen(const char *name, const char *path, char **vkey_out, char **err)
{
    char *skey = NULL, *vkey = NULL;
    int rc = ledger_key_generate(name, &skey, &vkey);
    if (rc) {
        if (err)
            *err = xasprintf("cannot generate a key named '%s': %s", name, parley_strerror(rc));
        return rc;
    }
    char *pub = xasprintf("%s.pub", path);
    rc = write_file(path, skey, 0600);
    if (rc == 0 && (rc = write_file(pub, vkey, 0644)) != 0)
        unlink(path);
    if (rc && err)
        *err = xasprintf("cannot create %s or %s: %s", path, pub, strerror(errno));
    free(pub);
    free(skey);
    if (rc == 0 && vkey_out)
        *vkey_out = vkey;
    else
        free(vkey);
    return rc;
}

int desk_ledger_use_key(struct desk *d, const char *path, const char *origin, char **err)
{
    if (!d->ledger) {
        if (err)
            *err = xstrdup("this database has no tamper-evident log");
        return PL_EUNAVAIL;
    }
    char *skey = read_file(path);
    if (!skey && errno == ENOENT && origin) {
        int rc = desk_ledger_keygen(origin, path, NULL, err);
        if (rc)
            return rc;
        log_info("ledger: new signing key %s (public key in %s.pub)", path, path);
        skey = read_file(path);
    }
    if (!skey) {
        if (err)
            *err = xasprintf("cannot read the log's signing key %s", path);
        return PL_EIO;
    }
    struct ledger_signer *s = NULL;
    int rc = ledger_signer_parse(skey, &s);
    sodium_memzero(skey, strlen(skey));
    free(skey);
    if (rc) {
        if (err)
            *err = xasprintf("%s is not a signing key", path);
        return rc;
    }
    ledger_signer_free(d->ledger->signer);
    d->ledger->signer = s;
    return 0;
}

char *desk_ledger_vkey(struct desk *d)
{
    return d->ledger && d->ledger->signer ? ledger_signer_vkey(d->ledger->signer) : NULL;
}

/* ---- checkpoints, proofs, receipts ------------------------------------------ */

struct cp_args {
    int64_t size;
    const char *note;
};

static int checkpoint_fn(struct desk_tx *tx, void *arg)
{
    struct cp_args *a = arg;
    return tx->st->ops->checkpoint_insert(tx->st, a->size, a->note, clock_now_ms());
}

int desk_ledger_checkpoint(struct desk *d, char **note)
{
    struct desk_ledger *l = d->ledger;
    struct store *st = desk_reader(d);
    if (!st || !l)
        return PL_EUNAVAIL;
    pthread_mutex_lock(&l->sign_mu);
    uint64_t size = ledger_tree_size(l->tree);
    int64_t have = 0;
    char *latest = NULL;
    int rc = st->ops->checkpoint_latest(st, &have, &latest);
    if (rc == 0 && (uint64_t)have == size) {
        *note = latest;
        goto out;
    }
    free(latest);
    if (!l->signer) {
        rc = PL_EUNAVAIL;
        goto out;
    }
    uint8_t root[LEDGER_HASH_LEN];
    if ((rc = ledger_tree_root(l->tree, size, root)))
        goto out;
    char *signed_note = NULL;
    if ((rc = ledger_checkpoint_sign(ledger_signer_name(l->signer), size, root, l->signer,
                                     &signed_note)))
        goto out;
    struct cp_args a = {(int64_t)size, signed_note};
    if ((rc = desk_exec(d, checkpoint_fn, &a))) {
        free(signed_note);
        goto out;
    }
    *note = signed_note;
out:
    pthread_mutex_unlock(&l->sign_mu);
    return rc;
}

int desk_ledger_receipt(struct desk *d, int64_t event_id, char **json)
{
    char *note = NULL;
    int rc = d->ledger ? desk_ledger_checkpoint(d, &note) : PL_EUNAVAIL;
    if (rc == 0)
        rc = desk_ledger_receipt_on(d, event_id, note, json);
    free(note);
    return rc;
}

int desk_ledger_receipt_on(struct desk *d, int64_t event_id, const char *note, char **json)
{
    struct store *st = desk_reader(d);
    if (!st || !d->ledger)
        return PL_EUNAVAIL;
    int64_t idx;
    int rc = st->ops->leaf_of_event(st, event_id, &idx);
    if (rc)
        return rc;
    struct event e = {0};
    if ((rc = st->ops->event_get(st, event_id, &e)))
        return rc;
    struct buf bytes = BUF_INIT;
    struct ledger_receipt r = {0};
    if ((rc = ledger_event_encode(&e, &bytes)))
        goto out;
    if ((rc = ledger_receipt_build(d->ledger->tree, (uint64_t)idx, note, bytes.ptr, bytes.len, &r)))
        goto out;
    rc = ledger_receipt_encode(&r, json);
out:
    ledger_receipt_clear(&r);
    buf_release(&bytes);
    event_clear(&e);
    return rc;
}

uint64_t desk_ledger_size(struct desk *d)
{
    return d->ledger ? ledger_tree_size(d->ledger->tree) : 0;
}

int desk_ledger_inclusion(struct desk *d, uint64_t index, uint64_t size,
                          uint8_t proof[][32], size_t *n)
{
    if (!d->ledger)
        return PL_EUNAVAIL;
    return ledger_tree_inclusion_proof(d->ledger->tree, index, size, proof, n);
}

int desk_ledger_consistency(struct desk *d, uint64_t size1, uint64_t size2,
                            uint8_t proof[][32], size_t *n)
{
    if (!d->ledger)
        return PL_EUNAVAIL;
    return ledger_tree_consistency_proof(d->ledger->tree, size1, size2, proof, n);
}

/* ---- verification ---------------------------------------------------------- */

struct verify_ctx {
    struct store *st;
    uint8_t (*leaves)[32];
    int64_t *leaf_events;
    int64_t nleaves, cap;
    struct ledger_audit audit;
    int64_t cp_size;
    uint8_t cp_root[32];
    int64_t pos;               /* events fed so far */
    struct desk_verify_report *rep;
    struct desk_datakey *keys; /* opens sealed message texts (personal.c) */
};

static int collect_leaf(void *ctx, int64_t idx, int64_t event_id, const unsigned char hash[32])
{
    struct verify_ctx *v = ctx;
    if (idx != v->nleaves) {
        v->rep->problem = xasprintf("leaf %lld is missing from the log (found %lld next)",
                                    (long long)v->nleaves, (long long)idx);
        return PL_ECHECKSUM;
    }
    if (v->nleaves == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 1024;
        v->leaves = xrealloc(v->leaves, (size_t)v->cap * sizeof *v->leaves);
        v->leaf_events = xrealloc(v->leaf_events, (size_t)v->cap * sizeof *v->leaf_events);
    }
    memcpy(v->leaves[v->nleaves], hash, 32);
    v->leaf_events[v->nleaves++] = event_id;
    return 0;
}

static void check_cp(struct verify_ctx *v)
{
    if (v->cp_size > 0 && v->pos == v->cp_size &&
        ledger_audit_checkpoint(&v->audit, (uint64_t)v->cp_size, v->cp_root) != 0 &&
        !v->rep->problem)
        v->rep->problem = xasprintf("the log does not match the signed checkpoint of size %lld: "
                                    "the leaf table itself was rewritten",
                                    (long long)v->cp_size);
}

static int feed_event(void *ctx, const struct event *e)
{
    struct verify_ctx *v = ctx;
    const uint8_t *logged = v->pos < v->nleaves ? v->leaves[v->pos] : NULL;
    if (ledger_audit_step(&v->audit, e, logged) != 0 && !v->rep->problem) {
        if (!logged)
            v->rep->problem = xasprintf("event %lld (%s) is not in the log", (long long)e->id,
                                        e->type);
        else if (v->leaf_events[v->pos] != e->id)
            v->rep->problem = xasprintf(
                "leaf %lld was logged for event %lld but the store has event %lld (%s) there: "
                "an event was deleted, inserted or reordered",
                (long long)v->pos, (long long)v->leaf_events[v->pos], (long long)e->id, e->type);
        else
            v->rep->problem = xasprintf("event %lld (%s) was altered after it was logged (leaf %lld)",
                                        (long long)e->id, e->type, (long long)v->pos);
    }
    /* The rows the events describe must still say what was logged: a
     * message's text is committed through its event. */
    if (e->message_id && strncmp(e->type, "message.", 8) == 0 && !v->rep->problem) {
        struct message m = {0};
        json_t *after = NULL;
        int orc = desk_personal_open(v->keys, v->st, e->customer_id, e->after, &after);
        if (orc == PL_ESTATE)
            v->rep->erased++;      /* erased: the leaf hash alone vouches for it */
        else if (orc == PL_EUNAVAIL)
            v->rep->unopened++;    /* no data key here */
        else if (orc)
            v->rep->problem = xasprintf("the sealed text of event %lld (message %lld) does not "
                                        "open with the data key: %s",
                                        (long long)e->id, (long long)e->message_id,
                                        parley_strerror(orc));
        const char *logged_body = json_string_value(json_object_get(after, "body"));
        int rc = v->rep->problem ? 0 : v->st->ops->message_get(v->st, e->message_id, &m);
        if (rc == PL_ENOTFOUND)
            v->rep->problem = xasprintf("message %lld was deleted (logged by event %lld)",
                                        (long long)e->message_id, (long long)e->id);
        else if (rc == 0 && logged_body && (!m.body || strcmp(m.body, logged_body) != 0))
            v->rep->problem = xasprintf("message %lld was altered: its text differs from the "
                                        "logged event %lld",
                                        (long long)e->message_id, (long long)e->id);
        message_clear(&m);
        json_decref(after);
    }
    v->pos++;
    v->rep->events++;
    check_cp(v);
    return 0;
}

int desk_ledger_verify(const char *db_url, const char *vkey, struct desk_verify_report *rep)
{
    memset(rep, 0, sizeof *rep);
    struct verify_ctx v = {0};
    v.rep = rep;
    char *err = NULL, *note = NULL;
    int rc = store_open(db_url, 0, &v.st, &err);
    if (rc) {
        rep->problem = err ? err : xstrdup("cannot open the database");
        return rc;
    }
    if (!v.st->ops->leaf_scan || !v.st->ops->event_scan) {
        rep->problem = xstrdup("this storage backend keeps no tamper-evident log");
        store_close(v.st);
        return PL_EUNAVAIL;
    }
    char *keypath = desk_data_key_default(db_url);
    v.keys = desk_datakey_new(keypath);
    free(keypath);
    ledger_audit_init(&v.audit);
    rc = v.st->ops->leaf_scan(v.st, 0, collect_leaf, &v);
    if (rc == PL_ECHECKSUM) {
        rc = 0;
        goto out;
    }
    if (rc)
        goto out;
    rep->leaves = v.nleaves;
    if (v.st->ops->checkpoint_latest(v.st, &v.cp_size, &note) == 0) {
        struct ledger_checkpoint cp = {0};
        struct ledger_verifier *ver = NULL;
        int crc;
        if (vkey) {
            crc = ledger_verifier_parse(vkey, &ver);
            if (crc == 0)
                crc = ledger_checkpoint_open(note, strlen(note), ver, NULL, &cp);
        } else {
            struct ledger_note n;
            crc = ledger_note_parse(note, strlen(note), &n);
            if (crc == 0)
                crc = ledger_checkpoint_parse(n.text, n.text_len, &cp);
            ledger_note_clear(&n);
        }
        if (crc) {
            rep->problem = xasprintf("the latest checkpoint (size %lld) does not verify: %s",
                                     (long long)v.cp_size, parley_strerror(crc));
        } else {
            memcpy(v.cp_root, cp.root, 32);
            rep->checkpoint_size = v.cp_size;
            if (v.cp_size > v.nleaves)
                rep->problem = xasprintf("the log has %lld leaves but a checkpoint signed %lld: "
                                         "leaves were removed",
                                         (long long)v.nleaves, (long long)v.cp_size);
        }
        ledger_checkpoint_clear(&cp);
        ledger_verifier_free(ver);
    }
    if ((rc = v.st->ops->event_scan(v.st, 0, feed_event, &v)))
        goto out;
    /* Leaves left over: events deleted from the end. */
    for (; v.pos < v.nleaves; v.pos++) {
        if (ledger_audit_step(&v.audit, NULL, v.leaves[v.pos]) != 0 && !rep->problem)
            rep->problem = xasprintf("event %lld (leaf %lld) was deleted from the store",
                                     (long long)v.leaf_events[v.pos], (long long)v.pos);
        check_cp(&v);
    }
out:
    rep->ok = rc == 0 && !rep->problem;
    free(note);
    free(v.leaves);
    free(v.leaf_events);
    desk_datakey_free(v.keys);
    store_close(v.st);
    return rc;
}
