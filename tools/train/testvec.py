#!/usr/bin/env python3
"""Learn the Bayesian test vector of an exported spincim model (few-shot testing paper,
section III) and store it with the model.

  python3 tools/train/testvec.py workloads/models/lenet5-mnist-bnn.yaml
  python3 tools/train/testvec.py MODEL.yaml --steps 1500 --alpha 0.01 --seed 1 --lr 0.05

The test vector is a Gaussian over the model's input, element-wise: q(x) = N(mu, exp(logvar))
for every input element (channel, row, column), in pixel space scaled to [0, 1]. One Monte
Carlo sample is drawn as in eq. 5 and then read the way the chip reads an image:
    x     = N(0, 1) * sqrt(exp(logvar)) + mu
    pixel = floor(255 * clamp(x, 0, 1) + 0.5)           (8-bit, 0..255)
The loss (eq. 4) is, averaged over a batch of samples,
    std(y) + alpha * KL(q || prior)
with y the C logits of the model's deterministic forward pass (dropout off, eval mode: the
simulator's arithmetic, docs/model-format.md), std the population standard deviation over
the C classes, and the KL between the element-wise Gaussians and the prior N(0.5, 0.5^2)
averaged over the input elements (so alpha does not depend on the input size). The
quantization to 8 bits and the network's sign activations pass gradients straight through
(the quantization as identity, the signs as bnn.py's hardtanh STE); clamp has its ordinary
gradient (0 outside [0, 1]). Adam on mu and logvar (cosine learning rate); the model's
parameters are fixed. Training computes in float32 for speed; the fault-free sigma_y
statistics written to the manifest are computed in float64, as the simulator computes.

The result goes into the model's files: tensors `test_vector.mu` and `test_vector.logvar`
(F32, [C, H, W]) are added to its safetensors (every other tensor unchanged), and a
`test_vector:` block (hyperparameters, the fault-free sigma_y it reached, provenance) is
appended to the manifest (docs/model-format.md, "Test vector"). Running it again replaces
both.
"""

import argparse
import datetime
import math
import os
import shlex
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import data  # noqa: E402
import export  # noqa: E402

PRIOR = (0.5, 0.5)          # prior N(mean, std) of every element, pixel scale [0, 1]
INIT_STD = 0.1              # initial std of q: mu = 0.5, logvar = log(0.1^2)
EVAL_DRAWS = 200            # draws of N samples for the fault-free sigma_y statistics


def samples_for(classes):
    """N of the few-shot paper: 1 Monte Carlo sample for models with >= 100 outputs, else 10
    (the simulator's testing.samples = 0 rule)."""
    return 1 if classes >= 100 else 10


def pixels_of(mu, logvar, eps):
    """Eq. 5 samples read as 8-bit pixels; eps [B, C, H, W] ~ N(0, 1). Straight-through
    rounding: the forward value is the integer pixel, the gradient that of 255 * x."""
    x = torch.clamp(eps * torch.exp(0.5 * logvar) + mu, 0.0, 1.0) * 255.0
    return x + (torch.floor(x + 0.5) - x).detach()


def sigma_of(logits):
    """Population standard deviation of each row of logits [B, C] over the C classes."""
    return (logits - logits.mean(dim=1, keepdim=True)).pow(2).mean(dim=1).sqrt()


def kl_to_prior(mu, logvar):
    """KL(N(mu, exp(logvar)) || N(m0, s0^2)) averaged over the elements."""
    m0, s0 = PRIOR
    var = torch.exp(logvar)
    return (math.log(s0) - 0.5 * logvar + (var + (mu - m0).pow(2)) / (2.0 * s0 * s0) - 0.5).mean()


def train(model, shape, steps, alpha, lr, batch, gen, log_every=0, init_std=INIT_STD):
    """Adam on (mu, logvar) for `steps` steps of `batch` samples, from mu = the prior mean
    and std init_std; returns both (detached)."""
    dtype = next(model.parameters()).dtype
    mu = torch.full(shape, PRIOR[0], dtype=dtype, requires_grad=True)
    logvar = torch.full(shape, 2.0 * math.log(init_std), dtype=dtype, requires_grad=True)
    opt = torch.optim.Adam([mu, logvar], lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, max(1, steps))
    for step in range(steps):
        eps = torch.randn((batch,) + tuple(shape), generator=gen, dtype=dtype)
        std = sigma_of(model(pixels_of(mu, logvar, eps))).mean()
        kl = kl_to_prior(mu, logvar)
        loss = std + alpha * kl
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if log_every and (step % log_every == 0 or step == steps - 1):
            print(f"  step {step:5d}  std(y) {std.item():.5f}  KL {kl.item():.4f}  "
                  f"sigma(x) {torch.exp(0.5 * logvar).mean().item():.4f}", flush=True)
    return mu.detach(), logvar.detach()


@torch.no_grad()
def sigma_y(model, mu, logvar, n, draws, gen):
    """sigma_y of `draws` independent tests of n samples each (mean over the n samples of
    the std of the C logits, as the simulator defines it): a [draws] tensor."""
    out = []
    for _ in range(draws):
        eps = torch.randn((n,) + tuple(mu.shape), generator=gen, dtype=mu.dtype)
        out.append(sigma_of(model(pixels_of(mu, logvar, eps))).mean())
    return torch.stack(out)


# ----------------------------------------------------------------------------- the files

def st_dtype(array):
    for name, dt in export.DTYPES.items():
        if array.dtype == dt:
            return name
    raise ValueError(f"unsupported tensor dtype {array.dtype}")


def write_tensors(st_path, mu, logvar):
    """Rewrite the safetensors with the test vector added (or replaced); the other tensors
    and the metadata are written back unchanged."""
    tensors, metadata = export.read_safetensors(st_path)
    out = {name: (st_dtype(a), a) for name, a in tensors.items()
           if not name.startswith("test_vector.")}
    out["test_vector.mu"] = ("F32", mu.cpu().numpy().astype(np.float32))
    out["test_vector.logvar"] = ("F32", logvar.cpu().numpy().astype(np.float32))
    tmp = st_path + ".tmp"
    export.write_safetensors(tmp, out, metadata=metadata)
    os.replace(tmp, st_path)


def without_block(lines, key):
    """The manifest lines without the top-level block `key:` (and its indented lines)."""
    out, skipping = [], False
    for line in lines:
        if line.startswith(f"{key}:"):
            skipping = True
            continue
        if skipping and (line.startswith(" ") or not line.strip()):
            continue
        skipping = False
        out.append(line)
    return out


def write_manifest(path, info):
    with open(path, encoding="utf-8") as f:
        lines = without_block(f.read().splitlines(), "test_vector")
    lines.append("test_vector:")
    for key, value in info.items():
        if isinstance(value, float):
            text = export.yaml_float(value)
        elif isinstance(value, int):
            text = str(value)
        else:
            text = export.yaml_str(value)
        lines.append(f"  {key}: {text}")
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, path)


def provenance_command(argv):
    args = [os.path.relpath(a, data.REPO_TOP) if os.path.isabs(a) and
            not os.path.relpath(a, data.REPO_TOP).startswith("..") else a for a in argv]
    return "python3 tools/train/testvec.py" + ("" if not args else " " + shlex.join(args))


# ----------------------------------------------------------------------------- main

def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model", help="exported model manifest (NAME.yaml); updated in place")
    ap.add_argument("--steps", type=int, default=2000, help="optimizer steps (default 2000)")
    ap.add_argument("--alpha", type=float, default=0.01,
                    help="weight of the KL term of eq. 4 (KL averaged over the elements)")
    ap.add_argument("--lr", type=float, default=0.02, help="Adam learning rate (cosine to 0)")
    ap.add_argument("--batch", type=int, default=32, help="samples of the test vector per step")
    ap.add_argument("--samples", type=int, default=0,
                    help="N Monte Carlo samples per test (default: 1 for >= 100 classes, else 10)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    if args.steps < 1 or args.batch < 1 or args.samples < 0 or args.alpha < 0 or args.lr <= 0:
        ap.error("--steps and --batch must be positive, --samples and --alpha not negative, "
                 "--lr positive")
    return args


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    model, manifest = export.load_model(args.model, torch.float32)
    for p in model.parameters():
        p.requires_grad_(False)
    shape = tuple(model.input_shape)
    n = args.samples or samples_for(model.classes)
    if model.method == "affine_dropout":
        print("note: the logits of an affine_dropout model are layer-normalized: their std over "
              "the classes is sqrt(var / (var + eps)), 1 for any input up to eps / var; the std "
              "term has no usable gradient and q follows the prior (docs/model-format.md)",
              file=sys.stderr)
    gen = torch.Generator().manual_seed(args.seed)
    t0 = time.time()
    mu, logvar = train(model, shape, args.steps, args.alpha, args.lr, args.batch, gen,
                       0 if args.quiet else max(1, args.steps // 10))
    wall = time.time() - t0
    # The fault-free sigma_y over independent draws (its spread is what the threshold
    # offset has to cover), in float64 and from a generator of its own.
    model, _ = export.load_model(args.model, torch.float64)
    mu, logvar = mu.double(), logvar.double()
    stats = sigma_y(model, mu, logvar, n, EVAL_DRAWS, torch.Generator().manual_seed(args.seed + 1))
    info = {
        "samples": n,
        "alpha": float(args.alpha),
        "steps": args.steps,
        "batch": args.batch,
        "lr": float(args.lr),
        "seed": args.seed,
        "prior_mean": PRIOR[0],
        "prior_std": PRIOR[1],
        "sigma_y_mean": round(stats.mean().item(), 9),
        "sigma_y_std": round(stats.std().item(), 9),
        "sigma_x_mean": round(torch.exp(0.5 * logvar).mean().item(), 6),
        "command": provenance_command(argv),
        "torch_version": torch.__version__,
        "date": datetime.date.today().isoformat(),
    }
    st_path = os.path.join(os.path.dirname(os.path.abspath(args.model)), manifest["tensors"])
    write_tensors(st_path, mu, logvar)
    write_manifest(args.model, info)
    export.load_model(args.model)  # the updated files must load
    print(f"{manifest.get('name', args.model)}: test vector {list(shape)} in {wall:.1f} s; "
          f"fault-free sigma_y with N = {n}: {stats.mean().item():.6g} +- {stats.std().item():.3g} "
          f"over {EVAL_DRAWS} draws (min {stats.min().item():.6g}, max {stats.max().item():.6g}); "
          f"mean sigma(x) {info['sigma_x_mean']:.4g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
