/* features.c — hashed features of a parsed message: stemmed word
 * unigrams and bigrams (negation-scoped words marked), character n-grams
 * inside word boundaries, emoji/emoticons/"!!!" as tokens, and a few
 * style cues (caps, elongation). Values are sublinear term frequencies
 * (1 + log tf); the model applies idf and L2 normalisation. */
#include "text/text.h"
#include "text/text_internal.h"

#include "base/fnv.h"
#include "base/xalloc.h"

#include <libstemmer.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

uint64_t text_hash64(const void *p, size_t n, uint64_t seed)
{
    uint64_t h = fnv1a(TEXT_FNV_BASIS ^ (seed * 0x9E3779B97F4A7C15ULL), p, n);
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 32;
    return h;
}

/* ---- per-thread scratch ------------------------------------------------- */

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;
static __thread struct text_scratch *tls_scratch;

static void scratch_free(void *p)
{
    struct text_scratch *s = p;
    if (!s)
        return;
    text_doc_free(&s->doc);
    text_fvec_free(&s->fv);
    text_fvec_free(&s->fv2);
    if (s->stem_en)
        sb_stemmer_delete(s->stem_en);
    if (s->stem_ru)
        sb_stemmer_delete(s->stem_ru);
    free(s->tmp);
    free(s->sbuf);
    free(s->fbuild);
    free(s);
}

static void scratch_key_init(void)
{
    pthread_key_create(&scratch_key, scratch_free);
}

struct text_scratch *text_scratch_get(void)
{
    if (tls_scratch)
        return tls_scratch;
    pthread_once(&scratch_once, scratch_key_init);
    struct text_scratch *s = xcalloc(1, sizeof *s);
    s->stem_en = sb_stemmer_new("english", "UTF_8");
    s->stem_ru = sb_stemmer_new("russian", "UTF_8");
    pthread_setspecific(scratch_key, s);
    tls_scratch = s;
    return s;
}

void text_thread_cleanup(void)
{
    if (!tls_scratch)
        return;
    pthread_once(&scratch_once, scratch_key_init);
    pthread_setspecific(scratch_key, NULL);
    scratch_free(tls_scratch);
    tls_scratch = NULL;
}

/* ---- feature vector ----------------------------------------------------- */

void text_fvec_free(struct text_fvec *v)
{
    free(v->id);
    free(v->val);
    memset(v, 0, sizeof *v);
}

#define DEDUP_BITS 12

struct builder {
    struct text_fvec *v;
    uint32_t mask;
    uint32_t slot[1u << DEDUP_BITS];    /* id+1, 0 = empty */
    uint32_t pos[1u << DEDUP_BITS];
};

static void emit(struct builder *b, uint64_t h, uint32_t flag)
{
    uint32_t id = (uint32_t)(h & b->mask) | flag;
    uint32_t k = (uint32_t)(h >> 40) & ((1u << DEDUP_BITS) - 1);
    struct text_fvec *v = b->v;
    for (;;) {
        if (b->slot[k] == 0) {
            if (v->n >= (1u << DEDUP_BITS) / 2)
                return;             /* absurdly long text: ignore the tail */
            if (v->n == v->cap) {
                v->cap = v->cap ? v->cap * 2 : 256;
                v->id = xrealloc(v->id, v->cap * sizeof *v->id);
                v->val = xrealloc(v->val, v->cap * sizeof *v->val);
            }
            b->slot[k] = id + 1;
            b->pos[k] = (uint32_t)v->n;
            v->id[v->n] = id;
            v->val[v->n++] = 1;
            return;
        }
        if (b->slot[k] == id + 1) {
            v->val[b->pos[k]] += 1;
            return;
        }
        k = (k + 1) & ((1u << DEDUP_BITS) - 1);
    }
}

static const char *stem(struct text_scratch *s, const struct text_feat_cfg *c,
                        const char *w, size_t n, size_t *out)
{
    *out = n;
    if (!c->stem_lang || n < 3)
        return w;
    struct sb_stemmer *st = ((unsigned char)w[0] >= 0xC0) ? s->stem_ru : s->stem_en;
    if (!st)
        return w;
    const sb_symbol *r = sb_stemmer_stem(st, (const sb_symbol *)w, (int)n);
    if (!r)
        return w;
    *out = (size_t)sb_stemmer_length(st);
    return (const char *)r;
}

void text_features(struct text_scratch *s, const struct text_doc *d,
                   const struct text_feat_cfg *c, struct text_fvec *out)
{
    if (!s->fbuild)
        s->fbuild = xmalloc(sizeof(struct builder));
    struct builder *b = s->fbuild;
    memset(b->slot, 0, sizeof b->slot);
    b->v = out;
    b->mask = (1u << c->hash_bits) - 1;
    out->n = 0;
    uint64_t prev = 0;
    int have_prev = 0;
    char key[160];
    for (size_t i = 0; i < d->ntok; i++) {
        const struct text_token *t = &d->tok[i];
        size_t n;
        const char *w = text_tok_str(d, i, &n);
        uint64_t h;
        if (t->type == TOK_WORD) {
            size_t sn;
            const char *st = stem(s, c, w, n, &sn);
            if (sn > sizeof key - 2)
                sn = sizeof key - 2;
            size_t kl = 0;
            if (t->flags & TOKF_NEG)
                key[kl++] = '~';
            memcpy(key + kl, st, sn);
            kl += sn;
            h = text_hash64(key, kl, 1);
            if (sn != n || memcmp(st, w, n) != 0)   /* the surface form too */
                emit(b, text_hash64(w, n, 3), 0);
            /* character n-grams of "<word>" */
            if (c->char_max && n + 2 <= sizeof key) {
                key[0] = '<';
                memcpy(key + 1, w, n);
                key[n + 1] = '>';
                size_t L = n + 2;
                uint32_t cps[162];
                size_t ncp = 0;
                for (size_t j = 0; j < L; j++)
                    if (((unsigned char)key[j] & 0xC0) != 0x80)
                        cps[ncp++] = (uint32_t)j;
                cps[ncp] = (uint32_t)L;
                for (size_t a = 0; a < ncp; a++)
                    for (size_t g = c->char_min; g <= c->char_max && a + g <= ncp; g++) {
                        if (g == ncp && g <= 3)
                            continue;     /* "<a>" duplicates the word */
                        emit(b, text_hash64(key + cps[a], cps[a + g] - cps[a], 2), TEXT_FID_CHAR);
                    }
            }
            if (t->flags & TOKF_CAPS)
                emit(b, text_hash64("caps", 4, 4), 0);
            if (t->flags & TOKF_ELONG)
                emit(b, text_hash64("elong", 5, 4), 0);
        } else if (t->type == TOK_NUM) {
            h = text_hash64("<num>", 5, 1);
        } else if (t->type == TOK_PUNCT && !strchr("!?", w[0])) {
            have_prev = 0;        /* plain punctuation breaks bigrams */
            continue;
        } else {
            h = text_hash64(w, n, 1);
        }
        emit(b, h, 0);
        if (c->word_ngrams >= 2 && have_prev)
            emit(b, text_hash64(&prev, sizeof prev, h), 0);
        prev = h;
        have_prev = 1;
    }
    for (size_t i = 0; i < out->n; i++)
        if (out->val[i] > 1)
            out->val[i] = 1.0f + logf(out->val[i]);
}
