#!/usr/bin/env python3
"""Functional-path benchmark: spincim's forward passes per second next to a plain
PyTorch CPU loop running the same binary LeNet-5, measured side by side in one run
on the same machine. Each measurement is repeated and the median is reported, with
the ratio of medians.

  python3 bench/functional.py [--repeats 5] [--model workloads/models/lenet5-mnist-scaledrop.yaml]

Cases: the ideal chip with dropout off (T = 1) and MC-Scale-Dropout with T = 10.
PyTorch runs one image per forward call (a plain loop, batch 1) on one thread, and,
for context, batches of 100. spincim runs 10,000 images on 1 and on all threads.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def sim(args, model, passes, threads, images):
    with tempfile.TemporaryDirectory() as out:
        cmd = [os.path.join(top, "build", "spincim"), "run", os.path.join(top, "configs", "default.yaml"),
               "-p", f"workload.model={model}", "--images", str(images), "--threads", str(threads),
               "--out", out, "--quiet"]
        cmd += ["-p", "dropout.enabled=false"] if passes == 1 else ["-p", f"workload.mc_samples={passes}"]
        subprocess.run(cmd, check=True)
        with open(os.path.join(out, "run-info.json")) as f:
            return json.load(f)["forward_passes_per_s"]


def torch_loop(model, passes, batch, images):
    out = subprocess.run([sys.executable, os.path.join(top, "bench", "torch_loop.py"), model,
                          "--passes", str(passes), "--batch", str(batch), "--images", str(images)],
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
    for passes in (1, 10):
        t1 = median_of(lambda: torch_loop(args.model, passes, 1, 300 if passes == 1 else 60), args.repeats)
        t100 = median_of(lambda: torch_loop(args.model, passes, 100, 2000), args.repeats)
        s1 = median_of(lambda: sim(args, args.model, passes, 1, 10000), args.repeats)
        sn = median_of(lambda: sim(args, args.model, passes, ncpu, 10000), args.repeats)
        rows.append((passes, t1, t100, s1, sn))
    print(f"| case | PyTorch loop, batch 1 | PyTorch, batch 100 | spincim, 1 thread | spincim, {ncpu} threads "
          f"| spincim {ncpu}T / PyTorch loop | spincim 1T / PyTorch batch 100 |")
    print("|---|---|---|---|---|---|---|")
    for passes, t1, t100, s1, sn in rows:
        name = "ideal chip, dropout off (T = 1)" if passes == 1 else "MC-Scale-Dropout, T = 10"
        print(f"| {name} | {t1:,.0f} | {t100:,.0f} | {s1:,.0f} | {sn:,.0f} | {sn / t1:.0f}x | {s1 / t100:.1f}x |")
    print(f"\nforward passes per second, medians of {args.repeats} runs each, measured in one run")


if __name__ == "__main__":
    main()
