#!/usr/bin/env python3
"""Evaluate an exported spincim model (manifest + safetensors, not a PyTorch checkpoint)
with PyTorch and write its predictions as CSV (index,label,prediction).

  python3 tools/train/evaluate.py workloads/models/lenet5-mnist-scaledrop.yaml \
      --dataset mnist --split test --images 10000 --out preds.csv
  python3 tools/train/evaluate.py MODEL.yaml --mc 10 --seed 1 --out preds-mc.csv

Every method of docs/model-format.md is computed as the simulator computes it.
Without --mc the stochastic part is off (point estimate): every layer uses its scale alpha
(scale_dropout, spindrop, spatial_spindrop: no row dropped; subset: the stored mean scale)
or gamma and beta (affine_dropout). With --mc T, each image gets T stochastic passes, drawn
independently per image, pass and layer, and the prediction is the argmax of the mean
softmax:
  scale_dropout     the whole scale vector -> 1 with probability dropout_p
  spindrop          each weight row's input -> 0 with probability dropout_p
  spatial_spindrop  each input channel's rows -> input 0 with probability dropout_p
                    (a linear layer's input channels are its features)
  affine_dropout    gamma -> 1 and beta -> 0, independently, each with probability dropout_p
  subset            one of the N stored scale vectors, uniformly
The arithmetic runs in float64 by default, like the simulator.
"""

import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bnn  # noqa: E402
import data  # noqa: E402
import export  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model", help="model manifest (NAME.yaml)")
    ap.add_argument("--dataset", choices=data.EVAL_DATASETS, default=None,
                    help="dataset to evaluate on (default: the one the model was trained on)")
    ap.add_argument("--split", choices=("test", "train"), default="test")
    ap.add_argument("--images", type=int, default=0, help="first N images (default: all)")
    ap.add_argument("--mc", type=int, default=0, metavar="T",
                    help="Monte Carlo inference with T stochastic passes (default: dropout off)")
    ap.add_argument("--seed", type=int, default=1, help="seed of the dropout draws (with --mc)")
    ap.add_argument("--out", default=None, help="CSV file for index,label,prediction")
    ap.add_argument("--float32", action="store_true", help="compute in float32 instead of float64")
    ap.add_argument("--data", default=None, help="data folder (default: data/ at the repository top)")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)
    if args.images < 0 or args.mc < 0:
        ap.error("--images and --mc must not be negative")

    torch.set_num_threads(args.threads)
    model, manifest = export.load_model(args.model, torch.float32 if args.float32 else torch.float64)
    dataset = args.dataset or manifest.get("dataset", "mnist")
    images, labels = data.load_split(dataset, args.split, args.data)
    if args.images:
        if args.images > len(images):
            ap.error(f"--images {args.images}: the {dataset} {args.split} split has {len(images)}")
        images, labels = images[:args.images], labels[:args.images]

    torch.manual_seed(args.seed)
    probs = bnn.predict(model, images, mc_passes=args.mc)
    pred = probs.argmax(1).numpy()
    acc = float((pred == labels).mean())

    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write("index,label,prediction\n")
            for i, (y, p) in enumerate(zip(labels.tolist(), pred.tolist())):
                f.write(f"{i},{y},{p}\n")
    method = manifest.get("method", "scale_dropout")
    mode = f"MC {method} T={args.mc} seed {args.seed}" if args.mc else "dropout off"
    print(f"{manifest.get('name', args.model)}: {dataset} {args.split}, {len(labels)} images, "
          f"{mode}: accuracy {acc:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
