#!/usr/bin/env python3
"""Train a binary neural network (plain BNN or one of the Bayesian methods of
docs/model-format.md: scale_dropout, spindrop, spatial_spindrop, affine_dropout, subset)
and export it in the spincim model format.

Example (the default shipped model):
  python3 tools/train/train.py --topology lenet5 --method scale_dropout --dataset mnist \
      --widths 32,64,256,128 --epochs 12 --out workloads/models --name lenet5-mnist-scaledrop

Objective: cross entropy + lambda * sum ||W||^2 (real-valued proxy weights)
+ phi * sum_l (1 - mean(alpha_l))^2 (scale_dropout only, Scale-Dropout eq. 17)
+ kl_weight * KL(q(s) || N(1, 1)) / (training images), the KL summed over all scale
elements (subset only: the minibatch form of the subset-parameter paper's objective, eq. 3,
log p(D | theta) - lambda KL, divided by the dataset size; lambda = 0.001). Adam, cosine
learning rate.
For subset, the N scale samples the chip stores are drawn and quantized after training.
At the end: test accuracy with dropout off, MC accuracy with T passes (stochastic part on,
mean softmax), export, and a round-trip check (the exported files, reloaded, must predict
exactly what the in-memory model predicts).
"""

import argparse
import datetime
import math
import os
import shlex
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bnn  # noqa: E402
import data  # noqa: E402
import export  # noqa: E402


SHORT_NAMES = {"bnn": "bnn", "scale_dropout": "scaledrop", "spindrop": "spindrop",
               "spatial_spindrop": "spatial", "affine_dropout": "affine", "subset": "subset"}
MC_NAMES = {"scale_dropout": "MC-Scale-Dropout", "spindrop": "MC-SpinDrop",
            "spatial_spindrop": "MC-Spatial-SpinDrop", "affine_dropout": "MC affine dropout",
            "subset": "MC subset (one of N stored scale samples per layer and pass)"}


# Layer normalization bounds the last layer's logits (zero mean, unit variance over the
# classes: at most 3 for 10 classes), so a plain softmax can never become confident and
# the loss keeps pushing on every image; in our runs the MLP then collapsed after ~1200
# steps. Scaling the logits by 4 in the loss only (argmax unchanged) trains stably.
AFFINE_LOGIT_SCALE = 4.0


def layer_summary(model):
    """One number per layer for the epoch log: mean alpha, mean sigma of q(s) (subset) or
    mean gamma (affine dropout)."""
    if model.method == "affine_dropout":
        return "mean gamma [" + " ".join(f"{l.affine_weight.mean().item():.3f}" for l in model.layers) + "]"
    text = "mean alpha [" + " ".join(f"{l.scale.mean().item():.3f}" for l in model.layers) + "]"
    if model.method == "subset":
        text += " mean sigma [" + " ".join(f"{l.subset_sigma().mean().item():.3f}" for l in model.layers) + "]"
    return text


def int_list(text):
    return tuple(int(x) for x in text.split(","))


def float_list(text):
    return tuple(float(x) for x in text.split(","))


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--topology", choices=sorted(bnn.TOPOLOGIES), default="lenet5")
    ap.add_argument("--method", choices=bnn.METHODS, default="scale_dropout")
    ap.add_argument("--dataset", choices=data.DATASETS, default="mnist")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--out", default=None, help="output folder (default: workloads/models)")
    ap.add_argument("--name", default=None, help="model name (default: TOPOLOGY-DATASET-METHOD)")
    ap.add_argument("--train-images", type=int, default=0, help="use only the first N training images")
    ap.add_argument("--test-images", type=int, default=0, help="evaluate on the first N test images")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tiny", action="store_true",
                    help="smoke test: 512 training images, 1 epoch, 1000 test images")
    ap.add_argument("--widths", type=int_list, default=None,
                    help="layer widths, comma-separated (lenet5: C1,C2,F1,F2; mlp4: H1,H2,H3)")
    ap.add_argument("--dropout-p", type=float_list, default=None,
                    help="per-layer dropout probabilities, comma-separated (default: the "
                         "topology's; affine_dropout 0.3 on every layer)")
    ap.add_argument("--rng-variation", type=float, default=0.0, metavar="SIGMA",
                    help="train with per-layer dropout probabilities p + N(0, SIGMA^2), clamped "
                         "to [0, 1] and redrawn every batch (dropout-based methods)")
    ap.add_argument("--kl-weight", type=float, default=1e-3,
                    help="subset: weight of KL(q(s) || prior) in the loss (lambda of the ELBO)")
    ap.add_argument("--scale-samples", type=int, default=bnn.SUBSET_SAMPLES,
                    help="subset: N stored scale samples (a power of two)")
    ap.add_argument("--input-encoding", choices=bnn.ENCODINGS, default="bitserial8")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--weight-decay", type=float, default=1e-5, help="lambda (L2 on proxy weights)")
    ap.add_argument("--phi", type=float, default=1e-5, help="scale regularizer strength")
    ap.add_argument("--shift", type=int, default=None,
                    help="random shift augmentation in pixels (default 2 for mnist, 1 for fashion-mnist)")
    ap.add_argument("--flip", action="store_true", help="random horizontal flips (fashion-mnist)")
    ap.add_argument("--logit-scale", type=float, default=None,
                    help="training loss: cross entropy of LOGIT_SCALE * logits (default 4 for "
                         "affine_dropout, whose logits are layer-normalized, 1 otherwise); the "
                         "exported model and every evaluation use the logits themselves")
    ap.add_argument("--mc-passes", type=int, default=10, help="T for the MC accuracy")
    ap.add_argument("--data", default=None, help="data folder (default: data/ at the repository top)")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)
    if args.tiny:
        args.epochs = 1
        args.train_images = args.train_images or 512
        args.test_images = args.test_images or 1000
    if args.shift is None:
        args.shift = 2 if args.dataset == "mnist" else 1
    if args.name is None:
        short = SHORT_NAMES[args.method]
        ds = {"mnist": "mnist", "fashion-mnist": "fashion"}[args.dataset]
        args.name = f"{args.topology}-{ds}-{short}"
    if args.out is None:
        args.out = os.path.join(data.REPO_TOP, "workloads", "models")
    if args.epochs < 1 or args.batch < 1 or args.mc_passes < 1:
        ap.error("--epochs, --batch and --mc-passes must be positive")
    if args.logit_scale is None:
        args.logit_scale = AFFINE_LOGIT_SCALE if args.method == "affine_dropout" else 1.0
    if args.logit_scale <= 0:
        ap.error("--logit-scale must be positive")
    if args.rng_variation < 0:
        ap.error("--rng-variation must not be negative")
    if args.rng_variation and args.method not in bnn.DROPOUT_METHODS:
        ap.error(f"--rng-variation applies to the dropout-based methods ({', '.join(bnn.DROPOUT_METHODS)})")
    n = args.scale_samples
    if n < 2 or n & (n - 1):
        ap.error("--scale-samples must be a power of two >= 2")
    return args


def provenance_command(argv):
    """The command line, with paths inside the repository written relative to its top."""
    out, path_opts, expect_path = [], {"--out", "--data"}, False
    for arg in argv:
        if expect_path and os.path.isabs(arg):
            rel = os.path.relpath(arg, data.REPO_TOP)
            arg = arg if rel.startswith("..") else rel
        expect_path = arg in path_opts
        out.append(arg)
    return "python3 tools/train/train.py" + ("" if not out else " " + shlex.join(out))


def plural(n, word):
    return f"{n} {word}" + ("" if n == 1 else "s")


def augment(x, shift, flip, gen):
    """Random translations by up to `shift` pixels (zero = black fill) and optional flips."""
    b, c, h, w = x.shape
    if shift > 0:
        padded = F.pad(x, [shift] * 4, value=0.0)
        dy = torch.randint(0, 2 * shift + 1, (b,), generator=gen)
        dx = torch.randint(0, 2 * shift + 1, (b,), generator=gen)
        rows = (dy[:, None] + torch.arange(h))[:, :, None]
        cols = (dx[:, None] + torch.arange(w))[:, None, :]
        x = padded[torch.arange(b)[:, None, None], :, rows, cols].permute(0, 3, 1, 2)
    if flip:
        mask = torch.rand(b, generator=gen) < 0.5
        x = torch.where(mask[:, None, None, None], x.flip(3), x)
    return x.contiguous()


def accuracy(probs, labels):
    return (probs.argmax(1) == torch.as_tensor(labels)).double().mean().item()


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    t_start = time.time()

    train_x, train_y = data.load_split(args.dataset, "train", args.data)
    test_x, test_y = data.load_split(args.dataset, "test", args.data)
    if args.train_images:
        train_x, train_y = train_x[:args.train_images], train_y[:args.train_images]
    if args.test_images:
        test_x, test_y = test_x[:args.test_images], test_y[:args.test_images]
    train_x = torch.from_numpy(train_x)
    train_y = torch.from_numpy(train_y)

    model = bnn.build(args.topology, args.widths, args.dropout_p, args.method, args.input_encoding)
    model.set_rng_variation(args.rng_variation)
    phi = args.phi if args.method == "scale_dropout" else 0.0
    kl_weight = args.kl_weight if args.method == "subset" else 0.0
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    steps_per_epoch = math.ceil(len(train_x) / args.batch)
    total_steps = steps_per_epoch * args.epochs
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda step: 0.5 * (1.0 + math.cos(math.pi * min(step, total_steps) / total_steps)))
    widths = "/".join(str(w) for w in model.widths)
    probs_txt = ", ".join(f"{l.name} {l.dropout_p:g}" for l in model.layers)
    variation = f", p variation sigma {args.rng_variation:g}" if args.rng_variation else ""
    print(f"{args.name}: {args.topology} widths {widths}, {args.method}, dropout p: {probs_txt}"
          f"{variation}; {len(train_x)} training images, {plural(args.epochs, 'epoch')}", flush=True)

    for epoch in range(args.epochs):
        model.train()
        t0 = time.time()
        perm = torch.randperm(len(train_x), generator=gen)
        loss_sum, correct = 0.0, 0
        for i in range(0, len(train_x), args.batch):
            idx = perm[i:i + args.batch]
            x = augment(train_x[idx].float(), args.shift, args.flip, gen)
            y = train_y[idx]
            logits = model(x)
            loss = F.cross_entropy(args.logit_scale * logits, y)
            total = loss + args.weight_decay * model.weight_l2()
            if phi:
                total = total + phi * model.scale_regularizer()
            if kl_weight:
                # Minibatch ELBO: the dataset NLL is len(train_x) * the mean cross entropy,
                # so the KL term is divided by the number of training images.
                total = total + kl_weight * model.subset_kl() / len(train_x)
            opt.zero_grad(set_to_none=True)
            total.backward()
            opt.step()
            sched.step()
            loss_sum += loss.item() * len(idx)
            correct += (logits.argmax(1) == y).sum().item()
        test_acc = accuracy(bnn.predict(model, test_x), test_y)
        print(f"epoch {epoch + 1}/{args.epochs}: loss {loss_sum / len(train_x):.4f} "
              f"train {correct / len(train_x):.4f} test {test_acc:.4f} {layer_summary(model)} "
              f"({time.time() - t0:.1f} s)", flush=True)

    if args.method == "subset":
        # The chip stores N samples of q(s) and the mean, quantized on one grid per layer.
        model.freeze_subset(args.scale_samples, bnn.SUBSET_BITS,
                            torch.Generator().manual_seed(args.seed + 2))
    test_acc = accuracy(bnn.predict(model, test_x), test_y)
    mc_acc = None
    if model.stochastic_method:
        torch.manual_seed(args.seed + 1)
        mc_acc = accuracy(bnn.predict(model, test_x, mc_passes=args.mc_passes), test_y)
    train_seconds = time.time() - t_start

    provenance = {
        "command": provenance_command(argv),
        "dataset": f"{args.dataset} train ({len(train_x)} images)",
        "epochs": args.epochs,
        "test_accuracy": round(test_acc, 6),
    }
    if args.rng_variation:
        provenance["rng_variation_sigma"] = args.rng_variation
    if mc_acc is not None:
        provenance["mc_test_accuracy"] = round(mc_acc, 6)
    provenance["torch_version"] = torch.__version__
    provenance["date"] = datetime.date.today().isoformat()
    std = "/".join(str(w) for w in bnn.TOPOLOGIES[args.topology]["widths"])
    notes = [
        f"{args.name}: {args.topology}, widths {widths}"
        + ("" if widths == std else f" (standard {args.topology}: {std})")
        + f", input encoding {args.input_encoding}",
        f"training: Adam lr {args.lr:g} (cosine to 0), batch {args.batch}, {plural(args.epochs, 'epoch')}, "
        f"seed {args.seed}, weight L2 lambda {args.weight_decay:g}, scale regularizer phi {phi:g}, "
        f"shift augmentation {args.shift} px" + (", horizontal flips" if args.flip else "")
        + ("" if args.logit_scale == 1.0 else f", loss on {args.logit_scale:g} x logits (training only)"),
    ]
    if args.method == "subset":
        notes.append(f"subset: q(s) = N(mu, softplus(rho)^2) per scale element (sigma init "
                     f"{bnn.SUBSET_SIGMA_INIT:g}), prior N({bnn.SUBSET_PRIOR[0]:g}, {bnn.SUBSET_PRIOR[1]:g}^2), "
                     f"loss mean NLL + {kl_weight:g} * KL (summed over elements) / {len(train_x)} images; samples drawn per "
                     f"training image, {bnn.SUBSET_BITS}-bit straight-through; {args.scale_samples} "
                     f"stored samples and the mean quantized on one {bnn.SUBSET_BITS}-bit grid per layer")
    if args.method == "affine_dropout":
        notes.append(f"affine dropout: inverted normalization (gamma, beta, then layer norm), "
                     f"init gamma ~ N(1, {bnn.AFFINE_INIT_STD:g}^2), beta ~ sqrt(fan-in) * N(0, "
                     f"{bnn.AFFINE_INIT_STD:g}^2) (beta trained in units of sqrt(fan-in))")
    if args.rng_variation:
        notes.append(f"trained with dropout-probability variation: p + N(0, {args.rng_variation:g}^2) "
                     f"per layer, redrawn every batch")
    notes += [
        f"test accuracy on {len(test_y)} {args.dataset} test images: {test_acc:.4f} (dropout off)"
        + ("" if mc_acc is None else f", {mc_acc:.4f} {MC_NAMES[args.method]} T={args.mc_passes} (mean softmax)"),
        f"training wall time {train_seconds / 60:.1f} min on {args.threads} CPU thread(s)",
    ]
    yaml_path, st_path = export.export(model, args.out, args.name, args.method, args.dataset,
                                       provenance, notes)

    # Round trip: the exported files must reproduce the in-memory model's predictions.
    loaded, _ = export.load_model(yaml_path, dtype=torch.float32)
    n = min(1000, len(test_x))
    with torch.no_grad():
        model.eval()
        ref = model(torch.as_tensor(test_x[:n]))
        got = loaded(torch.as_tensor(test_x[:n]))
    same = (ref.argmax(1) == got.argmax(1)).sum().item()
    max_diff = (ref - got).abs().max().item()
    print(f"exported {os.path.relpath(yaml_path)} and {os.path.relpath(st_path)} "
          f"({os.path.getsize(st_path)} bytes)")
    print(f"round trip: {same}/{n} identical predictions, max logit difference {max_diff:.3g}")
    print(f"test accuracy (dropout off): {test_acc:.4f} on {len(test_y)} images")
    if mc_acc is not None:
        print(f"MC accuracy (T={args.mc_passes}, {args.method} on, mean softmax): {mc_acc:.4f}")
    else:
        print("MC accuracy: not applicable (no stochastic layer; every pass is identical)")
    print(f"wall time: {train_seconds:.1f} s")
    if same != n:
        print("error: the exported model does not reproduce the trained model's predictions",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
