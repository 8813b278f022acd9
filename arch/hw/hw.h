/*
 * hw.h - hardware blocks as SystemC-style C modules.
 *
 * A module is a C struct holding its state, its ports (pointers to channels)
 * and its statistics, plus a process function that runs as one SystemC
 * thread (SC_THREAD, statically sensitive to the rising edge of the chip
 * clock). A process never blocks on its own: it calls the host services below,
 * which the thin C++ binding (sim/systemc/) implements with sc_core::wait()
 * and sc_event. The functional work is the same C code as the functional
 * engine (sim/image.c), called when a block finishes it.
 *
 * Timing rules shared by every block (docs/architecture.md, "Cycle-level
 * engine"): time is counted in cycles of chip.clock; an operation that takes
 * n cycles and starts at cycle c ends at c + n; anything a block writes into a
 * channel at cycle c (an entry, a freed slot, a random bit) is visible to the
 * reader from cycle c + 1 (a register between the blocks). So results do not
 * depend on the order in which the kernel runs processes within a cycle.
 */
#ifndef SCIM_HW_H
#define SCIM_HW_H

#include <stdint.h>

/* Services of the simulation kernel, passed to every process. */
struct scim_hw_host {
    void *k; /* the kernel binding's context */
    /* Current cycle of the chip clock. */
    uint64_t (*now)(void *k);
    /* Advance n >= 1 clock cycles (the process is triggered by every edge). */
    void (*wait_cycles)(void *k, uint64_t n);
    /* Block until event ev is notified (then resume at that edge). */
    void (*wait_event)(void *k, int ev);
    /* Notify event ev (delta notification: waiters resume in this cycle). */
    void (*notify)(void *k, int ev);
    /* Record value v of traced signal sig at the current time (VCD), or nothing. */
    void (*trace)(void *k, int sig, int64_t v);
    /* The simulation is complete: stop the kernel. */
    void (*stop)(void *k);
};

/* Why a block was not busy: what it waited for. */
enum scim_hw_cause {
    SCIM_HW_SELF = 0, /* its own previous operation (busy) */
    SCIM_HW_INPUT,    /* input entries not yet written (idle, starved) */
    SCIM_HW_OUTPUT,   /* no room in the output channel (stalled, back-pressure) */
    SCIM_HW_RNG,      /* dropout bits not yet drawn (stalled on the RNG) */
    SCIM_HW_CMD,      /* the Monte Carlo controller's go-ahead (idle) */
    SCIM_HW_CAUSES
};

/* Reference to one operation ("item") of one module, for the critical path. */
struct scim_hw_ref {
    int32_t mod;   /* module index in the chip, -1 = none */
    uint32_t item; /* the module's operation number (0, 1, ...) */
};

/* Cycle accounting of one module. */
struct scim_hw_stats {
    uint64_t busy;                     /* cycles operating */
    uint64_t wait[SCIM_HW_CAUSES];     /* cycles waiting, by cause */
    uint64_t items;                    /* operations completed */
};

/* One operation of a traced image: when it ran and what it waited for last. */
struct scim_hw_rec {
    uint64_t start, end;     /* cycles */
    uint8_t cause;           /* enum scim_hw_cause that was binding at the start */
    struct scim_hw_ref pred; /* the operation it waited for (critical path) */
};

/*
 * A channel: a stream of entries from one producer to one consumer, with
 * capacity entries of room (a buffer, a register, a FIFO). Entries are
 * numbered from 0 in the order written; the consumer frees them in order
 * (possibly several at once, as a line buffer does).
 */
struct scim_hw_chan {
    const char *name;       /* for traces and errors */
    uint64_t capacity;      /* entries it can hold */
    uint64_t written;       /* entries written so far */
    uint64_t freed;         /* entries freed so far */
    uint64_t *avail;        /* [capacity] ring: cycle from which entry i is visible */
    struct scim_hw_ref *by; /* [capacity] ring: operation that wrote entry i */
    uint64_t free_cycle;    /* cycle of the last free (its room is visible a cycle later) */
    uint64_t freed_old;     /* entries freed before that cycle */
    struct scim_hw_ref freed_by; /* operation that last freed room */
    int ev_write, ev_free;  /* kernel events: an entry written / room freed */
    int sig_fill;           /* traced signal: entries held, or -1 */
    uint64_t max_fill;      /* most entries held at once */
};

int scim_hw_chan_init(struct scim_hw_chan *ch, const char *name, uint64_t capacity);
void scim_hw_chan_free(struct scim_hw_chan *ch);

/* Wait until entry `index` (0-based) is written and visible; return the cause
 * (SCIM_HW_INPUT if the process had to wait, else SCIM_HW_SELF) and the writer. */
int scim_hw_chan_wait_entry(struct scim_hw_chan *ch, uint64_t index, const struct scim_hw_host *h,
                            struct scim_hw_ref *pred);
/* Wait until there is room for one more entry (cause SCIM_HW_OUTPUT if waited). */
int scim_hw_chan_wait_room(struct scim_hw_chan *ch, const struct scim_hw_host *h,
                           struct scim_hw_ref *pred);
/* Write one entry now (room must exist), by operation `by`. */
void scim_hw_chan_write(struct scim_hw_chan *ch, const struct scim_hw_host *h,
                        struct scim_hw_ref by);
/* Free entries up to (not including) `upto` now, by operation `by`. */
void scim_hw_chan_free_upto(struct scim_hw_chan *ch, uint64_t upto, const struct scim_hw_host *h,
                            struct scim_hw_ref by);

#endif
