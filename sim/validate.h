/*
 * validate.h - published hardware numbers against spincim's, as a Markdown report.
 *
 * A validation manifest (configs/validation/validation.yaml) lists items: the
 * published value with its unit and source, the run (a config of the folder) that
 * reproduces it, the report.json value compared with it, the assumptions, and a
 * pinned value with a tolerance. `tools/validate` runs the configs; this module reads
 * their report.json files, writes docs/validation.md, and with `check` fails when a
 * value left its pin (so a change that moves a reproduced figure must update the doc).
 */
#ifndef SCIM_VALIDATE_H
#define SCIM_VALIDATE_H

#include <stdio.h>

#include "sim/base/diag.h"

/* runs_dir holds one folder per run (its config's name) with report.json. Writes the
 * Markdown to md (may be NULL). Returns 0, or < 0 for a bad manifest, a missing run,
 * or (check) a value outside its pin. */
int scim_validate(const char *manifest, const char *runs_dir, FILE *md, int check,
                  struct scim_diag *d);

#endif
