/* model.c — enum names, the ticket life cycle and identity rules. */
#include "model/model.h"
#include "base/err.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const char *const channel_names[] = {"email", "chat", "web", "phone", "social", "api"};
static const char *const identity_names[] = {"email", "phone", "chat", "handle"};
static const char *const role_names[] = {"admin", "supervisor", "agent", "integration"};
static const char *const status_names[] = {"new", "open", "pending", "resolved", "closed"};
static const char *const priority_names[] = {"low", "normal", "high", "urgent"};
static const char *const mkind_names[] = {"inbound", "reply", "note", "bot"};
static const char *const actor_names[] = {"system", "user", "customer", "apikey"};

static int lookup(const char *const *names, int n, const char *s)
{
    if (!s)
        return -1;
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], s) == 0)
            return i;
    return -1;
}

#define ENUM_FUNCS(type, prefix, names, count)                          \
    const char *prefix##_name(enum type v)                              \
    {                                                                   \
        return (unsigned)v < (unsigned)(count) ? names[v] : "?";        \
    }                                                                   \
    int prefix##_parse(const char *s, enum type *out)                   \
    {                                                                   \
        int i = lookup(names, (int)(count), s);                         \
        if (i < 0)                                                      \
            return PL_EINVAL;                                           \
        *out = (enum type)i;                                            \
        return 0;                                                       \
    }

ENUM_FUNCS(channel, channel, channel_names, CHANNEL__COUNT)
ENUM_FUNCS(identity_kind, identity_kind, identity_names, IDENTITY__COUNT)
ENUM_FUNCS(role, role, role_names, ROLE__COUNT)
ENUM_FUNCS(ticket_status, status, status_names, STATUS__COUNT)
ENUM_FUNCS(priority, priority, priority_names, PRIORITY__COUNT)
ENUM_FUNCS(message_kind, message_kind, mkind_names, MESSAGE__COUNT)
ENUM_FUNCS(actor_kind, actor_kind, actor_names, ACTOR__COUNT)

bool status_can_move(enum ticket_status from, enum ticket_status to)
{
    /* rows: from; columns: to (new, open, pending, resolved, closed) */
    static const bool legal[STATUS__COUNT][STATUS__COUNT] = {
        [STATUS_NEW]      = {0, 1, 1, 1, 0},
        [STATUS_OPEN]     = {0, 0, 1, 1, 0},
        [STATUS_PENDING]  = {0, 1, 0, 1, 0},
        [STATUS_RESOLVED] = {0, 1, 0, 0, 1},
        [STATUS_CLOSED]   = {0, 1, 0, 0, 0},
    };
    if ((unsigned)from >= STATUS__COUNT || (unsigned)to >= STATUS__COUNT)
        return false;
    return legal[from][to];
}

bool status_is_open(enum ticket_status s)
{
    return s == STATUS_NEW || s == STATUS_OPEN || s == STATUS_PENDING;
}

static void trim(char *s)
{
    size_t n = strlen(s), a = 0;
    while (a < n && isspace((unsigned char)s[a]))
        a++;
    while (n > a && isspace((unsigned char)s[n - 1]))
        n--;
    memmove(s, s + a, n - a);
    s[n - a] = '\0';
}

static void lower_ascii(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

int identity_normalize(enum identity_kind kind, char *v)
{
    trim(v);
    switch (kind) {
    case IDENTITY_EMAIL: {
        lower_ascii(v);
        const char *at = strchr(v, '@');
        if (!at || at == v || !at[1] || strchr(at + 1, '@') || strchr(v, ' '))
            return PL_EINVAL;
        return 0;
    }
    case IDENTITY_PHONE: {
        char *w = v;
        int digits = 0;
        for (const char *r = v; *r; r++) {
            if (isdigit((unsigned char)*r)) {
                *w++ = *r;
                digits++;
            } else if (*r == '+' && w == v) {
                *w++ = '+';
            }
        }
        *w = '\0';
        return digits >= 5 ? 0 : PL_EINVAL;
    }
    case IDENTITY_HANDLE:
        if (v[0] == '@')
            memmove(v, v + 1, strlen(v));
        lower_ascii(v);
        return v[0] ? 0 : PL_EINVAL;
    case IDENTITY_CHAT:
        return v[0] ? 0 : PL_EINVAL;
    default:
        return PL_EINVAL;
    }
}

void identity_clear(struct identity *i)
{
    free(i->value);
    memset(i, 0, sizeof *i);
}

void customer_clear(struct customer *c)
{
    free(c->name);
    free(c->tier);
    free(c->language);
    memset(c, 0, sizeof *c);
}

void user_clear(struct user *u)
{
    free(u->email);
    free(u->name);
    free(u->skills);
    free(u->languages);
    free(u->password_hash);
    memset(u, 0, sizeof *u);
}

void ticket_clear(struct ticket *t)
{
    free(t->subject);
    free(t->category);
    free(t->thread);
    free(t->language);
    free(t->emotion);
    free(t->triage);
    memset(t, 0, sizeof *t);
}

void message_clear(struct message *m)
{
    free(m->body);
    free(m->external_id);
    free(m->analysis);
    memset(m, 0, sizeof *m);
}

void event_clear(struct event *e)
{
    free(e->type);
    free(e->before);
    free(e->after);
    memset(e, 0, sizeof *e);
}
