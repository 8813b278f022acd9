/*
 * validate.h - published hardware numbers against spincim's, as a Markdown report.
 *
 * A validation manifest (configs/validation/validation.yaml) lists items: the
 * published value with its unit and source, the run (a config of the folder) that
 * reproduces it, the report.json value compared with it, the assumptions, and a
 * pinned value with a tolerance. `tools/validate` runs the configs; this module reads
 * their report.json files, writes docs/validation.md, and with `check` fails when a
 * value left its pin (so a change that moves a reproduced figure must update the doc).
 * An item's optional metric_scale multiplies the report's value (an op-count
 * normalization). The manifest's optional `silicon` key names a second manifest (relative
 * to the first; configs/silicon/silicon.yaml): published macros, items with `macro` for
 * their source and an optional `calibrated_from` (another item whose published / spincim
 * ratio, one scale factor fitted at one end of a range, predicts this one), written as a
 * section of its own and pinned like the rest.
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
