"""Peer for the CNN training bench: LeNet-5 as PIE Audit builds it (conv 5x5x6 'same',
max-pool 2, conv 5x5x16 'valid', max-pool 2, dense 120-84-10, ReLU), Adam 1e-3,
batch 128, one pass over the first N training images of Fashion-MNIST, on one thread
(PyTorch, Debian's python3-torch). Prints one JSON line: seconds (wall and CPU), images/s."""
import json
import sys
import time

import numpy as np
import torch

from idx import read_idx

torch.set_num_threads(1)
torch.manual_seed(1)
folder = sys.argv[1]
count = int(sys.argv[2])


def idx(name):
    return read_idx(folder, name)


x = idx("train-images-idx3-ubyte.gz")[:count].reshape(-1, 1, 28, 28).astype(np.float32) / 255
y = idx("train-labels-idx1-ubyte.gz")[:count].astype(np.int64)
x = (x - x.mean()) / x.std()
xt, yt = torch.from_numpy(x), torch.from_numpy(y)
model = torch.nn.Sequential(
    torch.nn.Conv2d(1, 6, 5, padding=2), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
    torch.nn.Conv2d(6, 16, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
    torch.nn.Flatten(),
    torch.nn.Linear(16 * 5 * 5, 120), torch.nn.ReLU(), torch.nn.Linear(120, 84), torch.nn.ReLU(), torch.nn.Linear(84, 10),
)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = torch.nn.CrossEntropyLoss()
start = time.perf_counter()
cpu_start = time.process_time()
perm = torch.randperm(len(xt))
for b in range(0, len(xt), 128):
    i = perm[b:b + 128]
    opt.zero_grad()
    loss = loss_fn(model(xt[i]), yt[i])
    loss.backward()
    opt.step()
seconds = time.perf_counter() - start
cpu_seconds = time.process_time() - cpu_start
print(json.dumps({"seconds": seconds, "cpu_seconds": cpu_seconds, "images_per_second": len(xt) / seconds, "torch": torch.__version__}))
