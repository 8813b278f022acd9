/*
 * error.h - spincim error codes.
 *
 * Every library function that can fail returns 0 or a negative SCIM_E* code.
 * Names and messages come from the one table below (libuv style), so
 * scim_strerror() and scim_err_name() can never disagree with the codes.
 * Messages that need a location (file:line:col) go through struct scim_diag
 * (diag.h); the code only says what kind of failure it was.
 */
#ifndef SCIM_ERROR_H
#define SCIM_ERROR_H

/* X(name, value, message) */
#define SCIM_ERRNO_MAP(X)                                                                          \
    X(EINVAL, -1, "invalid argument")                                                              \
    X(ENOMEM, -2, "out of memory")                                                                 \
    X(EIO, -3, "input/output error")                                                               \
    X(ENOENT, -4, "no such file or name")                                                          \
    X(ECONFIG, -5, "invalid configuration")                                                        \
    X(EFORMAT, -6, "malformed or corrupt file")                                                    \
    X(ERANGE, -7, "value out of range")                                                            \
    X(EUNIT, -8, "wrong or missing physical unit")                                                 \
    X(EABI, -9, "plug-in ABI version mismatch")                                                    \
    X(EEXIST, -10, "name already registered")                                                      \
    X(EPLUGIN, -11, "plug-in failed to load")                                                      \
    X(ESHAPE, -12, "model shape does not fit the configuration")                                   \
    X(EEXISTS_OUT, -13, "output folder already holds results")                                     \
    X(EINTERNAL, -14, "internal simulator error")

enum scim_err {
#define SCIM__ERR_ENUM(name, val, msg) SCIM_##name = (val),
    SCIM_ERRNO_MAP(SCIM__ERR_ENUM)
#undef SCIM__ERR_ENUM
};

/* Human-readable message for a (negative) error code; never NULL. */
const char *scim_strerror(int err);
/* Symbolic name ("SCIM_ECONFIG") for a (negative) error code; never NULL. */
const char *scim_err_name(int err);

/* The library's version ("0.1.0"). */
const char *scim_version(void);

/* Abort with a message: only for simulator bugs, never for bad user input. */
#define SCIM_PANIC(...) scim__panic(__FILE__, __LINE__, __VA_ARGS__)
_Noreturn void scim__panic(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
