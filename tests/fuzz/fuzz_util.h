/*
 * fuzz_util.h - helpers shared by the libFuzzer harnesses: a private scratch
 * folder per process (the loaders read files, so each input is written to a
 * fixed name in it and the same files are reused for every run), whole-file
 * writes, and a loud abort for broken invariants.
 *
 * The scratch folder is made under $TMPDIR (default /tmp) at the first use
 * and removed, with everything in it, when the process exits normally.
 * tools/fuzz points TMPDIR into build-fuzz/, so a run that crashes leaves its
 * scratch files there and not in /tmp.
 */
#ifndef SCIM_FUZZ_UTIL_H
#define SCIM_FUZZ_UTIL_H

#include <dirent.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char fuzz_dir[4096];

/* Remove a folder tree made by the harness (files and subfolders only). */
static inline void fuzz_rmtree(const char *path)
{
    DIR *dir = opendir(path);
    if (dir) {
        struct dirent *e;
        while ((e = readdir(dir)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char sub[4096 + 256];
            struct stat sb;
            snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
            if (lstat(sub, &sb) == 0 && S_ISDIR(sb.st_mode))
                fuzz_rmtree(sub);
            else
                unlink(sub);
        }
        closedir(dir);
    }
    rmdir(path);
}

static inline void fuzz_cleanup(void)
{
    if (fuzz_dir[0])
        fuzz_rmtree(fuzz_dir);
}

static inline void fuzz_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* A broken invariant: print it and abort, so libFuzzer keeps the input. */
static inline void fuzz_die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("fuzz harness: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

/* The scratch folder of this process (made on the first call). */
static inline const char *fuzz_scratch(void)
{
    if (fuzz_dir[0])
        return fuzz_dir;
    const char *tmp = getenv("TMPDIR");
    snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/spincim-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(fuzz_dir))
        fuzz_die("cannot create a scratch folder from %s", fuzz_dir);
    atexit(fuzz_cleanup);
    return fuzz_dir;
}

/* "<scratch>/<name>" into buf; returns buf. */
static inline char *fuzz_path(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/%s", fuzz_scratch(), name);
    return buf;
}

/* Replace the file at path with exactly n bytes of data. */
static inline void fuzz_write(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        fuzz_die("cannot write %s", path);
    int short_write = n && fwrite(data, 1, n, f) != n;
    if (fclose(f) != 0 || short_write)
        fuzz_die("cannot write %s", path);
}

/* A NUL-terminated copy of data[0..n) (the input itself is not terminated). */
static inline char *fuzz_strndup(const uint8_t *data, size_t n)
{
    char *s = malloc(n + 1);
    if (!s)
        fuzz_die("out of memory");
    if (n)
        memcpy(s, data, n);
    s[n] = '\0';
    return s;
}

#endif
