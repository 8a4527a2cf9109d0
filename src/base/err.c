/* err.c — names and messages for the PL_E* codes. */
#include "base/err.h"

const char *parley_strerror(int err)
{
    switch (err) {
    case PL_OK: return "ok";
#define PL_ERR_MSG_(name, msg) case PL_E##name: return msg;
    PL_ERRNO_MAP(PL_ERR_MSG_)
#undef PL_ERR_MSG_
    default: return "unknown error";
    }
}

const char *parley_errname(int err)
{
    switch (err) {
    case PL_OK: return "OK";
#define PL_ERR_NAME_(name, msg) case PL_E##name: return #name;
    PL_ERRNO_MAP(PL_ERR_NAME_)
#undef PL_ERR_NAME_
    default: return "UNKNOWN";
    }
}
