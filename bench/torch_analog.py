#!/usr/bin/env python3
"""The PyTorch side of the analog-read benchmark: a plain CPU loop (one image per forward
call) running an exported spincim model through the analog current-domain read of
spincim's `crossbar.read_mode: analog`, with tensor ops. Prints forward passes per second
as JSON. Used by bench/analog.py; see its docstring.

The model of the read is spincim's (arch/analog/analog.h), on the same chip defaults: each weight
is a complementary pair of cells (A conducts for input +1, B for -1; the P cell when input
and weight match), nominal conductances from R_P, the TMR and its bias dependence at the
read voltage, device-to-device variation G (1 + N(0, s^2)) + N(0, s_add^2) drawn once per
cell, rows_per_read weights of an array read together (chunks within 128-weight array
tiles, unrolled conv mapping), the column current of a read summed over its conducting
cells, the ADC's code the nearest nominal level clipped to its largest code, and the
first layer's 8 bit-planes read one by one and shifted-and-added. With --c2c-sigma, each
read also gets read noise, Gaussian with the variance summed over its cells (one more
matmul of squared conductances). The layers' scale, batch-norm, sign and pooling are the
exported model's own (tools/train/bnn.py).
"""

import argparse
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(top, "tools", "train"))
import data  # noqa: E402
import export  # noqa: E402


def conductances(r_p, tmr, v_half, v_read):
    """Nominal G_P and G_AP at the read voltage (TMR(V) = TMR0 / (1 + V^2 / V_h^2))."""
    tmr_v = tmr / (1.0 + (v_read * v_read) / (v_half * v_half))
    return 1.0 / r_p, 1.0 / (r_p * (1.0 + tmr_v))


def chunk_index(fan_in, per_col, rpr):
    """Rows of each read: tiles of per_col weights, rows_per_read at a time within a tile.
    Returns an index [n_chunks, rpr] (fan_in = a padding row) and the rows of each chunk."""
    idx, lens = [], []
    for t0 in range(0, fan_in, per_col):
        t1 = min(t0 + per_col, fan_in)
        for c0 in range(t0, t1, rpr):
            rows = list(range(c0, min(c0 + rpr, t1)))
            lens.append(len(rows))
            idx.append(rows + [fan_in] * (rpr - len(rows)))
    return torch.tensor(idx), torch.tensor(lens, dtype=torch.float32)


class AnalogLayer:
    """One layer's crossbar reads: per-chunk tables of the normalized cell values."""

    def __init__(self, layer, args, g_p, g_ap, gen):
        w = layer.binary_weight().detach().reshape(layer.out_ch, -1).float()
        self.layer = layer
        out, fan_in = w.shape
        plus = w > 0
        ga = torch.where(plus, torch.full_like(w, g_p), torch.full_like(w, g_ap))
        gb = torch.where(plus, torch.full_like(w, g_ap), torch.full_like(w, g_p))
        for g in (ga, gb):
            g.mul_(1.0 + args.d2d_sigma * torch.randn(g.shape, generator=gen))
            g.add_(args.d2d_sigma_add * torch.randn(g.shape, generator=gen))
        dg = g_p - g_ap
        self.idx, self.lens = chunk_index(fan_in, args.rows // 2, args.rows_per_read)
        pad = lambda t: torch.cat([t, torch.zeros(out, 1)], dim=1)[:, self.idx]  # [out, c, r]
        ea, eb = pad((ga - g_ap) / dg), pad((gb - g_ap) / dg)
        self.d = (ea - eb).permute(1, 0, 2).contiguous()                     # [c, out, r]
        real = (self.idx < fan_in).float()                                    # [c, r]
        self.base = (eb * real[None]).sum(-1).t().contiguous()[None, :, :, None]  # [1, c, out, 1]
        self.cap = torch.clamp(self.lens, max=args.max_code)[None, :, None, None]
        self.c2c = args.c2c_sigma
        if self.c2c > 0:
            qa, qb = pad((ga / dg) ** 2), pad((gb / dg) ** 2)
            self.q = (qa - qb).permute(1, 0, 2).contiguous()
            self.qbase = (qb * real[None]).sum(-1).t().contiguous()[None, :, :, None]
        self.fan_in = fan_in

    def sums(self, bits):
        """bits [planes, fan_in, L] (1 = input +1): the accumulated sums [planes, out, L]."""
        x = torch.cat([bits, torch.zeros(bits.shape[0], 1, bits.shape[2])], dim=1)[:, self.idx]
        val = self.base + torch.matmul(self.d, x)                             # [p, c, out, L]
        if self.c2c > 0:
            var = self.c2c ** 2 * (self.qbase + torch.matmul(self.q, x))
            val = val + var.clamp(min=0).sqrt() * torch.randn(val.shape)
        code = torch.minimum(torch.clamp(torch.round(val), min=0), self.cap)
        return (2.0 * code - self.lens[None, :, None, None]).sum(1)


def layer_bits(layer, x, first, encoding):
    """The layer's input as read bits [planes, fan_in, L] and the output shape."""
    if first and encoding == "bitserial8":
        planes = torch.stack([torch.bitwise_right_shift(x, p) & 1 for p in range(8)]).float()[:, 0]
    else:
        planes = (x > 0).float()                                              # [1, C, H, W] or [1, F]
    if layer.kind == "conv":
        cols = F.unfold(planes, layer.kernel, padding=layer.padding, stride=layer.stride)
        h = (x.shape[-2] + 2 * layer.padding - layer.kernel) // layer.stride + 1
        w = (x.shape[-1] + 2 * layer.padding - layer.kernel) // layer.stride + 1
        return cols, (1, layer.out_ch, h, w)
    return planes.flatten(1)[:, :, None], (1, layer.out_ch)


def forward(model, alayers, pixels):
    x = pixels
    for i, (layer, al) in enumerate(zip(model.layers, alayers)):
        bits, shape = layer_bits(layer, x, i == 0, model.encoding)
        s = al.sums(bits)
        if s.shape[0] == 8:   # bit-planes: shift-and-add, inputs (2 pixel - 255) / 255
            s = (s * (2.0 ** torch.arange(8.0))[:, None, None]).sum(0, keepdim=True) / 255.0
        x = layer._act(layer._post(s.reshape(shape)))
    return x


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model")
    ap.add_argument("--images", type=int, default=200)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--d2d-sigma", type=float, default=0.0)
    ap.add_argument("--d2d-sigma-add", type=float, default=0.0, help="siemens")
    ap.add_argument("--c2c-sigma", type=float, default=0.0)
    ap.add_argument("--rows", type=int, default=256)
    ap.add_argument("--rows-per-read", type=int, default=16)
    ap.add_argument("--adc-bits", type=int, default=5)
    ap.add_argument("--r-p", type=float, default=331e3)
    ap.add_argument("--tmr", type=float, default=1.0)
    ap.add_argument("--v-half", type=float, default=0.5)
    ap.add_argument("--v-read", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    args.max_code = (1 << args.adc_bits) - 1
    torch.set_num_threads(args.threads)
    model, manifest = export.load_model(args.model, torch.float32)
    model.eval()
    g_p, g_ap = conductances(args.r_p, args.tmr, args.v_half, args.v_read)
    gen = torch.Generator().manual_seed(args.seed)
    alayers = [AnalogLayer(layer, args, g_p, g_ap, gen) for layer in model.layers]
    dataset = manifest.get("dataset", "mnist")
    images, labels = data.load_split("mnist" if dataset.startswith("synthetic") else dataset, "test")
    x = torch.as_tensor(images[:args.images]).to(torch.int64)
    correct = 0
    with torch.no_grad():
        forward(model, alayers, x[:1])  # warm-up
        t0 = time.perf_counter()
        for i in range(args.images):
            correct += int(forward(model, alayers, x[i:i + 1]).argmax(1).item() == int(labels[i]))
        dt = time.perf_counter() - t0
    print(json.dumps({"images": args.images, "threads": args.threads, "wall_s": dt,
                      "accuracy": correct / args.images,
                      "forward_passes_per_s": args.images / dt}))


if __name__ == "__main__":
    main()
