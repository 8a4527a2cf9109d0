/* mail.c — the e-mail use case: a raw message becomes an inbound message
 * on the right ticket. Threading: a message that refers (In-Reply-To,
 * References) to one Parley already holds joins that message's ticket;
 * otherwise messages of one conversation share its root Message-ID as
 * thread key. The whole text is kept in the record; only what the sender
 * newly wrote is analysed. */
#include "desk/desk_internal.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "channel/mail.h"

#include <stdlib.h>
#include <string.h>

/* The thread of a known message this mail refers to, or NULL. */
static char *known_thread(struct desk *d, const struct mail *m)
{
    struct store *st = desk_reader(d);
    if (!st)
        return NULL;
    const char *ids[MAIL_MAX_REFS + 1];
    size_t n = 0;
    if (m->in_reply_to)
        ids[n++] = m->in_reply_to;
    for (size_t i = m->nrefs; i > 0 && n < MAIL_MAX_REFS + 1; i--)
        ids[n++] = m->refs[i - 1];          /* newest reference first */
    char *thread = NULL;
    for (size_t i = 0; i < n && !thread; i++) {
        char *ext = xasprintf("mail:%s", ids[i]);
        struct message msg = {0};
        if (st->ops->message_find_external(st, ext, &msg) == 0) {
            struct ticket t = {0};
            if (st->ops->ticket_get(st, msg.ticket_id, &t) == 0 && t.thread)
                thread = xstrdup(t.thread);
            ticket_clear(&t);
        }
        message_clear(&msg);
        free(ext);
    }
    return thread;
}

int desk_ingest_mail(struct desk *d, const struct desk_actor *who, const char *raw, size_t len,
                     struct desk_ingest_result *out, char **err)
{
    struct mail m;
    int rc = mail_parse(raw, len, &m, err);
    if (rc)
        return rc;
    char *thread = known_thread(d, &m);
    if (!thread) {
        const char *root = mail_thread_root(&m);
        thread = root ? xasprintf("mail:%s", root) : NULL;
    }
    char *ext = m.message_id ? xasprintf("mail:%s", m.message_id) : NULL;
    struct desk_inbound in = {
        .channel = CHANNEL_EMAIL, .id_kind = IDENTITY_EMAIL, .id_value = m.from_addr,
        .customer_name = m.from_name, .subject = m.subject, .body = m.text,
        .thread = thread, .external_id = ext, .analyze_text = m.text_new};
    rc = desk_ingest(d, who, &in, out);
    if (rc == PL_EEXISTS && err)
        *err = xasprintf("message %s was already received", m.message_id);
    free(ext);
    free(thread);
    mail_clear(&m);
    return rc;
}
