"""Write (and read back) a trained BNN in the spincim model format (docs/model-format.md):
NAME.yaml (manifest) next to NAME.safetensors (tensors).

The safetensors file is written by hand: an 8-byte little-endian header length N, N bytes
of JSON header (padded with spaces to a multiple of 8), then the tensor bytes with no gaps.
Weights are I8 (+-1, exactly the binarized weights the forward pass used), the scale
vector and batch-norm tensors F32. Per method (docs/model-format.md, "Bayesian methods"):
affine_dropout writes `<layer>.affine.weight` / `.affine.bias` (gamma, beta) and no scale or
batch norm, with `norm: layer` on every layer; subset writes `<layer>.scale_samples` [N, Cout]
(the N samples quantized on one per-layer grid of 2^bits levels) and `<layer>.scale` (the
variational mean quantized on the same grid), with `scale_samples: N` and `scale_bits`.
"""

import json
import os
import struct

import numpy as np
import torch

import bnn

DTYPES = {"I8": np.dtype("<i1"), "F32": np.dtype("<f4"), "F64": np.dtype("<f8")}
MAX_HEADER = 16 << 20


# ----------------------------------------------------------------------------- safetensors

def write_safetensors(path, tensors, metadata=None):
    """tensors: {name: (dtype, ndarray)} with dtype in DTYPES; metadata: {str: str}."""
    # Widest dtypes first so every tensor starts on a multiple of its element size.
    order = sorted(tensors, key=lambda n: (-DTYPES[tensors[n][0]].itemsize, n))
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    for name in order:
        dtype, array = tensors[name]
        data = np.ascontiguousarray(array, dtype=DTYPES[dtype]).tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for data in blobs:
            f.write(data)


def read_safetensors(path):
    """Return ({name: ndarray}, metadata). Checks offsets, shapes and dtypes."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise ValueError(f"{path}: too short for a safetensors header")
    (n,) = struct.unpack("<Q", raw[:8])
    if n > MAX_HEADER or 8 + n > len(raw):
        raise ValueError(f"{path}: header length {n} does not fit the file")
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    data = raw[8 + n:]
    metadata = header.pop("__metadata__", {}) or {}
    tensors, spans = {}, []
    for name, info in header.items():
        dtype = info["dtype"]
        if dtype not in DTYPES:
            raise ValueError(f"{path}: tensor {name}: unsupported dtype {dtype}")
        shape = tuple(int(d) for d in info["shape"])
        begin, end = (int(x) for x in info["data_offsets"])
        count = int(np.prod(shape, dtype=np.int64))
        if not 0 <= begin <= end <= len(data) or end - begin != count * DTYPES[dtype].itemsize:
            raise ValueError(f"{path}: tensor {name}: data_offsets {begin}..{end} do not match "
                             f"shape {list(shape)} of {dtype}")
        tensors[name] = np.frombuffer(data, dtype=DTYPES[dtype], count=count,
                                      offset=begin).reshape(shape).copy()
        spans.append((begin, end))
    spans.sort()
    pos = 0
    for begin, end in spans:
        if begin != pos:
            raise ValueError(f"{path}: tensor data has a gap or overlap at byte {pos}")
        pos = end
    if pos != len(data):
        raise ValueError(f"{path}: {len(data) - pos} trailing bytes after the last tensor")
    return tensors, metadata


# ----------------------------------------------------------------------------- manifest

def yaml_float(x):
    """A float spelled so that both YAML 1.1 and 1.2 readers see a float (1.0e-05, 0.5)."""
    text = repr(float(x))
    if "e" in text and "." not in text.split("e")[0]:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}.0e{exponent}"
    return text


def yaml_str(s):
    return json.dumps(str(s))  # a JSON string is a valid YAML double-quoted scalar


def model_tensors(model):
    """The tensors of the format, from the model's current parameters (per method, as in
    docs/model-format.md "Bayesian methods")."""
    out = {}
    with torch.no_grad():
        for layer in model.layers:
            w = layer.binary_weight().detach().cpu().numpy()
            if not np.all(np.abs(w) == 1):
                raise ValueError(f"{layer.name}: binarized weights are not all +-1")
            out[f"{layer.name}.weight"] = ("I8", w.astype(np.int8))
            if layer.bias is not None:
                out[f"{layer.name}.bias"] = ("F32", layer.bias.detach().cpu().numpy())
            if layer.method == "affine_dropout":
                out[f"{layer.name}.affine.weight"] = ("F32", layer.affine_weight.detach().cpu().numpy())
                out[f"{layer.name}.affine.bias"] = ("F32", layer.affine_bias.detach().cpu().numpy())
                continue
            out[f"{layer.name}.scale"] = ("F32", layer.scale.detach().cpu().numpy())
            if layer.method == "subset":
                if layer.scale_samples is None:
                    raise ValueError(f"{layer.name}: subset model not frozen (call freeze_subset)")
                out[f"{layer.name}.scale_samples"] = ("F32", layer.scale_samples.cpu().numpy())
            out[f"{layer.name}.bn.mean"] = ("F32", layer.bn.running_mean.cpu().numpy())
            out[f"{layer.name}.bn.var"] = ("F32", layer.bn.running_var.cpu().numpy())
            out[f"{layer.name}.bn.weight"] = ("F32", layer.bn.weight.detach().cpu().numpy())
            out[f"{layer.name}.bn.bias"] = ("F32", layer.bn.bias.detach().cpu().numpy())
    return out


def manifest_text(model, name, method, dataset, tensors_file, provenance=None, notes=()):
    if method != model.method:
        raise ValueError(f"method {method!r} does not match the model's {model.method!r}")
    eps = {layer.bn_eps for layer in model.layers}
    if len(eps) != 1:
        raise ValueError("all layers must share one batch-norm eps")
    c, h, w = model.input_shape
    lines = [f"# {line}" for line in notes]
    lines += [
        "format: spincim-model",
        "version: 1",
        f"name: {name}",
        f"topology: {model.topology}",
        f"method: {method}",
        f"classes: {model.classes}",
        f"dataset: {dataset}",
        "input:",
        f"  channels: {c}",
        f"  height: {h}",
        f"  width: {w}",
        f"  encoding: {model.encoding}",
        f"tensors: {tensors_file}",
        f"bn_eps: {yaml_float(eps.pop())}",
        "layers:",
    ]
    for layer in model.layers:
        lines.append(f"  - name: {layer.name}")
        lines.append(f"    kind: {layer.kind}")
        if layer.kind == "conv":
            lines.append(f"    out_channels: {layer.out_ch}")
            lines.append(f"    kernel: {layer.kernel}")
            lines.append(f"    stride: {layer.stride}")
            lines.append(f"    padding: {layer.padding}")
        else:
            lines.append(f"    out_features: {layer.out_ch}")
        if layer.pool_kind:
            lines.append(f"    pool: {{kind: {layer.pool_kind}, size: {layer.pool_size}}}")
        lines.append(f"    activation: {layer.activation}")
        lines.append(f"    dropout_p: {yaml_float(layer.dropout_p)}")
        if layer.residual is not None:
            lines.append(f"    residual: {layer.residual}")
            if layer.residual_gain != 1.0:
                lines.append(f"    residual_gain: {yaml_float(layer.residual_gain)}")
        if layer.method == "affine_dropout":
            lines.append("    norm: layer")
        if layer.method == "subset":
            lines.append(f"    scale_samples: {layer.scale_samples.shape[0]}")
            lines.append(f"    scale_bits: {layer.subset_bits}")
    if provenance:
        lines.append("provenance:")
        for key, value in provenance.items():
            if isinstance(value, float):
                text = yaml_float(value)
            elif isinstance(value, int):
                text = str(value)
            else:
                text = yaml_str(value)
            lines.append(f"  {key}: {text}")
    return "\n".join(lines) + "\n"


def export(model, out_dir, name, method, dataset, provenance=None, notes=()):
    """Write out_dir/NAME.yaml and out_dir/NAME.safetensors; returns both paths."""
    os.makedirs(out_dir, exist_ok=True)
    st_name = f"{name}.safetensors"
    st_path = os.path.join(out_dir, st_name)
    yaml_path = os.path.join(out_dir, f"{name}.yaml")
    write_safetensors(st_path, model_tensors(model), metadata={"format": "spincim-model", "name": name})
    with open(yaml_path, "w", encoding="utf-8") as f:
        f.write(manifest_text(model, name, method, dataset, st_name, provenance, notes))
    return yaml_path, st_path


# ----------------------------------------------------------------------------- loading

TEST_VECTOR_TENSORS = ("test_vector.mu", "test_vector.logvar")


def test_vector(tensors, st_path, shape):
    """(mu, logvar) of the Bayesian test vector (tools/train/testvec.py), each [C, H, W]."""
    out = []
    for key in TEST_VECTOR_TENSORS:
        t = tensors.get(key)
        if t is None or tuple(t.shape) != tuple(shape):
            raise ValueError(f"{st_path}: {key} must be {list(shape)} (the manifest has "
                             "'test_vector')")
        out.append(t)
    return tuple(out)


def load_test_vector(manifest_path):
    """(mu, logvar) numpy arrays of a model's test vector, or None when it has none."""
    import yaml  # Debian python3-yaml

    with open(manifest_path, encoding="utf-8") as f:
        m = yaml.safe_load(f)
    if "test_vector" not in m:
        return None
    st_path = os.path.join(os.path.dirname(os.path.abspath(manifest_path)), m["tensors"])
    tensors, _ = read_safetensors(st_path)
    inp = m["input"]
    return test_vector(tensors, st_path, (int(inp["channels"]), int(inp["height"]),
                                          int(inp["width"])))


def load_model(manifest_path, dtype=torch.float64):
    """Build a BNN from an exported manifest + safetensors (not from a PyTorch checkpoint).

    The +-1 weights are installed as fixed weights (no re-binarization); every method of
    docs/model-format.md is read with the tensors and per-layer keys it names. Returns
    (model in eval mode, manifest dict)."""
    import yaml  # Debian python3-yaml

    with open(manifest_path, encoding="utf-8") as f:
        m = yaml.safe_load(f)
    if not isinstance(m, dict) or m.get("format") != "spincim-model" or m.get("version") != 1:
        raise ValueError(f"{manifest_path}: not a spincim-model version 1 manifest")
    if "tensors" not in m and "weights" in m:
        raise ValueError(f"{manifest_path}: a shapes-only manifest (weights: random): spincim "
                         "draws its weights, there is no tensor file to load; "
                         "tools/train/synth.py writes the same topology with one")
    method = m.get("method", "scale_dropout")
    if method not in bnn.METHODS:
        raise ValueError(f"{manifest_path}: unknown method {method!r}")
    st_path = os.path.join(os.path.dirname(os.path.abspath(manifest_path)), m["tensors"])
    tensors, _ = read_safetensors(st_path)
    inp = m["input"]
    c, h, w = int(inp["channels"]), int(inp["height"]), int(inp["width"])
    eps = float(m.get("bn_eps", bnn.BN_EPS))
    layers, used = [], set()
    shape = (c, h, w)          # current activation shape (C, H, W) or (F,)

    def vector(lname, suffix, n, required=True):
        key = f"{lname}.{suffix}"
        if key not in tensors:
            if required:
                raise ValueError(f"{st_path}: tensor {key} missing (method {method})")
            return None
        t = tensors[key]
        if tuple(t.shape) != (n,):
            raise ValueError(f"{st_path}: {key} has shape {list(t.shape)}, expected [{n}]")
        used.add(key)
        return torch.from_numpy(t.astype(np.float32))

    for i, spec in enumerate(m["layers"]):
        lname = spec["name"]
        pool = spec.get("pool")
        pool_kind = pool["kind"] if pool else None
        pool_size = int(pool["size"]) if pool else 1
        act = spec.get("activation", "sign")
        p = float(spec.get("dropout_p", 0.0))
        norm = spec.get("norm", "batch")
        if norm not in ("batch", "layer"):
            raise ValueError(f"{manifest_path}: layer {lname}: unknown norm {norm!r}")
        if (norm == "layer") != (method == "affine_dropout"):
            raise ValueError(f"{manifest_path}: layer {lname}: method {method} "
                             + ("needs 'norm: layer'" if method == "affine_dropout"
                                else "does not use 'norm: layer'"))
        n_samples = int(spec.get("scale_samples", 0))
        if method == "subset" and (n_samples < 2 or n_samples & (n_samples - 1)):
            raise ValueError(f"{manifest_path}: layer {lname}: method subset needs "
                             f"'scale_samples' = a power of two >= 2, got {n_samples}")
        if method != "subset" and n_samples:
            raise ValueError(f"{manifest_path}: layer {lname}: 'scale_samples' is only for method subset")
        kw = {"activation": act, "dropout_p": p, "bn_eps": eps, "method": method,
              "residual": spec.get("residual"),
              "residual_gain": float(spec.get("residual_gain", 1.0))}
        if spec["kind"] == "conv":
            if len(shape) != 3:
                raise ValueError(f"{manifest_path}: conv layer {lname} after a linear layer")
            k, s, pad = int(spec["kernel"]), int(spec.get("stride", 1)), int(spec.get("padding", 0))
            layer = bnn.BinaryConv2d(lname, shape[0], int(spec["out_channels"]), k, padding=pad,
                                     stride=s, pool_kind=pool_kind, pool_size=pool_size, **kw)
            oh = (shape[1] + 2 * pad - k) // s + 1
            ow = (shape[2] + 2 * pad - k) // s + 1
            shape = (layer.out_ch, oh // pool_size, ow // pool_size)
        elif spec["kind"] == "linear":
            fan_in = int(np.prod(shape))
            layer = bnn.BinaryLinear(lname, fan_in, int(spec["out_features"]), **kw)
            shape = (layer.out_ch,)
        else:
            raise ValueError(f"{manifest_path}: layer {lname}: unknown kind {spec['kind']!r}")
        n_out = layer.out_ch
        with torch.no_grad():
            wt = tensors.get(f"{lname}.weight")
            if wt is None:
                raise ValueError(f"{st_path}: tensor {lname}.weight missing")
            if tuple(wt.shape) != tuple(layer.weight.shape):
                raise ValueError(f"{st_path}: {lname}.weight has shape {list(wt.shape)}, "
                                 f"manifest implies {list(layer.weight.shape)}")
            if not np.all(np.abs(wt.astype(np.int32)) == 1):
                raise ValueError(f"{st_path}: {lname}.weight holds values other than +-1")
            layer.fixed_weight = torch.from_numpy(wt.astype(np.float32))
            layer.weight.copy_(layer.fixed_weight)
            used.add(f"{lname}.weight")
            bias = vector(lname, "bias", n_out, required=False)
            if bias is not None:
                layer.bias = torch.nn.Parameter(bias)
            if method == "affine_dropout":
                # Inverted normalization: gamma, beta; no scale, no batch norm.
                layer.affine_weight.copy_(vector(lname, "affine.weight", n_out))
                layer.set_affine_bias(vector(lname, "affine.bias", n_out))
                layers.append(layer)
                continue
            layer.scale.copy_(vector(lname, "scale", n_out))
            if method == "subset":
                key = f"{lname}.scale_samples"
                t = tensors.get(key)
                if t is None or tuple(t.shape) != (n_samples, n_out):
                    raise ValueError(f"{st_path}: {key} must be [{n_samples}, {n_out}] "
                                     f"(scale_samples: {n_samples})")
                layer.scale_samples = torch.from_numpy(t.astype(np.float32))
                layer.subset_bits = int(spec.get("scale_bits", bnn.SUBSET_BITS))
                used.add(key)
            bn_names = [f"{lname}.bn.{t}" for t in ("mean", "var", "weight", "bias")]
            if all(n in tensors for n in bn_names):
                layer.bn.running_mean.copy_(vector(lname, "bn.mean", n_out))
                layer.bn.running_var.copy_(vector(lname, "bn.var", n_out))
                layer.bn.weight.copy_(vector(lname, "bn.weight", n_out))
                layer.bn.bias.copy_(vector(lname, "bn.bias", n_out))
            elif any(n in tensors for n in bn_names):
                raise ValueError(f"{st_path}: {lname}: batch-norm tensors are partly present")
            else:
                # No batch norm: the identity (mean 0, var 1 - eps, gamma 1, beta 0).
                layer.bn.running_var.fill_(1.0 - eps)
        layers.append(layer)
    if "test_vector" in m:
        test_vector(tensors, st_path, (c, h, w))
        used.update(TEST_VECTOR_TENSORS)
    unknown = sorted(set(tensors) - used)
    if unknown:
        raise ValueError(f"{st_path}: tensors not named by the manifest: {', '.join(unknown)}")
    model = bnn.BNN(layers, encoding=inp.get("encoding", "bitserial8"), topology=m.get("topology", "custom"),
                    input_shape=(c, h, w), classes=int(m.get("classes", 10)))
    model = model.to(dtype)
    model.eval()
    return model, m
