/*
 * spincim.h - the public API of libspincim: what another C program (or the
 * Python package) includes and links against (`pkg-config --cflags --libs
 * spincim` after `cmake --install`).
 *
 *   #include <spincim.h>
 *
 *   struct scim_diag d;
 *   struct scim_run_result r;
 *   struct scim_run_opts o = {.config = "configs/default.yaml", .threads = 2};
 *   const char *ov[] = {"workload.images=100", "adc.bits=6"};
 *   o.overrides = ov, o.n_overrides = 2;
 *   scim_diag_init(&d, stderr);
 *   if (scim_run(&o, &r, &d) == 0)
 *       printf("%.4f uJ per image\n", r.rep.energy_per_image * 1e6);
 *   scim_run_result_free(&r);
 *   scim_diag_free(&d);
 *
 * Conventions: every function returns 0 or a negative SCIM_E* code
 * (scim_strerror); every problem is reported to the caller's struct scim_diag
 * with its file:line:col; nothing below the CLI prints unless asked or exits.
 * Quantities are SI (J, s, m^2, W, Hz, V, K, ohm, S); struct fields say their
 * unit. The layers under this header (docs/architecture.md):
 */
#ifndef SPINCIM_H
#define SPINCIM_H

/* base: errors, diagnostics, units, YAML and JSON readers, parameter tables */
#include "sim/base/diag.h"
#include "sim/base/error.h"
#include "sim/base/json.h"
#include "sim/base/param.h"
#include "sim/base/units.h"
#include "sim/base/yaml_dom.h"
/* devices: the plug-in ABI and the registry of device models */
#include "devices/registry.h"
#include "devices/scim_device.h"
/* workloads: models and datasets */
#include "workloads/dataset.h"
#include "workloads/model.h"
/* arch: the chip's config, mapping, per-image pass, pricing */
#include "arch/config.h"
#include "arch/image.h"
#include "arch/ledger.h"
#include "arch/mapping.h"
/* sim: the run pipeline, the engines' results, reports, sensitivity, sweeps */
#include "sim/curve.h"
#include "sim/report.h"
#include "sim/run.h"
#include "sim/sensitivity.h"
#include "sim/sweep/sweep.h"

#endif
