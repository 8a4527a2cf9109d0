/* clock.h — wall-clock time in UTC.
 *
 * Parley stores every instant as milliseconds since the Unix epoch, UTC
 * (int64_t), and prints them as ISO 8601 "2026-11-22T14:05:00.000Z". */
#ifndef PARLEY_BASE_CLOCK_H
#define PARLEY_BASE_CLOCK_H

#include <stddef.h>
#include <stdint.h>

#define CLOCK_ISO_LEN 25   /* "YYYY-MM-DDTHH:MM:SS.mmmZ" + NUL */

int64_t clock_now_ms(void);           /* wall clock, UTC */
int64_t clock_mono_ns(void);          /* monotonic, for measuring */
/* Writes ISO 8601 UTC into out (at least CLOCK_ISO_LEN bytes). */
void clock_format(int64_t ms, char out[CLOCK_ISO_LEN]);
/* Parses "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.mmm]][Z|±HH:MM]" (also with
 * a space instead of T). Returns 0 or PL_EPARSE. */
int clock_parse(const char *s, int64_t *ms);
/* Days since epoch → civil date and back, proleptic Gregorian, UTC. */
int64_t clock_days_from_civil(int y, unsigned m, unsigned d);
void clock_civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d);

#endif
