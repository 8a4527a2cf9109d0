/* chat.h — live chat with a bot and hand-off to a human (docs/chat.md).
 *
 * A chat is a conversation on channel chat whose customer holds a token
 * (32 random bytes, stored as its SHA-256) good for that conversation
 * only. Every customer message goes through the normal ingest (analysis,
 * triage, routing); then the bot answers from the knowledge base when it
 * is confident, or hands over to a human — when confidence is low, the
 * customer is upset (anger/frustration, negative sentiment, a cue) or asks
 * for a person. A hand-over writes chat.handoff and an internal note with
 * the whole transcript; afterwards the bot stays silent. */
#ifndef PARLEY_DESK_CHAT_H
#define PARLEY_DESK_CHAT_H

#include "desk/desk.h"

/* The share of a question's words an article must cover for the bot to
 * answer with it. */
#define DESK_CHAT_CONFIDENCE 0.5

struct desk_chat_open {
    const char *name;          /* optional */
    const char *email;         /* optional: links the chat to that customer */
    const char *language;      /* "ru" or "en" (default "en") */
    const char *body;          /* optional first message */
};

struct desk_chat_turn {
    int64_t chat_id;
    int64_t ticket_id;         /* 0 until the first message */
    int64_t first_message_id;  /* this turn's messages have ids >= this (0 = none) */
    bool handoff;              /* a human has the conversation */
    const char *reason;        /* static: why it was handed over in this turn, or NULL */
};

/* Opens a chat; *token (caller frees) is shown once. */
int desk_chat_open(struct desk *d, const struct desk_chat_open *in, char **token,
                   struct desk_chat_turn *out);
/* The chat if token is its token: PL_ENOTFOUND, or PL_EFORBIDDEN for any
 * other token. out is cleared with chat_clear(). */
int desk_chat_auth(struct desk *d, int64_t chat_id, const char *token, struct chat *out);
/* A customer message, then the bot's answer or a hand-over. */
int desk_chat_say(struct desk *d, int64_t chat_id, const char *body, struct desk_chat_turn *out);
/* The customer asks for a human. */
int desk_chat_handoff(struct desk *d, int64_t chat_id, struct desk_chat_turn *out);
/* What the customer sees: inbound, replies and bot messages (never notes),
 * with id >= from. */
int desk_chat_messages(struct desk *d, const struct chat *c, int64_t from, struct message **out,
                       size_t *n);
/* The bot's greeting (it says it is a bot and offers a human). */
const char *desk_chat_greeting(const char *language);

#endif
