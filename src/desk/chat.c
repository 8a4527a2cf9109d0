/* chat.c — live chat: the customer's token, the bot's answers from the
 * knowledge base, and hand-over to a human with the whole transcript. */
#include "desk/chat.h"
#include "desk/kb.h"
#include "desk/desk_internal.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/utf8.h"
#include "base/xalloc.h"
#include "text/text.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHAT_BODY_MAX (16 * 1024)
#define CHAT_NAME_MAX 200
#define CHAT_EMAIL_MAX 320

static const struct desk_actor bot_actor = {ACTOR_SYSTEM, 0, ROLE_ADMIN};

const char *desk_chat_greeting(const char *language)
{
    if (language && !strcmp(language, "ru"))
        return "Здравствуйте! Я бот Parley: отвечаю на типовые вопросы по статьям базы знаний. "
               "Если нужен человек, нажмите «Позвать оператора» или напишите «оператор» - "
               "он увидит всю переписку.";
    return "Hello! I am Parley's bot: I answer routine questions from our knowledge base. "
           "If you would rather talk to a person, press \"Talk to a human\" or type \"human\" "
           "at any moment - they will see this whole conversation.";
}

static const char *handoff_text(const char *language)
{
    if (language && !strcmp(language, "ru"))
        return "Передаю разговор оператору. Он увидит всю переписку, повторять ничего не нужно.";
    return "I am passing you to a person. They will see this whole conversation, so you will "
           "not need to repeat anything.";
}

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

static const char *lang_of(const struct chat *c)
{
    return c->language && !strcmp(c->language, "ru") ? "ru" : "en";
}

/* ---- open --------------------------------------------------------------- */

struct open_args {
    const struct desk_chat_open *in;
    const char *token_hash;
    struct desk_chat_turn *out;
};

static int open_fn(struct desk_tx *tx, void *arg)
{
    struct open_args *a = arg;
    struct store *st = tx->st;
    int64_t now = clock_now_ms();
    struct chat c = {.token_hash = (char *)a->token_hash,
                     .language = (char *)(a->in->language ? a->in->language : "en"),
                     .created_at = now};
    struct identity ident = {0};
    struct customer cust = {0};
    char *email = NULL, *key = NULL, *after = NULL;
    int rc;
    if ((rc = st->ops->chat_insert(st, &c)))
        return rc;
    /* The customer: the one holding that e-mail, or a new one. */
    if (a->in->email && *a->in->email) {
        email = xstrdup(a->in->email);
        if ((rc = identity_normalize(IDENTITY_EMAIL, email)))
            goto out;
        rc = st->ops->identity_find(st, IDENTITY_EMAIL, email, &ident);
        if (rc == 0)
            cust.id = ident.customer_id;
        else if (rc != PL_ENOTFOUND)
            goto out;
        identity_clear(&ident);
    }
    if (!cust.id) {
        cust.name = a->in->name && *a->in->name ? xstrdup(a->in->name) : NULL;
        cust.language = xstrdup(c.language);
        cust.created_at = cust.updated_at = now;
        if ((rc = st->ops->customer_insert(st, &cust)))
            goto out;
        if (email) {
            struct identity ie = {.customer_id = cust.id, .kind = IDENTITY_EMAIL,
                                  .value = email, .created_at = now};
            if ((rc = st->ops->identity_insert(st, &ie)))
                goto out;
        }
        after = desk_json_text(json_pack("{s:I,s:s?,s:s}", "customer_id", (json_int_t)cust.id,
                                         "name", cust.name, "identity_kind", "chat"));
        if ((rc = desk_event(tx, &bot_actor, "customer.created", 0, cust.id, 0, NULL, after, now)))
            goto out;
    }
    key = xasprintf("chat-%lld", (long long)c.id);
    struct identity ic = {.customer_id = cust.id, .kind = IDENTITY_CHAT, .value = key,
                          .created_at = now};
    if ((rc = st->ops->identity_insert(st, &ic)))
        goto out;
    c.customer_id = cust.id;
    if ((rc = st->ops->chat_update(st, &c)))
        goto out;
    free(after);
    after = desk_json_text(json_pack("{s:I,s:s}", "chat_id", (json_int_t)c.id, "language",
                                     c.language));
    rc = desk_event(tx, &bot_actor, "chat.opened", 0, cust.id, 0, NULL, after, now);
    a->out->chat_id = c.id;
out:
    free(email);
    free(key);
    free(after);
    customer_clear(&cust);
    return rc;
}

int desk_chat_open(struct desk *d, const struct desk_chat_open *in, char **token,
                   struct desk_chat_turn *out)
{
    int rc;
    memset(out, 0, sizeof *out);
    *token = NULL;
    if ((rc = text_ok(in->name, CHAT_NAME_MAX, 0)) || (rc = text_ok(in->email, CHAT_EMAIL_MAX, 0)) ||
        (rc = text_ok(in->body, CHAT_BODY_MAX, 0)))
        return rc;
    if (in->language && strcmp(in->language, "ru") && strcmp(in->language, "en"))
        return PL_EINVAL;
    unsigned char raw[32];
    char hex[65], hash[65];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
    desk_secret_hash(hex, hash);
    struct open_args a = {in, hash, out};
    if ((rc = desk_exec(d, open_fn, &a)))
        return rc;
    *token = xstrdup(hex);
    if (in->body && *in->body) {
        int64_t id = out->chat_id;
        rc = desk_chat_say(d, id, in->body, out);
        if (rc) {
            free(*token);
            *token = NULL;
        }
    }
    return rc;
}

int desk_chat_auth(struct desk *d, int64_t chat_id, const char *token, struct chat *out)
{
    memset(out, 0, sizeof *out);
    if (!token || strlen(token) != 64)
        return PL_EFORBIDDEN;
    struct store *st = desk_reader(d);
    if (!st)
        return PL_EUNAVAIL;
    int rc = st->ops->chat_get(st, chat_id, out);
    if (rc)
        return rc;
    char hash[65];
    desk_secret_hash(token, hash);
    if (!out->token_hash || sodium_memcmp(hash, out->token_hash, 64) != 0) {
        chat_clear(out);
        return PL_EFORBIDDEN;
    }
    return 0;
}

/* ---- bot messages and hand-over ------------------------------------------- */

static int bot_post_tx(struct desk_tx *tx, int64_t ticket_id, const char *body, int64_t at,
                       int64_t *id)
{
    struct store *st = tx->st;
    struct ticket t = {0};
    struct message m = {0};
    int rc = st->ops->ticket_get(st, ticket_id, &t);
    if (rc)
        return rc;
    m.ticket_id = t.id;
    m.kind = MESSAGE_BOT;
    m.channel = t.channel;
    m.body = xstrdup(body);
    m.created_at = at;
    char *after = NULL;
    if ((rc = st->ops->message_insert(st, &m)))
        goto out;
    after = desk_json_text(json_pack("{s:I,s:s}", "message_id", (json_int_t)m.id, "body", m.body));
    if ((rc = desk_event(tx, &bot_actor, "message.bot", t.id, t.customer_id, m.id, NULL, after, at)))
        goto out;
    t.message_count++;
    t.updated_at = at;
    rc = st->ops->ticket_update(st, &t);
    if (!rc && id)
        *id = m.id;
out:
    free(after);
    ticket_clear(&t);
    message_clear(&m);
    return rc;
}

static int handoff_tx(struct desk_tx *tx, struct chat *c, const char *reason,
                      struct desk_chat_turn *out)
{
    struct store *st = tx->st;
    int64_t now = clock_now_ms(), id = 0;
    int rc;
    c->handoff = 1;
    if ((rc = st->ops->chat_update(st, c)))
        return rc;
    if (c->ticket_id) {
        if ((rc = bot_post_tx(tx, c->ticket_id, handoff_text(lang_of(c)), now, &id)))
            return rc;
        if (!out->first_message_id)
            out->first_message_id = id;
        /* The whole transcript as an internal note for the agent. */
        struct message *m = NULL;
        size_t n = 0;
        if ((rc = st->ops->message_list(st, c->ticket_id, &m, &n)))
            return rc;
        struct buf b = BUF_INIT;
        buf_printf(&b, "Chat %lld handed over by the bot (%s). Transcript:\n", (long long)c->id,
                   reason);
        buf_printf(&b, "[bot] %s\n", desk_chat_greeting(lang_of(c)));
        for (size_t i = 0; i < n; i++) {
            const char *who = m[i].kind == MESSAGE_INBOUND ? "customer"
                              : m[i].kind == MESSAGE_BOT   ? "bot"
                              : m[i].kind == MESSAGE_REPLY ? "agent"
                                                           : NULL;
            if (who)
                buf_printf(&b, "[%s] %s\n", who, m[i].body);
        }
        store_free_messages(m, n);
        rc = desk_post_tx(tx, &bot_actor, c->ticket_id, MESSAGE_NOTE, buf_str(&b), now, NULL);
        buf_release(&b);
        if (rc)
            return rc;
    }
    char *after = desk_json_text(json_pack("{s:I,s:s}", "chat_id", (json_int_t)c->id, "reason",
                                           reason));
    rc = desk_event(tx, &bot_actor, "chat.handoff", c->ticket_id, c->customer_id, 0, NULL, after,
                    now);
    free(after);
    out->handoff = true;
    out->reason = reason;
    return rc;
}

/* ---- a customer's turn -------------------------------------------------- */

static int asks_for_human(const char *body)
{
    static const char *const cues[] = {"human", "person", "operator", "real agent", "agent please",
                                       "оператор", "человек", "живой", "сотрудник"};
    char *l = xstrdup(body);
    for (char *p = l; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p + 32);
    int hit = 0;
    for (size_t i = 0; i < sizeof cues / sizeof cues[0] && !hit; i++)
        hit = strstr(l, cues[i]) != NULL;
    /* Cyrillic capitals: also check the original text */
    if (!hit)
        hit = strstr(body, "Оператор") || strstr(body, "Человек") || strstr(body, "ОПЕРАТОР");
    free(l);
    return hit;
}

struct turn_args {
    int64_t chat_id;
    int64_t ticket_id;
    const char *body;
    const char *upset;         /* reason, or NULL */
    struct desk_chat_turn *out;
};

static int turn_fn(struct desk_tx *tx, void *arg)
{
    struct turn_args *a = arg;
    struct store *st = tx->st;
    struct chat c = {0};
    struct kb_article *v = NULL;
    size_t n = 0;
    int rc = st->ops->chat_get(st, a->chat_id, &c);
    if (rc)
        return rc;
    if (a->ticket_id && c.ticket_id != a->ticket_id) {
        c.ticket_id = a->ticket_id;
        if ((rc = st->ops->chat_update(st, &c)))
            goto out;
    }
    a->out->chat_id = c.id;
    a->out->ticket_id = c.ticket_id;
    if (c.handoff) {
        a->out->handoff = true;      /* a human has it: the bot stays silent */
        goto out;
    }
    if (!a->body) {
        rc = handoff_tx(tx, &c, "customer_asked", a->out);
        goto out;
    }
    if (asks_for_human(a->body)) {
        rc = handoff_tx(tx, &c, "customer_asked", a->out);
        goto out;
    }
    if (a->upset) {
        rc = handoff_tx(tx, &c, a->upset, a->out);
        goto out;
    }
    if ((rc = st->ops->kb_search(st, a->body, lang_of(&c), 3, &v, &n)))
        goto out;
    double best = 0;
    size_t bi = 0;
    for (size_t i = 0; i < n; i++) {
        double conf = desk_kb_confidence(a->body, &v[i]);
        if (conf > best) {
            best = conf;
            bi = i;
        }
    }
    if (n == 0 || best < DESK_CHAT_CONFIDENCE) {
        rc = handoff_tx(tx, &c, "low_confidence", a->out);
        goto out;
    }
    char *answer = !strcmp(lang_of(&c), "ru")
                       ? xasprintf("%s\n\n%s\n\n(Ответ бота по статье базы знаний. Если это не "
                                   "помогло, напишите «оператор» - подключится человек.)",
                                   v[bi].title, v[bi].body)
                       : xasprintf("%s\n\n%s\n\n(An answer by the bot from our knowledge base. "
                                   "If it does not help, type \"human\" and a person takes over.)",
                                   v[bi].title, v[bi].body);
    int64_t id = 0;
    rc = bot_post_tx(tx, c.ticket_id, answer, clock_now_ms(), &id);
    free(answer);
    if (!rc && !a->out->first_message_id)
        a->out->first_message_id = id;
out:
    store_free_kb_articles(v, n);
    chat_clear(&c);
    return rc;
}

/* Why the analysis says a human should take over, or NULL. */
static const char *upset_reason(const struct text_analysis *an)
{
    if (an->ncues > 0)
        return "cue";
    if (an->emotions[TEXT_EMOTION_ANGER] >= 0.5f)
        return "anger";
    if (an->emotions[TEXT_EMOTION_FRUSTRATION] >= 0.6f)
        return "frustration";
    if (an->sentiment <= -0.6f)
        return "negative_sentiment";
    return NULL;
}

int desk_chat_say(struct desk *d, int64_t chat_id, const char *body, struct desk_chat_turn *out)
{
    int rc = text_ok(body, CHAT_BODY_MAX, 1);
    if (rc)
        return rc;
    memset(out, 0, sizeof *out);
    struct store *rd = desk_reader(d);
    if (!rd)
        return PL_EUNAVAIL;
    struct chat c = {0};
    if ((rc = rd->ops->chat_get(rd, chat_id, &c)))
        return rc;
    char key[40];
    snprintf(key, sizeof key, "chat-%lld", (long long)chat_id);
    struct desk_inbound in = {.channel = CHANNEL_CHAT, .id_kind = IDENTITY_CHAT, .id_value = key,
                              .body = body, .thread = key};
    struct text_analysis an;
    struct buf json = BUF_INIT;
    const char *upset = NULL;
    if (d->text && text_analyze(d->text, body, strlen(body), &an) == 0) {
        text_analysis_json(&an, &json);
        in.analysis = &an;
        in.analysis_json = json.ptr;
        upset = upset_reason(&an);
    }
    struct desk_actor cust = {ACTOR_CUSTOMER, c.customer_id, ROLE_INTEGRATION};
    struct desk_ingest_result res;
    rc = desk_ingest(d, &cust, &in, &res);
    buf_release(&json);
    chat_clear(&c);
    if (rc)
        return rc;
    out->first_message_id = res.message_id;
    struct turn_args a = {chat_id, res.ticket_id, body, upset, out};
    return desk_exec(d, turn_fn, &a);
}

int desk_chat_handoff(struct desk *d, int64_t chat_id, struct desk_chat_turn *out)
{
    memset(out, 0, sizeof *out);
    struct turn_args a = {chat_id, 0, NULL, NULL, out};
    return desk_exec(d, turn_fn, &a);
}

int desk_chat_messages(struct desk *d, const struct chat *c, int64_t from, struct message **out,
                       size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!c->ticket_id)
        return 0;
    struct store *st = desk_reader(d);
    if (!st)
        return PL_EUNAVAIL;
    struct message *m = NULL;
    size_t nm = 0, k = 0;
    int rc = st->ops->message_list(st, c->ticket_id, &m, &nm);
    if (rc)
        return rc;
    for (size_t i = 0; i < nm; i++) {
        if (m[i].id >= from && m[i].kind != MESSAGE_NOTE)
            m[k++] = m[i];
        else
            message_clear(&m[i]);
    }
    *out = m;
    *n = k;
    return 0;
}
