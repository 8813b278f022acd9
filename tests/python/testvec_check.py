#!/usr/bin/env python3
"""Checks of tools/train/testvec.py for the CTest testvec.roundtrip (tests/run_testvec.cmake).

  testvec_check.py same-tensors BEFORE.safetensors AFTER.safetensors
      every tensor of BEFORE is in AFTER with the same dtype, shape and bytes, and AFTER
      adds exactly test_vector.mu and test_vector.logvar
  testvec_check.py deterministic MODEL.yaml OUT_DIR
      writes OUT_DIR/det.yaml (+ .safetensors): MODEL with logvar = -200, so every sample
      is floor(255 * clamp(mu, 0, 1) + 0.5); prints sigma_y of those pixels computed by
      the PyTorch reference in float64 (the std of the C logits, dropout off)
"""

import os
import shutil
import sys

import numpy as np
import torch

TOP = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(TOP, "tools", "train"))

import export  # noqa: E402
import testvec  # noqa: E402


def same_tensors(before, after):
    a, meta_a = export.read_safetensors(before)
    b, meta_b = export.read_safetensors(after)
    extra = sorted(set(b) - set(a))
    if extra != ["test_vector.logvar", "test_vector.mu"]:
        sys.exit(f"added tensors: {extra}")
    for name, t in a.items():
        u = b.get(name)
        if u is None or u.dtype != t.dtype or u.shape != t.shape or u.tobytes() != t.tobytes():
            sys.exit(f"tensor {name} changed")
    if meta_a != meta_b:
        sys.exit(f"metadata changed: {meta_a} -> {meta_b}")
    print(f"{len(a)} tensors unchanged, test_vector.mu and .logvar added")


def deterministic(model_path, out_dir):
    import yaml  # Debian python3-yaml

    with open(model_path, encoding="utf-8") as f:
        manifest = yaml.safe_load(f)
    src = os.path.dirname(os.path.abspath(model_path))
    shutil.copy(os.path.join(src, manifest["tensors"]), os.path.join(out_dir, "det.safetensors"))
    with open(model_path, encoding="utf-8") as f:
        text = f.read().replace(f"tensors: {manifest['tensors']}", "tensors: det.safetensors")
    det = os.path.join(out_dir, "det.yaml")
    with open(det, "w", encoding="utf-8") as f:
        f.write(text)
    mu, _ = export.load_test_vector(det)
    mu = torch.from_numpy(mu.astype(np.float64))
    logvar = torch.full_like(mu, -200.0)
    testvec.write_tensors(os.path.join(out_dir, "det.safetensors"), mu, logvar)
    model, _ = export.load_model(det, torch.float64)
    with torch.no_grad():
        pixels = testvec.pixels_of(mu, logvar, torch.zeros((1,) + tuple(mu.shape), dtype=mu.dtype))
        print(f"{testvec.sigma_of(model(pixels))[0].item():.17g}")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "same-tensors":
        same_tensors(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "deterministic":
        deterministic(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
