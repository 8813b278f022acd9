/*
 * spawn.c - posix_spawn and wait (spawn.h).
 */
#include "spawn.h"

#include <errno.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>

#include "error.h"

extern char **environ;

int scim_spawn_wait(const char *exe, char *const *argv, const char *what, struct scim_diag *d)
{
    pid_t pid;
    int status = 0, e = posix_spawn(&pid, exe, NULL, NULL, argv, environ);
    if (e != 0)
        return scim_diag_file_error(d, what, SCIM_EIO, "cannot start %s: %s", exe, strerror(e));
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return scim_diag_file_error(d, what, SCIM_EIO, "lost %s: %s", exe, strerror(errno));
    if (WIFSIGNALED(status))
        return scim_diag_file_error(d, what, SCIM_EIO, "%s was killed by signal %d", exe,
                                    WTERMSIG(status));
    return WIFEXITED(status) ? WEXITSTATUS(status) : SCIM_EIO;
}
