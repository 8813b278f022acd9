/*
 * error.c - messages and names of the spincim error codes, from the one table in error.h.
 */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

const char *scim_strerror(int err)
{
    switch (err) {
#define SCIM__ERR_MSG(name, val, msg)                                                              \
    case (val):                                                                                    \
        return msg;
        SCIM_ERRNO_MAP(SCIM__ERR_MSG)
#undef SCIM__ERR_MSG
    case 0:
        return "success";
    default:
        return "unknown error";
    }
}

const char *scim_err_name(int err)
{
    switch (err) {
#define SCIM__ERR_NAME(name, val, msg)                                                             \
    case (val):                                                                                    \
        return "SCIM_" #name;
        SCIM_ERRNO_MAP(SCIM__ERR_NAME)
#undef SCIM__ERR_NAME
    case 0:
        return "0";
    default:
        return "SCIM_EUNKNOWN";
    }
}

void scim__panic(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "spincim: internal error at %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

const char *scim_version(void)
{
    return SPINCIM_VERSION;
}
