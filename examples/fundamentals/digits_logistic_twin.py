"""PyTorch twin of digits_logistic.cpp: logistic regression (0 vs 1) and 10-class softmax
regression on scikit-learn's 8x8 digits with hand-written gradients, each checked against central
differences on every parameter, then full-batch gradient descent (lr 0.5, 500 steps, float64) on a
seeded 75/25 split; prints the same lines.

It reads the same file as the C++ program ($FLUXION_SKLEARN_DATA/digits.csv.gz, else
/usr/local/share/fluxion/sklearn-data/digits.csv.gz, which scripts/setup.sh fetches), so the data
match; the split and the initial weights come from torch.manual_seed(0), not from Fluxion's
(Philox) generator, so the test images differ and the accuracies agree to within a test image or
a few, not digit for digit. Run by hand (CI does not need PyTorch):

    python examples/fundamentals/digits_logistic_twin.py
    build/release/examples/fundamentals/digits_logistic
"""
import os

import numpy as np
import torch

DIR = os.environ.get("FLUXION_SKLEARN_DATA") or "/usr/local/share/fluxion/sklearn-data"
STEPS = 500


def logistic_loss(X, y, w, b, grad=False):
    z = X @ w + b
    loss = (torch.nn.functional.softplus(z) - y * z).mean().item()  # -[y log p + (1-y) log(1-p)]
    if not grad:
        return loss
    r = (torch.sigmoid(z) - y) / X.shape[0]
    return loss, X.T @ r, r.sum(0, keepdim=True)


def softmax_loss(X, labels, W, b, grad=False):
    logp = torch.log_softmax(X @ W + b, 1)
    Y = torch.nn.functional.one_hot(labels, W.shape[1]).to(X.dtype)
    loss = -(Y * logp).sum(1).mean().item()
    if not grad:
        return loss
    R = (logp.exp() - Y) / X.shape[0]
    return loss, X.T @ R, R.sum(0)


def check_gradient(param, grad, loss):
    worst = 0.0
    flat, g = param.view(-1), grad.reshape(-1)
    for k in range(flat.numel()):
        h, v = 1e-4, flat[k].item()
        flat[k] = v + h
        up = loss()
        flat[k] = v - h
        down = loss()
        flat[k] = v
        numeric, analytic = (up - down) / (2 * h), g[k].item()
        worst = max(worst, abs(numeric - analytic) / max(1e-8, abs(numeric) + abs(analytic)))
    return worst


def accuracy(predicted, labels):
    return (predicted == labels).to(torch.float64).mean().item()


torch.manual_seed(0)
table = np.loadtxt(f"{DIR}/digits.csv.gz", delimiter=",")  # 1797 x (64 pixels + digit)
X = torch.from_numpy(table[:, :64]) / 16.0
labels = torch.from_numpy(table[:, 64].astype(np.int64))
n = X.shape[0]
n_train = n * 3 // 4
order = torch.randperm(n)
Xtr, ytr = X[order[:n_train]], labels[order[:n_train]]
Xte, yte = X[order[n_train:]], labels[order[n_train:]]
print(f"digits: {n} images of {X.shape[1]} pixels, {n_train} for training, {n - n_train} for testing")


def zeros_and_ones(data, lab):
    keep = (lab <= 1).nonzero().view(-1)
    return data[keep], lab[keep].to(torch.float64)


Xb, yb = zeros_and_ones(Xtr, ytr)
Xbt, ybt = zeros_and_ones(Xte, yte)
w = 0.01 * torch.randn(64, dtype=torch.float64)
b = torch.zeros(1, dtype=torch.float64)
_, gw, gb = logistic_loss(Xb, yb, w, b, grad=True)
bin_check = max(check_gradient(w, gw, lambda: logistic_loss(Xb, yb, w, b)),
                check_gradient(b, gb, lambda: logistic_loss(Xb, yb, w, b)))
print(f"logistic regression (0 vs 1, {Xb.shape[0]} training images): gradient check, largest relative error "
      f"{bin_check:.1e}")
for _ in range(STEPS):
    _, gw, gb = logistic_loss(Xb, yb, w, b, grad=True)
    w = w - 0.5 * gw
    b = b - 0.5 * gb
bin_acc = accuracy(((Xbt @ w + b) > 0).to(torch.float64), ybt)
print(f"logistic regression: train loss {logistic_loss(Xb, yb, w, b):.4f}, test loss {logistic_loss(Xbt, ybt, w, b):.4f}, "
      f"test accuracy {bin_acc:.4f} ({Xbt.shape[0]} test images)")

W = 0.01 * torch.randn(64, 10, dtype=torch.float64)
bias = torch.zeros(10, dtype=torch.float64)
_, gW, gbias = softmax_loss(Xtr, ytr, W, bias, grad=True)
soft_check = max(check_gradient(W, gW, lambda: softmax_loss(Xtr, ytr, W, bias)),
                 check_gradient(bias, gbias, lambda: softmax_loss(Xtr, ytr, W, bias)))
print(f"softmax regression (10 classes): gradient check, largest relative error {soft_check:.1e}")
for _ in range(STEPS):
    _, gW, gbias = softmax_loss(Xtr, ytr, W, bias, grad=True)
    W = W - 0.5 * gW
    bias = bias - 0.5 * gbias
soft_acc = accuracy((Xte @ W + bias).argmax(1), yte)
print(f"softmax regression: train loss {softmax_loss(Xtr, ytr, W, bias):.4f}, "
      f"test loss {softmax_loss(Xte, yte, W, bias):.4f}, test accuracy {soft_acc:.4f}")
print(f"gradient checks {bin_check:.1e} and {soft_check:.1e}; test accuracy 0 vs 1 {bin_acc:.4f}, 10 classes {soft_acc:.4f}")
