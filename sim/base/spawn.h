/*
 * spawn.h - run another program and wait for it (a SystemC run's own process,
 * the plotting scripts).
 */
#ifndef SCIM_SPAWN_H
#define SCIM_SPAWN_H

#include "diag.h"

/* Run exe with argv (NULL-terminated, argv[0] included) and the same environment,
 * wait for it. Returns its exit status (0..255), or < 0 when it could not start or
 * was killed by a signal (a message naming `what` in d). */
int scim_spawn_wait(const char *exe, char *const *argv, const char *what, struct scim_diag *d);

#endif
