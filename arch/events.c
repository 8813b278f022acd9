/*
 * events.c - names, documentation and owning component of each hardware event.
 */
#include "events.h"

static const struct {
    const char *name;
    const char *doc;
    enum scim_component comp;
} table[SCIM_EV_COUNT] = {
#define SCIM_EV(id, name, comp, doc) [SCIM_EV_##id] = {name, doc, SCIM_C_##comp},
#include "events.def"
#undef SCIM_EV
};

static const char *const comp_names[SCIM_C_COUNT] = {
#define SCIM__C(id, name) [SCIM_C_##id] = name,
    SCIM_COMPONENT_MAP(SCIM__C)
#undef SCIM__C
};

const char *scim_event_name(enum scim_event ev)
{
    return table[ev].name;
}

const char *scim_event_doc(enum scim_event ev)
{
    return table[ev].doc;
}

enum scim_component scim_event_component(enum scim_event ev)
{
    return table[ev].comp;
}

const char *scim_component_name(enum scim_component c)
{
    return comp_names[c];
}
