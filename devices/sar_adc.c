/*
 * sar_adc.c - successive-approximation ADC: one comparator, a binary-weighted
 * capacitor DAC and the SAR logic, priced at the technology point.
 *
 * A conversion is bits + 1 comparator decisions (`comparator_gates`
 * gate-equivalent switchings each), the SAR register and logic (`logic_gates`
 * per bit), and the DAC's switching energy `dac_switching` x 2^bits x C_unit x
 * V_dd^2 (about 0.5 for the monotonic switching of Liu et al., JSSC 2010, against
 * 1.36 for the conventional scheme). Each decision waits for the comparator
 * (`comparator_fo4`) and the DAC to settle to half an LSB: (bits + 1) ln 2 time
 * constants of the unit switch (a minimum transistor) on the DAC. The DAC's area
 * is 2^bits unit capacitors of `unit_capacitor_area`. NeuroSim's SAR ADC (SarADC.cpp,
 * device-physics.md §7.1) gives a similar energy: about 0.14 pJ at 5 bits, 45 nm.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "adc_code.h"
#include "scim_device.h"

struct sar_params {
    int64_t bits;        /* resolution, bits */
    double c_unit;       /* unit capacitor of the DAC, F */
    double unit_area;    /* area of one unit capacitor (MOM), m^2 */
    double dac_switching; /* DAC energy per conversion in 2^bits C_unit V^2 */
    double comp_gates;   /* gate-equivalents switching per comparator decision */
    double logic_gates;  /* SAR logic gate-equivalents per bit */
    double comp_fo4;     /* comparator decision time, FO4 */
    double p_static;     /* static power per ADC, W */
};

static const struct scim_param sar_table[] = {
    SCIM_PARAM_INT(struct sar_params, "bits", bits, 1, 14, "6",
                   "resolution; codes 0 .. 2^bits - 1, larger counts are clipped"),
    SCIM_PARAM_F64(struct sar_params, "unit_capacitance", c_unit, SCIM_DIM_CAP, 1e-17, 1e-12, "1fF",
                   "unit capacitor of the binary-weighted DAC (mismatch sets it, not the node)"),
    SCIM_PARAM_F64(struct sar_params, "unit_capacitor_area", unit_area, SCIM_DIM_AREA, 1e-14, 1e-9,
                   "0.5um2", "area of one unit capacitor (1 fF at 2 fF/um^2, MOM)"),
    SCIM_PARAM_F64(struct sar_params, "dac_switching", dac_switching, SCIM_DIM_NONE, 0.05, 4, "0.5",
                   "DAC switching energy per conversion in units of 2^bits C_unit V_dd^2"),
    SCIM_PARAM_F64(struct sar_params, "comparator_gates", comp_gates, SCIM_DIM_NONE, 1, 1e4, "33",
                   "energy of one comparator decision, in gate-equivalent switchings"),
    SCIM_PARAM_F64(struct sar_params, "logic_gates", logic_gates, SCIM_DIM_NONE, 1, 1e4, "20",
                   "SAR register and control per bit, in gate-equivalents"),
    SCIM_PARAM_F64(struct sar_params, "comparator_fo4", comp_fo4, SCIM_DIM_NONE, 1, 1000, "10",
                   "comparator decision time, in FO4 delays"),
    SCIM_PARAM_F64(struct sar_params, "p_static", p_static, SCIM_DIM_POWER, 0, 1.0, "0W",
                   "static power per ADC (dynamic comparator: 0)"),
    {0},
};

static int sar_bits(const void *p)
{
    return (int)((const struct sar_params *)p)->bits;
}

static double levels(const struct sar_params *p)
{
    return ldexp(1.0, (int)p->bits);
}

static double sar_energy(const void *pv, const struct scim_tech *t)
{
    const struct sar_params *p = pv;
    double n = (double)p->bits;
    double digital = ((n + 1.0) * p->comp_gates + n * p->logic_gates) * t->gate_energy_j;
    return digital + p->dac_switching * levels(p) * p->c_unit * t->vdd_v * t->vdd_v;
}

static double sar_latency(const void *pv, const struct scim_tech *t)
{
    const struct sar_params *p = pv;
    double n = (double)p->bits, r_switch = t->vdd_v / (t->i_on_a_per_m * t->w_min_m);
    double settle = (n + 1.0) * log(2.0) * r_switch * levels(p) * p->c_unit;
    return (n + 1.0) * (p->comp_fo4 * t->fo4_s + settle / (n + 1.0) + t->fo4_s);
}

static double logic_area(const struct sar_params *p, const struct scim_tech *t)
{
    return (p->comp_gates + (double)p->bits * p->logic_gates) * t->gate_area_m2;
}

static double sar_area(const void *pv, const struct scim_tech *t)
{
    const struct sar_params *p = pv;
    return logic_area(p, t) + levels(p) * p->unit_area;
}

static double sar_static(const void *pv, const struct scim_tech *t)
{
    const struct sar_params *p = pv;
    return p->p_static + logic_area(p, t) / t->gate_area_m2 * t->gate_leakage_w;
}

static uint32_t sar_convert(const void *pv, double x)
{
    return scim_adc_code(x, levels(pv) - 1.0);
}

static const struct scim_adc_ops sar_ops = {
    .size = sizeof(struct scim_adc_ops),
    .bits = sar_bits,
    .energy_j = sar_energy,
    .latency_s = sar_latency,
    .area_m2 = sar_area,
    .static_power_w = sar_static,
    .convert = sar_convert,
};

const struct scim_device_ops scim_dev_sar_adc = {
    .abi_version = SCIM_DEVICE_ABI,
    .name = "sar_adc",
    .summary = "SAR ADC: one comparator, a capacitor DAC and SAR logic at the technology point",
    .dev_class = SCIM_DEV_ADC,
    .params = sar_table,
    .params_size = sizeof(struct sar_params),
    .adc = &sar_ops,
};
