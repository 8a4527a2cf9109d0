/* demo.c — demo team and conversations, written through the ordinary use
 * cases so they get the same analysis, triage and events as live traffic. */
#include "desk/demo.h"
#include "desk/desk_internal.h"
#include "desk/canned.h"
#include "desk/kb.h"
#include "desk/roi.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "text/text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct demo_user {
    const char *email, *name, *role, *skills, *langs;
};

static const struct demo_user team[] = {
    {"admin@parley.local", "Alex Admin", "admin", "", "en,ru"},
    {"olga@parley.local", "Ольга Смирнова", "supervisor", "billing,delivery,returns", "ru,en"},
    {"anna@parley.local", "Анна Петрова", "agent", "delivery,returns", "ru"},
    {"john@parley.local", "John Carter", "agent", "billing,technical", "en"},
    {"maria@parley.local", "Maria Ivanova", "agent", "technical,account,billing", "ru,en"},
};

const char *const desk_demo_logins[] = {
    "admin@parley.local (admin)", "olga@parley.local (supervisor)",
    "anna@parley.local (agent)", "john@parley.local (agent)",
    "maria@parley.local (agent)", NULL};

/* One scripted conversation: inbound lines from the customer, replies from
 * an agent (by e-mail), spaced in minutes from the start. */
struct demo_line {
    char dir;             /* 'i' inbound, 'r' reply, 'n' note */
    int minute;
    const char *agent;    /* for replies and notes */
    const char *body;
};

struct demo_conv {
    enum channel channel;
    enum identity_kind kind;
    const char *identity, *name, *subject, *category;
    int hours_ago;
    const char *final_status;   /* NULL = leave as it is */
    struct demo_line lines[5];
};

static const struct demo_conv convs[] = {
    {CHANNEL_EMAIL, IDENTITY_EMAIL, "dmitry.volkov@example.ru", "Дмитрий Волков",
     "Списали деньги дважды", "billing", 3, NULL,
     {{'i', 0, NULL, "Вы списали с моей карты 4 990 рублей ДВАЖДЫ! Я уже третий раз пишу, "
                     "и никто не отвечает. Если до завтра деньги не вернутся, я подаю в суд "
                     "и пишу жалобу в Роспотребнадзор!!!"}}},
    {CHANNEL_EMAIL, IDENTITY_EMAIL, "karen.miles@example.com", "Karen Miles",
     "Still no refund after 3 weeks", "billing", 5, NULL,
     {{'i', 0, NULL, "This is absolutely unacceptable. I returned the blender three weeks ago "
                     "and I still don't have my refund. I've called twice. If this isn't "
                     "sorted today I'm cancelling my membership and leaving a review "
                     "everywhere I can."}}},
    {CHANNEL_CHAT, IDENTITY_CHAT, "chat-7f3a", "Ирина", "Заказ не пришёл", "delivery", 2, NULL,
     {{'i', 0, NULL, "Здравствуйте, заказ №58213 должен был прийти вчера, но его всё нет. "
                     "Трекинг не обновляется уже четыре дня."},
      {'r', 4, "anna@parley.local", "Ирина, здравствуйте! Понимаю, как неприятно ждать. "
                                   "Я уже запросила статус у службы доставки."},
      {'i', 9, NULL, "Я специально отпросилась с работы, чтобы его получить. Это уже "
                     "второй раз так. Очень обидно и неудобно."}}},
    {CHANNEL_EMAIL, IDENTITY_EMAIL, "tom.baker@example.co.uk", "Tom Baker",
     "Worried about my account", "account", 8, NULL,
     {{'i', 0, NULL, "I got an email saying my password was changed, but I didn't change it. "
                     "I'm really worried someone has access to my card details. What should "
                     "I do? Please help as soon as possible."}}},
    {CHANNEL_WEB, IDENTITY_EMAIL, "lena.k@example.ru", "Елена Ковалёва",
     "Не понимаю, как подключить", "technical", 20, NULL,
     {{'i', 0, NULL, "Добрый день. Купила умную колонку, но не понимаю, как подключить её к "
                     "приложению. В инструкции написано про какой-то код сопряжения, где его "
                     "взять? Я запуталась."}}},
    {CHANNEL_SOCIAL, IDENTITY_HANDLE, "@mike_rides", "Mike R.", "Broken bike delivered",
     "returns", 1, NULL,
     {{'i', 0, NULL, "@parley_shop your courier dropped my new bike and the frame is bent. "
                     "Worst service ever. Do you even care about your customers??"}}},
    {CHANNEL_PHONE, IDENTITY_PHONE, "+7 916 555-12-34", "Сергей Орлов",
     "Звонок: не работает интернет", "technical", 30, "resolved",
     {{'i', 0, NULL, "Звонок: клиент сообщает, что интернет не работает с утра. Раздражён, "
                     "работает из дома."},
      {'r', 15, "maria@parley.local", "Перезагрузили оборудование удалённо, скорость "
                                     "восстановлена. Клиент подтвердил."},
      {'i', 20, NULL, "Спасибо большое, всё заработало! Отличная поддержка."}}},
    {CHANNEL_EMAIL, IDENTITY_EMAIL, "anna.schmidt@example.de", "Anna Schmidt",
     "Thank you!", "account", 50, "resolved",
     {{'i', 0, NULL, "I just wanted to say thank you to John, who helped me yesterday. "
                     "Really friendly and quick, much appreciated!"},
      {'r', 30, "john@parley.local", "Thank you for the kind words, Anna! Have a great week."}}},
    {CHANNEL_CHAT, IDENTITY_CHAT, "chat-9b21", "Paul", "Where is my parcel?", "delivery", 4,
     NULL,
     {{'i', 0, NULL, "Hi, where is my parcel? The tracking says delivered but there's nothing "
                     "at my door. I'm getting a bit nervous, it was a birthday present."}}},
    {CHANNEL_EMAIL, IDENTITY_EMAIL, "oleg.p@example.ru", "Олег Павлов", "Возврат товара",
     "returns", 26, "pending",
     {{'i', 0, NULL, "Хочу вернуть куртку, не подошёл размер. Как оформить возврат?"},
      {'r', 40, "anna@parley.local", "Олег, добрый день! Пришлите, пожалуйста, номер заказа — "
                                    "я оформлю возврат и пришлю этикетку."}}},
    {CHANNEL_EMAIL, IDENTITY_EMAIL, "ceo@bigclient.example.com", "Victoria Hale",
     "Contract breach — legal action", "billing", 6, NULL,
     {{'i', 0, NULL, "Your team has failed to deliver the service level we pay for, for the "
                     "third month running. Our lawyers are reviewing the contract and we are "
                     "prepared to take legal action and inform the press."}}},
    {CHANNEL_SOCIAL, IDENTITY_HANDLE, "@natasha_v", "Наташа", "Отзыв в соцсетях", "delivery",
     12, NULL,
     {{'i', 0, NULL, "Опять опоздали с доставкой на три дня. Это просто издевательство. "
                     "Напишу отзыв везде, пусть все знают, как вы работаете."}}},
};

/* ---- team ---------------------------------------------------------------- */

static int seed_team(struct desk *d, int *created)
{
    struct store *st = desk_reader(d);
    int64_t n = 0;
    if (!st || st->ops->user_count(st, &n))
        return PL_EDB;
    if (n > 0)
        return 0;
    struct desk_actor sys = DESK_SYSTEM;
    for (size_t i = 0; i < sizeof team / sizeof team[0]; i++) {
        struct user u = {0};
        u.email = xstrdup(team[i].email);
        u.name = xstrdup(team[i].name);
        role_parse(team[i].role, &u.role);
        u.skills = team[i].skills[0] ? xstrdup(team[i].skills) : NULL;
        u.languages = xstrdup(team[i].langs);
        int rc = desk_user_add(d, &sys, &u, DESK_DEMO_PASSWORD);
        user_clear(&u);
        if (rc)
            return rc;
    }
    *created = 1;
    return 0;
}

static int64_t user_id(struct desk *d, const char *email, enum role *role)
{
    struct store *st = desk_reader(d);
    struct user u = {0};
    int64_t id = 0;
    if (st && st->ops->user_get_by_email(st, email, &u) == 0) {
        id = u.id;
        *role = u.role;
    }
    user_clear(&u);
    return id;
}

/* ---- curated conversations ------------------------------------------------ */

static int seed_conversations(struct desk *d)
{
    struct desk_actor sys = DESK_SYSTEM;
    int64_t now = clock_now_ms();
    for (size_t c = 0; c < sizeof convs / sizeof convs[0]; c++) {
        const struct demo_conv *cv = &convs[c];
        int64_t start = now - (int64_t)cv->hours_ago * 3600000;
        int64_t ticket_id = 0;
        for (size_t l = 0; l < 5 && cv->lines[l].body; l++) {
            const struct demo_line *ln = &cv->lines[l];
            int64_t at = start + (int64_t)ln->minute * 60000;
            int rc;
            if (ln->dir == 'i') {
                struct desk_inbound in = {
                    .channel = cv->channel, .id_kind = cv->kind, .id_value = cv->identity,
                    .customer_name = cv->name, .subject = cv->subject, .body = ln->body,
                    .created_at = at};
                struct desk_ingest_result res;
                rc = desk_ingest(d, &sys, &in, &res);
                ticket_id = res.ticket_id;
            } else {
                enum role role = ROLE_AGENT;
                int64_t uid = user_id(d, ln->agent, &role);
                struct desk_actor who = {ACTOR_USER, uid, role};
                struct desk_ticket_patch p = {.set_assignee = true, .assignee_id = uid};
                rc = desk_update_ticket(d, &who, ticket_id, &p);
                if (rc == 0)
                    rc = ln->dir == 'r' ? desk_reply(d, &who, ticket_id, ln->body, NULL)
                                        : desk_note(d, &who, ticket_id, ln->body, NULL);
            }
            if (rc)
                return rc;
        }
        struct desk_ticket_patch p = {.set_category = true, .category = cv->category};
        if (cv->final_status) {
            p.set_status = true;
            status_parse(cv->final_status, &p.status);
        }
        int rc = desk_update_ticket(d, &sys, ticket_id, &p);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- generated volume (for load, analytics and risk benchmarks) ------------ *
 *
 * Tickets follow one another in time over the last 180 days. What the
 * history encodes, so that the risk models have something real but noisy
 * to learn (docs/insight-quality.md):
 *  - each customer has a hidden temper τ ∈ [0,1); an angrier customer more
 *    often opens with a complaint or a threat;
 *  - the first answer comes after a random delay (shorter for high
 *    priority); the longer the wait and the higher τ, the likelier an
 *    impatient follow-up, which is a threat (legal, regulator) for the
 *    angriest — that is what triage then escalates;
 *  - after a bad ticket (escalated or hostile) a customer leaves with a
 *    probability growing with τ, sometimes saying so ("cancel"), and never
 *    writes again: churn;
 *  - a customer who stays often orders again in the weeks after a ticket
 *    (a quarter of those orders are upsells); one who left never does —
 *    what the ROI reads as retention and repeat revenue.
 * None of τ, the delay draw or the churn draw is stored; the models see
 * only what an agent would: analysis, waits, replies, priority, channel. */

enum { B_CALM, B_NEG, B_HOSTILE, B_NUDGE, B_ANGRY, B_THANKS, B_CANCEL, B_DETAIL, B__COUNT };

static const char *const gen_bodies[B__COUNT][4] = {
    {"Where is my order? It was supposed to arrive yesterday.",
     "How do I change the delivery address for my order?",
     "Не могу войти в личный кабинет, пишет неверный пароль.",
     "Подскажите, как оформить возврат товара?"},
    {"I was charged twice for the same order, please refund one payment.",
     "The app crashes every time I open the settings page.",
     "Где мой заказ? Обещали доставить ещё в понедельник.",
     "С меня списали деньги, а заказ отменён. Верните деньги."},
    {"This is ridiculous, nobody answers my emails. I will post a review.",
     "If this is not fixed today I am going to my lawyer and the press.",
     "Это безобразие, я буду жаловаться в суд!",
     "Это уже третий раз! Напишу отзыв везде, пусть все знают."},
    {"Any news on this, please?", "Hello? I am still waiting for an answer.",
     "Есть новости по моему вопросу?", "Подскажите, пожалуйста, когда будет ответ?"},
    {"I have been waiting for days and nobody answers. This is unacceptable, I will complain "
     "to the regulator!",
     "Still nothing?! I am taking this to my lawyer.",
     "Сколько можно ждать?! Никто не отвечает, я пишу жалобу в Роспотребнадзор!",
     "Вы издеваетесь? Подаю в суд."},
    {"Thank you, the replacement arrived and works perfectly!", "Thanks, all sorted now.",
     "Спасибо, всё получила, очень довольна!", "Спасибо, вопрос решён."},
    {"I want to cancel my subscription, this is the third time I ask.",
     "I am done with you, cancel my account.",
     "Я ухожу к другому магазину, отмените мою подписку.",
     "Всё, я ухожу от вас. Удалите мой аккаунт."},
    {"My order number is 58213, I paid by card on Monday.",
     "I attached a screenshot, the error code is 504 after the update.",
     "Номер заказа 58213, оплачивала картой в понедельник.",
     "Письмо с кодом подтверждения так и не пришло, проверила спам."},
};
/* The agent's answers in the back-and-forth after the first one. */
static const char *const gen_answers[] = {
    "Thanks, I found your order and passed it to the warehouse; you will get the tracking "
    "number today.",
    "Thank you for the screenshot. Please update the app to the latest version and restart "
    "your phone.",
    "Спасибо, заказ нашла и передала на склад, трек-номер пришлю сегодня.",
    "Спасибо! Отправила код повторно, он действует пятнадцать минут.",
};
static const char *const gen_categories[] = {"delivery", "billing", "technical", "account",
                                             "returns"};
static const enum channel gen_channels[] = {CHANNEL_EMAIL, CHANNEL_CHAT, CHANNEL_WEB,
                                            CHANNEL_PHONE, CHANNEL_SOCIAL};

/* The text engine's reading of every body, done once. */
struct gen_text {
    struct text_analysis an[B__COUNT][4];
    char *json[B__COUNT][4];
    bool ok;
};

struct gen_job {
    long from, to, total, pool;
    unsigned seed;
    int64_t start, span;        /* tickets open in [start, start + span) */
    int64_t now;                /* nothing happens after it */
    uint8_t *gone;              /* per pool customer: left for good */
    const struct gen_text *text;
    int64_t agent;              /* who answers (0 = the system) */
    bool all_resolved;
};

static unsigned rnd(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return (*s >> 16) & 0x7fff;
}

static double unif(unsigned *s)
{
    return (rnd(s) + 0.5) / 32768.0;
}

static int gen_in(struct desk_tx *tx, const struct gen_job *g, const char *email,
                  const char *thread, enum channel ch, int kind, unsigned *s, int64_t at,
                  struct desk_ingest_result *res)
{
    struct desk_actor sys = DESK_SYSTEM;
    int v = (int)(rnd(s) % 4);
    struct desk_inbound in = {.channel = ch, .id_kind = IDENTITY_EMAIL, .id_value = email,
                              .subject = "Support request", .body = gen_bodies[kind][v],
                              .thread = thread, .created_at = at};
    if (g->text->ok) {
        in.analysis = &g->text->an[kind][v];
        in.analysis_json = g->text->json[kind][v];
    }
    return desk_ingest_tx(tx, &sys, &in, res);
}

/* After the first answer, none to two exchanges: the customer adds a detail,
 * the agent answers (4.8 messages a ticket on average). They draw from a
 * stream of their own, so the story around them (temper, waits, churn) is
 * the one it would be without them. */
static int gen_exchanges(struct desk_tx *tx, const struct gen_job *g, long i, const char *email,
                         const char *thread, enum channel ch, const struct desk_actor *agent,
                         int64_t ticket, int64_t *at)
{
    unsigned s = g->seed ^ (unsigned)(i * 2246822519u + 1u);
    int n = (int)(rnd(&s) % 3);
    for (int k = 0; k < n; k++) {
        struct desk_ingest_result res;
        *at += (int64_t)(5 + rnd(&s) % 120) * 60000;
        int rc = gen_in(tx, g, email, thread, ch, B_DETAIL, &s, *at, &res);
        if (rc)
            return rc;
        *at += (int64_t)(5 + rnd(&s) % 240) * 60000;
        const char *answer = gen_answers[rnd(&s) % (sizeof gen_answers / sizeof *gen_answers)];
        if ((rc = desk_post_tx(tx, agent, ticket, MESSAGE_REPLY, answer, *at, NULL)))
            return rc;
    }
    return 0;
}

/* The orders after ticket i of a customer who stayed: none to two, days to
 * weeks apart, none after now. From a stream of their own, like the
 * exchanges, so that the story is the one it would be without them. */
static int gen_orders(struct desk_tx *tx, const struct gen_job *g, long i, int64_t customer,
                      int64_t at)
{
    unsigned s = g->seed ^ (unsigned)(i * 3266489917u + 7u);
    int n = unif(&s) < 0.6 ? 1 + (int)(rnd(&s) % 2) : 0;
    struct desk_actor sys = DESK_SYSTEM;
    for (int k = 0; k < n; k++) {
        at += (int64_t)(1 + rnd(&s) % 40) * 86400000LL + (int64_t)(rnd(&s) % 1440) * 60000;
        if (at >= g->now)
            break;
        struct desk_order_in in = {.customer_id = customer,
                                   .amount_cents = (int64_t)(500 + rnd(&s) % 14500) * 100,
                                   .currency = "RUB", .upsell = unif(&s) < 0.25,
                                   .ordered_at = at};
        int rc = desk_order_add_tx(tx, &sys, &in);
        if (rc)
            return rc;
    }
    return 0;
}

static int gen_one(struct desk_tx *tx, const struct gen_job *g, long i)
{
    unsigned s = g->seed ^ (unsigned)(i * 2654435761u);
    struct desk_actor agent = {g->agent ? ACTOR_USER : ACTOR_SYSTEM, g->agent,
                               g->agent ? ROLE_AGENT : ROLE_ADMIN};
    long cust = (long)(rnd(&s) * 32768u + rnd(&s)) % g->pool;
    if (g->gone[cust])
        cust = g->pool + i; /* a newcomer instead of someone who left */
    unsigned cs = g->seed ^ (unsigned)(cust * 40503u);
    double temper = unif(&cs);
    char email[64], thread[32];
    snprintf(email, sizeof email, "customer%ld@example.net", cust);
    snprintf(thread, sizeof thread, "gen-%ld", i);
    int64_t at = g->start + (int64_t)((double)g->span * ((double)i + unif(&s)) / (double)g->total);
    enum channel ch = gen_channels[rnd(&s) % 5];
    double u = unif(&s);
    int first = u < 0.05 + 0.15 * temper ? B_HOSTILE : u < 0.25 + 0.45 * temper ? B_NEG : B_CALM;
    struct desk_ingest_result res;
    int rc = gen_in(tx, g, email, thread, ch, first, &s, at, &res);
    if (rc)
        return rc;
    int64_t ticket = res.ticket_id;
    bool bad = first == B_HOSTILE || res.escalated;
    /* Minutes to the first answer: log-uniform 5 min .. 3 days, faster when urgent. */
    double delay = exp(log(5.0) + unif(&s) * (log(4320.0) - log(5.0)));
    if (res.priority >= PRIORITY_HIGH)
        delay /= 3;
    double hours = delay / 60.0, neg = first == B_CALM ? 0 : first == B_NEG ? 0.5 : 1;
    double p_nudge = 1.0 / (1.0 + exp(-(-2.5 + 0.8 * log1p(hours) + 1.5 * temper + neg)));
    if (unif(&s) < p_nudge) {
        int64_t when = at + (int64_t)(delay * 60000.0 * (0.3 + 0.6 * unif(&s)));
        double p_angry = 1.0 / (1.0 + exp(-(-3.0 + 0.6 * log1p(hours) + 3.0 * temper + neg)));
        int kind = unif(&s) < p_angry ? B_ANGRY : B_NUDGE;
        if ((rc = gen_in(tx, g, email, thread, ch, kind, &s, when, &res)))
            return rc;
        bad |= res.escalated;
    }
    at += (int64_t)(delay * 60000.0);
    if ((rc = desk_post_tx(tx, &agent, ticket, MESSAGE_REPLY,
                           "Thank you for contacting us, we are looking into it.", at, NULL)) ||
        (rc = gen_exchanges(tx, g, i, email, thread, ch, &agent, ticket, &at)))
        return rc;
    bool leaves = bad && unif(&s) < 0.15 + 0.6 * temper;
    if (leaves || unif(&s) < 0.3) {
        at += (int64_t)(1 + rnd(&s) % 600) * 60000;
        int kind = leaves && unif(&s) < 0.4 ? B_CANCEL : bad ? B_NEG : B_THANKS;
        if ((rc = gen_in(tx, g, email, thread, ch, kind, &s, at, &res)))
            return rc;
    }
    if (leaves && cust < g->pool)
        g->gone[cust] = 1;
    at += (int64_t)(1 + rnd(&s) % 240) * 60000;
    struct desk_ticket_patch p = {.set_category = true, .category = gen_categories[rnd(&s) % 5]};
    /* Recent tickets are often still open. */
    bool recent = g->now - at < 7 * 86400000LL;
    bool resolve = rnd(&s) % 100 < (recent ? 50u : 97u);   /* drawn either way */
    if (at < g->now && (resolve || g->all_resolved)) {
        p.set_status = true;
        p.status = STATUS_RESOLVED;
    }
    struct desk_actor sys = DESK_SYSTEM;
    if ((rc = desk_update_ticket_tx(tx, &sys, ticket, &p, at)))
        return rc;
    return leaves ? 0 : gen_orders(tx, g, i, res.customer_id, at);
}

static int gen_fn(struct desk_tx *tx, void *arg)
{
    struct gen_job *g = arg;
    tx->history = true;
    for (long i = g->from; i < g->to; i++) {
        int rc = gen_one(tx, g, i);
        if (rc)
            return rc;
    }
    return 0;
}

static void gen_text_init(struct desk *d, struct gen_text *t)
{
    memset(t, 0, sizeof *t);
    t->ok = d->text != NULL;
    for (int k = 0; t->ok && k < B__COUNT; k++)
        for (int v = 0; v < 4; v++) {
            const char *b = gen_bodies[k][v];
            struct buf json = BUF_INIT;
            if (text_analyze(d->text, b, strlen(b), &t->an[k][v])) {
                t->ok = false;
                break;
            }
            text_analysis_json(&t->an[k][v], &json);
            t->json[k][v] = json.ptr;
        }
}

static void gen_text_release(struct gen_text *t)
{
    for (int k = 0; k < B__COUNT; k++)
        for (int v = 0; v < 4; v++)
            free(t->json[k][v]);
}

int desk_demo_seed(struct desk *d, struct desk_demo_opts *o)
{
    o->team_created = 0;
    int rc = seed_team(d, &o->team_created);
    if (rc)
        return rc;
    if ((rc = desk_kb_seed(d)))   /* knowledge-base articles (kb.c) */
        return rc;
    if ((rc = desk_canned_seed(d)))   /* canned responses (canned.c) */
        return rc;
    struct store *st = desk_reader(d);
    struct ticket_filter f;
    ticket_filter_init(&f);
    int64_t have = 0;
    if (!st || st->ops->ticket_count(st, &f, &have))
        return PL_EDB;
    if (have == 0 && (rc = seed_conversations(d)))
        return rc;
    if (have > 0 && o->history_once)
        return 0;
    const long batch = 1000;
    enum role role;
    struct gen_text text;
    gen_text_init(d, &text);
    struct gen_job g = {.total = o->tickets, .pool = o->tickets / 5 > 50 ? o->tickets / 5 : 50,
                        .seed = o->seed ? o->seed : 42u, .span = 180 * 86400000LL,
                        .text = &text, .agent = user_id(d, "maria@parley.local", &role),
                        .all_resolved = o->all_resolved};
    /* Four days of room after the last start: the slowest ticket's story. */
    g.now = clock_now_ms();
    g.start = g.now - g.span - 4 * 86400000LL;
    g.gone = xcalloc((size_t)g.pool, 1);
    for (long i = 0; rc == 0 && i < o->tickets; i += batch) {
        g.from = i;
        g.to = i + batch < o->tickets ? i + batch : o->tickets;
        if ((rc = desk_exec(d, gen_fn, &g)) == 0 && o->progress)
            o->progress(o->ctx, g.to, o->tickets);
    }
    free(g.gone);
    gen_text_release(&text);
    return rc;
}
