/* routes_canned.c — canned responses (admins write, staff read) and the
 * ticket's guidance bundle: how to answer the detected emotion, the canned
 * responses and knowledge-base articles that fit the ticket. Thin: the
 * decisions are in desk/canned.c, desk/kb.c and coach/. */
#include "http/http_internal.h"
#include "base/err.h"
#include "coach/coach.h"
#include "desk/canned.h"
#include "desk/kb.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static json_t *canned_json(const struct canned_response *c)
{
    json_t *j = json_pack("{s:I,s:s,s:s,s:s,s:s?,s:s?}", "id", (json_int_t)c->id, "language",
                          c->language, "title", c->title, "body", c->body, "emotion",
                          c->emotion, "category", c->category);
    json_object_set_new(j, "created_at", http_time(c->created_at));
    json_object_set_new(j, "updated_at", http_time(c->updated_at));
    return j;
}

/* {"responses": [...]}; frees v. */
static json_t *canned_list_json(struct canned_response *v, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, canned_json(&v[i]));
    store_free_canned(v, n);
    return arr;
}

static int limit_param(struct req *r)
{
    const char *l = http_query(r, "limit");
    int v = l ? atoi(l) : 0;
    return v >= 1 && v <= 100 ? v : 0;
}

/* An id query parameter: > 0, or 0 when absent, or -1 when malformed. */
static int64_t id_param(struct req *r, const char *name)
{
    const char *v = http_query(r, name);
    char *end;
    if (!v)
        return 0;
    long long id = strtoll(v, &end, 10);
    return *end || id <= 0 ? -1 : id;
}

/* GET /api/v1/canned?language=&emotion=&category=&ticket_id=&limit= */
static enum MHD_Result canned_list(struct req *r)
{
    struct canned_response *v = NULL;
    size_t n = 0;
    int64_t ticket = id_param(r, "ticket_id");
    const char *lang = http_query(r, "language");
    int rc;
    if (ticket < 0)
        return http_error(r, 400, "invalid", "ticket_id must be a ticket id");
    if (lang && *lang && strcmp(lang, "ru") && strcmp(lang, "en"))
        return http_error(r, 400, "invalid", "language must be \"ru\" or \"en\"");
    if (ticket)
        rc = desk_canned_suggest(r->srv->d, ticket, lang, limit_param(r), &v, &n);
    else
        rc = desk_canned_find(r->srv->d, lang, http_query(r, "emotion"),
                              http_query(r, "category"), limit_param(r), &v, &n);
    if (rc)
        return http_fail(r, rc);
    return http_json(r, 200, json_pack("{s:o}", "responses", canned_list_json(v, n)));
}

static enum MHD_Result canned_get(struct req *r)
{
    struct canned_response c = {0};
    int rc = desk_canned_get(r->srv->d, r->id, &c);
    if (rc)
        return http_fail(r, rc);
    json_t *j = canned_json(&c);
    canned_response_clear(&c);
    return http_json(r, 200, j);
}

static const struct {
    const char *key;
    unsigned bit;
    size_t off;
} fields[] = {
    {"language", CANNED_LANGUAGE, offsetof(struct canned_response, language)},
    {"title", CANNED_TITLE, offsetof(struct canned_response, title)},
    {"body", CANNED_BODY, offsetof(struct canned_response, body)},
    {"emotion", CANNED_EMOTION, offsetof(struct canned_response, emotion)},
    {"category", CANNED_CATEGORY, offsetof(struct canned_response, category)},
};

/* POST (id 0: language, title, body required) and PATCH (the members
 * present; null clears a tag). */
static enum MHD_Result canned_save(struct req *r, int64_t id)
{
    json_t *b = http_body_object(r);
    if (!b)
        return MHD_YES;
    struct canned_response c = {.id = id};
    unsigned set = 0;
    bool ok = true;
    for (size_t i = 0; ok && i < sizeof fields / sizeof fields[0]; i++) {
        bool required = !id && fields[i].bit <= CANNED_BODY;
        const char *v = http_str(r, b, fields[i].key, required, &ok);
        if (ok && json_object_get(b, fields[i].key)) {
            *(const char **)((char *)&c + fields[i].off) = v;
            set |= fields[i].bit;
        }
    }
    if (!ok) {
        json_decref(b);
        return MHD_YES;
    }
    const char *bad = desk_canned_check(&c, set);
    if (bad) {
        json_decref(b);
        return http_error(r, 400, "invalid", "%s", bad);
    }
    int rc = desk_canned_save(r->srv->d, &r->who, &c, set);
    json_decref(b);
    if (rc)
        return http_fail(r, rc);
    json_t *j = canned_json(&c);
    canned_response_clear(&c);
    return http_json(r, id ? 200 : 201, j);
}

static enum MHD_Result canned_create(struct req *r)
{
    return canned_save(r, 0);
}

static enum MHD_Result canned_update(struct req *r)
{
    return canned_save(r, r->id);
}

static enum MHD_Result canned_delete(struct req *r)
{
    int rc = desk_canned_delete(r->srv->d, &r->who, r->id);
    if (rc)
        return http_fail(r, rc);
    return http_raw(r, 204, "application/json", NULL, 0, NULL, NULL);
}

/* GET /api/v1/tickets/{id}/guidance?language=xx — the guidance for the
 * ticket's detected emotion in the agent's language (default: the
 * ticket's), with the canned responses and articles that fit it. */
static enum MHD_Result ticket_guidance(struct req *r)
{
    struct store *st = desk_reader(r->srv->d);
    if (!st)
        return http_fail(r, PL_EUNAVAIL);
    struct ticket t = {0};
    int rc = st->ops->ticket_get(st, r->id, &t);
    if (rc)
        return http_fail(r, rc);
    const char *ui = http_query(r, "language");
    const char *lang = ui && *ui ? ui : t.language;
    char *g = coach_guidance_json(coach_guidance(t.emotion ? t.emotion : "neutral", lang));
    json_t *j = json_pack("{s:I,s:s?,s:s?,s:o}", "ticket_id", (json_int_t)t.id, "emotion",
                          t.emotion, "category", t.category, "guidance", json_loads(g, 0, NULL));
    free(g);
    struct canned_response *cv = NULL;
    size_t cn = 0;
    rc = desk_canned_suggest(r->srv->d, t.id, ui, 5, &cv, &cn);
    struct kb_article *av = NULL;
    size_t an = 0;
    if (!rc)
        rc = desk_kb_suggest(r->srv->d, t.id, 3, &av, &an);
    ticket_clear(&t);
    if (rc) {
        store_free_canned(cv, cn);
        json_decref(j);
        return http_fail(r, rc);
    }
    json_object_set_new(j, "canned", canned_list_json(cv, cn));
    json_object_set_new(j, "articles", http_articles_json(av, an, false));
    return http_json(r, 200, j);
}

static const struct http_subroute kroutes[] = {
    {"GET", "/api/v1/canned", false, NULL, HTTP_STAFF, canned_list},
    {"POST", "/api/v1/canned", false, NULL, HTTP_ADMIN, canned_create},
    {"GET", "/api/v1/canned/", true, "", HTTP_STAFF, canned_get},
    {"PATCH", "/api/v1/canned/", true, "", HTTP_ADMIN, canned_update},
    {"DELETE", "/api/v1/canned/", true, "", HTTP_ADMIN, canned_delete},
    {"GET", "/api/v1/tickets/", true, "/guidance", HTTP_STAFF, ticket_guidance},
};

enum MHD_Result http_route_canned(struct req *r, bool *handled)
{
    return http_subroute(r, kroutes, sizeof kroutes / sizeof kroutes[0], handled);
}
