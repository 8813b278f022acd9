/*
 * cost_types.h - what the physical cost model (cost.h) knows about a config,
 * held in every struct scim_config: the technology point and every block's
 * energy, delay, area and leakage as its model prices it, and the ratios that
 * scale the calibration table to this config. Only types: config.h includes it,
 * cost.c fills it.
 */
#ifndef SCIM_COST_TYPES_H
#define SCIM_COST_TYPES_H

#include "devices/scim_device.h"

/* The calibration table's entries (energy.table), in the order of struct
 * scim_energy_table_cfg. */
enum scim_cal {
    SCIM_CAL_CROSSBAR_READ = 0,
    SCIM_CAL_DECODE_SENSE,
    SCIM_CAL_ADC_CONVERSION,
    SCIM_CAL_ACCUMULATOR_ADD,
    SCIM_CAL_SCALE_READ,
    SCIM_CAL_SCALE_CROSSBAR_READ,
    SCIM_CAL_MULTIPLY,
    SCIM_CAL_COMPARATOR,
    SCIM_CAL_NORMALIZATION,
    SCIM_CAL_POOLING,
    SCIM_CAL_BUFFER_ACCESS,
    SCIM_CAL_RNG_BIT,
    SCIM_CAL_AVERAGING,
    SCIM_CAL_COUNT
};

/* The area entries (area.*), in the order of struct scim_area_cfg. */
enum scim_cal_area {
    SCIM_CALA_ACCUMULATOR = 0,
    SCIM_CALA_MULTIPLIER,
    SCIM_CALA_COMPARATOR,
    SCIM_CALA_NORMALIZATION,
    SCIM_CALA_POOLING,
    SCIM_CALA_AVERAGING,
    SCIM_CALA_CONTROL,
    SCIM_CALA_COUNT
};

/* One array read as the calibration table counts it: rows_per_read weights across all
 * the array's columns, half the conducting cells in the low-resistance state. */
struct scim_ref_read {
    double array_j;   /* the cells' read currents and the bitlines' bias, J */
    double decode_j;  /* the row decode, the wordlines and the column mux, J */
    double adc_j;     /* every column's conversion, J */
};

struct scim_cost {
    int ready;                      /* 1 once filled (scim_cost_init) */
    int point;                      /* 1: this config is a calibration point */
    struct scim_tech tech;          /* the technology point */
    struct scim_array_cost array;   /* the crossbar periphery, per event and per array */
    double cell_lrs_j, cell_hrs_j;  /* one conducting cell read in the low / high state, J */
    double scell_j;                 /* one scale-crossbar cell read (middle level), J */
    double scell_read_s;            /* one scale-crossbar read pulse, s */
    double adc_j;                   /* one conversion, J */
    double adc_s;                   /* one conversion, s */
    double adc_area_m2;             /* one ADC, m^2 */
    double adc_static_w;            /* one ADC, W */
    double rng_bit_j;               /* one random bit of the RNG device, J */
    struct scim_logic_cost logic[SCIM_LOGIC_COUNT]; /* each digital block (one instance) */
    struct scim_ref_read ref;       /* the reference read here */
    /* Calibrated mode: each entry of energy.table is multiplied by ratio[] (the physical
     * energy here over the physical energy at the calibration point); factor[] = the table
     * value over the physical energy at the calibration point, for the report. Physical
     * mode: ratio[] = 0 (unused), factor[] = 1. Memories' ratios depend on their capacity
     * and are computed when pricing. */
    double ratio[SCIM_CAL_COUNT];
    double factor[SCIM_CAL_COUNT];
    double area_ratio[SCIM_CALA_COUNT];  /* likewise for area.* */
    double area_factor[SCIM_CALA_COUNT];
    struct scim_config *cal;        /* the calibration point's config (owned), or NULL */
};

#endif
