/* mail.c — `parley mail ingest|parse`: e-mail from the command line (an
 * MTA can pipe each delivery into `parley mail ingest`). */
#include "cli/cli.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "channel/mail.h"
#include "desk/desk.h"
#include "text/text.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "usage: parley mail ingest [--db DB] [--models DIR] < message.eml\n"
    "       parley mail parse < message.eml\n"
    "\n"
    "`ingest` files one raw RFC 5322 message as an inbound e-mail: the sender\n"
    "becomes (or finds) the customer, a reply threads onto its ticket by\n"
    "In-Reply-To/References, the text without quoted history is analysed.\n"
    "`parse` prints what Parley reads in a message, as JSON, writing nothing.\n";

static char *read_stdin(size_t *len)
{
    struct buf b = BUF_INIT;
    char tmp[8192];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, stdin)) > 0 && b.len < (32u << 20))
        buf_add(&b, tmp, n);
    return buf_detach(&b, len);
}

static int mail_parse_cmd(void)
{
    size_t len;
    char *raw = read_stdin(&len), *err = NULL;
    struct mail m;
    int rc = mail_parse(raw, len, &m, &err);
    free(raw);
    if (rc) {
        fprintf(stderr, "parley mail parse: %s\n", err ? err : "cannot parse");
        free(err);
        return 1;
    }
    json_t *refs = json_array(), *att = json_array();
    for (size_t i = 0; i < m.nrefs; i++)
        json_array_append_new(refs, json_string(m.refs[i]));
    for (size_t i = 0; i < m.natt; i++)
        json_array_append_new(att, json_pack("{s:s?,s:s?,s:I}", "filename", m.att[i].filename,
                                             "content_type", m.att[i].content_type, "size",
                                             (json_int_t)m.att[i].size));
    json_t *j = json_pack("{s:s,s:s?,s:s?,s:s?,s:s?,s:o,s:s,s:s,s:o}", "from", m.from_addr,
                          "name", m.from_name, "subject", m.subject, "message_id", m.message_id,
                          "in_reply_to", m.in_reply_to, "references", refs, "text_new",
                          m.text_new, "text", m.text, "attachments", att);
    char *s = json_dumps(j, JSON_INDENT(2));
    puts(s);
    free(s);
    json_decref(j);
    mail_clear(&m);
    return 0;
}

static int mail_ingest_cmd(int argc, char **argv)
{
    const char *db = cli_default_db(), *models = NULL;
    const struct cli_option opts[] = {{"db", &db}, {"models", &models}, {NULL}};
    int prc = cli_parse("mail ingest", usage_text, argc - 1, argv + 1, opts, NULL, 0, NULL);
    if (prc >= 0)
        return prc;
    size_t len;
    char *raw = read_stdin(&len), *err = NULL;
    struct text_engine *te = NULL;
    if (text_engine_open(models, &te, &err) != 0) {
        fprintf(stderr, "parley mail ingest: note: not analysed (%s)\n", err ? err : "no models");
        free(err);
        err = NULL;
        te = NULL;
    }
    struct desk *d;
    if (cli_open_desk("mail ingest", db, 1, &d)) {
        free(raw);
        text_engine_close(te);
        return 1;
    }
    desk_set_text(d, te);
    struct desk_ingest_result res;
    struct desk_actor sys = DESK_SYSTEM;
    int rc = desk_ingest_mail(d, &sys, raw, len, &res, &err);
    if (rc == 0)
        printf("{\"ticket_id\":%lld,\"message_id\":%lld,\"customer_id\":%lld,\"new_ticket\":%s}\n",
               (long long)res.ticket_id, (long long)res.message_id, (long long)res.customer_id,
               res.new_ticket ? "true" : "false");
    else
        fprintf(stderr, "parley mail ingest: %s\n", err ? err : parley_strerror(rc));
    free(err);
    free(raw);
    desk_close(d);
    text_engine_close(te);
    return rc ? 1 : 0;
}

int cmd_mail(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "parse") == 0)
        return mail_parse_cmd();
    if (argc >= 2 && strcmp(argv[1], "ingest") == 0)
        return mail_ingest_cmd(argc, argv);
    int help = argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"));
    fputs(usage_text, help ? stdout : stderr);
    return help ? 0 : 2;
}
