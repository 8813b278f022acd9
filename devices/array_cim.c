/*
 * array_cim.c - the periphery of a compute-in-memory crossbar (`cim_array`):
 * its lines, row decoder, wordline drivers, column mux and bitline bias, at the
 * technology point and for the array's size.
 *
 * The cell pitch is the square root of the cell's area. A wordline runs over
 * every column: C_WL = columns (pitch c_wire + the access gate); driving it
 * costs C_WL V_dd^2 (device-physics.md §7.5: 256 columns, 0.4 um pitch, about
 * 45 fF and 55 fJ at 1.1 V). A bitline runs over every row:
 * C_BL = rows (pitch c_wire + the access drain); biasing it to V_read for a read
 * draws C_BL V_read V_dd. The decoder switches 4 log2 rows + 2 gates a read;
 * the column mux one transmission gate and its share of the line to the ADC a
 * conversion. The cells' read current I = V_read G flows for the pulse from the supply
 * through the bitline clamp (read_from: vdd, the default: the supply pays V_dd I t) or
 * from a dedicated reference (v_read: V_read I t). A read lasts the cell's pulse, or longer when the wordline's
 * distributed RC (0.38 R C, to 90 %: x 2.3) plus the bitline's settling through
 * the conducting cells (3 time constants) do not fit in it. Area: the decoder
 * (rows (0.5 log2 rows + 1) gates), a driver per row sized to its line
 * (fan-out 4), and per column a mux gate and a bias clamp (6 gates).
 */
#include <math.h>
#include <stddef.h>

#include "scim_device.h"

struct array_params {
    int read_from;       /* 0: the read current comes from V_dd through the clamp; 1: from V_read */
    double access_width; /* access transistor width, in minimum widths */
    double mux_gates;    /* gate-equivalents switching per column routed to its ADC */
    double column_gates; /* gate-equivalents per column: mux and bitline clamp */
};

static const struct scim_param array_table[] = {
    SCIM_PARAM_ENUM(struct array_params, "read_from", read_from, "vdd|v_read", "vdd",
                    "where the cells' read current comes from: vdd = the supply, through the "
                    "bitline clamp that holds V_read (the supply pays V_dd I t per cell read); "
                    "v_read = a dedicated V_read reference (V_read I t)"),
    SCIM_PARAM_F64(struct array_params, "access_width", access_width, SCIM_DIM_NONE, 0.5, 20, "1",
                   "cell access transistor width, in minimum widths"),
    SCIM_PARAM_F64(struct array_params, "mux_gates", mux_gates, SCIM_DIM_NONE, 0, 100, "1",
                   "energy of routing one column to its ADC, in gate-equivalent switchings"),
    SCIM_PARAM_F64(struct array_params, "column_gates", column_gates, SCIM_DIM_NONE, 0, 1000, "6",
                   "gate-equivalents per column: mux transmission gate and bitline clamp"),
    {0},
};

static double pitch(const struct scim_array_req *r)
{
    return sqrt(r->cell_area_m2);
}

static double c_gate_access(const struct array_params *p, const struct scim_tech *t)
{
    return t->c_gate_f_per_m * t->w_min_m * p->access_width;
}

static double c_wordline(const struct array_params *p, const struct scim_tech *t,
                         const struct scim_array_req *r)
{
    return r->columns * (pitch(r) * t->c_wire_f_per_m + c_gate_access(p, t));
}

static double c_bitline(const struct array_params *p, const struct scim_tech *t,
                        const struct scim_array_req *r)
{
    return r->rows * (pitch(r) * t->c_wire_f_per_m + 0.5 * c_gate_access(p, t));
}

/* A wordline driver sized to drive its line at fan-out 4, in gate-equivalents. */
static double driver_gates(const struct array_params *p, const struct scim_tech *t,
                           const struct scim_array_req *r)
{
    double c_ge = t->c_gate_f_per_m * 3.0 * t->w_min_m;
    return 1.0 + 0.5 * c_wordline(p, t, r) / (4.0 * c_ge);
}

static double read_delay(const struct array_params *p, const struct scim_tech *t,
                         const struct scim_array_req *r)
{
    double len = r->columns * pitch(r);
    double wl = 2.3 * 0.38 * len * t->r_wire_ohm_per_m * c_wordline(p, t, r);
    double g = r->rows_per_read * r->g_on_s;
    double bl = g > 0 ? 3.0 * c_bitline(p, t, r) / g : 0.0;
    return r->t_read_s > wl + bl ? r->t_read_s : wl + bl;
}

static double periphery_gates(const struct array_params *p, const struct scim_tech *t,
                              const struct scim_array_req *r)
{
    double n = log2(r->rows > 1 ? r->rows : 2);
    return r->rows * (0.5 * n + 1.0 + driver_gates(p, t, r)) + r->columns * p->column_gates;
}

static int array_cost(const void *pv, const struct scim_tech *t, const struct scim_array_req *r,
                      struct scim_array_cost *out)
{
    const struct array_params *p = pv;
    double v2 = t->vdd_v * t->vdd_v, gates = periphery_gates(p, t, r);
    out->wordline_energy_j = 1.2 * c_wordline(p, t, r) * v2; /* the driver's own chain: +20 % */
    out->bitline_energy_j = c_bitline(p, t, r) * r->v_read_v * t->vdd_v;
    out->decoder_energy_j = (4.0 * log2(r->rows > 1 ? r->rows : 2) + 2.0) * t->gate_energy_j;
    out->mux_energy_j = p->mux_gates * t->gate_energy_j +
                        r->columns_per_adc * pitch(r) * t->c_wire_f_per_m * v2;
    out->read_delay_s = read_delay(p, t, r);
    out->area_m2 = gates * t->gate_area_m2;
    out->leakage_w = gates * t->gate_leakage_w;
    out->read_supply_v = p->read_from ? r->v_read_v : t->vdd_v;
    return 0;
}

static const struct scim_array_ops array_ops = {
    .size = sizeof(struct scim_array_ops),
    .cost = array_cost,
};

const struct scim_device_ops scim_dev_cim_array = {
    .abi_version = SCIM_DEVICE_ABI,
    .name = "cim_array",
    .summary = "crossbar periphery: wordlines, bitlines, decoder, drivers, mux from size and node",
    .dev_class = SCIM_DEV_ARRAY,
    .params = array_table,
    .params_size = sizeof(struct array_params),
    .array = &array_ops,
};
