// sc_bare.cpp - the SystemC kernel's own rate on this machine: one trivial
// module whose SC_METHOD runs on every rising edge of a 1 GHz sc_clock and
// counts. Prints {"cycles": N, "host_s": t, "cycles_per_s": r} as JSON.
//   build/sc_bare [CYCLES]
#include <systemc>

#include <chrono>
#include <cstdio>
#include <cstdlib>

struct Counter : sc_core::sc_module {
    sc_core::sc_in<bool> clk;
    unsigned long long n = 0;
    void tick() { n++; }
    SC_HAS_PROCESS(Counter);
    explicit Counter(sc_core::sc_module_name name) : sc_core::sc_module(name)
    {
        SC_METHOD(tick);
        sensitive << clk.pos();
        dont_initialize();
    }
};

int sc_main(int argc, char *argv[])
{
    unsigned long long cycles = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 20000000ull;
    sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
    sc_core::sc_clock clk("clk", 1, sc_core::SC_NS);
    Counter c("counter");
    c.clk(clk);
    auto t0 = std::chrono::steady_clock::now();
    sc_core::sc_start(static_cast<double>(cycles), sc_core::SC_NS);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("{\"cycles\": %llu, \"host_s\": %.6f, \"cycles_per_s\": %.1f}\n", c.n, s, c.n / s);
    return c.n == cycles ? 0 : 1;
}
