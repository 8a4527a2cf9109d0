/* test_triage.c — runs every triage test group. */
#include "test_triage.h"

int main(void)
{
    int fails = 0;
    fails += run_priority_tests();
    fails += run_sla_tests();
    fails += run_route_tests();
    fails += run_config_tests();
    return fails ? 1 : 0;
}
