/* analyze.c — the engine: loads the default models and runs the full
 * analysis of one message (language, emotions, sentiment, intent, cues). */
#include "text/text.h"
#include "text/text_internal.h"

#include "base/buf.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SLOT_EMOTION, SLOT_SENTIMENT, SLOT_INTENT, SLOT__COUNT };

/* The models of one language that share feature settings, fused so that
 * one lookup per feature serves them all: row r holds each model's idf
 * and its quantised weights side by side (a row fits a cache line or
 * two, instead of two misses per model). */
struct joint {
    struct text_feat_cfg cfg;
    int nm;                                   /* models fused */
    const struct text_model *m[SLOT__COUNT];
    int slot[SLOT__COUNT];
    uint32_t off[SLOT__COUNT], L;             /* label offset of each model */
    size_t stride;                            /* bytes per row */
    int32_t *index;                           /* hash -> row or -1 */
    unsigned char *rows;                      /* nm floats idf, then L int8 */
};

struct text_engine {
    struct text_model *m[3][SLOT__COUNT];     /* [lang][slot] */
    struct joint joint[3];
    int emap[3][TEXT_EMOTION__COUNT];         /* emotion -> label index or -1 */
    int pos[3], neg[3];                       /* sentiment label indexes */
    struct text_lexicon *vader;
};

static const char *const emotion_names[] = {"anger", "frustration", "anxiety", "sadness",
                                            "confusion", "joy", "neutral"};
static const char *const cue_names[] = {"cancel", "legal", "regulator", "press", "review",
                                        "profanity", "insult"};

const char *text_emotion_name(enum text_emotion e)
{
    return (unsigned)e < TEXT_EMOTION__COUNT ? emotion_names[e] : "?";
}

const char *text_cue_name(enum text_cue_kind k)
{
    return (unsigned)k < TEXT_CUE__COUNT ? cue_names[k] : "?";
}

int text_emotion_parse(const char *name)
{
    for (int i = 0; i < TEXT_EMOTION__COUNT; i++)
        if (strcmp(name, emotion_names[i]) == 0)
            return i;
    return -1;
}

void text_engine_close(struct text_engine *e)
{
    if (!e)
        return;
    for (int l = 0; l < 3; l++) {
        for (int s = 0; s < SLOT__COUNT; s++)
            text_model_free(e->m[l][s]);
        free(e->joint[l].index);
        free(e->joint[l].rows);
    }
    text_lexicon_free(e->vader);
    free(e);
}

static void build_joint(struct joint *j, struct text_model *const *ms)
{
    memset(j, 0, sizeof *j);
    const struct text_model *first = NULL;
    for (int s = 0; s < SLOT__COUNT; s++)
        if (ms[s] && ms[s]->nlabels <= 256 && (!first || memcmp(&first->cfg, &ms[s]->cfg, sizeof first->cfg) == 0)) {
            if (!first)
                first = ms[s];
            j->m[j->nm] = ms[s];
            j->slot[j->nm] = s;
            j->off[j->nm] = j->L;
            j->L += ms[s]->nlabels;
            j->nm++;
        }
    if (!first)
        return;
    j->cfg = first->cfg;
    uint32_t dim = 1u << j->cfg.hash_bits;
    j->index = xmalloc(dim * sizeof *j->index);
    uint32_t nrows = 0;
    for (uint32_t h = 0; h < dim; h++) {
        int any = 0;
        for (int k = 0; k < j->nm; k++)
            any |= j->m[k]->index[h] >= 0;
        j->index[h] = any ? (int32_t)nrows++ : -1;
    }
    j->stride = (size_t)j->nm * sizeof(float) + j->L;
    j->stride = (j->stride + 3) & ~(size_t)3;
    j->rows = xcalloc(nrows ? nrows : 1, j->stride);
    for (uint32_t h = 0; h < dim; h++) {
        if (j->index[h] < 0)
            continue;
        unsigned char *row = j->rows + (size_t)j->index[h] * j->stride;
        for (int k = 0; k < j->nm; k++) {
            int32_t r = j->m[k]->index[h];
            float idf = r >= 0 ? j->m[k]->idf[r] : 0;
            memcpy(row + k * sizeof(float), &idf, sizeof idf);
            if (r >= 0)
                memcpy(row + j->nm * sizeof(float) + j->off[k], j->m[k]->w + (size_t)r * j->m[k]->nlabels,
                       j->m[k]->nlabels);
        }
    }
}

/* Probabilities of every fused model: probs + j->off[k] for model k. */
static void joint_predict(const struct joint *j, const struct text_fvec *fv, float *probs,
                          int32_t *rowid)
{
    float acc[2][256 * SLOT__COUNT];       /* word block, character block */
    double norm[2][SLOT__COUNT] = {{0}};
    memset(acc[0], 0, j->L * sizeof acc[0][0]);
    memset(acc[1], 0, j->L * sizeof acc[1][0]);
    /* The tables do not fit in cache: issue every load early so that the
     * misses overlap instead of queueing one after another. */
    for (size_t i = 0; i < fv->n; i++)
        __builtin_prefetch(&j->index[fv->id[i] & TEXT_FID_MASK]);
    for (size_t i = 0; i < fv->n; i++) {
        int32_t r = rowid[i] = j->index[fv->id[i] & TEXT_FID_MASK];
        if (r >= 0) {
            const unsigned char *row = j->rows + (size_t)r * j->stride;
            __builtin_prefetch(row);
            __builtin_prefetch(row + j->stride - 1);
        }
    }
    for (size_t i = 0; i < fv->n; i++) {
        int32_t r = rowid[i];
        if (r < 0)
            continue;
        const unsigned char *row = j->rows + (size_t)r * j->stride;
        const int8_t *w = (const int8_t *)(row + j->nm * sizeof(float));
        unsigned blk = fv->id[i] >> 31;
        for (int k = 0; k < j->nm; k++) {
            float idf;
            memcpy(&idf, row + k * sizeof(float), sizeof idf);
            float v = fv->val[i] * idf;
            norm[blk][k] += (double)v * v;
            uint32_t o = j->off[k], L = j->m[k]->nlabels;
            float *a = acc[blk];
            for (uint32_t l = 0; l < L; l++)
                a[o + l] += v * w[o + l];
        }
    }
    for (int k = 0; k < j->nm; k++) {
        const struct text_model *m = j->m[k];
        float inv0 = norm[0][k] > 0 ? (float)(1.0 / sqrt(norm[0][k])) : 0;
        float inv1 = norm[1][k] > 0 ? (float)(1.0 / sqrt(norm[1][k])) : 0;
        double sum = 0;
        float *p = probs + j->off[k];
        for (uint32_t l = 0; l < m->nlabels; l++) {
            float z = acc[0][j->off[k] + l] * inv0 + acc[1][j->off[k] + l] * inv1;
            p[l] = 1.0f / (1.0f + expf(-(z * m->scale[l] + m->bias[l])));
            sum += p[l];
        }
        if (!m->multi_label && sum > 0)
            for (uint32_t l = 0; l < m->nlabels; l++)
                p[l] = (float)(p[l] / sum);
    }
}

static const char *const slot_file[] = {"emotion", "sentiment", "intent"};

int text_engine_open(const char *dir, struct text_engine **out, char **err)
{
    *out = NULL;
    if (!dir)
        dir = getenv("PARLEY_MODELS");
    if (!dir || !*dir)
        dir = "data/models";
    struct text_engine *e = xcalloc(1, sizeof *e);
    for (int l = TEXT_LANG_EN; l <= TEXT_LANG_RU; l++)
        for (int s = 0; s < SLOT__COUNT; s++) {
            char *path = xasprintf("%s/%s-%s.model", dir, l == TEXT_LANG_EN ? "en" : "ru", slot_file[s]);
            char *e2 = NULL;
            int rc = text_model_load(path, &e->m[l][s], &e2);
            free(path);
            if (rc == PL_ENOTFOUND) {
                free(e2);
                continue;
            }
            if (rc) {
                if (err)
                    *err = e2;
                else
                    free(e2);
                text_engine_close(e);
                return rc;
            }
        }
    if (!e->m[TEXT_LANG_EN][SLOT_EMOTION]) {
        if (err)
            *err = xasprintf("no text models in %s (need en-emotion.model; run `make models`)", dir);
        text_engine_close(e);
        return PL_ENOTFOUND;
    }
    for (int l = 0; l < 3; l++) {
        e->pos[l] = e->neg[l] = -1;
        for (int k = 0; k < TEXT_EMOTION__COUNT; k++)
            e->emap[l][k] = -1;
        const struct text_model *em = e->m[l][SLOT_EMOTION];
        for (uint32_t i = 0; em && i < em->nlabels; i++) {
            int k = text_emotion_parse(em->labels[i]);
            if (k >= 0)
                e->emap[l][k] = (int)i;
        }
        const struct text_model *sm = e->m[l][SLOT_SENTIMENT];
        for (uint32_t i = 0; sm && i < sm->nlabels; i++) {
            if (strcmp(sm->labels[i], "positive") == 0)
                e->pos[l] = (int)i;
            if (strcmp(sm->labels[i], "negative") == 0)
                e->neg[l] = (int)i;
        }
    }
    for (int l = TEXT_LANG_EN; l <= TEXT_LANG_RU; l++)
        build_joint(&e->joint[l], e->m[l]);
    char *vpath = xasprintf("%s/vader_lexicon.txt", dir);
    char *e3 = NULL;
    int rc = text_lexicon_load(vpath, &e->vader, &e3);
    free(vpath);
    if (rc && rc != PL_ENOTFOUND) {
        if (err)
            *err = e3;
        else
            free(e3);
        text_engine_close(e);
        return rc;
    }
    free(e3);
    *out = e;
    return 0;
}

/* Predicts with m, recomputing features only when the settings differ
 * from the ones already in s->fv. */
static void predict(const struct text_model *m, struct text_scratch *s, const struct text_doc *d,
                    struct text_feat_cfg *have, float *probs)
{
    if (memcmp(have, &m->cfg, sizeof *have) != 0) {
        text_features(s, d, &m->cfg, &s->fv);
        *have = m->cfg;
    }
    text_model_predict_fv(m, s, &s->fv, probs);
}

/* The classifiers learned emotions from social-media comments (GoEmotions,
 * CEDR); a complaint to a shop reads differently ("Worst service ever" is
 * not joy; a letter from lawyers is not neutral). What the message says
 * outright is evidence too, and it is combined here, after the models:
 *   - a threat (court, regulator, press) or an insult or swearing is anger;
 *   - a threat to leave or to post a review is at least frustration;
 *   - "I'm worried" / "боюсь" is anxiety, "I don't understand" /
 *     "не понимаю" is confusion;
 *   - a clearly negative message (lexicon and model agree on the sign)
 *     cannot be mostly joy, nor mostly neutral, and its anger grows with
 *     how loudly it is said (caps, "!!!", intensifiers).
 * Each rule only raises the negative emotions or lowers joy/neutral; a
 * calm or happy message is left as the models read it. The figures in
 * docs/text-quality.md are the models' own (parley eval), before this. */
/* Words that say the feeling outright (case-folded stems, matched inside
 * words): "I'm worried", "боюсь", "I don't understand", "запуталась". */
static const char *const anxiety_words[3][9] = {
    [TEXT_LANG_EN] = {"worr", "afraid", "scared", "nervous", "anxious", "panic", "frighten", NULL},
    [TEXT_LANG_RU] = {"беспоко", "боюсь", "волнуюсь", "тревож", "страшно", "переживаю",
                      "опасаюсь", NULL},
};
static const char *const confusion_words[3][9] = {
    [TEXT_LANG_EN] = {"confus", "understand", "make sense", "not sure how", NULL},
    [TEXT_LANG_RU] = {"не понимаю", "непонятно", "запутал", "разобраться", "не разобрал", NULL},
};

/* Only the message's own language is searched (a few µs matter here:
 * the whole analysis costs ~20 µs). "understand" counts only negated. */
static int says(const struct text_doc *d, const char *const (*words)[9])
{
    if (!d->fold || d->lang == TEXT_LANG_OTHER)
        return 0;
    for (size_t i = 0; words[d->lang][i]; i++) {
        const char *hit = strstr(d->fold, words[d->lang][i]);
        if (hit && strcmp(words[d->lang][i], "understand") == 0)
            hit = hit - d->fold >= 4 && (strncmp(hit - 4, "n't ", 4) == 0 ||
                                         (hit - d->fold >= 4 && strncmp(hit - 4, "not ", 4) == 0))
                      ? hit : NULL;
        if (hit)
            return 1;
    }
    return 0;
}

static void weigh_evidence(struct text_analysis *a, const struct text_doc *d)
{
    float *e = a->emotions;
    if (says(d, anxiety_words) && e[TEXT_EMOTION_ANXIETY] < 0.45f)
        e[TEXT_EMOTION_ANXIETY] = 0.45f;
    if (says(d, confusion_words) && e[TEXT_EMOTION_CONFUSION] < 0.45f)
        e[TEXT_EMOTION_CONFUSION] = 0.45f;
    int said = e[TEXT_EMOTION_ANXIETY] >= 0.45f || e[TEXT_EMOTION_CONFUSION] >= 0.45f;
    float neg = a->sentiment < 0 ? -a->sentiment : 0;
    int threat = 0, leave = 0;
    for (size_t i = 0; i < a->ncues; i++) {
        enum text_cue_kind k = a->cues[i].kind;
        threat |= k == TEXT_CUE_LEGAL || k == TEXT_CUE_REGULATOR || k == TEXT_CUE_PRESS ||
                  k == TEXT_CUE_INSULT || k == TEXT_CUE_PROFANITY;
        leave |= k == TEXT_CUE_CANCEL || k == TEXT_CUE_REVIEW;
    }
    if (threat) {
        float v = 0.55f + 0.35f * neg;
        if (e[TEXT_EMOTION_ANGER] < v)
            e[TEXT_EMOTION_ANGER] = v;
    }
    if (leave) {
        float v = 0.5f + 0.3f * neg;
        if (e[TEXT_EMOTION_FRUSTRATION] < v)
            e[TEXT_EMOTION_FRUSTRATION] = v;
    }
    if (a->sentiment <= -0.2f) {
        e[TEXT_EMOTION_JOY] *= 1.0f - neg;
        float loud = neg * (0.5f + 0.5f * a->intensity);
        if (e[TEXT_EMOTION_ANGER] < loud * 0.8f)
            e[TEXT_EMOTION_ANGER] = loud * 0.8f;
        if (e[TEXT_EMOTION_FRUSTRATION] < neg * 0.6f)
            e[TEXT_EMOTION_FRUSTRATION] = neg * 0.6f;
    }
    if (said && e[TEXT_EMOTION_JOY] > 0.3f && a->sentiment < 0.3f)
        e[TEXT_EMOTION_JOY] = 0.3f;
    if (threat || leave || said || a->sentiment <= -0.2f) {
        float strongest = 0;
        for (int k = 0; k < TEXT_EMOTION__COUNT; k++)
            if (k != TEXT_EMOTION_NEUTRAL && e[k] > strongest)
                strongest = e[k];
        if (e[TEXT_EMOTION_NEUTRAL] > strongest * 0.5f)
            e[TEXT_EMOTION_NEUTRAL] = strongest * 0.5f;
    }
    for (int k = 0; k < TEXT_EMOTION__COUNT; k++)
        e[k] = e[k] < 0 ? 0 : e[k] > 1 ? 1 : e[k];
}

int text_analyze(const struct text_engine *e, const char *str, size_t n, struct text_analysis *a)
{
    memset(a, 0, sizeof *a);
    struct text_scratch *s = text_scratch_get();
    struct text_doc *d = &s->doc;
    if (text_doc_parse(d, str, n) != 0) {
        memcpy(a->language, "other", sizeof "other");
        return PL_EUTF8;
    }
    snprintf(a->language, sizeof a->language, "%s", text_lang_name(d->lang));
    int l = d->lang == TEXT_LANG_RU ? TEXT_LANG_RU : TEXT_LANG_EN;
    struct text_feat_cfg have;
    memset(&have, 0xff, sizeof have);
    float probs[256];
    /* models fused for this language: one pass over the features */
    const struct joint *j = &e->joint[l];
    float jp[256 * SLOT__COUNT];
    const float *slotp[SLOT__COUNT] = {NULL, NULL, NULL};
    if (j->nm > 0) {
        text_features(s, d, &j->cfg, &s->fv);
        have = j->cfg;
        if (s->fv2.cap < s->fv.n) {
            s->fv2.cap = s->fv.n;
            s->fv2.id = xrealloc(s->fv2.id, s->fv2.cap * sizeof *s->fv2.id);
        }
        joint_predict(j, &s->fv, jp, (int32_t *)s->fv2.id);
        for (int k = 0; k < j->nm; k++)
            slotp[j->slot[k]] = jp + j->off[k];
    }

    const struct text_model *em = e->m[l][SLOT_EMOTION] ? e->m[l][SLOT_EMOTION] : e->m[TEXT_LANG_EN][SLOT_EMOTION];
    int ml = e->m[l][SLOT_EMOTION] ? l : TEXT_LANG_EN;
    if (em->nlabels <= 256) {
        const float *p = probs;
        if (ml == l && slotp[SLOT_EMOTION])
            p = slotp[SLOT_EMOTION];
        else
            predict(em, s, d, &have, probs);
        for (int k = 0; k < TEXT_EMOTION__COUNT; k++)
            a->emotions[k] = e->emap[ml][k] >= 0 ? p[e->emap[ml][k]] : 0;
    }

    float intensity = 0;
    float lexs = text_vader(e->vader, d, &intensity);
    float sent = lexs;
    const struct text_model *sm = e->m[l][SLOT_SENTIMENT];
    if (sm && sm->nlabels <= 256 && e->pos[l] >= 0 && e->neg[l] >= 0) {
        const float *p = slotp[SLOT_SENTIMENT];
        if (!p) {
            predict(sm, s, d, &have, probs);
            p = probs;
        }
        float learned = p[e->pos[l]] - p[e->neg[l]];
        sent = lexs != 0 ? 0.5f * lexs + 0.5f * learned : learned;
    }
    a->sentiment = sent > 1 ? 1 : sent < -1 ? -1 : sent;
    a->intensity = intensity;

    const struct text_model *im = e->m[l][SLOT_INTENT];
    if (im && im->nlabels <= 256) {
        const float *p = slotp[SLOT_INTENT];
        if (!p) {
            predict(im, s, d, &have, probs);
            p = probs;
        }
        uint32_t best = 0;
        for (uint32_t i = 1; i < im->nlabels; i++)
            if (p[i] > p[best])
                best = i;
        snprintf(a->intent, sizeof a->intent, "%s", im->labels[best]);
        a->intent_confidence = p[best];
    }
    text_cues(d, a);
    weigh_evidence(a, d);
    return 0;
}

static void json_str(struct buf *b, const char *s)
{
    buf_putc(b, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            buf_putc(b, '\\');
            buf_putc(b, (char)c);
        } else if (c < 0x20)
            buf_printf(b, "\\u%04x", c);
        else
            buf_putc(b, (char)c);
    }
    buf_putc(b, '"');
}

static double r4(float x)
{
    if (!isfinite(x))
        return 0;
    return round((double)x * 10000) / 10000;
}

void text_analysis_json(const struct text_analysis *a, struct buf *out)
{
    buf_puts(out, "{\"language\":");
    json_str(out, a->language);
    buf_puts(out, ",\"emotions\":{");
    for (int k = 0; k < TEXT_EMOTION__COUNT; k++)
        buf_printf(out, "%s\"%s\":%g", k ? "," : "", emotion_names[k], r4(a->emotions[k]));
    buf_printf(out, "},\"sentiment\":%g,\"intensity\":%g,\"intent\":", r4(a->sentiment), r4(a->intensity));
    if (a->intent[0]) {
        buf_puts(out, "{\"label\":");
        json_str(out, a->intent);
        buf_printf(out, ",\"confidence\":%g}", r4(a->intent_confidence));
    } else
        buf_puts(out, "null");
    buf_puts(out, ",\"cues\":[");
    for (size_t i = 0; i < a->ncues; i++) {
        buf_printf(out, "%s{\"type\":\"%s\",\"evidence\":", i ? "," : "", cue_names[a->cues[i].kind]);
        json_str(out, a->cues[i].evidence);
        buf_putc(out, '}');
    }
    buf_puts(out, "]}");
}
