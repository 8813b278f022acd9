#!/usr/bin/env python3
"""Functional-path benchmark: spincim's forward passes per second next to a plain
PyTorch CPU loop running the same binary LeNet-5, measured side by side in one run
on the same machine. Each measurement is repeated and the median is reported, with
the ratio of medians.

  python3 bench/functional.py [--repeats 5] [--model workloads/models/lenet5-mnist-scaledrop.yaml]

Cases: the ideal chip with dropout off (T = 1); the same with 1 % bit flips on
several chip instances (each its own fault map: spincim --chips, PyTorch inverts
its weights per chip); MC-Scale-Dropout with T = 10. PyTorch runs one image per
forward call (a plain loop, batch 1) on one thread, and, for context, batches of
100. spincim runs 10,000 images (2,000 per chip with faults) on 1 and on all threads;
with chips its rate counts every pass of the run (the fault-free one included) over
the whole process's wall time.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def sim(args, model, passes, threads, images, chips=0, bit_flip=0.0):
    with tempfile.TemporaryDirectory() as out:
        cmd = [os.path.join(top, "build", "spincim"), "run", os.path.join(top, "configs", "default.yaml"),
               "-p", f"workload.model={model}", "--images", str(images), "--threads", str(threads),
               "--out", out, "--quiet"]
        cmd += ["-p", "dropout.enabled=false"] if passes == 1 else ["-p", f"workload.mc_samples={passes}"]
        if chips:
            cmd += ["-p", f"faults.bit_flip={bit_flip}", "--chips", str(chips)]
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True)
        wall = time.perf_counter() - t0
        if chips:
            return (chips + 1) * images * passes / wall
        with open(os.path.join(out, "run-info.json")) as f:
            return json.load(f)["forward_passes_per_s"]


def torch_loop(model, passes, batch, images, chips=1, bit_flip=0.0):
    out = subprocess.run([sys.executable, os.path.join(top, "bench", "torch_loop.py"), model,
                          "--passes", str(passes), "--batch", str(batch), "--images", str(images),
                          "--chips", str(chips), "--bit-flip", str(bit_flip)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)["forward_passes_per_s"]


def median_of(fn, repeats):
    return statistics.median(fn() for _ in range(repeats))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--model", default=os.path.join(top, "workloads", "models", "lenet5-mnist-scaledrop.yaml"))
    args = ap.parse_args()
    ncpu = os.cpu_count() or 1
    rows = []
    cases = (("ideal chip, dropout off (T = 1)", 1, 0.0),
             ("1 % bit flips, 10 chips (T = 1)", 1, 0.01),
             ("MC-Scale-Dropout, T = 10", 10, 0.0))
    for name, passes, flip in cases:
        tc = 3 if flip else 1   # PyTorch chips
        sc = 10 if flip else 0  # spincim chips
        si = 2000 if flip else 10000
        t1 = median_of(lambda: torch_loop(args.model, passes, 1, (300 if passes == 1 else 60) // tc, tc, flip),
                       args.repeats)
        t100 = median_of(lambda: torch_loop(args.model, passes, 100, 2000 // tc, tc, flip), args.repeats)
        s1 = median_of(lambda: sim(args, args.model, passes, 1, si, sc, flip), args.repeats)
        sn = median_of(lambda: sim(args, args.model, passes, ncpu, si, sc, flip), args.repeats)
        rows.append((name, t1, t100, s1, sn))
    print(f"| case | PyTorch loop, batch 1 | PyTorch, batch 100 | spincim, 1 thread | spincim, {ncpu} threads "
          f"| spincim {ncpu}T / PyTorch loop | spincim 1T / PyTorch batch 100 |")
    print("|---|---|---|---|---|---|---|")
    for name, t1, t100, s1, sn in rows:
        print(f"| {name} | {t1:,.0f} | {t100:,.0f} | {s1:,.0f} | {sn:,.0f} | {sn / t1:.0f}x | {s1 / t100:.1f}x |")
    print(f"\nforward passes per second, medians of {args.repeats} runs each, measured in one run")


if __name__ == "__main__":
    main()
