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
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    model, manifest = export.load_model(args.model, torch.float32)
    model.eval()
    model.set_mc(args.passes > 1)
    images, _ = data.load_split(manifest.get("dataset", "mnist"), "test")
    x = torch.as_tensor(images[:args.images])
    with torch.no_grad():
        model(x[:args.batch])  # warm-up
        t0 = time.perf_counter()
        for i in range(0, args.images, args.batch):
            xb = x[i:i + args.batch]
            probs = 0
            for _ in range(args.passes):
                probs = probs + torch.softmax(model(xb), dim=1)
            probs.argmax(1)
        dt = time.perf_counter() - t0
    print(json.dumps({"images": args.images, "passes": args.passes, "batch": args.batch,
                      "threads": args.threads, "wall_s": dt,
                      "forward_passes_per_s": args.images * args.passes / dt}))


if __name__ == "__main__":
    main()
