/* kb.c — knowledge base and ticket search use cases. Writes run on the
 * writer through desk_exec() with one event each; reads use the calling
 * thread's reader. */
#include "desk/kb.h"
#include "desk/desk_internal.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/utf8.h"
#include "base/xalloc.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define KB_TITLE_MAX 300
#define KB_BODY_MAX (64 * 1024)
#define KB_CATEGORY_MAX 64
#define KB_QUERY_MAX 2000

static int text_ok(const char *s, size_t max, int required)
{
    if (!s)
        return required ? PL_EINVAL : 0;
    size_t n = strlen(s);
    if (required && n == 0)
        return PL_EINVAL;
    if (n > max)
        return PL_ETOOBIG;
    return utf8_valid(s, n) ? 0 : PL_EUTF8;
}

static int lang_ok(const char *l)
{
    return l && (!strcmp(l, "ru") || !strcmp(l, "en"));
}

struct save_args {
    const struct desk_actor *who;
    struct kb_article *a;
};

static int save_fn(struct desk_tx *tx, void *arg)
{
    struct save_args *s = arg;
    struct store *st = tx->st;
    struct kb_article *a = s->a;
    int64_t now = clock_now_ms();
    char *before = NULL, *after = NULL;
    int rc;
    if (a->id) {
        struct kb_article old = {0};
        if ((rc = st->ops->kb_get(st, a->id, &old)))
            return rc;
        a->created_at = old.created_at;
        before = desk_json_text(json_pack("{s:s,s:s,s:s?}", "language", old.language, "title",
                                          old.title, "category", old.category));
        kb_article_clear(&old);
        a->updated_at = now;
        rc = st->ops->kb_update(st, a);
    } else {
        a->created_at = a->updated_at = now;
        rc = st->ops->kb_insert(st, a);
    }
    if (!rc) {
        after = desk_json_text(json_pack("{s:I,s:s,s:s,s:s?}", "article_id", (json_int_t)a->id,
                                         "language", a->language, "title", a->title, "category",
                                         a->category));
        rc = desk_event(tx, s->who, before ? "kb.updated" : "kb.created", 0, 0, 0, before, after,
                        now);
    }
    free(before);
    free(after);
    return rc;
}

int desk_kb_save(struct desk *d, const struct desk_actor *who, struct kb_article *a)
{
    if (!(who->kind == ACTOR_SYSTEM ||
          (who->kind == ACTOR_USER && (who->role == ROLE_ADMIN || who->role == ROLE_SUPERVISOR))))
        return PL_EFORBIDDEN;
    int rc;
    if (!lang_ok(a->language))
        return PL_EINVAL;
    if ((rc = text_ok(a->title, KB_TITLE_MAX, 1)) || (rc = text_ok(a->body, KB_BODY_MAX, 1)) ||
        (rc = text_ok(a->category, KB_CATEGORY_MAX, 0)))
        return rc;
    if (a->id < 0)
        return PL_EINVAL;
    struct save_args s = {who, a};
    return desk_exec(d, save_fn, &s);
}

static int query_ok(const char *q, const char *language)
{
    int rc = text_ok(q, KB_QUERY_MAX, 1);
    if (rc)
        return rc;
    if (language && *language && !lang_ok(language))
        return PL_EINVAL;
    return 0;
}

int desk_kb_search(struct desk *d, const char *q, const char *language, int limit,
                   struct kb_article **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    int rc = query_ok(q, language);
    if (rc)
        return rc;
    struct store *st = desk_reader(d);
    if (!st)
        return PL_EUNAVAIL;
    return st->ops->kb_search(st, q, language && *language ? language : NULL, limit, out, n);
}

int desk_kb_list(struct desk *d, const char *language, struct kb_article **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (language && *language && !lang_ok(language))
        return PL_EINVAL;
    struct store *st = desk_reader(d);
    if (!st)
        return PL_EUNAVAIL;
    return st->ops->kb_list(st, language && *language ? language : NULL, out, n);
}

int desk_kb_suggest(struct desk *d, int64_t ticket_id, int limit, struct kb_article **out,
                    size_t *n)
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
    struct message *m = NULL;
    size_t nm = 0;
    if ((rc = st->ops->message_list(st, ticket_id, &m, &nm)) == 0) {
        for (size_t i = nm; i-- > 0;) {
            if (m[i].kind == MESSAGE_INBOUND) {
                const char *lang = t.language && lang_ok(t.language) ? t.language : NULL;
                rc = st->ops->kb_search(st, m[i].body, lang, limit, out, n);
                if (rc == 0 && *n == 0 && lang)
                    rc = st->ops->kb_search(st, m[i].body, NULL, limit, out, n);
                break;
            }
        }
        store_free_messages(m, nm);
    }
    ticket_clear(&t);
    return rc;
}

int desk_search(struct desk *d, const char *q, int limit, struct search_hit **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    int rc = query_ok(q, NULL);
    if (rc)
        return rc;
    struct store *st = desk_reader(d);
    if (!st)
        return PL_EUNAVAIL;
    return st->ops->ticket_search(st, q, limit, out, n);
}

/* ---- confidence ------------------------------------------------------ */

/* Lower-cases ASCII and Cyrillic (А-Я, Ё) into a new string. */
static char *lower(const char *s)
{
    size_t n = strlen(s);
    unsigned char *o = xmalloc(n + 1);
    memcpy(o, s, n + 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = o[i];
        if (c >= 'A' && c <= 'Z') {
            o[i] = (unsigned char)(c + 32);
        } else if (c == 0xD0 && i + 1 < n) {
            unsigned char c2 = o[i + 1];
            if (c2 >= 0x90 && c2 <= 0x9F) {           /* А-П -> а-п */
                o[i + 1] = (unsigned char)(c2 + 0x20);
            } else if (c2 >= 0xA0 && c2 <= 0xAF) {    /* Р-Я -> р-я (D1 80..8F) */
                o[i] = 0xD1;
                o[i + 1] = (unsigned char)(c2 - 0x20);
            } else if (c2 == 0x81) {                  /* Ё -> ё */
                o[i] = 0xD1;
                o[i + 1] = 0x91;
            }
            i++;
        }
    }
    /* ё and е are one letter for matching */
    for (size_t i = 0; i + 1 < n; i++)
        if (o[i] == 0xD1 && o[i + 1] == 0x91)
            o[i + 1] = 0xB5, o[i] = 0xD0;
    return (char *)o;
}

static int word_byte(unsigned char c)
{
    return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z');
}

static const char *const stop_words[] = {
    "the", "and", "for", "you", "your", "are", "was", "what", "when", "how", "can", "with",
    "this", "that", "have", "has", "not", "but", "from", "will", "does", "did", "why", "where",
    "please", "hello", "thanks", "there", "they", "them", "would", "could", "should", "about",
    "как", "что", "где", "когда", "мне", "мой", "моя", "мои", "моё", "мое", "это", "для",
    "или", "уже", "еще", "ещё", "вас", "вам", "нас", "нет", "так", "там", "тут", "здравствуйте",
    "добрый", "день", "спасибо", "пожалуйста", "почему", "есть", "был", "была", "было", "будет",
    "меня", "если", "чтобы", "можно", "как", "его", "она", "они", "все", "всё", "при", "под",
};

static int is_stop(const char *w, size_t n)
{
    for (size_t i = 0; i < sizeof stop_words / sizeof stop_words[0]; i++)
        if (strlen(stop_words[i]) == n && !memcmp(stop_words[i], w, n))
            return 1;
    return 0;
}

double desk_kb_confidence(const char *q, const struct kb_article *a)
{
    if (!q || !a || !a->body)
        return 0;
    char *lq = lower(q);
    char *doc = xasprintf("%s\n%s", a->title ? a->title : "", a->body);
    char *ld = lower(doc);
    free(doc);
    int total = 0, hit = 0;
    const char *p = lq;
    while (*p) {
        while (*p && !word_byte((unsigned char)*p))
            p++;
        const char *w = p;
        size_t k = 0;
        while (*p && word_byte((unsigned char)*p)) {
            if (((unsigned char)*p & 0xC0) != 0x80)
                k++;
            p++;
        }
        size_t n = (size_t)(p - w);
        if (k < 3 || is_stop(w, n))
            continue;
        /* light stem: drop the last two letters of 5+ letter words */
        size_t keep_cp = k >= 5 ? (k - 2 < 4 ? 4 : k - 2) : k, seen = 0, keep = 0;
        while (keep < n) {
            if (((unsigned char)w[keep] & 0xC0) != 0x80) {
                if (seen == keep_cp)
                    break;
                seen++;
            }
            keep++;
        }
        char *stem = xstrndup(w, keep);
        total++;
        if (strstr(ld, stem))
            hit++;
        free(stem);
    }
    free(lq);
    free(ld);
    if (!total)
        return 0;
    return (double)hit / total;
}

/* ---- demo articles ---------------------------------------------------- */

static const struct {
    const char *language, *category, *title, *body;
} seed[] = {
    {"en", "billing", "Refund timelines",
     "Once a refund is approved we send it the same day. Card refunds reach your account in "
     "5-10 business days depending on your bank; PayPal refunds take up to 3 days. You get an "
     "e-mail with the refund reference when it leaves us - quote it to your bank if the money "
     "has not arrived after 10 business days."},
    {"ru", "billing", "Сроки возврата денег",
     "Одобренный возврат мы отправляем в тот же день. Деньги на карту приходят за 5-10 рабочих "
     "дней в зависимости от банка, на электронный кошелёк - до 3 дней. Номер возврата приходит "
     "в письме: если деньги не пришли через 10 рабочих дней, назовите его в своём банке."},
    {"en", "billing", "Charged twice for one order",
     "A double charge is usually a temporary authorisation hold: one of the two payments "
     "disappears within 3 business days without any action. If both charges are still on your "
     "statement after that, send us the order number and we refund the duplicate payment at once."},
    {"ru", "billing", "Деньги списали дважды",
     "Двойное списание обычно временная блокировка средств банком: один из двух платежей "
     "исчезает сам в течение 3 рабочих дней. Если оба списания остались в выписке, пришлите "
     "номер заказа - мы сразу вернём лишний платёж."},
    {"en", "delivery", "Delivery delays and tracking your parcel",
     "Track your parcel with the tracking number from the shipping e-mail on the carrier's "
     "site. Delivery usually takes 2-5 days; during sales it can take up to 7. If the tracking "
     "has not changed for 5 days, write to us and we open an inquiry with the carrier."},
    {"ru", "delivery", "Задержка доставки и отслеживание посылки",
     "Отследить посылку можно по трек-номеру из письма об отправке на сайте перевозчика. "
     "Доставка обычно занимает 2-5 дней, во время распродаж - до 7. Если статус посылки не "
     "менялся 5 дней, напишите нам, и мы откроем запрос у службы доставки."},
    {"en", "account", "Resetting your password",
     "Click \"Forgot password\" on the sign-in page and enter your e-mail. The reset link is "
     "valid for one hour; check the spam folder if it does not arrive. After three failed "
     "attempts the account is locked for 15 minutes."},
    {"ru", "account", "Как сбросить пароль",
     "Нажмите «Забыли пароль» на странице входа и введите свою почту. Ссылка для сброса пароля "
     "действует один час; если письма нет, проверьте папку «Спам». После трёх неудачных "
     "попыток вход блокируется на 15 минут."},
    {"en", "returns", "Returning an item",
     "You can return any item within 30 days of delivery. Open the order, choose \"Return\", "
     "print the prepaid label and drop the parcel at any pick-up point. The refund starts when "
     "the return reaches our warehouse."},
    {"ru", "devices", "Как подключить устройство",
     "Включите устройство и установите приложение. В приложении нажмите «Добавить "
     "устройство», выберите свою сеть Wi-Fi (2,4 ГГц) и введите пароль. Если подключение не "
     "удаётся, удерживайте кнопку питания 10 секунд, чтобы сбросить настройки, и повторите."},
};

int desk_kb_seed(struct desk *d)
{
    struct kb_article *v = NULL;
    size_t n = 0;
    int rc = desk_kb_list(d, NULL, &v, &n);
    store_free_kb_articles(v, n);
    desk_reader_release(d);
    if (rc || n)
        return rc;
    for (size_t i = 0; i < sizeof seed / sizeof seed[0]; i++) {
        struct kb_article a = {.language = (char *)seed[i].language,
                               .category = (char *)seed[i].category,
                               .title = (char *)seed[i].title,
                               .body = (char *)seed[i].body};
        struct desk_actor sys = DESK_SYSTEM;
        if ((rc = desk_kb_save(d, &sys, &a)))
            return rc;
    }
    return 0;
}
