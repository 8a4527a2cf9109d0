/* demo.c — `parley demo`: seed the demo team and conversations, or a large
 * generated history for benchmarks (`--tickets 1000000`). */
#include "cli/cli.h"
#include "base/err.h"
#include "desk/demo.h"
#include "text/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
    "usage: parley demo [--db DB] [--tickets N] [--seed S] [--models DIR]\n"
    "\n"
    "Creates the demo team (password '" DESK_DEMO_PASSWORD "') if there are no users,\n"
    "the demo conversations if there are no tickets, and N generated tickets\n"
    "(2 to 4 messages each, one after another over the last 180 days; what the\n"
    "history encodes is in docs/insight-quality.md). Messages are analysed and\n"
    "triaged with the text models in DIR (default data/models or $PARLEY_MODELS)\n"
    "when they load.\n";

void cli_demo_progress(void *ctx, long done, long total)
{
    (void)ctx;
    fprintf(stderr, "\rgenerated %ld/%ld tickets", done, total);
    if (done == total)
        fputc('\n', stderr);
}

int cmd_demo(int argc, char **argv)
{
    const char *db = cli_default_db(), *n = NULL, *seed = NULL, *models = NULL;
    const struct cli_option opts[] = {
        {"db", &db}, {"tickets", &n}, {"seed", &seed}, {"models", &models}, {NULL}};
    int prc = cli_parse("demo", usage_text, argc, argv, opts, NULL, 0, NULL);
    if (prc >= 0)
        return prc;
    struct desk_demo_opts o = {0};
    char *end;
    if (n) {
        o.tickets = strtol(n, &end, 10);
        if (*end || o.tickets < 0 || o.tickets > 100000000) {
            fprintf(stderr, "parley demo: --tickets wants a number from 0 to 100000000\n");
            return 2;
        }
    }
    if (seed)
        o.seed = (unsigned)strtoul(seed, NULL, 10);
    if (isatty(STDERR_FILENO))
        o.progress = cli_demo_progress;
    struct desk *d;
    struct text_engine *te = NULL;
    char *err = NULL;
    if (text_engine_open(models, &te, &err) != 0) {
        fprintf(stderr, "parley demo: note: messages not analysed (%s)\n", err ? err : "no models");
        free(err);
        err = NULL;
        te = NULL;
    }
    if (cli_open_desk("demo", db, 1, &d)) {
        text_engine_close(te);
        return 1;
    }
    desk_set_text(d, te);
    /* The live metrics follow the generation and their snapshot is written
     * at close, so the first `parley serve` on a big history starts from it
     * instead of replaying every event. */
    char *snap = cli_metrics_snapshot(db, NULL);
    desk_metrics_snapshot_at(d, snap, 1);
    free(snap);
    if (desk_metrics_enable(d) != 0)
        fprintf(stderr, "parley demo: note: no metrics snapshot (the first start will replay)\n");
    int rc = desk_demo_seed(d, &o);
    desk_close(d);
    text_engine_close(te);
    if (rc) {
        fprintf(stderr, "parley demo: %s\n", parley_strerror(rc));
        return 1;
    }
    printf("demo data ready in %s\n", db);
    if (o.team_created) {
        printf("log in with password '%s' as:\n", DESK_DEMO_PASSWORD);
        for (int i = 0; desk_demo_logins[i]; i++)
            printf("  %s\n", desk_demo_logins[i]);
    }
    return 0;
}
