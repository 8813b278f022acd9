#!/usr/bin/env python3
"""Paper-scale fault experiment: the default LeNet-5 (MC-Scale-Dropout, T = 10) on all
10,000 MNIST test images on 100 chip instances with 1 % bit flips, on all cores; wall
time of the whole run and the accuracy over chips (mean +- std, min, max).

  python3 bench/paper_scale.py [--repeats 1] [--chips 100] [--bit-flip 0.01]
"""

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time

top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def once(chips, flip):
    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        subprocess.run([os.path.join(top, "build", "spincim"), "run", os.path.join(top, "configs", "default.yaml"),
                        "-p", f"faults.bit_flip={flip}", "--chips", str(chips), "--out", out, "--quiet"],
                       check=True)
        wall = time.perf_counter() - t0
        with open(os.path.join(out, "report.json")) as f:
            return wall, json.load(f)["chips"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--chips", type=int, default=100)
    ap.add_argument("--bit-flip", type=float, default=0.01)
    args = ap.parse_args()
    runs = [once(args.chips, args.bit_flip) for _ in range(max(1, min(args.repeats, 2)))]
    wall = statistics.median(w for w, _ in runs)
    c = runs[0][1]
    print("| chips | images | T | cores | wall time | accuracy mean +- std | min | max | fault-free |")
    print("|---|---|---|---|---|---|---|---|---|")
    print(f"| {c['n']} | 10,000 | 10 | {os.cpu_count()} | {wall / 60:.1f} min | "
          f"{100 * c['accuracy_mean']:.2f} +- {100 * c['accuracy_std']:.2f} % | {100 * c['accuracy_min']:.2f} % | "
          f"{100 * c['accuracy_max']:.2f} % | {100 * c['fault_free_accuracy']:.2f} % |")
    print(f"\nmedian wall time of {len(runs)} run(s) (target: within 10 minutes on 2 cores)")


if __name__ == "__main__":
    main()
