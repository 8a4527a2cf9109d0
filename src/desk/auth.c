/* auth.c — users, passwords, sessions and API keys.
 *
 * Passwords: argon2id via libsodium's crypto_pwhash_str (interactive
 * limits). Bearer tokens and API keys are 32 random bytes shown once; only
 * their SHA-256 is stored, so a stolen database does not hand out
 * sessions. Hashing a password is slow on purpose, so it happens in the
 * caller's thread, never on the writer. */
#include "desk/desk_internal.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/utf8.h"
#include "base/xalloc.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define PASSWORD_MIN 8
#define PASSWORD_MAX 1024

void desk_secret_hash(const char *secret, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)secret, strlen(secret));
    sodium_bin2hex(out, 65, h, sizeof h);
}

/* Returns a new random secret "<prefix><64 hex chars>"; caller frees. */
static char *new_secret(const char *prefix)
{
    unsigned char raw[32];
    char hex[65];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
    return xasprintf("%s%s", prefix, hex);
}

static int is_admin(const struct desk_actor *who)
{
    return who->kind == ACTOR_SYSTEM || (who->kind == ACTOR_USER && who->role == ROLE_ADMIN);
}

struct user_args {
    const struct desk_actor *who;
    struct user *u;
};

static int user_add_fn(struct desk_tx *tx, void *arg)
{
    struct store *st = tx->st;
    struct user_args *a = arg;
    int rc = a->u->id ? 0 : st->ops->user_insert(st, a->u);
    if (rc)
        return rc;
    char *after = desk_json_text(json_pack("{s:I,s:s,s:s?,s:s,s:s?,s:s?}", "user_id",
                                       (json_int_t)a->u->id, "email", a->u->email, "name",
                                       a->u->name, "role", role_name(a->u->role), "skills",
                                       a->u->skills, "languages", a->u->languages));
    rc = desk_event(tx, a->who, "user.created", 0, 0, 0, NULL, after, a->u->created_at);
    free(after);
    return rc;
}

int desk_user_add(struct desk *d, const struct desk_actor *who, struct user *u,
                  const char *password)
{
    if (!is_admin(who))
        return PL_EFORBIDDEN;
    if (!u->email || (unsigned)u->role >= ROLE__COUNT || u->role == ROLE_INTEGRATION)
        return PL_EINVAL;
    if (!password || strlen(password) < PASSWORD_MIN || strlen(password) > PASSWORD_MAX)
        return PL_EINVAL;
    if (!utf8_valid(u->email, strlen(u->email)) ||
        (u->name && !utf8_valid(u->name, strlen(u->name))))
        return PL_EUTF8;
    if (identity_normalize(IDENTITY_EMAIL, u->email))
        return PL_EINVAL;
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(hash, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return PL_ENOMEM;
    free(u->password_hash);
    u->password_hash = xstrdup(hash);
    u->active = true;
    if (!u->created_at)
        u->created_at = clock_now_ms();
    u->id = 0;
    struct user_args a = {who, u};
    return desk_exec(d, user_add_fn, &a);
}

struct session_args {
    const char *hash;
    int64_t user_id, expires;
};

static int session_fn(struct desk_tx *tx, void *arg)
{
    struct store *st = tx->st;
    struct session_args *a = arg;
    return st->ops->session_insert(st, a->hash, a->user_id, a->expires);
}

static char dummy_hash[crypto_pwhash_STRBYTES];

static void dummy_hash_init(void)
{
    static const char pw[] = "parley-dummy-password";
    if (crypto_pwhash_str(dummy_hash, pw, sizeof pw - 1, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        dummy_hash[0] = '\0';
}

int desk_login(struct desk *d, const char *email, const char *password, int64_t ttl_ms,
               char **token, struct user *user)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    struct store *st = desk_reader(d);
    if (!st)
        return PL_EUNAVAIL;
    if (!email || !password || strlen(password) > PASSWORD_MAX)
        return PL_EAUTH;
    char *norm = xstrdup(email);
    int rc = identity_normalize(IDENTITY_EMAIL, norm);
    struct user u = {0};
    if (rc == 0)
        rc = st->ops->user_get_by_email(st, norm, &u);
    free(norm);
    if (rc == PL_ENOTFOUND || rc == PL_EINVAL) {
        /* Spend the same time as a real check: no user-enumeration oracle. */
        pthread_once(&once, dummy_hash_init);
        if (dummy_hash[0] && crypto_pwhash_str_verify(dummy_hash, password, strlen(password)) == 0)
            return PL_EAUTH;
        return PL_EAUTH;
    }
    if (rc)
        return rc;
    if (!u.active || !u.password_hash ||
        crypto_pwhash_str_verify(u.password_hash, password, strlen(password)) != 0) {
        user_clear(&u);
        return PL_EAUTH;
    }
    char *tok = new_secret("pls_");
    char hash[65];
    desk_secret_hash(tok, hash);
    struct session_args a = {hash, u.id, clock_now_ms() + ttl_ms};
    rc = desk_exec(d, session_fn, &a);
    if (rc) {
        sodium_memzero(tok, strlen(tok));
        free(tok);
        user_clear(&u);
        return rc;
    }
    *token = tok;
    if (user)
        *user = u;
    else
        user_clear(&u);
    return 0;
}

static int logout_fn(struct desk_tx *tx, void *arg)
{
    struct store *st = tx->st;
    return st->ops->session_delete(st, arg);
}

int desk_logout(struct desk *d, const char *token)
{
    char hash[65];
    desk_secret_hash(token, hash);
    return desk_exec(d, logout_fn, hash);
}

int desk_authenticate(struct desk *d, const char *token, struct desk_actor *who)
{
    struct store *st = desk_reader(d);
    if (!st)
        return PL_EUNAVAIL;
    if (!token || strlen(token) != 68)
        return PL_EAUTH;
    char hash[65];
    desk_secret_hash(token, hash);
    if (strncmp(token, "pls_", 4) == 0) {
        int64_t uid;
        int rc = st->ops->session_lookup(st, hash, clock_now_ms(), &uid);
        if (rc)
            return rc == PL_ENOTFOUND ? PL_EAUTH : rc;
        struct user u = {0};
        rc = st->ops->user_get(st, uid, &u);
        if (rc == 0 && !u.active)
            rc = PL_EAUTH;
        if (rc == 0)
            *who = (struct desk_actor){ACTOR_USER, u.id, u.role};
        user_clear(&u);
        return rc == PL_ENOTFOUND ? PL_EAUTH : rc;
    }
    if (strncmp(token, "plk_", 4) == 0) {
        struct apikey k = {0};
        int rc = st->ops->apikey_lookup(st, hash, &k);
        if (rc == 0 && k.revoked)
            rc = PL_EAUTH;
        if (rc == 0)
            *who = (struct desk_actor){ACTOR_APIKEY, k.id, k.role};
        apikey_clear(&k);
        return rc == PL_ENOTFOUND ? PL_EAUTH : rc;
    }
    return PL_EAUTH;
}

struct apikey_args {
    const struct desk_actor *who;
    struct apikey *k;
    const char *hash;
};

static int apikey_fn(struct desk_tx *tx, void *arg)
{
    struct store *st = tx->st;
    struct apikey_args *a = arg;
    int rc = st->ops->apikey_insert(st, a->k, a->hash);
    if (rc)
        return rc;
    char *after = desk_json_text(json_pack("{s:I,s:s,s:s}", "apikey_id", (json_int_t)a->k->id, "name",
                                       a->k->name, "role", role_name(a->k->role)));
    rc = desk_event(tx, a->who, "apikey.created", 0, 0, 0, NULL, after, a->k->created_at);
    free(after);
    return rc;
}

int desk_apikey_add(struct desk *d, const struct desk_actor *who, const char *name,
                    enum role role, char **secret, int64_t *id)
{
    if (!is_admin(who))
        return PL_EFORBIDDEN;
    if (!name || !*name || strlen(name) > 200 || !utf8_valid(name, strlen(name)) ||
        (unsigned)role >= ROLE__COUNT)
        return PL_EINVAL;
    char *sec = new_secret("plk_");
    char hash[65];
    desk_secret_hash(sec, hash);
    struct apikey k = {0};
    k.name = (char *)name;
    k.role = role;
    k.created_by = who->kind == ACTOR_USER ? who->id : 0;
    k.created_at = clock_now_ms();
    struct apikey_args a = {who, &k, hash};
    int rc = desk_exec(d, apikey_fn, &a);
    if (rc) {
        free(sec);
        return rc;
    }
    if (id)
        *id = k.id;
    *secret = sec;
    return 0;
}

struct user_update_args {
    const struct desk_actor *who;
    const struct desk_user_patch *p;
    int64_t id;
};

static int user_update_fn(struct desk_tx *tx, void *arg)
{
    struct user_update_args *a = arg;
    struct store *st = tx->st;
    struct user u = {0};
    int rc = st->ops->user_get(st, a->id, &u);
    if (rc)
        return rc;
    json_t *before = json_object(), *after = json_object();
    const struct desk_user_patch *p = a->p;
#define CHANGE_STR(field)                                                              \
    if (p->field) {                                                                    \
        json_object_set_new(before, #field, u.field ? json_string(u.field) : json_null()); \
        json_object_set_new(after, #field, json_string(p->field));                     \
        free(u.field);                                                                 \
        u.field = xstrdup(p->field);                                                   \
    }
    CHANGE_STR(name)
    CHANGE_STR(skills)
    CHANGE_STR(languages)
#undef CHANGE_STR
    if (p->set_role) {
        json_object_set_new(before, "role", json_string(role_name(u.role)));
        json_object_set_new(after, "role", json_string(role_name(p->role)));
        u.role = p->role;
    }
    if (p->set_active) {
        json_object_set_new(before, "active", json_boolean(u.active));
        json_object_set_new(after, "active", json_boolean(p->active));
        u.active = p->active;
    }
    char *b = desk_json_text(before), *af = desk_json_text(after);
    rc = st->ops->user_update(st, &u);
    if (rc == 0)
        rc = desk_event(tx, a->who, "user.updated", 0, 0, 0, b, af, clock_now_ms());
    free(b);
    free(af);
    user_clear(&u);
    return rc;
}

int desk_user_update(struct desk *d, const struct desk_actor *who, int64_t id,
                     const struct desk_user_patch *p)
{
    if (!is_admin(who))
        return PL_EFORBIDDEN;
    if ((p->set_role && ((unsigned)p->role >= ROLE__COUNT || p->role == ROLE_INTEGRATION)) ||
        (p->name && (strlen(p->name) > 200 || !utf8_valid(p->name, strlen(p->name)))) ||
        (p->skills && (strlen(p->skills) > 1000 || !utf8_valid(p->skills, strlen(p->skills)))) ||
        (p->languages && (strlen(p->languages) > 100 || !utf8_valid(p->languages, strlen(p->languages)))))
        return PL_EINVAL;
    struct user_update_args a = {who, p, id};
    return desk_exec(d, user_update_fn, &a);
}
