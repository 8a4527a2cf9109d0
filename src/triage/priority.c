/* priority.c — priority, trend, category and escalation, each decision
 * appending its reasons (machine code + English + Russian text). The
 * points behind priority are documented in docs/triage.md. */
#include "triage/triage.h"
#include "triage/triage_internal.h"

#include "base/err.h"
#include "base/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const emotion_names[TRIAGE_EMOTION__COUNT] = {
    "anger", "frustration", "anxiety", "sadness", "confusion", "joy", "neutral"};
static const char *const cue_names[TRIAGE_CUE__COUNT] = {
    "cancel", "legal", "regulator", "press", "review", "profanity", "insult"};

const char *triage_emotion_name(enum triage_emotion e)
{
    return (unsigned)e < TRIAGE_EMOTION__COUNT ? emotion_names[e] : "?";
}

int triage_emotion_parse(const char *s, enum triage_emotion *out)
{
    for (int i = 0; s && i < TRIAGE_EMOTION__COUNT; i++)
        if (strcmp(s, emotion_names[i]) == 0) {
            *out = (enum triage_emotion)i;
            return 0;
        }
    return PL_EINVAL;
}

const char *triage_cue_name(unsigned bit)
{
    for (unsigned i = 0; i < TRIAGE_CUE__COUNT; i++)
        if (bit == 1u << i)
            return cue_names[i];
    return NULL;
}

int triage_cue_parse(const char *s, unsigned *bit)
{
    for (unsigned i = 0; s && i < TRIAGE_CUE__COUNT; i++)
        if (strcmp(s, cue_names[i]) == 0) {
            *bit = 1u << i;
            return 0;
        }
    return PL_EINVAL;
}

/* ---- reasons ----------------------------------------------------------- */

void triage_reasons_release(struct triage_reasons *r)
{
    free(r->v);
    r->v = NULL;
    r->n = r->cap = 0;
}

bool triage_reasons_has(const struct triage_reasons *r, const char *code)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->v[i].code, code) == 0)
            return true;
    return false;
}

/* Cuts a UTF-8 sequence that snprintf truncation left incomplete at the
 * end of s, so reasons are always valid UTF-8. */
static void trim_utf8(char *s)
{
    size_t n = strlen(s), i = n;
    while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
        i--;
    if (i == 0)
        return;
    const unsigned char lead = (unsigned char)s[i - 1];
    const size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (n - (i - 1) < need)
        s[i - 1] = '\0';
}

static struct triage_reason *push(struct triage_reasons *r, const char *stage, const char *code)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 8;
        r->v = xrealloc(r->v, r->cap * sizeof r->v[0]);
    }
    struct triage_reason *x = &r->v[r->n++];
    memset(x, 0, sizeof *x);
    snprintf(x->stage, sizeof x->stage, "%s", stage);
    snprintf(x->code, sizeof x->code, "%s", code);
    return x;
}

void triage__reason(struct triage_reasons *r, const char *stage, const char *code,
                    const char *en, const char *ru)
{
    if (!r)
        return;
    struct triage_reason *x = push(r, stage, code);
    snprintf(x->en, sizeof x->en, "%s", en);
    snprintf(x->ru, sizeof x->ru, "%s", ru);
    trim_utf8(x->en);
    trim_utf8(x->ru);
}

void triage__why(struct triage_reasons *r, const char *stage, const char *code,
                 const char *en, const char *ru, ...)
{
    if (!r)
        return;
    struct triage_reason *x = push(r, stage, code);
    va_list ap;
    va_start(ap, ru);
    vsnprintf(x->en, sizeof x->en, en, ap);
    va_end(ap);
    va_start(ap, ru);
    vsnprintf(x->ru, sizeof x->ru, ru, ap);
    va_end(ap);
    trim_utf8(x->en);
    trim_utf8(x->ru);
}

#define WHY(...) triage__why(why, "priority", __VA_ARGS__)

/* Scores arrive as floats, thresholds as doubles: 0.7f is below 0.7, so
 * compare with a tolerance far below any meaningful difference. */
static bool ge(double v, double thr)
{
    return v + 1e-6 >= thr;
}

/* ---- trend ------------------------------------------------------------- */

bool triage_rising(const struct triage_config *c, const struct triage_signal *s,
                   const struct triage_context *x, double *delta)
{
    double d = 0, neg = 0;
    size_t k = x->n_prev < 3 ? x->n_prev : 3;
    if (k > 0) {
        double ma = 0, ms = 0;
        for (size_t i = x->n_prev - k; i < x->n_prev; i++) {
            ma += x->prev[i].anger;
            ms += x->prev[i].sentiment;
        }
        d = s->emotion[TRIAGE_ANGER] - ma / (double)k;
        neg = (ms / (double)k - s->sentiment) / 2;   /* sentiment spans 2 units */
    }
    if (delta)
        *delta = d;
    return k > 0 && (ge(d, c->rise_min) || ge(neg, c->rise_min));
}

/* ---- priority ---------------------------------------------------------- */

/* NaN (a broken analysis) counts as 0. */
static double clamp01(double v)
{
    return v > 0 ? (v < 1 ? v : 1) : 0;
}

static int tier_index(const char *tier)
{
    static const char *const t[] = {"none", "silver", "gold", "vip"};
    for (int i = 1; tier && i < 4; i++)
        if (strcasecmp(tier, t[i]) == 0)
            return i;
    if (tier && strcasecmp(tier, "platinum") == 0)
        return 3;
    return 0;
}

void triage_priority(const struct triage_config *c, const struct triage_signal *s,
                     const struct triage_context *x, struct triage_priority *out,
                     struct triage_reasons *why)
{
    memset(out, 0, sizeof *out);
    const double anger = clamp01(s->emotion[TRIAGE_ANGER]);
    const double frus = clamp01(s->emotion[TRIAGE_FRUSTRATION]);
    const double anx = clamp01(s->emotion[TRIAGE_ANXIETY]);
    int pts = 0;

    if (ge(anger, c->anger_high)) {
        pts += 3;
        WHY("anger_high", "Strong anger (%.2f)", "Сильный гнев (%.2f)", anger);
    } else if (ge(anger, c->anger_moderate)) {
        pts += 1;
        WHY("anger_moderate", "Noticeable anger (%.2f)", "Заметный гнев (%.2f)", anger);
    }
    if (ge(frus, c->frustration_high)) {
        pts += 2;
        WHY("frustration_high", "Strong frustration (%.2f)", "Сильное разочарование (%.2f)", frus);
    } else if (ge(frus, c->anger_moderate)) {
        pts += 1;
        WHY("frustration_moderate", "Frustration (%.2f)", "Разочарование (%.2f)", frus);
    }
    if (ge(anx, c->anxiety_high)) {
        pts += 1;
        WHY("anxiety_high", "Strong anxiety (%.2f)", "Сильное беспокойство (%.2f)", anx);
    }
    if (ge(-s->sentiment, -c->negative_sentiment)) {
        pts += 1;
        WHY("sentiment_negative", "Very negative tone (%.2f)", "Очень негативный тон (%.2f)",
            (double)s->sentiment);
    }
    double delta;
    out->rising = triage_rising(c, s, x, &delta);
    if (out->rising) {
        pts += 1;
        WHY("anger_rising", "Getting angrier over %zu earlier messages (%+.2f)",
            "Раздражение растёт по сравнению с %zu предыдущими сообщениями (%+.2f)",
            x->n_prev < 3 ? x->n_prev : (size_t)3, delta);
    }

    /* Cues: threats are worth more than rudeness. */
    static const struct { unsigned bit; int pts; const char *code, *en, *ru; } cue_pts[] = {
        {TRIAGE_CUE_LEGAL, 3, "cue_legal", "Threatens legal action", "Угроза судом или юристами"},
        {TRIAGE_CUE_REGULATOR, 3, "cue_regulator", "Threatens to complain to a regulator",
         "Угроза жалобой в надзорный орган"},
        {TRIAGE_CUE_PRESS, 3, "cue_press", "Threatens to go to the press",
         "Угроза обратиться в СМИ"},
        {TRIAGE_CUE_CANCEL, 2, "cue_cancel", "Threatens to cancel or leave",
         "Угроза отказаться от услуг или уйти"},
        {TRIAGE_CUE_REVIEW, 2, "cue_review", "Threatens a public review",
         "Угроза публичного отзыва"},
        {TRIAGE_CUE_PROFANITY, 1, "cue_profanity", "Profanity", "Ненормативная лексика"},
        {TRIAGE_CUE_INSULT, 1, "cue_insult", "Insults", "Оскорбления"},
    };
    for (size_t i = 0; i < sizeof cue_pts / sizeof cue_pts[0]; i++)
        if (s->cues & cue_pts[i].bit) {
            pts += cue_pts[i].pts;
            triage__reason(why, "priority", cue_pts[i].code, cue_pts[i].en, cue_pts[i].ru);
        }

    const int64_t wait_min = x->waiting_ms / 60000;
    if (c->wait_long_min > 0 && wait_min >= c->wait_long_min) {
        pts += 2;
        WHY("waiting_long", "Waiting %lld min for an answer", "Ждёт ответа %lld мин",
            (long long)wait_min);
    } else if (c->wait_min > 0 && wait_min >= c->wait_min) {
        pts += 1;
        WHY("waiting", "Waiting %lld min for an answer", "Ждёт ответа %lld мин",
            (long long)wait_min);
    }
    if (c->repeat_many > 0 && x->repeat_contacts >= c->repeat_many) {
        pts += 2;
        WHY("repeat_contacts_many", "Contacted us %d times before about this issue",
            "Уже обращался по этому вопросу %d раз(а)", x->repeat_contacts);
    } else if (c->repeat_some > 0 && x->repeat_contacts >= c->repeat_some) {
        pts += 1;
        WHY("repeat_contact", "Contacted us %d time(s) before about this issue",
            "Уже обращался по этому вопросу %d раз(а)", x->repeat_contacts);
    }
    const int ti = tier_index(x->tier);
    if (ti > 0 && c->tier_points[ti] > 0) {
        pts += c->tier_points[ti];
        WHY("tier", "Customer tier %s", "Уровень клиента: %s", x->tier);
    }
    if (c->high_value > 0 && x->lifetime_value >= c->high_value) {
        pts += 1;
        WHY("high_value", "High lifetime value (%.0f)", "Высокая ценность клиента (%.0f)",
            x->lifetime_value);
    }

    /* Hostility: how heavy the conversation is for the agent. */
    double h = anger > 0.8 * frus ? anger : 0.8 * frus;
    if (s->cues & TRIAGE_CUE_INSULT)
        h += 0.3;
    if (s->cues & TRIAGE_CUE_PROFANITY)
        h += 0.2;
    if (s->cues & (TRIAGE_CUE_LEGAL | TRIAGE_CUE_REGULATOR | TRIAGE_CUE_PRESS))
        h += 0.1;
    out->hostility = clamp01(h);
    out->hostile = ge(out->hostility, c->hostile_threshold);
    out->intense = ge(out->hostility, c->intense_threshold);
    if (out->hostile)
        WHY(out->intense ? "intense" : "hostile",
            out->intense ? "Intense conversation (hostility %.2f)" : "Hostile conversation (hostility %.2f)",
            out->intense ? "Напряжённый разговор (враждебность %.2f)" : "Враждебный разговор (враждебность %.2f)",
            out->hostility);

    enum priority p;
    if (pts >= c->urgent_score)
        p = PRIORITY_URGENT;
    else if (pts >= c->high_score)
        p = PRIORITY_HIGH;
    else if (pts > 0)
        p = PRIORITY_NORMAL;
    else {
        const double calm = s->emotion[TRIAGE_JOY] > s->emotion[TRIAGE_NEUTRAL]
                                ? s->emotion[TRIAGE_JOY] : s->emotion[TRIAGE_NEUTRAL];
        bool dominant = true;
        for (int e = 0; e < TRIAGE_JOY; e++)
            if (s->emotion[e] > calm)
                dominant = false;
        if (dominant && calm > 0 && s->sentiment >= 0) {
            p = PRIORITY_LOW;
            WHY("calm", "Calm message, nothing pressing", "Спокойное сообщение, без срочности");
        } else {
            p = PRIORITY_NORMAL;
            WHY("default", "No signal raises priority", "Нет признаков для повышения приоритета");
        }
    }
    out->score = pts;
    if (x->existing && x->current_priority > p && x->current_priority < PRIORITY__COUNT) {
        WHY("priority_kept", "Kept the ticket's priority %s (not lowered automatically)",
            "Сохранён приоритет обращения %s (автоматически не понижается)",
            priority_name(x->current_priority));
        p = x->current_priority;
    }
    out->priority = p;
}

/* ---- category ---------------------------------------------------------- */

void triage_category(const struct triage_config *c, const struct triage_signal *s,
                     char *out, size_t outlen, struct triage_reasons *why)
{
    if (outlen == 0)
        return;
    out[0] = '\0';
    if (!s->intent || !*s->intent) {
        triage__why(why, "category", "no_intent", "No intent detected: uncategorised",
                    "Намерение не определено: без категории");
        return;
    }
    if (!ge(s->intent_confidence, c->intent_min_confidence)) {
        triage__why(why, "category", "intent_unsure",
                    "Intent %s too uncertain (%.2f): uncategorised",
                    "Намерение %s неуверенно (%.2f): без категории",
                    s->intent, (double)s->intent_confidence);
        return;
    }
    for (int i = 0; i < c->n_intents; i++)
        if (strcmp(c->intent[i], s->intent) == 0) {
            snprintf(out, outlen, "%s", c->category[i]);
            trim_utf8(out);
            triage__why(why, "category", "intent_mapped", "Intent %s (%.2f) → category %s",
                        "Намерение %s (%.2f) → категория %s", s->intent,
                        (double)s->intent_confidence, out);
            return;
        }
    snprintf(out, outlen, "%s", s->intent);
    trim_utf8(out);
    triage__why(why, "category", "intent_as_category", "Intent %s (%.2f) used as the category",
                "Намерение %s (%.2f) использовано как категория", s->intent,
                (double)s->intent_confidence);
}

/* ---- escalation -------------------------------------------------------- */

/* 0: not close, 1: within the window, 2: already past. */
static int sla_state(const struct triage_config *c, int64_t due, int64_t now)
{
    if (due == 0)
        return 0;
    if (due <= now)
        return 2;
    return due - now <= (int64_t)c->esc_sla_window_min * 60000 ? 1 : 0;
}

bool triage_escalate(const struct triage_config *c, const struct triage_signal *s,
                     const struct triage_context *x, struct triage_reasons *why)
{
    bool esc = false;
    if (c->esc_anger_enabled) {
        double delta;
        const bool rising = triage_rising(c, s, x, &delta);
        if (ge(s->emotion[TRIAGE_ANGER], c->esc_anger_threshold) && rising) {
            esc = true;
            triage__why(why, "escalate", "anger_high_rising",
                        "Anger %.2f and rising (%+.2f)", "Гнев %.2f и растёт (%+.2f)",
                        (double)s->emotion[TRIAGE_ANGER], delta);
        }
    }
    if (c->esc_sla_enabled) {
        if (x->status == STATUS_PENDING && x->existing && c->pause_when_pending) {
            triage__why(why, "escalate", "sla_paused", "SLA paused while pending on the customer",
                        "SLA на паузе, пока ждём ответа клиента");
        } else {
            static const char *const ru_name[3] = {"первый ответ", "следующий ответ", "решение"};
            static const char *const en_name[3] = {"First response", "Next response", "Resolution"};
            const int64_t dues[3] = {x->sla_first_due, x->sla_next_due, x->sla_resolve_due};
            for (int i = 0; i < 3; i++) {
                const int st = sla_state(c, dues[i], x->now);
                if (st == 0)
                    continue;
                esc = true;
                const long long m = (long long)((st == 2 ? x->now - dues[i] : dues[i] - x->now) / 60000);
                char en[160], ru[320];
                if (st == 2) {
                    snprintf(en, sizeof en, "%s deadline passed %lld min ago", en_name[i], m);
                    snprintf(ru, sizeof ru, "Срок «%s» нарушен %lld мин назад", ru_name[i], m);
                } else {
                    snprintf(en, sizeof en, "%s deadline in %lld min", en_name[i], m);
                    snprintf(ru, sizeof ru, "Срок «%s» истекает через %lld мин", ru_name[i], m);
                }
                triage__reason(why, "escalate", st == 2 ? "sla_breached" : "sla_breach_imminent",
                               en, ru);
            }
        }
    }
    if (c->esc_cues_enabled) {
        const unsigned hit = s->cues & c->esc_cue_mask;
        for (unsigned b = 0; b < TRIAGE_CUE__COUNT; b++)
            if (hit & (1u << b)) {
                esc = true;
                static const char *const ru_cue[TRIAGE_CUE__COUNT] = {
                    "уход", "суд", "надзорный орган", "СМИ", "публичный отзыв",
                    "ненормативная лексика", "оскорбления"};
                char code[32], en[160], ru[320];
                snprintf(code, sizeof code, "cue_%s", cue_names[b]);
                snprintf(en, sizeof en, "Escalation cue: %s", cue_names[b]);
                snprintf(ru, sizeof ru, "Сигнал эскалации: %s", ru_cue[b]);
                triage__reason(why, "escalate", code, en, ru);
            }
    }
    if (!esc)
        triage__why(why, "escalate", "no_escalation", "No escalation rule fired",
                    "Ни одно правило эскалации не сработало");
    return esc;
}
