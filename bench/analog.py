#!/usr/bin/env python3
"""Analog-read benchmark: spincim's forward passes per second in the analog read mode
(crossbar.read_mode: analog) next to a plain PyTorch CPU loop doing the same noisy-conductance
inference (bench/torch_analog.py: batch 1, per-read ADC quantization with tensor ops),
measured side by side in one run on the same machine. Each figure is the median of
--repeats runs, the two sides' runs interleaved; the machine's load average is printed before and after.

  python3 bench/analog.py [--repeats 3] [--images 2000] [--chips 2]

Models: the shipped widened LeNet-5 (32/64/256/128, workloads/models/lenet5-mnist-bnn.yaml)
and a standard-width one (6/16/120/84, random weights from tools/train/synth.py; the
speed does not depend on the weights). Cases:
  - device-to-device variation, sigma 5 % (fixed per chip): spincim's chip instances
    (set-up of each chip's tables included) against the PyTorch loop, both on 1 thread,
    and spincim on 2 threads against PyTorch on 2 (PyTorch's threads suffer badly on a
    loaded machine, so it runs fewer images there);
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


def standard_lenet(folder):
    subprocess.run([sys.executable, os.path.join(top, "tools", "train", "synth.py"), "--topology", "lenet5",
                    "--widths", "6,16,120,84", "--method", "bnn", "--out", folder,
                    "--name", "lenet5-std-bnn"], check=True, capture_output=True)
    return os.path.join(folder, "lenet5-std-bnn.yaml")


def load():
    return "%.2f %.2f %.2f" % os.getloadavg()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--images", type=int, default=2000, help="spincim: images per chip")
    ap.add_argument("--chips", type=int, default=2)
    ap.add_argument("--torch-images", type=int, default=200)
    args = ap.parse_args()
    r, n, k, ti = args.repeats, args.images, args.chips, args.torch_images
    # (case, spincim overrides, images per chip, PyTorch d2d and c2c sigma, PyTorch on 2 threads)
    cases = [("D2D sigma 5 %", ["faults.d2d_sigma=5%"], n, 0.05, 0.0, True),
             ("C2C sigma 1 % per read", ["faults.c2c_sigma=1%"], n, 0.0, 0.01, False),
             ("C2C sigma 2 % per read", ["faults.c2c_sigma=2%"], n, 0.0, 0.02, False),
             ("C2C sigma 5 % per read", ["faults.c2c_sigma=5%"], max(n // 10, 50), 0.0, 0.05, False)]
    print(f"load average before: {load()} ({os.cpu_count()} cores)")
    with tempfile.TemporaryDirectory() as tmp:
        models = [("widened LeNet-5 (32/64/256/128)", os.path.join(top, "workloads", "models", "lenet5-mnist-bnn.yaml")),
                  ("standard LeNet-5 (6/16/120/84)", standard_lenet(tmp))]
        print("\n| model | case | PyTorch loop, 1 thread | PyTorch loop, 2 threads | spincim, 1 thread "
              "| spincim, 2 threads | spincim / PyTorch, 1 thread | spincim / PyTorch, 2 threads |")
        print("|---|---|---|---|---|---|---|---|")
        for name, model in models:
            for case, variation, images, d2d, c2c, two in cases:
                runs = {"t1": [], "t2": [], "s1": [], "s2": []}
                for _ in range(r):  # interleaved, so that both sides see the same load
                    runs["t1"].append(torch_loop(model, 1, ti, d2d, c2c))
                    runs["s1"].append(sim(model, variation, 1, images, k))
                    if two:
                        runs["t2"].append(torch_loop(model, 2, max(ti // 4, 20), d2d, c2c))
                    runs["s2"].append(sim(model, variation, 2, images, k))
                t1, s1, s2 = (statistics.median(runs[x]) for x in ("t1", "s1", "s2"))
                t2 = statistics.median(runs["t2"]) if two else None
                t2s, r2 = (f"{t2:,.0f}", f"{s2 / t2:.0f}x") if two else ("-", "-")
                print(f"| {name} | {case} | {t1:,.0f} | {t2s} | {s1:,.0f} | {s2:,.0f} | {s1 / t1:.1f}x | {r2} |",
                      flush=True)
    print(f"\nforward passes per second, medians of {r} runs each, measured in one run; spincim: {k} chip "
          f"instances x {n} images ({max(n // 10, 50)} at 5 % read noise), PyTorch: {ti} images "
          f"({max(ti // 4, 20)} on 2 threads)")
    print("target with read noise: 1,100 passes/s (20x CrossSim's ~55/s on a LeNet-5-sized network)")
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
