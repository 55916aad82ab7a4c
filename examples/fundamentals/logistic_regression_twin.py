"""PyTorch twin of logistic_regression.cpp: logistic regression (T-shirt/top vs shirt) and 10-class
softmax regression on Fashion-MNIST with hand-written gradients, each checked against central
differences on 200 training images, then 5 epochs of mini-batch gradient descent (batch 100,
lr 0.1, float64); prints the same lines.

It reads the same files as the C++ program (Debian's dataset-fashion-mnist,
/usr/share/datasets/fashion-mnist/*.gz, with gzip + numpy), so the data match; the initial
weights, the checked coordinates and the batch order come from torch.manual_seed(0), not from
Fluxion's (Philox) generator, so the losses and accuracies agree to about the third decimal, not
digit for digit. Run by hand (CI does not need PyTorch):

    python examples/fundamentals/logistic_regression_twin.py
    build/release/examples/fundamentals/logistic_regression
"""
import gzip
import sys

import numpy as np
import torch

DIR = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"


def idx(name, offset):
    with gzip.open(f"{DIR}/{name}.gz", "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def read(prefix):
    images = idx(f"{prefix}-images-idx3-ubyte", 16).reshape(-1, 784)
    labels = idx(f"{prefix}-labels-idx1-ubyte", 8)
    return torch.from_numpy(images.astype(np.float64) / 255.0), torch.from_numpy(labels.astype(np.int64))


def logistic_loss(X, y, w, b, grad=False):
    p = torch.sigmoid(X @ w + b)
    eps = 1e-12
    loss = -(y * (p + eps).log() + (1.0 - y) * (1.0 - p + eps).log()).mean().item()
    if not grad:
        return loss
    r = (p - y) / X.shape[0]
    return loss, X.T @ r, r.sum().item()


def softmax_loss(X, labels, W, b, grad=False):
    logp = torch.log_softmax(X @ W + b, 1)
    Y = torch.nn.functional.one_hot(labels, W.shape[1]).to(X.dtype)
    loss = -(Y * logp).sum(1).mean().item()
    if not grad:
        return loss
    R = (logp.exp() - Y) / X.shape[0]
    return loss, X.T @ R, R.sum(0)


def check_gradient(param, grad, loss, n):
    worst = 0.0
    flat = param.view(-1)
    for k in torch.randint(0, flat.numel(), (n,)).tolist():
        h, v = 1e-6, flat[k].item()
        flat[k] = v + h
        up = loss()
        flat[k] = v - h
        down = loss()
        flat[k] = v
        numeric, analytic = (up - down) / (2 * h), grad.view(-1)[k].item()
        worst = max(worst, abs(numeric - analytic) / max(1e-8, abs(numeric) + abs(analytic)))
    return worst


torch.manual_seed(0)
X, labels = read("train")
Xt, test_labels = read("t10k")

# ---- binary logistic regression: class 0 vs class 6 ----
def pick(data, lab):
    keep = ((lab == 0) | (lab == 6)).nonzero().view(-1)
    return data[keep], (lab[keep] == 6).to(torch.float64)


Xb, yb = pick(X, labels)
Xbt, ybt = pick(Xt, test_labels)
w = 0.01 * torch.randn(784, dtype=torch.float64)
b = 0.0
Xs, ys = Xb[:200], yb[:200]
_, gw, gb = logistic_loss(Xs, ys, w, b, grad=True)
err = check_gradient(w, gw, lambda: logistic_loss(Xs, ys, w, b), 20)
print(f"logistic regression: gradient check, largest relative error {err:.1e}")
for epoch in range(5):
    order = torch.randperm(Xb.shape[0])
    for s in range(0, Xb.shape[0] - 99, 100):
        i = order[s:s + 100]
        _, gw, gb = logistic_loss(Xb[i], yb[i], w, b, grad=True)
        w = w - 0.1 * gw
        b -= 0.1 * gb
bin_acc = (((Xbt @ w + b) > 0).to(torch.float64) == ybt).to(torch.float64).mean().item()
print(f"logistic regression (T-shirt/top vs shirt): test loss {logistic_loss(Xbt, ybt, w, b):.4f}, "
      f"test accuracy {bin_acc:.4f}")

# ---- softmax regression: all 10 classes ----
W = 0.01 * torch.randn(784, 10, dtype=torch.float64)
bias = torch.zeros(10, dtype=torch.float64)
Xs, ls = X[:200], labels[:200]
_, gW, gb = softmax_loss(Xs, ls, W, bias, grad=True)
err = check_gradient(W, gW, lambda: softmax_loss(Xs, ls, W, bias), 20)
print(f"softmax regression: gradient check, largest relative error {err:.1e}")
for epoch in range(5):
    order = torch.randperm(X.shape[0])
    for s in range(0, X.shape[0] - 99, 100):
        i = order[s:s + 100]
        _, gW, gb = softmax_loss(X[i], labels[i], W, bias, grad=True)
        W = W - 0.1 * gW
        bias = bias - 0.1 * gb
predicted = (Xt @ W + bias).argmax(1)
acc = (predicted == test_labels).to(torch.float64).mean().item()
print(f"softmax regression: test loss {softmax_loss(Xt, test_labels, W, bias):.4f}, test accuracy {acc:.4f}")
