/* mail.c — RFC 5322 / MIME parsing with GMime 3, HTML to text, and the
 * trimming of quoted history and signatures before analysis. */
#include "channel/mail.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/utf8.h"
#include "base/xalloc.h"

#include <ctype.h>
#include <gmime/gmime.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define TEXT_MAX (1u << 20)

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;

static void gmime_start(void)
{
    g_mime_init();
}

/* A copy that is valid UTF-8: invalid bytes become U+FFFD. */
static char *utf8_copy(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s);
    if (utf8_valid(s, n))
        return xstrdup(s);
    struct buf b = BUF_INIT;
    size_t i = 0;
    while (i < n) {
        size_t bad = utf8_invalid_at(s + i, n - i);
        buf_add(&b, s + i, bad);
        i += bad;
        if (i < n) {
            buf_puts(&b, "\xEF\xBF\xBD");
            i++;
        }
    }
    return buf_detach(&b, NULL);
}

static char *strip_brackets(const char *id)
{
    if (!id)
        return NULL;
    while (*id == ' ' || *id == '<')
        id++;
    size_t n = strlen(id);
    while (n && (id[n - 1] == '>' || id[n - 1] == ' '))
        n--;
    return n ? xstrndup(id, n) : NULL;
}

/* ---- HTML to text ----------------------------------------------------------- */

static int tag_is(const char *tag, size_t n, const char *name)
{
    size_t k = strlen(name);
    return n >= k && strncasecmp(tag, name, k) == 0 &&
           (n == k || !isalnum((unsigned char)tag[k]));
}

static void put_codepoint(struct buf *b, unsigned long cp)
{
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = 0xFFFD;
    char u[4];
    size_t n;
    if (cp < 0x80)
        u[0] = (char)cp, n = 1;
    else if (cp < 0x800)
        u[0] = (char)(0xC0 | cp >> 6), u[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
    else if (cp < 0x10000)
        u[0] = (char)(0xE0 | cp >> 12), u[1] = (char)(0x80 | ((cp >> 6) & 0x3F)),
        u[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
    else
        u[0] = (char)(0xF0 | cp >> 18), u[1] = (char)(0x80 | ((cp >> 12) & 0x3F)),
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), u[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
    buf_add(b, u, n);
}

/* Decodes the entity at s (after '&'); returns bytes consumed or 0. */
static size_t entity(const char *s, struct buf *b)
{
    static const struct { const char *name; unsigned long cp; } named[] = {
        {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''},
        {"nbsp", 0xA0}, {"laquo", 0xAB}, {"raquo", 0xBB}, {"mdash", 0x2014},
        {"ndash", 0x2013}, {"hellip", 0x2026}, {"copy", 0xA9}, {"euro", 0x20AC},
        {"rsquo", 0x2019}, {"lsquo", 0x2018}, {"rdquo", 0x201D}, {"ldquo", 0x201C}};
    const char *semi = strchr(s, ';');
    if (!semi || semi - s > 10 || semi == s)
        return 0;
    if (s[0] == '#') {
        char *end;
        unsigned long cp = (s[1] == 'x' || s[1] == 'X') ? strtoul(s + 2, &end, 16)
                                                        : strtoul(s + 1, &end, 10);
        if (end != semi)
            return 0;
        put_codepoint(b, cp == 0xA0 ? ' ' : cp);
        return (size_t)(semi - s) + 1;
    }
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if ((size_t)(semi - s) == strlen(named[i].name) &&
            strncmp(s, named[i].name, (size_t)(semi - s)) == 0) {
            put_codepoint(b, named[i].cp == 0xA0 ? ' ' : named[i].cp);
            return (size_t)(semi - s) + 1;
        }
    return 0;
}

char *mail_html_to_text(const char *html)
{
    struct buf b = BUF_INIT;
    const char *p = html;
    while (*p && b.len < TEXT_MAX) {
        if (*p == '<') {
            const char *end = strchr(p, '>');
            if (!end)
                break;
            const char *tag = p + 1;
            int closing = *tag == '/';
            if (closing)
                tag++;
            size_t n = (size_t)(end - tag);
            if (!closing && (tag_is(tag, n, "script") || tag_is(tag, n, "style") ||
                             tag_is(tag, n, "head"))) {
                /* skip to the matching close tag */
                const char *name = tag_is(tag, n, "script") ? "</script" :
                                   tag_is(tag, n, "style") ? "</style" : "</head";
                const char *close = strcasestr(end, name);
                p = close ? strchr(close, '>') : NULL;
                if (!p)
                    break;
                p++;
                continue;
            }
            if (tag_is(tag, n, "br") || tag_is(tag, n, "p") || tag_is(tag, n, "div") ||
                tag_is(tag, n, "tr") || tag_is(tag, n, "li") || tag_is(tag, n, "h1") ||
                tag_is(tag, n, "h2") || tag_is(tag, n, "h3") || tag_is(tag, n, "blockquote"))
                buf_putc(&b, '\n');
            p = end + 1;
            continue;
        }
        if (*p == '&') {
            size_t used = entity(p + 1, &b);
            if (used) {
                p += used + 1;
                continue;
            }
        }
        if (*p == '\r') {
            p++;
            continue;
        }
        /* collapse runs of spaces and tabs (HTML whitespace) */
        if ((*p == ' ' || *p == '\t' || *p == '\n') && b.len &&
            (b.ptr[b.len - 1] == ' ' || b.ptr[b.len - 1] == '\n')) {
            p++;
            continue;
        }
        buf_putc(&b, *p == '\t' || *p == '\n' ? ' ' : *p);
        p++;
    }
    /* at most one blank line in a row, no leading/trailing blank lines */
    struct buf out = BUF_INIT;
    int nl = 2;
    for (size_t i = 0; i < b.len; i++) {
        char c = b.ptr[i];
        if (c == ' ' && (i + 1 == b.len || b.ptr[i + 1] == '\n'))
            continue;
        if (c == '\n') {
            if (nl < 2)
                buf_putc(&out, '\n');
            nl++;
            continue;
        }
        if (c == ' ' && nl)
            continue;
        nl = 0;
        buf_putc(&out, c);
    }
    while (out.len && out.ptr[out.len - 1] == '\n')
        out.ptr[--out.len] = '\0';
    buf_release(&b);
    char *s = buf_detach(&out, NULL);
    char *valid = utf8_copy(s);
    free(s);
    return valid;
}

/* ---- trimming ------------------------------------------------------------------ */

static int starts_with_ci(const char *line, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && strncasecmp(line, prefix, k) == 0;
}

static int contains(const char *line, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(line + i, needle, k) == 0)
            return 1;
    return 0;
}

/* Does this line open the quoted history (and so end the new text)? */
static int history_starts(const char *line, size_t n)
{
    if (starts_with_ci(line, n, "-----Original Message-----") ||
        starts_with_ci(line, n, "-------- Original Message") ||
        contains(line, n, "Исходное сообщение") || contains(line, n, "Пересылаемое сообщение"))
        return 1;
    /* "On Mon, 3 Mar 2025 at 10:00, Anna <a@b.c> wrote:" */
    if (starts_with_ci(line, n, "On ") && n > 6 &&
        (contains(line, n, "wrote:") || contains(line, n, "wrote :")))
        return 1;
    /* "пн, 3 мар. 2025 г. в 10:00, Анна <a@b.c>:" and "… написал(а):" */
    if (contains(line, n, "написал") && line[n - 1] == ':')
        return 1;
    if (contains(line, n, " г. в ") && n > 1 && line[n - 1] == ':' && contains(line, n, "@"))
        return 1;
    /* Outlook: "From: …" followed by "Sent:" or "Отправлено:" */
    if (starts_with_ci(line, n, "From: ") || starts_with_ci(line, n, "От: "))
        return 2;
    return 0;
}

static int signature_starts(const char *line, size_t n)
{
    static const char *const closings[] = {
        "Sent from my iPhone", "Sent from my Android", "Sent from my mobile",
        "Отправлено с iPhone", "Отправлено с моего iPhone", "Отправлено из мобильной",
        "Best regards", "Kind regards", "Regards,", "С уважением", "С наилучшими"};
    if ((n == 3 && memcmp(line, "-- ", 3) == 0) || (n == 2 && memcmp(line, "--", 2) == 0))
        return 1;
    for (size_t i = 0; i < sizeof closings / sizeof closings[0]; i++)
        if (starts_with_ci(line, n, closings[i]))
            return 1;
    return 0;
}

char *mail_trim_reply(const char *text)
{
    struct buf out = BUF_INIT;
    const char *p = text;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p) : strlen(p);
        size_t m = n;
        while (m && (p[m - 1] == '\r' || p[m - 1] == ' '))
            m--;
        int h = history_starts(p, m);
        if (h == 1)
            break;
        if (h == 2 && eol) {
            /* only a header block if the next lines look like one */
            const char *next = eol + 1;
            if (!strncasecmp(next, "Sent:", 5) || !strncasecmp(next, "Date:", 5) ||
                !strncmp(next, "Отправлено:", strlen("Отправлено:")) ||
                !strncmp(next, "Дата:", strlen("Дата:")) || !strncasecmp(next, "To:", 3))
                break;
        }
        if (signature_starts(p, m))
            break;
        if (!(m > 0 && p[0] == '>')) {
            buf_add(&out, p, m);
            buf_putc(&out, '\n');
        }
        if (!eol)
            break;
        p = eol + 1;
    }
    while (out.len && (out.ptr[out.len - 1] == '\n' || out.ptr[out.len - 1] == ' '))
        out.ptr[--out.len] = '\0';
    return buf_detach(&out, NULL);
}

/* ---- parsing --------------------------------------------------------------------- */

struct walk {
    char *plain, *html;
    struct mail *m;
};

static void visit(GMimeObject *parent, GMimeObject *part, gpointer data)
{
    (void)parent;
    struct walk *w = data;
    if (!GMIME_IS_PART(part))
        return;
    GMimeContentType *ct = g_mime_object_get_content_type(part);
    if (g_mime_part_is_attachment(GMIME_PART(part))) {
        if (w->m->natt < 64) {
            struct mail_attachment *a;
            w->m->att = xrealloc(w->m->att, (w->m->natt + 1) * sizeof *w->m->att);
            a = &w->m->att[w->m->natt++];
            a->filename = utf8_copy(g_mime_part_get_filename(GMIME_PART(part)));
            char *type = g_mime_content_type_get_mime_type(ct);
            a->content_type = utf8_copy(type);
            g_free(type);
            a->size = 0;
            a->data = NULL;
            GMimeDataWrapper *dw = g_mime_part_get_content(GMIME_PART(part));
            if (dw) {
                GMimeStream *mem = g_mime_stream_mem_new();
                g_mime_data_wrapper_write_to_stream(dw, mem);
                GByteArray *bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
                a->size = bytes->len;
                if (a->size <= MAIL_ATTACH_MAX) {
                    a->data = xmalloc(a->size + 1);
                    memcpy(a->data, bytes->data, a->size);
                }
                g_object_unref(mem);
            }
        }
        return;
    }
    if (!GMIME_IS_TEXT_PART(part))
        return;
    if (g_mime_content_type_is_type(ct, "text", "plain") && !w->plain)
        w->plain = g_mime_text_part_get_text(GMIME_TEXT_PART(part));
    else if (g_mime_content_type_is_type(ct, "text", "html") && !w->html)
        w->html = g_mime_text_part_get_text(GMIME_TEXT_PART(part));
}

int mail_parse(const char *raw, size_t len, struct mail *out, char **err)
{
    memset(out, 0, sizeof *out);
    pthread_once(&gmime_once, gmime_start);
    if (!raw || len == 0) {
        *err = xstrdup("the message is empty");
        return PL_EPARSE;
    }
    GMimeStream *stream = g_mime_stream_mem_new_with_buffer(raw, len);
    GMimeParser *parser = g_mime_parser_new_with_stream(stream);
    GMimeMessage *msg = g_mime_parser_construct_message(parser, NULL);
    g_object_unref(parser);
    g_object_unref(stream);
    if (!msg) {
        *err = xstrdup("not an RFC 5322 message");
        return PL_EPARSE;
    }
    int rc = 0;
    InternetAddressList *from = g_mime_message_get_from(msg);
    InternetAddress *ia = from && internet_address_list_length(from) > 0
                              ? internet_address_list_get_address(from, 0) : NULL;
    if (ia && INTERNET_ADDRESS_IS_MAILBOX(ia)) {
        out->from_addr = utf8_copy(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia)));
        for (char *c = out->from_addr; c && *c; c++)
            *c = (char)tolower((unsigned char)*c);
        const char *name = internet_address_get_name(ia);
        out->from_name = name && *name ? utf8_copy(name) : NULL;
    }
    if (!out->from_addr || !strchr(out->from_addr, '@')) {
        *err = xstrdup("the message has no sender address (From:)");
        rc = PL_EPARSE;
        goto done;
    }
    out->subject = utf8_copy(g_mime_message_get_subject(msg));
    out->message_id = strip_brackets(g_mime_message_get_message_id(msg));
    const char *irt = g_mime_object_get_header(GMIME_OBJECT(msg), "In-Reply-To");
    GMimeReferences *r = irt ? g_mime_references_parse(NULL, irt) : NULL;
    if (r && g_mime_references_length(r) > 0)
        out->in_reply_to = strip_brackets(g_mime_references_get_message_id(r, 0));
    if (r)
        g_mime_references_free(r);
    const char *refs = g_mime_object_get_header(GMIME_OBJECT(msg), "References");
    r = refs ? g_mime_references_parse(NULL, refs) : NULL;
    for (int i = 0; r && i < g_mime_references_length(r) && out->nrefs < MAIL_MAX_REFS; i++)
        out->refs[out->nrefs++] = strip_brackets(g_mime_references_get_message_id(r, i));
    if (r)
        g_mime_references_free(r);
    GDateTime *date = g_mime_message_get_date(msg);
    if (date)
        out->date_ms = (int64_t)g_date_time_to_unix(date) * 1000;

    struct walk w = {NULL, NULL, out};
    GMimeObject *body = g_mime_message_get_mime_part(msg);
    if (body && GMIME_IS_MULTIPART(body))
        g_mime_multipart_foreach(GMIME_MULTIPART(body), visit, &w);
    else if (body)
        visit(NULL, body, &w);
    if (w.plain) {
        out->text = utf8_copy(w.plain);
    } else if (w.html) {
        char *valid = utf8_copy(w.html);
        out->text = mail_html_to_text(valid);
        free(valid);
    }
    g_free(w.plain);
    g_free(w.html);
    if (!out->text || !*out->text) {
        *err = xstrdup("the message has no readable text");
        rc = PL_EPARSE;
        goto done;
    }
    if (strlen(out->text) > TEXT_MAX)
        out->text[TEXT_MAX] = '\0';
    size_t tl = strlen(out->text);
    while (tl && isspace((unsigned char)out->text[tl - 1]))
        out->text[--tl] = '\0';
    out->text_new = mail_trim_reply(out->text);
    if (!*out->text_new) {           /* nothing new: analyse what there is */
        free(out->text_new);
        out->text_new = xstrdup(out->text);
    }
done:
    g_object_unref(msg);
    if (rc)
        mail_clear(out);
    return rc;
}

void mail_clear(struct mail *m)
{
    free(m->from_addr);
    free(m->from_name);
    free(m->subject);
    free(m->message_id);
    free(m->in_reply_to);
    for (size_t i = 0; i < m->nrefs; i++)
        free(m->refs[i]);
    free(m->text);
    free(m->text_new);
    for (size_t i = 0; i < m->natt; i++) {
        free(m->att[i].filename);
        free(m->att[i].content_type);
        free(m->att[i].data);
    }
    free(m->att);
    memset(m, 0, sizeof *m);
}

const char *mail_thread_root(const struct mail *m)
{
    if (m->nrefs > 0)
        return m->refs[0];
    if (m->in_reply_to)
        return m->in_reply_to;
    return m->message_id;
}
