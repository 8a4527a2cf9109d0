/* test_coach.c — guidance for every emotion in both languages, and the
 * tone check: each category in English and Russian with exact byte
 * offsets, word boundaries, and polite drafts left alone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "coach/coach.h"

static bool has_cyrillic(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s == 0xD0 || (unsigned char)*s == 0xD1)
            return true;
    return false;
}

static void check_text(const char *s, bool ru)
{
    assert_non_null(s);
    assert_true(strlen(s) > 3);
    assert_int_equal(has_cyrillic(s), ru);
}

static void guidance_complete(void **state)
{
    (void)state;
    static const char *const langs[2] = {"en", "ru"};
    for (int e = 0; e < COACH_N_EMOTIONS; e++)
        for (int l = 0; l < 2; l++) {
            const struct coach_guidance *g = coach_guidance(coach_emotions[e], langs[l]);
            assert_non_null(g);
            assert_string_equal(g->emotion, coach_emotions[e]);
            assert_string_equal(g->language, langs[l]);
            const bool ru = l == 1;
            /* Titles name the emotion in Latin letters only in English. */
            assert_non_null(g->title);
            assert_int_equal(has_cyrillic(g->title), ru);
            assert_in_range(g->n_steps, 3, 5);
            assert_in_range(g->n_use, 1, COACH_MAX_ITEMS);
            assert_in_range(g->n_avoid, 1, COACH_MAX_ITEMS);
            assert_in_range(g->n_openers, 1, 2);
            for (size_t i = 0; i < g->n_steps; i++)
                check_text(g->steps[i], ru);
            for (size_t i = 0; i < g->n_use; i++)
                check_text(g->use[i], ru);
            for (size_t i = 0; i < g->n_avoid; i++)
                assert_non_null(g->avoid[i]);
            for (size_t i = 0; i < g->n_openers; i++)
                check_text(g->openers[i], ru);
            char *js = coach_guidance_json(g);
            json_error_t je;
            json_t *j = json_loads(js, 0, &je);
            assert_non_null(j);
            assert_int_equal(json_array_size(json_object_get(j, "steps")), g->n_steps);
            assert_string_equal(json_string_value(json_object_get(j, "title")), g->title);
            json_decref(j);
            free(js);
        }
}

static bool any_step(const struct coach_guidance *g, const char *needle)
{
    for (size_t i = 0; i < g->n_steps; i++)
        if (strstr(g->steps[i], needle))
            return true;
    return false;
}

/* The substance of seed 001 for the three emotions it details. */
static void guidance_follows_seed(void **state)
{
    (void)state;
    const struct coach_guidance *g = coach_guidance("anger", "en");
    assert_true(any_step(g, "calm"));
    assert_true(any_step(g, "Acknowledge"));
    assert_true(any_step(g, "Apologise"));
    assert_true(any_step(g, "both sides accept"));
    g = coach_guidance("anger", "ru");
    assert_true(any_step(g, "спокойный"));
    assert_true(any_step(g, "Признайте чувства"));
    assert_true(any_step(g, "извинитесь"));
    assert_true(any_step(g, "обе стороны"));
    g = coach_guidance("frustration", "en");
    assert_true(any_step(g, "concrete"));
    assert_true(any_step(g, "Reassure"));
    g = coach_guidance("frustration", "ru");
    assert_true(any_step(g, "конкретное"));
    assert_true(any_step(g, "Заверьте"));
    g = coach_guidance("anxiety", "en");
    assert_true(any_step(g, "clear"));
    assert_true(any_step(g, "realistic expectations"));
    assert_true(any_step(g, "ongoing support"));
    g = coach_guidance("anxiety", "ru");
    assert_true(any_step(g, "чёткую"));
    assert_true(any_step(g, "реалистичные ожидания"));
    assert_true(any_step(g, "постоянную поддержку"));
    g = coach_guidance("confusion", "en");
    assert_true(any_step(g, "plain language"));
    assert_true(any_step(g, "steps"));
    /* Fallbacks. */
    assert_string_equal(coach_guidance("satisfaction", "ru")->emotion, "joy");
    assert_string_equal(coach_guidance("boredom", "en")->emotion, "neutral");
    assert_string_equal(coach_guidance(NULL, NULL)->language, "en");
    assert_string_equal(coach_guidance("anger", "de")->language, "en");
}

/* ---- tone -------------------------------------------------------------- */

struct want {
    enum coach_tone cat;
    const char *phrase;   /* found with strstr from `after` */
};

/* Checks that the draft yields exactly these flags, in order, each at the
 * byte offsets where the phrase occurs. */
static void expect_flags(const char *draft, const char *lang, const char *emotion,
                         const struct want *w, size_t n)
{
    struct coach_tone_result r;
    assert_int_equal(coach_tone_check(draft, strlen(draft), lang, emotion, &r), 0);
    if (r.n != n) {
        for (size_t i = 0; i < r.n; i++)
            print_message("flag %s [%zu,%zu) \"%.*s\"\n", coach_tone_name(r.v[i].category),
                          r.v[i].start, r.v[i].end, (int)(r.v[i].end - r.v[i].start),
                          draft + r.v[i].start);
        fail_msg("\"%s\": %zu flags, want %zu", draft, r.n, n);
    }
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(r.v[i].category, w[i].cat);
        if (w[i].cat == COACH_NO_APOLOGY) {
            assert_int_equal(r.v[i].start, 0);
            assert_int_equal(r.v[i].end, 0);
        } else {
            const char *at = strstr(draft, w[i].phrase);
            assert_non_null(at);
            assert_int_equal(r.v[i].start, (size_t)(at - draft));
            assert_int_equal(r.v[i].end, (size_t)(at - draft) + strlen(w[i].phrase));
        }
        assert_non_null(r.v[i].suggestion);
        assert_int_equal(has_cyrillic(r.v[i].suggestion), lang && strcmp(lang, "ru") == 0);
    }
    coach_tone_release(&r);
}

#define EXPECT(draft, lang, emo, ...)                                             \
    do {                                                                          \
        const struct want w_[] = {__VA_ARGS__};                                   \
        expect_flags(draft, lang, emo, w_, sizeof w_ / sizeof w_[0]);             \
    } while (0)
#define EXPECT_NONE(draft, lang, emo) expect_flags(draft, lang, emo, NULL, 0)

static void tone_english(void **state)
{
    (void)state;
    EXPECT("Hi Anna, You Should Have checked the size chart.", "en", NULL,
           {COACH_BLAMING, "You Should Have"});
    EXPECT("Sorry, but that's not our fault.", "en", NULL, {COACH_DEFENSIVE, "that's not our fault"});
    EXPECT("Sorry, but that\xe2\x80\x99s not our fault.", "en", NULL,
           {COACH_DEFENSIVE, "that\xe2\x80\x99s not our fault"});
    EXPECT("Our policy says refunds take 10 days.", "en", NULL, {COACH_DEFENSIVE, "policy says"});
    EXPECT("As I already said, please calm down.", "en", NULL,
           {COACH_DISMISSIVE, "As I already said"}, {COACH_DISMISSIVE, "calm down"});
    EXPECT("Your case went to tier 2 per the SLA.", "en", NULL,
           {COACH_JARGON, "tier 2"}, {COACH_JARGON, "SLA"});
    EXPECT("Please READ the instructions, OK? Use HTTPS.", "en", NULL, {COACH_ALL_CAPS, "READ"});
    EXPECT("Your refund is processed.", "en", "anger", {COACH_NO_APOLOGY, ""});
}

static void tone_russian(void **state)
{
    (void)state;
    /* Hand-checked: "Вы сами виноваты" is 4+1+8+1+16 = 30 bytes at 0. */
    struct coach_tone_result r;
    const char *d = "Вы сами виноваты, что не проверили адрес.";
    assert_int_equal(coach_tone_check(d, strlen(d), "ru", NULL, &r), 0);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.v[0].category, COACH_BLAMING);
    assert_int_equal(r.v[0].start, 0);
    assert_int_equal(r.v[0].end, 30);
    coach_tone_release(&r);

    EXPECT("ЭТО НЕ НАША ВИНА, курьер опоздал.", "ru", NULL,
           {COACH_DEFENSIVE, "ЭТО НЕ НАША ВИНА"}, {COACH_ALL_CAPS, "НАША"}, {COACH_ALL_CAPS, "ВИНА"});
    EXPECT("Это не наша вина, курьер опоздал.", "ru", NULL, {COACH_DEFENSIVE, "Это не наша вина"});
    EXPECT("Согласно регламенту, мы не несём ответственности.", "ru", NULL,
           {COACH_DEFENSIVE, "Согласно регламенту"},
           {COACH_DEFENSIVE, "мы не несём ответственности"});
    EXPECT("Успокойтесь, пожалуйста. Как я уже говорил, доставка бесплатная.", "ru", NULL,
           {COACH_DISMISSIVE, "Успокойтесь"}, {COACH_DISMISSIVE, "Как я уже говорил"});
    EXPECT("Ваш тикет передан на вторую линию.", "ru", NULL,
           {COACH_JARGON, "тикет"}, {COACH_JARGON, "вторую линию"});
    EXPECT("Я ЖЕ СКАЗАЛ, проверьте адрес.", "ru", NULL, {COACH_ALL_CAPS, "СКАЗАЛ"});
    EXPECT("Возврат оформлен.", "ru", "frustration", {COACH_NO_APOLOGY, ""});
    EXPECT_NONE("Извините за задержку, возврат оформлен.", "ru", "anger");
}

static void word_boundaries(void **state)
{
    (void)state;
    /* Inside other words nothing matches. */
    EXPECT_NONE("Whatsoever, the beta metadata is relaxed; see p10.", "en", NULL);
    EXPECT_NONE("Беспокойство понятно; багаж уже в пути.", "ru", NULL);
    /* Russian endings through the trailing '*'. */
    EXPECT("Номера тикетов: 5 и 6.", "ru", NULL, {COACH_JARGON, "тикетов"});
    EXPECT("Не нервничайте так.", "ru", NULL, {COACH_DISMISSIVE, "Не нервничайте"});
}

static void polite_drafts(void **state)
{
    (void)state;
    EXPECT_NONE("I'm so sorry for the delay, Anna. I understand how frustrating this is. I've sent "
           "a replacement today; it will arrive by Friday, and I'll check in with you on "
           "Thursday to make sure everything is fine.", "en", "anger");
    EXPECT_NONE("Анна, извините за задержку. Понимаю, как это неприятно. Я отправил замену сегодня, "
           "она придёт к пятнице, и в четверг я напишу вам, всё ли в порядке.", "ru", "anger");
    EXPECT_NONE("", "en", NULL);
}

static void tone_errors_and_json(void **state)
{
    (void)state;
    struct coach_tone_result r;
    assert_int_equal(coach_tone_check("bad \xff byte", 10, "en", NULL, &r), PL_EUTF8);
    assert_int_equal(r.n, 0);
    const char *d = "Успокойтесь. You should have read it.";
    assert_int_equal(coach_tone_check(d, strlen(d), "ru", NULL, &r), 0);
    char *js = coach_tone_json(d, &r);
    json_error_t je;
    json_t *j = json_loads(js, 0, &je);
    assert_non_null(j);
    json_t *flags = json_object_get(j, "flags");
    assert_int_equal(json_array_size(flags), 2);
    json_t *f0 = json_array_get(flags, 0), *f1 = json_array_get(flags, 1);
    assert_string_equal(json_string_value(json_object_get(f0, "category")), "dismissive");
    assert_string_equal(json_string_value(json_object_get(f0, "phrase")), "Успокойтесь");
    assert_int_equal(json_integer_value(json_object_get(f0, "start")), 0);
    assert_int_equal(json_integer_value(json_object_get(f0, "end")), 22);
    assert_string_equal(json_string_value(json_object_get(f1, "category")), "blaming");
    assert_string_equal(json_string_value(json_object_get(f1, "phrase")), "You should have");
    assert_true(has_cyrillic(json_string_value(json_object_get(f1, "suggestion"))));
    json_decref(j);
    free(js);
    coach_tone_release(&r);
}

/* Drafts stitched from awkward fragments (case-folding expansions like ß,
 * combining marks, Cyrillic, curly quotes, caps): every flag must lie
 * inside the draft and on character boundaries. */
static void offsets_always_on_boundaries(void **state)
{
    (void)state;
    static const char *const frag[] = {
        "Stra\xc3\x9f" "e ", "you SHOULD have ", "\xd0\x81\xd0\x96 ", "e\xcc\x81", "calm  down",
        "\xe2\x80\x99", "\xd1\x82\xd0\xb8\xd0\xba\xd0\xb5\xd1\x82", "SLA", " ", ".", "\n",
        "\xd0\xa3\xd0\xa1\xd0\x9f\xd0\x9e\xd0\x9a\xd0\x9e\xd0\x99", "\xef\xac\x81", "tier 2",
    };
    const size_t nf = sizeof frag / sizeof frag[0];
    uint32_t seed = 7;
    char draft[512];
    for (int round = 0; round < 400; round++) {
        size_t len = 0;
        for (int k = 0; k < 12; k++) {
            seed = seed * 1103515245u + 12345u;
            const char *f = frag[(seed >> 16) % nf];
            const size_t fl = strlen(f);
            if (len + fl >= sizeof draft)
                break;
            memcpy(draft + len, f, fl);
            len += fl;
        }
        draft[len] = '\0';
        struct coach_tone_result r;
        assert_int_equal(coach_tone_check(draft, len, "en", "anger", &r), 0);
        for (size_t i = 0; i < r.n; i++) {
            assert_true(r.v[i].start <= r.v[i].end);
            assert_true(r.v[i].end <= len);
            assert_true(r.v[i].start == len || ((unsigned char)draft[r.v[i].start] & 0xC0) != 0x80);
            assert_true(r.v[i].end == len || ((unsigned char)draft[r.v[i].end] & 0xC0) != 0x80);
            if (i > 0)
                assert_true(r.v[i - 1].start <= r.v[i].start);
        }
        coach_tone_release(&r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(guidance_complete),
        cmocka_unit_test(guidance_follows_seed),
        cmocka_unit_test(tone_english),
        cmocka_unit_test(tone_russian),
        cmocka_unit_test(word_boundaries),
        cmocka_unit_test(polite_drafts),
        cmocka_unit_test(tone_errors_and_json),
        cmocka_unit_test(offsets_always_on_boundaries),
    };
    return cmocka_run_group_tests_name("coach", tests, NULL, NULL);
}
