/*
 * events.h - hardware event ids and the components that pay for them.
 */
#ifndef SCIM_EVENTS_H
#define SCIM_EVENTS_H

#include <stdint.h>

/* The blocks of the chip, as they appear in the energy and area breakdowns. */
#define SCIM_COMPONENT_MAP(X)                                                                      \
    X(CROSSBAR, "crossbar")                                                                        \
    X(DECODE_SENSE, "decode_sense")                                                                \
    X(ADC, "adc")                                                                                  \
    X(ACCUMULATOR, "accumulator")                                                                  \
    X(SCALE_MEMORY, "scale_memory")                                                                \
    X(MULTIPLIER, "multiplier")                                                                    \
    X(COMPARATOR, "comparator")                                                                    \
    X(NORMALIZATION, "normalization")                                                              \
    X(POOLING, "pooling")                                                                          \
    X(BUFFER, "buffer")                                                                            \
    X(RNG, "rng")                                                                                  \
    X(AVERAGING, "averaging")                                                                      \
    X(CONTROL, "control")

enum scim_component {
#define SCIM__C(id, name) SCIM_C_##id,
    SCIM_COMPONENT_MAP(SCIM__C)
#undef SCIM__C
        SCIM_C_COUNT
};

enum scim_event {
#define SCIM_EV(id, name, comp, doc) SCIM_EV_##id,
#include "events.def"
#undef SCIM_EV
    SCIM_EV_COUNT
};

/* Event counts of one scope (a layer, or the whole chip). Only += on the hot path. */
struct scim_counts {
    uint64_t ev[SCIM_EV_COUNT];
};

const char *scim_event_name(enum scim_event ev);
const char *scim_event_doc(enum scim_event ev);
enum scim_component scim_event_component(enum scim_event ev);
const char *scim_component_name(enum scim_component c);

static inline void scim_counts_add(struct scim_counts *dst, const struct scim_counts *src)
{
    for (int i = 0; i < SCIM_EV_COUNT; i++)
        dst->ev[i] += src->ev[i];
}

#endif
