"""An example attribute file for `pie-audit datasets attributes` on Fashion-MNIST.

Fashion-MNIST has no metadata, so the attributes are read off the test images' pixels:
`brightness` (tercile of the mean pixel value: dark, medium, bright) and `ink` (tercile of
the share of non-zero pixels: sparse, medium, full), plus `shape` (the bounding box of the
non-zero pixels: tall below width/height 0.8, wide above 1.25, else square). Writes
image_index,brightness,ink,shape.

    /usr/bin/python3 scripts/make-fashion-mnist-attributes.py [DIR] > attributes.csv
"""
import gzip
import sys

import numpy as np
import pandas as pd

folder = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
with gzip.open(f"{folder}/t10k-images-idx3-ubyte.gz") as f:
    images = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 28, 28)
mean = images.reshape(len(images), -1).mean(axis=1)
ink = (images.reshape(len(images), -1) > 0).mean(axis=1)
rows, cols = images.max(axis=2) > 0, images.max(axis=1) > 0
span = lambda m: np.where(m.any(axis=1), m.shape[1] - m[:, ::-1].argmax(axis=1) - m.argmax(axis=1), 1)
aspect = span(cols) / span(rows)
out = pd.DataFrame({
    "image_index": range(len(images)),
    "brightness": pd.qcut(mean, 3, labels=["dark", "medium", "bright"]),
    "ink": pd.qcut(ink, 3, labels=["sparse", "medium", "full"]),
    "shape": np.where(aspect < 0.8, "tall", np.where(aspect > 1.25, "wide", "square")),
})
out.to_csv(sys.stdout, index=False)
