/*
 * fileio.c - files and paths, one implementation for every layer: paths joined
 * and checked, folders created, whole files read, results written atomically
 * (temp file in the same folder, fsync, rename), the source tree found from the
 * executable.
 */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"

static int write_all(int fd, const char *buf, size_t len)
{
    while (len) {
        ssize_t w = write(fd, buf, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        buf += w;
        len -= (size_t)w;
    }
    return 0;
}

int scim_write_atomic(const char *path, void (*fn)(const void *ctx, FILE *f), const void *ctx,
                      struct scim_diag *d)
{
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    if (!m)
        return scim_diag_file_error(d, path, SCIM_ENOMEM, "out of memory");
    fn(ctx, m);
    if (fclose(m) != 0) {
        free(text);
        return scim_diag_file_error(d, path, SCIM_ENOMEM, "out of memory");
    }
    char tmp[4200];
    snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int rc = fd < 0 ? -1 : write_all(fd, text, len);
    if (rc == 0)
        rc = fsync(fd);
    if (fd >= 0 && close(fd) != 0)
        rc = -1;
    if (rc == 0)
        rc = rename(tmp, path);
    free(text);
    if (rc != 0) {
        int e = errno;
        unlink(tmp);
        return scim_diag_file_error(d, path, SCIM_EIO, "cannot write: %s", strerror(e));
    }
    return 0;
}


char *scim_read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0, n;
    do {
        if (len + 4096 + 1 > cap) {
            char *b = realloc(buf, cap = 2 * cap + 8192);
            if (!b)
                break;
            buf = b;
        }
        n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
    } while (n > 0);
    int bad = ferror(f) || !buf;
    fclose(f);
    if (bad) {
        free(buf);
        return NULL;
    }
    buf[len] = '\0';
    return buf;
}

int scim_mkdirs(const char *path)
{
    char tmp[4200];
    if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp))
        return errno = ENAMETOOLONG, -1;
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return mkdir(tmp, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

static void w_text(const void *text, FILE *f)
{
    fputs(text, f);
}

int scim_write_text(const char *path, const char *text, struct scim_diag *d)
{
    return scim_write_atomic(path, w_text, text, d);
}

int scim_path_join(char *buf, size_t len, const char *dir, const char *name)
{
    int n = snprintf(buf, len, "%s/%s", dir, name);
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

char *scim_path_resolve(const char *dir, const char *path)
{
    if (!*path || path[0] == '/' || !dir || !*dir || !strcmp(dir, "."))
        return strdup(path);
    size_t dl = strlen(dir);
    const char *sep = dir[dl - 1] == '/' ? "" : "/";
    size_t n = dl + strlen(path) + 2;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s%s%s", dir, sep, path);
    return s;
}

int scim_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int scim_is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

void scim_exe_dir(char *buf, size_t len)
{
    ssize_t n = readlink("/proc/self/exe", buf, len - 1);
    buf[n > 0 ? n : 0] = '\0';
    char *slash = strrchr(buf, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(buf, len, ".");
}

int scim_source_path(char *buf, size_t len, const char *rel)
{
    char dir[PATH_MAX];
    struct stat st;
    scim_exe_dir(dir, sizeof(dir));
    int n = snprintf(buf, len, "%s/../share/spincim/%s", dir, rel);
    if (n >= 0 && (size_t)n < len && stat(buf, &st) == 0)
        return 0;
    n = snprintf(buf, len, "%s/../%s", dir, rel);
    return n < 0 || (size_t)n >= len ? -1 : 0;
}
