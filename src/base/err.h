/* err.h — Parley's one error vocabulary.
 *
 * Every fallible function returns 0 on success or a negative PL_E* code.
 * parley_strerror() names it. The list is an X-macro so the enum, the
 * names and the messages can never drift apart. */
#ifndef PARLEY_BASE_ERR_H
#define PARLEY_BASE_ERR_H

#define PL_ERRNO_MAP(X)                                              \
    X(NOMEM,     "out of memory")                                   \
    X(INVAL,     "invalid argument")                                \
    X(NOTFOUND,  "not found")                                       \
    X(EXISTS,    "already exists")                                  \
    X(IO,        "input/output error")                              \
    X(DB,        "database error")                                  \
    X(BUSY,      "resource busy")                                   \
    X(UTF8,      "invalid UTF-8")                                   \
    X(PARSE,     "parse error")                                     \
    X(TOOBIG,    "too large")                                       \
    X(AUTH,      "authentication failed")                           \
    X(FORBIDDEN, "forbidden")                                       \
    X(STATE,     "illegal state transition")                        \
    X(FORMAT,    "bad file format")                                 \
    X(CHECKSUM,  "checksum mismatch")                               \
    X(CRYPTO,    "cryptographic failure")                           \
    X(CONFLICT,  "conflict")                                        \
    X(UNAVAIL,   "unavailable")

enum pl_err {
    PL_OK = 0,
#define PL_ERR_ENUM_(name, msg) PL_E##name,
    PL__ERR_FIRST_ = -1000,
    PL_ERRNO_MAP(PL_ERR_ENUM_)
#undef PL_ERR_ENUM_
    PL__ERR_LAST_
};

/* Returns a static human-readable message for a PL_E* code (or "ok"). */
const char *parley_strerror(int err);
/* Returns the static short name, e.g. "NOTFOUND", for a PL_E* code. */
const char *parley_errname(int err);

#endif
