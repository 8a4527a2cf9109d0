/* sla.c — service-level due times in business time. The calendar is walked
 * day by day in the configured local time (UTC + offset, no daylight
 * saving: the admin sets the offset), using base/clock day numbers only. */
#include "triage/triage.h"

#define MIN_MS 60000LL
#define DAY_MS 86400000LL
#define GUARD_DAYS 1000000   /* ~2700 years: ends the walk on absurd configs */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Monday = 0 ... Sunday = 6, for a day number (1970-01-01 was a Thursday). */
static int weekday(int64_t day)
{
    int64_t w = (day + 3) % 7;
    return (int)(w < 0 ? w + 7 : w);
}

static bool holiday(const struct triage_config *c, int64_t day)
{
    for (int i = 0; i < c->n_holidays; i++)
        if (c->holidays[i] == day)
            return true;
    return false;
}

/* Opening window of a local day in ms since its midnight; false if closed. */
static bool window(const struct triage_config *c, int64_t day, int64_t *open, int64_t *close)
{
    const int w = weekday(day);
    if (c->open_min[w] >= c->close_min[w] || holiday(c, day))
        return false;
    *open = c->open_min[w] * MIN_MS;
    *close = c->close_min[w] * MIN_MS;
    return true;
}

static bool calendar(const struct triage_config *c)
{
    if (!c->hours_enabled)
        return false;
    for (int d = 0; d < 7; d++)
        if (c->open_min[d] < c->close_min[d])
            return true;
    return false;   /* no open day at all: treat as 24/7 rather than never */
}

int64_t triage_business_add(const struct triage_config *c, int64_t start, int64_t dur_ms)
{
    if (dur_ms <= 0)
        return start;
    if (!calendar(c))
        return start + dur_ms;
    const int64_t off = (int64_t)c->utc_offset_min * MIN_MS;
    const int64_t local = start + off;
    int64_t day = floor_div(local, DAY_MS);
    int64_t t = local - day * DAY_MS;
    int64_t rem = dur_ms;
    for (int guard = 0; guard < GUARD_DAYS; guard++, day++, t = 0) {
        int64_t o, cl;
        if (!window(c, day, &o, &cl))
            continue;
        if (t < o)
            t = o;
        if (t >= cl)
            continue;
        if (rem <= cl - t)
            return day * DAY_MS + t + rem - off;
        rem -= cl - t;
    }
    return start + dur_ms;
}

int64_t triage_business_between(const struct triage_config *c, int64_t a, int64_t b)
{
    if (b <= a)
        return 0;
    if (!calendar(c))
        return b - a;
    const int64_t off = (int64_t)c->utc_offset_min * MIN_MS;
    const int64_t la = a + off, lb = b + off;
    int64_t sum = 0;
    const int64_t last = floor_div(lb, DAY_MS);
    for (int64_t day = floor_div(la, DAY_MS); day <= last; day++) {
        int64_t o, cl;
        if (!window(c, day, &o, &cl))
            continue;
        int64_t s = day * DAY_MS + o, e = day * DAY_MS + cl;
        if (s < la)
            s = la;
        if (e > lb)
            e = lb;
        if (e > s)
            sum += e - s;
    }
    return sum;
}

bool triage_business_open(const struct triage_config *c, int64_t t)
{
    if (!calendar(c))
        return true;
    const int64_t local = t + (int64_t)c->utc_offset_min * MIN_MS;
    const int64_t day = floor_div(local, DAY_MS);
    int64_t o, cl;
    const int64_t in = local - day * DAY_MS;
    return window(c, day, &o, &cl) && in >= o && in < cl;
}

static int64_t due(const struct triage_config *c, int64_t from, int minutes)
{
    return minutes > 0 ? triage_business_add(c, from, minutes * MIN_MS) : 0;
}

void triage_sla(const struct triage_config *c, enum priority p, int64_t created,
                int64_t last_inbound, struct triage_sla *out)
{
    if ((unsigned)p >= PRIORITY__COUNT)
        p = PRIORITY_NORMAL;
    const struct triage_target *t = &c->target[p];
    out->first_due = due(c, created, t->first_min);
    out->next_due = due(c, last_inbound ? last_inbound : created, t->next_min);
    out->resolve_due = due(c, created, t->resolve_min);
}

int64_t triage_sla_pause(const struct triage_config *c, struct triage_sla *dues, int64_t from,
                         int64_t to)
{
    if (!c->pause_when_pending || to <= from)
        return 0;
    const int64_t paused = triage_business_between(c, from, to);
    if (paused == 0)
        return 0;
    int64_t *d[3] = {&dues->first_due, &dues->next_due, &dues->resolve_due};
    for (int i = 0; i < 3; i++)
        if (*d[i] != 0 && *d[i] > from)
            *d[i] = triage_business_add(c, *d[i], paused);
    return paused;
}
