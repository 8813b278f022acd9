// sc_kernel.cpp - binds the chip's C modules to the SystemC kernel (IEEE 1666).
//
// Every C process runs as an SC_THREAD (sc_spawn'ed in elaboration). Time is
// kept on the grid of the chip clock (chip.clock): a process that is busy for
// n cycles waits n clock periods in one timed wait -- the same instant as n
// rising edges, without waking the process at each edge -- and channel events
// are delta notifications, so a woken reader resumes at the edge the writer
// acted on. Every activation therefore falls on a rising edge. The VCD trace
// holds the blocks' busy flags and the buffers' fill levels while the traced
// images are in flight (no clock wave: every change is on an edge).
#define SC_INCLUDE_DYNAMIC_PROCESSES
#include <systemc>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "sc_kernel.h"

namespace {

struct Kernel {
    sc_core::sc_time period;
    std::vector<std::unique_ptr<sc_core::sc_event>> events;
    std::vector<std::unique_ptr<sc_core::sc_signal<int, sc_core::SC_MANY_WRITERS>>> sigs;
    const scim_sc_netlist *net = nullptr;
    bool tracing = false;
};

Kernel *K = nullptr;

uint64_t now_cycles(void *)
{
    return sc_core::sc_time_stamp().value() / K->period.value();
}

void wait_cycles(void *, uint64_t n)
{
    sc_core::wait(K->period * static_cast<double>(n));
}

void wait_event(void *, int ev)
{
    sc_core::wait(*K->events[static_cast<size_t>(ev)]);
}

void notify(void *, int ev)
{
    K->events[static_cast<size_t>(ev)]->notify(sc_core::SC_ZERO_TIME);
}

// A signal changes only while one of the traced images is in flight.
void trace(void *, int sig, int64_t v)
{
    if (!K->tracing || sig < 0)
        return;
    const scim_sc_netlist *n = K->net;
    if (*n->images_started > n->trace_first && *n->images_done <= n->trace_last)
        K->sigs[static_cast<size_t>(sig)]->write(static_cast<int>(v));
}

void stop(void *)
{
    sc_core::sc_stop();
}

const scim_hw_host host = {nullptr, now_cycles, wait_cycles, wait_event, notify, trace, stop};

void spawn_all(const scim_sc_netlist *n)
{
    for (int i = 0; i < n->n_procs; i++) {
        const scim_sc_proc p = n->procs[i];
        sc_core::sc_spawn_options o;
        o.set_stack_size(1 << 20);
        std::string name(p.name); // SystemC object names: no spaces
        for (char &ch : name)
            if (ch == ' ')
                ch = '_';
        sc_core::sc_spawn([p]() { p.run(p.self, &host); }, name.c_str(), &o);
    }
}

} // namespace

extern "C" const char *scim_sc_version(void)
{
    return sc_core::sc_version();
}

extern "C" int scim_sc_simulate(const scim_sc_netlist *n, uint64_t *end_cycle, char *err,
                                size_t errlen)
{
    Kernel k;
    K = &k;
    // The kernel's informational messages (a run ends by stopping it) stay quiet.
    sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
    k.net = n;
    k.period = sc_core::sc_time(1.0 / n->clock_hz, sc_core::SC_SEC);
    for (int i = 0; i < n->n_events; i++)
        k.events.emplace_back(new sc_core::sc_event());
    sc_core::sc_trace_file *tf = nullptr;
    if (n->vcd_path) {
        tf = sc_core::sc_create_vcd_trace_file(n->vcd_path);
        for (int i = 0; i < n->n_sigs; i++) {
            k.sigs.emplace_back(new sc_core::sc_signal<int, sc_core::SC_MANY_WRITERS>());
            sc_core::sc_trace(tf, *k.sigs.back(), n->sig_names[i]);
        }
        k.tracing = true;
    }
    spawn_all(n);
    // Run in slices; stop early if nothing can move any more (a deadlock).
    sc_core::sc_time slice = k.period * 1e7;
    uint64_t last_ops = ~0ull;
    while (*n->images_done < n->images && sc_core::sc_get_status() != sc_core::SC_STOPPED) {
        try {
            sc_core::sc_start(slice);
        } catch (const sc_core::sc_report &e) {
            std::snprintf(err, errlen, "SystemC kernel: %s", e.what());
            K = nullptr;
            return -1;
        }
        if (*n->images_done >= n->images || sc_core::sc_get_status() == sc_core::SC_STOPPED)
            break;
        if (!sc_core::sc_pending_activity() || *n->ops == last_ops)
            break; // nothing can move any more
        last_ops = *n->ops;
    }
    *end_cycle = now_cycles(nullptr);
    if (tf)
        sc_core::sc_close_vcd_trace_file(tf);
    K = nullptr;
    if (*n->images_done < n->images) {
        std::snprintf(err, errlen, "the cycle-level simulation stopped at cycle %llu with %d of %d "
                      "images done: the blocks wait on each other (deadlock)",
                      static_cast<unsigned long long>(*end_cycle), *n->images_done, n->images);
        return -1;
    }
    return 0;
}

