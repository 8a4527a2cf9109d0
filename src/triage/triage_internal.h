/* triage_internal.h — helpers shared by the triage .c files only. */
#ifndef PARLEY_TRIAGE_INTERNAL_H
#define PARLEY_TRIAGE_INTERNAL_H

#include "triage/triage.h"

/* Appends a reason to r (NULL r: ignored). en and ru are printf formats
 * that take the same arguments. */
void triage__why(struct triage_reasons *r, const char *stage, const char *code,
                 const char *en, const char *ru, ...);
/* Appends a reason whose texts are already formatted (copied verbatim). */
void triage__reason(struct triage_reasons *r, const char *stage, const char *code,
                    const char *en, const char *ru);

#endif
