/* text_internal.h — shared between the files of src/text/: the token
 * stream, the per-thread scratch, hashed features and linear models.
 * Not for use outside src/text/ (tests excepted). */
#ifndef PARLEY_TEXT_INTERNAL_H
#define PARLEY_TEXT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

struct sb_stemmer;

enum text_lang { TEXT_LANG_OTHER = 0, TEXT_LANG_EN = 1, TEXT_LANG_RU = 2 };

enum text_tok_type { TOK_WORD, TOK_NUM, TOK_EMOJI, TOK_EMOTICON, TOK_PUNCT };

/* The FNV-1a basis of the text engine's hashes and model-file checksums:
 * one digit short of FNV's own (14695981039346656037), a slip kept on
 * purpose because every shipped model was written with it. */
#define TEXT_FNV_BASIS 1469598103934665603ULL

#define TOKF_CAPS     1u   /* written in capitals ("NEVER"), >= 2 letters */
#define TOKF_ELONG    2u   /* had a letter repeated 3+ times ("sooo") */
#define TOKF_NEG      4u   /* inside the scope of a negation */
#define TOKF_NEGATOR  8u   /* is a negation word (not, never, не, нет, ни) */
#define TOKF_CLAUSE  16u   /* punctuation/contrast that ends a negation scope */

struct text_token {
    uint32_t off, len;       /* folded form: doc->fold[off..off+len) */
    uint32_t src, srclen;    /* NFKC cased text: doc->nfkc[src..src+srclen) */
    uint8_t  type, flags;
};

/* One normalised, tokenised message. Buffers are reused between calls. */
struct text_doc {
    char   *nfkc;   size_t nfkc_len, nfkc_cap;
    char   *fold;   size_t fold_len, fold_cap;
    struct text_token *tok; size_t ntok, tok_cap;
    int32_t *cp;    size_t cp_cap;
    uint32_t *lone; size_t nlone, lone_cap;   /* offsets of "(" nothing closes */
    int lang;                        /* enum text_lang */
    unsigned ncaps, nexcl, nquest, nelong, nletters;
};

/* Hashed feature vector: ids in [0, 2^bits), with TEXT_FID_CHAR set on
 * character n-grams (the word and character blocks are L2-normalised
 * separately, so that the many n-grams do not drown the words); values
 * are sublinear term frequencies. */
#define TEXT_FID_CHAR 0x80000000u
#define TEXT_FID_MASK 0x7fffffffu
struct text_fvec {
    uint32_t *id; float *val; size_t n, cap;
};

struct text_feat_cfg {
    uint8_t hash_bits;     /* 16..24 */
    uint8_t word_ngrams;   /* 1 or 2 */
    uint8_t char_min, char_max;   /* 0 = no char n-grams */
    uint8_t stem_lang;     /* enum text_lang: which Snowball stemmer */
};

/* Per-thread scratch (see scratch.c). */
struct text_scratch {
    struct text_doc doc;
    struct text_fvec fv, fv2;
    struct sb_stemmer *stem_en, *stem_ru;
    float *tmp; size_t tmp_cap;
    char *sbuf; size_t sbuf_cap;
    void *fbuild;                    /* features.c's dedup table */
};
struct text_scratch *text_scratch_get(void);

/* normalize.c: validates, NFKC-normalises, case-folds and tokenises
 * s[0..n) into d (also sets d->lang). Returns 0 or PL_EUTF8. */
int  text_doc_parse(struct text_doc *d, const char *s, size_t n);
void text_doc_free(struct text_doc *d);
/* Folded form of token i, borrowed. */
static inline const char *text_tok_str(const struct text_doc *d, size_t i, size_t *len)
{
    *len = d->tok[i].len;
    return d->fold + d->tok[i].off;
}
int text_is_negator(const char *w, size_t n);

/* langid.c */
int text_langid(const struct text_doc *d);
const char *text_lang_name(int lang);

/* features.c */
void text_features(struct text_scratch *s, const struct text_doc *d,
                   const struct text_feat_cfg *c, struct text_fvec *out);
void text_fvec_free(struct text_fvec *v);
uint64_t text_hash64(const void *p, size_t n, uint64_t seed);

/* model.c: a linear model over hashed features. */
struct text_model {
    char     task[64];
    int      multi_label;
    uint32_t nlabels;
    char   **labels;
    struct text_feat_cfg cfg;
    uint32_t nfeat;
    int32_t *index;          /* 2^hash_bits -> row or -1 */
    uint32_t *feat;          /* row -> hashed id */
    float   *idf;            /* row -> idf */
    int8_t  *w;              /* nfeat x nlabels, quantised */
    float   *scale, *bias, *thresh;   /* per label */
};

struct text_train_set {
    size_t n;
    const char **text; const size_t *text_len;
    const uint32_t *lab_off;     /* labels of row i: lab[lab_off[i]..lab_off[i+1]) */
    const uint32_t *lab;
    uint32_t nlabels;
    char **labels;               /* borrowed */
};

struct text_train_opts {
    const char *task;
    int multi_label;
    int lang;                    /* -1: detect from the data */
    double C;                    /* <= 0: choose on a held-out 15% */
    int nb;                      /* naive-Bayes feature scaling: TEXT_NB_* */
    int verbose;
};

/* Naive-Bayes scaling of the features (NBSVM): chosen on the held-out
 * 15% against the plain model, or forced off or on. */
enum { TEXT_NB_CHOOSE, TEXT_NB_OFF, TEXT_NB_ON };

int  text_model_train(const struct text_train_set *ts, const struct text_train_opts *o,
                      struct text_model **out, char **err);
int  text_model_save(const struct text_model *m, const char *path, char **err);
int  text_model_load(const char *path, struct text_model **out, char **err);
int  text_model_load_mem(const unsigned char *p, size_t n, struct text_model **out, char **err);
void text_model_free(struct text_model *m);
/* Probabilities for each label into probs[nlabels] from features of an
 * already parsed doc. Single-label: they sum to 1. */
void text_model_predict_doc(const struct text_model *m, struct text_scratch *s,
                            const struct text_doc *d, float *probs);
void text_model_predict_fv(const struct text_model *m, struct text_scratch *s,
                           const struct text_fvec *fv, float *probs);
/* Parses s then predicts. Returns 0 or PL_EUTF8. */
int  text_model_predict(const struct text_model *m, const char *s, size_t n, float *probs);

/* sentiment.c: VADER-style lexicon + rules. */
struct text_lexicon;
int  text_lexicon_load(const char *path, struct text_lexicon **out, char **err);
void text_lexicon_free(struct text_lexicon *l);
/* Compound polarity in [-1,1]; lex_en/lex_ru may be NULL. */
float text_vader(const struct text_lexicon *lex, const struct text_doc *d, float *intensity);

/* cues.c */
struct text_analysis;
void text_cues(const struct text_doc *d, struct text_analysis *a);

#endif
