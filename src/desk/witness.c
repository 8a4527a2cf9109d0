/* witness.c — the log's witnesses: parties an admin registered whose
 * cosignatures of checkpoints the desk verifies, stores and serves with
 * the checkpoint (docs/ledger.md, "Witness protocol").
 *
 * Registering a witness is an event. Storing a cosignature is not: it
 * adds no fact to the record, only a signed statement about a checkpoint,
 * and making it a leaf would grow the tree each time a witness signed it,
 * so the cosigned checkpoint would always be one behind. */
#include "desk/desk_internal.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "ledger/ledger.h"

#include <stdlib.h>
#include <string.h>

struct witness_args {
    const struct desk_actor *who;
    struct witness *w;
};

static int witness_add_fn(struct desk_tx *tx, void *arg)
{
    struct witness_args *a = arg;
    int rc = tx->st->ops->witness_insert(tx->st, a->w);
    if (rc)
        return rc;
    char *after = desk_json_text(json_pack("{s:I,s:s,s:s}", "witness_id", (json_int_t)a->w->id,
                                           "name", a->w->name, "key", a->w->vkey));
    rc = desk_event(tx, a->who, "ledger.witness_added", 0, 0, 0, NULL, after, a->w->created_at);
    free(after);
    return rc;
}

int desk_witness_add(struct desk *d, const struct desk_actor *who, const char *vkey,
                     struct witness *out)
{
    if (!(who->kind == ACTOR_SYSTEM || (who->kind == ACTOR_USER && who->role == ROLE_ADMIN)))
        return PL_EFORBIDDEN;
    if (!d->writer->ops->witness_insert)
        return PL_EUNAVAIL;
    struct ledger_verifier *v = NULL;
    int rc = ledger_verifier_parse(vkey, &v);
    if (rc)
        return PL_EPARSE;
    struct witness w = {0};
    w.name = xstrdup(ledger_verifier_name(v));
    w.vkey = ledger_verifier_cosig_vkey(v);
    w.created_at = clock_now_ms();
    ledger_verifier_free(v);
    struct witness_args a = {who, &w};
    rc = desk_exec(d, witness_add_fn, &a);
    if (rc == 0 && out)
        *out = w;
    else
        witness_clear(&w);
    return rc;
}

int desk_witness_list(struct desk *d, struct witness **out, size_t *n)
{
    struct store *st = desk_reader(d);
    *out = NULL;
    *n = 0;
    if (!st || !st->ops->witness_list)
        return PL_EUNAVAIL;
    return st->ops->witness_list(st, out, n);
}

/* ---- cosignatures ------------------------------------------------------- */

struct cosig_line {
    char *witness, *line;
};

struct cosig_args {
    int64_t size;
    struct cosig_line *v;
    size_t n;
};

static int cosig_fn(struct desk_tx *tx, void *arg)
{
    struct cosig_args *a = arg;
    int64_t now = clock_now_ms();
    for (size_t i = 0; i < a->n; i++) {
        int rc = tx->st->ops->cosig_insert(tx->st, a->size, a->v[i].witness, a->v[i].line, now);
        if (rc)
            return rc;
    }
    return 0;
}

static const struct witness *find_witness(const struct witness *w, size_t nw, const char *name)
{
    for (size_t i = 0; i < nw; i++)
        if (strcmp(w[i].name, name) == 0)
            return &w[i];
    return NULL;
}

/* Checks every signature line of n that is not the log's own against the
 * registered witnesses and collects the good ones into a. */
static int check_cosigs(const struct ledger_note *n, const struct ledger_verifier *log,
                        const struct witness *w, size_t nw, struct cosig_args *a, char **why)
{
    a->v = xcalloc(n->nsigs ? n->nsigs : 1, sizeof *a->v);
    for (size_t i = 0; i < n->nsigs; i++) {
        const struct ledger_note_sig *g = &n->sigs[i];
        if (log && g->id == ledger_verifier_id(log) && strcmp(g->name, ledger_verifier_name(log)) == 0)
            continue;
        const struct witness *reg = find_witness(w, nw, g->name);
        struct ledger_verifier *v = NULL;
        if (!reg || ledger_verifier_parse(reg->vkey, &v) || ledger_verifier_id(v) != g->id) {
            ledger_verifier_free(v);
            *why = xasprintf("'%s' (key id %08x) is not a registered witness key", g->name, g->id);
            return PL_EFORBIDDEN;
        }
        /* Verify this line alone: a note holding only it. */
        struct ledger_note one = {n->text, n->text_len, (struct ledger_note_sig *)g, 1};
        int rc = ledger_note_verify(&one, v);
        ledger_verifier_free(v);
        if (rc) {
            *why = xasprintf("the cosignature of '%s' does not verify", g->name);
            return PL_ECRYPTO;
        }
        a->v[a->n].witness = g->name;
        a->v[a->n].line = ledger_note_sig_line(g);
        a->n++;
    }
    if (a->n == 0) {
        *why = xstrdup("the note carries no witness cosignature");
        return PL_EINVAL;
    }
    return 0;
}

int desk_ledger_cosign(struct desk *d, const char *note, size_t len, int *stored, char **why)
{
    struct store *st = desk_reader(d);
    struct ledger_note n = {0}, ours = {0};
    struct ledger_checkpoint cp = {0};
    struct ledger_verifier *log = NULL;
    struct witness *w = NULL;
    size_t nw = 0;
    struct cosig_args a = {0};
    char *stored_note = NULL, *vkey = NULL;
    *why = NULL;
    *stored = 0;
    if (!st || !st->ops->cosig_insert)
        return PL_EUNAVAIL;
    int rc = ledger_note_parse(note, len, &n);
    if (rc == 0)
        rc = ledger_checkpoint_parse(n.text, n.text_len, &cp);
    if (rc) {
        *why = xstrdup("not a signed checkpoint note");
        rc = rc == PL_ETOOBIG ? rc : PL_EPARSE;
        goto out;
    }
    /* The text must be exactly a checkpoint this log signed and stored. */
    if ((int64_t)cp.size < 0 || st->ops->checkpoint_get(st, (int64_t)cp.size, &stored_note) ||
        ledger_note_parse(stored_note, strlen(stored_note), &ours) || ours.text_len != n.text_len ||
        memcmp(ours.text, n.text, n.text_len) != 0) {
        *why = xasprintf("this log signed no such checkpoint of size %llu",
                         (unsigned long long)cp.size);
        rc = PL_ECONFLICT;
        goto out;
    }
    if ((vkey = desk_ledger_vkey(d)) != NULL && ledger_verifier_parse(vkey, &log) != 0)
        log = NULL;
    if ((rc = st->ops->witness_list(st, &w, &nw)) ||
        (rc = check_cosigs(&n, log, w, nw, &a, why)))
        goto out;
    a.size = (int64_t)cp.size;
    if ((rc = desk_exec(d, cosig_fn, &a)) == 0)
        *stored = (int)a.n;
out:
    for (size_t i = 0; i < a.n; i++)
        free(a.v[i].line);
    free(a.v);
    store_free_witnesses(w, nw);
    ledger_verifier_free(log);
    free(vkey);
    free(stored_note);
    ledger_checkpoint_clear(&cp);
    ledger_note_clear(&ours);
    ledger_note_clear(&n);
    return rc;
}

int desk_ledger_cosigned(struct desk *d, int64_t size, char **note)
{
    struct store *st = desk_reader(d);
    char *base = NULL, *lines = NULL;
    int rc;
    *note = NULL;
    if (!st || !st->ops->cosig_lines)
        return PL_EUNAVAIL;
    if (size < 0 && (rc = st->ops->cosig_latest(st, &size)))
        return rc;
    if (size == 0) {
        if ((rc = desk_ledger_checkpoint(d, &base)))
            return rc;
        struct ledger_checkpoint cp = {0};
        struct ledger_note n = {0};
        if (ledger_note_parse(base, strlen(base), &n) == 0 &&
            ledger_checkpoint_parse(n.text, n.text_len, &cp) == 0)
            size = (int64_t)cp.size;
        ledger_checkpoint_clear(&cp);
        ledger_note_clear(&n);
    } else if ((rc = st->ops->checkpoint_get(st, size, &base))) {
        return rc;
    }
    if ((rc = st->ops->cosig_lines(st, size, &lines)) == 0 && *lines)
        rc = ledger_note_add_signatures(base, strlen(base), lines, strlen(lines), note);
    else if (rc == 0)
        *note = base, base = NULL;
    free(lines);
    free(base);
    return rc;
}

int desk_ledger_receipt_cosigned(struct desk *d, int64_t event_id, char **json)
{
    char *note = NULL;
    int rc = desk_ledger_cosigned(d, -1, &note);
    if (rc == 0)
        rc = desk_ledger_receipt_on(d, event_id, note, json);
    free(note);
    return rc == PL_EINVAL ? PL_ESTATE : rc;
}
