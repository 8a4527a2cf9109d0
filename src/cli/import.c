/* import.c — `parley import FILE.csv`: historical tickets and messages. */
#include "cli/cli.h"
#include "base/err.h"
#include "desk/import.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
    "usage: parley import [--db DB] FILE.csv\n"
    "       parley import orders [--db DB] FILE.csv\n"
    "\n"
    "Imports historical tickets and their messages. Columns: ticket, created_at,\n"
    "body (required); direction, channel, customer_email|customer_phone|\n"
    "customer_handle, customer_name, subject, category, author_email, status,\n"
    "priority (optional). All rows are checked first: bad rows are reported with\n"
    "their line numbers and nothing is imported. See docs/cli/import.md.\n"
    "\n"
    "`import orders` imports orders for the ROI report: amount and ordered_at\n"
    "(required); order_id, customer_email|customer_phone|customer_id (an existing\n"
    "customer), currency, upsell (optional).\n";

static void bar(void *ctx, long done, long total)
{
    (void)ctx;
    int width = 40, fill = total ? (int)(done * width / total) : width;
    fprintf(stderr, "\r[%.*s%*s] %ld/%ld", fill, "########################################",
            width - fill, "", done, total);
    if (done == total)
        fputc('\n', stderr);
}

int cmd_import(int argc, char **argv)
{
    const char *db = cli_default_db(), *path = NULL;
    bool orders = argc > 1 && strcmp(argv[1], "orders") == 0;
    const struct cli_option opts[] = {{"db", &db}, {NULL}};
    int prc = cli_parse("import", usage_text, argc - orders, argv + orders, opts, &path, 1, NULL);
    if (prc >= 0)
        return prc;
    if (!path) {
        fputs(usage_text, stderr);
        return 2;
    }
    FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!fp) {
        fprintf(stderr, "parley import: cannot open %s\n", path);
        return 1;
    }
    struct desk *d;
    if (cli_open_desk(orders ? "import orders" : "import", db, 1, &d)) {
        if (fp != stdin)
            fclose(fp);
        return 1;
    }
    struct desk_import_report rep;
    struct desk_actor sys = DESK_SYSTEM;
    int rc = orders ? desk_import_orders_csv(d, &sys, fp, &rep)
                    : desk_import_csv(d, &sys, fp, &rep, isatty(STDERR_FILENO) ? bar : NULL, NULL);
    if (rc == 0 && orders) {
        printf("imported %ld orders from %s\n", rep.messages, path);
    } else if (rc == 0) {
        printf("imported %ld messages in %ld new tickets from %s\n", rep.messages, rep.tickets,
               path);
    } else {
        long shown = rep.nerrors < 100 ? rep.nerrors : 100;
        for (long i = 0; i < shown; i++)
            fprintf(stderr, "%s: %s\n", path, rep.errors[i]);
        if (rep.nerrors > shown)
            fprintf(stderr, "%s: ... and %ld more errors\n", path, rep.nerrors - shown);
        fprintf(stderr, "parley import: nothing was imported\n");
    }
    desk_import_report_clear(&rep);
    desk_close(d);
    if (fp != stdin)
        fclose(fp);
    return rc ? 1 : 0;
}
