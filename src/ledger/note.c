/* note.c — Ed25519 keys, C2SP signed notes and tlog checkpoints.
 *
 * Formats follow c2sp.org/signed-note and c2sp.org/tlog-checkpoint, with
 * key strings as in golang.org/x/mod/sumdb/note so that Go tooling can
 * read Parley's keys and checkpoints. Everything parsed here may come
 * from the network: lengths are bounded and every step is checked. */
#include "ledger/ledger.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/err.h"
#include "base/utf8.h"
#include "base/xalloc.h"

#define ALG_ED25519 0x01
#define ALG_COSIG_V1 0x04                  /* c2sp.org/tlog-cosignature */
#define COSIG_V1_SIGLEN (8 + crypto_sign_BYTES)
#define SIG_PREFIX  "\xe2\x80\x94 "      /* "— " (U+2014, space) */
#define SIG_PREFIX_LEN 4

struct ledger_signer {
    char    *name;
    uint32_t id;
    uint8_t  pk[crypto_sign_PUBLICKEYBYTES];
    uint8_t  sk[crypto_sign_SECRETKEYBYTES];
};

struct ledger_verifier {
    char    *name;
    uint32_t id;
    uint8_t  alg;                          /* ALG_ED25519 or ALG_COSIG_V1 */
    uint8_t  pk[crypto_sign_PUBLICKEYBYTES];
};

/* ---- small helpers ---------------------------------------------------- */

static bool valid_name(const char *s, size_t n)
{
    if (n == 0 || n > 255 || !utf8_valid(s, n))
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c == 0x7f || c == '+')
            return false;
    }
    return true;
}

/* Text of a note: valid UTF-8, ends in '\n', no control characters but '\n'. */
static bool valid_text(const char *s, size_t n)
{
    if (n == 0 || s[n - 1] != '\n' || !utf8_valid(s, n))
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\n') || c == 0x7f)
            return false;
    }
    return true;
}

static uint32_t key_id_alg(const char *name, uint8_t alg, const uint8_t pk[crypto_sign_PUBLICKEYBYTES])
{
    crypto_hash_sha256_state st;
    uint8_t h[crypto_hash_sha256_BYTES];
    const uint8_t sep[2] = { '\n', alg };
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const uint8_t *)name, strlen(name));
    crypto_hash_sha256_update(&st, sep, 2);
    crypto_hash_sha256_update(&st, pk, crypto_sign_PUBLICKEYBYTES);
    crypto_hash_sha256_final(&st, h);
    return ((uint32_t)h[0] << 24) | ((uint32_t)h[1] << 16) | ((uint32_t)h[2] << 8) | h[3];
}

/* Returns a new base64 (standard, padded) string of bin[0..n). */
static uint32_t key_id(const char *name, const uint8_t pk[crypto_sign_PUBLICKEYBYTES])
{
    return key_id_alg(name, ALG_ED25519, pk);
}

static char *b64_encode(const uint8_t *bin, size_t n)
{
    size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    char *s = xmalloc(cap);
    sodium_bin2base64(s, cap, bin, n, sodium_base64_VARIANT_ORIGINAL);
    return s;
}

/* Decodes all of s[0..n) into out[0..max); returns the length or -1. */
static long b64_decode(const char *s, size_t n, uint8_t *out, size_t max)
{
    size_t len = 0;
    const char *end = NULL;
    if (n == 0)
        return -1;
    if (sodium_base642bin(out, max, s, n, NULL, &len, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
        end != s + n)
        return -1;
    return (long)len;
}

static int parse_hex32(const char *s, size_t n, uint32_t *out)
{
    uint32_t v = 0;
    if (n != 8)
        return PL_EPARSE;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
        if (d < 0)
            return PL_EPARSE;
        v = (v << 4) | (uint32_t)d;
    }
    *out = v;
    return 0;
}

/* Splits "name+hex+b64" (after any prefix) into its three parts and
 * decodes the key: out[0..keylen) gets the bytes after the alg byte. */
static int parse_key_parts(const char *s, char **name, uint32_t *id, uint8_t *key, size_t keylen,
                           uint8_t *alg)
{
    const char *p1 = strchr(s, '+');
    if (!p1)
        return PL_EPARSE;
    const char *p2 = strchr(p1 + 1, '+');
    if (!p2 || !valid_name(s, (size_t)(p1 - s)))
        return PL_EPARSE;
    if (parse_hex32(p1 + 1, (size_t)(p2 - p1 - 1), id) < 0)
        return PL_EPARSE;
    uint8_t raw[1 + 64];
    long n = b64_decode(p2 + 1, strlen(p2 + 1), raw, sizeof raw);
    bool alg_ok = raw[0] == ALG_ED25519 || (alg && raw[0] == ALG_COSIG_V1);
    if (n != (long)(1 + keylen) || !alg_ok) {
        sodium_memzero(raw, sizeof raw);
        return PL_EPARSE;
    }
    memcpy(key, raw + 1, keylen);
    if (alg)
        *alg = raw[0];
    sodium_memzero(raw, sizeof raw);
    *name = xstrndup(s, (size_t)(p1 - s));
    return 0;
}

static char *vkey_string(const char *name, uint32_t id, uint8_t alg, const uint8_t pk[32])
{
    uint8_t raw[1 + crypto_sign_PUBLICKEYBYTES];
    raw[0] = alg;
    memcpy(raw + 1, pk, crypto_sign_PUBLICKEYBYTES);
    char *b = b64_encode(raw, sizeof raw);
    char *s = xasprintf("%s+%08x+%s", name, id, b);
    free(b);
    return s;
}

/* ---- keys ------------------------------------------------------------- */

int ledger_key_generate(const char *name, char **skey, char **vkey)
{
    if (!name || !valid_name(name, strlen(name)) || sodium_init() < 0)
        return PL_EINVAL;
    uint8_t seed[crypto_sign_SEEDBYTES], pk[crypto_sign_PUBLICKEYBYTES];
    uint8_t sk[crypto_sign_SECRETKEYBYTES];
    randombytes_buf(seed, sizeof seed);
    crypto_sign_seed_keypair(pk, sk, seed);
    uint32_t id = key_id(name, pk);
    uint8_t raw[1 + crypto_sign_SEEDBYTES];
    raw[0] = ALG_ED25519;
    memcpy(raw + 1, seed, sizeof seed);
    char *b = b64_encode(raw, sizeof raw);
    *skey = xasprintf("PRIVATE+KEY+%s+%08x+%s", name, id, b);
    sodium_memzero(b, strlen(b));
    free(b);
    sodium_memzero(raw, sizeof raw);
    sodium_memzero(seed, sizeof seed);
    sodium_memzero(sk, sizeof sk);
    *vkey = vkey_string(name, id, ALG_ED25519, pk);
    return 0;
}

int ledger_signer_parse(const char *skey, struct ledger_signer **out)
{
    static const char prefix[] = "PRIVATE+KEY+";
    *out = NULL;
    if (!skey || strncmp(skey, prefix, sizeof prefix - 1) != 0 || sodium_init() < 0)
        return PL_EPARSE;
    struct ledger_signer *s = xcalloc(1, sizeof *s);
    uint8_t seed[crypto_sign_SEEDBYTES];
    uint32_t id;
    if (parse_key_parts(skey + sizeof prefix - 1, &s->name, &id, seed, sizeof seed, NULL) < 0) {
        free(s);
        return PL_EPARSE;
    }
    crypto_sign_seed_keypair(s->pk, s->sk, seed);
    sodium_memzero(seed, sizeof seed);
    s->id = key_id(s->name, s->pk);
    if (s->id != id) {
        ledger_signer_free(s);
        return PL_EPARSE;
    }
    *out = s;
    return 0;
}

void ledger_signer_free(struct ledger_signer *s)
{
    if (!s)
        return;
    free(s->name);
    sodium_memzero(s->sk, sizeof s->sk);
    free(s);
}

const char *ledger_signer_name(const struct ledger_signer *s)
{
    return s->name;
}

char *ledger_signer_vkey(const struct ledger_signer *s)
{
    return vkey_string(s->name, s->id, ALG_ED25519, s->pk);
}

char *ledger_signer_cosig_vkey(const struct ledger_signer *s)
{
    return vkey_string(s->name, key_id_alg(s->name, ALG_COSIG_V1, s->pk), ALG_COSIG_V1, s->pk);
}

char *ledger_verifier_cosig_vkey(const struct ledger_verifier *v)
{
    return vkey_string(v->name, key_id_alg(v->name, ALG_COSIG_V1, v->pk), ALG_COSIG_V1, v->pk);
}

int ledger_verifier_parse(const char *vkey, struct ledger_verifier **out)
{
    *out = NULL;
    if (!vkey || sodium_init() < 0)
        return PL_EPARSE;
    struct ledger_verifier *v = xcalloc(1, sizeof *v);
    uint32_t id;
    if (parse_key_parts(vkey, &v->name, &id, v->pk, sizeof v->pk, &v->alg) < 0) {
        free(v);
        return PL_EPARSE;
    }
    v->id = key_id_alg(v->name, v->alg, v->pk);
    if (v->id != id) {
        ledger_verifier_free(v);
        return PL_EPARSE;
    }
    *out = v;
    return 0;
}

void ledger_verifier_free(struct ledger_verifier *v)
{
    if (!v)
        return;
    free(v->name);
    free(v);
}

const char *ledger_verifier_name(const struct ledger_verifier *v)
{
    return v->name;
}

uint32_t ledger_verifier_id(const struct ledger_verifier *v)
{
    return v->id;
}

/* ---- signed notes ----------------------------------------------------- */

static void put_sig_line(struct buf *b, const char *name, uint32_t id, const uint8_t *sig,
                         size_t siglen)
{
    uint8_t *raw = xmalloc(4 + siglen);
    raw[0] = (uint8_t)(id >> 24);
    raw[1] = (uint8_t)(id >> 16);
    raw[2] = (uint8_t)(id >> 8);
    raw[3] = (uint8_t)id;
    memcpy(raw + 4, sig, siglen);
    char *b64 = b64_encode(raw, 4 + siglen);
    buf_printf(b, SIG_PREFIX "%s %s\n", name, b64);
    free(b64);
    free(raw);
}

char *ledger_note_sig_line(const struct ledger_note_sig *g)
{
    struct buf b = BUF_INIT;
    put_sig_line(&b, g->name, g->id, g->sig, g->siglen);
    return buf_detach(&b, NULL);
}

int ledger_note_signature_line(const char *text, size_t len, const struct ledger_signer *s,
                               char **line)
{
    *line = NULL;
    if (!text || !s || len > LEDGER_NOTE_MAX || !valid_text(text, len))
        return PL_EINVAL;
    uint8_t sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, NULL, (const uint8_t *)text, len, s->sk);
    struct buf b = BUF_INIT;
    put_sig_line(&b, s->name, s->id, sig, sizeof sig);
    *line = buf_detach(&b, NULL);
    return 0;
}

/* The message a cosignature/v1 signs: "cosignature/v1\ntime <t>\n" ‖ text. */
static void cosig_v1_message(struct buf *m, uint64_t ts, const char *text, size_t len)
{
    buf_printf(m, "cosignature/v1\ntime %llu\n", (unsigned long long)ts);
    buf_add(m, text, len);
}

int ledger_cosig_v1_line(const char *text, size_t len, const struct ledger_signer *s,
                         uint64_t timestamp, char **line)
{
    *line = NULL;
    if (!text || !s || len > LEDGER_NOTE_MAX || !valid_text(text, len))
        return PL_EINVAL;
    struct buf m = BUF_INIT;
    cosig_v1_message(&m, timestamp, text, len);
    uint8_t sig[COSIG_V1_SIGLEN];
    for (int i = 0; i < 8; i++)
        sig[i] = (uint8_t)(timestamp >> (56 - 8 * i));
    crypto_sign_detached(sig + 8, NULL, (const uint8_t *)m.ptr, m.len, s->sk);
    buf_release(&m);
    struct buf b = BUF_INIT;
    put_sig_line(&b, s->name, key_id_alg(s->name, ALG_COSIG_V1, s->pk), sig, sizeof sig);
    *line = buf_detach(&b, NULL);
    return 0;
}

int ledger_note_sig_timestamp(const struct ledger_note_sig *g, uint64_t *ts)
{
    if (!g || g->siglen != COSIG_V1_SIGLEN)
        return PL_EINVAL;
    uint64_t t = 0;
    for (int i = 0; i < 8; i++)
        t = (t << 8) | g->sig[i];
    *ts = t;
    return 0;
}

int ledger_note_sign(const char *text, size_t len, const struct ledger_signer *s, char **note)
{
    char *line;
    *note = NULL;
    int rc = ledger_note_signature_line(text, len, s, &line);
    if (rc < 0)
        return rc;
    struct buf b = BUF_INIT;
    buf_add(&b, text, len);
    buf_putc(&b, '\n');
    buf_puts(&b, line);
    free(line);
    *note = buf_detach(&b, NULL);
    return 0;
}

void ledger_note_clear(struct ledger_note *n)
{
    if (!n)
        return;
    free(n->text);
    for (size_t i = 0; i < n->nsigs; i++) {
        free(n->sigs[i].name);
        free(n->sigs[i].sig);
    }
    free(n->sigs);
    memset(n, 0, sizeof *n);
}

/* Parses a block of signature lines s[0..n) (each "— name b64\n") and
 * appends them to out->sigs. */
static int parse_sig_lines(const char *s, size_t n, struct ledger_note *out)
{
    if (n == 0 || !utf8_valid(s, n))
        return PL_EPARSE;
    const char *p = s, *end = s + n;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return PL_EPARSE;                 /* the last line must end in '\n' */
        if ((size_t)(nl - p) < SIG_PREFIX_LEN || memcmp(p, SIG_PREFIX, SIG_PREFIX_LEN) != 0)
            return PL_EPARSE;
        const char *name = p + SIG_PREFIX_LEN;
        const char *sp = memchr(name, ' ', (size_t)(nl - name));
        if (!sp || !valid_name(name, (size_t)(sp - name)))
            return PL_EPARSE;
        uint8_t raw[512];
        long len = b64_decode(sp + 1, (size_t)(nl - sp - 1), raw, sizeof raw);
        if (len < 5)
            return PL_EPARSE;
        if (out->nsigs >= LEDGER_NOTE_MAX_SIGS)
            return PL_ETOOBIG;
        out->sigs = xrealloc(out->sigs, (out->nsigs + 1) * sizeof *out->sigs);
        struct ledger_note_sig *g = &out->sigs[out->nsigs++];
        g->name = xstrndup(name, (size_t)(sp - name));
        g->id = ((uint32_t)raw[0] << 24) | ((uint32_t)raw[1] << 16) | ((uint32_t)raw[2] << 8) | raw[3];
        g->siglen = (size_t)len - 4;
        g->sig = xmalloc(g->siglen);
        memcpy(g->sig, raw + 4, g->siglen);
        p = nl + 1;
    }
    return 0;
}

int ledger_note_parse(const char *note, size_t len, struct ledger_note *out)
{
    memset(out, 0, sizeof *out);
    if (!note)
        return PL_EPARSE;
    if (len > LEDGER_NOTE_MAX)
        return PL_ETOOBIG;
    /* The signatures follow the last blank line. */
    size_t i = len;
    bool found = false;
    while (i >= 2) {
        if (note[i - 1] == '\n' && note[i - 2] == '\n') {
            found = true;
            break;
        }
        i--;
    }
    if (!found)
        return PL_EPARSE;
    size_t text_len = i - 1;                  /* keeps the text's final '\n' */
    if (!valid_text(note, text_len))
        return PL_EPARSE;
    int rc = parse_sig_lines(note + i, len - i, out);
    if (rc < 0) {
        ledger_note_clear(out);
        return rc;
    }
    out->text = xstrndup(note, text_len);
    out->text_len = text_len;
    return 0;
}

int ledger_note_verify(const struct ledger_note *n, const struct ledger_verifier *v)
{
    bool seen = false;
    if (!n || !v || !n->text)
        return PL_EINVAL;
    for (size_t i = 0; i < n->nsigs; i++) {
        const struct ledger_note_sig *g = &n->sigs[i];
        if (g->id != v->id || strcmp(g->name, v->name) != 0)
            continue;
        seen = true;
        if (v->alg == ALG_ED25519) {
            if (g->siglen == crypto_sign_BYTES &&
                crypto_sign_verify_detached(g->sig, (const uint8_t *)n->text, n->text_len, v->pk) == 0)
                return 0;
        } else if (g->siglen == COSIG_V1_SIGLEN) {
            uint64_t ts;
            struct buf m = BUF_INIT;
            ledger_note_sig_timestamp(g, &ts);
            cosig_v1_message(&m, ts, n->text, n->text_len);
            int ok = crypto_sign_verify_detached(g->sig + 8, (const uint8_t *)m.ptr, m.len, v->pk);
            buf_release(&m);
            if (ok == 0)
                return 0;
        }
    }
    return seen ? PL_ECRYPTO : PL_ENOTFOUND;
}

int ledger_note_add_signatures(const char *note, size_t len, const char *lines, size_t lines_len,
                               char **out)
{
    struct ledger_note n;
    *out = NULL;
    int rc = ledger_note_parse(note, len, &n);
    if (rc < 0)
        return rc;
    size_t old = n.nsigs;
    if ((rc = parse_sig_lines(lines, lines_len, &n)) < 0)
        goto done;
    struct buf b = BUF_INIT;
    buf_add(&b, n.text, n.text_len);
    buf_putc(&b, '\n');
    for (size_t i = 0; i < n.nsigs; i++) {
        bool dup = false;
        for (size_t j = 0; j < i && i >= old; j++)
            if (n.sigs[j].id == n.sigs[i].id && strcmp(n.sigs[j].name, n.sigs[i].name) == 0)
                dup = true;
        if (!dup)
            put_sig_line(&b, n.sigs[i].name, n.sigs[i].id, n.sigs[i].sig, n.sigs[i].siglen);
    }
    *out = buf_detach(&b, NULL);
done:
    ledger_note_clear(&n);
    return rc;
}

/* ---- checkpoints ------------------------------------------------------ */

void ledger_checkpoint_clear(struct ledger_checkpoint *c)
{
    if (!c)
        return;
    free(c->origin);
    free(c->extra);
    memset(c, 0, sizeof *c);
}

static bool valid_line(const char *s, size_t n)
{
    if (n == 0 || !utf8_valid(s, n))
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            return false;
    }
    return true;
}

int ledger_checkpoint_format(const struct ledger_checkpoint *c, struct buf *out)
{
    if (!c || !c->origin || !valid_line(c->origin, strlen(c->origin)))
        return PL_EINVAL;
    if (c->extra && c->extra[0] && !valid_text(c->extra, strlen(c->extra)))
        return PL_EINVAL;
    char *b64 = b64_encode(c->root, LEDGER_HASH_LEN);
    buf_printf(out, "%s\n%llu\n%s\n", c->origin, (unsigned long long)c->size, b64);
    free(b64);
    if (c->extra)
        buf_puts(out, c->extra);
    return 0;
}

int ledger_checkpoint_parse(const char *text, size_t len, struct ledger_checkpoint *out)
{
    memset(out, 0, sizeof *out);
    if (!text || len > LEDGER_NOTE_MAX || !valid_text(text, len))
        return PL_EPARSE;
    const char *end = text + len;
    const char *l1 = memchr(text, '\n', len);
    if (!l1 || !valid_line(text, (size_t)(l1 - text)))
        return PL_EPARSE;
    const char *s = l1 + 1;
    const char *l2 = memchr(s, '\n', (size_t)(end - s));
    if (!l2)
        return PL_EPARSE;
    size_t nd = (size_t)(l2 - s);
    if (nd == 0 || nd > 20 || (nd > 1 && s[0] == '0'))
        return PL_EPARSE;
    uint64_t size = 0;
    for (size_t i = 0; i < nd; i++) {
        if (s[i] < '0' || s[i] > '9')
            return PL_EPARSE;
        uint64_t d = (uint64_t)(s[i] - '0');
        if (size > (UINT64_MAX - d) / 10)
            return PL_EPARSE;
        size = size * 10 + d;
    }
    const char *r = l2 + 1;
    const char *l3 = r < end ? memchr(r, '\n', (size_t)(end - r)) : NULL;
    if (!l3)
        return PL_EPARSE;
    uint8_t root[LEDGER_HASH_LEN + 4];
    if (b64_decode(r, (size_t)(l3 - r), root, sizeof root) != LEDGER_HASH_LEN)
        return PL_EPARSE;
    /* Extension lines: each non-empty. */
    const char *x = l3 + 1;
    for (const char *p = x; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl || nl == p)
            return PL_EPARSE;
        p = nl + 1;
    }
    out->origin = xstrndup(text, (size_t)(l1 - text));
    out->size = size;
    memcpy(out->root, root, LEDGER_HASH_LEN);
    out->extra = x < end ? xstrndup(x, (size_t)(end - x)) : NULL;
    return 0;
}

int ledger_checkpoint_sign(const char *origin, uint64_t size, const uint8_t root[LEDGER_HASH_LEN],
                           const struct ledger_signer *s, char **note)
{
    struct ledger_checkpoint c = { (char *)origin, size, { 0 }, NULL };
    struct buf b = BUF_INIT;
    *note = NULL;
    memcpy(c.root, root, LEDGER_HASH_LEN);
    int rc = ledger_checkpoint_format(&c, &b);
    if (rc == 0)
        rc = ledger_note_sign(b.ptr, b.len, s, note);
    buf_release(&b);
    return rc;
}

int ledger_checkpoint_open(const char *note, size_t len, const struct ledger_verifier *v,
                           const char *origin, struct ledger_checkpoint *out)
{
    struct ledger_note n;
    memset(out, 0, sizeof *out);
    int rc = ledger_note_parse(note, len, &n);
    if (rc < 0)
        return rc;
    if ((rc = ledger_note_verify(&n, v)) < 0)
        goto done;
    if ((rc = ledger_checkpoint_parse(n.text, n.text_len, out)) < 0)
        goto done;
    if (origin && strcmp(out->origin, origin) != 0) {
        ledger_checkpoint_clear(out);
        rc = PL_ECONFLICT;
    }
done:
    ledger_note_clear(&n);
    return rc;
}
