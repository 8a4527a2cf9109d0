/* config.c — triage configuration: defaults and the admin-editable JSON
 * (jansson). Loading is strict: unknown keys and bad values are errors
 * that name the key, so a typo never silently falls back to a default. */
#include "triage/triage.h"

#include "base/clock.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const day_key[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
static const char *const tier_key[4] = {"none", "silver", "gold", "vip"};

void triage_config_default(struct triage_config *c)
{
    memset(c, 0, sizeof *c);
    c->anger_high = 0.7;
    c->anger_moderate = 0.4;
    c->frustration_high = 0.7;
    c->anxiety_high = 0.7;
    c->negative_sentiment = -0.6;
    c->rise_min = 0.15;
    c->wait_min = 60;
    c->wait_long_min = 240;
    c->repeat_some = 1;
    c->repeat_many = 3;
    c->tier_points[0] = 0;
    c->tier_points[1] = 0;
    c->tier_points[2] = 1;
    c->tier_points[3] = 2;
    c->high_value = 0;
    c->high_score = 3;
    c->urgent_score = 6;
    c->target[PRIORITY_LOW] = (struct triage_target){540, 1080, 2700};
    c->target[PRIORITY_NORMAL] = (struct triage_target){240, 480, 1620};
    c->target[PRIORITY_HIGH] = (struct triage_target){60, 120, 540};
    c->target[PRIORITY_URGENT] = (struct triage_target){15, 30, 240};
    c->hours_enabled = true;
    for (int d = 0; d < 7; d++) {
        c->open_min[d] = d < 5 ? 9 * 60 : 0;
        c->close_min[d] = d < 5 ? 18 * 60 : 0;
    }
    c->utc_offset_min = 0;
    c->pause_when_pending = true;
    c->max_hostile_in_a_row = 2;
    c->pause_after_intense_min = 5;
    c->hostile_threshold = 0.6;
    c->intense_threshold = 0.8;
    c->esc_anger_enabled = true;
    c->esc_anger_threshold = 0.7;
    c->esc_sla_enabled = true;
    c->esc_sla_window_min = 30;
    c->esc_cues_enabled = true;
    c->esc_cue_mask = TRIAGE_CUE_LEGAL | TRIAGE_CUE_REGULATOR | TRIAGE_CUE_PRESS;
    c->intent_min_confidence = 0.5;
    static const char *const map[][2] = {
        {"refund", "billing"},          {"billing_error", "billing"},
        {"payment", "billing"},         {"delivery_delay", "delivery"},
        {"delivery", "delivery"},       {"cancel", "retention"},
        {"account_access", "account"},  {"technical", "technical"},
        {"product_defect", "returns"},  {"return", "returns"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        snprintf(c->intent[i], TRIAGE_NAME_MAX, "%s", map[i][0]);
        snprintf(c->category[i], TRIAGE_NAME_MAX, "%s", map[i][1]);
    }
    c->n_intents = (int)(sizeof map / sizeof map[0]);
}

/* ---- loading ----------------------------------------------------------- */

struct rd {
    char *err;
    size_t errlen;
    int rc;
};

__attribute__((format(printf, 2, 3)))
static int fail(struct rd *r, const char *fmt, ...)
{
    if (r->rc == 0 && r->errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->err, r->errlen, fmt, ap);
        va_end(ap);
    }
    if (r->rc == 0)
        r->rc = PL_EINVAL;
    return r->rc;
}

/* Every key of obj must be in the NULL-terminated list. */
static int only_keys(struct rd *r, const json_t *obj, const char *where, const char *const *keys)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v) {
        bool ok = false;
        for (size_t i = 0; keys[i]; i++)
            if (strcmp(k, keys[i]) == 0)
                ok = true;
        if (!ok)
            return fail(r, "%s: unknown key \"%s\"", where, k);
    }
    return 0;
}

static int get_obj(struct rd *r, const json_t *o, const char *key, const char *where, json_t **out)
{
    *out = json_object_get(o, key);
    if (*out && !json_is_object(*out))
        return fail(r, "%s.%s: must be an object", where, key);
    return 0;
}

static int get_num(struct rd *r, const json_t *o, const char *key, const char *where,
                   double lo, double hi, double *dst)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return 0;
    if (!json_is_number(v))
        return fail(r, "%s.%s: must be a number", where, key);
    double d = json_number_value(v);
    if (!(d >= lo && d <= hi))
        return fail(r, "%s.%s: %g is out of range [%g, %g]", where, key, d, lo, hi);
    *dst = d;
    return 0;
}

static int get_int(struct rd *r, const json_t *o, const char *key, const char *where,
                   int lo, int hi, int *dst)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return 0;
    if (!json_is_integer(v))
        return fail(r, "%s.%s: must be an integer", where, key);
    json_int_t i = json_integer_value(v);
    if (i < lo || i > hi)
        return fail(r, "%s.%s: %lld is out of range [%d, %d]", where, key, (long long)i, lo, hi);
    *dst = (int)i;
    return 0;
}

static int get_bool(struct rd *r, const json_t *o, const char *key, const char *where, bool *dst)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return 0;
    if (!json_is_boolean(v))
        return fail(r, "%s.%s: must be true or false", where, key);
    *dst = json_is_true(v);
    return 0;
}

/* "HH:MM" → minutes since midnight; "24:00" allowed as a closing time. */
static int parse_hhmm(const char *s, int *min)
{
    int h, m;
    char tail;
    if (strlen(s) != 5 || sscanf(s, "%2d:%2d%c", &h, &m, &tail) != 2)
        return -1;
    if (h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0))
        return -1;
    *min = h * 60 + m;
    return 0;
}

static int load_priority(struct rd *r, const json_t *p, struct triage_config *c)
{
    static const char *const keys[] = {"anger_high", "anger_moderate", "frustration_high",
        "anxiety_high", "negative_sentiment", "rise_min", "wait_minutes", "wait_long_minutes",
        "repeat_some", "repeat_many", "tier_points", "high_value", "high_score",
        "urgent_score", NULL};
    const char *w = "priority";
    if (only_keys(r, p, w, keys))
        return r->rc;
    get_num(r, p, "anger_high", w, 0, 1, &c->anger_high);
    get_num(r, p, "anger_moderate", w, 0, 1, &c->anger_moderate);
    get_num(r, p, "frustration_high", w, 0, 1, &c->frustration_high);
    get_num(r, p, "anxiety_high", w, 0, 1, &c->anxiety_high);
    get_num(r, p, "negative_sentiment", w, -1, 1, &c->negative_sentiment);
    get_num(r, p, "rise_min", w, 0, 1, &c->rise_min);
    get_int(r, p, "wait_minutes", w, 0, 100000, &c->wait_min);
    get_int(r, p, "wait_long_minutes", w, 0, 100000, &c->wait_long_min);
    get_int(r, p, "repeat_some", w, 0, 1000, &c->repeat_some);
    get_int(r, p, "repeat_many", w, 0, 1000, &c->repeat_many);
    get_num(r, p, "high_value", w, 0, 1e15, &c->high_value);
    get_int(r, p, "high_score", w, 1, 100, &c->high_score);
    get_int(r, p, "urgent_score", w, 1, 100, &c->urgent_score);
    json_t *tp;
    if (get_obj(r, p, "tier_points", w, &tp) == 0 && tp) {
        if (only_keys(r, tp, "priority.tier_points",
                      (const char *const[]){"none", "silver", "gold", "vip", NULL}))
            return r->rc;
        for (int i = 0; i < 4; i++)
            get_int(r, tp, tier_key[i], "priority.tier_points", 0, 10, &c->tier_points[i]);
    }
    if (r->rc == 0 && c->anger_moderate > c->anger_high)
        fail(r, "priority: anger_moderate must not exceed anger_high");
    if (r->rc == 0 && c->urgent_score < c->high_score)
        fail(r, "priority: urgent_score must not be below high_score");
    return r->rc;
}

static int load_sla(struct rd *r, const json_t *s, struct triage_config *c)
{
    static const char *const keys[] = {"low", "normal", "high", "urgent", NULL};
    static const char *const tkeys[] = {"first_minutes", "next_minutes", "resolve_minutes", NULL};
    if (only_keys(r, s, "sla", keys))
        return r->rc;
    for (int p = 0; p < PRIORITY__COUNT; p++) {
        json_t *t;
        char where[32];
        snprintf(where, sizeof where, "sla.%s", keys[p]);
        if (get_obj(r, s, keys[p], "sla", &t) || !t)
            continue;
        if (only_keys(r, t, where, tkeys))
            return r->rc;
        get_int(r, t, "first_minutes", where, 0, 525600, &c->target[p].first_min);
        get_int(r, t, "next_minutes", where, 0, 525600, &c->target[p].next_min);
        get_int(r, t, "resolve_minutes", where, 0, 5256000, &c->target[p].resolve_min);
    }
    return r->rc;
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static int load_hours(struct rd *r, const json_t *h, struct triage_config *c)
{
    static const char *const keys[] = {"enabled", "utc_offset_minutes", "week", "holidays", NULL};
    const char *w = "business_hours";
    if (only_keys(r, h, w, keys))
        return r->rc;
    get_bool(r, h, "enabled", w, &c->hours_enabled);
    get_int(r, h, "utc_offset_minutes", w, -14 * 60, 14 * 60, &c->utc_offset_min);
    json_t *week;
    if (get_obj(r, h, "week", w, &week) == 0 && week) {
        if (only_keys(r, week, "business_hours.week",
                      (const char *const[]){"mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL}))
            return r->rc;
        for (int d = 0; d < 7; d++) {
            json_t *v = json_object_get(week, day_key[d]);
            if (!v)
                continue;
            if (json_is_null(v)) {
                c->open_min[d] = c->close_min[d] = 0;
                continue;
            }
            int o, cl;
            if (!json_is_array(v) || json_array_size(v) != 2 ||
                !json_is_string(json_array_get(v, 0)) || !json_is_string(json_array_get(v, 1)) ||
                parse_hhmm(json_string_value(json_array_get(v, 0)), &o) ||
                parse_hhmm(json_string_value(json_array_get(v, 1)), &cl) || o >= cl)
                return fail(r, "business_hours.week.%s: expected [\"HH:MM\", \"HH:MM\"] "
                               "with opening before closing, or null", day_key[d]);
            c->open_min[d] = o;
            c->close_min[d] = cl;
        }
    }
    json_t *hol = json_object_get(h, "holidays");
    if (hol) {
        if (!json_is_array(hol) || json_array_size(hol) > TRIAGE_MAX_HOLIDAYS)
            return fail(r, "business_hours.holidays: expected an array of at most %d dates",
                        TRIAGE_MAX_HOLIDAYS);
        size_t i;
        json_t *v;
        c->n_holidays = 0;
        json_array_foreach(hol, i, v) {
            int64_t ms;
            const char *s = json_string_value(v);
            if (!s || strlen(s) != 10 || clock_parse(s, &ms) != 0)
                return fail(r, "business_hours.holidays[%zu]: expected \"YYYY-MM-DD\"", i);
            c->holidays[c->n_holidays++] = (int32_t)(ms / 86400000);
        }
        qsort(c->holidays, (size_t)c->n_holidays, sizeof c->holidays[0], cmp_i32);
    }
    if (r->rc == 0 && c->hours_enabled) {
        bool any = false;
        for (int d = 0; d < 7; d++)
            any = any || c->open_min[d] < c->close_min[d];
        if (!any)
            fail(r, "business_hours.week: no open day (disable business hours instead)");
    }
    return r->rc;
}

static int load_routing(struct rd *r, const json_t *o, struct triage_config *c)
{
    static const char *const keys[] = {"max_hostile_in_a_row", "pause_after_intense_minutes",
                                       "hostile_threshold", "intense_threshold", NULL};
    const char *w = "routing";
    if (only_keys(r, o, w, keys))
        return r->rc;
    get_int(r, o, "max_hostile_in_a_row", w, 1, 1000, &c->max_hostile_in_a_row);
    get_int(r, o, "pause_after_intense_minutes", w, 0, 1440, &c->pause_after_intense_min);
    get_num(r, o, "hostile_threshold", w, 0, 1, &c->hostile_threshold);
    get_num(r, o, "intense_threshold", w, 0, 1, &c->intense_threshold);
    return r->rc;
}

static int load_escalation(struct rd *r, const json_t *o, struct triage_config *c)
{
    static const char *const keys[] = {"anger_rising", "sla_breach", "cues", NULL};
    if (only_keys(r, o, "escalation", keys))
        return r->rc;
    json_t *a, *s, *q;
    if (get_obj(r, o, "anger_rising", "escalation", &a) == 0 && a) {
        if (only_keys(r, a, "escalation.anger_rising",
                      (const char *const[]){"enabled", "threshold", NULL}))
            return r->rc;
        get_bool(r, a, "enabled", "escalation.anger_rising", &c->esc_anger_enabled);
        get_num(r, a, "threshold", "escalation.anger_rising", 0, 1, &c->esc_anger_threshold);
    }
    if (get_obj(r, o, "sla_breach", "escalation", &s) == 0 && s) {
        if (only_keys(r, s, "escalation.sla_breach",
                      (const char *const[]){"enabled", "window_minutes", NULL}))
            return r->rc;
        get_bool(r, s, "enabled", "escalation.sla_breach", &c->esc_sla_enabled);
        get_int(r, s, "window_minutes", "escalation.sla_breach", 0, 10080, &c->esc_sla_window_min);
    }
    if (get_obj(r, o, "cues", "escalation", &q) == 0 && q) {
        if (only_keys(r, q, "escalation.cues", (const char *const[]){"enabled", "cues", NULL}))
            return r->rc;
        get_bool(r, q, "enabled", "escalation.cues", &c->esc_cues_enabled);
        json_t *list = json_object_get(q, "cues");
        if (list) {
            if (!json_is_array(list))
                return fail(r, "escalation.cues.cues: expected an array of cue names");
            unsigned mask = 0, bit;
            size_t i;
            json_t *v;
            json_array_foreach(list, i, v) {
                if (!json_is_string(v) || triage_cue_parse(json_string_value(v), &bit) != 0)
                    return fail(r, "escalation.cues.cues[%zu]: unknown cue (cancel, legal, "
                                   "regulator, press, review, profanity, insult)", i);
                mask |= bit;
            }
            c->esc_cue_mask = mask;
        }
    }
    return r->rc;
}

static int load_categories(struct rd *r, const json_t *o, struct triage_config *c)
{
    if (only_keys(r, o, "categories", (const char *const[]){"min_confidence", "map", NULL}))
        return r->rc;
    get_num(r, o, "min_confidence", "categories", 0, 1, &c->intent_min_confidence);
    json_t *map;
    if (get_obj(r, o, "map", "categories", &map) || !map)
        return r->rc;
    if (json_object_size(map) > TRIAGE_MAX_INTENTS)
        return fail(r, "categories.map: at most %d intents", TRIAGE_MAX_INTENTS);
    const char *k;
    json_t *v;
    int n = 0;
    json_object_foreach(map, k, v) {
        const char *cat = json_string_value(v);
        if (!cat || !*k || strlen(k) >= TRIAGE_NAME_MAX || strlen(cat) >= TRIAGE_NAME_MAX)
            return fail(r, "categories.map.%s: expected a category name shorter than %d bytes",
                        k, TRIAGE_NAME_MAX);
        snprintf(c->intent[n], TRIAGE_NAME_MAX, "%s", k);
        snprintf(c->category[n], TRIAGE_NAME_MAX, "%s", cat);
        n++;
    }
    c->n_intents = n;
    return r->rc;
}

int triage_config_from_json(const char *text, struct triage_config *out, char *err, size_t errlen)
{
    struct rd r = {err, errlen, 0};
    if (errlen > 0)
        err[0] = '\0';
    json_error_t je;
    json_t *root = json_loads(text ? text : "", JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        if (errlen > 0)
            snprintf(err, errlen, "triage config: line %d column %d: %s", je.line, je.column,
                     je.text);
        return PL_EPARSE;
    }
    struct triage_config c = *out;
    static const char *const keys[] = {"priority", "sla", "business_hours",
        "pause_sla_while_pending", "routing", "escalation", "categories", NULL};
    json_t *o;
    if (!json_is_object(root)) {
        fail(&r, "triage config: the top level must be an object");
        goto out;
    }
    if (only_keys(&r, root, "triage config", keys))
        goto out;
    if (get_obj(&r, root, "priority", "config", &o) == 0 && o)
        load_priority(&r, o, &c);
    if (r.rc == 0 && get_obj(&r, root, "sla", "config", &o) == 0 && o)
        load_sla(&r, o, &c);
    if (r.rc == 0 && get_obj(&r, root, "business_hours", "config", &o) == 0 && o)
        load_hours(&r, o, &c);
    if (r.rc == 0)
        get_bool(&r, root, "pause_sla_while_pending", "config", &c.pause_when_pending);
    if (r.rc == 0 && get_obj(&r, root, "routing", "config", &o) == 0 && o)
        load_routing(&r, o, &c);
    if (r.rc == 0 && get_obj(&r, root, "escalation", "config", &o) == 0 && o)
        load_escalation(&r, o, &c);
    if (r.rc == 0 && get_obj(&r, root, "categories", "config", &o) == 0 && o)
        load_categories(&r, o, &c);
out:
    json_decref(root);
    if (r.rc == 0)
        *out = c;
    return r.rc;
}

int triage_config_load(const char *path, struct triage_config *c, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errlen > 0)
            snprintf(err, errlen, "%s: cannot open", path);
        return PL_EIO;
    }
    char *text = NULL;
    size_t len = 0, cap = 0, n;
    char chunk[4096];
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + n + 1 > cap) {
            cap = (len + n + 1) * 2;
            text = xrealloc(text, cap);
        }
        memcpy(text + len, chunk, n);
        len += n;
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad || len > (1u << 20)) {
        free(text);
        if (errlen > 0)
            snprintf(err, errlen, "%s: %s", path, bad ? "read error" : "too large");
        return bad ? PL_EIO : PL_ETOOBIG;
    }
    if (!text)
        text = xstrdup("");
    else
        text[len] = '\0';
    int rc = triage_config_from_json(text, c, err, errlen);
    free(text);
    return rc;
}

/* ---- saving ------------------------------------------------------------ */

static json_t *hhmm(int min)
{
    char s[16];
    snprintf(s, sizeof s, "%02d:%02d", (min / 60) % 100, min % 60);
    return json_string(s);
}

char *triage_config_to_json(const struct triage_config *c)
{
    json_t *root = json_object();
    json_t *tp = json_object();
    for (int i = 0; i < 4; i++)
        json_object_set_new(tp, tier_key[i], json_integer(c->tier_points[i]));
    json_object_set_new(root, "priority", json_pack("{s:f,s:f,s:f,s:f,s:f,s:f,s:i,s:i,s:i,s:i,s:o,s:f,s:i,s:i}",
        "anger_high", c->anger_high, "anger_moderate", c->anger_moderate,
        "frustration_high", c->frustration_high, "anxiety_high", c->anxiety_high,
        "negative_sentiment", c->negative_sentiment, "rise_min", c->rise_min,
        "wait_minutes", c->wait_min, "wait_long_minutes", c->wait_long_min,
        "repeat_some", c->repeat_some, "repeat_many", c->repeat_many,
        "tier_points", tp, "high_value", c->high_value,
        "high_score", c->high_score, "urgent_score", c->urgent_score));
    json_t *sla = json_object();
    for (int p = 0; p < PRIORITY__COUNT; p++)
        json_object_set_new(sla, priority_name((enum priority)p),
            json_pack("{s:i,s:i,s:i}", "first_minutes", c->target[p].first_min,
                      "next_minutes", c->target[p].next_min,
                      "resolve_minutes", c->target[p].resolve_min));
    json_object_set_new(root, "sla", sla);
    json_t *week = json_object();
    for (int d = 0; d < 7; d++)
        json_object_set_new(week, day_key[d], c->open_min[d] < c->close_min[d]
            ? json_pack("[o,o]", hhmm(c->open_min[d]), hhmm(c->close_min[d])) : json_null());
    json_t *hol = json_array();
    for (int i = 0; i < c->n_holidays; i++) {
        char iso[CLOCK_ISO_LEN];
        clock_format((int64_t)c->holidays[i] * 86400000, iso);
        json_array_append_new(hol, json_stringn(iso, 10));
    }
    json_object_set_new(root, "business_hours", json_pack("{s:b,s:i,s:o,s:o}",
        "enabled", c->hours_enabled, "utc_offset_minutes", c->utc_offset_min,
        "week", week, "holidays", hol));
    json_object_set_new(root, "pause_sla_while_pending", json_boolean(c->pause_when_pending));
    json_object_set_new(root, "routing", json_pack("{s:i,s:i,s:f,s:f}",
        "max_hostile_in_a_row", c->max_hostile_in_a_row,
        "pause_after_intense_minutes", c->pause_after_intense_min,
        "hostile_threshold", c->hostile_threshold, "intense_threshold", c->intense_threshold));
    json_t *cues = json_array();
    for (unsigned b = 0; b < TRIAGE_CUE__COUNT; b++)
        if (c->esc_cue_mask & (1u << b))
            json_array_append_new(cues, json_string(triage_cue_name(1u << b)));
    json_object_set_new(root, "escalation", json_pack("{s:{s:b,s:f},s:{s:b,s:i},s:{s:b,s:o}}",
        "anger_rising", "enabled", c->esc_anger_enabled, "threshold", c->esc_anger_threshold,
        "sla_breach", "enabled", c->esc_sla_enabled, "window_minutes", c->esc_sla_window_min,
        "cues", "enabled", c->esc_cues_enabled, "cues", cues));
    json_t *map = json_object();
    for (int i = 0; i < c->n_intents; i++)
        json_object_set_new(map, c->intent[i], json_string(c->category[i]));
    json_object_set_new(root, "categories", json_pack("{s:f,s:o}",
        "min_confidence", c->intent_min_confidence, "map", map));
    char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    json_decref(root);
    if (!s)
        return NULL;
    char *out = xstrdup(s);
    free(s);
    return out;
}
