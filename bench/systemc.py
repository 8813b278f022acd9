#!/usr/bin/env python3
"""SystemC engine benchmark: simulated chip cycles per host second for a config
(default: configs/default.yaml, LeNet-5 with MC-Scale-Dropout, T = 10) next to
the bare SystemC kernel's rate on the same machine (build/sc_bare: one trivial
SC_METHOD on every rising edge of a 1 GHz sc_clock), measured alternately in
one run; medians of the repeats and their ratio.

  python3 bench/systemc.py [--repeats 5] [--images 20] [--config configs/default.yaml]
"""

import argparse
import json
import os
import statistics
import subprocess
import tempfile

top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def chip_rate(config, images):
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([os.path.join(top, "build", "spincim"), "timing", config, "--images",
                        str(images), "--out", out, "--force", "--quiet"], check=True)
        with open(os.path.join(out, "run-info.json")) as f:
            info = json.load(f)
    return info["simulated_cycles_per_s"], info["simulated_cycles"]


def bare_rate(cycles):
    out = subprocess.run([os.path.join(top, "build", "sc_bare"), str(cycles)], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.splitlines()[0])["cycles_per_s"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--images", type=int, default=20)
    ap.add_argument("--config", default=os.path.join(top, "configs", "default.yaml"))
    ap.add_argument("--bare-cycles", type=int, default=20_000_000)
    args = ap.parse_args()
    chip, bare = [], []
    for _ in range(args.repeats):
        rate, cycles = chip_rate(args.config, args.images)
        chip.append(rate)
        bare.append(bare_rate(args.bare_cycles))
    c, b = statistics.median(chip), statistics.median(bare)
    print("| | simulated cycles per host second (median) | runs |")
    print("|---|---|---|")
    print(f"| chip model: {os.path.relpath(args.config, top)}, {args.images} images ({cycles:,} cycles) "
          f"| {c / 1e6:.1f} M | " + ", ".join(f"{x / 1e6:.1f}" for x in chip) + " |")
    print(f"| bare SystemC kernel: one SC_METHOD on every rising edge of a 1 GHz sc_clock "
          f"| {b / 1e6:.2f} M | " + ", ".join(f"{x / 1e6:.2f}" for x in bare) + " |")
    print(f"\nratio chip / bare: **{c / b:.1f}x** (target >= 0.2x). The chip's blocks wait n cycles in one "
          "timed wait instead of waking on every edge, and the rate includes the functional work of "
          "every image (T = 10 passes).")


if __name__ == "__main__":
    main()
