"""PyTorch twin of `fluxion train` (bench/train_epoch.sh): trains the same model on Fashion-MNIST
from Debian's dataset-fashion-mnist files with the same batch size, optimiser, learning rate and
thread count, and prints per-epoch wall time and the final test accuracy.

    python bench/train_epoch_twin.py --model lenet5 --epochs 1 --threads 2 [--optimizer adam]

Output lines: `epoch <i> <seconds> train_loss <l> test_acc <a>`, then
`<model>_epoch_t<threads> <median epoch seconds>` (the twin convention of bench/README.md).
An epoch's time covers what `fluxion train` times as one: the training loop with the running
loss and accuracy, then the evaluation of the test set. Data loading mirrors Fluxion's: the whole
set decoded once into a float tensor, then shuffled mini-batches sliced from it each epoch (a
DataLoader over a TensorDataset, 0 workers)."""
import argparse
import gzip
import os
import statistics
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA = os.environ.get("FLUXION_DATA_DIR", "/usr/share/datasets/fashion-mnist")


def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load(split):
    prefix = "train" if split == "train" else "t10k"
    x = read_idx(f"{DATA}/{prefix}-images-idx3-ubyte.gz").astype(np.float32) / 255.0
    y = read_idx(f"{DATA}/{prefix}-labels-idx1-ubyte.gz").astype(np.int64)
    return torch.from_numpy(x).unsqueeze(1), torch.from_numpy(y)


def make_model(name):
    if name == "softmax":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    if name == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(),
                             nn.Linear(256, 10))
    if name == "mlp_1024":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(),
                             nn.Linear(1024, 10))
    if name == "lenet5":
        return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
                             nn.MaxPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84),
                             nn.ReLU(), nn.Linear(84, 10))
    raise SystemExit(f"unknown model {name}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="lenet5")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--optimizer", default="adam")
    ap.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_THREADS", "2")))
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    xtr, ytr = load("train")
    xte, yte = load("test")
    model = make_model(args.model)
    if args.optimizer == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    elif args.optimizer == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    else:
        opt = torch.optim.AdamW(model.parameters(), lr=args.lr)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(xtr, ytr), batch_size=args.batch_size,
                                         shuffle=True, num_workers=0)
    test_loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(xte, yte), batch_size=1000)
    times = []
    for epoch in range(args.epochs):
        model.train()
        t0 = time.perf_counter()
        total, correct, n = 0.0, 0, 0
        for x, y in loader:
            opt.zero_grad()
            out = model(x)
            loss = F.cross_entropy(out, y)
            loss.backward()
            opt.step()
            total += loss.item() * x.shape[0]
            correct += (out.argmax(1) == y).sum().item()
            n += x.shape[0]
        model.eval()
        hits = 0
        with torch.no_grad():
            for x, y in test_loader:
                hits += (model(x).argmax(1) == y).sum().item()
        times.append(time.perf_counter() - t0)
        print(f"epoch {epoch + 1} {times[-1]:.3f} train_loss {total / n:.4f} train_acc {correct / n:.4f} "
              f"test_acc {hits / len(yte):.4f}", flush=True)
    print(f"{args.model}_epoch_t{args.threads} {statistics.median(times):.6g}")


if __name__ == "__main__":
    main()
