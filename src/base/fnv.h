/* fnv.h — FNV-1a (64-bit): the checksum at the end of Parley's own files
 * (model files, metrics snapshots, risk models) and the core of the text
 * features' hash. Not for anything an adversary chooses. */
#ifndef PARLEY_BASE_FNV_H
#define PARLEY_BASE_FNV_H

#include <stddef.h>
#include <stdint.h>

#define FNV1A_INIT 0xcbf29ce484222325ULL

/* h continued over the n bytes at p (start with FNV1A_INIT). */
static inline uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

#endif
