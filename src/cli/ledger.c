/* ledger.c — `parley ledger keygen`, `parley verify`, `parley verify-receipt`:
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

static char *slurp(const char *path)
{
    FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!fp)
        return NULL;
    struct buf b = BUF_INIT;
    char tmp[4096];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, fp)) > 0 && b.len < (16u << 20))
        buf_add(&b, tmp, n);
    if (fp != stdin)
        fclose(fp);
    return buf_detach(&b, NULL);
}

/* A verifier key given inline ("name+id+base64") or as a file holding it. */
static char *read_vkey(const char *arg)
{
    if (strchr(arg, '+') && !strchr(arg, '/'))
        return xstrdup(arg);
    char *s = slurp(arg);
    if (!s)
        return NULL;
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

static const char keygen_usage[] =
    "usage: parley ledger keygen --name ORIGIN --out FILE\n"
    "\n"
    "Creates the log's Ed25519 signing key in FILE (mode 0600) and its public\n"
    "key in FILE.pub. ORIGIN names the log, e.g. support.example.com/parley.\n"
    "Give FILE.pub to customers, auditors and witnesses: it is all they need\n"
    "to check checkpoints and receipts. To rotate, create a new key and start\n"
    "the server with it; old checkpoints stay verifiable with the old .pub.\n";

int cmd_ledger(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "keygen") != 0) {
        fputs(keygen_usage, argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
                                ? stdout : stderr);
        return argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) ? 0 : 2;
    }
    const char *name = NULL, *out = NULL;
    for (int i = 2; i < argc; i++) {
        int r;
        if ((r = cli_opt(argc, argv, &i, "name", &name)) || (r = cli_opt(argc, argv, &i, "out", &out))) {
            if (r < 0) {
                fprintf(stderr, "parley ledger keygen: %s needs a value\n", argv[i]);
                return 2;
            }
            continue;
        }
        fprintf(stderr, "parley ledger keygen: unknown argument '%s'\n%s", argv[i], keygen_usage);
        return 2;
    }
    if (!name || !out) {
        fputs(keygen_usage, stderr);
        return 2;
    }
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

static const char verify_usage[] =
    "usage: parley verify [--db DB] [--key PUBKEY]\n"
    "\n"
    "Checks every stored event against the tamper-evident log, in order, and\n"
    "the log against its latest signed checkpoint (its signature checked with\n"
    "PUBKEY — a key string or a .pub file — when given). Names the first event\n"
    "that was altered, deleted, inserted or reordered. Exit 0: intact; 1: not.\n";

int cmd_verify(int argc, char **argv)
{
    const char *db = cli_default_db(), *key = NULL;
    for (int i = 1; i < argc; i++) {
        int r;
        if ((r = cli_opt(argc, argv, &i, "db", &db)) || (r = cli_opt(argc, argv, &i, "key", &key))) {
            if (r < 0) {
                fprintf(stderr, "parley verify: %s needs a value\n", argv[i]);
                return 2;
            }
            continue;
        }
        int help = !strcmp(argv[i], "--help") || !strcmp(argv[i], "-h");
        if (!help)
            fprintf(stderr, "parley verify: unknown argument '%s'\n", argv[i]);
        fputs(verify_usage, help ? stdout : stderr);
        return help ? 0 : 2;
    }
    char *vkey = NULL;
    if (key && !(vkey = read_vkey(key))) {
        fprintf(stderr, "parley verify: cannot read the public key %s\n", key);
        return 2;
    }
    struct desk_verify_report rep;
    int rc = desk_ledger_verify(db, vkey, &rep);
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
    for (int i = 1; i < argc; i++) {
        int r = cli_opt(argc, argv, &i, "key", &key);
        if (r < 0) {
            fprintf(stderr, "parley verify-receipt: --key needs a value\n");
            return 2;
        }
        if (r)
            continue;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(receipt_usage, stdout);
            return 0;
        }
        path = argv[i];
    }
    if (!path || !key) {
        fputs(receipt_usage, stderr);
        return 2;
    }
    char *json = slurp(path), *vkey = read_vkey(key);
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
