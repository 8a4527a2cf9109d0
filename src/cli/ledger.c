/* ledger.c — `parley ledger keygen|witness-add|witnesses`, `parley verify`, `parley verify-receipt`:
 * the tamper-evident log from the command line. */
#include "cli/cli.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "desk/desk.h"
#include "ledger/ledger.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char ledger_usage[] =
    "usage: parley ledger keygen --name NAME --out FILE\n"
    "       parley ledger witness-add NAME PUBKEY [--db DB]\n"
    "       parley ledger witnesses [--db DB]\n"
    "\n"
    "keygen creates an Ed25519 signing key in FILE (mode 0600) and its public\n"
    "key in FILE.pub: for the log, NAME is its origin (e.g.\n"
    "support.example.com/log); for a witness, the witness's name. Give the\n"
    "log's FILE.pub to customers, auditors and witnesses: it is all they need\n"
    "to check checkpoints and receipts. To rotate, create a new key and start\n"
    "the server with it; old checkpoints stay verifiable with the old .pub.\n"
    "\n"
    "witness-add registers a witness whose cosignatures the log accepts:\n"
    "PUBKEY is its public key (string or .pub file), NAME the name in it.\n"
    "witnesses lists them with the cosignature keys the log checks.\n";

static int usage(const char *why)
{
    if (why)
        fprintf(stderr, "parley ledger: %s\n", why);
    fputs(ledger_usage, stderr);
    return 2;
}

static int keygen(int argc, char **argv)
{
    const char *name = NULL, *out = NULL;
    const struct cli_option opts[] = {{"name", &name}, {"out", &out}, {NULL}};
    int rc = cli_parse("ledger keygen", ledger_usage, argc - 1, argv + 1, opts, NULL, 0, NULL);
    if (rc >= 0)
        return rc;
    if (!name || !out)
        return usage("keygen needs --name and --out");
    char *vkey = NULL, *err = NULL;
    if (desk_ledger_keygen(name, out, &vkey, &err)) {
        fprintf(stderr, "parley ledger keygen: %s\n", err ? err : "failed");
        free(err);
        return 1;
    }
    printf("signing key: %s\npublic key:  %s.pub\n%s\n", out, out, vkey);
    free(vkey);
    return 0;
}

/* witness-add NAME PUBKEY and witnesses: argv[2..] after the verb. */
static int witnesses(int argc, char **argv, int add)
{
    const char *db = cli_default_db(), *pos[2] = {NULL, NULL};
    int npos = 0;
    const struct cli_option opts[] = {{"db", &db}, {NULL}};
    char cmd[32];
    snprintf(cmd, sizeof cmd, "ledger %s", argv[1]);
    int rc = cli_parse(cmd, ledger_usage, argc - 1, argv + 1, opts, pos, add ? 2 : 0, &npos);
    if (rc >= 0)
        return rc;
    if (add && npos != 2)
        return usage("witness-add needs NAME and PUBKEY");
    char *vkey = add ? cli_read_key(pos[1]) : NULL;
    if (add && !vkey) {
        fprintf(stderr, "parley ledger witness-add: cannot read the key %s\n", pos[1]);
        return 2;
    }
    struct ledger_verifier *kv = NULL;
    if (add && ledger_verifier_parse(vkey, &kv) == 0 && strcmp(ledger_verifier_name(kv), pos[0])) {
        fprintf(stderr, "parley ledger witness-add: the key is named '%s', not '%s'\n",
                ledger_verifier_name(kv), pos[0]);
        ledger_verifier_free(kv);
        free(vkey);
        return 2;
    }
    ledger_verifier_free(kv);
    struct desk *d;
    if (cli_open_desk("ledger witness-add", db, 1, &d)) {
        free(vkey);
        return 1;
    }
    struct desk_actor sys = DESK_SYSTEM;
    struct witness w = {0}, *v = NULL;
    size_t n = 0;
    rc = add ? desk_witness_add(d, &sys, vkey, &w) : desk_witness_list(d, &v, &n);
    if (rc == 0 && add)
        printf("witness %lld %s registered, cosignature key %s\n", (long long)w.id, w.name,
               w.vkey);
    for (size_t i = 0; i < n; i++)
        printf("%lld\t%s\t%s\n", (long long)v[i].id, v[i].name, v[i].vkey);
    if (rc)
        fprintf(stderr, "parley ledger %s: %s\n", argv[1],
                rc == PL_EPARSE ? "PUBKEY is not a public key (name+id+base64)"
                : rc == PL_EEXISTS ? "a witness of that name is already registered"
                                   : parley_strerror(rc));
    witness_clear(&w);
    store_free_witnesses(v, n);
    free(vkey);
    desk_close(d);
    return rc ? 1 : 0;
}

int cmd_ledger(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs(ledger_usage, stdout);
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "keygen") == 0)
        return keygen(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "witness-add") == 0)
        return witnesses(argc, argv, 1);
    if (argc >= 2 && strcmp(argv[1], "witnesses") == 0)
        return witnesses(argc, argv, 0);
    return usage(argc >= 2 ? "unknown subcommand" : NULL);
}

static const char verify_usage[] =
    "usage: parley verify [--db DB] [--key PUBKEY] [--data-key FILE]\n"
    "\n"
    "Checks every stored event against the tamper-evident log, in order, and\n"
    "the log against its latest signed checkpoint (its signature checked with\n"
    "PUBKEY — a key string or a .pub file — when given). Names the first event\n"
    "that was altered, deleted, inserted or reordered. Message texts sealed in\n"
    "events are opened with the data key (default: $PARLEY_DATA_KEY, DB.data-key\n"
    "next to a SQLite database, ./parley.data-key) and compared with the stored\n"
    "messages; erased customers' by their leaf hashes alone. Exit 0: intact; 1: not.\n";

int cmd_verify(int argc, char **argv)
{
    const char *db = cli_default_db(), *key = NULL, *datakey = NULL;
    const struct cli_option opts[] = {{"db", &db}, {"key", &key}, {"data-key", &datakey}, {NULL}};
    int rc = cli_parse("verify", verify_usage, argc, argv, opts, NULL, 0, NULL);
    if (rc >= 0)
        return rc;
    char *vkey = NULL;
    if (key && !(vkey = cli_read_key(key))) {
        fprintf(stderr, "parley verify: cannot read the public key %s\n", key);
        return 2;
    }
    if (datakey)
        setenv("PARLEY_DATA_KEY", datakey, 1); /* desk_data_key_default() reads it */
    struct desk_verify_report rep;
    rc = desk_ledger_verify(db, vkey, &rep);
    free(vkey);
    if (rc) {
        fprintf(stderr, "parley verify: %s\n", rep.problem ? rep.problem : parley_strerror(rc));
        free(rep.problem);
        return 1;
    }
    if (rep.ok) {
        printf("ok: %lld events match %lld log leaves", (long long)rep.events,
               (long long)rep.leaves);
        if (rep.checkpoint_size)
            printf("; checkpoint of size %lld %s", (long long)rep.checkpoint_size,
                   key ? "verified" : "consistent (signature not checked: no --key)");
        if (rep.erased)
            printf("; %lld messages of erased customers checked by leaf hash only",
                   (long long)rep.erased);
        if (rep.unopened)
            printf("; %lld sealed message texts not compared (no data key)",
                   (long long)rep.unopened);
        printf("\n");
    } else {
        printf("TAMPERED: %s\n", rep.problem);
    }
    free(rep.problem);
    return rep.ok ? 0 : 1;
}

static const char receipt_usage[] =
    "usage: parley verify-receipt RECEIPT.json --key PUBKEY\n"
    "\n"
    "Checks a receipt offline, with only the log's public key: the checkpoint's\n"
    "signature, the event's bytes against its leaf hash, and the inclusion\n"
    "proof against the signed root. Prints what the receipt proves.\n";

int cmd_verify_receipt(int argc, char **argv)
{
    const char *key = NULL, *path = NULL;
    const struct cli_option opts[] = {{"key", &key}, {NULL}};
    int prc = cli_parse("verify-receipt", receipt_usage, argc, argv, opts, &path, 1, NULL);
    if (prc >= 0)
        return prc;
    if (!path || !key) {
        fputs(receipt_usage, stderr);
        return 2;
    }
    char *json = cli_slurp(path), *vkey = cli_read_key(key);
    if (!json || !vkey) {
        fprintf(stderr, "parley verify-receipt: cannot read %s\n", !json ? path : key);
        free(json);
        free(vkey);
        return 2;
    }
    struct ledger_receipt r;
    int rc = ledger_receipt_verify_text(json, strlen(json), vkey, &r);
    struct buf out = BUF_INIT;
    if (rc == 0) {
        ledger_receipt_describe(&r, &out);
        printf("valid receipt\n%s", buf_str(&out));
    } else {
        fprintf(stderr, "parley verify-receipt: INVALID: %s\n", parley_strerror(rc));
    }
    buf_release(&out);
    ledger_receipt_clear(&r);
    free(json);
    free(vkey);
    return rc ? 1 : 0;
}
