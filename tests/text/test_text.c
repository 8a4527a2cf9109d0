/* test_text.c — the text pipeline stage by stage, with real Russian and
 * English examples: normalisation, tokens, negation scope, language id,
 * stemming, features, cues, sentiment direction and the full analysis. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "base/buf.h"
#include "base/err.h"
#include "text/text.h"
#include "text/text_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int text_model_tests(void);

static struct text_doc *parse(const char *s)
{
    struct text_scratch *sc = text_scratch_get();
    assert_int_equal(text_doc_parse(&sc->doc, s, strlen(s)), 0);
    return &sc->doc;
}

static int find_tok(const struct text_doc *d, const char *w)
{
    for (size_t i = 0; i < d->ntok; i++) {
        size_t n;
        const char *t = text_tok_str(d, i, &n);
        if (n == strlen(w) && memcmp(t, w, n) == 0)
            return (int)i;
    }
    return -1;
}

static void test_utf8_rejected(void **st)
{
    (void)st;
    struct text_scratch *sc = text_scratch_get();
    assert_int_equal(text_doc_parse(&sc->doc, "ok \xff\xfe", 5), PL_EUTF8);
    assert_int_equal(text_doc_parse(&sc->doc, "\xd0", 1), PL_EUTF8);   /* truncated Cyrillic */
    assert_int_equal(text_doc_parse(&sc->doc, "\xc0\xaf", 2), PL_EUTF8); /* overlong '/' */
}

static void test_nfkc_casefold(void **st)
{
    (void)st;
    /* fullwidth Latin and the "ﬁ" ligature fold to plain ASCII; Ё folds to е */
    struct text_doc *d = parse("ＨＥＬＬＯ ﬁne ЁЛКА Привет");
    assert_true(find_tok(d, "hello") >= 0);
    assert_true(find_tok(d, "fine") >= 0);
    assert_true(find_tok(d, "елка") >= 0);
    assert_true(find_tok(d, "привет") >= 0);
    /* decomposed й (и + U+0306) composes */
    d = parse("и\xcc\x86");
    assert_int_equal(d->ntok, 1);
    assert_string_equal(d->fold, "й");
}

static void test_tokens_keep_emotion(void **st)
{
    (void)st;
    struct text_doc *d = parse("This is SOOOO bad!!! Why??? :( 😡");
    int so = find_tok(d, "soo");
    assert_true(so >= 0);
    assert_true(d->tok[so].flags & TOKF_CAPS);
    assert_true(d->tok[so].flags & TOKF_ELONG);
    assert_true(find_tok(d, "!!") >= 0);
    assert_true(find_tok(d, "??") >= 0);
    int e = find_tok(d, ":(");
    assert_true(e >= 0);
    assert_int_equal(d->tok[e].type, TOK_EMOTICON);
    int em = find_tok(d, "😡");
    assert_true(em >= 0);
    assert_int_equal(d->tok[em].type, TOK_EMOJI);
    assert_int_equal(d->nexcl, 3);
    /* Russian bracket smileys */
    d = parse("Спасибо)))");
    assert_true(find_tok(d, ":)") >= 0);
    /* ... and the one-stroke ones: a bracket that opens or closes nothing */
    d = parse("Нужно отложить, боюсь не успею(");
    int fr = find_tok(d, ":(");
    assert_true(fr >= 0);
    assert_int_equal(d->tok[fr].type, TOK_EMOTICON);
    d = parse("Ура, посылка пришла) спасибо");
    assert_true(find_tok(d, ":)") >= 0);
    assert_int_equal(d->tok[find_tok(d, ":)") + 1].type, TOK_WORD);
    /* brackets that pair up, list numbers and ":)" are not doubled */
    d = parse("The card (the new one) arrived: 1) fine 2) ok");
    assert_int_equal(find_tok(d, ":)"), -1);
    assert_int_equal(find_tok(d, ":("), -1);
    d = parse("карта (новая) пришла) :)");
    int a = find_tok(d, ":)");
    assert_true(a >= 0);
    assert_int_equal(find_tok(d, "("), 1);
    assert_int_equal(d->tok[a].src, strlen("карта (новая) пришла"));
    assert_int_equal(d->tok[d->ntok - 1].type, TOK_EMOTICON);
    assert_int_equal(d->tok[d->ntok - 2].type, TOK_EMOTICON);
    d = parse("(((((((((((((((((((");
    assert_int_equal(d->ntok, 1);
    d = parse("( ( ( ) ) ) ( x");
    assert_int_equal(find_tok(d, ":("), (int)d->ntok - 2);
    d = parse("don't");
    assert_int_equal(d->ntok, 1);
    assert_string_equal(d->fold, "don't");
}

static void test_negation_scope(void **st)
{
    (void)st;
    struct text_doc *d = parse("I am not happy with this, the app is fine");
    assert_true(d->tok[find_tok(d, "not")].flags & TOKF_NEGATOR);
    assert_true(d->tok[find_tok(d, "happy")].flags & TOKF_NEG);
    assert_false(d->tok[find_tok(d, "app")].flags & TOKF_NEG);   /* comma ends the scope */
    assert_false(d->tok[find_tok(d, "fine")].flags & TOKF_NEG);
    d = parse("Это не работает, но поддержка хорошая");
    assert_true(d->tok[find_tok(d, "работает")].flags & TOKF_NEG);
    assert_false(d->tok[find_tok(d, "хорошая")].flags & TOKF_NEG);
    d = parse("I don't like it but whatever");
    assert_true(d->tok[find_tok(d, "like")].flags & TOKF_NEG);
    assert_false(d->tok[find_tok(d, "whatever")].flags & TOKF_NEG);
}

static void test_langid(void **st)
{
    (void)st;
    assert_int_equal(parse("Where is my card? It has not arrived yet")->lang, TEXT_LANG_EN);
    assert_int_equal(parse("Где моя карта? Её до сих пор не доставили")->lang, TEXT_LANG_RU);
    assert_int_equal(parse("Дякую, все працює і це чудово")->lang, TEXT_LANG_OTHER);   /* Ukrainian */
    assert_int_equal(parse("Je ne comprends pas pourquoi la carte est bloquée")->lang, TEXT_LANG_OTHER);
    assert_int_equal(parse("Wo ist meine Karte? Ich habe sie nicht bekommen")->lang, TEXT_LANG_OTHER);
    assert_int_equal(parse("12345 !!!")->lang, TEXT_LANG_OTHER);
    assert_int_equal(parse("refund please")->lang, TEXT_LANG_EN);
}

static int has_feature(const struct text_fvec *v, uint32_t id)
{
    for (size_t i = 0; i < v->n; i++)
        if (v->id[i] == id)
            return 1;
    return 0;
}

static void test_stemming_features(void **st)
{
    (void)st;
    struct text_scratch *sc = text_scratch_get();
    struct text_feat_cfg c = {18, 2, 0, 0, TEXT_LANG_EN};
    uint32_t mask = (1u << 18) - 1;
    /* Snowball: "cancelled"/"cancelling" -> "cancel", "картами"/"карты" -> "карт" */
    text_features(sc, parse("cancelled"), &c, &sc->fv);
    assert_true(has_feature(&sc->fv, (uint32_t)(text_hash64("cancel", 6, 1) & mask)));
    text_features(sc, parse("cancelling"), &c, &sc->fv);
    assert_true(has_feature(&sc->fv, (uint32_t)(text_hash64("cancel", 6, 1) & mask)));
    c.stem_lang = TEXT_LANG_RU;
    text_features(sc, parse("картами"), &c, &sc->fv);
    assert_true(has_feature(&sc->fv, (uint32_t)(text_hash64("карт", 8, 1) & mask)));
    /* negated words are distinct features */
    text_features(sc, parse("not good"), &c, &sc->fv);
    assert_true(has_feature(&sc->fv, (uint32_t)(text_hash64("~good", 5, 1) & mask)));
    assert_false(has_feature(&sc->fv, (uint32_t)(text_hash64("good", 4, 1) & mask)));
    /* char n-grams and counts: "aa aa" has one word feature with tf 2 -> 1+ln 2 */
    c.char_min = 2;
    c.char_max = 3;
    text_features(sc, parse("hello hello"), &c, &sc->fv);
    uint32_t w = (uint32_t)(text_hash64("hello", 5, 1) & mask);
    uint32_t g = (uint32_t)(text_hash64("<he", 3, 2) & mask) | TEXT_FID_CHAR;
    assert_true(has_feature(&sc->fv, g));
    for (size_t i = 0; i < sc->fv.n; i++)
        if (sc->fv.id[i] == w)
            assert_float_equal(sc->fv.val[i], 1.6931f, 1e-3);
}

static struct text_engine *g_engine;

static struct text_engine *engine(void)
{
    if (!g_engine) {
        const char *src = getenv("PARLEY_SRC");
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/data/models", src ? src : ".");
        char *err = NULL;
        int rc = text_engine_open(dir, &g_engine, &err);
        if (rc)
            fprintf(stderr, "engine: %s\n", err);
        free(err);
        assert_int_equal(rc, 0);
    }
    return g_engine;
}

static const struct text_cue *cue(const struct text_analysis *a, enum text_cue_kind k)
{
    for (size_t i = 0; i < a->ncues; i++)
        if (a->cues[i].kind == k)
            return &a->cues[i];
    return NULL;
}

static void an(const char *s, struct text_analysis *a)
{
    assert_int_equal(text_analyze(engine(), s, strlen(s), a), 0);
}

static void test_cues(void **st)
{
    (void)st;
    struct text_analysis a;
    an("If this is not fixed today I will contact my LAWYER and post a review on Trustpilot", &a);
    assert_non_null(cue(&a, TEXT_CUE_LEGAL));
    assert_string_equal(cue(&a, TEXT_CUE_LEGAL)->evidence, "LAWYER");
    assert_non_null(cue(&a, TEXT_CUE_REVIEW));
    an("Я закрою счёт и подам в суд, напишу в Роспотребнадзор", &a);
    assert_non_null(cue(&a, TEXT_CUE_CANCEL));
    assert_string_equal(cue(&a, TEXT_CUE_CANCEL)->evidence, "закрою счёт");
    assert_non_null(cue(&a, TEXT_CUE_LEGAL));
    assert_string_equal(cue(&a, TEXT_CUE_REGULATOR)->evidence, "Роспотребнадзор");
    an("вы тупые уроды, бля", &a);
    assert_non_null(cue(&a, TEXT_CUE_INSULT));
    assert_non_null(cue(&a, TEXT_CUE_PROFANITY));
    an("Thank you, the transfer arrived", &a);
    assert_int_equal(a.ncues, 0);
    an("I'll tell the press and the FCA about this", &a);
    assert_non_null(cue(&a, TEXT_CUE_PRESS));
    assert_non_null(cue(&a, TEXT_CUE_REGULATOR));
}

static void test_sentiment_direction(void **st)
{
    (void)st;
    struct text_analysis a, b;
    an("Thank you so much, great service!", &a);
    assert_true(a.sentiment > 0.3f);
    an("This is terrible, the worst bank ever", &a);
    assert_true(a.sentiment < -0.3f);
    an("The support was good", &a);
    an("The support was not good", &b);
    assert_true(b.sentiment < a.sentiment);
    an("Спасибо большое, всё отлично!", &a);
    assert_true(a.sentiment > 0.3f);
    an("Ужасный сервис, деньги так и не вернули", &a);
    assert_true(a.sentiment < -0.3f);
    an("good", &a);
    an("GOOD!!!", &b);
    assert_true(b.sentiment > a.sentiment);
    assert_true(b.intensity > a.intensity);
}

static void test_analysis(void **st)
{
    (void)st;
    struct text_analysis a;
    an("I am furious, this is the third time you charged me twice!!!", &a);
    assert_string_equal(a.language, "en");
    float neg = a.emotions[TEXT_EMOTION_ANGER] + a.emotions[TEXT_EMOTION_FRUSTRATION];
    assert_true(neg > a.emotions[TEXT_EMOTION_JOY]);
    an("Thanks a lot, you are wonderful!", &a);
    assert_true(a.emotions[TEXT_EMOTION_JOY] > 0.5f);
    an("I'm confused, what does this fee mean?", &a);
    assert_true(a.emotions[TEXT_EMOTION_CONFUSION] > a.emotions[TEXT_EMOTION_ANGER]);
    an("Я очень боюсь, что деньги пропали", &a);
    assert_string_equal(a.language, "ru");
    assert_true(a.emotions[TEXT_EMOTION_ANXIETY] > a.emotions[TEXT_EMOTION_JOY]);
    an("I want to cancel my order", &a);
    assert_string_equal(a.intent, "cancel_order");
    assert_true(a.intent_confidence > 0.3f && a.intent_confidence <= 1.0f);
    struct buf b = BUF_INIT;
    text_analysis_json(&a, &b);
    assert_non_null(strstr(buf_str(&b), "\"intent\":{\"label\":\"cancel_order\""));
    assert_non_null(strstr(buf_str(&b), "\"emotions\":{\"anger\":"));
    buf_release(&b);
    assert_int_equal(text_analyze(engine(), "\xff", 1, &a), PL_EUTF8);
    assert_string_equal(text_emotion_name(TEXT_EMOTION_FRUSTRATION), "frustration");
    assert_int_equal(text_emotion_parse("joy"), TEXT_EMOTION_JOY);
    assert_int_equal(text_emotion_parse("nope"), -1);
}

/* What a complaint says outright counts: threats read as anger, a threat
 * to leave as frustration, and a clearly negative message is not joy. */
static void test_evidence(void **st)
{
    (void)st;
    struct text_analysis a;
    an("Our lawyers are reviewing the contract and we are prepared to take legal action "
       "and inform the press.", &a);
    assert_true(a.emotions[TEXT_EMOTION_ANGER] >= 0.55f);
    assert_true(a.emotions[TEXT_EMOTION_NEUTRAL] < a.emotions[TEXT_EMOTION_ANGER]);
    an("Если деньги не вернутся, я подаю в суд и пишу жалобу в Роспотребнадзор!!!", &a);
    assert_true(a.emotions[TEXT_EMOTION_ANGER] >= 0.55f);
    an("If this isn't sorted today I'm cancelling my membership.", &a);
    assert_true(a.emotions[TEXT_EMOTION_FRUSTRATION] >= 0.5f);
    an("Worst service ever. Do you even care about your customers??", &a);
    assert_true(a.emotions[TEXT_EMOTION_JOY] <
                a.emotions[TEXT_EMOTION_ANGER] + a.emotions[TEXT_EMOTION_FRUSTRATION]);
    an("I'm really worried someone has access to my card details.", &a);
    assert_true(a.emotions[TEXT_EMOTION_ANXIETY] >= 0.45f);
    an("Купила колонку, но не понимаю, как её подключить. Я запуталась.", &a);
    assert_true(a.emotions[TEXT_EMOTION_CONFUSION] >= 0.45f);
    an("Thank you, the replacement arrived and works perfectly!", &a);
    assert_true(a.emotions[TEXT_EMOTION_JOY] > 0.5f);   /* happy stays happy */
    assert_true(a.emotions[TEXT_EMOTION_ANGER] < 0.2f);
}

static const char *const mt_texts[] = {
    "I will sue you, this is a scam!!!", "Спасибо, всё отлично :)", "where is my card?",
    "Я закрою счёт и подам в суд", "not happy at ALL", "Je ne comprends pas",
};

static void *mt_worker(void *arg)
{
    struct text_analysis *out = arg;
    for (int r = 0; r < 200; r++)
        for (size_t i = 0; i < 6; i++)
            text_analyze(engine(), mt_texts[i], strlen(mt_texts[i]), &out[i]);
    text_thread_cleanup();
    return NULL;
}

/* The engine is shared read-only: four threads get the same answers as
 * one thread. */
static void test_threads(void **st)
{
    (void)st;
    struct text_analysis want[6], got[4][6];
    for (size_t i = 0; i < 6; i++)
        an(mt_texts[i], &want[i]);
    pthread_t th[4];
    for (int t = 0; t < 4; t++)
        assert_int_equal(pthread_create(&th[t], NULL, mt_worker, got[t]), 0);
    for (int t = 0; t < 4; t++)
        pthread_join(th[t], NULL);
    for (int t = 0; t < 4; t++)
        for (size_t i = 0; i < 6; i++) {
            assert_string_equal(got[t][i].language, want[i].language);
            assert_float_equal(got[t][i].sentiment, want[i].sentiment, 1e-6);
            assert_int_equal(got[t][i].ncues, want[i].ncues);
            assert_string_equal(got[t][i].intent, want[i].intent);
            for (int k = 0; k < TEXT_EMOTION__COUNT; k++)
                assert_float_equal(got[t][i].emotions[k], want[i].emotions[k], 1e-6);
        }
}

static void test_engine_missing(void **st)
{
    (void)st;
    struct text_engine *e = NULL;
    char *err = NULL;
    assert_int_equal(text_engine_open("/nonexistent/models", &e, &err), PL_ENOTFOUND);
    assert_null(e);
    assert_non_null(strstr(err, "en-emotion.model"));
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_rejected),
        cmocka_unit_test(test_nfkc_casefold),
        cmocka_unit_test(test_tokens_keep_emotion),
        cmocka_unit_test(test_negation_scope),
        cmocka_unit_test(test_langid),
        cmocka_unit_test(test_stemming_features),
        cmocka_unit_test(test_cues),
        cmocka_unit_test(test_sentiment_direction),
        cmocka_unit_test(test_analysis),
        cmocka_unit_test(test_evidence),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_engine_missing),
    };
    int rc = cmocka_run_group_tests_name("text", tests, NULL, NULL);
    rc |= text_model_tests();
    text_engine_close(g_engine);
    text_thread_cleanup();
    return rc;
}
