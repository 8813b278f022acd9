/*
 * tech_ptm.c - the technology model `ptm`: the CMOS around the arrays from
 * 130 nm to 7 nm, from the Predictive Technology Model cards as NeuroSim
 * tabulates them (Technology.cpp: supply, threshold, gate capacitance, on and
 * off currents per width at 300 K and 400 K, CACTI's effective-resistance
 * factor), NeuroSim's wire model (device-physics.md §8.2)
 * and bit-cell areas (§7.3), for two flavors: high performance (hp) and low
 * standby power (lstp). 40, 28 and 16 nm, which PTM does not cover, are
 * interpolated between their neighbors with their foundry nominal supplies.
 *
 * From these, with a minimum transistor 3F wide at every node (a planar-equivalent
 * width: PTM's FinFET currents are per effective fin width, and a fin's 2h + w at
 * 7-14 nm is close to 3F of footprint): a gate-equivalent's (NAND2) switched
 * capacitance C_in scales with the feature size from its 45 nm value (the hp
 * card's C_g (W_n + W_p), W_p sized by the on-current ratio) as
 * device-physics.md §7.5 prescribes (E ~ L V^2: PTM's FinFET cards give more gate
 * capacitance per footprint than planar 22 nm, which would make a 7 nm gate cost
 * more than a 22 nm one); its energy E = k_E C_in V^2 with k_E fixed by
 * Horowitz's 45 nm figures (0.44 fJ per gate-equivalent at 0.9 V: 32-bit add
 * 0.1 pJ ~ 224 GE, 32-bit multiply 3.1 pJ ~ 7,168 GE); its area 296 F^2
 * (Horowitz's 45 nm adders and multipliers, 0.49-0.64 um^2 per GE) growing with
 * the bit-cell's F^2 below 22 nm; the FO4 delay 5 C_in R_eq with
 * R_eq = f_R V / (I_on(V) 3F) and the alpha-power law I_on(V) ~ (V - V_th)^1.3
 * (12 ps at 45 nm hp, 1 V; 5 ps at 7 nm hp, 0.7 V); leakage I_off(T) W V / 2.
 * The flavor sets the threshold, drive and leakage, not the capacitance.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "scim_device.h"

/* One transistor flavor at one node (PTM, as NeuroSim tabulates it). */
struct flavor {
    double vth;          /* V */
    double c_gate;       /* ideal gate + fringe capacitance per width, F/m (the model uses 45 nm hp's) */
    double r_mult;       /* effective-resistance factor (CACTI) */
    double ion_n, ion_p; /* on-current per width at vdd, 300 K, uA/um (= A/m) */
    double ioff_n;       /* off-current per width, 300 K, uA/um */
    double ion_400;      /* NMOS on-current at 400 K, uA/um */
    double ioff_400;     /* NMOS off-current at 400 K, uA/um */
};

struct node_row {
    double nm;                /* feature size, nm */
    double vdd;               /* nominal supply, V */
    struct flavor hp, lstp;   /* the two PTM roadmaps */
    double sram_f2;           /* 6T bit-cell, F^2 */
    double wire_w, wire_ar, wire_rho; /* local wire width (nm), aspect ratio, resistivity (ohm m) */
    int interpolated;         /* 1: every value but vdd from the neighbors */
};

/* PTM via NeuroSim V1.3 Technology.cpp; wires per NeuroSim Param.cpp (§8.2); bit-cells per
 * NeuroSim's guidance (§7.3: 160 F^2 above 22 nm, 300 at 14, 400 at 10, 600 at 7). */
static const struct node_row table[] = {
    {130, 1.3, {0.1285, 1.2178e-9, 1.54, 930, 430, 0.1, 740, 0.4138},
     {0.4661, 2.8105e-9, 1.54, 300.7, 150.7, 100.2e-6, 134.6, 1111e-6}, 160, 175, 1.6,
     2.20e-8, 0},
    {90, 1.2, {0.1460, 1.1347e-9, 1.54, 1070, 540, 0.1008, 860, 0.4254},
     {0.5013, 2.5014e-9, 1.77, 346.3, 200.3, 100e-6, 155.0, 1141e-6}, 160, 110, 1.6,
     2.52e-8, 0},
    {65, 1.1, {0.1664, 1.0139e-9, 1.54, 1120, 700, 0.1, 910, 0.4212},
     {0.5017, 2.1548e-9, 1.77, 400.0, 238.7, 100.2e-6, 182.1, 1273e-6}, 160, 105, 1.7,
     2.68e-8, 0},
    {45, 1.0, {0.1711, 9.0492e-10, 1.54, 1270, 1080, 0.1, 1000, 0.4448},
     {0.4644, 1.7781e-9, 1.77, 500.2, 300.0, 100e-6, 251.5, 1511e-6}, 160, 80, 1.7, 3.31e-8, 0},
    {.nm = 40, .vdd = 1.1, .sram_f2 = 160, .interpolated = 1},
    {32, 0.9, {0.1945, 8.4815e-10, 1.54, 1410, 1220, 0.1003, 1080, 0.4339},
     {0.4420, 1.5232e-9, 1.77, 600.2, 400.0, 100.1e-6, 333.3, 1774e-6}, 160, 56, 1.8, 3.70e-8, 0},
    {.nm = 28, .vdd = 0.9, .sram_f2 = 160, .interpolated = 1},
    {22, 0.85, {0.2089, 7.819e-10, 1.54, 1500, 1320, 0.1002, 1130, 0.4466},
     {0.4199, 1.3249e-9, 1.77, 791.9, 600.2, 100e-6, 501.7, 2139e-6}, 160, 40, 1.9, 4.03e-8, 0},
    {.nm = 16, .vdd = 0.8, .interpolated = 1},
    {14, 0.8, {0.1730, 1.2573e-9, 1.51, 1686, 1550, 0.1009, 1270, 2.3003},
     {0.3821, 1.0572e-9, 1.76, 893, 820, 99.79e-6, 565, 1.24327e-2}, 300, 25, 2.0, 5.08e-8, 0},
    {10, 0.75, {0.1829, 1.1418e-9, 1.49, 1769, 1626, 0.1001, 1333, 2.2584},
     {0.3906, 9.419e-10, 1.73, 862, 775, 99.70e-6, 546, 1.2525e-2}, 400, 18, 2.0, 6.35e-8, 0},
    {7, 0.7, {0.1922, 1.0487e-9, 1.45, 1912, 1685, 0.1002, 1440, 2.2961},
     {0.4025, 8.495e-10, 1.73, 822, 737, 100e-6, 521, 1.28025e-2}, 600, 18, 2.0, 6.35e-8, 0},
};
#define N_ROWS (sizeof(table) / sizeof(table[0]))

struct ptm_params {
    double gate_energy_45;  /* anchor: a gate-equivalent's energy at 45 nm hp, 0.9 V, J */
    double gate_area_f2;    /* a gate-equivalent's area at planar nodes, F^2 */
    double wire_c_um;       /* capacitance of 1 um of local wire, F */
    double alpha;           /* velocity-saturation exponent of the alpha-power law */
    double vdd_lo, vdd_hi;  /* accepted supply, fractions of the node's nominal */
};

static const struct scim_param ptm_table[] = {
    SCIM_PARAM_F64(struct ptm_params, "gate_energy_45nm", gate_energy_45, SCIM_DIM_ENERGY, 1e-18,
                   1e-12, "0.44fJ",
                   "energy of a switching gate-equivalent at 45 nm hp, 0.9 V (Horowitz ISSCC 2014)"),
    SCIM_PARAM_F64(struct ptm_params, "gate_area", gate_area_f2, SCIM_DIM_FAREA, 10, 10000, "296F2",
                   "a placed and routed gate-equivalent at planar nodes (Horowitz 45 nm)"),
    SCIM_PARAM_F64(struct ptm_params, "wire_capacitance_per_um", wire_c_um, SCIM_DIM_CAP, 1e-18,
                   1e-14, "0.2fF", "capacitance of 1 um of local wire (device-physics.md §7.5)"),
    SCIM_PARAM_F64(struct ptm_params, "alpha", alpha, SCIM_DIM_NONE, 1.0, 2.0, "1.3",
                   "exponent of the alpha-power law I_on ~ (V - V_th)^alpha"),
    SCIM_PARAM_F64(struct ptm_params, "vdd_min", vdd_lo, SCIM_DIM_NONE, 0.1, 1.0, "60%",
                   "lowest accepted supply, as a fraction of the node's nominal supply"),
    SCIM_PARAM_F64(struct ptm_params, "vdd_max", vdd_hi, SCIM_DIM_NONE, 1.0, 2.0, "120%",
                   "highest accepted supply, as a fraction of the node's nominal supply"),
    {0},
};

static double geo(double a, double b, double t)
{
    return a > 0 && b > 0 ? exp((1 - t) * log(a) + t * log(b)) : (1 - t) * a + t * b;
}

static struct flavor flavor_mix(const struct flavor *a, const struct flavor *b, double t)
{
    return (struct flavor){(1 - t) * a->vth + t * b->vth, geo(a->c_gate, b->c_gate, t),
                           (1 - t) * a->r_mult + t * b->r_mult, geo(a->ion_n, b->ion_n, t),
                           geo(a->ion_p, b->ion_p, t), geo(a->ioff_n, b->ioff_n, t),
                           geo(a->ion_400, b->ion_400, t), geo(a->ioff_400, b->ioff_400, t)};
}

/* The measured rows around a node (skipping interpolated ones) and the log-node weight. */
static int bracket(double nm, const struct node_row **a, const struct node_row **b, double *t)
{
    *a = *b = NULL;
    for (size_t i = 0; i < N_ROWS; i++) {
        if (table[i].interpolated)
            continue;
        if (table[i].nm >= nm)
            *a = &table[i];
        if (table[i].nm <= nm && !*b)
            *b = &table[i];
    }
    if (!*a || !*b)
        return -1;
    *t = *a == *b ? 0.0 : log((*a)->nm / nm) / log((*a)->nm / (*b)->nm);
    return 0;
}

/* The row at nm: a measured row, or one interpolated (vdd from a named row when nm is one). */
static int row_at(double nm, struct node_row *r)
{
    const struct node_row *a, *b;
    double t;
    if (bracket(nm, &a, &b, &t) < 0)
        return -1;
    *r = t < 1e-9 ? *a : *b;
    r->nm = nm;
    r->hp = flavor_mix(&a->hp, &b->hp, t);
    r->lstp = flavor_mix(&a->lstp, &b->lstp, t);
    r->vdd = (1 - t) * a->vdd + t * b->vdd;
    r->sram_f2 = geo(a->sram_f2, b->sram_f2, t);
    r->wire_w = geo(a->wire_w, b->wire_w, t);
    r->wire_ar = (1 - t) * a->wire_ar + t * b->wire_ar;
    r->wire_rho = geo(a->wire_rho, b->wire_rho, t);
    for (size_t i = 0; i < N_ROWS; i++)
        if (fabs(table[i].nm - nm) < 1e-6)
            r->vdd = table[i].vdd;
    return 0;
}

/* Width of a minimum transistor: 3F at every node, m. */
static double w_min(const struct node_row *r)
{
    return 3.0 * r->nm * 1e-9;
}

/* PMOS width of a gate-equivalent, sized by the hp card's on-current ratio, m. */
static double w_p(const struct node_row *r)
{
    return r->hp.ion_n / r->hp.ion_p * w_min(r);
}

/* A current given at 300 K and 400 K, at temperature temp (exponential between). */
static double at_temp(double i300, double i400, double temp)
{
    return i300 * pow(i400 / i300, (temp - 300.0) / 100.0);
}

/* The switched capacitance of a gate-equivalent's input: its 45 nm hp value scaled with
 * the feature size (E ~ L V^2, device-physics.md §7.5), F. */
static double c_input(const struct node_row *r)
{
    const struct node_row *r45 = &table[3];
    return r45->hp.c_gate * (w_min(r45) + w_p(r45)) * r->nm / r45->nm;
}

static void fill(const struct ptm_params *p, const struct node_row *r, const struct flavor *f,
                 double vdd, double temp, struct scim_tech *t)
{
    double k_e = p->gate_energy_45 / (c_input(&table[3]) * 0.81);
    double wn = w_min(r), c_in = c_input(r), f_m = r->nm * 1e-9;
    double drive = pow((vdd - f->vth) / (r->vdd - f->vth), p->alpha);
    double ion = at_temp(f->ion_n, f->ion_400, temp) * drive;
    memset(t, 0, sizeof(*t));
    t->size = sizeof(*t);
    t->node_m = f_m, t->vdd_v = vdd, t->vdd_nominal_v = r->vdd, t->vth_v = f->vth;
    t->temperature_k = temp;
    t->c_gate_f_per_m = c_in / (wn + w_p(r));
    t->c_wire_f_per_m = p->wire_c_um * 1e6;
    t->r_wire_ohm_per_m = r->wire_rho * (1 + 0.00451 * fabs(temp - 300)) /
                          (pow(r->wire_w * 1e-9, 2) * r->wire_ar);
    t->i_on_a_per_m = ion;
    t->i_off_a_per_m = at_temp(f->ioff_n, f->ioff_400, temp);
    t->i_off_cell_a_per_m = at_temp(r->lstp.ioff_n, r->lstp.ioff_400, temp);
    t->w_min_m = wn;
    t->gate_energy_j = k_e * c_in * vdd * vdd;
    t->gate_area_m2 = p->gate_area_f2 * (r->sram_f2 / 160.0) * f_m * f_m;
    t->gate_leakage_w = t->i_off_a_per_m * 0.5 * (wn + w_p(r)) * vdd;
    t->fo4_s = 5.0 * c_in * f->r_mult * vdd / (ion * wn);
    t->sram_cell_area_m2 = r->sram_f2 * f_m * f_m;
}

static void ptm_range(const void *pv, double node_m, int flavor, double *lo, double *hi)
{
    const struct ptm_params *p = pv;
    struct node_row r;
    *lo = *hi = 0;
    if (row_at(node_m * 1e9, &r) < 0)
        return;
    double vth = flavor ? r.lstp.vth : r.hp.vth, base = p->vdd_lo * r.vdd;
    *lo = base > vth + 0.15 ? base : vth + 0.15;
    *hi = p->vdd_hi * r.vdd;
}

static int ptm_at(const void *pv, double node_m, double vdd, double temp, int flavor,
                  struct scim_tech *t, char *msg, size_t len)
{
    const struct ptm_params *p = pv;
    struct node_row r;
    double lo, hi;
    if (row_at(node_m * 1e9, &r) < 0)
        return snprintf(msg, len, "%.4g nm is outside the ptm model's %g nm to %g nm",
                        node_m * 1e9, table[N_ROWS - 1].nm, table[0].nm),
               SCIM_PLUGIN_EINVAL;
    ptm_range(pv, node_m, flavor, &lo, &hi);
    if (vdd < lo - 1e-12 || vdd > hi + 1e-12)
        return snprintf(msg, len, "%.3g V is outside the %.3g V to %.3g V this %.4g nm %s process "
                        "runs at (nominal %.3g V)", vdd, lo, hi, node_m * 1e9,
                        flavor ? "lstp" : "hp", r.vdd),
               SCIM_PLUGIN_EINVAL;
    fill(p, &r, flavor ? &r.lstp : &r.hp, vdd, temp, t);
    return 0;
}

static const struct scim_tech_ops ptm_ops = {
    .size = sizeof(struct scim_tech_ops),
    .at = ptm_at,
    .vdd_range = ptm_range,
};

const struct scim_device_ops scim_dev_ptm = {
    .abi_version = SCIM_DEVICE_ABI,
    .name = "ptm",
    .summary = "CMOS 130-7 nm from the Predictive Technology Model (NeuroSim's tables), hp or lstp",
    .dev_class = SCIM_DEV_TECH,
    .params = ptm_table,
    .params_size = sizeof(struct ptm_params),
    .tech = &ptm_ops,
};
