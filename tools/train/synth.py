#!/usr/bin/env python3
"""Export an untrained model with random binary weights, for energy, area and timing studies.

The simulator's event counts depend on a topology's shapes, not on trained weights, so a
random-weight model with default scales and batch-norm statistics is enough to price a
network whose dataset the registries do not provide (CIFAR-10-shaped VGG-small, ResNet-20
and ResNet-18 with residual connections), or a standard-width LeNet-5 as the papers'
hardware tables assume.

Every method of docs/model-format.md: bnn, scale_dropout, spindrop, spatial_spindrop (the
topology's dropout probabilities), affine_dropout (gamma ~ N(1, 0.3^2), beta ~ N(0, 0.3^2)
as initialized for training, p = 0.3 on every layer) and subset (N scale samples drawn from
N(1, SIGMA^2) per element, quantized with the mean 1 on one 4-bit grid per layer).

  python3 tools/train/synth.py --topology vgg-small --method scale_dropout --out workloads/synthetic
  python3 tools/train/synth.py --topology lenet5 --widths 6,16,120,84 --input-encoding binary \\
      --method scale_dropout --name lenet5-std-binary-scaledrop --out workloads/synthetic
  python3 tools/train/synth.py --topology vgg-small --method subset --scale-samples 16 --out workloads/synthetic
  python3 tools/train/synth.py --topology resnet18 --method scale_dropout --out build/models
"""

import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bnn  # noqa: E402
import export  # noqa: E402

# VGG-small of the BNN literature (Scale-Dropout's "VGG small"), CIFAR-10-shaped input.
VGG_SMALL = ((128, False), (128, True), (256, False), (256, True), (512, False), (512, True))
VGG_DROPOUT = (0.1, 0.1, 0.2, 0.2, 0.3, 0.3, 0.5, 0.5, 0.1)


def vgg_small(method, encoding):
    if method in ("bnn", "subset"):
        probs = (0.0,) * len(VGG_DROPOUT)
    elif method == "affine_dropout":
        probs = (bnn.AFFINE_P,) * len(VGG_DROPOUT)
    else:
        probs = VGG_DROPOUT
    layers, cin = [], 3
    for i, (cout, pool) in enumerate(VGG_SMALL):
        layers.append(bnn.BinaryConv2d(f"conv{i + 1}", cin, cout, 3, padding=1, dropout_p=probs[i],
                                       pool_kind="max" if pool else None, pool_size=2 if pool else 1,
                                       method=method))
        cin = cout
    layers += [bnn.BinaryLinear("fc1", 512 * 4 * 4, 1024, dropout_p=probs[6], method=method),
               bnn.BinaryLinear("fc2", 1024, 1024, dropout_p=probs[7], method=method),
               bnn.BinaryLinear("fc3", 1024, 10, activation="none", dropout_p=probs[8], method=method)]
    return bnn.BNN(layers, encoding=encoding, topology="vgg-small", input_shape=(3, 32, 32))


# CIFAR ResNets with option-A shortcuts (the block input subsampled by the stride, zero
# channels added); per stage: (width, blocks, stride of the first block, dropout p).
RESNETS = {
    "resnet20": {"stem": 16, "stages": ((16, 3, 1, 0.1), (32, 3, 2, 0.2), (64, 3, 2, 0.3)),
                 "pool": 8},
    "resnet18": {"stem": 64, "stages": ((64, 2, 1, 0.1), (128, 2, 2, 0.2), (256, 2, 2, 0.2),
                                        (512, 2, 2, 0.3)), "pool": 4},
}
RESNET_DROPOUT_STEM, RESNET_DROPOUT_FC = 0.1, 0.1


def resnet(topology, method, encoding):
    """Stem conv, then basic blocks of two 3x3 convs; the second conv of a block adds the
    block's input (the stem or the previous block's second conv) before its sign. A
    block that changes the shape strides its first conv (no pooling). Global average
    pooling on the last conv, then the linear classifier."""
    spec = RESNETS[topology]

    def prob(p):
        if method in ("bnn", "subset"):
            return 0.0
        return bnn.AFFINE_P if method == "affine_dropout" else p

    kw = {"method": method}
    layers = [bnn.BinaryConv2d("conv1", 3, spec["stem"], 3, padding=1,
                               dropout_p=prob(RESNET_DROPOUT_STEM), **kw)]
    cin, source = spec["stem"], "conv1"
    for s, (width, blocks, stride, p) in enumerate(spec["stages"]):
        for b in range(blocks):
            name = f"s{s + 1}b{b + 1}"
            last = s == len(spec["stages"]) - 1 and b == blocks - 1
            layers.append(bnn.BinaryConv2d(f"{name}c1", cin, width, 3, padding=1,
                                           stride=stride if b == 0 else 1, dropout_p=prob(p), **kw))
            layers.append(bnn.BinaryConv2d(f"{name}c2", width, width, 3, padding=1,
                                           dropout_p=prob(p), residual=source,
                                           pool_kind="avg" if last else None,
                                           pool_size=spec["pool"] if last else 1, **kw))
            cin, source = width, f"{name}c2"
    layers.append(bnn.BinaryLinear("fc", cin, 10, activation="none",
                                   dropout_p=prob(RESNET_DROPOUT_FC), **kw))
    return bnn.BNN(layers, encoding=encoding, topology=topology, input_shape=(3, 32, 32))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--topology", choices=("lenet5", "mlp4", "vgg-small") + tuple(RESNETS),
                    required=True)
    ap.add_argument("--method", choices=bnn.METHODS, default="scale_dropout")
    ap.add_argument("--widths", default=None, help="comma-separated widths (lenet5, mlp4)")
    ap.add_argument("--input-encoding", choices=("bitserial8", "binary"), default="bitserial8")
    ap.add_argument("--scale-samples", type=int, default=bnn.SUBSET_SAMPLES,
                    help="subset: N stored scale samples (a power of two)")
    ap.add_argument("--scale-sigma", type=float, default=0.1,
                    help="subset: standard deviation of the random scale samples around 1")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    ap.add_argument("--name", default=None)
    args = ap.parse_args(argv)
    n = args.scale_samples
    if n < 2 or n & (n - 1):
        ap.error("--scale-samples must be a power of two >= 2")
    if args.scale_sigma <= 0:
        ap.error("--scale-sigma must be positive")
    torch.manual_seed(args.seed)
    if args.topology == "vgg-small":
        model, dataset = vgg_small(args.method, args.input_encoding), "synthetic:3x32x32"
    elif args.topology in RESNETS:
        model = resnet(args.topology, args.method, args.input_encoding)
        dataset = "synthetic:3x32x32"
    else:
        widths = tuple(int(w) for w in args.widths.split(",")) if args.widths else None
        model = bnn.build(args.topology, widths=widths, method=args.method,
                          encoding=args.input_encoding)
        dataset = "synthetic:1x28x28"
    if args.method == "subset":
        with torch.no_grad():
            for layer in model.layers:   # q(s) = N(1, sigma^2), then the chip's N samples
                layer.scale_rho.fill_(bnn.inverse_softplus(args.scale_sigma))
        model.freeze_subset(n, bnn.SUBSET_BITS, torch.Generator().manual_seed(args.seed))
    model.eval()
    name = args.name or f"{args.topology}-{args.method.replace('_', '')}-synthetic"
    paths = export.export(model, args.out, name, args.method, dataset,
                          provenance={"command": " ".join(["python3", "tools/train/synth.py"] + sys.argv[1:]),
                                      "dataset": "none: random binary weights, untrained",
                                      "seed": args.seed},
                          notes=(f"{name}: untrained random binary weights (energy/area/timing studies only)",))
    print(f"exported {paths[0]} and {paths[1]}")


if __name__ == "__main__":
    main()
