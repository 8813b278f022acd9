/*
 * fileio.h - files and paths shared by every layer: joining, checking,
 * creating folders, reading a whole file, atomic writes, and the source tree of
 * the running executable (configs/, data/, tools/ beside build/).
 */
#ifndef SCIM_FILEIO_H
#define SCIM_FILEIO_H

#include <stddef.h>
#include <stdio.h>

#include "diag.h"

/* dir + "/" + name into buf; -1 when it does not fit. */
int scim_path_join(char *buf, size_t len, const char *dir, const char *name);
/* path resolved against folder dir: a new string, path itself when it is empty or
 * absolute or dir is NULL, "" or "." (NULL when out of memory). */
char *scim_path_resolve(const char *dir, const char *path);
/* 1 when path is a folder / a regular file (following symbolic links), else 0. */
int scim_is_dir(const char *path);
int scim_is_file(const char *path);
/* Create path and its parents; 0 or -1 (errno set). */
int scim_mkdirs(const char *path);
/* The whole file, NUL-terminated (free it), or NULL when it cannot be read. */
char *scim_read_text(const char *path);

/* Write the whole content produced by fn(ctx, FILE *) to path atomically (temp
 * file in the same folder, fsync, rename). Returns 0 or < 0 (message in d). */
int scim_write_atomic(const char *path, void (*fn)(const void *ctx, FILE *f), const void *ctx,
                      struct scim_diag *d);
/* Write text to path atomically (scim_write_atomic). */
int scim_write_text(const char *path, const char *text, struct scim_diag *d);

/* Folder of the running executable ("." when unknown). */
void scim_exe_dir(char *buf, size_t len);
/* rel among the executable's data: exe_dir/../share/spincim/rel when it exists (an
 * installed spincim), else exe_dir/../rel (the source tree beside build/); -1 when it
 * does not fit. */
int scim_source_path(char *buf, size_t len, const char *rel);

#endif
