/* main.c — `parley COMMAND ...`: subcommand dispatch only. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

static int cmd_version(int argc, char **argv)
{
    (void)argc, (void)argv;
    printf("parley 0.1.0\n");
    return 0;
}

static const struct cli_command commands[] = {
    /* Keep sorted by name; one line per command. */
    {"analyze", cmd_analyze, "analyse text: language, emotions, sentiment, intent, cues"},
    {"copy", cmd_copy, "copy a SQLite database into an empty PostgreSQL one"},
    {"customer", cmd_customer, "export a customer's data as JSON, or erase the customer"},
    {"demo", cmd_demo, "seed demo data (or --tickets N generated tickets)"},
    {"eval", cmd_eval, "evaluate a text model on a labelled CSV"},
    {"import", cmd_import, "import historical tickets from CSV"},
    {"ledger", cmd_ledger, "the tamper-evident log's keys and witnesses (keygen, witness-add)"},
    {"mail", cmd_mail, "file an e-mail (ingest) or show how it is read (parse)"},
    {"report", cmd_report, "service metrics by period and group (JSON, CSV), tickets behind them"},
    {"roi", cmd_roi, "return on investment of conflict resolution vs a baseline period"},
    {"serve", cmd_serve, "run the server (REST API, live events, web UI)"},
    {"train", cmd_train, "train a text model from a labelled CSV"},
    {"train-risk", cmd_train_risk, "train and evaluate the risk models on the history"},
    {"user", cmd_user, "add or list users (agents, supervisors, admins)"},
    {"verify", cmd_verify, "check every stored event against the tamper-evident log"},
    {"verify-receipt", cmd_verify_receipt, "check a customer's receipt offline"},
    {"version", cmd_version, "print the version"},
    {"witness", cmd_witness, "co-sign a Parley log's checkpoint after checking consistency"},
};

static int usage(FILE *to)
{
    fprintf(to, "usage: parley COMMAND [OPTIONS]\n\n"
                "Parley — customer-conflict resolution platform.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(to, "  %-14s %s\n", commands[i].name, commands[i].summary);
    fprintf(to, "\n`parley COMMAND --help` describes one command.\n");
    return to == stderr ? 2 : 0;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage(stderr);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0)
        return usage(stdout);
    if (strcmp(argv[1], "--version") == 0)
        return cmd_version(argc - 1, argv + 1);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "parley: unknown command '%s'\n", argv[1]);
    return usage(stderr);
}
