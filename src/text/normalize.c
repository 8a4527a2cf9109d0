/* normalize.c — UTF-8 validation, NFKC normalisation (utf8proc), case
 * folding and tokenisation that keeps what carries emotion: emoji,
 * emoticons, "!!!"/"???", ALL CAPS, elongations and negation scope. */
#include "text/text_internal.h"

#include "base/err.h"
#include "base/utf8.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#define NEG_SCOPE_WORDS 3

static void grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return;
    size_t c = *cap ? *cap : 64;
    while (c < need)
        c *= 2;
    *p = xrealloc(*p, c * elem);
    *cap = c;
}

void text_doc_free(struct text_doc *d)
{
    free(d->nfkc);
    free(d->fold);
    free(d->tok);
    free(d->cp);
    free(d->lone);
    memset(d, 0, sizeof *d);
}

/* NFKC into d->nfkc. ASCII is already NFKC, so it is copied as is. */
static void nfkc(struct text_doc *d, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && (unsigned char)s[i] < 0x80)
        i++;
    if (i == n) {
        grow((void **)&d->nfkc, &d->nfkc_cap, n + 1, 1);
        memcpy(d->nfkc, s, n);
        d->nfkc[n] = 0;
        d->nfkc_len = n;
        return;
    }
    utf8proc_option_t opt = UTF8PROC_COMPAT | UTF8PROC_STABLE;
    size_t want = n + 16;
    for (;;) {
        grow((void **)&d->cp, &d->cp_cap, want, sizeof(int32_t));
        utf8proc_ssize_t r = utf8proc_decompose((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n,
                                                d->cp, (utf8proc_ssize_t)d->cp_cap,
                                                opt | UTF8PROC_DECOMPOSE);
        if (r < 0) {            /* cannot happen after validation; keep the input */
            grow((void **)&d->nfkc, &d->nfkc_cap, n + 1, 1);
            memcpy(d->nfkc, s, n);
            d->nfkc[n] = 0;
            d->nfkc_len = n;
            return;
        }
        if ((size_t)r > d->cp_cap) {
            want = (size_t)r;
            continue;
        }
        r = utf8proc_normalize_utf32(d->cp, r, opt | UTF8PROC_COMPOSE);
        /* re-encode: at most 4 bytes per code point */
        grow((void **)&d->nfkc, &d->nfkc_cap, (size_t)r * 4 + 1, 1);
        size_t o = 0;
        for (utf8proc_ssize_t k = 0; k < r; k++)
            o += (size_t)utf8proc_encode_char(d->cp[k], (utf8proc_uint8_t *)d->nfkc + o);
        d->nfkc[o] = 0;
        d->nfkc_len = o;
        return;
    }
}

static int is_emoji(int32_t c)
{
    return (c >= 0x1F300 && c <= 0x1FAFF) || (c >= 0x2600 && c <= 0x27BF) ||
           (c >= 0x1F000 && c <= 0x1F2FF) || c == 0x2B50 || c == 0x2B55 ||
           c == 0x2764 || c == 0x203C || c == 0x2049;
}

static int is_joiner(int32_t c)
{
    return c == 0x200D || (c >= 0xFE00 && c <= 0xFE0F) || (c >= 0x1F3FB && c <= 0x1F3FF);
}

static int is_letter(int32_t c)
{
    if (c < 0x80)
        return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
    utf8proc_category_t k = utf8proc_category(c);
    return k >= UTF8PROC_CATEGORY_LU && k <= UTF8PROC_CATEGORY_ME;
}

static int is_digit(int32_t c)
{
    return (c >= '0' && c <= '9') || (c >= 0x80 && utf8proc_category(c) == UTF8PROC_CATEGORY_ND);
}

static int32_t fold_cp(int32_t c)
{
    if (c < 0x80)
        return (c >= 'A' && c <= 'Z') ? c + 32 : c;
    c = utf8proc_tolower(c);
    if (c == 0x0451)            /* ё -> е */
        c = 0x0435;
    if (c == 0x2019 || c == 0x02BC)   /* ’ -> ' */
        c = '\'';
    return c;
}

static const struct { const char *s; const char *as; } emoticons[] = {
    {":-)", ":)"}, {":)", ":)"}, {"=)", ":)"}, {":]", ":)"}, {":-D", ":d"}, {":D", ":d"},
    {";-)", ";)"}, {";)", ";)"}, {":-(", ":("}, {":(", ":("}, {"=(", ":("}, {":'(", ":'("},
    {":-/", ":/"}, {":/", ":/"}, {":-|", ":|"}, {":|", ":|"}, {":-P", ":p"}, {":P", ":p"},
    {":p", ":p"}, {":-o", ":o"}, {":o", ":o"}, {":O", ":o"}, {"<3", "<3"}, {">:(", ">:("},
    {"D:", ":("},
};

/* A bracket drawn as part of a face: ":(", ";)", "=(", ":-)", ":'(". */
static int in_emoticon(const unsigned char *p, size_t i)
{
    if (i > 1 && (p[i - 1] == '-' || p[i - 1] == '\''))
        i--;
    return i > 0 && (p[i - 1] == ':' || p[i - 1] == ';' || p[i - 1] == '=');
}

/* The "(" that no ")" closes, into d->lone (ascending offsets): in Russian
 * writing a lone bracket is a frown ("не успею(") or a smile ("ура)").
 * Read right to left, counting the ")" still open; a run such as ")))"
 * is a smile that may also close one bracket ("(как у меня)))"), a run of
 * "(" is a frown already. */
static void find_lone_opens(struct text_doc *d, const unsigned char *p, size_t len)
{
    size_t pending = 0;
    d->nlone = 0;
    const unsigned char *first = memchr(p, '(', len);
    if (!first)
        return;           /* most texts: one vectorised scan */
    for (size_t i = len; i-- > (size_t)(first - p);) {
        unsigned char c = p[i];
        if (c != '(' && c != ')')
            continue;
        size_t j = i;
        while (j > 0 && p[j - 1] == c)
            j--;
        int run = j < i;
        i = j;
        if (in_emoticon(p, j))
            continue;
        if (c == ')')
            pending++;
        else if (run)
            continue;
        else if (pending)
            pending--;
        else {
            grow((void **)&d->lone, &d->lone_cap, d->nlone + 1, sizeof *d->lone);
            d->lone[d->nlone++] = (uint32_t)j;
        }
    }
    for (size_t a = 0, b = d->nlone; a + 1 < b; a++, b--) {
        uint32_t t = d->lone[a];
        d->lone[a] = d->lone[b - 1];
        d->lone[b - 1] = t;
    }
}

static size_t add_fold(struct text_doc *d, const char *p, size_t n)
{
    grow((void **)&d->fold, &d->fold_cap, d->fold_len + n + 1, 1);
    size_t off = d->fold_len;
    memcpy(d->fold + off, p, n);
    d->fold_len += n;
    d->fold[d->fold_len] = 0;
    return off;
}

static struct text_token *new_tok(struct text_doc *d)
{
    grow((void **)&d->tok, &d->tok_cap, d->ntok + 1, sizeof *d->tok);
    struct text_token *t = &d->tok[d->ntok++];
    memset(t, 0, sizeof *t);
    return t;
}

/* Brackets drawn as a face, nfkc[src..src+len): ")))" or a lone ")" is
 * the token ":)", "(((" or a lone "(" is ":(". */
static void bracket_face(struct text_doc *d, size_t src, size_t len, int smile)
{
    struct text_token *t = new_tok(d);
    t->type = TOK_EMOTICON;
    t->src = (uint32_t)src;
    t->srclen = (uint32_t)len;
    t->off = (uint32_t)add_fold(d, smile ? ":)" : ":(", 2);
    t->len = 2;
}

static const char *const negators[] = {
    "not", "no", "never", "nor", "neither", "nobody", "nothing", "none", "nowhere",
    "cannot", "without", "dont", "cant", "wont", "didnt", "doesnt", "isnt", "wasnt",
    "arent", "aint", "havent", "hasnt", "wouldnt", "couldnt", "shouldnt",
    "не", "нет", "ни", "никогда", "ничего", "никто", "нельзя", "без", "ничто",
    "нигде", "никак", "нисколько",
};

int text_is_negator(const char *w, size_t n)
{
    if (n > 3 && memcmp(w + n - 3, "n't", 3) == 0)
        return 1;
    for (size_t i = 0; i < sizeof negators / sizeof negators[0]; i++)
        if (negators[i][0] == w[0] && strlen(negators[i]) == n && memcmp(negators[i], w, n) == 0)
            return 1;
    return 0;
}

static const char *const contrasts[] = {"but", "however", "although", "though", "но", "однако", "зато", "хотя"};

static int is_contrast(const char *w, size_t n)
{
    for (size_t i = 0; i < sizeof contrasts / sizeof contrasts[0]; i++)
        if (contrasts[i][0] == w[0] && strlen(contrasts[i]) == n && memcmp(contrasts[i], w, n) == 0)
            return 1;
    return 0;
}

static void negation_scope(struct text_doc *d)
{
    int in = 0, left = 0;
    for (size_t i = 0; i < d->ntok; i++) {
        struct text_token *t = &d->tok[i];
        size_t n;
        const char *w = text_tok_str(d, i, &n);
        if (t->type == TOK_PUNCT || (t->type == TOK_WORD && is_contrast(w, n))) {
            if (t->type == TOK_WORD || strchr(".,;:!?", w[0]))
                t->flags |= TOKF_CLAUSE;
            if (t->flags & TOKF_CLAUSE)
                in = 0;
            continue;
        }
        if (t->type == TOK_WORD && text_is_negator(w, n)) {
            t->flags |= TOKF_NEGATOR;
            in = 1;
            left = NEG_SCOPE_WORDS;
            continue;
        }
        if (in && t->type == TOK_WORD) {
            t->flags |= TOKF_NEG;
            if (--left == 0)
                in = 0;
        }
    }
}

int text_doc_parse(struct text_doc *d, const char *s, size_t n)
{
    d->ntok = 0;
    d->fold_len = 0;
    d->nfkc_len = 0;
    d->ncaps = d->nexcl = d->nquest = d->nelong = d->nletters = 0;
    d->lang = TEXT_LANG_OTHER;
    if (!utf8_valid(s, n))
        return PL_EUTF8;
    nfkc(d, s, n);
    const unsigned char *p = (const unsigned char *)d->nfkc;
    size_t len = d->nfkc_len, i = 0, open = 0, nextlone = 0;
    char enc[8];
    find_lone_opens(d, p, len);
    while (i < len) {
        int32_t c;
        utf8proc_ssize_t k = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &c);
        if (k <= 0) {
            i++;
            continue;
        }
        if (is_letter(c) || is_digit(c)) {
            struct text_token *t = new_tok(d);
            size_t start = i, fstart = d->fold_len;
            unsigned letters = 0, upper = 0, digits = 0;
            int32_t prev = -1;
            unsigned run = 0;
            int elong = 0;
            while (i < len) {
                k = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &c);
                if (k <= 0)
                    break;
                int apos = (c == '\'' || c == 0x2019 || c == 0x02BC);
                if (apos) {     /* apostrophe only between letters */
                    int32_t nx;
                    if (i + (size_t)k >= len ||
                        utf8proc_iterate(p + i + k, (utf8proc_ssize_t)(len - i - (size_t)k), &nx) <= 0 ||
                        !is_letter(nx))
                        break;
                } else if (!is_letter(c) && !is_digit(c) && c != '_')
                    break;
                if (is_letter(c)) {
                    letters++;
                    if (utf8proc_isupper(c))
                        upper++;
                } else if (is_digit(c))
                    digits++;
                int32_t f = fold_cp(c);
                if (f == prev)
                    run++;
                else
                    run = 1, prev = f;
                i += (size_t)k;
                if (run >= 3 && is_letter(c)) {
                    elong = 1;
                    continue;
                }
                size_t m = (size_t)utf8proc_encode_char(f, (utf8proc_uint8_t *)enc);
                add_fold(d, enc, m);
            }
            t->src = (uint32_t)start;
            t->srclen = (uint32_t)(i - start);
            t->off = (uint32_t)fstart;
            t->len = (uint32_t)(d->fold_len - fstart);
            t->type = letters ? TOK_WORD : TOK_NUM;
            d->nletters += letters;
            if (letters >= 2 && upper == letters) {
                t->flags |= TOKF_CAPS;
                d->ncaps++;
            }
            if (elong) {
                t->flags |= TOKF_ELONG;
                d->nelong++;
            }
            (void)digits;
            continue;
        }
        if (is_emoji(c)) {
            struct text_token *t = new_tok(d);
            t->src = (uint32_t)i;
            t->type = TOK_EMOJI;
            t->off = (uint32_t)add_fold(d, (const char *)p + i, (size_t)k);
            t->len = (uint32_t)k;
            i += (size_t)k;
            while (i < len) {   /* swallow joiners, variation selectors, skin tones */
                int32_t c2;
                utf8proc_ssize_t k2 = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &c2);
                if (k2 <= 0 || !is_joiner(c2))
                    break;
                i += (size_t)k2;
            }
            t->srclen = (uint32_t)(i - t->src);
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || utf8proc_category(c) == UTF8PROC_CATEGORY_ZS ||
            is_joiner(c)) {
            i += (size_t)k;
            continue;
        }
        if (c < 0x80) {
            /* emoticons, then runs of ! and ?, then Russian ")))" / "(((" */
            size_t best = 0, bi = 0;
            for (size_t e = 0; e < sizeof emoticons / sizeof emoticons[0]; e++) {
                size_t m = strlen(emoticons[e].s);
                if (m > best && m <= len - i && memcmp(p + i, emoticons[e].s, m) == 0)
                    best = m, bi = e;
            }
            if (best) {
                struct text_token *t = new_tok(d);
                t->type = TOK_EMOTICON;
                t->src = (uint32_t)i;
                t->srclen = (uint32_t)best;
                t->off = (uint32_t)add_fold(d, emoticons[bi].as, strlen(emoticons[bi].as));
                t->len = (uint32_t)strlen(emoticons[bi].as);
                i += best;
                continue;
            }
            if ((c == ')' || c == '(') && i + 1 < len && p[i + 1] == c) {
                size_t j = i;
                while (j < len && p[j] == c)
                    j++;
                bracket_face(d, i, j - i, c == ')');
                if (c == ')' && open && p[i - 1] != ')' && !in_emoticon(p, i))
                    open--;       /* "(как у меня)))", as find_lone_opens reads it */
                i = j;
                continue;
            }
            /* a lone bracket that opens or closes nothing is a smile or a
             * frown: "ура)", "не успею(" — but not "1)" in a list */
            int lone = 0;
            if (in_emoticon(p, i))
                ;                 /* matched by neither pass */
            else if (c == '(') {
                lone = nextlone < d->nlone && d->lone[nextlone] == i;
                nextlone += lone;
                open += !lone;
            } else if (c == ')') {
                lone = !open && !(i > 0 && p[i - 1] >= '0' && p[i - 1] <= '9');
                open -= open > 0;
            }
            if (lone) {
                bracket_face(d, i, 1, c == ')');
                i++;
                continue;
            }
            if (c == '!' || c == '?') {
                size_t j = i;
                unsigned ne = 0, nq = 0;
                while (j < len && (p[j] == '!' || p[j] == '?' || p[j] == '1')) {
                    if (p[j] == '!')
                        ne++;
                    else if (p[j] == '?')
                        nq++;
                    j++;
                }
                struct text_token *t = new_tok(d);
                t->type = TOK_PUNCT;
                t->src = (uint32_t)i;
                t->srclen = (uint32_t)(j - i);
                const char *f = ne && nq ? "?!" : ne > 1 ? "!!" : ne ? "!" : nq > 1 ? "??" : "?";
                t->off = (uint32_t)add_fold(d, f, strlen(f));
                t->len = (uint32_t)strlen(f);
                d->nexcl += ne;
                d->nquest += nq;
                i = j;
                continue;
            }
        }
        /* any other punctuation or symbol: a one-code-point token */
        struct text_token *t = new_tok(d);
        t->type = TOK_PUNCT;
        t->src = (uint32_t)i;
        t->srclen = (uint32_t)k;
        int32_t f = fold_cp(c);
        if (f == 0x2026)        /* … */
            f = '.';
        size_t m = (size_t)utf8proc_encode_char(f, (utf8proc_uint8_t *)enc);
        t->off = (uint32_t)add_fold(d, enc, m);
        t->len = (uint32_t)m;
        i += (size_t)k;
    }
    negation_scope(d);
    d->lang = text_langid(d);
    return 0;
}
