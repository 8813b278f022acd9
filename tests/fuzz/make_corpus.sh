#!/usr/bin/env bash
# Build the seed corpora of the fuzz harnesses from the repository's inputs.
#   tests/fuzz/make_corpus.sh OUT      # writes OUT/fuzz_config, OUT/fuzz_model, OUT/fuzz_idx
# Seeds are named seed-*; files libFuzzer added to a corpus folder are kept.
# Every seed stays below 64 KiB (the harnesses run with -max_len=65536).
#
#  fuzz_config  configs/*.yaml, configs/examples/*.yaml, tests/bad/*.yaml, the same
#               with -p overrides appended (NUL-separated), overrides alone, and
#               short unit values ("331kohm") for the unit parser;
#  fuzz_model   manifest + NUL + safetensors: tests/bad/files/*, the shipped models of
#               workloads/models/ and of git HEAD (tensor file cut to 60 000 bytes),
#               and small valid models of every method written by python3
#               (skipped when python3 is missing); shapes-only manifests (`weights:
#               random`, no tensor file): the small ones of workloads/shapes/ and a tiny
#               one per method;
#  fuzz_idx     small IDX files (1 to 4 dimensions, broken headers), the gzipped
#               test files of tests/bad/files/data/, image/label pairs joined by the
#               separator SPINCIM-LABELS for the dataset loader, and CIFAR-10 records.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=${1:?usage: make_corpus.sh OUT_DIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
cfg=$out/fuzz_config model=$out/fuzz_model idx=$out/fuzz_idx
mkdir -p "$cfg" "$model" "$idx"
max=60000

# ---- fuzz_config ----
for f in "$top"/configs/*.yaml "$top"/configs/examples/*.yaml "$top"/tests/bad/*.yaml; do
  [ -f "$f" ] || continue
  rel=${f#"$top"/}
  name=seed-${rel//\//_}
  head -c "$max" "$f" >"$cfg/$name"
done
if [ -f "$top/configs/default.yaml" ]; then
  { head -c "$max" "$top/configs/default.yaml"
    printf '\0crossbar.rows_per_read=32\0adc.bits=6\0dropout.enabled=false\0workload.images=100'
  } >"$cfg/seed-default-overrides"
  { head -c "$max" "$top/configs/default.yaml"
    printf '\0energy.mode=physical\0scale_memory.kind=scale_crossbar\0crossbar.cell.r_p=5kohm'
  } >"$cfg/seed-default-device-energy"
fi
printf '\0chip.vdd=1V\0crossbar.cell.r_p=331kohm\0workload.ood=gaussian,rotate:42\0adc={bits: 4}' \
  >"$cfg/seed-overrides-only"
printf 'chip: {name: "n\\x01\\u00e9", clock: 2GHz}\0chip.name="quoted"\0crossbar..rows=1\0nokey' \
  >"$cfg/seed-names"
i=0
for v in 10ns 331kohm 0.65pJ 1GHz 80uA 0.16um2 300K 100F2 650ohm*um2 5% '2.5 µs' 1e-3mV \
         3uS 22.5uW 50nm 0.1V 1e400J -0x1p3 .5e-7Ohm 1m^2; do
  printf '%s\n' "$v" >"$cfg/seed-unit-$i"
  i=$((i + 1))
done

# ---- fuzz_model ----
# manifest (its tensors: line pointed at the harness's model.safetensors) + NUL + tensors
pair() { # manifest tensors out
  { sed 's/^tensors:.*/tensors: model.safetensors/' "$1" | head -c 8000
    printf '\0'
    head -c "$max" "$2"
  } >"$3"
}
for m in "$top"/tests/bad/files/*.yaml; do
  [ -f "$m" ] || continue
  st=$(dirname "$m")/$(sed -n 's/^tensors:[[:space:]]*//p' "$m" | head -n 1)
  [ -f "$st" ] && pair "$m" "$st" "$model/seed-bad-$(basename "$m" .yaml)"
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for m in "$top"/workloads/models/*.yaml; do
  [ -f "$m" ] || continue
  st=$(dirname "$m")/$(sed -n 's/^tensors:[[:space:]]*//p' "$m" | head -n 1)
  [ -f "$st" ] && pair "$m" "$st" "$model/seed-shipped-$(basename "$m" .yaml)"
done
# The committed models too (the working tree may hold others, or none while retraining).
if git -C "$top" rev-parse HEAD >/dev/null 2>&1; then
  for rel in $(git -C "$top" ls-tree --name-only HEAD workloads/models/ | grep '\.yaml$' || true); do
    git -C "$top" show "HEAD:$rel" >"$tmp/m.yaml" 2>/dev/null || continue
    strel=workloads/models/$(sed -n 's/^tensors:[[:space:]]*//p' "$tmp/m.yaml" | head -n 1)
    git -C "$top" show "HEAD:$strel" 2>/dev/null | head -c "$max" >"$tmp/m.st" || true
    pair "$tmp/m.yaml" "$tmp/m.st" "$model/seed-head-$(basename "$rel" .yaml)"
  done
fi
# Shapes-only manifests: the manifest alone. Only the shipped ones below 10^6 weights
# (VGG-small and ResNet-18 draw ~10^7 per run, too slow to mutate under the sanitizers).
for n in lenet5 lenet5-subset lenet5-wide resnet20; do
  m=$top/workloads/shapes/$n.yaml
  [ -f "$m" ] && { head -c 8000 "$m"; printf '\0'; } >"$model/seed-shapes-$n"
done
for method in bnn scale_dropout affine_dropout subset; do
  extra=""
  [ "$method" = affine_dropout ] && extra=", norm: layer"
  [ "$method" = subset ] && extra=", scale_samples: 4, scale_bits: 4"
  cat >"$model/seed-shapes-tiny-$method" <<EOF
format: spincim-model
version: 1
name: tiny-$method
method: $method
classes: 10
dataset: synthetic:1x6x6
input: {channels: 1, height: 6, width: 6, encoding: bitserial8}
weights: {random: {seed: 3, p_plus: 0.4, scale_sigma: 0.2}}
layers:
  - {name: c1, kind: conv, out_channels: 2, kernel: 3, padding: 1, activation: sign$extra}
  - {name: c2, kind: conv, out_channels: 4, kernel: 3, stride: 2, padding: 1, pool: {kind: avg, size: 3}, activation: sign, residual: c1$extra}
  - {name: out, kind: linear, out_features: 10, activation: none$extra}
EOF
done
printf 'format: spincim-model\nversion: 1\nname: t\nmethod: bnn\nclasses: 10\ndataset: synthetic:1x2x2\ninput: {channels: 1, height: 2, width: 2, encoding: binary}\nweights: random\nlayers:\n  - {name: fc, kind: linear, out_features: 10, activation: none}\n' \
  >"$model/seed-shapes-shorthand"

if command -v python3 >/dev/null 2>&1; then
  python3 - "$model" <<'EOF'
import json, random, struct, sys

out = sys.argv[1]
rng = random.Random(1)

def safetensors(tensors, metadata=None):
    header, blob = {}, b""
    for name, (dtype, shape, values) in tensors.items():
        fmt = {"I8": "b", "U8": "B", "F32": "f", "F64": "d"}[dtype]
        data = struct.pack("<%d%s" % (len(values), fmt), *values)
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(blob), len(blob) + len(data)]}
        blob += data
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode()
    return struct.pack("<Q", len(text)) + text + blob

def signs(n):
    return [rng.choice((-1, 1)) for _ in range(n)]

def floats(n, lo=0.5, hi=1.5):
    return [rng.uniform(lo, hi) for _ in range(n)]

def layer_tensors(t, name, out_c, fan_shape, method, bn=True, bias=False, samples=0):
    n = 1
    for s in fan_shape:
        n *= s
    t[name + ".weight"] = ("I8", [out_c] + fan_shape, signs(out_c * n))
    if method == "affine_dropout":
        t[name + ".affine.weight"] = ("F32", [out_c], floats(out_c))
        t[name + ".affine.bias"] = ("F32", [out_c], floats(out_c, -0.1, 0.1))
        return
    t[name + ".scale"] = ("F32", [out_c], floats(out_c))
    if bias:
        t[name + ".bias"] = ("F32", [out_c], floats(out_c, -0.1, 0.1))
    if bn:
        t[name + ".bn.mean"] = ("F32", [out_c], floats(out_c, -1, 1))
        t[name + ".bn.var"] = ("F32", [out_c], floats(out_c))
        t[name + ".bn.weight"] = ("F32", [out_c], floats(out_c))
        t[name + ".bn.bias"] = ("F32", [out_c], floats(out_c, -0.1, 0.1))
    if samples:
        t[name + ".scale_samples"] = ("F32", [samples, out_c], floats(samples * out_c))

def model(method, conv):
    extra = ""
    if method == "affine_dropout":
        extra = "    norm: layer\n"
    elif method == "subset":
        extra = "    scale_samples: 2\n    scale_bits: 4\n"
    p = "0.0" if method in ("bnn", "subset") else "0.2"
    t = {}
    lines = ["format: spincim-model", "version: 1", "name: tiny-%s-%s" % (method, "conv" if conv else "mlp"),
             "topology: tiny", "method: " + method, "classes: 10", "dataset: mnist",
             "input: {channels: 1, height: 6, width: 6, encoding: %s}" % ("bitserial8" if conv else "binary"),
             "tensors: model.safetensors", "bn_eps: 1.0e-05", "layers:"]
    samples = 2 if method == "subset" else 0
    if conv:
        lines += ["  - name: conv1", "    kind: conv", "    out_channels: 2", "    kernel: 3",
                  "    stride: 1", "    padding: 1", "    pool: {kind: max, size: 2}",
                  "    activation: sign", "    dropout_p: " + p]
        lines[-1] += "\n" + extra.rstrip("\n") if extra else ""
        layer_tensors(t, "conv1", 2, [1, 3, 3], method, samples=samples)
        fan = 2 * 3 * 3
    else:
        lines += ["  - name: fc1", "    kind: linear", "    out_features: 8", "    activation: sign",
                  "    dropout_p: " + p]
        lines[-1] += "\n" + extra.rstrip("\n") if extra else ""
        layer_tensors(t, "fc1", 8, [36], method, bias=True, samples=samples)
        fan = 8
    lines += ["  - name: out", "    kind: linear", "    out_features: 10", "    activation: none",
              "    dropout_p: " + p]
    lines[-1] += "\n" + extra.rstrip("\n") if extra else ""
    layer_tensors(t, "out", 10, [fan], method, bn=False, bias=True, samples=samples)
    lines += ["provenance:", '  command: "make_corpus.sh"', "  test_accuracy: 0.5", "  epochs: 1"]
    meta = {"format": "spincim-model", "name": "tiny"} if conv else None
    manifest = ("\n".join(lines) + "\n").encode()
    return manifest + b"\0" + safetensors(t, meta)

for method in ("bnn", "scale_dropout", "spindrop", "spatial_spindrop", "affine_dropout", "subset"):
    for conv in (False, True):
        name = "%s/seed-tiny-%s-%s" % (out, method, "conv" if conv else "mlp")
        with open(name, "wb") as f:
            f.write(model(method, conv))
EOF
fi

# ---- fuzz_idx ----
# idx TYPE DIMS... : the IDX header (big-endian sizes) for element type TYPE
idx_header() {
  local type=$1
  shift
  printf "\\x00\\x00\\x$type\\x$(printf %02x $#)"
  for d in "$@"; do
    printf "\\x$(printf %02x $((d >> 24 & 255)))\\x$(printf %02x $((d >> 16 & 255)))"
    printf "\\x$(printf %02x $((d >> 8 & 255)))\\x$(printf %02x $((d & 255)))"
  done
}
bytes() { # N [VALUE]: N bytes counting up (mod MOD), or all equal to VALUE
  local n=$1 i
  for ((i = 0; i < n; i++)); do printf "\\x$(printf %02x $(((${2:-i}) % ${3:-256})))"; done
}
{ idx_header 08 3 4 4; bytes 48; } >"$idx/seed-images-3x4x4"
{ idx_header 08 5; bytes 5 i 10; } >"$idx/seed-labels-5"
{ idx_header 08 2 3 2; bytes 6; } >"$idx/seed-2d"
{ idx_header 08 2 2 2 2; bytes 16; } >"$idx/seed-4d"
{ idx_header 08 0; } >"$idx/seed-empty"
{ idx_header 08 3 4 4; bytes 40; } >"$idx/seed-truncated"
{ idx_header 08 2 3; bytes 9; } >"$idx/seed-trailing"
{ idx_header 0d 2; bytes 8; } >"$idx/seed-float-type"
idx_header 08 65535 65535 65535 >"$idx/seed-huge-dims"
{ idx_header 08 3 4 4; bytes 48; printf SPINCIM-LABELS; idx_header 08 3; bytes 3 i 10; } \
  >"$idx/seed-dataset-3"
{ idx_header 08 2 3 3; bytes 18; printf SPINCIM-LABELS; idx_header 08 2; bytes 2 12; } \
  >"$idx/seed-dataset-bad-label"
{ idx_header 08 3 4 4; bytes 48 | gzip -c; printf SPINCIM-LABELS; idx_header 08 3; bytes 3 i 10; } \
  >"$idx/seed-dataset-gz"
{ idx_header 08 3 4 4; bytes 48; } | gzip -c >"$idx/seed-images-gz"
pixels() { printf "%${1}s" '' | tr ' ' "${2:-x}"; } # N [CHAR]: N pixel bytes
{ printf '\x03'; pixels 3072; printf '\x09'; pixels 3072 A; } >"$idx/seed-cifar-2"
{ printf '\x01'; pixels 3072; printf '\x0a'; pixels 3072 A; } >"$idx/seed-cifar-bad-label"
{ printf '\x01'; pixels 3000; } >"$idx/seed-cifar-short"
for f in "$top"/tests/bad/files/data/*/*; do
  [ -f "$f" ] || continue
  head -c "$max" "$f" >"$idx/seed-bad-$(basename "$f")"
done

for d in "$cfg" "$model" "$idx"; do
  echo "$(basename "$d"): $(find "$d" -maxdepth 1 -name 'seed-*' | wc -l) seeds, $(find "$d" -maxdepth 1 -type f | wc -l) files in the corpus"
done
