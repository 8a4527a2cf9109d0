/* tone.c — tone check of an agent's draft reply. The draft is decoded and
 * case-folded once (utf8proc), each folded code point remembering the
 * bytes it came from, so a phrase list written in lower case matches
 * "Calm Down", "УСПОКОЙТЕСЬ" or "Успокойтесь" and reports exact byte
 * offsets in the original text. */
#include "coach/coach.h"

#include "base/err.h"
#include "base/utf8.h"
#include "base/xalloc.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

static const char *const tone_names[COACH_TONE__COUNT] = {
    "blaming", "defensive", "dismissive", "jargon", "all_caps", "no_apology_to_angry"};

const char *coach_tone_name(enum coach_tone t)
{
    return (unsigned)t < COACH_TONE__COUNT ? tone_names[t] : "?";
}

static const char *const suggestion[COACH_TONE__COUNT][2] = {
    {"Don't put the blame on the customer: say what happened and what you will do now.",
     "Не перекладывайте вину на клиента: скажите, что произошло и что вы сделаете сейчас."},
    {"Don't defend the company: acknowledge the problem and say what you can do.",
     "Не защищайте компанию: признайте проблему и скажите, что вы можете сделать."},
    {"This belittles the customer's feelings: acknowledge them instead (\"I understand why "
     "this is upsetting\").",
     "Это обесценивает чувства клиента: лучше признайте их («Понимаю, почему это вас "
     "расстроило»)."},
    {"Internal jargon: say it in the plain words the customer would use.",
     "Внутренний жаргон: скажите простыми словами, понятными клиенту."},
    {"Capitals read as shouting: write in normal case.",
     "Заглавные буквы читаются как крик: пишите обычным регистром."},
    {"The customer is upset: acknowledge the feeling and apologise for the inconvenience "
     "before anything else.",
     "Клиент расстроен: прежде всего признайте его чувства и извинитесь за неудобства."},
};

/* Lower-case phrases, ё written as е. A space matches any run of white
 * space; a trailing '*' lets the last word continue (Russian endings). */
static const struct { enum coach_tone cat; const char *p; } phrases[] = {
    /* blaming */
    {COACH_BLAMING, "you should have"}, {COACH_BLAMING, "you should've"},
    {COACH_BLAMING, "you shouldn't have"}, {COACH_BLAMING, "you failed to"},
    {COACH_BLAMING, "you didn't read"}, {COACH_BLAMING, "you did not read"},
    {COACH_BLAMING, "your fault"}, {COACH_BLAMING, "your own fault"},
    {COACH_BLAMING, "you were supposed to"}, {COACH_BLAMING, "if you had read"},
    {COACH_BLAMING, "you forgot to"}, {COACH_BLAMING, "user error"},
    {COACH_BLAMING, "вы сами винова*"}, {COACH_BLAMING, "сами винова*"},
    {COACH_BLAMING, "ты сам винова*"}, {COACH_BLAMING, "ваша вина"},
    {COACH_BLAMING, "по вашей вине"}, {COACH_BLAMING, "вам надо было"},
    {COACH_BLAMING, "вам нужно было"}, {COACH_BLAMING, "вам следовало"},
    {COACH_BLAMING, "вы должны были"}, {COACH_BLAMING, "вы не прочитали"},
    {COACH_BLAMING, "вы невнимательно"}, {COACH_BLAMING, "вы забыли"},
    /* defensive */
    {COACH_DEFENSIVE, "not our fault"}, {COACH_DEFENSIVE, "that's not our fault"},
    {COACH_DEFENSIVE, "it's not our fault"}, {COACH_DEFENSIVE, "not my fault"},
    {COACH_DEFENSIVE, "not my problem"}, {COACH_DEFENSIVE, "not our problem"},
    {COACH_DEFENSIVE, "policy says"}, {COACH_DEFENSIVE, "our policy states"},
    {COACH_DEFENSIVE, "per our policy"}, {COACH_DEFENSIVE, "company policy"},
    {COACH_DEFENSIVE, "we are not responsible"}, {COACH_DEFENSIVE, "we're not responsible"},
    {COACH_DEFENSIVE, "nothing we can do"}, {COACH_DEFENSIVE, "nothing i can do"},
    {COACH_DEFENSIVE, "i'm just doing my job"}, {COACH_DEFENSIVE, "not my department"},
    {COACH_DEFENSIVE, "we did nothing wrong"},
    {COACH_DEFENSIVE, "это не наша вина"}, {COACH_DEFENSIVE, "не наша вина"},
    {COACH_DEFENSIVE, "не моя вина"}, {COACH_DEFENSIVE, "не наша проблема"},
    {COACH_DEFENSIVE, "не моя проблема"}, {COACH_DEFENSIVE, "мы не несем ответственност*"},
    {COACH_DEFENSIVE, "согласно политике"}, {COACH_DEFENSIVE, "согласно регламенту"},
    {COACH_DEFENSIVE, "такова политика"}, {COACH_DEFENSIVE, "таковы правила"},
    {COACH_DEFENSIVE, "ничего не можем сделать"}, {COACH_DEFENSIVE, "ничем не могу помочь"},
    {COACH_DEFENSIVE, "я просто делаю свою работу"}, {COACH_DEFENSIVE, "это не ко мне"},
    {COACH_DEFENSIVE, "мы ни при чем"},
    /* dismissive */
    {COACH_DISMISSIVE, "calm down"}, {COACH_DISMISSIVE, "as i already said"},
    {COACH_DISMISSIVE, "as i said before"}, {COACH_DISMISSIVE, "as i've already said"},
    {COACH_DISMISSIVE, "as i have already explained"}, {COACH_DISMISSIVE, "as previously stated"},
    {COACH_DISMISSIVE, "like i said"}, {COACH_DISMISSIVE, "i already told you"},
    {COACH_DISMISSIVE, "you're overreacting"}, {COACH_DISMISSIVE, "you are overreacting"},
    {COACH_DISMISSIVE, "not a big deal"}, {COACH_DISMISSIVE, "no big deal"},
    {COACH_DISMISSIVE, "for the last time"}, {COACH_DISMISSIVE, "obviously"},
    {COACH_DISMISSIVE, "relax"},
    {COACH_DISMISSIVE, "успокой*"}, {COACH_DISMISSIVE, "как я уже говорил*"},
    {COACH_DISMISSIVE, "как я уже сказал*"}, {COACH_DISMISSIVE, "как я уже писал*"},
    {COACH_DISMISSIVE, "как я уже объяснял*"}, {COACH_DISMISSIVE, "повторяю еще раз"},
    {COACH_DISMISSIVE, "в который раз"}, {COACH_DISMISSIVE, "ничего страшного"},
    {COACH_DISMISSIVE, "не преувеличива*"}, {COACH_DISMISSIVE, "не нервничай*"},
    {COACH_DISMISSIVE, "не драматизиру*"}, {COACH_DISMISSIVE, "очевидно"},
    /* jargon */
    {COACH_JARGON, "sla"}, {COACH_JARGON, "eta"}, {COACH_JARGON, "backend"},
    {COACH_JARGON, "back-end"}, {COACH_JARGON, "tier 1"}, {COACH_JARGON, "tier 2"},
    {COACH_JARGON, "tier 3"}, {COACH_JARGON, "escalation matrix"}, {COACH_JARGON, "root cause"},
    {COACH_JARGON, "kb article"}, {COACH_JARGON, "rma"}, {COACH_JARGON, "workaround"},
    {COACH_JARGON, "known issue"}, {COACH_JARGON, "out of scope"}, {COACH_JARGON, "as per"},
    {COACH_JARGON, "ticket id"}, {COACH_JARGON, "p1"}, {COACH_JARGON, "p2"},
    {COACH_JARGON, "тикет*"}, {COACH_JARGON, "бэкенд*"}, {COACH_JARGON, "бекенд*"},
    {COACH_JARGON, "фронтенд*"}, {COACH_JARGON, "эскалаци*"}, {COACH_JARGON, "эскалир*"},
    {COACH_JARGON, "инцидент*"}, {COACH_JARGON, "первая линия"}, {COACH_JARGON, "вторая линия"},
    {COACH_JARGON, "вторую линию"}, {COACH_JARGON, "воркэраунд*"}, {COACH_JARGON, "баг"},
    {COACH_JARGON, "баги"}, {COACH_JARGON, "бага"},
};

static const char *const apologies[] = {
    "sorry", "apologi*", "apologis*", "apologiz*", "regret*", "pardon",
    "извин*", "прошу прощения", "простите", "сожале*",
};

/* Shouted acronyms that are simply names. */
static const char *const caps_ok[] = {
    "http", "https", "html", "json", "smtp", "imap", "iban", "isbn", "gdpr", "swift",
    "снилс", "огрн", "гост", "инн",
};

/* ---- folded text ------------------------------------------------------- */

struct folded {
    utf8proc_int32_t *cp;   /* folded code points */
    size_t *from, *to;      /* source byte range of each */
    size_t n;
};

static utf8proc_int32_t normal(utf8proc_int32_t c)
{
    if (c == 0x0451)                      /* ё → е */
        return 0x0435;
    if (c == 0x2019 || c == 0x2018 || c == 0x02BC || c == 0x0060)   /* ’ ‘ ʼ ` → ' */
        return '\'';
    return c;
}

static void fold(const char *s, size_t len, struct folded *f)
{
    f->cp = xmalloc((3 * len + 1) * sizeof *f->cp);
    f->from = xmalloc((3 * len + 1) * sizeof *f->from);
    f->to = xmalloc((3 * len + 1) * sizeof *f->to);
    f->n = 0;
    size_t i = 0;
    while (i < len) {
        utf8proc_int32_t c;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                              (utf8proc_ssize_t)(len - i), &c);
        if (k <= 0) {                     /* validated before: cannot happen */
            k = 1;
            c = 0xFFFD;
        }
        utf8proc_int32_t out[4];
        int last = 0;
        utf8proc_ssize_t m = utf8proc_decompose_char(c, out, 4, UTF8PROC_CASEFOLD, &last);
        if (m <= 0 || m > 4) {
            out[0] = c;
            m = 1;
        }
        for (utf8proc_ssize_t j = 0; j < m; j++) {
            f->cp[f->n] = normal(out[j]);
            f->from[f->n] = i;
            f->to[f->n] = i + (size_t)k;
            f->n++;
        }
        i += (size_t)k;
    }
}

static void fold_release(struct folded *f)
{
    free(f->cp);
    free(f->from);
    free(f->to);
}

static bool is_word(utf8proc_int32_t c)
{
    switch (utf8proc_category(c)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_MN:
        return true;
    default:
        return c == '_';
    }
}

static bool is_space(utf8proc_int32_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0xA0 ||
           utf8proc_category(c) == UTF8PROC_CATEGORY_ZS;
}

/* Matches pattern p (lower case UTF-8) at folded position i; on success
 * sets *end to the folded index after the match. */
static bool match_at(const struct folded *f, size_t i, const char *p, size_t *end)
{
    if (i > 0 && is_word(f->cp[i - 1]))
        return false;
    const utf8proc_uint8_t *q = (const utf8proc_uint8_t *)p;
    size_t j = i;
    bool star = false;
    while (*q) {
        utf8proc_int32_t c;
        utf8proc_ssize_t k = utf8proc_iterate(q, -1, &c);
        if (k <= 0)
            return false;
        q += k;
        if (c == '*' && !*q) {
            star = true;
            break;
        }
        if (c == ' ') {
            if (j >= f->n || !is_space(f->cp[j]))
                return false;
            while (j < f->n && is_space(f->cp[j]))
                j++;
            continue;
        }
        if (j >= f->n || f->cp[j] != c)
            return false;
        j++;
    }
    if (star)
        while (j < f->n && is_word(f->cp[j]))
            j++;
    else if (j < f->n && is_word(f->cp[j]))
        return false;
    *end = j;
    return true;
}

static bool contains(const struct folded *f, const char *p)
{
    size_t e;
    for (size_t i = 0; i < f->n; i++)
        if (match_at(f, i, p, &e))
            return true;
    return false;
}

/* ---- the check --------------------------------------------------------- */

static void add(struct coach_tone_result *r, size_t *cap, enum coach_tone cat, size_t start,
                size_t end, int lang)
{
    if (r->n == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        r->v = xrealloc(r->v, *cap * sizeof r->v[0]);
    }
    r->v[r->n++] = (struct coach_flag){cat, start, end, suggestion[cat][lang]};
}

static int by_start(const void *a, const void *b)
{
    const struct coach_flag *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->end != y->end)
        return x->end > y->end ? -1 : 1;     /* longer first */
    return (int)x->category - (int)y->category;
}

static void caps(const struct folded *f, const char *s, struct coach_tone_result *r, size_t *cap,
                 int lang)
{
    size_t i = 0;
    while (i < f->n) {
        if (!is_word(f->cp[i])) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < f->n && is_word(f->cp[j]))
            j++;
        /* The word's original code points: all letters upper case, 4+. */
        const size_t b = f->from[i], e = f->to[j - 1];
        size_t letters = 0;
        bool shout = true;
        for (size_t k = b; k < e;) {
            utf8proc_int32_t c;
            utf8proc_ssize_t m = utf8proc_iterate((const utf8proc_uint8_t *)s + k,
                                                  (utf8proc_ssize_t)(e - k), &c);
            if (m <= 0)
                break;
            k += (size_t)m;
            if (utf8proc_isupper(c))
                letters++;
            else if (utf8proc_islower(c) || utf8proc_category(c) == UTF8PROC_CATEGORY_LO)
                shout = false;
        }
        if (shout && letters >= 4) {
            bool ok = false;
            for (size_t a = 0; a < sizeof caps_ok / sizeof caps_ok[0] && !ok; a++) {
                size_t end;
                ok = match_at(f, i, caps_ok[a], &end) && end == j;
            }
            if (!ok)
                add(r, cap, COACH_ALL_CAPS, b, e, lang);
        }
        i = j;
    }
}

int coach_tone_check(const char *draft, size_t len, const char *language,
                     const char *customer_emotion, struct coach_tone_result *out)
{
    out->v = NULL;
    out->n = 0;
    if (!draft || !utf8_valid(draft, len))
        return PL_EUTF8;
    const int lang = language && strcmp(language, "ru") == 0 ? 1 : 0;
    size_t cap = 0;
    struct folded f;
    fold(draft, len, &f);
    for (size_t i = 0; i < f.n; i++) {
        if (is_word(f.cp[i]) && i > 0 && is_word(f.cp[i - 1]))
            continue;   /* phrases start at a word boundary */
        for (size_t p = 0; p < sizeof phrases / sizeof phrases[0]; p++) {
            size_t end;
            if (match_at(&f, i, phrases[p].p, &end))
                add(out, &cap, phrases[p].cat, f.from[i], f.to[end - 1], lang);
        }
    }
    caps(&f, draft, out, &cap, lang);
    if (customer_emotion && (strcmp(customer_emotion, "anger") == 0 ||
                             strcmp(customer_emotion, "frustration") == 0)) {
        bool sorry = false;
        for (size_t a = 0; a < sizeof apologies / sizeof apologies[0] && !sorry; a++)
            sorry = contains(&f, apologies[a]);
        if (!sorry)
            add(out, &cap, COACH_NO_APOLOGY, 0, 0, lang);
    }
    fold_release(&f);

    /* Sort, then drop a flag that lies inside an earlier (longer) one of
     * any category except caps: "это не наша вина" is one flag, not two. */
    if (out->n > 1)
        qsort(out->v, out->n, sizeof out->v[0], by_start);
    size_t k = 0;
    for (size_t i = 0; i < out->n; i++) {
        const struct coach_flag *x = &out->v[i];
        bool inside = false;
        for (size_t j = 0; j < k && !inside; j++) {
            const struct coach_flag *y = &out->v[j];
            inside = x->category != COACH_ALL_CAPS && y->category != COACH_ALL_CAPS &&
                     x->category != COACH_NO_APOLOGY && y->category != COACH_NO_APOLOGY &&
                     x->start >= y->start && x->end <= y->end;
        }
        if (!inside)
            out->v[k++] = *x;
    }
    out->n = k;
    return 0;
}

void coach_tone_release(struct coach_tone_result *r)
{
    free(r->v);
    r->v = NULL;
    r->n = 0;
}

char *coach_tone_json(const char *draft, const struct coach_tone_result *r)
{
    json_t *flags = json_array();
    for (size_t i = 0; i < r->n; i++) {
        const struct coach_flag *x = &r->v[i];
        json_array_append_new(flags, json_pack("{s:s,s:s%,s:I,s:I,s:s}",
            "category", coach_tone_name(x->category),
            "phrase", draft + x->start, x->end - x->start,
            "start", (json_int_t)x->start, "end", (json_int_t)x->end,
            "suggestion", x->suggestion));
    }
    json_t *o = json_pack("{s:o}", "flags", flags);
    char *s = json_dumps(o, JSON_PRESERVE_ORDER);
    json_decref(o);
    char *res = s ? xstrdup(s) : NULL;
    free(s);
    return res;
}
