/*
 * sc_kernel.h - the C side's view of the SystemC binding.
 *
 * The chip is a list of processes (C functions over C module structs, arch/hw.h)
 * and numbered events; sc_kernel.cpp turns each process into an SC_THREAD,
 * each event into an sc_event, implements the host services (time in clock
 * cycles, waits, notifications, VCD signals) and runs the kernel. SystemC
 * elaborates once per OS process, so a program simulates one netlist.
 */
#ifndef SCIM_SC_KERNEL_H
#define SCIM_SC_KERNEL_H

#include <stddef.h>
#include <stdint.h>

#include "arch/hw/hw.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One process: run(self, host) is the body of an SC_THREAD. */
struct scim_sc_proc {
    const char *name;
    void (*run)(void *self, const struct scim_hw_host *h);
    void *self;
};

struct scim_sc_netlist {
    double clock_hz;                 /* chip clock, Hz */
    int n_events;                    /* events numbered 0 .. n_events - 1 */
    const struct scim_sc_proc *procs;
    int n_procs;
    const char *const *sig_names;    /* traced signals (VCD), n_sigs of them */
    int n_sigs;
    const char *vcd_path;            /* VCD file (".vcd" appended), or NULL */
    int trace_first, trace_last;     /* images whose activity is traced */
    const int *images_started;       /* progress counters the tracer and the */
    const int *images_done;          /* deadlock check read */
    const uint64_t *ops;             /* operations completed by all blocks */
    int images;                      /* images the run must complete */
};

/* Run until every image is done. Returns 0, or < 0 with a message in err
 * (deadlock: nothing left to run before the last image completed). *end_cycle
 * is the cycle simulation stopped at. */
int scim_sc_simulate(const struct scim_sc_netlist *n, uint64_t *end_cycle, char *err,
                     size_t errlen);

/* Version string of the SystemC kernel. */
const char *scim_sc_version(void);

#ifdef __cplusplus
}
#endif

#endif
