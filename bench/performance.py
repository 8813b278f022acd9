#!/usr/bin/env python3
"""Every benchmark of bench/, side by side in one run on this machine, written to
docs/performance.md: the functional engine vs a PyTorch CPU loop (ideal, bit flips,
T = 10), the analog current-domain mode vs a PyTorch noisy-weight loop, the SystemC
engine vs the bare SystemC kernel, sweep scaling (threads, MPI ranks), and a
paper-scale fault experiment (10,000 MNIST images x T = 10 x 100 chips, bit flips).

  python3 bench/performance.py [--repeats 3] [--out docs/performance.md] [--skip NAME ...]

Each part is its own script (bench/<name>.py, printing a markdown table); a part whose
script is missing or fails is reported as such, not left out silently. Medians of
--repeats runs; ratios are of medians measured in this run.
"""

import argparse
import datetime
import os
import platform
import subprocess
import sys
import time

top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PARTS = (
    ("functional", "Functional engine vs a PyTorch CPU loop (target >= 50x)", []),
    ("analog", "Analog current-domain mode vs a PyTorch noisy-weight loop (target >= 5x; C2C >= 1100/s)", []),
    ("systemc", "SystemC engine vs the bare SystemC kernel (target >= 0.2x)", []),
    ("sweep_scaling", "Sweep scaling: 1 vs 2 threads, 1 vs 2 MPI ranks (target >= 1.8x)", []),
    ("paper_scale", "Paper-scale experiment: 10,000 MNIST images x T = 10 x 100 chips, 1 % bit flips", []),
)


def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} logical cores, {platform.system()} {platform.release()}"


def run_part(name, repeats):
    script = os.path.join(top, "bench", f"{name}.py")
    if not os.path.exists(script):
        return f"_not measured: bench/{name}.py is missing_\n"
    t0 = time.perf_counter()
    # Debian's python3 (the one with python3-torch), as every tool of the project uses.
    py = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
    r = subprocess.run([py, script, "--repeats", str(repeats)], capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if r.returncode != 0:
        return f"_failed (exit {r.returncode}):_\n\n```\n{r.stderr[-2000:]}\n```\n"
    return r.stdout.rstrip() + f"\n\n_(this part took {dt:.0f} s)_\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", default=os.path.join(top, "docs", "performance.md"))
    ap.add_argument("--skip", nargs="*", default=[])
    args = ap.parse_args()
    load0 = os.getloadavg()[0]
    sections = []
    for name, title, _ in PARTS:
        if name in args.skip:
            continue
        print(f"performance: {name}", file=sys.stderr)
        sections.append(f"## {title}\n\n{run_part(name, args.repeats)}")
    load1 = os.getloadavg()[0]
    head = ("# Performance\n\n"
            "Written by `python3 bench/performance.py`: every benchmark side by side in one run on one\n"
            "machine; medians of several runs, ratios of medians from the same run. These machines are\n"
            "shared and noisy: compare ratios, not absolute rates across runs.\n\n"
            f"- machine: {machine()}\n"
            f"- date: {datetime.date.today().isoformat()}; load average {load0:.1f} at the start, {load1:.1f} at the end\n"
            f"- repeats: {args.repeats}\n\n")
    with open(args.out + ".tmp", "w") as f:
        f.write(head + "\n".join(sections))
    os.replace(args.out + ".tmp", args.out)
    print(f"performance: wrote {os.path.relpath(args.out, top)}", file=sys.stderr)


if __name__ == "__main__":
    main()
