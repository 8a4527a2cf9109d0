/* customer.c — `parley customer export|erase ID`: a customer's right to
 * their data and to be forgotten, from the command line (as the system,
 * i.e. with an administrator's rights). docs/cli/customer.md. */
#include "cli/cli.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "desk/desk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "usage: parley customer export ID [--db DB] [--data-key FILE] [--out FILE]\n"
    "       parley customer erase ID --yes [--db DB] [--data-key FILE]\n"
    "\n"
    "export writes everything stored about customer ID as one JSON document\n"
    "(customer, identities, tickets with messages, events with their sealed\n"
    "fields opened, a receipt per event) to standard output or FILE.\n"
    "erase destroys the customer's key and replaces their name, identities,\n"
    "ticket subjects and messages with \"[erased]\", logs customer.erased, and\n"
    "scrubs old row versions; it cannot be undone, hence --yes.\n"
    "--data-key is the file holding the server's data key (default:\n"
    "$PARLEY_DATA_KEY, DB.data-key next to a SQLite database, ./parley.data-key).\n";

static int fail_usage(const char *msg, const char *arg)
{
    fprintf(stderr, "parley customer: ");
    fprintf(stderr, msg, arg);
    fprintf(stderr, "\n%s", usage_text);
    return 2;
}

static const char *what_went_wrong(int rc, long long id)
{
    static char msg[200];
    switch (rc) {
    case PL_ENOTFOUND:
        snprintf(msg, sizeof msg, "no customer %lld", id);
        break;
    case PL_EEXISTS:
        snprintf(msg, sizeof msg, "customer %lld was already erased", id);
        break;
    case PL_ESTATE:
        snprintf(msg, sizeof msg, "customer %lld was merged into another: erase that one", id);
        break;
    default:
        snprintf(msg, sizeof msg, "%s", parley_strerror(rc));
    }
    return msg;
}

int cmd_customer(int argc, char **argv)
{
    const char *db = cli_default_db(), *keyfile = NULL, *out = NULL, *verb = NULL, *id_s = NULL;
    int yes = 0;
    const struct cli_option opts[] = {
        {"db", &db}, {"data-key", &keyfile}, {"out", &out}, {"yes", NULL, &yes}, {NULL}};
    const char *pos[2] = {NULL, NULL};
    int prc = cli_parse("customer", usage_text, argc, argv, opts, pos, 2, NULL);
    if (prc >= 0)
        return prc;
    verb = pos[0];
    id_s = pos[1];
    if (!verb || (strcmp(verb, "export") && strcmp(verb, "erase")))
        return fail_usage("%s", "export or erase?");
    char *end = NULL;
    long long id = id_s ? strtoll(id_s, &end, 10) : 0;
    if (!id_s || *end || id <= 0)
        return fail_usage("'%s' is not a customer id", id_s ? id_s : "");
    int erase = strcmp(verb, "erase") == 0;
    if (erase && !yes)
        return fail_usage("%s", "erasure cannot be undone: add --yes");

    struct desk *d = NULL;
    if (cli_open_desk(erase ? "customer erase" : "customer export", db, erase, &d))
        return 1;
    if (keyfile)
        desk_set_data_key(d, keyfile);
    const struct desk_actor sys = DESK_SYSTEM;
    int rc, status = 0;
    if (erase) {
        struct desk_erase_result res;
        rc = desk_customer_erase(d, &sys, id, &res);
        if (rc == 0)
            printf("customer %lld erased: %lld tickets, %lld messages, %lld merged customers%s\n",
                   id, (long long)res.tickets, (long long)res.messages, (long long)res.merged,
                   res.scrubbed ? "" : " (old row versions not yet scrubbed: see the log)");
    } else {
        char *json = NULL;
        rc = desk_customer_export(d, &sys, id, &json);
        if (rc == 0) {
            FILE *fp = out ? fopen(out, "w") : stdout;
            if (!fp || fprintf(fp, "%s\n", json) < 0 || (out && fclose(fp) != 0)) {
                fprintf(stderr, "parley customer: cannot write %s\n", out ? out : "stdout");
                status = 1;
            }
        }
        free(json);
    }
    if (rc) {
        fprintf(stderr, "parley customer %s: %s\n", verb, what_went_wrong(rc, id));
        status = 1;
    }
    desk_close(d);
    return status;
}
