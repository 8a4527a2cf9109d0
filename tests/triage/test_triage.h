/* test_triage.h — the groups of the triage test executable and helpers. */
#ifndef PARLEY_TEST_TRIAGE_H
#define PARLEY_TEST_TRIAGE_H

#include <stdint.h>

#include "base/clock.h"

#define MIN 60000LL
#define HOUR 3600000LL
#define DAY 86400000LL

/* UTC instant of a civil date and time. */
static inline int64_t utc(int y, unsigned mo, unsigned d, int h, int mi)
{
    return clock_days_from_civil(y, mo, d) * DAY + h * HOUR + mi * MIN;
}

int run_priority_tests(void);
int run_sla_tests(void);
int run_route_tests(void);
int run_config_tests(void);

#endif
