"""Reads one gzipped IDX file (Fashion-MNIST's format) into a NumPy array; shared by the peers."""
import gzip

import numpy as np


def read_idx(folder, name):
    with gzip.open(f"{folder}/{name}", "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)
