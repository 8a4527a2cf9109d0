/* personal.c — personal data in events, sealed under per-customer keys.
 *
 * An event about a customer carries what the customer wrote and who they
 * are (message bodies, subjects, names, identities, comments). Those
 * fields are moved into one libsodium secretbox under the customer's own
 * key before the event is stored, so the event's leaf in the
 * tamper-evident log is computed over ciphertext: destroying the key
 * (erasure, erase.c) makes the text unreadable while every leaf, proof and
 * receipt stays valid. Customer keys are stored wrapped (secretbox) by the
 * server's data key, a file next to the database kept out of it.
 * docs/ledger.md "Erasure" has the format. */
#include "desk/desk_internal.h"
#include "base/err.h"
#include "base/log.h"
#include "base/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEY_LEN crypto_secretbox_KEYBYTES
#define NONCE_LEN crypto_secretbox_NONCEBYTES
#define MAC_LEN crypto_secretbox_MACBYTES
#define WRAPPED_LEN (NONCE_LEN + MAC_LEN + KEY_LEN)

/* The fields of an event payload that hold personal data. */
static const char *const personal_fields[] = {"body",  "comment", "email",    "identity",
                                              "name",  "phone",   "question", "reason",
                                              "subject"};
#define NFIELDS (sizeof personal_fields / sizeof personal_fields[0])

/* The writer's recent customer keys, so the events of one conversation do
 * not read and unwrap the same key again. Only the writer thread touches
 * it; desk_personal_forget() empties it whenever a job is undone (a key made
 * by that job must not outlive it) or a customer is erased. */
#define KEY_SLOTS 1024
struct key_slot {
    int64_t customer_id;       /* 0: empty */
    unsigned char key[KEY_LEN];
};

struct desk_datakey {
    pthread_mutex_t mu;
    char *path;                /* NULL: no data key configured */
    int loaded;
    int named;                 /* the database names this key (check_id) */
    unsigned char key[KEY_LEN];
    struct key_slot slots[KEY_SLOTS];
};

char *desk_data_key_default(const char *db_url)
{
    const char *env = getenv("PARLEY_DATA_KEY");
    if (env && *env)
        return xstrdup(env);
    if (db_url && strncmp(db_url, "sqlite:", 7) == 0) {
        const char *q = strchr(db_url + 7, '?');
        size_t n = q ? (size_t)(q - (db_url + 7)) : strlen(db_url + 7);
        return xasprintf("%.*s.data-key", (int)n, db_url + 7);
    }
    return xstrdup("parley.data-key");
}

struct desk_datakey *desk_datakey_new(const char *path)
{
    struct desk_datakey *k = xcalloc(1, sizeof *k);
    pthread_mutex_init(&k->mu, NULL);
    k->path = xstrdup(path);
    return k;
}

void desk_datakey_free(struct desk_datakey *k)
{
    if (!k)
        return;
    sodium_memzero(k->key, sizeof k->key);
    sodium_memzero(k->slots, sizeof k->slots);
    pthread_mutex_destroy(&k->mu);
    free(k->path);
    free(k);
}

int desk_set_data_key(struct desk *d, const char *path)
{
    struct desk_datakey *k = d->datakey;
    pthread_mutex_lock(&k->mu);
    int rc = k->loaded ? PL_ESTATE : 0;
    if (rc == 0) {
        free(k->path);
        k->path = xstrdup(path);
    }
    pthread_mutex_unlock(&k->mu);
    return rc;
}

/* The file holds the key in standard base64 on one line. */
static int read_key(const char *path, unsigned char key[KEY_LEN])
{
    char text[128];
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return errno == ENOENT ? PL_ENOTFOUND : PL_EIO;
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0)
        return PL_EFORMAT;
    text[n] = '\0';
    size_t len = 0;
    int bad = sodium_base642bin(key, KEY_LEN, text, (size_t)n, " \r\n", &len, NULL,
                                sodium_base64_VARIANT_ORIGINAL) != 0 || len != KEY_LEN;
    sodium_memzero(text, sizeof text);
    return bad ? PL_EFORMAT : 0;
}

static int create_key(const char *path, unsigned char key[KEY_LEN])
{
    char text[sodium_base64_ENCODED_LEN(KEY_LEN, sodium_base64_VARIANT_ORIGINAL) + 1];
    randombytes_buf(key, KEY_LEN);
    sodium_bin2base64(text, sizeof text - 1, key, KEY_LEN, sodium_base64_VARIANT_ORIGINAL);
    size_t len = strlen(text);
    text[len++] = '\n';
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0)
        return PL_EIO;
    int ok = write(fd, text, len) == (ssize_t)len && fsync(fd) == 0;
    close(fd);
    sodium_memzero(text, sizeof text);
    if (!ok)
        unlink(path);
    return ok ? 0 : PL_EIO;
}

/* The setting that names the data key a database's customer keys are
 * wrapped by, so a wrong or missing key file is refused at once instead of
 * wrapping new customers' keys under a second data key. */
#define KEY_ID_SETTING "personal_data_key_id"

/* The key's id as the setting's JSON text: "<16 hex digits>". */
static void key_id(const unsigned char key[KEY_LEN], char out[24])
{
    unsigned char h[8];
    char hex[17];
    crypto_generichash(h, sizeof h, key, KEY_LEN, (const unsigned char *)"parley data key", 15);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    snprintf(out, 24, "\"%s\"", hex);
}

/* Compares the key with the one the database names, and names it (in the
 * caller's transaction, when writing) if it names none yet. */
static int check_id(struct desk_datakey *k, struct store *st, int create)
{
    char id[24], *have = NULL;
    key_id(k->key, id);
    int rc = st->ops->setting_get(st, KEY_ID_SETTING, &have);
    if (rc == 0 && strcmp(have, id) != 0) {
        log_error("personal data: %s is not the data key this database's customer keys are "
                  "wrapped by (it names %s, the file is %s)", k->path, have, id);
        rc = PL_ECRYPTO;
    } else if (rc == PL_ENOTFOUND) {
        rc = create ? st->ops->setting_set(st, KEY_ID_SETTING, id) : 0;
        k->named = rc == 0 && create;
    } else if (rc == 0) {
        k->named = 1;
    }
    free(have);
    return rc;
}

/* The data key, loaded on first use and checked against the database's
 * (created when writing, `create`, if neither the file nor the database
 * knows one yet). */
static int datakey(struct desk_datakey *k, struct store *st, int create,
                   const unsigned char **out)
{
    int rc = 0;
    pthread_mutex_lock(&k->mu);
    if (!k->loaded) {
        rc = k->path ? read_key(k->path, k->key) : PL_EUNAVAIL;
        if (rc == PL_ENOTFOUND && create) {
            char *have = NULL;
            if (st->ops->setting_get(st, KEY_ID_SETTING, &have) == 0) {
                log_error("personal data: the data key file %s is missing, but this database's "
                          "customer keys are wrapped by data key %s: restore the file",
                          k->path, have);
            } else if ((rc = create_key(k->path, k->key)) == 0) {
                log_info("personal data: new data key %s (keep it with the ledger key)",
                         k->path);
            }
            free(have);
        }
        if (rc == PL_ENOTFOUND)
            rc = PL_EUNAVAIL;
        else if (rc && rc != PL_EUNAVAIL)
            log_error("personal data: cannot %s the data key %s: %s",
                      create ? "create" : "read", k->path ? k->path : "(none)",
                      parley_strerror(rc));
        if (rc == 0 && (rc = check_id(k, st, create)) != 0)
            sodium_memzero(k->key, sizeof k->key);
        k->loaded = rc == 0;
    } else if (create && !k->named) {
        rc = check_id(k, st, create);
    }
    pthread_mutex_unlock(&k->mu);
    *out = k->key;
    return rc;
}

/* ---- customer keys ------------------------------------------------------- */

static char *wrap(const unsigned char master[KEY_LEN], const unsigned char key[KEY_LEN])
{
    unsigned char box[WRAPPED_LEN];
    char text[sodium_base64_ENCODED_LEN(WRAPPED_LEN, sodium_base64_VARIANT_ORIGINAL)];
    randombytes_buf(box, NONCE_LEN);
    crypto_secretbox_easy(box + NONCE_LEN, key, KEY_LEN, box, master);
    sodium_bin2base64(text, sizeof text, box, sizeof box, sodium_base64_VARIANT_ORIGINAL);
    return xstrdup(text);
}

static int unwrap(const unsigned char master[KEY_LEN], const char *text,
                  unsigned char key[KEY_LEN])
{
    unsigned char box[WRAPPED_LEN];
    size_t len = 0;
    if (sodium_base642bin(box, sizeof box, text, strlen(text), NULL, &len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 || len != WRAPPED_LEN)
        return PL_EFORMAT;
    if (crypto_secretbox_open_easy(key, box + NONCE_LEN, MAC_LEN + KEY_LEN, box, master) != 0)
        return PL_ECRYPTO;
    return 0;
}

/* The customer's key: PL_ESTATE once erased, PL_ENOTFOUND when none was
 * made yet (or, with create, a new one stored in the caller's transaction). */
static int customer_key(struct desk_datakey *k, struct store *st, int64_t customer_id,
                        int create, unsigned char key[KEY_LEN])
{
    const unsigned char *master;
    char *wrapped = NULL;
    int64_t erased_at = 0;
    int rc = datakey(k, st, create, &master);
    if (rc)
        return rc;
    rc = st->ops->customer_key_get(st, customer_id, &wrapped, &erased_at);
    if (rc == 0 && !wrapped)
        return PL_ESTATE;
    if (rc == 0) {
        rc = unwrap(master, wrapped, key);
        if (rc)
            log_error("personal data: customer %lld's key does not open with the data key "
                      "%s (a different key file?)", (long long)customer_id, k->path);
        free(wrapped);
        return rc;
    }
    if (rc != PL_ENOTFOUND || !create)
        return rc;
    randombytes_buf(key, KEY_LEN);
    wrapped = wrap(master, key);
    rc = st->ops->customer_key_insert(st, customer_id, wrapped, 0);
    free(wrapped);
    return rc;
}

/* ---- sealing and opening ------------------------------------------------- */

/* A quick look before any parsing: most events carry no personal field. */
static int has_personal(const char *payload)
{
    if (!payload)
        return 0;
    for (size_t i = 0; i < NFIELDS; i++) {
        size_t n = strlen(personal_fields[i]);
        for (const char *p = payload; (p = strstr(p, personal_fields[i])) != NULL; p += n)
            if (p > payload && p[-1] == '"' && p[n] == '"' && p[n + 1] == ':')
                return 1;
    }
    return 0;
}

/* Moves the personal fields of o into "sealed" (a secretbox under key);
 * 1 when there were any, 0 when o is unchanged. */
static int seal_obj(const unsigned char key[KEY_LEN], json_t *o)
{
    json_t *inner = json_object();
    for (size_t i = 0; i < NFIELDS; i++) {
        json_t *v = json_object_get(o, personal_fields[i]);
        if (v && !json_is_null(v))
            json_object_set(inner, personal_fields[i], v);
    }
    if (json_object_size(inner) == 0) {   /* only nulls: o stays as it is */
        json_decref(inner);
        return 0;
    }
    for (size_t i = 0; i < NFIELDS; i++)
        json_object_del(o, personal_fields[i]);
    /* personal_fields is sorted, so inner's keys already are */
    char *plain = json_dumps(inner, JSON_COMPACT);
    json_decref(inner);
    size_t plen = strlen(plain), blen = NONCE_LEN + MAC_LEN + plen;
    unsigned char *box = xmalloc(blen);
    randombytes_buf(box, NONCE_LEN);
    crypto_secretbox_easy(box + NONCE_LEN, (const unsigned char *)plain, plen, box, key);
    sodium_memzero(plain, plen);
    free(plain);
    size_t tlen = sodium_base64_ENCODED_LEN(blen, sodium_base64_VARIANT_ORIGINAL);
    char *text = xmalloc(tlen);
    sodium_bin2base64(text, tlen, box, blen, sodium_base64_VARIANT_ORIGINAL);
    free(box);
    json_object_set_new(o, "sealed", json_string(text));
    free(text);
    return 1;
}

static int obj_has_personal(json_t *o)
{
    for (size_t i = 0; o && i < NFIELDS; i++)
        if (json_object_get(o, personal_fields[i]))
            return 1;
    return 0;
}

/* The customer's key, from the writer's slots or the store (made on first
 * use, in tx). */
static int seal_key(struct desk_tx *tx, int64_t customer_id, unsigned char key[KEY_LEN])
{
    struct desk_datakey *k = tx->d->datakey;
    struct key_slot *slot = &k->slots[(uint64_t)customer_id % KEY_SLOTS];
    if (slot->customer_id == customer_id) {
        memcpy(key, slot->key, KEY_LEN);
        return 0;
    }
    int rc = customer_key(k, tx->st, customer_id, 1, key);
    if (rc == 0) {
        slot->customer_id = customer_id;
        memcpy(slot->key, key, KEY_LEN);
    }
    return rc;
}

/* Seals before and after in place; *sealed = how many of them changed. */
static int seal_objs(struct desk_tx *tx, int64_t customer_id, json_t *before, json_t *after,
                     int *sealed)
{
    *sealed = 0;
    if (customer_id <= 0 || (!obj_has_personal(before) && !obj_has_personal(after)))
        return 0;
    if ((before && !json_is_object(before)) || (after && !json_is_object(after)))
        return PL_EPARSE;
    unsigned char key[KEY_LEN];
    int rc = seal_key(tx, customer_id, key);
    if (rc == 0) {
        if (before)
            *sealed += seal_obj(key, before);
        if (after)
            *sealed += seal_obj(key, after);
    }
    sodium_memzero(key, sizeof key);
    return rc;
}

int desk_personal_seal_obj(struct desk_tx *tx, int64_t customer_id, json_t *before,
                           json_t *after)
{
    int sealed;
    return seal_objs(tx, customer_id, before, after, &sealed);
}

/* *out = payload with its personal fields sealed, or NULL when it had none. */
static int seal_text(struct desk_tx *tx, int64_t customer_id, const char *payload, char **out)
{
    *out = NULL;
    if (!has_personal(payload))
        return 0;
    json_t *o = json_loads(payload, 0, NULL);
    if (!json_is_object(o)) {
        json_decref(o);
        return PL_EPARSE;
    }
    int sealed;
    int rc = seal_objs(tx, customer_id, o, NULL, &sealed);
    if (rc == 0 && sealed)
        *out = desk_json_text(o);
    else
        json_decref(o);
    return rc;
}

int desk_personal_seal(struct desk_tx *tx, int64_t customer_id, const char *before,
                       const char *after, char **b, char **a)
{
    *b = *a = NULL;
    if (customer_id <= 0)
        return 0;
    int rc = seal_text(tx, customer_id, before, b);
    if (rc == 0)
        rc = seal_text(tx, customer_id, after, a);
    if (rc) {
        free(*b);
        free(*a);
        *b = *a = NULL;
    }
    return rc;
}

void desk_personal_forget(struct desk_datakey *k)
{
    sodium_memzero(k->slots, sizeof k->slots);
}

/* Opens the box in o's "sealed" with key and puts its fields back into o. */
static int unseal(const unsigned char key[KEY_LEN], json_t *o, const char *sealed)
{
    size_t slen = strlen(sealed), blen = 0;
    unsigned char *box = xmalloc(slen + 1);
    json_t *inner = NULL;
    if (sodium_base642bin(box, slen + 1, sealed, slen, NULL, &blen, NULL,
                          sodium_base64_VARIANT_ORIGINAL) == 0 &&
        blen >= NONCE_LEN + MAC_LEN) {
        size_t plen = blen - NONCE_LEN - MAC_LEN;
        char *plain = xmalloc(plen + 1);
        if (crypto_secretbox_open_easy((unsigned char *)plain, box + NONCE_LEN, blen - NONCE_LEN,
                                       box, key) == 0) {
            plain[plen] = '\0';
            inner = json_loads(plain, 0, NULL);
        }
        sodium_memzero(plain, plen);
        free(plain);
    }
    free(box);
    int rc = PL_ECRYPTO;
    if (json_is_object(inner)) {
        json_object_del(o, "sealed");
        json_object_update(o, inner);
        rc = 0;
    }
    json_decref(inner);
    return rc;
}

/* The customer's key for opening, through a one-entry cache (*cached_id,
 * cached) so a list of events of one customer unwraps it once. */
static int opening_key(struct desk_datakey *k, struct store *st, int64_t customer_id,
                       int64_t *cached_id, unsigned char cached[KEY_LEN])
{
    if (*cached_id == customer_id)
        return 0;
    int rc = customer_key(k, st, customer_id, 0, cached);
    *cached_id = rc ? 0 : customer_id;
    return rc == PL_ENOTFOUND ? PL_ECRYPTO : rc;
}

static int open_payload(struct desk_datakey *k, struct store *st, int64_t customer_id,
                        const char *payload, json_t **out, int64_t *cached_id,
                        unsigned char cached[KEY_LEN])
{
    *out = NULL;
    if (!payload)
        return 0;
    json_t *o = json_loads(payload, JSON_DECODE_ANY, NULL);
    if (!o)
        return PL_EPARSE;
    const char *sealed = json_string_value(json_object_get(o, "sealed"));
    int rc = 0;
    if (sealed && (rc = opening_key(k, st, customer_id, cached_id, cached)) == 0)
        rc = unseal(cached, o, sealed);
    if (rc)
        json_decref(o);
    else
        *out = o;
    return rc;
}

int desk_personal_open(struct desk_datakey *k, struct store *st, int64_t customer_id,
                       const char *payload, json_t **out)
{
    int64_t cached_id = 0;
    unsigned char key[KEY_LEN];
    int rc = open_payload(k, st, customer_id, payload, out, &cached_id, key);
    sodium_memzero(key, sizeof key);
    return rc;
}

void desk_events_open(struct desk *d, struct store *st, struct event *e, size_t n)
{
    int64_t cached_id = 0;
    unsigned char key[KEY_LEN];
    for (size_t i = 0; i < n; i++) {
        char **texts[2] = {&e[i].before, &e[i].after};
        for (int j = 0; j < 2; j++) {
            json_t *o = NULL;
            if (!*texts[j] || !strstr(*texts[j], "\"sealed\":") ||
                open_payload(d->datakey, st, e[i].customer_id, *texts[j], &o, &cached_id,
                             key) != 0)
                continue; /* nothing sealed, or erased: shown as stored */
            free(*texts[j]);
            *texts[j] = desk_json_text(o);
        }
    }
    sodium_memzero(key, sizeof key);
}
