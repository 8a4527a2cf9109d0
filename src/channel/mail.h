/* mail.h — the e-mail channel's translator: a raw RFC 5322 message in,
 * the parts Parley needs out. Parsing is GMime's; no storage here.
 *
 * Every string out is valid UTF-8 (charsets converted, RFC 2047 words
 * decoded, invalid bytes replaced). Owned by the struct; mail_clear(). */
#ifndef PARLEY_CHANNEL_MAIL_H
#define PARLEY_CHANNEL_MAIL_H

#include <stddef.h>
#include <stdint.h>

#define MAIL_MAX_REFS 32

#define MAIL_ATTACH_MAX (10u << 20)   /* bytes of one attachment kept */

struct mail_attachment {
    char *filename;          /* decoded; NULL when unnamed */
    char *content_type;      /* "application/pdf" */
    size_t size;             /* decoded bytes */
    unsigned char *data;     /* the decoded bytes; NULL when over MAIL_ATTACH_MAX */
};

struct mail {
    char *from_addr;         /* lower-cased address */
    char *from_name;
    char *subject;
    char *message_id;        /* without angle brackets */
    char *in_reply_to;
    char *refs[MAIL_MAX_REFS];
    size_t nrefs;
    int64_t date_ms;         /* 0 when absent or unreadable */
    char *text;              /* the whole readable text (plain, or HTML made text) */
    char *text_new;          /* what the sender newly wrote: quotes and signature trimmed */
    struct mail_attachment *att;
    size_t natt;
};

/* Parses raw[0..len). Returns 0, or PL_EPARSE with *err (caller frees)
 * for input that is not a message with a sender and some text. */
int mail_parse(const char *raw, size_t len, struct mail *out, char **err);
void mail_clear(struct mail *m);

/* Returns new text: the reply without quoted lines, the quoted history
 * after an attribution line ("On … wrote:", "… написал(а):", Outlook's
 * "-----Original Message-----" / "From:" block) and the signature ("-- ",
 * "Sent from my iPhone", "С уважением,"…). Caller frees. */
char *mail_trim_reply(const char *text);

/* Returns new plain text from HTML: tags dropped, script/style removed,
 * block elements as line breaks, entities decoded. Caller frees. */
char *mail_html_to_text(const char *html);

/* The Message-ID (without brackets) Parley gives the e-mail of message
 * message_id on ticket ticket_id: "parley.M.T@domain", the domain taken
 * from the From address `from` (NULL or none: "parley.invalid"). A
 * customer's answer names it in In-Reply-To, which threads the answer
 * back onto the ticket. Caller frees. */
char *mail_parley_id(int64_t message_id, int64_t ticket_id, const char *from);
/* Reads such an id back: 0 with the ids, -1 when it is not Parley's. */
int mail_parley_id_parse(const char *id, int64_t *message_id, int64_t *ticket_id);

/* An outbound e-mail; every string UTF-8, borrowed. from/to may carry a
 * display name ("Support <help@shop.example>"). message_id, in_reply_to
 * without brackets; references: "<a> <b>" or NULL. */
struct mail_out {
    const char *from, *to, *to_name, *subject, *message_id, *in_reply_to, *references, *body;
    int64_t date_ms;
};

/* Builds the message with GMime: RFC 5322 headers (RFC 2047 encoded where
 * needed), one text/plain; charset=utf-8 part. Returns the bytes (NUL
 * terminated; *len without it), or NULL when from or to is not an
 * address. Caller frees. */
char *mail_build(const struct mail_out *o, size_t *len);
/* The bare address of "Name <addr>" or "addr" (new string), or NULL when
 * s holds no single mailbox. */
char *mail_address(const char *s);

/* The conversation key of a message: the first References id, else
 * In-Reply-To, else its own Message-ID (borrowed from m). */
const char *mail_thread_root(const struct mail *m);

#endif
