/* cli.h — Parley's subcommands. Each takes (argc, argv) with argv[0] the
 * command name and returns the process exit code (0 ok, 1 failure, 2 usage).
 * One file per command family under src/cli/; docs/cli/<command>.md
 * documents each. */
#ifndef PARLEY_CLI_CLI_H
#define PARLEY_CLI_CLI_H

struct cli_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;    /* one line for `parley --help` */
};

/* One option of a subcommand: "--name VALUE" or "--name=VALUE" stored in
 * *value (borrowed from argv), or, with value NULL, the flag "--name"
 * setting *flag to 1. */
struct cli_option {
    const char *name;
    const char **value;
    int *flag;
};
/* Reads argv[1..argc) against opts, ended by {NULL}. Other arguments that
 * do not start with "-" (and "-" itself, and all after "--") go in order to pos[0..maxpos),
 * counted in *npos (pos and npos may be NULL when maxpos is 0). "-h" and
 * "--help" print usage on stdout. A missing value, an unknown option or a
 * positional argument too many print "parley CMD: ..." and usage on
 * stderr. Returns -1 to go on, else the exit status: 0 after the help, 2
 * on an error. */
int cli_parse(const char *cmd, const char *usage, int argc, char **argv,
              const struct cli_option *opts, const char **pos, int maxpos, int *npos);
/* Default database URL: $PARLEY_DB or "sqlite:parley.db". */
const char *cli_default_db(void);
/* Progress of the demo history on stderr: "generated N/M tickets". */
void cli_demo_progress(void *ctx, long done, long total);
/* The metrics snapshot of db (new string): path when given, else DB.metrics
 * beside a SQLite database, else parley-metrics.snapshot. */
char *cli_metrics_snapshot(const char *db, const char *path);
/* The log's signing key of db (new string): path when given, else
 * DB.ledger-key beside a SQLite database, else parley-ledger.key. */
char *cli_ledger_key(const char *db, const char *path);
/* The whole file at path ("-" = stdin), at most 16 MiB, as a new string;
 * NULL if it cannot be read. */
char *cli_slurp(const char *path);
/* A key given inline ("name+id+base64", "PRIVATE+KEY+...") or as the
 * path of a file holding it, without trailing newlines (new string). */
char *cli_read_key(const char *arg);

struct desk;
/* Opens the desk on db for command cmd ("import", "user add", ...),
 * claimed (desk_open_claimed) when the command writes, so that it refuses
 * to run next to a server on the same database. Says why on stderr when
 * it cannot open: 0, or the PL_E* code. */
int cli_open_desk(const char *cmd, const char *db, int writes, struct desk **d);

int cmd_serve(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_train_risk(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_analyze(int argc, char **argv);
int cmd_ledger(int argc, char **argv);
int cmd_mail(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_customer(int argc, char **argv);
int cmd_copy(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_roi(int argc, char **argv);
int cmd_verify_receipt(int argc, char **argv);
int cmd_witness(int argc, char **argv);

#endif
