/* langid.c — language identification: ru, en or other. Script counts
 * decide Cyrillic vs Latin; Ukrainian/Belarusian letters mark other
 * Cyrillic languages; among Latin texts, function words and diacritics
 * of the common European languages separate English from the rest. */
#include "text/text_internal.h"

#include <string.h>
#include <utf8proc.h>

static const char *const en_words[] = {
    "the", "a", "an", "is", "are", "was", "i", "you", "my", "your", "it", "to", "of", "and",
    "in", "on", "for", "with", "this", "that", "not", "have", "has", "me", "we", "can",
    "do", "did", "be", "what", "how", "why", "please", "thanks", "thank", "hi", "hello",
    "card", "account", "order", "money", "help", "why", "where", "when", "will", "would",
};
static const char *const xx_words[] = {
    /* de */ "der", "die", "das", "und", "ist", "nicht", "ich", "mit", "ein", "eine", "sie",
    /* fr */ "le", "la", "les", "et", "est", "je", "pas", "une", "des", "du", "vous", "pour",
    /* es */ "el", "los", "las", "es", "que", "por", "una", "con", "para", "mi", "gracias", "y",
    /* it */ "il", "di", "che", "non", "per", "sono", "grazie",
    /* pt */ "o", "os", "não", "com", "um", "uma", "obrigado",
    /* nl */ "het", "een", "niet", "ik", "en",
};

static int in_list(const char *const *l, size_t n, const char *w, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (l[i][0] == w[0] && strlen(l[i]) == len && memcmp(l[i], w, len) == 0)
            return 1;
    return 0;
}

int text_langid(const struct text_doc *d)
{
    unsigned cyr = 0, lat = 0, ukr = 0, rus = 0, diacr = 0, other = 0;
    const unsigned char *p = (const unsigned char *)d->fold;
    size_t n = d->fold_len, i = 0;
    while (i < n) {
        int32_t c;
        utf8proc_ssize_t k = utf8proc_iterate(p + i, (utf8proc_ssize_t)(n - i), &c);
        if (k <= 0) {
            i++;
            continue;
        }
        i += (size_t)k;
        if (c < 0x80) {
            if (c >= 'a' && c <= 'z')
                lat++;
        } else if (c >= 0x0400 && c <= 0x04FF) {
            cyr++;
            if (c == 0x0456 || c == 0x0457 || c == 0x0454 || c == 0x0491 || c == 0x045E)
                ukr++;         /* і ї є ґ ў */
            if (c == 0x044B || c == 0x044D || c == 0x044A)
                rus++;         /* ы э ъ */
        } else if (c >= 0x00C0 && c <= 0x024F) {
            lat++;
            diacr++;
        } else if (utf8proc_category(c) <= UTF8PROC_CATEGORY_LO && utf8proc_category(c) >= UTF8PROC_CATEGORY_LU) {
            other++;
        }
    }
    if (cyr + lat + other == 0)
        return TEXT_LANG_OTHER;
    if (other > cyr + lat)
        return TEXT_LANG_OTHER;
    if (cyr >= lat) {
        if (ukr > rus)
            return TEXT_LANG_OTHER;
        return TEXT_LANG_RU;
    }
    unsigned en = 0, xx = 0;
    for (size_t t = 0; t < d->ntok; t++) {
        if (d->tok[t].type != TOK_WORD)
            continue;
        size_t len;
        const char *w = text_tok_str(d, t, &len);
        if (in_list(en_words, sizeof en_words / sizeof en_words[0], w, len))
            en++;
        if (in_list(xx_words, sizeof xx_words / sizeof xx_words[0], w, len))
            xx++;
    }
    if (xx > en || (diacr * 10 > lat && en == 0) || (diacr >= 2 && xx >= en))
        return TEXT_LANG_OTHER;
    return TEXT_LANG_EN;
}

const char *text_lang_name(int lang)
{
    return lang == TEXT_LANG_EN ? "en" : lang == TEXT_LANG_RU ? "ru" : "other";
}
