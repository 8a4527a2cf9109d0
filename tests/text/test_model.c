/* test_model.c — training a tiny model with liblinear, the model file
 * round trip, and clear errors for corrupt, truncated and foreign files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "base/err.h"
#include "text/text_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int text_model_tests(void);

static const char *const rows[][2] = {
    {"where is my card, it has not arrived", "card_arrival"},
    {"my card still hasn't come", "card_arrival"},
    {"when will the new card arrive", "card_arrival"},
    {"card not delivered yet", "card_arrival"},
    {"please cancel my transfer", "cancel_transfer"},
    {"I want to cancel the payment I just made", "cancel_transfer"},
    {"how do I cancel a transaction", "cancel_transfer"},
    {"stop the transfer please", "cancel_transfer"},
    {"где моя карта, её не доставили", "card_arrival"},
    {"отмените перевод пожалуйста", "cancel_transfer"},
};

static struct text_model *train_tiny(int multi)
{
    size_t n = sizeof rows / sizeof rows[0];
    const char *text[16];
    size_t len[16];
    uint32_t off[17], lab[16];
    char *labels[] = {"card_arrival", "cancel_transfer"};
    off[0] = 0;
    for (size_t i = 0; i < n; i++) {
        text[i] = rows[i][0];
        len[i] = strlen(rows[i][0]);
        lab[i] = strcmp(rows[i][1], "card_arrival") == 0 ? 0 : 1;
        off[i + 1] = (uint32_t)i + 1;
    }
    struct text_train_set ts = {n, text, len, off, lab, 2, labels};
    struct text_train_opts o = {.task = "tiny", .multi_label = multi, .lang = TEXT_LANG_EN, .C = 8};
    struct text_model *m = NULL;
    char *err = NULL;
    assert_int_equal(text_model_train(&ts, &o, &m, &err), 0);
    assert_null(err);
    return m;
}

/* A set big enough for the hold-out (C, and thresholds when multi-label,
 * chosen by training itself): requests about a card, about cancelling,
 * and, multi-label only, both. */
static struct text_model *train_cards(int multi, int nb)
{
    static const char *const card[] = {"where is my card", "my card has not arrived",
                                       "the new card never came", "card still not delivered",
                                       "when does my card arrive", "no card in the post yet"};
    static const char *const cancel[] = {"cancel my transfer", "stop that payment",
                                         "please cancel the transaction", "undo the transfer I made",
                                         "I want the payment cancelled", "revoke this transfer"};
    static const char *const tail[] = {"", " please", " today", " thanks", " asap",
                                       " it is urgent", " again", " now", " help", " sir"};
    enum { N = 6 * 10 * 2 + 6 * 6 };
    static char buf[N][96];
    const char *text[N];
    size_t len[N];
    uint32_t off[N + 1], lab[N * 2], n = 0, k = 0;
    char *labels[] = {"card_arrival", "cancel_transfer"};
    off[0] = 0;
    for (int a = 0; a < 6; a++)
        for (int t = 0; t < 10; t++)
            for (int c = 0; c < 2; c++) {
                snprintf(buf[n], sizeof buf[n], "%s%s", c ? cancel[a] : card[a], tail[t]);
                lab[k++] = (uint32_t)c;
                off[++n] = k;
            }
    for (int a = 0; a < 6 && multi; a++)
        for (int b = 0; b < 6; b++) {
            snprintf(buf[n], sizeof buf[n], "%s and %s", card[a], cancel[b]);
            lab[k++] = 0;
            lab[k++] = 1;
            off[++n] = k;
        }
    for (uint32_t i = 0; i < n; i++) {
        text[i] = buf[i];
        len[i] = strlen(buf[i]);
    }
    struct text_train_set ts = {n, text, len, off, lab, 2, labels};
    struct text_train_opts o = {.task = "both", .multi_label = multi, .lang = TEXT_LANG_EN, .nb = nb};
    struct text_model *m = NULL;
    char *err = NULL;
    assert_int_equal(text_model_train(&ts, &o, &m, &err), 0);
    return m;
}

static void test_thresholds(void **st)
{
    (void)st;
    struct text_model *m = train_cards(1, TEXT_NB_CHOOSE);
    for (int l = 0; l < 2; l++)
        assert_true(m->thresh[l] >= 0.05f && m->thresh[l] <= 0.95f);
    float p[2];
    const char *one = "my card did not arrive";
    assert_int_equal(text_model_predict(m, one, strlen(one), p), 0);
    assert_true(p[0] >= m->thresh[0] && p[1] < m->thresh[1]);     /* card only */
    const char *two = "cancel the payment and where is my card";
    assert_int_equal(text_model_predict(m, two, strlen(two), p), 0);
    assert_true(p[0] >= m->thresh[0] && p[1] >= m->thresh[1]);    /* both */
    text_model_free(m);
}

static int same_weights(const struct text_model *a, const struct text_model *b)
{
    return a->nfeat == b->nfeat && a->nlabels == b->nlabels &&
           memcmp(a->w, b->w, (size_t)a->nfeat * a->nlabels) == 0 &&
           memcmp(a->scale, b->scale, a->nlabels * sizeof *a->scale) == 0 &&
           memcmp(a->bias, b->bias, a->nlabels * sizeof *a->bias) == 0;
}

/* Naive-Bayes scaling: trained on rows scaled by each label's log-count
 * ratio, the model applies to unscaled rows (the ratio is in its weights,
 * so a model without it would call a cancellation a card); it is a
 * different model from the plain one, and the chosen model is one of the
 * two, refitted the same way. */
static void test_nb_scaling(void **st)
{
    (void)st;
    const char *card = "my new card has still not come", *cancel = "please cancel that payment";
    for (int multi = 0; multi < 2; multi++) {
        struct text_model *on = train_cards(multi, TEXT_NB_ON);
        struct text_model *off = train_cards(multi, TEXT_NB_OFF);
        struct text_model *auto_ = train_cards(multi, TEXT_NB_CHOOSE);
        float p[2];
        assert_int_equal(text_model_predict(on, card, strlen(card), p), 0);
        assert_true(p[0] > 0.5f && p[1] < 0.5f);
        assert_int_equal(text_model_predict(on, cancel, strlen(cancel), p), 0);
        assert_true(p[1] > 0.5f && p[0] < 0.5f);
        assert_false(same_weights(on, off));
        assert_true(same_weights(auto_, on) || same_weights(auto_, off));
        text_model_free(on);
        text_model_free(off);
        text_model_free(auto_);
    }
}

static char path[256];

static void test_train_predict(void **st)
{
    (void)st;
    struct text_model *m = train_tiny(0);
    float p[2];
    assert_int_equal(text_model_predict(m, "my card has not arrived", 23, p), 0);
    assert_true(p[0] > p[1]);
    assert_float_equal(p[0] + p[1], 1.0f, 1e-4);
    const char *s = "cancel this transfer";
    assert_int_equal(text_model_predict(m, s, strlen(s), p), 0);
    assert_true(p[1] > p[0]);
    text_model_free(m);
    m = train_tiny(1);
    assert_int_equal(text_model_predict(m, s, strlen(s), p), 0);
    assert_true(p[1] > 0.5f && p[0] < 0.5f);   /* independent probabilities */
    text_model_free(m);
}

static void test_roundtrip(void **st)
{
    (void)st;
    struct text_model *m = train_tiny(0), *r = NULL;
    char *err = NULL;
    assert_int_equal(text_model_save(m, path, &err), 0);
    assert_int_equal(text_model_load(path, &r, &err), 0);
    assert_string_equal(r->task, "tiny");
    assert_int_equal(r->nlabels, 2);
    assert_string_equal(r->labels[1], "cancel_transfer");
    assert_int_equal(r->nfeat, m->nfeat);
    assert_memory_equal(&r->cfg, &m->cfg, sizeof m->cfg);
    float a[2], b[2];
    const char *s = "где моя карта";
    text_model_predict(m, s, strlen(s), a);
    text_model_predict(r, s, strlen(s), b);
    assert_float_equal(a[0], b[0], 1e-6);
    text_model_free(r);
    text_model_free(m);
}

static unsigned char *slurp(size_t *n)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    *n = (size_t)ftell(fp);
    rewind(fp);
    unsigned char *p = malloc(*n);
    assert_int_equal(fread(p, 1, *n, fp), *n);
    fclose(fp);
    return p;
}

/* Training is reproducible byte for byte (`make models` relies on it):
 * single-label thresholds are unused but saved, so they must be set. */
static void test_reproducible(void **st)
{
    (void)st;
    unsigned char *f[2];
    size_t n[2];
    char *err = NULL;
    for (int k = 0; k < 2; k++) {
        struct text_model *m = train_cards(0, TEXT_NB_CHOOSE);
        for (uint32_t l = 0; l < m->nlabels; l++)
            assert_float_equal(m->thresh[l], 0.5f, 0);
        assert_int_equal(text_model_save(m, path, &err), 0);
        f[k] = slurp(&n[k]);
        text_model_free(m);
    }
    assert_int_equal(n[0], n[1]);
    assert_memory_equal(f[0], f[1], n[0]);
    free(f[0]);
    free(f[1]);
}

static void test_corrupt(void **st)
{
    (void)st;
    size_t n;
    unsigned char *p = slurp(&n);
    struct text_model *m = NULL;
    char *err = NULL;
    /* every truncation fails cleanly */
    for (size_t k = 0; k < n; k += (k < 64 ? 1 : 97)) {
        assert_true(text_model_load_mem(p, k, &m, &err) < 0);
        assert_null(m);
        assert_non_null(err);
        free(err);
        err = NULL;
    }
    /* a flipped byte anywhere is a checksum mismatch */
    for (size_t k = 12; k < n; k += 131) {
        p[k] ^= 0x40;
        assert_int_equal(text_model_load_mem(p, n, &m, &err), PL_ECHECKSUM);
        assert_non_null(strstr(err, "checksum"));
        free(err);
        err = NULL;
        p[k] ^= 0x40;
    }
    assert_int_equal(text_model_load_mem(p, n, &m, &err), 0);
    text_model_free(m);
    /* another version */
    p[8] = 9;
    assert_int_equal(text_model_load_mem(p, n, &m, &err), PL_EFORMAT);
    assert_non_null(strstr(err, "version 9"));
    free(err);
    free(p);
    /* a foreign file */
    const char *csv = "text,label\nhello,world\n";
    assert_int_equal(text_model_load_mem((const unsigned char *)csv, strlen(csv), &m, &err), PL_EFORMAT);
    assert_non_null(strstr(err, "not a Parley text model"));
    free(err);
    assert_int_equal(text_model_load("/nonexistent.model", &m, &err), PL_ENOTFOUND);
    free(err);
}

int text_model_tests(void)
{
    snprintf(path, sizeof path, "/tmp/parley-test-text-%d.model", (int)getpid());
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_train_predict),
        cmocka_unit_test(test_thresholds),
        cmocka_unit_test(test_nb_scaling),
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_corrupt),
        cmocka_unit_test(test_reproducible),
    };
    int rc = cmocka_run_group_tests_name("text_model", tests, NULL, NULL);
    unlink(path);
    return rc;
}
