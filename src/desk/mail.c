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
#include "base/log.h"

#include <sodium.h>

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
        int64_t mid, tid;
        /* one of ours (a reply Parley mailed), or one we received */
        int found = mail_parley_id_parse(ids[i], &mid, &tid) == 0
                        ? st->ops->message_get(st, mid, &msg) == 0 && msg.ticket_id == tid
                        : st->ops->message_find_external(st, ext, &msg) == 0;
        if (found) {
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

/* The attachments to store (borrowing m's strings and bytes), with their
 * SHA-256, computed here rather than on the writer. Over-large ones
 * (MAIL_ATTACH_MAX) are left out. Caller frees the array only. */
static struct attachment *attachments(const struct mail *m, size_t *n)
{
    struct attachment *v = m->natt ? xcalloc(m->natt, sizeof *v) : NULL;
    *n = 0;
    for (size_t i = 0; i < m->natt; i++) {
        const struct mail_attachment *a = &m->att[i];
        if (!a->data) {
            log_warn("mail: attachment '%s' (%zu bytes) is over the limit, not stored",
                     a->filename ? a->filename : "?", a->size);
            continue;
        }
        struct attachment *x = &v[(*n)++];
        unsigned char h[crypto_hash_sha256_BYTES];
        crypto_hash_sha256(h, a->data, a->size);
        sodium_bin2hex(x->sha256, sizeof x->sha256, h, sizeof h);
        x->filename = a->filename && strlen(a->filename) <= 255 ? a->filename : NULL;
        x->content_type = a->content_type ? a->content_type : "application/octet-stream";
        x->size = (int64_t)a->size;
        x->data = a->data;
        x->len = a->size;
    }
    return v;
}

/* What makes a re-delivery of this message a duplicate: its Message-ID,
 * or for a message without one, the SHA-256 of its bytes. */
static char *delivery_key(const struct mail *m, const char *raw, size_t len)
{
    if (m->message_id && *m->message_id)
        return xasprintf("mail:%s", m->message_id);
    unsigned char h[crypto_hash_sha256_BYTES];
    char hex[2 * crypto_hash_sha256_BYTES + 1];
    crypto_hash_sha256(h, (const unsigned char *)raw, len);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    return xasprintf("mail-sha256:%s", hex);
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
    char *ext = delivery_key(&m, raw, len);
    size_t natt = 0;
    struct attachment *att = attachments(&m, &natt);
    struct desk_inbound in = {
        .channel = CHANNEL_EMAIL, .id_kind = IDENTITY_EMAIL, .id_value = m.from_addr,
        .customer_name = m.from_name, .subject = m.subject, .body = m.text,
        .thread = thread, .external_id = ext, .analyze_text = m.text_new,
        .att = att, .natt = natt};
    rc = desk_ingest(d, who, &in, out);
    free(att);
    if (rc == PL_EEXISTS && err)
        *err = m.message_id && *m.message_id ? xasprintf("message %s was already received", m.message_id)
                            : xstrdup("this message was already received");
    free(ext);
    free(thread);
    mail_clear(&m);
    return rc;
}
