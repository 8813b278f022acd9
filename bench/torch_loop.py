#!/usr/bin/env python3
"""The PyTorch side of the functional-path benchmark: a plain CPU loop running an
exported spincim model (manifest + safetensors) image by image, in eval mode,
T passes per image (scale dropout on when T > 1). Prints forward passes per second
as JSON. Used by bench/functional.py; see its docstring."""

import argparse
import json
import os
import sys
import time

import torch

top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(top, "tools", "train"))
import data  # noqa: E402
import export  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model")
    ap.add_argument("--images", type=int, default=500)
    ap.add_argument("--passes", type=int, default=1, help="T passes per image")
    ap.add_argument("--batch", type=int, default=1, help="images per forward call")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--bit-flip", type=float, default=0.0,
                    help="probability each binary weight is inverted, per chip instance")
    ap.add_argument("--chips", type=int, default=1, help="chip instances (fault maps) to run")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    model, manifest = export.load_model(args.model, torch.float32)
    model.eval()
    model.set_mc(args.passes > 1)
    images, labels = data.load_split(manifest.get("dataset", "mnist"), "test")
    x = torch.as_tensor(images[:args.images])
    y = torch.as_tensor(labels[:args.images])
    layers = [m for m in model.modules() if getattr(m, "fixed_weight", None) is not None]
    clean = [m.fixed_weight.clone() for m in layers]
    gen = torch.Generator().manual_seed(1)
    with torch.no_grad():
        model(x[:args.batch])  # warm-up
        correct = 0
        t0 = time.perf_counter()
        for _ in range(args.chips):
            for m, w in zip(layers, clean):  # this chip's fault map: inverted weights
                flip = torch.rand(w.shape, generator=gen) < args.bit_flip
                m.fixed_weight = torch.where(flip, -w, w)
                m.weight.copy_(m.fixed_weight)
            for i in range(0, args.images, args.batch):
                xb = x[i:i + args.batch]
                probs = 0
                for _ in range(args.passes):
                    probs = probs + torch.softmax(model(xb), dim=1)
                correct += int((probs.argmax(1) == y[i:i + args.batch]).sum())
        dt = time.perf_counter() - t0
    n = args.images * args.passes * args.chips
    print(json.dumps({"images": args.images, "passes": args.passes, "batch": args.batch,
                      "chips": args.chips, "bit_flip": args.bit_flip, "threads": args.threads,
                      "wall_s": dt, "forward_passes_per_s": n / dt,
                      "accuracy": correct / (args.images * args.chips)}))


if __name__ == "__main__":
    main()
