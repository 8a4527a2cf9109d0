/* cues.c — escalation cues with the matched evidence, English and
 * Russian: threats to cancel or leave, to go to court, to a regulator or
 * the press, to post reviews; profanity and insults. Patterns are
 * sequences of folded words; "x*" matches any word starting with x, and
 * a lone "*" matches any one word. */
#include "text/text.h"
#include "text/text_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static const struct { enum text_cue_kind kind; const char *pat; } pats[] = {
    {TEXT_CUE_CANCEL, "cancel* my"}, {TEXT_CUE_CANCEL, "cancel* the"}, {TEXT_CUE_CANCEL, "close my account*"},
    {TEXT_CUE_CANCEL, "closing my account*"}, {TEXT_CUE_CANCEL, "switch* to"}, {TEXT_CUE_CANCEL, "leav* your"},
    {TEXT_CUE_CANCEL, "take my business"}, {TEXT_CUE_CANCEL, "unsubscrib*"}, {TEXT_CUE_CANCEL, "terminat* my"},
    {TEXT_CUE_CANCEL, "never use * again"}, {TEXT_CUE_CANCEL, "never using * again"}, {TEXT_CUE_CANCEL, "going elsewhere"},
    {TEXT_CUE_CANCEL, "refund* or"}, {TEXT_CUE_CANCEL, "отпиш*"},
    {TEXT_CUE_CANCEL, "отмен*"}, {TEXT_CUE_CANCEL, "откаж*"}, {TEXT_CUE_CANCEL, "откажусь"}, {TEXT_CUE_CANCEL, "расторг*"},
    {TEXT_CUE_CANCEL, "закр* счет*"}, {TEXT_CUE_CANCEL, "закр* карт*"}, {TEXT_CUE_CANCEL, "уйду"},
    {TEXT_CUE_CANCEL, "уходим"}, {TEXT_CUE_CANCEL, "ухожу"}, {TEXT_CUE_CANCEL, "перейду"},
    {TEXT_CUE_CANCEL, "больше не буду"},
    {TEXT_CUE_LEGAL, "lawyer*"}, {TEXT_CUE_LEGAL, "attorney*"}, {TEXT_CUE_LEGAL, "sue"}, {TEXT_CUE_LEGAL, "suing"},
    {TEXT_CUE_LEGAL, "lawsuit*"}, {TEXT_CUE_LEGAL, "legal action"}, {TEXT_CUE_LEGAL, "court"},
    {TEXT_CUE_LEGAL, "small claims"}, {TEXT_CUE_LEGAL, "solicitor*"},
    {TEXT_CUE_LEGAL, "суд"}, {TEXT_CUE_LEGAL, "суда"}, {TEXT_CUE_LEGAL, "судом"}, {TEXT_CUE_LEGAL, "суде"},
    {TEXT_CUE_LEGAL, "в суд"}, {TEXT_CUE_LEGAL, "судеб*"}, {TEXT_CUE_LEGAL, "адвокат*"}, {TEXT_CUE_LEGAL, "юрист*"},
    {TEXT_CUE_LEGAL, "иск"}, {TEXT_CUE_LEGAL, "иском"}, {TEXT_CUE_LEGAL, "исков*"}, {TEXT_CUE_LEGAL, "претензи*"},
    {TEXT_CUE_REGULATOR, "regulator*"}, {TEXT_CUE_REGULATOR, "ombudsman"}, {TEXT_CUE_REGULATOR, "fca"},
    {TEXT_CUE_REGULATOR, "cfpb"}, {TEXT_CUE_REGULATOR, "ftc"}, {TEXT_CUE_REGULATOR, "bbb"},
    {TEXT_CUE_REGULATOR, "better business bureau"}, {TEXT_CUE_REGULATOR, "trading standards"},
    {TEXT_CUE_REGULATOR, "consumer protection"}, {TEXT_CUE_REGULATOR, "report you to"},
    {TEXT_CUE_REGULATOR, "роспотребнадзор*"}, {TEXT_CUE_REGULATOR, "прокуратур*"}, {TEXT_CUE_REGULATOR, "цб"},
    {TEXT_CUE_REGULATOR, "центробанк*"}, {TEXT_CUE_REGULATOR, "центральный банк"}, {TEXT_CUE_REGULATOR, "банк россии"},
    {TEXT_CUE_REGULATOR, "омбудсмен*"}, {TEXT_CUE_REGULATOR, "фас"}, {TEXT_CUE_REGULATOR, "защит* прав потребител*"},
    {TEXT_CUE_REGULATOR, "полици*"},
    {TEXT_CUE_PRESS, "press"}, {TEXT_CUE_PRESS, "journalist*"}, {TEXT_CUE_PRESS, "the media"},
    {TEXT_CUE_PRESS, "newspaper*"}, {TEXT_CUE_PRESS, "go public"}, {TEXT_CUE_PRESS, "social media"},
    {TEXT_CUE_PRESS, "twitter"}, {TEXT_CUE_PRESS, "tv"},
    {TEXT_CUE_PRESS, "сми"}, {TEXT_CUE_PRESS, "журналист*"}, {TEXT_CUE_PRESS, "пресс*"}, {TEXT_CUE_PRESS, "газет*"},
    {TEXT_CUE_PRESS, "телевидени*"}, {TEXT_CUE_PRESS, "соцсет*"}, {TEXT_CUE_PRESS, "огласк*"},
    {TEXT_CUE_REVIEW, "review*"}, {TEXT_CUE_REVIEW, "trustpilot"}, {TEXT_CUE_REVIEW, "yelp"},
    {TEXT_CUE_REVIEW, "one star"}, {TEXT_CUE_REVIEW, "1 star"}, {TEXT_CUE_REVIEW, "zero stars"},
    {TEXT_CUE_REVIEW, "tell everyone"}, {TEXT_CUE_REVIEW, "warn everyone"}, {TEXT_CUE_REVIEW, "warn others"},
    {TEXT_CUE_REVIEW, "отзыв*"}, {TEXT_CUE_REVIEW, "отзовик*"}, {TEXT_CUE_REVIEW, "одну звезд*"},
    {TEXT_CUE_REVIEW, "всем расскажу"}, {TEXT_CUE_REVIEW, "расскажу всем"},
    {TEXT_CUE_PROFANITY, "fuck*"}, {TEXT_CUE_PROFANITY, "shit*"}, {TEXT_CUE_PROFANITY, "bullshit"},
    {TEXT_CUE_PROFANITY, "wtf"}, {TEXT_CUE_PROFANITY, "damn"}, {TEXT_CUE_PROFANITY, "goddamn*"},
    {TEXT_CUE_PROFANITY, "crap"}, {TEXT_CUE_PROFANITY, "bitch*"}, {TEXT_CUE_PROFANITY, "asshole*"},
    {TEXT_CUE_PROFANITY, "бля*"}, {TEXT_CUE_PROFANITY, "хуй*"}, {TEXT_CUE_PROFANITY, "хуе*"}, {TEXT_CUE_PROFANITY, "хуя*"},
    {TEXT_CUE_PROFANITY, "пизд*"}, {TEXT_CUE_PROFANITY, "ебан*"}, {TEXT_CUE_PROFANITY, "ебал*"},
    {TEXT_CUE_PROFANITY, "охуе*"}, {TEXT_CUE_PROFANITY, "нахуй"}, {TEXT_CUE_PROFANITY, "заеб*"},
    {TEXT_CUE_PROFANITY, "сука"}, {TEXT_CUE_PROFANITY, "суки"}, {TEXT_CUE_PROFANITY, "херн*"},
    {TEXT_CUE_PROFANITY, "говн*"}, {TEXT_CUE_PROFANITY, "дерьм*"},
    {TEXT_CUE_INSULT, "idiot*"}, {TEXT_CUE_INSULT, "moron*"}, {TEXT_CUE_INSULT, "stupid"}, {TEXT_CUE_INSULT, "incompetent"},
    {TEXT_CUE_INSULT, "useless"}, {TEXT_CUE_INSULT, "scam*"}, {TEXT_CUE_INSULT, "thieves"}, {TEXT_CUE_INSULT, "crooks"},
    {TEXT_CUE_INSULT, "clowns"}, {TEXT_CUE_INSULT, "pathetic"}, {TEXT_CUE_INSULT, "dumb"},
    {TEXT_CUE_INSULT, "идиот*"}, {TEXT_CUE_INSULT, "дебил*"}, {TEXT_CUE_INSULT, "тупые"}, {TEXT_CUE_INSULT, "тупой"},
    {TEXT_CUE_INSULT, "кретин*"}, {TEXT_CUE_INSULT, "урод*"}, {TEXT_CUE_INSULT, "мошенник*"}, {TEXT_CUE_INSULT, "воры"},
    {TEXT_CUE_INSULT, "жулик*"}, {TEXT_CUE_INSULT, "некомпетентн*"}, {TEXT_CUE_INSULT, "бездар*"},
    {TEXT_CUE_INSULT, "клоун*"}, {TEXT_CUE_INSULT, "лохотрон*"}, {TEXT_CUE_INSULT, "разводил*"},
};

/* Patterns are compiled once into words with lengths and prefix flags. */
#define NPATS (sizeof pats / sizeof pats[0])
struct cword { const char *s; uint8_t len, prefix, any; };
static struct cword cw[NPATS][4];
static uint8_t ncw[NPATS];
static uint16_t bucket[256][96];      /* patterns by the first byte of their first word */
static uint8_t nbucket[256];
static pthread_once_t compiled = PTHREAD_ONCE_INIT;

static void compile(void)
{
    for (size_t k = 0; k < NPATS; k++) {
        const char *p = pats[k].pat;
        while (*p && ncw[k] < 4) {
            const char *e = strchr(p, ' ');
            size_t pn = e ? (size_t)(e - p) : strlen(p);
            struct cword *w = &cw[k][ncw[k]++];
            w->s = p;
            w->any = pn == 1 && p[0] == '*';
            w->prefix = !w->any && p[pn - 1] == '*';
            w->len = (uint8_t)(w->prefix ? pn - 1 : pn);
            p += pn;
            while (*p == ' ')
                p++;
        }
        unsigned char c0 = (unsigned char)pats[k].pat[0];
        if (nbucket[c0] < sizeof bucket[0] / sizeof bucket[0][0])
            bucket[c0][nbucket[c0]++] = (uint16_t)k;
    }
}

static int wmatch(const struct cword *p, const char *w, size_t wn)
{
    if (p->any)
        return 1;
    if (p->prefix)
        return wn >= p->len && memcmp(p->s, w, p->len) == 0;
    return p->len == wn && memcmp(p->s, w, wn) == 0;
}

void text_cues(const struct text_doc *d, struct text_analysis *a)
{
    pthread_once(&compiled, compile);
    a->ncues = 0;
    unsigned seen = 0;
    for (size_t i = 0; i < d->ntok; i++) {
        const struct text_token *t0 = &d->tok[i];
        if (t0->type != TOK_WORD && t0->type != TOK_NUM)
            continue;
        unsigned char c0 = (unsigned char)d->fold[t0->off];
        for (unsigned bi = 0; bi < nbucket[c0]; bi++) {
            size_t k = bucket[c0][bi];
            if (seen & (1u << pats[k].kind))
                continue;
            const struct cword *pw = cw[k];
            size_t j = i, last = i;
            int ok = 1;
            for (unsigned q = 0; q < ncw[k]; q++) {
                if (j >= d->ntok || (d->tok[j].type != TOK_WORD && d->tok[j].type != TOK_NUM)) {
                    ok = 0;
                    break;
                }
                size_t wn;
                const char *w = text_tok_str(d, j, &wn);
                if (!wmatch(&pw[q], w, wn)) {
                    ok = 0;
                    break;
                }
                last = j++;
            }
            if (!ok)
                continue;
            /* a negated cue ("not going to sue") is kept on purpose:
             * customers mention it as leverage. */
            if (a->ncues < TEXT_MAX_CUES) {
                struct text_cue *c = &a->cues[a->ncues++];
                c->kind = pats[k].kind;
                size_t from = d->tok[i].src, to = d->tok[last].src + d->tok[last].srclen;
                size_t len = to - from;
                if (len >= sizeof c->evidence) {
                    len = sizeof c->evidence - 1;
                    while (len > 0 && ((unsigned char)d->nfkc[from + len] & 0xC0) == 0x80)
                        len--;   /* never cut a character in two */
                }
                memcpy(c->evidence, d->nfkc + from, len);
                c->evidence[len] = 0;
            }
            seen |= 1u << pats[k].kind;
        }
    }
}
