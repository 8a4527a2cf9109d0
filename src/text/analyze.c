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

struct text_engine {
    struct text_model *m[3][SLOT__COUNT];     /* [lang][slot] */
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
    for (int l = 0; l < 3; l++)
        for (int s = 0; s < SLOT__COUNT; s++)
            text_model_free(e->m[l][s]);
    text_lexicon_free(e->vader);
    free(e);
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

int text_analyze(const struct text_engine *e, const char *str, size_t n, struct text_analysis *a)
{
    memset(a, 0, sizeof *a);
    struct text_scratch *s = text_scratch_get();
    struct text_doc *d = &s->doc;
    if (text_doc_parse(d, str, n) != 0) {
        strcpy(a->language, "other");
        return PL_EUTF8;
    }
    snprintf(a->language, sizeof a->language, "%s", text_lang_name(d->lang));
    int l = d->lang == TEXT_LANG_RU ? TEXT_LANG_RU : TEXT_LANG_EN;
    struct text_feat_cfg have;
    memset(&have, 0xff, sizeof have);
    float probs[256];

    const struct text_model *em = e->m[l][SLOT_EMOTION] ? e->m[l][SLOT_EMOTION] : e->m[TEXT_LANG_EN][SLOT_EMOTION];
    int ml = e->m[l][SLOT_EMOTION] ? l : TEXT_LANG_EN;
    if (em->nlabels <= 256) {
        predict(em, s, d, &have, probs);
        for (int k = 0; k < TEXT_EMOTION__COUNT; k++)
            a->emotions[k] = e->emap[ml][k] >= 0 ? probs[e->emap[ml][k]] : 0;
    }

    float intensity = 0;
    float lexs = text_vader(e->vader, d, &intensity);
    float sent = lexs;
    const struct text_model *sm = e->m[l][SLOT_SENTIMENT];
    if (sm && sm->nlabels <= 256 && e->pos[l] >= 0 && e->neg[l] >= 0) {
        predict(sm, s, d, &have, probs);
        float learned = probs[e->pos[l]] - probs[e->neg[l]];
        sent = lexs != 0 ? 0.5f * lexs + 0.5f * learned : learned;
    }
    a->sentiment = sent > 1 ? 1 : sent < -1 ? -1 : sent;
    a->intensity = intensity;

    const struct text_model *im = e->m[l][SLOT_INTENT];
    if (im && im->nlabels <= 256) {
        predict(im, s, d, &have, probs);
        uint32_t best = 0;
        for (uint32_t i = 1; i < im->nlabels; i++)
            if (probs[i] > probs[best])
                best = i;
        snprintf(a->intent, sizeof a->intent, "%s", im->labels[best]);
        a->intent_confidence = probs[best];
    }
    text_cues(d, a);
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
