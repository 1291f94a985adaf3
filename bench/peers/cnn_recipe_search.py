"""Search for a LeNet-5 training recipe that reaches dense top-1 0.89 on Fashion-MNIST
(issue 16): the network as PIE Audit builds it (src-main/core/training/network.ts:
conv 5x5 'same' 1->6, ReLU, max-pool 2; conv 5x5 'valid' 6->16, ReLU, max-pool 2;
dense 400-120-84-10; Glorot-uniform kernels, zero biases), pixels normalised with the
training images' mean and standard deviation (data.ts), Adam, one thread, all 60,000
training images, scored on the 10,000 test images.

  /usr/bin/python3 bench/peers/cnn_recipe_search.py FOLDER SCHEDULE LR EPOCHS BATCH SEED...

SCHEDULE: constant | cosine (LR to 0 over the run, per step). Prints one JSON line per
seed: the recipe, the seed, test top-1, wall and CPU seconds."""
import json
import math
import sys
import time

import numpy as np
import torch

from idx import read_idx

torch.set_num_threads(1)
folder, schedule, lr, epochs, batch = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
seeds = [int(s) for s in sys.argv[6:]]


def idx(name):
    return read_idx(folder, name)


train_pixels = idx("train-images-idx3-ubyte.gz").astype(np.float64) / 255
mean, std = train_pixels.mean(), train_pixels.std()
x = torch.from_numpy(((train_pixels - mean) / std).astype(np.float32).reshape(-1, 1, 28, 28))
y = torch.from_numpy(idx("train-labels-idx1-ubyte.gz").astype(np.int64))
tx = torch.from_numpy(((idx("t10k-images-idx3-ubyte.gz") / 255 - mean) / std).astype(np.float32).reshape(-1, 1, 28, 28))
ty = torch.from_numpy(idx("t10k-labels-idx1-ubyte.gz").astype(np.int64))


def lr_at(step, total):
    if schedule == "constant":
        return lr
    if schedule == "cosine":
        return lr * 0.5 * (1 + math.cos(math.pi * step / total))
    raise SystemExit(f"unknown schedule {schedule}")


for seed in seeds:
    torch.manual_seed(seed)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 6, 5, padding=2), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(6, 16, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(400, 120), torch.nn.ReLU(), torch.nn.Linear(120, 84), torch.nn.ReLU(), torch.nn.Linear(84, 10),
    )
    for m in model:
        if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)):
            torch.nn.init.xavier_uniform_(m.weight)
            torch.nn.init.zeros_(m.bias)
    # tfjs's Adam: epsilon 1e-7.
    opt = torch.optim.Adam(model.parameters(), lr=lr, eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()
    steps_per_epoch = math.ceil(len(x) / batch)
    total = steps_per_epoch * epochs
    start, cpu_start = time.perf_counter(), time.process_time()
    step = 0
    for _ in range(epochs):
        perm = torch.randperm(len(x))
        for b in range(0, len(x), batch):
            for group in opt.param_groups:
                group["lr"] = lr_at(step, total)
            i = perm[b:b + batch]
            opt.zero_grad()
            loss_fn(model(x[i]), y[i]).backward()
            opt.step()
            step += 1
    with torch.no_grad():
        top1 = float((model(tx).argmax(1) == ty).float().mean())
    print(json.dumps({"schedule": schedule, "lr": lr, "epochs": epochs, "batch": batch, "seed": seed, "top1": top1,
                      "seconds": round(time.perf_counter() - start, 1), "cpu_seconds": round(time.process_time() - cpu_start, 1)}), flush=True)
