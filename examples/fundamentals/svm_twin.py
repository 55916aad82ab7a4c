"""PyTorch twin of svm.cpp: a linear soft-margin SVM (hinge loss max(0, 1 - y (w.x + b)), weight
decay 0.01 on w only, SGD lr 0.1, batch 32, 20 epochs) on two Gaussian blobs of 200 points each
around (+2, +1) and (-2, -1), split 300 / 100 into training and test points.

The random data cannot match Fluxion's (Philox) generator, so this script draws its own blobs,
split and batch order with torch.manual_seed(0): the loss, w, b and accuracy are the same
computation on different samples, so they agree with the C++ program's to about the sampling
noise, not digit for digit. No SVG is written. Run by hand (CI does not need PyTorch):

    python examples/fundamentals/svm_twin.py
    build/release/examples/fundamentals/svm --out /tmp
"""
import math

import torch
from torch.utils.data import DataLoader, TensorDataset, random_split

torch.manual_seed(0)
n = 200
centre = torch.tensor([2.0, 1.0])
pos, neg = torch.randn(n, 2) + centre, torch.randn(n, 2) - centre
labels = torch.cat([torch.ones(n), -torch.ones(n)])
full = TensorDataset(torch.cat([pos, neg]), labels)
train_set, test_set = random_split(full, [300, 100], generator=torch.Generator().manual_seed(0))
train = DataLoader(train_set, batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(0))

w = torch.zeros(2, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
# Weight decay on w only: the bias is not part of the margin 2 / |w|.
opt = torch.optim.SGD([{"params": [w], "weight_decay": 0.01}, {"params": [b]}], lr=0.1)
for epoch in range(1, 21):
    total, seen = 0.0, 0
    for data, target in train:
        opt.zero_grad()
        score = data @ w + b
        loss = (1.0 - target * score).clamp_min(0.0).mean()
        loss.backward()
        opt.step()
        total += loss.item() * data.shape[0]
        seen += data.shape[0]
    if epoch % 5 == 0:
        print(f"epoch {epoch:2d}  hinge loss {total / seen:.4f}")

correct = count = 0
with torch.no_grad():
    for data, target in DataLoader(test_set, batch_size=100):
        predicted = (data @ w + b).sign()
        correct += (predicted == target).sum().item()
        count += data.shape[0]
w0, w1, bias = w[0].item(), w[1].item(), b.item()
print(f"w = ({w0:.3f}, {w1:.3f})  b = {bias:.3f}  margin width 2/|w| = {2.0 / math.sqrt(w0 * w0 + w1 * w1):.3f}")
print(f"test accuracy {correct / count:.2f} ({correct} of {count})")
