/* routes_extra.c — routes over the engines: text analysis, agent guidance
 * and tone check, the tamper-evident log, live metrics, and the triage
 * configuration. */
#include "http/http_internal.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "coach/coach.h"
#include "ledger/ledger.h"
#include "text/text.h"
#include "triage/triage.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { A_PUBLIC = HTTP_PUBLIC, A_ANY = HTTP_ANY, A_INGEST = HTTP_INGEST, A_STAFF = HTTP_STAFF,
       A_SUPERVISOR = HTTP_SUPERVISOR, A_ADMIN = HTTP_ADMIN };

static enum MHD_Result text_reply(struct req *r, unsigned status, const char *type, char *s)
{
    return http_raw(r, status, type, s, strlen(s), NULL, NULL);
}

/* POST /api/v1/analyze {"text"} — what Parley reads in a message. */
static enum MHD_Result analyze(struct req *r)
{
    if (!r->srv->te)
        return http_error(r, 503, "unavailable", "no text models are loaded");
    json_t *b = http_body_object(r);
    if (!b)
        return MHD_YES;
    bool ok = true;
    const char *text = http_str(r, b, "text", true, &ok);
    if (!ok) {
        json_decref(b);
        return MHD_YES;
    }
    struct text_analysis a;
    int rc = text_analyze(r->srv->te, text, strlen(text), &a);
    json_decref(b);
    if (rc)
        return http_fail(r, rc);
    struct buf out = BUF_INIT;
    text_analysis_json(&a, &out);
    return text_reply(r, 200, "application/json; charset=utf-8", buf_detach(&out, NULL));
}

/* GET /api/v1/guidance?emotion=anger&language=ru */
static enum MHD_Result guidance(struct req *r)
{
    const char *emo = http_query(r, "emotion"), *lang = http_query(r, "language");
    const struct coach_guidance *g = coach_guidance(emo ? emo : "neutral", lang ? lang : "en");
    if (!g)
        return http_error(r, 404, "not_found", "no guidance for that emotion and language");
    return text_reply(r, 200, "application/json; charset=utf-8", coach_guidance_json(g));
}

/* POST /api/v1/tone-check {"text","language","emotion"?} */
static enum MHD_Result tone_check(struct req *r)
{
    json_t *b = http_body_object(r);
    if (!b)
        return MHD_YES;
    bool ok = true;
    const char *text = http_str(r, b, "text", true, &ok);
    const char *lang = ok ? http_str(r, b, "language", false, &ok) : NULL;
    const char *emo = ok ? http_str(r, b, "emotion", false, &ok) : NULL;
    if (!ok) {
        json_decref(b);
        return MHD_YES;
    }
    struct coach_tone_result res = {0};
    int rc = coach_tone_check(text, strlen(text), lang ? lang : "en", emo, &res);
    if (rc) {
        json_decref(b);
        return http_fail(r, rc);
    }
    char *s = coach_tone_json(text, &res);
    coach_tone_release(&res);
    json_decref(b);
    return text_reply(r, 200, "application/json; charset=utf-8", s);
}

/* ---- the log --------------------------------------------------------------- */

static int u64_param(struct req *r, const char *name, uint64_t *out);

/* GET /api/v1/ledger/checkpoint[?size=N | ?cosigned=1] — the signed
 * checkpoint with the witnesses' cosignatures as further signature lines. */
static enum MHD_Result ledger_checkpoint(struct req *r)
{
    char *note = NULL;
    uint64_t size = 0;
    const char *cosigned = http_query(r, "cosigned");
    if (http_query(r, "size") && (u64_param(r, "size", &size) || size == 0 || size > INT64_MAX))
        return http_error(r, 400, "invalid", "size is a positive tree size");
    int rc = desk_ledger_cosigned(r->srv->d, cosigned && strcmp(cosigned, "0") ? -1 : (int64_t)size,
                                  &note);
    if (rc == PL_ENOTFOUND)
        return http_error(r, 404, "not_found", size ? "no checkpoint of that size was signed"
                                                    : "no checkpoint has been cosigned yet");
    if (rc)
        return http_fail(r, rc);
    return text_reply(r, 200, "text/plain; charset=utf-8", note);
}

/* POST /api/v1/ledger/cosignatures — a witness sends a checkpoint of this
 * log with its cosignature line added (text/plain). The signature is the
 * credential: only registered witness keys are accepted. */
static enum MHD_Result ledger_cosign(struct req *r)
{
    const char *ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Type");
    if (ct && strncasecmp(ct, "text/plain", 10) != 0)
        return http_error(r, 415, "unsupported_media_type",
                          "send the cosigned checkpoint as text/plain");
    char *why = NULL;
    int stored = 0;
    int rc = desk_ledger_cosign(r->srv->d, buf_str(&r->body), r->body.len, &stored, &why);
    enum MHD_Result res;
    switch (rc) {
    case 0:
        res = http_json(r, 201, json_pack("{s:i}", "stored", stored));
        break;
    case PL_EPARSE: case PL_EINVAL: case PL_ECRYPTO: case PL_ETOOBIG:
        res = http_error(r, 400, "invalid", "%s", why ? why : "not a cosigned checkpoint");
        break;
    case PL_EFORBIDDEN:
        res = http_error(r, 403, "forbidden", "%s", why);
        break;
    case PL_ECONFLICT:
        res = http_error(r, 409, "conflict", "%s", why);
        break;
    default:
        res = http_fail(r, rc);
    }
    free(why);
    return res;
}

static json_t *witness_json(const struct witness *w)
{
    return json_pack("{s:I,s:s,s:s,s:o}", "id", (json_int_t)w->id, "name", w->name, "key",
                     w->vkey, "created_at", http_time(w->created_at));
}

/* GET /api/v1/ledger/witnesses — whose cosignatures the log accepts. */
static enum MHD_Result ledger_witnesses(struct req *r)
{
    struct witness *w = NULL;
    size_t n = 0;
    int rc = desk_witness_list(r->srv->d, &w, &n);
    if (rc)
        return http_fail(r, rc);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, witness_json(&w[i]));
    store_free_witnesses(w, n);
    return http_json(r, 200, json_pack("{s:o}", "witnesses", arr));
}

/* POST /api/v1/ledger/witnesses {"key"} — admin registers a witness. */
static enum MHD_Result ledger_witness_add(struct req *r)
{
    json_t *b = http_body_object(r);
    if (!b)
        return MHD_YES;
    bool ok = true;
    const char *key = http_str(r, b, "key", true, &ok);
    if (!ok) {
        json_decref(b);
        return MHD_YES;
    }
    struct witness w = {0};
    int rc = desk_witness_add(r->srv->d, &r->who, key, &w);
    json_decref(b);
    if (rc == PL_EPARSE)
        return http_error(r, 400, "invalid", "key is not a verifier key (name+id+base64)");
    if (rc == PL_EEXISTS)
        return http_error(r, 409, "exists", "a witness of that name is registered");
    if (rc)
        return http_fail(r, rc);
    json_t *j = witness_json(&w);
    witness_clear(&w);
    return http_json(r, 201, j);
}

static enum MHD_Result ledger_key(struct req *r)
{
    char *vkey = desk_ledger_vkey(r->srv->d);
    if (!vkey)
        return http_error(r, 503, "unavailable", "the log has no signing key");
    size_t n = strlen(vkey);
    vkey = xrealloc(vkey, n + 2);
    vkey[n] = '\n';
    vkey[n + 1] = '\0';
    return text_reply(r, 200, "text/plain; charset=utf-8", vkey);
}

static enum MHD_Result ledger_receipt(struct req *r)
{
    char *json = NULL;
    const char *c = http_query(r, "cosigned");
    int rc = c && strcmp(c, "0") ? desk_ledger_receipt_cosigned(r->srv->d, r->id, &json)
                                  : desk_ledger_receipt(r->srv->d, r->id, &json);
    if (rc == PL_ESTATE)
        return http_error(r, 409, "not_yet", "the event is newer than the latest cosigned "
                                             "checkpoint");
    if (rc)
        return http_fail(r, rc);
    return text_reply(r, 200, "application/json; charset=utf-8", json);
}

static int u64_param(struct req *r, const char *name, uint64_t *out)
{
    const char *v = http_query(r, name);
    char *end;
    if (!v || !*v)
        return -1;
    unsigned long long x = strtoull(v, &end, 10);
    if (*end || v[0] == '-')
        return -1;
    *out = x;
    return 0;
}

static json_t *proof_json(uint8_t proof[][32], size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        char b64[LEDGER_HASH_B64_LEN];
        ledger_hash_to_b64(proof[i], b64);
        json_array_append_new(arr, json_string(b64));
    }
    return arr;
}

/* GET /api/v1/ledger/proof/inclusion?index=I&size=N */
static enum MHD_Result ledger_inclusion(struct req *r)
{
    uint64_t index, size;
    if (u64_param(r, "index", &index) || u64_param(r, "size", &size))
        return http_error(r, 400, "invalid", "index and size are required non-negative integers");
    uint8_t proof[LEDGER_MAX_PROOF][32];
    size_t n = 0;
    int rc = desk_ledger_inclusion(r->srv->d, index, size, proof, &n);
    if (rc == PL_EINVAL)
        return http_error(r, 400, "invalid", "index must be below size, size at most %llu",
                          (unsigned long long)desk_ledger_size(r->srv->d));
    if (rc)
        return http_fail(r, rc);
    return http_json(r, 200, json_pack("{s:I,s:I,s:o}", "index", (json_int_t)index, "size",
                                       (json_int_t)size, "proof", proof_json(proof, n)));
}

/* GET /api/v1/ledger/proof/consistency?first=M&second=N */
static enum MHD_Result ledger_consistency(struct req *r)
{
    uint64_t a, b;
    if (u64_param(r, "first", &a) || u64_param(r, "second", &b))
        return http_error(r, 400, "invalid", "first and second are required tree sizes");
    uint8_t proof[LEDGER_MAX_PROOF][32];
    size_t n = 0;
    int rc = desk_ledger_consistency(r->srv->d, a, b, proof, &n);
    if (rc == PL_EINVAL)
        return http_error(r, 400, "invalid", "need first <= second <= %llu",
                          (unsigned long long)desk_ledger_size(r->srv->d));
    if (rc)
        return http_fail(r, rc);
    return http_json(r, 200, json_pack("{s:I,s:I,s:o}", "first", (json_int_t)a, "second",
                                       (json_int_t)b, "proof", proof_json(proof, n)));
}

/* ---- metrics ---------------------------------------------------------------- */

/* GET /api/v1/metrics?from=ISO&to=ISO&dim=all|agent|category|channel|priority
 *                    &value=...&periods=N&granularity=day|hour */
static enum MHD_Result metrics(struct req *r)
{
    int64_t now = clock_now_ms(), from = now - 30LL * 86400000, to = now + 1;
    const char *v;
    if ((v = http_query(r, "from")) && clock_parse(v, &from))
        return http_error(r, 400, "invalid", "from must be an ISO 8601 date");
    if ((v = http_query(r, "to")) && clock_parse(v, &to))
        return http_error(r, 400, "invalid", "to must be an ISO 8601 date");
    if (to <= from)
        return http_error(r, 400, "invalid", "to must be after from");
    enum insight_dim dim = INSIGHT_DIM_ALL;
    if ((v = http_query(r, "dim")) && insight_dim_parse(v, &dim))
        return http_error(r, 400, "invalid", "unknown dim '%s'", v);
    enum insight_gran gran = INSIGHT_DAY;
    if ((v = http_query(r, "granularity")) && strcmp(v, "day")) {
        if (strcmp(v, "hour"))
            return http_error(r, 400, "invalid", "granularity is day or hour");
        gran = INSIGHT_HOUR;
    }
    int64_t value = 0;
    if ((v = http_query(r, "value"))) {
        enum channel c;
        enum priority p;
        char *end;
        if (dim == INSIGHT_DIM_CATEGORY)
            value = desk_category_id(r->srv->d, v);
        else if (dim == INSIGHT_DIM_CHANNEL && channel_parse(v, &c) == 0)
            value = c;
        else if (dim == INSIGHT_DIM_PRIORITY && priority_parse(v, &p) == 0)
            value = p;
        else if ((value = strtoll(v, &end, 10)) <= 0 || *end)
            return http_error(r, 400, "invalid", "value '%s' does not fit dim", v);
    }
    int periods = 1;
    if ((v = http_query(r, "periods"))) {
        periods = atoi(v);
        if (periods < 1 || periods > 366)
            return http_error(r, 400, "invalid", "periods is 1 to 366");
    }
    struct insight_report *rep = xcalloc((size_t)periods, sizeof *rep);
    double slope = NAN;
    if (periods == 1)
        desk_report(r->srv->d, gran, from, to, dim, value, rep);
    else
        desk_report_series(r->srv->d, gran, from, to, periods, dim, value, rep, &slope);
    json_t *series = json_array();
    for (int i = 0; i < periods; i++)
        json_array_append_new(series, insight_report_to_json(&rep[i]));
    free(rep);
    json_t *j = json_pack("{s:o}", "series", series);
    json_object_set_new(j, "ttr_slope_ms_per_period", isnan(slope) ? json_null() : json_real(slope));
    return http_json(r, 200, j);
}

/* ---- triage configuration ------------------------------------------------------ */

static enum MHD_Result get_triage_config(struct req *r)
{
    struct triage_config c;
    int rc = desk_triage_config(r->srv->d, &c);
    if (rc)
        return http_fail(r, rc);
    return text_reply(r, 200, "application/json; charset=utf-8", triage_config_to_json(&c));
}

static enum MHD_Result put_triage_config(struct req *r)
{
    struct triage_config c;
    int rc = desk_triage_config(r->srv->d, &c);
    if (rc)
        return http_fail(r, rc);
    char err[300];
    if (triage_config_from_json(buf_str(&r->body), &c, err, sizeof err) != 0)
        return http_error(r, 400, "invalid", "%s", err);
    if ((rc = desk_set_triage_config(r->srv->d, &r->who, &c)))
        return http_fail(r, rc);
    return get_triage_config(r);
}

struct xroute {
    const char *method, *prefix;
    bool with_id;                 /* prefix followed by a positive id */
    int access;
    enum MHD_Result (*fn)(struct req *r);
};

static const struct xroute xroutes[] = {
    {"POST", "/api/v1/analyze", false, A_INGEST, analyze},
    {"GET", "/api/v1/guidance", false, A_STAFF, guidance},
    {"POST", "/api/v1/tone-check", false, A_STAFF, tone_check},
    {"GET", "/api/v1/ledger/checkpoint", false, A_PUBLIC, ledger_checkpoint},
    {"GET", "/api/v1/ledger/key", false, A_PUBLIC, ledger_key},
    {"POST", "/api/v1/ledger/cosignatures", false, A_PUBLIC, ledger_cosign},
    {"GET", "/api/v1/ledger/witnesses", false, A_PUBLIC, ledger_witnesses},
    {"POST", "/api/v1/ledger/witnesses", false, A_ADMIN, ledger_witness_add},
    {"GET", "/api/v1/ledger/receipts/", true, A_STAFF, ledger_receipt},
    {"GET", "/api/v1/ledger/proof/inclusion", false, A_PUBLIC, ledger_inclusion},
    {"GET", "/api/v1/ledger/proof/consistency", false, A_PUBLIC, ledger_consistency},
    {"GET", "/api/v1/metrics", false, A_SUPERVISOR, metrics},
    {"GET", "/api/v1/config/triage", false, A_SUPERVISOR, get_triage_config},
    {"PUT", "/api/v1/config/triage", false, A_ADMIN, put_triage_config},
};

enum MHD_Result http_route_extra(struct req *r, bool *handled)
{
    bool known = false;
    for (size_t i = 0; i < sizeof xroutes / sizeof xroutes[0]; i++) {
        const struct xroute *x = &xroutes[i];
        size_t n = strlen(x->prefix);
        if (x->with_id) {
            char *end;
            if (strncmp(r->path, x->prefix, n) != 0 || r->path[n] < '1' || r->path[n] > '9')
                continue;
            long long id = strtoll(r->path + n, &end, 10);
            if (*end)
                continue;
            r->id = id;
        } else if (strcmp(r->path, x->prefix) != 0) {
            continue;
        }
        known = true;
        if (strcmp(r->method, x->method) != 0)
            continue;
        *handled = true;
        if (!http_access(r, x->access))
            return MHD_YES;
        return x->fn(r);
    }
    if (known) {
        *handled = true;
        return http_error(r, 405, "method_not_allowed", "%s is not allowed here", r->method);
    }
    return MHD_YES;
}
