/*
 * diag.c - collect error and warning messages with their locations.
 */
#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

void scim_diag_init(struct scim_diag *d, FILE *stream)
{
    memset(d, 0, sizeof(*d));
    d->stream = stream;
}

void scim_diag_free(struct scim_diag *d)
{
    free(d->text);
    d->text = NULL;
    d->len = d->cap = 0;
}

/* Append one finished line to the kept text; on allocation failure the line is
 * still printed, only the copy is lost. */
static void diag_keep(struct scim_diag *d, const char *line, size_t n)
{
    if (d->len + n + 1 > d->cap) {
        size_t cap = d->cap ? d->cap : 256;
        while (cap < d->len + n + 1)
            cap *= 2;
        char *t = realloc(d->text, cap);
        if (!t)
            return;
        d->text = t;
        d->cap = cap;
    }
    memcpy(d->text + d->len, line, n);
    d->len += n;
    d->text[d->len] = '\0';
}

static void diag_emit(struct scim_diag *d, const char *prefix, const char *kind, const char *fmt,
                      va_list ap)
{
    char line[2048];
    int n = snprintf(line, sizeof(line), "%s%s: ", prefix, kind);
    if (n < 0)
        n = 0;
    if ((size_t)n < sizeof(line))
        vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    size_t len = strlen(line);
    if (len + 1 < sizeof(line)) {
        line[len++] = '\n';
        line[len] = '\0';
    } else {
        line[sizeof(line) - 2] = '\n';
        len = sizeof(line) - 1;
    }
    diag_keep(d, line, len);
    if (d->stream) {
        fputs(line, d->stream);
        fflush(d->stream);
    }
}

static void loc_prefix(const struct scim_loc *loc, char *buf, size_t len)
{
    const char *file = loc && loc->file ? loc->file : "<input>";
    if (loc && loc->line && loc->col)
        snprintf(buf, len, "%s:%u:%u: ", file, loc->line, loc->col);
    else if (loc && loc->line)
        snprintf(buf, len, "%s:%u: ", file, loc->line);
    else
        snprintf(buf, len, "%s: ", file);
}

int scim_diag_error(struct scim_diag *d, const struct scim_loc *loc, const char *fmt, ...)
{
    char prefix[1100];
    va_list ap;
    loc_prefix(loc, prefix, sizeof(prefix));
    va_start(ap, fmt);
    diag_emit(d, prefix, "error", fmt, ap);
    va_end(ap);
    d->errors++;
    return SCIM_ECONFIG;
}

int scim_diag_warn(struct scim_diag *d, const struct scim_loc *loc, const char *fmt, ...)
{
    char prefix[1100];
    va_list ap;
    loc_prefix(loc, prefix, sizeof(prefix));
    va_start(ap, fmt);
    diag_emit(d, prefix, "warning", fmt, ap);
    va_end(ap);
    d->warnings++;
    return 0;
}

int scim_diag_file_error(struct scim_diag *d, const char *file, int err, const char *fmt, ...)
{
    char prefix[1100];
    va_list ap;
    snprintf(prefix, sizeof(prefix), "%s: ", file ? file : "<input>");
    va_start(ap, fmt);
    diag_emit(d, prefix, "error", fmt, ap);
    va_end(ap);
    d->errors++;
    return err;
}

/* Is the line (n bytes, with its newline) already among d's kept messages? */
static int diag_has(const struct scim_diag *d, const char *line, size_t n)
{
    for (const char *p = d->text; p && *p;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) + 1 : strlen(p);
        if (len == n && !memcmp(p, line, n))
            return 1;
        p += len;
    }
    return 0;
}

unsigned scim_diag_merge(struct scim_diag *d, const struct scim_diag *src)
{
    unsigned added = 0;
    for (const char *p = src->text; p && *p;) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) + 1 : strlen(p);
        if (!diag_has(d, p, n)) {
            int err = strstr(p, ": error: ") && strstr(p, ": error: ") < p + n;
            diag_keep(d, p, n);
            if (d->stream) {
                fwrite(p, 1, n, d->stream);
                fflush(d->stream);
            }
            err ? d->errors++ : d->warnings++;
            added++;
        }
        p += n;
    }
    return added;
}
