/* canned.c — canned responses: validation, writes on the writer thread
 * with one event each, and the ranking that picks the ones fitting a
 * ticket's emotion, category and language. */
#include "desk/canned.h"
#include "desk/desk_internal.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/utf8.h"
#include "base/xalloc.h"
#include "text/text.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define CANNED_TITLE_MAX 200
#define CANNED_BODY_MAX (16 * 1024)
#define CANNED_CATEGORY_MAX 64

static int text_ok(const char *s, size_t max)
{
    size_t n = strlen(s);
    return n <= max && utf8_valid(s, n);
}

static int emotion_ok(const char *e)
{
    for (int i = 0; i < TEXT_EMOTION__COUNT; i++)
        if (!strcmp(e, text_emotion_name((enum text_emotion)i)))
            return 1;
    return 0;
}

static int lang_ok(const char *l)
{
    return l && (!strcmp(l, "ru") || !strcmp(l, "en"));
}

const char *desk_canned_check(struct canned_response *c, unsigned fields)
{
    if ((fields & CANNED_LANGUAGE) && !lang_ok(c->language))
        return "language must be \"ru\" or \"en\"";
    if ((fields & CANNED_TITLE) && (!c->title || !*c->title || !text_ok(c->title, CANNED_TITLE_MAX)))
        return "title must be 1 to 200 bytes of UTF-8";
    if ((fields & CANNED_BODY) && (!c->body || !*c->body || !text_ok(c->body, CANNED_BODY_MAX)))
        return "body must be 1 to 16384 bytes of UTF-8";
    if ((fields & CANNED_EMOTION) && c->emotion && !*c->emotion)
        c->emotion = NULL;
    if ((fields & CANNED_EMOTION) && c->emotion && !emotion_ok(c->emotion))
        return "emotion must be one of anger, frustration, anxiety, sadness, confusion, joy, "
               "neutral (or null)";
    if ((fields & CANNED_CATEGORY) && c->category && !*c->category)
        c->category = NULL;
    if ((fields & CANNED_CATEGORY) && c->category && !text_ok(c->category, CANNED_CATEGORY_MAX))
        return "category must be at most 64 bytes of UTF-8";
    return NULL;
}

static int is_admin(const struct desk_actor *who)
{
    return who->kind == ACTOR_SYSTEM || (who->kind == ACTOR_USER && who->role == ROLE_ADMIN);
}

static char *summary(const struct canned_response *c)
{
    return desk_json_text(json_pack("{s:I,s:s,s:s,s:s?,s:s?}", "canned_id", (json_int_t)c->id,
                                    "language", c->language, "title", c->title, "emotion",
                                    c->emotion, "category", c->category));
}

/* Replaces *dst with a copy of src when the field is being set. */
static void take(char **dst, const char *src, unsigned fields, unsigned bit)
{
    if (!(fields & bit))
        return;
    free(*dst);
    *dst = src ? xstrdup(src) : NULL;
}

struct save_args {
    const struct desk_actor *who;
    const struct canned_response *in;
    unsigned fields;
    struct canned_response row;   /* the stored row */
};

static int save_fn(struct desk_tx *tx, void *arg)
{
    struct save_args *s = arg;
    struct store *st = tx->st;
    int64_t now = clock_now_ms();
    char *before = NULL, *after = NULL;
    int rc;
    if (s->in->id) {
        if ((rc = st->ops->canned_get(st, s->in->id, &s->row)))
            return rc;
        before = summary(&s->row);
    }
    take(&s->row.language, s->in->language, s->fields, CANNED_LANGUAGE);
    take(&s->row.title, s->in->title, s->fields, CANNED_TITLE);
    take(&s->row.body, s->in->body, s->fields, CANNED_BODY);
    take(&s->row.emotion, s->in->emotion, s->fields, CANNED_EMOTION);
    take(&s->row.category, s->in->category, s->fields, CANNED_CATEGORY);
    s->row.updated_at = now;
    if (s->in->id) {
        rc = st->ops->canned_update(st, &s->row);
    } else {
        s->row.created_at = now;
        rc = st->ops->canned_insert(st, &s->row);
    }
    if (!rc) {
        after = summary(&s->row);
        rc = desk_event(tx, s->who, before ? "canned.updated" : "canned.created", 0, 0, 0,
                        before, after, now);
    }
    free(before);
    free(after);
    return rc;
}

int desk_canned_save(struct desk *d, const struct desk_actor *who, struct canned_response *c,
                     unsigned fields)
{
    if (!is_admin(who))
        return PL_EFORBIDDEN;
    if (c->id < 0)
        return PL_EINVAL;
    if (!c->id)
        fields = CANNED_ALL;
    if (desk_canned_check(c, fields))
        return PL_EINVAL;
    struct save_args s = {who, c, fields, {0}};
    int rc = desk_exec(d, save_fn, &s);
    if (rc) {
        canned_response_clear(&s.row);
        return rc;
    }
    *c = s.row;
    return 0;
}

struct delete_args {
    const struct desk_actor *who;
    int64_t id;
};

static int delete_fn(struct desk_tx *tx, void *arg)
{
    struct delete_args *a = arg;
    struct canned_response old = {0};
    int rc = tx->st->ops->canned_get(tx->st, a->id, &old);
    if (rc)
        return rc;
    char *before = summary(&old);
    canned_response_clear(&old);
    if ((rc = tx->st->ops->canned_delete(tx->st, a->id)) == 0)
        rc = desk_event(tx, a->who, "canned.deleted", 0, 0, 0, before, NULL, clock_now_ms());
    free(before);
    return rc;
}

int desk_canned_delete(struct desk *d, const struct desk_actor *who, int64_t id)
{
    if (!is_admin(who))
        return PL_EFORBIDDEN;
    if (id <= 0)
        return PL_ENOTFOUND;
    struct delete_args a = {who, id};
    return desk_exec(d, delete_fn, &a);
}

int desk_canned_get(struct desk *d, int64_t id, struct canned_response *out)
{
    struct store *st = desk_reader(d);
    if (!st)
        return PL_EUNAVAIL;
    return st->ops->canned_get(st, id, out);
}

/* How well c fits: -1 = not at all, else 2 per emotion match + 1 per
 * category match. */
static int fit(const struct canned_response *c, const char *emotion, const char *category)
{
    int score = 0;
    if (c->emotion) {
        if (emotion && strcmp(c->emotion, emotion))
            return -1;
        score += emotion ? 2 : 0;
    }
    if (c->category) {
        if (category && strcmp(c->category, category))
            return -1;
        score += category ? 1 : 0;
    }
    return score;
}

struct ranked {
    int score;
    size_t at;
};

static int by_score(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->score != y->score)
        return y->score - x->score;
    return x->at < y->at ? -1 : x->at > y->at;
}

int desk_canned_find(struct desk *d, const char *language, const char *emotion,
                     const char *category, int limit, struct canned_response **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (language && *language && !lang_ok(language))
        return PL_EINVAL;
    struct store *st = desk_reader(d);
    if (!st)
        return PL_EUNAVAIL;
    struct canned_response *all = NULL;
    size_t total = 0;
    int rc = st->ops->canned_list(st, language && *language ? language : NULL, &all, &total);
    if (rc || !total)
        return rc;
    emotion = emotion && *emotion ? emotion : NULL;
    category = category && *category ? category : NULL;
    struct ranked *r = xcalloc(total, sizeof *r);
    size_t kept = 0;
    for (size_t i = 0; i < total; i++) {
        int s = fit(&all[i], emotion, category);
        if (s >= 0)
            r[kept++] = (struct ranked){s, i};
    }
    qsort(r, kept, sizeof *r, by_score);
    if (limit > 0 && kept > (size_t)limit)
        kept = (size_t)limit;
    struct canned_response *v = kept ? xcalloc(kept, sizeof *v) : NULL;
    for (size_t i = 0; i < kept; i++) {
        v[i] = all[r[i].at];
        memset(&all[r[i].at], 0, sizeof all[0]);   /* moved into v */
    }
    free(r);
    store_free_canned(all, total);
    *out = v;
    *n = kept;
    return 0;
}

/* The language of the ticket's latest analysed inbound message ("ru",
 * "en"), copied into lang; "" when none. */
static void last_language(struct store *st, int64_t ticket_id, char lang[3])
{
    struct message *m = NULL;
    size_t n = 0;
    lang[0] = '\0';
    if (st->ops->message_list(st, ticket_id, &m, &n))
        return;
    for (size_t i = n; i-- > 0 && !lang[0];) {
        if (m[i].kind != MESSAGE_INBOUND || !m[i].analysis)
            continue;
        json_t *a = json_loads(m[i].analysis, 0, NULL);
        const char *l = json_string_value(json_object_get(a, "language"));
        if (lang_ok(l))
            memcpy(lang, l, 3);
        json_decref(a);
    }
    store_free_messages(m, n);
}

int desk_canned_suggest(struct desk *d, int64_t ticket_id, const char *language_hint,
                        int limit, struct canned_response **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    struct store *st = desk_reader(d);
    if (!st)
        return PL_EUNAVAIL;
    struct ticket t = {0};
    int rc = st->ops->ticket_get(st, ticket_id, &t);
    if (rc)
        return rc;
    char said[3];
    last_language(st, ticket_id, said);
    const char *lang = lang_ok(t.language) ? t.language
                       : said[0] ? said
                       : lang_ok(language_hint) ? language_hint : NULL;
    rc = desk_canned_find(d, lang, t.emotion, t.category, limit, out, n);
    ticket_clear(&t);
    return rc;
}

/* ---- demo responses --------------------------------------------------- */

static const struct {
    const char *language, *emotion, *category, *title, *body;
} seed[] = {
    {"en", "anger", NULL, "Apologise and take ownership",
     "I'm sorry - this should not have happened, and I understand why you are upset. I have "
     "taken your case personally and will not close it until it is put right. Here is what I "
     "am doing now:"},
    {"ru", "anger", NULL, "Извиниться и взять на себя",
     "Простите, так не должно было случиться, и я понимаю ваше возмущение. Я лично веду ваше "
     "обращение и не закрою его, пока всё не будет исправлено. Вот что я делаю прямо сейчас:"},
    {"en", "frustration", NULL, "A concrete next step",
     "Thank you for your patience - I know this has taken too long. Here is the concrete next "
     "step and when you will hear from me:"},
    {"ru", "frustration", NULL, "Конкретный следующий шаг",
     "Спасибо за терпение - понимаю, что всё затянулось. Вот конкретный следующий шаг и срок, "
     "когда я вам напишу:"},
    {"en", "anxiety", NULL, "Reassure with facts",
     "Your money and your data are safe. Here is exactly what happens next and how long each "
     "step takes, so you know what to expect:"},
    {"ru", "anxiety", NULL, "Успокоить фактами",
     "Ваши деньги и данные в безопасности. Вот что будет дальше и сколько займёт каждый шаг, "
     "чтобы вы знали, чего ждать:"},
    {"en", "confusion", NULL, "Step by step",
     "Let's go through it together, one step at a time:\n1. \n2. \n3. \nIf anything is unclear, "
     "just reply and I will explain it another way."},
    {"ru", "confusion", NULL, "По шагам",
     "Давайте разберёмся вместе, по шагам:\n1. \n2. \n3. \nЕсли что-то непонятно, просто "
     "ответьте - объясню по-другому."},
    {"en", NULL, "billing", "Duplicate charge refunded",
     "I have checked your payments: the duplicate charge has been refunded today. Card refunds "
     "take 5-10 business days to appear, depending on your bank."},
    {"ru", NULL, "billing", "Возврат двойного списания",
     "Я проверил(а) ваши платежи: лишнее списание сегодня возвращено. Деньги на карту "
     "приходят за 5-10 рабочих дней, в зависимости от банка."},
    {"en", NULL, "delivery", "Carrier inquiry opened",
     "I have opened an inquiry with the carrier about your parcel and will update you within "
     "24 hours, whatever the answer."},
    {"ru", NULL, "delivery", "Запрос в службу доставки",
     "Я открыл(а) запрос в службе доставки по вашей посылке и напишу вам в течение 24 часов, "
     "каким бы ни был ответ."},
};

int desk_canned_seed(struct desk *d)
{
    struct canned_response *v = NULL;
    size_t n = 0;
    int rc = desk_canned_find(d, NULL, NULL, NULL, 1, &v, &n);
    store_free_canned(v, n);
    desk_reader_release(d);
    if (rc || n)
        return rc;
    struct desk_actor sys = DESK_SYSTEM;
    for (size_t i = 0; i < sizeof seed / sizeof seed[0]; i++) {
        struct canned_response c = {.language = (char *)seed[i].language,
                                    .emotion = (char *)seed[i].emotion,
                                    .category = (char *)seed[i].category,
                                    .title = (char *)seed[i].title,
                                    .body = (char *)seed[i].body};
        if ((rc = desk_canned_save(d, &sys, &c, CANNED_ALL)))
            return rc;
        canned_response_clear(&c);
    }
    return 0;
}
