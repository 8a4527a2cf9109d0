/* mail_out.c — outbound e-mail: Parley's own Message-IDs, and a reply
 * built as a proper MIME message with GMime 3 (CRLF line ends, ready for
 * SMTP). */
#include "channel/mail.h"
#include "base/xalloc.h"

#include <gmime/gmime.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;

static void gmime_start(void)
{
    g_mime_init();
}

char *mail_parley_id(int64_t message_id, int64_t ticket_id, const char *from)
{
    char *addr = from ? mail_address(from) : NULL;
    const char *at = addr ? strrchr(addr, '@') : NULL;
    char *id = xasprintf("parley.%" PRId64 ".%" PRId64 "@%s", message_id, ticket_id,
                         at && at[1] ? at + 1 : "parley.invalid");
    free(addr);
    return id;
}

int mail_parley_id_parse(const char *id, int64_t *message_id, int64_t *ticket_id)
{
    long long m, t;
    int used = 0;
    if (!id || strncmp(id, "parley.", 7) != 0)
        return -1;
    if (sscanf(id + 7, "%lld.%lld@%n", &m, &t, &used) != 2 || used == 0 || m <= 0 || t <= 0)
        return -1;
    *message_id = m;
    *ticket_id = t;
    return 0;
}

/* The first mailbox of s, or NULL. */
static InternetAddressMailbox *first_mailbox(const char *s, InternetAddressList **list)
{
    *list = internet_address_list_parse(NULL, s);
    if (!*list || internet_address_list_length(*list) != 1)
        return NULL;
    InternetAddress *ia = internet_address_list_get_address(*list, 0);
    if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
        return NULL;
    InternetAddressMailbox *mb = INTERNET_ADDRESS_MAILBOX(ia);
    const char *addr = internet_address_mailbox_get_addr(mb);
    return addr && strchr(addr, '@') && !strpbrk(addr, " \r\n<>") ? mb : NULL;
}

char *mail_address(const char *s)
{
    pthread_once(&gmime_once, gmime_start);
    InternetAddressList *list = NULL;
    InternetAddressMailbox *mb = s ? first_mailbox(s, &list) : NULL;
    char *addr = mb ? xstrdup(internet_address_mailbox_get_addr(mb)) : NULL;
    if (list)
        g_object_unref(list);
    return addr;
}

/* Adds the mailbox of s (display name overridden by name when given),
 * the name encoded as UTF-8 rather than the "smallest" charset GMime
 * would pick (iso-8859-5 for Cyrillic). */
static int add_mailbox(GMimeMessage *msg, GMimeAddressType type, const char *s, const char *name)
{
    InternetAddressList *list = NULL;
    InternetAddressMailbox *mb = first_mailbox(s, &list);
    int rc = -1;
    if (mb) {
        const char *n = name && *name ? name : internet_address_get_name(INTERNET_ADDRESS(mb));
        InternetAddress *ia = internet_address_mailbox_new(n, internet_address_mailbox_get_addr(mb));
        internet_address_set_charset(ia, "utf-8");
        internet_address_list_add(g_mime_message_get_addresses(msg, type), ia);
        g_object_unref(ia);
        rc = 0;
    }
    if (list)
        g_object_unref(list);
    return rc;
}

static GMimePart *text_part(const char *body)
{
    GMimePart *part = g_mime_part_new_with_type("text", "plain");
    g_mime_object_set_content_type_parameter(GMIME_OBJECT(part), "charset", "utf-8");
    GMimeStream *mem = g_mime_stream_mem_new_with_buffer(body, strlen(body));
    GMimeDataWrapper *dw = g_mime_data_wrapper_new_with_stream(mem, GMIME_CONTENT_ENCODING_DEFAULT);
    g_mime_part_set_content(part, dw);
    g_object_unref(dw);
    g_object_unref(mem);
    /* 7bit for ASCII, quoted-printable or base64 for the rest */
    g_mime_part_set_content_encoding(
        part, g_mime_part_get_best_content_encoding(part, GMIME_ENCODING_CONSTRAINT_7BIT));
    return part;
}

char *mail_build(const struct mail_out *o, size_t *len)
{
    pthread_once(&gmime_once, gmime_start);
    GMimeMessage *msg = g_mime_message_new(TRUE);
    char *out = NULL;
    if (!o->from || !o->to || add_mailbox(msg, GMIME_ADDRESS_TYPE_FROM, o->from, NULL) ||
        add_mailbox(msg, GMIME_ADDRESS_TYPE_TO, o->to, o->to_name))
        goto done;
    g_mime_message_set_subject(msg, o->subject ? o->subject : "", "utf-8");
    GDateTime *dt = g_date_time_new_from_unix_utc(o->date_ms / 1000);
    g_mime_message_set_date(msg, dt);
    g_date_time_unref(dt);
    if (o->message_id)
        g_mime_message_set_message_id(msg, o->message_id);
    if (o->in_reply_to) {
        char *v = xasprintf("<%s>", o->in_reply_to);
        g_mime_object_set_header(GMIME_OBJECT(msg), "In-Reply-To", v, NULL);
        free(v);
    }
    if (o->references)
        g_mime_object_set_header(GMIME_OBJECT(msg), "References", o->references, NULL);
    GMimePart *part = text_part(o->body ? o->body : "");
    g_mime_message_set_mime_part(msg, GMIME_OBJECT(part));
    g_object_unref(part);

    GMimeFormatOptions *fo = g_mime_format_options_new();
    g_mime_format_options_set_newline_format(fo, GMIME_NEWLINE_FORMAT_DOS);
    char *s = g_mime_object_to_string(GMIME_OBJECT(msg), fo);
    g_mime_format_options_free(fo);
    if (s) {
        *len = strlen(s);
        out = xstrdup(s);
        g_free(s);
    }
done:
    g_object_unref(msg);
    return out;
}
