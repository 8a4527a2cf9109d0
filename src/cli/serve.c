/* serve.c — `parley serve`: the server. */
#include "cli/cli.h"
#include "base/err.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "desk/demo.h"
#include "desk/desk.h"
#include "http/http.h"
#include "outbox/outbox.h"
#include "text/text.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage_text[] =
    "usage: parley serve [--db DB] [--port 8080] [--bind 127.0.0.1] [--web DIR]\n"
    "                    [--models DIR] [--ledger-key FILE] [--origin NAME]\n"
    "                    [--demo [--demo-tickets N]]\n"
    "                    [--data-key FILE] [--risk-model FILE] [--public-url URL]\n"
    "                    [--smtp URL --mail-from ADDR [--smtp-user USER] [--smtp-tls]]\n"
    "                    [--imap URL [--imap-interval SECONDS] [--imap-tls]]\n"
    "                    [--mail-ca FILE]\n"
    "                    [--metrics-snapshot FILE]\n"
    "\n"
    "Serves the REST API (/api/v1), live events and the web UI. --demo seeds the\n"
    "demo team and conversations into an empty database; --demo-tickets N also\n"
    "generates N tickets over the last 180 days, with the customers' orders, on\n"
    "the first start only (`make run`: 3000). --models holds the text\n"
    "models (default data/models, or $PARLEY_MODELS). --ledger-key is the\n"
    "tamper-evident log's signing key, created on first start (default: next to\n"
    "a SQLite database, else ./parley-ledger.key). --data-key holds the key that\n"
    "wraps every customer's personal-data key, created on first use (default:\n"
    "$PARLEY_DATA_KEY, DB.data-key next to a SQLite database, ./parley.data-key).\n"
    "--risk-model is the file of `parley train-risk` (default: DB.risk next to a\n"
    "SQLite database, if present).\n"
    "--public-url is the address customers reach the web UI at, for the survey\n"
    "links sent on resolution (default http://HOST:PORT of --bind and --port).\n"
    "--smtp smtp://host:port (or smtps://) sends e-mail replies from --mail-from;\n"
    "the password of --smtp-user is read from $PARLEY_SMTP_PASSWORD; --smtp-tls\n"
    "refuses to send without STARTTLS. Without --smtp, e-mail replies wait in the\n"
    "outbox. --imap imaps://user@host/INBOX files the mailbox's unseen messages\n"
    "every --imap-interval seconds (30) and marks them seen; the password is\n"
    "read from $PARLEY_IMAP_PASSWORD (or given in the URL, where ps shows it);\n"
    "--imap-tls refuses to log in over imap:// without STARTTLS. --mail-ca FILE\n"
    "trusts the CAs in FILE (PEM) instead of the system's for both servers.\n"
    "--metrics-snapshot keeps the live aggregates across restarts so only newer\n"
    "events are replayed (default: DB.metrics next to a SQLite database, else\n"
    "./parley-metrics.snapshot).\n";

static int is_dir(const char *p)
{
    struct stat sb;
    return p && stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* An explicit --risk-model must load; the default one is optional. */
static int load_risk(struct desk *d, const char *db, const char *path)
{
    char *def = NULL, *err = NULL;
    struct stat sb;
    if (!path && strncmp(db, "sqlite:", 7) == 0) {
        def = xasprintf("%s.risk", db + 7);
        if (stat(def, &sb) == 0)
            path = def;
    }
    int rc = path ? desk_risk_load(d, path, &err) : 0;
    if (rc)
        fprintf(stderr, "parley serve: risk model: %s\n", err ? err : "?");
    else if (path)
        log_info("serve: risk models loaded from %s", path);
    free(err);
    free(def);
    return rc;
}

int cmd_serve(int argc, char **argv)
{
    const char *db = cli_default_db(), *port_s = "8080", *bind = "127.0.0.1", *web = NULL,
               *models = NULL, *key = NULL, *origin = "parley.local/log", *datakey = NULL,
               *risk = NULL, *public_url = NULL, *snap = NULL;
    struct outbox_options ob_opts = {0};
    const char *imap_every = "30", *demo_tickets = "0";
    int demo = 0;
    const struct cli_option opts[] = {
        {"db", &db},
        {"port", &port_s},
        {"bind", &bind},
        {"web", &web},
        {"models", &models},
        {"ledger-key", &key},
        {"data-key", &datakey},
        {"origin", &origin},
        {"public-url", &public_url},
        {"risk-model", &risk},
        {"smtp", &ob_opts.smtp_url},
        {"smtp-user", &ob_opts.smtp_user},
        {"smtp-tls", NULL, &ob_opts.smtp_require_tls},
        {"mail-from", &ob_opts.mail_from},
        {"imap", &ob_opts.imap_url},
        {"imap-interval", &imap_every},
        {"imap-tls", NULL, &ob_opts.imap_require_tls},
        {"mail-ca", &ob_opts.mail_ca},
        {"metrics-snapshot", &snap},
        {"demo", NULL, &demo},
        {"demo-tickets", &demo_tickets},
        {NULL}};
    int prc = cli_parse("serve", usage_text, argc, argv, opts, NULL, 0, NULL);
    if (prc >= 0)
        return prc;
    char *end;
    long port = strtol(port_s, &end, 10);
    if (*end || port < 1 || port > 65535) {
        fprintf(stderr, "parley serve: --port wants 1 to 65535\n");
        return 2;
    }
    long ntickets = strtol(demo_tickets, &end, 10);
    if (*end || ntickets < 0 || ntickets > 10000000) {
        fprintf(stderr, "parley serve: --demo-tickets wants 0 to 10000000\n");
        return 2;
    }
    long every = strtol(imap_every, &end, 10);
    if (*end || every < 1 || every > 86400) {
        fprintf(stderr, "parley serve: --imap-interval wants 1 to 86400 seconds\n");
        return 2;
    }
    ob_opts.imap_interval_s = (int)every;
    if (!web && is_dir("web"))
        web = "web";

    /* Block the signals before any thread starts, so only sigwait sees them. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);

    struct text_engine *te = NULL;
    char *err = NULL;
    if (text_engine_open(models, &te, &err) != 0) {
        log_warn("serve: text models not loaded (%s): messages will not be analysed",
                 err ? err : "?");
        free(err);
        err = NULL;
        te = NULL;
    }
    struct desk *d = NULL;
    if (cli_open_desk("serve", db, 1, &d)) {
        text_engine_close(te);
        return 1;
    }
    desk_set_text(d, te);
    if (datakey)
        desk_set_data_key(d, datakey);
    char *url = public_url ? xstrdup(public_url)
                           : xasprintf("http://%s:%ld",
                                       strcmp(bind, "0.0.0.0") == 0 ? "localhost" : bind, port);
    desk_set_public_url(d, url);
    free(url);
    char *keypath = cli_ledger_key(db, key);
    if (desk_ledger_use_key(d, keypath, origin, &err))
        log_warn("serve: no signed checkpoints: %s", err ? err : "?"), free(err), err = NULL;
    free(keypath);

    int rc = 1;
    struct outbox *ob = NULL;
    ob_opts.smtp_password = getenv("PARLEY_SMTP_PASSWORD");
    ob_opts.imap_password = getenv("PARLEY_IMAP_PASSWORD");
    if (outbox_start(d, &ob_opts, &ob, &err)) {
        fprintf(stderr, "parley serve: %s\n", err ? err : "cannot start the outbox");
        free(err);
        goto out;
    }
    struct desk_demo_opts demo_opts = {.tickets = ntickets, .history_once = true,
                                       .all_resolved = true, .progress = cli_demo_progress};
    if (demo && desk_demo_seed(d, &demo_opts) != 0) {
        fprintf(stderr, "parley serve: cannot seed the demo data\n");
        goto out;
    }
    char *snappath = cli_metrics_snapshot(db, snap);
    desk_metrics_snapshot_at(d, snappath, 1);
    free(snappath);
    if (desk_metrics_enable(d) != 0)
        log_warn("serve: live metrics unavailable");
    if (desk_alerts_enable(d) != 0)
        log_warn("serve: alerts unavailable");
    if (load_risk(d, db, risk) != 0)
        goto out;
    struct http_options o = {.bind = bind, .port = (int)port, .web_dir = web};
    struct http_server *srv = NULL;
    if (http_start(&o, d, te, &srv, &err)) {
        fprintf(stderr, "parley serve: %s\n", err ? err : "cannot start");
        free(err);
        goto out;
    }
    printf("Parley is serving http://%s:%ld/ (database %s)\n",
           strcmp(bind, "0.0.0.0") == 0 ? "localhost" : bind, port, db);
    if (demo) {
        printf("demo log-ins, password '%s':\n", DESK_DEMO_PASSWORD);
        for (int i = 0; desk_demo_logins[i]; i++)
            printf("  %s\n", desk_demo_logins[i]);
    }
    fflush(stdout);
    int sig = 0;
    sigwait(&sigs, &sig);
    log_info("serve: signal %d, stopping", sig);
    http_stop(srv);
    rc = 0;
out:
    outbox_stop(ob);
    desk_close(d);
    text_engine_close(te);
    return rc;
}
