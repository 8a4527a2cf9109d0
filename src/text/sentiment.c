/* sentiment.c — polarity in the spirit of VADER (Hutto & Gilbert 2014):
 * lexicon valences (the MIT VADER lexicon for English, a small built-in
 * stem lexicon for Russian), with negation scope, intensifiers, contrast
 * ("but"/"но" shifts weight to what follows), ALL CAPS and "!" boosts,
 * normalised to [-1,1] by x / sqrt(x^2 + 15). */
#include "text/text_internal.h"

#include "base/err.h"
#include "base/xalloc.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct text_lexicon {
    uint32_t mask;
    char **key;
    float *val;
};

static void lex_put(struct text_lexicon *l, const char *k, size_t n, float v)
{
    uint32_t i = (uint32_t)text_hash64(k, n, 7) & l->mask;
    while (l->key[i]) {
        if (strlen(l->key[i]) == n && memcmp(l->key[i], k, n) == 0) {
            l->val[i] = v;
            return;
        }
        i = (i + 1) & l->mask;
    }
    l->key[i] = xstrndup(k, n);
    l->val[i] = v;
}

static int lex_get(const struct text_lexicon *l, const char *k, size_t n, float *v)
{
    if (!l)
        return 0;
    uint32_t i = (uint32_t)text_hash64(k, n, 7) & l->mask;
    while (l->key[i]) {
        if (strlen(l->key[i]) == n && memcmp(l->key[i], k, n) == 0) {
            *v = l->val[i];
            return 1;
        }
        i = (i + 1) & l->mask;
    }
    return 0;
}

void text_lexicon_free(struct text_lexicon *l)
{
    if (!l)
        return;
    for (uint32_t i = 0; i <= l->mask; i++)
        free(l->key[i]);
    free(l->key);
    free(l->val);
    free(l);
}

/* VADER format: token TAB mean TAB sd TAB ratings. */
int text_lexicon_load(const char *path, struct text_lexicon **out, char **err)
{
    *out = NULL;
    FILE *fp = fopen(path, "r");
    if (!fp) {
        if (err)
            *err = xasprintf("cannot open %s: %s", path, strerror(errno));
        return PL_ENOTFOUND;
    }
    struct text_lexicon *l = xcalloc(1, sizeof *l);
    l->mask = (1u << 15) - 1;
    l->key = xcalloc(l->mask + 1, sizeof *l->key);
    l->val = xcalloc(l->mask + 1, sizeof *l->val);
    char line[1024];
    long ln = 0;
    size_t count = 0;
    while (fgets(line, sizeof line, fp)) {
        ln++;
        char *tab = strchr(line, '\t');
        if (!tab)
            continue;
        char *end;
        double v = strtod(tab + 1, &end);
        if (end == tab + 1 || !isfinite(v) || v < -4.5 || v > 4.5) {
            if (err)
                *err = xasprintf("%s:%ld: bad valence", path, ln);
            fclose(fp);
            text_lexicon_free(l);
            return PL_EPARSE;
        }
        if (count + 1 > (l->mask + 1) / 2)
            break;
        lex_put(l, line, (size_t)(tab - line), (float)v);
        count++;
    }
    fclose(fp);
    *out = l;
    return 0;
}

/* Russian: stems (prefix match) with a valence on VADER's -4..4 scale. */
static const struct { const char *stem; float v; } ru_lex[] = {
    {"отличн", 3.0f}, {"прекрасн", 3.0f}, {"замечательн", 3.0f}, {"хорош", 1.9f}, {"супер", 2.9f},
    {"спасиб", 1.9f}, {"благодар", 2.0f}, {"рад", 2.0f}, {"радост", 2.5f}, {"люблю", 3.0f},
    {"нрав", 1.8f}, {"довол", 1.9f}, {"помог", 1.5f}, {"удобн", 1.6f}, {"быстр", 1.0f},
    {"класс", 2.5f}, {"молодц", 2.6f}, {"восхит", 3.1f}, {"счаст", 3.0f}, {"ура", 2.0f},
    {"круто", 2.3f}, {"вежлив", 1.8f}, {"приятн", 2.0f}, {"лучш", 2.0f}, {"идеальн", 2.8f},
    {"плох", -2.5f}, {"ужасн", -3.1f}, {"отвратит", -3.2f}, {"кошмар", -3.0f}, {"хуж", -2.5f},
    {"недовол", -2.2f}, {"разочар", -2.4f}, {"обман", -2.8f}, {"мошенн", -3.0f}, {"развод", -2.2f},
    {"зл", -2.5f}, {"бесит", -2.9f}, {"бесят", -2.9f}, {"раздраж", -2.3f}, {"груб", -2.3f},
    {"жалоб", -1.9f}, {"проблем", -1.7f}, {"ошибк", -1.5f}, {"сломал", -2.0f}, {"не работает", -2.0f},
    {"верните", -1.5f}, {"задерж", -1.6f}, {"долго", -1.2f}, {"ждать", -0.8f}, {"жду", -0.8f},
    {"грустн", -2.1f}, {"печаль", -2.2f}, {"жаль", -1.5f}, {"страшн", -2.2f}, {"боюсь", -2.0f},
    {"тревож", -2.0f}, {"беспоко", -1.7f}, {"волну", -1.3f}, {"стыд", -2.0f}, {"позор", -3.0f},
    {"хамств", -3.0f}, {"хам", -2.6f}, {"ненавиж", -3.4f}, {"бесполезн", -2.4f}, {"безобраз", -3.0f},
    {"возмут", -2.8f}, {"идиот", -3.0f}, {"дебил", -3.0f}, {"туп", -2.3f}, {"отстой", -2.8f},
    {"умер", -2.5f}, {"потерял", -1.8f}, {"украл", -2.8f}, {"невозможн", -1.5f}, {"неудоб", -1.6f},
};

static const char *const intens[] = {
    "very", "really", "so", "extremely", "totally", "absolutely", "incredibly", "completely",
    "too", "super", "such", "очень", "крайне", "совсем", "слишком", "абсолютно", "совершенно",
    "невероятно", "такой", "такая", "такое", "так", "полностью", "просто",
};

static int is_intens(const char *w, size_t n)
{
    for (size_t i = 0; i < sizeof intens / sizeof intens[0]; i++)
        if (intens[i][0] == w[0] && strlen(intens[i]) == n && memcmp(intens[i], w, n) == 0)
            return 1;
    return 0;
}

static const struct { const char *e; float v; } emo_lex[] = {
    {":)", 2.0f}, {":d", 2.3f}, {";)", 1.6f}, {":p", 1.2f}, {"<3", 2.5f}, {":(", -2.2f},
    {":'(", -2.4f}, {":/", -1.1f}, {":|", -0.6f}, {">:(", -2.8f}, {":o", -0.3f},
};

static float emoji_val(const unsigned char *p, size_t n)
{
    int32_t c = 0;
    if (n >= 4 && p[0] == 0xF0)
        c = ((p[0] & 7) << 18) | ((p[1] & 63) << 12) | ((p[2] & 63) << 6) | (p[3] & 63);
    else if (n >= 3 && (p[0] & 0xF0) == 0xE0)
        c = ((p[0] & 15) << 12) | ((p[1] & 63) << 6) | (p[2] & 63);
    if (c == 0x2764 || c == 0x1F44D || c == 0x1F64F || c == 0x1F389 || c == 0x1F60D || c == 0x1F970)
        return 2.5f;
    if ((c >= 0x1F600 && c <= 0x1F60A) || c == 0x1F642 || c == 0x1F917 || c == 0x1F44C || c == 0x1F60E)
        return 2.0f;
    if (c == 0x1F621 || c == 0x1F620 || c == 0x1F92C || c == 0x1F44E || c == 0x1F4A9)
        return -2.8f;
    if (c == 0x1F622 || c == 0x1F62D || c == 0x1F61E || c == 0x1F614 || c == 0x1F61F || c == 0x1F62B ||
        c == 0x1F629 || c == 0x1F612 || c == 0x1F644 || c == 0x1F615 || c == 0x1F610)
        return -1.8f;
    return 0;
}

float text_vader(const struct text_lexicon *lex, const struct text_doc *d, float *intensity)
{
    float sum_before = 0, sum = 0;
    unsigned allcaps = d->ncaps > 0 && d->ncaps * 2 >= d->ntok;
    unsigned hits = 0, nint = 0;
    for (size_t i = 0; i < d->ntok; i++) {
        const struct text_token *t = &d->tok[i];
        size_t n;
        const char *w = text_tok_str(d, i, &n);
        float v = 0;
        int found = 0;
        if (t->type == TOK_WORD) {
            if (d->lang == TEXT_LANG_RU || ((unsigned char)w[0] >= 0xC0)) {
                for (size_t k = 0; k < sizeof ru_lex / sizeof ru_lex[0]; k++) {
                    size_t sl;
                    if (ru_lex[k].stem[1] == w[1] && ru_lex[k].stem[0] == w[0] && (sl = strlen(ru_lex[k].stem)) <= n &&
                        memcmp(ru_lex[k].stem, w, sl) == 0 && (sl >= 6 || n <= sl + 6)) {
                        v = ru_lex[k].v, found = 1;
                        break;
                    }
                }
            } else
                found = lex_get(lex, w, n, &v);
            if (!found && is_intens(w, n))
                nint++;
        } else if (t->type == TOK_EMOTICON) {
            for (size_t k = 0; k < sizeof emo_lex / sizeof emo_lex[0]; k++)
                if (strlen(emo_lex[k].e) == n && memcmp(emo_lex[k].e, w, n) == 0)
                    v = emo_lex[k].v, found = 1;
        } else if (t->type == TOK_EMOJI) {
            v = emoji_val((const unsigned char *)w, n);
            found = v != 0;
        } else if (t->flags & TOKF_CLAUSE) {
            /* contrast: what came before counts half, what follows more */
            continue;
        }
        if (t->type == TOK_WORD && n > 0) {
            size_t cn;
            const char *cw = text_tok_str(d, i, &cn);
            if ((cn == 3 && memcmp(cw, "but", 3) == 0) || (cn == 4 && memcmp(cw, "но", 4) == 0) ||
                (cn == 12 && memcmp(cw, "однако", 12) == 0)) {
                sum_before += sum * 0.5f;
                sum = 0;
                continue;
            }
        }
        if (!found || v == 0)
            continue;
        hits++;
        float sgn = v > 0 ? 1.0f : -1.0f;
        /* intensifiers up to 3 words back, with decay */
        for (size_t b = 1; b <= 3 && b <= i; b++) {
            size_t bn;
            const char *bw = text_tok_str(d, i - b, &bn);
            if (d->tok[i - b].type == TOK_WORD && is_intens(bw, bn))
                v += sgn * 0.293f * (b == 1 ? 1.0f : b == 2 ? 0.95f : 0.9f);
        }
        if ((t->flags & TOKF_CAPS) && !allcaps)
            v += sgn * 0.733f;
        if (t->flags & TOKF_ELONG)
            v += sgn * 0.293f;
        if (t->flags & TOKF_NEG)
            v *= -0.74f;
        sum += v;
    }
    float total = sum_before + sum * (sum_before != 0 ? 1.5f : 1.0f);
    if (total != 0) {
        unsigned ex = d->nexcl > 4 ? 4 : d->nexcl;
        total += (total > 0 ? 1 : -1) * 0.292f * (float)ex;
        if (d->nquest > 1)
            total += (total > 0 ? 1 : -1) * (d->nquest > 3 ? 0.96f : 0.18f * (float)d->nquest);
    }
    float comp = total / sqrtf(total * total + 15.0f);
    if (intensity) {
        float x = 0.35f * (d->ncaps ? 1.0f : 0.0f) + 0.15f * (float)(d->nexcl > 3 ? 3 : d->nexcl) / 3.0f * 2 +
                  0.15f * (d->nelong ? 1.0f : 0.0f) + 0.1f * (float)(nint > 2 ? 2 : nint) +
                  0.3f * fabsf(comp);
        *intensity = x > 1 ? 1 : x;
    }
    (void)hits;
    return comp;
}
