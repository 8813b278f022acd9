"""IDX dataset reader for MNIST and Fashion-MNIST (raw or gzipped files), and CIFAR-10's
binary batches for evaluation.

The files live under DATA/<dataset>/{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz];
gzip is detected by its magic bytes (1f 8b), not by the file name. CIFAR-10 is read as
the simulator reads it (workloads/dataset.c): DATA/cifar-10/test_batch.bin and
data_batch_1..5.bin, records of one label byte and 3x32x32 pixel bytes. The default data
folder is `data/` at the top of the repository, found from this file's location.
"""

import gzip
import os
import struct

import numpy as np

REPO_TOP = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DEFAULT_DATA_DIR = os.path.join(REPO_TOP, "data")
DATASETS = ("mnist", "fashion-mnist")          # what the trainer trains on
EVAL_DATASETS = DATASETS + ("cifar-10",)       # what evaluate.py reads
CIFAR_RECORD = 1 + 3 * 32 * 32
SPLIT_PREFIX = {"train": "train", "test": "t10k"}


def read_idx(path):
    """Read one IDX file of unsigned bytes; returns a numpy uint8 array."""
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    if len(raw) < 4:
        raise ValueError(f"{path}: too short for an IDX header")
    zero, dtype, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or dtype != 0x08 or not 1 <= ndim <= 4:
        raise ValueError(f"{path}: not an unsigned-byte IDX file (magic {raw[:4].hex()})")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{path}: truncated IDX header")
    dims = struct.unpack(">" + "I" * ndim, raw[4:header])
    count = int(np.prod(dims, dtype=np.int64))
    if len(raw) - header != count:
        raise ValueError(f"{path}: header declares {count} bytes of data, file holds {len(raw) - header}")
    return np.frombuffer(raw, dtype=np.uint8, count=count, offset=header).reshape(dims)


def _find(folder, stem):
    for name in (stem, stem + ".gz"):
        path = os.path.join(folder, name)
        if os.path.exists(path):
            return path
    raise FileNotFoundError(
        f"{os.path.join(folder, stem)}[.gz] not found; run tools/fetch-data or pass --data DIR")


def load_cifar10(split, data_dir=None):
    """Return (images uint8 [N,3,32,32], labels int64 [N]) of CIFAR-10's binary batches."""
    folder = os.path.join(data_dir or DEFAULT_DATA_DIR, "cifar-10")
    names = ["test_batch.bin"] if split == "test" else [f"data_batch_{b}.bin" for b in range(1, 6)]
    records = []
    for name in names:
        raw = np.fromfile(os.path.join(folder, name), dtype=np.uint8)
        if raw.size == 0 or raw.size % CIFAR_RECORD:
            raise ValueError(f"{folder}/{name}: not a whole number of {CIFAR_RECORD}-byte records")
        records.append(raw.reshape(-1, CIFAR_RECORD))
    rec = np.concatenate(records)
    return rec[:, 1:].reshape(-1, 3, 32, 32).copy(), rec[:, 0].astype(np.int64)


def load_split(dataset, split, data_dir=None):
    """Return (images uint8 [N,C,H,W], labels int64 [N]) for split 'train' or 'test'."""
    if dataset not in EVAL_DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}; expected one of {', '.join(EVAL_DATASETS)}")
    if split not in SPLIT_PREFIX:
        raise ValueError(f"unknown split {split!r}; expected train or test")
    if dataset == "cifar-10":
        return load_cifar10(split, data_dir)
    folder = os.path.join(data_dir or DEFAULT_DATA_DIR, dataset)
    prefix = SPLIT_PREFIX[split]
    images = read_idx(_find(folder, f"{prefix}-images-idx3-ubyte"))
    labels = read_idx(_find(folder, f"{prefix}-labels-idx1-ubyte"))
    if images.ndim != 3 or labels.ndim != 1 or images.shape[0] != labels.shape[0]:
        raise ValueError(f"{folder}: {split} images {images.shape} and labels {labels.shape} do not match")
    return images[:, None, :, :].copy(), labels.astype(np.int64)
