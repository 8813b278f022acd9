/*
 * diag.h - diagnostics: error and warning messages with their source location.
 *
 * Loaders report every problem they find into a struct scim_diag instead of
 * printing or stopping, so a user sees all errors of a file at once, each in
 * the GNU format "file:line:col: error: message" (1-based line and column).
 * Only the CLI decides where the messages go and which exit status follows.
 */
#ifndef SCIM_DIAG_H
#define SCIM_DIAG_H

#include <stddef.h>
#include <stdio.h>

/* A place in an input: a YAML node, a command-line override or a whole file. */
struct scim_loc {
    const char *file; /* file name as the user gave it, or "<command line>"; may be NULL */
    unsigned line;    /* 1-based line; 0 = the location is the whole file */
    unsigned col;     /* 1-based column; 0 = no column */
};

struct scim_diag {
    unsigned errors;   /* number of errors reported so far */
    unsigned warnings; /* number of warnings reported so far */
    FILE *stream;      /* where messages are printed as they come; NULL = keep only */
    char *text;        /* all messages, newline-terminated, owned; NULL until the first */
    size_t len;        /* bytes used in text */
    size_t cap;        /* bytes allocated for text */
};

/* Start an empty diagnostics sink that also prints to stream (may be NULL). */
void scim_diag_init(struct scim_diag *d, FILE *stream);
void scim_diag_free(struct scim_diag *d);

/* Report an error at loc ("file:line:col: error: ..."); returns SCIM_ECONFIG. */
int scim_diag_error(struct scim_diag *d, const struct scim_loc *loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Report a warning at loc; returns 0. */
int scim_diag_warn(struct scim_diag *d, const struct scim_loc *loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Report an error about a whole file ("file: error: ..."); returns err. */
int scim_diag_file_error(struct scim_diag *d, const char *file, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Copy every message of src that d does not hold yet into d (printing it to d's
 * stream, counting it as an error or warning); returns how many were new. For
 * checks repeated over many inputs that would say the same thing each time. */
unsigned scim_diag_merge(struct scim_diag *d, const struct scim_diag *src);

#endif
