/*
 * scim_device.h - the device-model ABI of spincim.
 *
 * A device model (an MTJ cell, an ADC, a memory macro, a random-bit source)
 * is a constant struct scim_device_ops: a name, a class, a parameter table
 * that is at once the YAML schema and the documentation, and the functions
 * the architecture calls. Built-in models are listed in devices/builtin.def;
 * out-of-tree models live in a shared object whose entry point
 * scim_plugin_init() receives struct scim_host_api and registers them.
 *
 * This header is self-contained (C11, no other spincim header) so that a
 * plug-in builds against it alone.
 *
 * Rules:
 *  - Each class's ops struct starts with its size (`.size = sizeof(struct
 *    scim_cell_ops)`): optional members are appended at the end of a class
 *    struct without a new ABI version, and a model built against an older,
 *    shorter struct still loads (the members it lacks read as NULL). Changing
 *    or removing a member, or appending to struct scim_device_ops, bumps
 *    SCIM_DEVICE_ABI; the host checks abi_version before reading anything else.
 *  - Units: every quantity is SI (s, Hz, ohm, S, J, W, V, A, m, m^2, K).
 *  - Functions marked "optional" may be NULL; all others are required and are
 *    checked at registration.
 *  - Models draw randomness only from the struct scim_rand they are handed,
 *    do no I/O and never exit.
 */
#ifndef SCIM_DEVICE_H
#define SCIM_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#define SCIM_DEVICE_ABI 2

/* Physical dimension of a parameter; decides which units the config accepts. */
enum scim_dim {
    SCIM_DIM_NONE = 0, /* dimensionless: bare number (or "%" for fractions) */
    SCIM_DIM_TIME,     /* s */
    SCIM_DIM_FREQ,     /* Hz */
    SCIM_DIM_RES,      /* ohm */
    SCIM_DIM_COND,     /* S */
    SCIM_DIM_ENERGY,   /* J */
    SCIM_DIM_POWER,    /* W */
    SCIM_DIM_VOLT,     /* V */
    SCIM_DIM_CURRENT,  /* A */
    SCIM_DIM_LENGTH,   /* m */
    SCIM_DIM_AREA,     /* m2 */
    SCIM_DIM_TEMP,     /* K */
    SCIM_DIM_FAREA,    /* F2: area in squares of the technology's feature size */
    SCIM_DIM_RA,       /* ohm*m2: resistance-area product */
    SCIM_DIM_CAP,      /* F: capacitance */
    SCIM_DIM_COUNT
};

/* Type of a parameter's value in its C struct. */
enum scim_ptype {
    SCIM_P_F64 = 1, /* double, SI value of dimension .dim */
    SCIM_P_INT,     /* int64_t, in [min, max] */
    SCIM_P_BOOL,    /* int, 0 or 1; YAML true/false */
    SCIM_P_ENUM,    /* int, index into .choices ("a|b|c") */
    SCIM_P_STR,     /* char * (owned by the config; freed with it) */
    SCIM_P_PATH     /* char *, a file path resolved relative to the YAML file */
};

/* One row of a parameter table. Tables end with a row whose key is NULL. */
struct scim_param {
    const char *key;      /* YAML key, snake_case */
    enum scim_ptype type; /* C type of the value */
    size_t offset;        /* offsetof(struct <model>_params, field) */
    enum scim_dim dim;    /* physical dimension (F64 only) */
    double min, max;      /* inclusive bounds in SI units (F64, INT) */
    const char *dflt;     /* default as YAML text, with unit ("10ns"); NULL = required */
    const char *doc;      /* one line: what the value means */
    const char *choices;  /* SCIM_P_ENUM only: "a|b|c" */
};

/* Rows of a table for a value `field` of struct S (a model's params struct, a config
 * section): SCIM_PARAM_F64(struct my_params, "t_read", t_read, SCIM_DIM_TIME, 1e-12, 1e-6,
 * "10ns", "read pulse"). */
#define SCIM_PARAM_F64(S, key, field, dim, lo, hi, dflt, doc)                                     \
    {key, SCIM_P_F64, offsetof(S, field), dim, lo, hi, dflt, doc, NULL}
#define SCIM_PARAM_INT(S, key, field, lo, hi, dflt, doc)                                          \
    {key, SCIM_P_INT, offsetof(S, field), SCIM_DIM_NONE, lo, hi, dflt, doc, NULL}
#define SCIM_PARAM_ENUM(S, key, field, choices, dflt, doc)                                        \
    {key, SCIM_P_ENUM, offsetof(S, field), SCIM_DIM_NONE, 0, 0, dflt, doc, choices}
#define SCIM_PARAM_BOOL(S, key, field, dflt, doc)                                                 \
    {key, SCIM_P_BOOL, offsetof(S, field), SCIM_DIM_NONE, 0, 1, dflt, doc, NULL}
#define SCIM_PARAM_STR(S, key, field, dflt, doc)                                                  \
    {key, SCIM_P_STR, offsetof(S, field), SCIM_DIM_NONE, 0, 0, dflt, doc, NULL}
#define SCIM_PARAM_PATH(S, key, field, dflt, doc)                                                 \
    {key, SCIM_P_PATH, offsetof(S, field), SCIM_DIM_NONE, 0, 0, dflt, doc, NULL}

/* A random source handed to models: uniform in [0, 1) and standard normal. */
struct scim_rand {
    void *ctx;
    double (*uniform)(void *ctx);
    double (*normal)(void *ctx);
};

/* Device classes: which class-specific ops struct a model fills. */
enum scim_dev_class {
    SCIM_DEV_CELL = 1, /* a memory/compute cell in a crossbar (binary or multi-level) */
    SCIM_DEV_ADC,      /* an analog-to-digital converter bank element */
    SCIM_DEV_MEMORY,   /* a digital memory macro (SRAM) for scales and buffers */
    SCIM_DEV_RNG,      /* a random-bit source for dropout / sampling */
    SCIM_DEV_TECH,     /* the CMOS technology: what a gate, a wire, a transistor cost at a node */
    SCIM_DEV_LOGIC,    /* the digital blocks (accumulators, multipliers, comparators, ...) */
    SCIM_DEV_ARRAY     /* a crossbar array's periphery: lines, decoders, drivers, mux, sensing */
};

/* The CMOS technology at the chip's operating point (node, supply, temperature), as the
 * host hands it to every block model. Filled by the technology model (class TECH) from
 * chip.technology_node, chip.vdd, chip.temperature and chip.transistor. */
struct scim_tech {
    size_t size;                /* sizeof(struct scim_tech) the host filled */
    double node_m;              /* feature size F, m */
    double vdd_v;               /* supply, V */
    double vdd_nominal_v;       /* the node's nominal supply, V */
    double vth_v;               /* threshold voltage of the logic transistors, V */
    double temperature_k;       /* K */
    double c_gate_f_per_m;      /* gate capacitance per transistor width (ideal + fringe), F/m */
    double c_wire_f_per_m;      /* local (metal-1/2) wire capacitance per length, F/m */
    double r_wire_ohm_per_m;    /* local wire resistance per length at temperature, ohm/m */
    double i_on_a_per_m;        /* NMOS on-current per width at vdd, A/m */
    double i_off_a_per_m;       /* NMOS off-current per width at temperature (logic), A/m */
    double i_off_cell_a_per_m;  /* the same for low-leakage memory transistors, A/m */
    double w_min_m;             /* width of a minimum NMOS transistor, m */
    double gate_energy_j;       /* a switching gate-equivalent (NAND2) at vdd, activity included, J */
    double gate_area_m2;        /* a gate-equivalent as placed and routed, m^2 */
    double gate_leakage_w;      /* a gate-equivalent's leakage at vdd and temperature, W */
    double fo4_s;               /* fan-out-of-4 inverter delay at vdd, s */
    double sram_cell_area_m2;   /* a 6T SRAM bit-cell, m^2 */
};

/* Technology model: the table (or equations) behind struct scim_tech. */
struct scim_tech_ops {
    size_t size; /* sizeof(struct scim_tech_ops) the model was built with */
    /* The technology at node (m), supply (V), temperature (K) and transistor flavor
     * (0 high-performance, 1 low-standby-power): 0, or < 0 with why in msg (a node or a
     * supply outside what the model covers). */
    int (*at)(const void *params, double node_m, double vdd_v, double temp_k, int flavor,
              struct scim_tech *t, char *msg, size_t msg_len);
    /* The supply range (V) the model accepts at node_m for flavor. */
    void (*vdd_range)(const void *params, double node_m, int flavor, double *lo_v, double *hi_v);
};

/* The digital blocks a logic model prices. */
enum scim_logic_block {
    SCIM_LOGIC_ACCUMULATOR = 1, /* adder-accumulator of `width` bits (one add + register) */
    SCIM_LOGIC_MULTIPLIER,      /* width x width2 multiplier (scale x sum) */
    SCIM_LOGIC_COMPARATOR,      /* width-bit threshold compare (batch-norm + sign) */
    SCIM_LOGIC_NORMALIZATION,   /* a layer-normalization step on a width-bit value */
    SCIM_LOGIC_POOLING,         /* one pooling output over `inputs` binary values */
    SCIM_LOGIC_AVERAGING,       /* one pass averaged: `inputs` class scores of width bits */
    SCIM_LOGIC_REGISTER,        /* one bit of a register (dropout bits, pipeline latches) */
    SCIM_LOGIC_CONTROL,         /* the controller and Monte Carlo sequencer (one cycle) */
    SCIM_LOGIC_DECODER,         /* a row decoder for `inputs` rows (one decode) */
    SCIM_LOGIC_COUNT
};

/* One block to price: its kind and sizes. */
struct scim_logic_req {
    enum scim_logic_block block;
    int width;  /* operand width, bits */
    int width2; /* second operand width (multiplier), bits */
    int inputs; /* operands (pooling window, classes averaged, decoder rows) */
};

/* What one operation of the block costs at the technology point. */
struct scim_logic_cost {
    double energy_j;  /* per operation, J */
    double delay_s;   /* critical path of one operation (register to register), s */
    double area_m2;   /* one instance, m^2 */
    double leakage_w; /* one instance, W */
    double gates;     /* size in gate-equivalents (NAND2), for reports */
};

struct scim_logic_ops {
    size_t size; /* sizeof(struct scim_logic_ops) the model was built with */
    /* The cost of one block; 0, or < 0 when the model does not price this block. */
    int (*cost)(const void *params, const struct scim_tech *t, const struct scim_logic_req *req,
                struct scim_logic_cost *out);
};

/* A crossbar array as its periphery sees it. */
struct scim_array_req {
    int rows, columns;     /* physical wordlines and bitlines */
    int rows_per_read;     /* weights (wordline pairs) activated together */
    int columns_per_adc;   /* columns multiplexed onto one ADC */
    double cell_area_m2;   /* one cell, m^2 (its pitch sets the line lengths) */
    double v_read_v;       /* read voltage across a cell, V */
    double t_read_s;       /* read pulse of the cell model, s */
    double g_on_s;         /* conductance of a conducting low-resistance cell, S */
};

/* Per-event costs of the array's periphery. */
struct scim_array_cost {
    double wordline_energy_j; /* one wordline driven once (line + access gates), J */
    double bitline_energy_j;  /* one bitline biased for one read (line + junctions), J */
    double decoder_energy_j;  /* one row decode (per read), J */
    double mux_energy_j;      /* one column routed to its ADC (per conversion), J */
    double read_delay_s;      /* one read: wordline rise, bitline settling and the cell pulse, s */
    double area_m2;           /* decoders, drivers, column mux and bias of one array, m^2 */
    double leakage_w;         /* one array's periphery, W */
    double read_supply_v;     /* supply the cells' read current is drawn from: V_dd through the
                                 bitline clamp, or the read voltage from its own reference, V */
};

struct scim_array_ops {
    size_t size; /* sizeof(struct scim_array_ops) the model was built with */
    int (*cost)(const void *params, const struct scim_tech *t, const struct scim_array_req *req,
                struct scim_array_cost *out);
};

/* Cell: state 0 is the highest-resistance state (AP), levels-1 the lowest (P). */
struct scim_cell_ops {
    size_t size;            /* sizeof(struct scim_cell_ops) the model was built with */
    int levels;             /* 2 for a binary MTJ; 5 for a 4-MTJ multi-level cell */
    int read_on_write_path; /* 1 if the read current flows on the write path (STT) */
    /* Conductance of state at read voltage v_read (V) and temperature temp (K), S. */
    double (*conductance_s)(const void *params, int state, double v_read, double temp);
    /* Read voltage applied across a selected cell, V. */
    double (*read_voltage_v)(const void *params);
    /* Duration of one read (wordline pulse), s. */
    double (*read_latency_s)(const void *params);
    /* Energy of one cell read in state at temperature temp, J. */
    double (*read_energy_j)(const void *params, int state, double temp);
    /* Energy and duration of writing one cell (one state change), J and s. */
    double (*write_energy_j)(const void *params);
    double (*write_latency_s)(const void *params);
    /* Cell area including its access transistors, m^2, at feature size feature_m. */
    double (*area_m2)(const void *params, double feature_m);
    /* Optional: one device-to-device draw of the conductance of state, S. */
    double (*sample_conductance_s)(const void *params, int state, double v_read, double temp,
                                   const struct scim_rand *rnd);
};

/* ADC: converts a column signal, expressed in LSBs, into a code in [0, 2^bits-1]. Its
 * costs depend on the technology point (node and supply). */
struct scim_adc_ops {
    size_t size; /* sizeof(struct scim_adc_ops) the model was built with */
    int (*bits)(const void *params);
    double (*energy_j)(const void *params, const struct scim_tech *t);  /* J per conversion */
    double (*latency_s)(const void *params, const struct scim_tech *t); /* s per conversion */
    double (*area_m2)(const void *params, const struct scim_tech *t);   /* m^2 per ADC */
    double (*static_power_w)(const void *params, const struct scim_tech *t); /* W per ADC */
    /* Optional: code for an input of x LSBs (default: round to nearest, clip). */
    uint32_t (*convert)(const void *params, double x_lsb);
};

/* Memory macro: word-organized digital storage of capacity_bits in words of word_bits. */
struct scim_mem_geom {
    double capacity_bits; /* bits stored in one macro */
    int word_bits;        /* bits per access */
};

struct scim_memory_ops {
    size_t size; /* sizeof(struct scim_memory_ops) the model was built with */
    /* J per word read / written, s per access, m^2 and W of the whole macro. */
    double (*read_energy_j)(const void *params, const struct scim_tech *t,
                            const struct scim_mem_geom *g);
    double (*write_energy_j)(const void *params, const struct scim_tech *t,
                             const struct scim_mem_geom *g);
    double (*access_latency_s)(const void *params, const struct scim_tech *t,
                               const struct scim_mem_geom *g);
    double (*area_m2)(const void *params, const struct scim_tech *t, const struct scim_mem_geom *g);
    double (*leakage_w)(const void *params, const struct scim_tech *t,
                        const struct scim_mem_geom *g);
};

/* Random-bit source (one module). */
struct scim_rng_ops {
    size_t size;       /* sizeof(struct scim_rng_ops) the model was built with */
    size_t state_size; /* bytes of per-instance state the host allocates (zeroed) */
    /* Optional: set up one instance (one chip's module) at temperature temp (K): draw
     * its device-to-device variation from rnd, calibrate; 0 or < 0. */
    int (*init)(const void *params, void *state, double temp, const struct scim_rand *rnd);
    /* One random bit that is 1 with probability p (as the device realizes it). */
    int (*sample)(const void *params, void *state, double p, const struct scim_rand *rnd);
    double (*bit_energy_j)(const void *params);  /* J per random bit */
    double (*bit_latency_s)(const void *params); /* s per random bit (sample period) */
    double (*area_m2)(const void *params);       /* m^2 per module */
    double (*static_power_w)(const void *params); /* W per module */
    /* Optional: switching probability of the nominal device for a bias current (A)
     * and pulse (s) at temperature (K); monotonic in current and pulse. */
    double (*p_switch)(const void *params, double current_a, double pulse_s, double temp_k);
    /* Optional: bias current (A) that gives probability p with the device's own pulse
     * at temperature temp (K); negative when p cannot be reached. */
    double (*calibrate)(const void *params, double p, double temp_k);
};

struct scim_device_ops {
    int abi_version;                  /* SCIM_DEVICE_ABI the model was built with */
    const char *name;                 /* registry key: `model:` in YAML */
    const char *summary;              /* one line for `spincim devices` */
    enum scim_dev_class dev_class;    /* which ops pointer below is set */
    const struct scim_param *params;  /* parameter table, NULL-key terminated */
    size_t params_size;               /* sizeof the model's params struct */
    /* Optional: cross-check parameters after loading (e.g. r_ap > r_p). Return 0, or
     * < 0 with a message of at most msg_len bytes written to msg. */
    int (*check)(const void *params, char *msg, size_t msg_len);
    const struct scim_cell_ops *cell;     /* SCIM_DEV_CELL */
    const struct scim_adc_ops *adc;       /* SCIM_DEV_ADC */
    const struct scim_memory_ops *memory; /* SCIM_DEV_MEMORY */
    const struct scim_rng_ops *rng;       /* SCIM_DEV_RNG */
    const struct scim_tech_ops *tech;     /* SCIM_DEV_TECH */
    const struct scim_logic_ops *logic;   /* SCIM_DEV_LOGIC */
    const struct scim_array_ops *array;   /* SCIM_DEV_ARRAY */
};

/* What the host gives a plug-in's entry point. */
struct scim_host_api {
    int abi_version; /* SCIM_DEVICE_ABI of the host */
    /* Register a model; 0 or a negative code (bad table, duplicate name, ABI). */
    int (*register_device)(const struct scim_device_ops *ops);
    /* Physical constants a model may need. */
    double k_boltzmann; /* J/K */
    double e_charge;    /* C */
    double hbar;        /* J*s */
};

/* Return codes a plug-in may use (the same values as the host's SCIM_E* codes). */
#define SCIM_PLUGIN_OK 0
#define SCIM_PLUGIN_EINVAL (-1)
#define SCIM_PLUGIN_EABI (-9)

/* The entry point a plug-in exports; returns 0 or a negative code. */
typedef int (*scim_plugin_init_fn)(const struct scim_host_api *host);
#define SCIM_PLUGIN_ENTRY "scim_plugin_init"

#endif
