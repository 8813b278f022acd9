/*
 * cost.h - the physical cost model: every priced block of the chip through its
 * model at the config's technology point, and the calibration that ties the
 * per-operation table (energy.table, area.*) to it.
 *
 * The technology model (chip.technology) turns the node, supply, temperature and
 * transistor flavor into a struct scim_tech; the array periphery (crossbar),
 * ADC, logic, memory, cell and RNG models price their blocks at it. In
 * calibrated mode (energy.mode) each table entry is the energy of its block at
 * the calibration point (energy.calibration_point: the built-in defaults, the
 * Scale-Dropout chip, unless a config is named), so a block costs
 * table x physical(here) / physical(calibration point): the paper's numbers at its
 * operating point, and the physics away from it. Areas of the digital blocks
 * likewise with area.*. Errors: a supply outside the node's range (at chip.vdd),
 * a node outside the technology model (at chip.technology_node), a clock the
 * accumulator's loop cannot meet (at chip.clock). Warnings: an ADC more
 * efficient than the survey envelope of the state of the art.
 */
#ifndef SCIM_COST_H
#define SCIM_COST_H

#include "config.h"
#include "sim/base/yaml_dom.h"

/* scim_cost_init and scim_cost_free are declared in config.h (the loader calls them). */

/* One memory macro of geometry g priced by dev's model at cfg's technology point. */
struct scim_mem_cost {
    double read_j, write_j; /* per word, J */
    double access_s;        /* per access, s */
    double area_m2;         /* the macro, m^2 */
    double leakage_w;       /* the macro, W */
};
void scim_cost_memory(const struct scim_config *cfg, const struct scim_devinst *dev,
                      const struct scim_mem_geom *g, struct scim_mem_cost *out);

/* The digital block `block` of cfg (widths from the config) with `inputs` operands. */
int scim_cost_logic(const struct scim_config *cfg, enum scim_logic_block block, int inputs,
                    struct scim_logic_cost *out);

/* The lowest energy per conversion the ADC survey envelope allows for an ideal
 * `bits`-bit converter at `rate_hz` conversions per second (Murmann's survey as fitted
 * by the Accelergy ADC plug-in: FOM_S <= min(180.14, 302.74 - 6.4608 ln f_s) dB;
 * E >= 0.5 x 10^((SNDR - FOM_S) / 10), device-physics.md §7.1), J. */
double scim_adc_survey_min_j(int bits, double rate_hz);

/* Names of the calibration entries as in energy.table / area.* (for reports). */
const char *scim_cal_name(enum scim_cal c);
const char *scim_cal_area_name(enum scim_cal_area c);

#endif
