"""Peer for the training bench: LeNet-300-100, Adam 1e-3, batch 128, one epoch on
Fashion-MNIST, then test predictions, on one thread (PyTorch, Debian's python3-torch).
Prints one JSON line: seconds for the job, images/s, test top-1."""
import json
import sys
import time

import numpy as np
import torch

from idx import read_idx

torch.set_num_threads(1)
torch.manual_seed(1)
folder = sys.argv[1]


def idx(name):
    return read_idx(folder, name)


x_train = idx("train-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255
y_train = idx("train-labels-idx1-ubyte.gz").astype(np.int64)
x_test = idx("t10k-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255
y_test = idx("t10k-labels-idx1-ubyte.gz").astype(np.int64)
mean, std = x_train.mean(), x_train.std()
x_train, x_test = (x_train - mean) / std, (x_test - mean) / std
xt, yt = torch.from_numpy(x_train), torch.from_numpy(y_train)
model = torch.nn.Sequential(torch.nn.Linear(784, 300), torch.nn.ReLU(), torch.nn.Linear(300, 100), torch.nn.ReLU(), torch.nn.Linear(100, 10))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = torch.nn.CrossEntropyLoss()
start = time.perf_counter()
perm = torch.randperm(len(xt))
for b in range(0, len(xt), 128):
    i = perm[b:b + 128]
    opt.zero_grad()
    loss = loss_fn(model(xt[i]), yt[i])
    loss.backward()
    opt.step()
with torch.no_grad():
    probs = torch.softmax(model(torch.from_numpy(x_test)), dim=1)
    pred = probs.argmax(dim=1).numpy()
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "images_per_second": len(xt) / seconds, "top1": float((pred == y_test).mean()), "torch": torch.__version__}))
