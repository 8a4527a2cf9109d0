/* receipt.c — offline-verifiable receipts ("parley-receipt/v1", JSON) and
 * the pure decision of a witness to co-sign a checkpoint. */
#include "ledger/ledger.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "base/err.h"
#include "base/xalloc.h"

#define RECEIPT_FORMAT "parley-receipt/v1"
#define RECEIPT_MAX    (2u << 20)

void ledger_receipt_clear(struct ledger_receipt *r)
{
    if (!r)
        return;
    free(r->event);
    free(r->checkpoint);
    memset(r, 0, sizeof *r);
}

/* Parses a signed note's checkpoint body without checking signatures
 * (the server building a receipt trusts its own checkpoint). */
static int checkpoint_of_note(const char *note, struct ledger_checkpoint *cp)
{
    struct ledger_note n;
    int rc = ledger_note_parse(note, strlen(note), &n);
    if (rc < 0)
        return rc;
    rc = ledger_checkpoint_parse(n.text, n.text_len, cp);
    ledger_note_clear(&n);
    return rc;
}

int ledger_receipt_build(const struct ledger_tree *t, uint64_t index, const char *checkpoint,
                         const void *event, size_t event_len, struct ledger_receipt *out)
{
    struct ledger_checkpoint cp;
    uint8_t root[LEDGER_HASH_LEN];
    memset(out, 0, sizeof *out);
    if (!t || !checkpoint)
        return PL_EINVAL;
    int rc = checkpoint_of_note(checkpoint, &cp);
    if (rc < 0)
        return PL_EPARSE;
    if (index >= cp.size || cp.size > ledger_tree_size(t) || cp.size > INT64_MAX) {
        rc = PL_EINVAL;
        goto out;
    }
    if (ledger_tree_root(t, cp.size, root) < 0 || !ledger_hash_equal(root, cp.root)) {
        rc = PL_ECHECKSUM;
        goto out;
    }
    out->leaf_index = index;
    out->tree_size = cp.size;
    if ((rc = ledger_tree_leaf(t, index, out->leaf_hash)) < 0 ||
        (rc = ledger_tree_inclusion_proof(t, index, cp.size, out->proof, &out->nproof)) < 0)
        goto out;
    if (event) {
        uint8_t h[LEDGER_HASH_LEN];
        ledger_leaf_hash(event, event_len, h);
        if (!ledger_hash_equal(h, out->leaf_hash)) {
            rc = PL_ECHECKSUM;
            goto out;
        }
        out->event = xmalloc(event_len ? event_len : 1);
        memcpy(out->event, event, event_len);
        out->event_len = event_len;
    }
    out->checkpoint = xstrdup(checkpoint);
out:
    ledger_checkpoint_clear(&cp);
    if (rc < 0)
        ledger_receipt_clear(out);
    return rc;
}

static json_t *b64_json(const uint8_t *bin, size_t n)
{
    size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    char *s = xmalloc(cap);
    sodium_bin2base64(s, cap, bin, n, sodium_base64_VARIANT_ORIGINAL);
    json_t *j = json_string(s);
    free(s);
    return j;
}

int ledger_receipt_encode(const struct ledger_receipt *r, char **json)
{
    *json = NULL;
    if (!r || !r->checkpoint || r->nproof > LEDGER_MAX_PROOF || r->tree_size > INT64_MAX)
        return PL_EINVAL;
    json_t *o = json_object();
    json_object_set_new(o, "format", json_string(RECEIPT_FORMAT));
    json_object_set_new(o, "leaf_index", json_integer((json_int_t)r->leaf_index));
    json_object_set_new(o, "leaf_hash", b64_json(r->leaf_hash, LEDGER_HASH_LEN));
    if (r->event)
        json_object_set_new(o, "event", b64_json(r->event, r->event_len));
    json_object_set_new(o, "tree_size", json_integer((json_int_t)r->tree_size));
    json_t *p = json_array();
    for (size_t i = 0; i < r->nproof; i++)
        json_array_append_new(p, b64_json(r->proof[i], LEDGER_HASH_LEN));
    json_object_set_new(o, "inclusion_proof", p);
    json_t *cp = json_string(r->checkpoint);
    if (!cp) {                       /* not UTF-8: cannot be a valid note */
        json_decref(o);
        return PL_EINVAL;
    }
    json_object_set_new(o, "checkpoint", cp);
    char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!s)
        return PL_ENOMEM;
    *json = xstrdup(s);
    free(s);
    return 0;
}

/* Decodes a base64 JSON string of exactly `want` bytes (want 0: any
 * length up to max, into a new buffer *dyn). */
static int b64_field(json_t *v, uint8_t *out, size_t want, uint8_t **dyn, size_t *dynlen)
{
    if (!json_is_string(v))
        return PL_EPARSE;
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    size_t max = want ? want : n / 4 * 3 + 3;
    uint8_t *buf = want ? out : xmalloc(max ? max : 1);
    size_t len = 0;
    const char *end = NULL;
    if (sodium_base642bin(buf, max, s, n, NULL, &len, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
        end != s + n || (want && len != want)) {
        if (!want)
            free(buf);
        return PL_EPARSE;
    }
    if (!want) {
        *dyn = buf;
        *dynlen = len;
    }
    return 0;
}

static int u64_field(json_t *v, uint64_t *out)
{
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return PL_EPARSE;
    *out = (uint64_t)json_integer_value(v);
    return 0;
}

int ledger_receipt_parse(const char *json, size_t len, struct ledger_receipt *out)
{
    json_error_t err;
    memset(out, 0, sizeof *out);
    if (!json || len > RECEIPT_MAX)
        return PL_EPARSE;
    json_t *o = json_loadb(json, len, JSON_REJECT_DUPLICATES, &err);
    int rc = PL_EPARSE;
    if (!json_is_object(o))
        goto out;
    /* v1 is closed: an unknown member is an error, not something to ignore. */
    static const char *const KNOWN[] = { "format", "leaf_index", "leaf_hash", "event",
                                         "tree_size", "inclusion_proof", "checkpoint" };
    const char *key;
    json_t *val;
    json_object_foreach(o, key, val) {
        bool known = false;
        for (size_t i = 0; i < sizeof KNOWN / sizeof *KNOWN; i++)
            if (strcmp(key, KNOWN[i]) == 0)
                known = true;
        if (!known)
            goto out;
    }
    json_t *f = json_object_get(o, "format");
    if (!json_is_string(f) || strcmp(json_string_value(f), RECEIPT_FORMAT) != 0)
        goto out;
    if (u64_field(json_object_get(o, "leaf_index"), &out->leaf_index) < 0 ||
        u64_field(json_object_get(o, "tree_size"), &out->tree_size) < 0 ||
        b64_field(json_object_get(o, "leaf_hash"), out->leaf_hash, LEDGER_HASH_LEN, NULL, NULL) < 0)
        goto out;
    json_t *ev = json_object_get(o, "event");
    if (ev && !json_is_null(ev) && b64_field(ev, NULL, 0, &out->event, &out->event_len) < 0)
        goto out;
    json_t *p = json_object_get(o, "inclusion_proof");
    if (!json_is_array(p) || json_array_size(p) > LEDGER_MAX_PROOF)
        goto out;
    for (size_t i = 0; i < json_array_size(p); i++)
        if (b64_field(json_array_get(p, i), out->proof[i], LEDGER_HASH_LEN, NULL, NULL) < 0)
            goto out;
    out->nproof = json_array_size(p);
    json_t *cp = json_object_get(o, "checkpoint");
    if (!json_is_string(cp) || strlen(json_string_value(cp)) != json_string_length(cp))
        goto out;
    out->checkpoint = xstrdup(json_string_value(cp));
    rc = 0;
out:
    json_decref(o);
    if (rc < 0)
        ledger_receipt_clear(out);
    return rc;
}

int ledger_receipt_verify(const struct ledger_receipt *r, const struct ledger_verifier *v)
{
    struct ledger_checkpoint cp;
    if (!r || !v || !r->checkpoint)
        return PL_EINVAL;
    int rc = ledger_checkpoint_open(r->checkpoint, strlen(r->checkpoint), v, NULL, &cp);
    if (rc < 0)
        return rc;
    if (cp.size != r->tree_size) {
        rc = PL_ECHECKSUM;
        goto out;
    }
    if (r->event) {
        uint8_t h[LEDGER_HASH_LEN];
        ledger_leaf_hash(r->event, r->event_len, h);
        if (!ledger_hash_equal(h, r->leaf_hash)) {
            rc = PL_ECHECKSUM;
            goto out;
        }
    }
    rc = ledger_verify_inclusion(r->leaf_hash, r->leaf_index, cp.size,
                                 (const uint8_t(*)[LEDGER_HASH_LEN])r->proof, r->nproof, cp.root);
out:
    ledger_checkpoint_clear(&cp);
    return rc;
}

int ledger_receipt_verify_text(const char *json, size_t len, const char *vkey,
                               struct ledger_receipt *out)
{
    struct ledger_verifier *v = NULL;
    struct ledger_receipt r;
    if (out)
        memset(out, 0, sizeof *out);
    int rc = ledger_verifier_parse(vkey, &v);
    if (rc < 0)
        return rc;
    if ((rc = ledger_receipt_parse(json, len, &r)) == 0) {
        rc = ledger_receipt_verify(&r, v);
        if (out)
            *out = r;
        else
            ledger_receipt_clear(&r);
    }
    ledger_verifier_free(v);
    return rc;
}

/* Appends s with control characters shown as \xNN: event text is
 * customer-supplied and ends up on a terminal. */
static void put_safe(struct buf *out, const char *label, const char *s)
{
    buf_puts(out, label);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f)
            buf_printf(out, "\\x%02x", c);
        else
            buf_putc(out, (char)c);
    }
    buf_putc(out, '\n');
}

int ledger_receipt_describe(const struct ledger_receipt *r, struct buf *out)
{
    struct ledger_note n;
    struct ledger_checkpoint cp;
    char b64[LEDGER_HASH_B64_LEN];
    int rc = 0;
    if (!r || !r->checkpoint)
        return PL_EINVAL;
    ledger_hash_to_b64(r->leaf_hash, b64);
    buf_printf(out, "leaf:       %llu of %llu\nleaf hash:  %s\n", (unsigned long long)r->leaf_index,
               (unsigned long long)r->tree_size, b64);
    if (ledger_note_parse(r->checkpoint, strlen(r->checkpoint), &n) == 0) {
        if (ledger_checkpoint_parse(n.text, n.text_len, &cp) == 0) {
            ledger_hash_to_b64(cp.root, b64);
            buf_printf(out, "log:        %s\nroot:       %s (size %llu)\n", cp.origin, b64,
                       (unsigned long long)cp.size);
            ledger_checkpoint_clear(&cp);
        } else {
            rc = PL_EPARSE;
        }
        for (size_t i = 0; i < n.nsigs; i++)
            buf_printf(out, "signed by:  %s (key id %08x)\n", n.sigs[i].name, n.sigs[i].id);
        ledger_note_clear(&n);
    } else {
        rc = PL_EPARSE;
    }
    if (r->event) {
        struct event e;
        if (ledger_event_decode(r->event, r->event_len, &e) == 0) {
            buf_printf(out, "event:      #%lld at %lld ms\n", (long long)e.id,
                       (long long)e.created_at);
            put_safe(out, "type:       ", e.type);
            buf_printf(out, "actor:      %s %lld\n", actor_kind_name(e.actor_kind), (long long)e.actor_id);
            buf_printf(out, "ticket:     %lld  customer: %lld  message: %lld\n", (long long)e.ticket_id,
                       (long long)e.customer_id, (long long)e.message_id);
            if (e.before)
                put_safe(out, "before:     ", e.before);
            if (e.after)
                put_safe(out, "after:      ", e.after);
            event_clear(&e);
        } else {
            rc = PL_EPARSE;
        }
    } else {
        buf_puts(out, "event:      (hash only)\n");
    }
    return rc;
}

/* ---- witness ---------------------------------------------------------- */

/* v1: 0 for a plain Ed25519 note signature, 1 for cosignature/v1. */
static int witness_cosign(const struct ledger_witness_state *last, const char *note, size_t len,
                          const struct ledger_verifier *log_key, const char *origin,
                          const uint8_t proof[][LEDGER_HASH_LEN], size_t nproof,
                          const struct ledger_signer *witness, int v1, uint64_t timestamp,
                          char **cosig, struct ledger_witness_state *next)
{
    struct ledger_note n;
    struct ledger_checkpoint cp = { 0 };
    *cosig = NULL;
    if (!last || !log_key || !witness || !next)
        return PL_EINVAL;
    int rc = ledger_note_parse(note, len, &n);
    if (rc < 0)
        return rc;
    if ((rc = ledger_note_verify(&n, log_key)) < 0 ||
        (rc = ledger_checkpoint_parse(n.text, n.text_len, &cp)) < 0)
        goto out;
    if (origin && strcmp(cp.origin, origin) != 0) {
        rc = PL_ECONFLICT;
        goto out;
    }
    if (cp.size < last->size) {
        rc = PL_ESTATE;                      /* rollback */
        goto out;
    }
    if (last->size > 0 &&
        ledger_verify_consistency(last->size, last->root, cp.size, cp.root, proof, nproof) < 0) {
        rc = PL_ECONFLICT;                   /* fork or inconsistent growth */
        goto out;
    }
    rc = v1 ? ledger_cosig_v1_line(n.text, n.text_len, witness, timestamp, cosig)
            : ledger_note_signature_line(n.text, n.text_len, witness, cosig);
    if (rc < 0)
        goto out;
    next->size = cp.size;
    memcpy(next->root, cp.root, LEDGER_HASH_LEN);
out:
    ledger_checkpoint_clear(&cp);
    ledger_note_clear(&n);
    return rc;
}

int ledger_witness_cosign(const struct ledger_witness_state *last, const char *note, size_t len,
                          const struct ledger_verifier *log_key, const char *origin,
                          const uint8_t proof[][LEDGER_HASH_LEN], size_t nproof,
                          const struct ledger_signer *witness, char **cosig,
                          struct ledger_witness_state *next)
{
    return witness_cosign(last, note, len, log_key, origin, proof, nproof, witness, 0, 0, cosig,
                          next);
}

int ledger_witness_cosign_v1(const struct ledger_witness_state *last, const char *note, size_t len,
                             const struct ledger_verifier *log_key, const char *origin,
                             const uint8_t proof[][LEDGER_HASH_LEN], size_t nproof,
                             const struct ledger_signer *witness, uint64_t timestamp,
                             char **cosig, struct ledger_witness_state *next)
{
    return witness_cosign(last, note, len, log_key, origin, proof, nproof, witness, 1, timestamp,
                          cosig, next);
}
