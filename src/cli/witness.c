/* witness.c — `parley witness`: an independent party that co-signs a
 * Parley log's checkpoints, but only after checking that each one extends
 * the last one it co-signed (docs/cli/witness.md, docs/ledger.md).
 *
 * One run: fetch the latest checkpoint over HTTP, check the log's
 * signature, fetch a consistency proof from the remembered size, let
 * ledger_witness_cosign_v1() decide, persist the new state, then send the
 * cosignature. A fork or a rollback is refused with the evidence kept. */
#include "cli/cli.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "ledger/ledger.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define STATE_FORMAT "parley-witness-state/v1"
#define REPLY_MAX (4u << 20)

static const char usage_text[] =
    "usage: parley witness --url URL --key FILE [--state FILE] [--name ORIGIN]\n"
    "                      [--log-key PUBKEY]\n"
    "\n"
    "Co-signs the latest checkpoint of the Parley log at URL with the witness\n"
    "key in FILE (made by `parley ledger keygen`), after verifying the log's\n"
    "signature and a consistency proof from the last checkpoint this witness\n"
    "co-signed. The state (log key, origin, last size and root) is kept in\n"
    "--state (default FILE.state). The log's key is --log-key, else the one\n"
    "pinned in the state, else fetched once and pinned. --name is the log's\n"
    "origin to expect (default: pinned from the first checkpoint).\n"
    "Exit 0: co-signed; 1: refused (fork, rollback, bad signature) or failed;\n"
    "2: usage.\n";

struct state {
    char *log_key, *origin, *checkpoint;
    struct ledger_witness_state last;
};

static void state_clear(struct state *s)
{
    free(s->log_key);
    free(s->origin);
    free(s->checkpoint);
    memset(s, 0, sizeof *s);
}

/* ---- HTTP ------------------------------------------------------------------ */

static size_t collect(char *p, size_t size, size_t n, void *ctx)
{
    struct buf *b = ctx;
    if (b->len + size * n > REPLY_MAX)
        return 0;
    buf_add(b, p, size * n);
    return size * n;
}

/* GET (body NULL) or POST text/plain; *status the HTTP status. */
static int http_call(const char *base, const char *path, const char *body, struct buf *out,
                     long *status)
{
    CURL *c = curl_easy_init();
    if (!c)
        return PL_ENOMEM;
    char *url = xasprintf("%s%s", base, path);
    struct curl_slist *h = NULL;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    if (body) {
        h = curl_slist_append(h, "Content-Type: text/plain; charset=utf-8");
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    }
    CURLcode cc = curl_easy_perform(c);
    *status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    if (cc != CURLE_OK)
        fprintf(stderr, "parley witness: %s: %s\n", url, curl_easy_strerror(cc));
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    free(url);
    return cc == CURLE_OK ? 0 : PL_EIO;
}

/* GET path expecting 200; the body in *out (new string). */
static int fetch(const char *base, const char *path, char **out)
{
    struct buf b = BUF_INIT;
    long status;
    int rc = http_call(base, path, NULL, &b, &status);
    if (rc == 0 && status != 200) {
        fprintf(stderr, "parley witness: GET %s%s: HTTP %ld %s\n", base, path, status,
                buf_str(&b));
        rc = PL_EIO;
    }
    *out = rc ? NULL : buf_detach(&b, NULL);
    buf_release(&b);
    return rc;
}

/* The consistency proof from size1 to size2, served as JSON. */
static int fetch_proof(const char *base, uint64_t size1, uint64_t size2,
                       uint8_t proof[LEDGER_MAX_PROOF][LEDGER_HASH_LEN], size_t *n)
{
    char path[128], *body = NULL;
    *n = 0;
    if (size1 == 0 || size1 >= size2)
        return 0;
    snprintf(path, sizeof path, "/api/v1/ledger/proof/consistency?first=%llu&second=%llu",
             (unsigned long long)size1, (unsigned long long)size2);
    int rc = fetch(base, path, &body);
    if (rc)
        return rc;
    json_t *j = json_loads(body, 0, NULL), *arr = json_object_get(j, "proof");
    free(body);
    rc = json_is_array(arr) && json_array_size(arr) <= LEDGER_MAX_PROOF ? 0 : PL_EPARSE;
    for (size_t i = 0; rc == 0 && i < json_array_size(arr); i++) {
        const char *h = json_string_value(json_array_get(arr, i));
        rc = h ? ledger_hash_from_b64(h, strlen(h), proof[i]) : PL_EPARSE;
        *n = i + 1;
    }
    json_decref(j);
    if (rc)
        fprintf(stderr, "parley witness: the consistency proof is malformed\n");
    return rc;
}

/* ---- state ---------------------------------------------------------------- */

static int state_load(const char *path, struct state *s)
{
    json_error_t e;
    json_t *j = json_load_file(path, 0, &e);
    if (!j)
        return errno == ENOENT && access(path, F_OK) != 0 ? PL_ENOTFOUND : PL_EPARSE;
    const char *fmt = json_string_value(json_object_get(j, "format"));
    const char *lk = json_string_value(json_object_get(j, "log_key"));
    const char *origin = json_string_value(json_object_get(j, "origin"));
    const char *root = json_string_value(json_object_get(j, "root"));
    const char *cp = json_string_value(json_object_get(j, "checkpoint"));
    json_t *size = json_object_get(j, "size");
    int rc = PL_EPARSE;
    if (fmt && strcmp(fmt, STATE_FORMAT) == 0 && lk && origin && root && json_is_integer(size) &&
        json_integer_value(size) >= 0 &&
        ledger_hash_from_b64(root, strlen(root), s->last.root) == 0) {
        s->log_key = xstrdup(lk);
        s->origin = xstrdup(origin);
        s->checkpoint = cp ? xstrdup(cp) : NULL;
        s->last.size = (uint64_t)json_integer_value(size);
        rc = 0;
    }
    json_decref(j);
    return rc;
}

/* Written to a temporary file, synced, then renamed: never half a state. */
static int state_save(const char *path, const struct state *s)
{
    char root[LEDGER_HASH_B64_LEN];
    ledger_hash_to_b64(s->last.root, root);
    json_t *j = json_pack("{s:s,s:s,s:s,s:I,s:s,s:s?}", "format", STATE_FORMAT, "log_key",
                          s->log_key, "origin", s->origin, "size", (json_int_t)s->last.size,
                          "root", root, "checkpoint", s->checkpoint);
    char *text = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(j);
    char *tmp = xasprintf("%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    size_t len = strlen(text);
    int ok = fd >= 0 && write(fd, text, len) == (ssize_t)len && write(fd, "\n", 1) == 1 &&
             fsync(fd) == 0;
    if (fd >= 0)
        close(fd);
    ok = ok && rename(tmp, path) == 0;
    if (!ok) {
        fprintf(stderr, "parley witness: cannot write %s: %s\n", path, strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    free(text);
    return ok ? 0 : PL_EIO;
}

/* A refused checkpoint is kept: signed by the log, it proves the fork. */
static void keep_evidence(const char *state_path, const char *note, uint64_t size)
{
    char *path = xasprintf("%s.refused-%llu", state_path, (unsigned long long)size);
    FILE *fp = fopen(path, "wb");
    if (fp && fputs(note, fp) >= 0 && fclose(fp) == 0)
        fprintf(stderr, "parley witness: the refused checkpoint is kept in %s\n", path);
    else if (fp)
        fclose(fp);
    free(path);
}

/* ---- the run ---------------------------------------------------------------- */

/* note's text, the log's signature line and ours: what the log is sent. */
static char *cosigned_note(const char *note, const struct ledger_verifier *log, const char *line)
{
    struct ledger_note n;
    if (ledger_note_parse(note, strlen(note), &n))
        return NULL;
    struct buf b = BUF_INIT;
    buf_add(&b, n.text, n.text_len);
    buf_putc(&b, '\n');
    for (size_t i = 0; i < n.nsigs; i++) {
        if (n.sigs[i].id == ledger_verifier_id(log) &&
            strcmp(n.sigs[i].name, ledger_verifier_name(log)) == 0) {
            char *l = ledger_note_sig_line(&n.sigs[i]);
            buf_puts(&b, l);
            free(l);
        }
    }
    buf_puts(&b, line);
    ledger_note_clear(&n);
    return buf_detach(&b, NULL);
}

static void refusal(int rc, const struct state *s, const char *url, const char *note,
                    const char *state_path)
{
    struct ledger_note n = {0};
    struct ledger_checkpoint cp = {0};
    char was[LEDGER_HASH_B64_LEN], now[LEDGER_HASH_B64_LEN] = "?";
    ledger_hash_to_b64(s->last.root, was);
    if (ledger_note_parse(note, strlen(note), &n) == 0 &&
        ledger_checkpoint_parse(n.text, n.text_len, &cp) == 0)
        ledger_hash_to_b64(cp.root, now);
    if (rc == PL_ECONFLICT && cp.origin && strcmp(cp.origin, s->origin) != 0)
        fprintf(stderr, "parley witness: REFUSED: the checkpoint is of log '%s', not '%s'\n",
                cp.origin, s->origin);
    else if (rc == PL_ECONFLICT)
        fprintf(stderr,
                "parley witness: REFUSED: the log at %s FORKED: its checkpoint of size %llu "
                "(root %s) is not an extension of the checkpoint of size %llu (root %s) this "
                "witness co-signed — history was rewritten\n",
                url, (unsigned long long)cp.size, now, (unsigned long long)s->last.size, was);
    else if (rc == PL_ESTATE)
        fprintf(stderr,
                "parley witness: REFUSED: the log at %s ROLLED BACK: size %llu is smaller than "
                "the size %llu this witness co-signed\n",
                url, (unsigned long long)cp.size, (unsigned long long)s->last.size);
    else
        fprintf(stderr, "parley witness: REFUSED: the checkpoint is not validly signed by the "
                        "log key %s (%s)\n", s->log_key, parley_strerror(rc));
    if (rc == PL_ECONFLICT || rc == PL_ESTATE)
        keep_evidence(state_path, note, cp.size);
    ledger_checkpoint_clear(&cp);
    ledger_note_clear(&n);
}

struct opts {
    const char *url, *key, *state, *name, *log_key;
};

static int run(const struct opts *o, const char *state_path, struct ledger_signer *me)
{
    struct state s = {0};
    struct ledger_verifier *logv = NULL;
    char *note = NULL, *line = NULL, *send = NULL, *arg_key = NULL;
    int rc = state_load(state_path, &s), exit_code = 1;
    if (rc && rc != PL_ENOTFOUND) {
        fprintf(stderr, "parley witness: %s is not a witness state file\n", state_path);
        goto out;
    }
    if (o->log_key) {
        if (!(arg_key = cli_read_key(o->log_key))) {
            fprintf(stderr, "parley witness: cannot read the log key %s\n", o->log_key);
            goto out;
        }
        if (s.log_key && strcmp(s.log_key, arg_key) != 0) {
            fprintf(stderr, "parley witness: REFUSED: --log-key differs from the key pinned in "
                            "%s (%s)\n", state_path, s.log_key);
            goto out;
        }
        free(s.log_key);
        s.log_key = arg_key;
        arg_key = NULL;
    } else if (!s.log_key) {
        if (fetch(o->url, "/api/v1/ledger/key", &s.log_key))
            goto out;
        s.log_key[strcspn(s.log_key, "\r\n")] = '\0';
        fprintf(stderr, "parley witness: pinned the log key %s\n", s.log_key);
    }
    if (ledger_verifier_parse(s.log_key, &logv)) {
        fprintf(stderr, "parley witness: '%s' is not a log verifier key\n", s.log_key);
        goto out;
    }
    if (o->name && s.origin && strcmp(o->name, s.origin) != 0) {
        fprintf(stderr, "parley witness: REFUSED: --name %s differs from the origin pinned in "
                        "%s (%s)\n", o->name, state_path, s.origin);
        goto out;
    }
    if (fetch(o->url, "/api/v1/ledger/checkpoint", &note))
        goto out;
    struct ledger_checkpoint cp = {0};
    if (ledger_checkpoint_open(note, strlen(note), logv, NULL, &cp)) {
        refusal(PL_ECRYPTO, &s, o->url, note, state_path);
        goto out;
    }
    if (!s.origin)
        s.origin = xstrdup(o->name ? o->name : cp.origin);
    uint64_t size = cp.size;
    ledger_checkpoint_clear(&cp);
    uint8_t proof[LEDGER_MAX_PROOF][LEDGER_HASH_LEN];
    size_t nproof = 0;
    if (fetch_proof(o->url, s.last.size, size, proof, &nproof))
        goto out;
    struct ledger_witness_state next;
    rc = ledger_witness_cosign_v1(&s.last, note, strlen(note), logv, s.origin,
                                  (const uint8_t(*)[LEDGER_HASH_LEN])proof, nproof, me,
                                  (uint64_t)time(NULL), &line, &next);
    if (rc) {
        refusal(rc, &s, o->url, note, state_path);
        goto out;
    }
    s.last = next;
    free(s.checkpoint);
    s.checkpoint = xstrdup(note);
    if (state_save(state_path, &s))
        goto out;
    send = cosigned_note(note, logv, line);
    struct buf reply = BUF_INIT;
    long status = 0;
    if (!send || http_call(o->url, "/api/v1/ledger/cosignatures", send, &reply, &status) ||
        status != 201) {
        fprintf(stderr, "parley witness: the log did not take the cosignature: HTTP %ld %s\n",
                status, buf_str(&reply));
    } else {
        char root[LEDGER_HASH_B64_LEN];
        ledger_hash_to_b64(s.last.root, root);
        printf("co-signed %s size %llu root %s\n", s.origin, (unsigned long long)s.last.size,
               root);
        exit_code = 0;
    }
    buf_release(&reply);
out:
    free(send);
    free(line);
    free(note);
    free(arg_key);
    ledger_verifier_free(logv);
    state_clear(&s);
    return exit_code;
}

int cmd_witness(int argc, char **argv)
{
    struct opts o = {0};
    const struct cli_option opts[] = {{"url", &o.url},   {"key", &o.key},         {"state", &o.state},
                                      {"name", &o.name}, {"log-key", &o.log_key}, {NULL}};
    int prc = cli_parse("witness", usage_text, argc, argv, opts, NULL, 0, NULL);
    if (prc >= 0)
        return prc;
    if (!o.url || !o.key) {
        fputs(usage_text, stderr);
        return 2;
    }
    char *skey = cli_read_key(o.key);
    struct ledger_signer *me = NULL;
    if (!skey || ledger_signer_parse(skey, &me)) {
        fprintf(stderr, "parley witness: %s is not a signing key (make one with `parley ledger "
                        "keygen`)\n", o.key);
        if (skey)
            sodium_memzero(skey, strlen(skey));
        free(skey);
        return 2;
    }
    sodium_memzero(skey, strlen(skey));
    free(skey);
    char *url = xstrdup(o.url);
    for (size_t n = strlen(url); n > 0 && url[n - 1] == '/'; n--)
        url[n - 1] = '\0';       /* "https://host/" names the same log */
    o.url = url;
    char *state_path = o.state ? xstrdup(o.state) : xasprintf("%s.state", o.key);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = run(&o, state_path, me);
    curl_global_cleanup();
    free(state_path);
    free(url);
    ledger_signer_free(me);
    return rc;
}
