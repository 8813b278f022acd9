#!/usr/bin/env python3
"""Analog-read benchmark: spincim's forward passes per second in the analog read mode
(crossbar.read_mode: analog) next to a plain PyTorch CPU loop doing the same noisy-conductance
inference (bench/torch_analog.py: batch 1, per-read ADC quantization with tensor ops),
measured side by side in one run on the same machine. Each figure is the median of
--repeats runs; the machine's load average is printed before and after.

  python3 bench/analog.py [--repeats 5] [--images 2000] [--chips 2]

Models: the shipped widened LeNet-5 (32/64/256/128, workloads/models/lenet5-mnist-bnn.yaml)
and a standard-width one (6/16/120/84, random weights from tools/train/synth.py; the
speed does not depend on the weights). Cases:
  - device-to-device variation, sigma 5 % (fixed per chip): spincim's chip instances
    (set-up of each chip's tables included) against the PyTorch loop, both on 1 thread,
    and spincim on 2 threads against PyTorch on 2;
  - cycle-to-cycle read noise redrawn on every read, sigma 1 %, 2 % and 5 %: spincim
    against the 1,100 passes/s target (20x CrossSim's ~55/s), and the PyTorch loop (one
    Gaussian per read with the summed variance) for context.
spincim's figure is run-info.json's chips_forward_passes_per_s (the chip instances' passes
over their wall time, each chip's set-up included).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIM = os.path.join(top, "build", "spincim")


def sim(model, variation, threads, images, chips):
    with tempfile.TemporaryDirectory() as out:
        cmd = [SIM, "run", os.path.join(top, "configs", "default.yaml"), "-p", f"workload.model={model}",
               "-p", "workload.dataset=mnist", "-p", "workload.ood=", "-p", "crossbar.read_mode=analog",
               "--images", str(images), "--chips", str(chips), "--threads", str(threads),
               "--out", out, "--quiet"]
        for kv in variation:
            cmd += ["-p", kv]
        subprocess.run(cmd, check=True, stderr=subprocess.DEVNULL)
        with open(os.path.join(out, "run-info.json")) as f:
            return json.load(f)["chips_forward_passes_per_s"]


def torch_loop(model, threads, images, d2d=0.0, c2c=0.0):
    out = subprocess.run([sys.executable, os.path.join(top, "bench", "torch_analog.py"), model,
                          "--images", str(images), "--threads", str(threads),
                          "--d2d-sigma", str(d2d), "--c2c-sigma", str(c2c)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)["forward_passes_per_s"]


def median_of(fn, repeats):
    return statistics.median(fn() for _ in range(repeats))


def standard_lenet(folder):
    subprocess.run([sys.executable, os.path.join(top, "tools", "train", "synth.py"), "--topology", "lenet5",
                    "--widths", "6,16,120,84", "--method", "bnn", "--out", folder,
                    "--name", "lenet5-std-bnn"], check=True, capture_output=True)
    return os.path.join(folder, "lenet5-std-bnn.yaml")


def load():
    return "%.2f %.2f %.2f" % os.getloadavg()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--images", type=int, default=2000, help="spincim: images per chip")
    ap.add_argument("--chips", type=int, default=2)
    ap.add_argument("--torch-images", type=int, default=200)
    args = ap.parse_args()
    r, n, k, ti = args.repeats, args.images, args.chips, args.torch_images
    print(f"load average before: {load()} ({os.cpu_count()} cores)")
    with tempfile.TemporaryDirectory() as tmp:
        models = [("widened LeNet-5 (32/64/256/128)", os.path.join(top, "workloads", "models", "lenet5-mnist-bnn.yaml")),
                  ("standard LeNet-5 (6/16/120/84)", standard_lenet(tmp))]
        print("\n| model | case | PyTorch loop, 1 thread | PyTorch loop, 2 threads | spincim, 1 thread "
              "| spincim, 2 threads | spincim / PyTorch (1T) | spincim / PyTorch (2T) |")
        print("|---|---|---|---|---|---|---|---|")
        for name, model in models:
            d2d = ["faults.d2d_sigma=5%"]
            t1 = median_of(lambda: torch_loop(model, 1, ti, d2d=0.05), r)
            t2 = median_of(lambda: torch_loop(model, 2, ti, d2d=0.05), r)
            s1 = median_of(lambda: sim(model, d2d, 1, n, k), r)
            s2 = median_of(lambda: sim(model, d2d, 2, n, k), r)
            print(f"| {name} | D2D sigma 5 % | {t1:,.0f} | {t2:,.0f} | {s1:,.0f} | {s2:,.0f} "
                  f"| {s1 / t1:.1f}x | {s2 / t2:.1f}x |", flush=True)
            for sigma in (0.01, 0.02, 0.05):
                c2c = [f"faults.c2c_sigma={sigma}"]
                t1 = median_of(lambda: torch_loop(model, 1, ti, c2c=sigma), r)
                t2 = median_of(lambda: torch_loop(model, 2, ti, c2c=sigma), r)
                s1 = median_of(lambda: sim(model, c2c, 1, n, k), r)
                s2 = median_of(lambda: sim(model, c2c, 2, n, k), r)
                print(f"| {name} | C2C sigma {100 * sigma:g} % per read | {t1:,.0f} | {t2:,.0f} | {s1:,.0f} "
                      f"| {s2:,.0f} | {s1 / t1:.1f}x | {s2 / t2:.1f}x |", flush=True)
    print(f"\nforward passes per second, medians of {r} runs each, measured in one run; "
          f"spincim: {k} chip instances x {n} images, PyTorch: {ti} images")
    print("target with read noise: 1,100 passes/s (20x CrossSim's ~55/s on a LeNet-5-sized network)")
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
