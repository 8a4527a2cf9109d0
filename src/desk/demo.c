/* demo.c — demo team and conversations, written through the ordinary use
 * cases so they get the same analysis, triage and events as live traffic. */
#include "desk/demo.h"
#include "desk/desk_internal.h"
#include "desk/canned.h"
#include "desk/kb.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/xalloc.h"

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

/* ---- generated volume (for load and analytics benchmarks) ------------------ */

static const char *const gen_bodies[] = {
    "Where is my order? It was supposed to arrive yesterday.",
    "I was charged twice for the same order, please refund one payment.",
    "The app crashes every time I open the settings page.",
    "Thank you, the replacement arrived and works perfectly!",
    "I want to cancel my subscription, this is the third time I ask.",
    "How do I change the delivery address for my order?",
    "This is ridiculous, nobody answers my emails. I will post a review.",
    "Где мой заказ? Обещали доставить ещё в понедельник.",
    "Спасибо, всё получила, очень довольна!",
    "С меня списали деньги, а заказ отменён. Верните деньги.",
    "Не могу войти в личный кабинет, пишет неверный пароль.",
    "Это безобразие, я буду жаловаться в суд!",
};
static const char *const gen_categories[] = {"delivery", "billing", "technical", "account",
                                             "returns"};
static const enum channel gen_channels[] = {CHANNEL_EMAIL, CHANNEL_CHAT, CHANNEL_WEB,
                                            CHANNEL_PHONE, CHANNEL_SOCIAL};

struct gen_job {
    long from, to;
    unsigned seed;
    int64_t now;
};

static unsigned rnd(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return (*s >> 16) & 0x7fff;
}

static int gen_fn(struct desk_tx *tx, void *arg)
{
    struct gen_job *g = arg;
    struct desk_actor sys = DESK_SYSTEM;
    const size_t nb = sizeof gen_bodies / sizeof gen_bodies[0];
    for (long i = g->from; i < g->to; i++) {
        unsigned s = g->seed ^ (unsigned)(i * 2654435761u);
        char email[64], thread[32];
        snprintf(email, sizeof email, "customer%ld@example.net", (long)(rnd(&s) * 64 + rnd(&s)) % 200000);
        snprintf(thread, sizeof thread, "gen-%ld", i);
        int64_t at = g->now - (int64_t)(rnd(&s) % 180) * 86400000 - (int64_t)(rnd(&s) % 86400) * 1000;
        int nmsg = 1 + (int)(rnd(&s) % 5), rc = 0;
        int64_t ticket = 0;
        for (int k = 0; k < nmsg && rc == 0; k++, at += (int64_t)(1 + rnd(&s) % 240) * 60000) {
            if (k % 2 == 0) {
                struct desk_inbound in = {
                    .channel = gen_channels[rnd(&s) % 5], .id_kind = IDENTITY_EMAIL,
                    .id_value = email, .subject = "Support request",
                    .body = gen_bodies[rnd(&s) % nb], .thread = thread, .created_at = at};
                struct desk_ingest_result res;
                rc = desk_ingest_tx(tx, &sys, &in, &res);
                ticket = res.ticket_id;
            } else {
                rc = desk_post_tx(tx, &sys, ticket, MESSAGE_REPLY,
                                  "Thank you for contacting us, we are looking into it.", at, NULL);
            }
        }
        if (rc)
            return rc;
        struct desk_ticket_patch p = {.set_category = true,
                                      .category = gen_categories[rnd(&s) % 5]};
        if (rnd(&s) % 3 != 0) {
            p.set_status = true;
            p.status = STATUS_RESOLVED;
        }
        if ((rc = desk_update_ticket_tx(tx, &sys, ticket, &p, at)))
            return rc;
    }
    return 0;
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
    const long batch = 1000;
    for (long i = 0; i < o->tickets; i += batch) {
        struct gen_job g = {i, i + batch < o->tickets ? i + batch : o->tickets,
                            o->seed ? o->seed : 42u, clock_now_ms()};
        if ((rc = desk_exec(d, gen_fn, &g)))
            return rc;
        if (o->progress)
            o->progress(o->ctx, g.to, o->tickets);
    }
    return 0;
}
