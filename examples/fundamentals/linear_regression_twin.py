"""PyTorch twin of linear_regression.cpp: the same computation (200 samples, 3 features + a bias
column, true theta = (2, -1, 0.5, 3), noise 0.1; pinv, thin SVD, 1000 steps of gradient descent
with lr 0.1 and the hand-written gradient 2/n X^T (X theta - y)) printing the same lines.

The random data cannot match Fluxion's (Philox) generator, so this script draws its own with
torch.manual_seed(0): the estimates differ from the C++ program's in the third decimal (the noise),
while the agreement between the three methods and the distance to the true theta are comparable.
Run by hand (CI does not need PyTorch):

    python examples/fundamentals/linear_regression_twin.py
    build/release/examples/fundamentals/linear_regression
"""
import torch

torch.manual_seed(0)
n, d = 200, 3
f64 = torch.float64
theta_true = torch.tensor([2.0, -1.0, 0.5, 3.0], dtype=f64)  # three weights, then the bias
X = torch.cat([torch.randn(n, d, dtype=f64), torch.ones(n, 1, dtype=f64)], 1)
y = X @ theta_true + 0.1 * torch.randn(n, dtype=f64)

# 1. theta = X^+ y.
theta_pinv = torch.linalg.pinv(X) @ y

# 2. The same from X = U S V^T: theta = V S^-1 U^T y.
U, S, Vh = torch.linalg.svd(X, full_matrices=False)
theta_svd = Vh.mT @ ((U.mT @ y) / S)

# 3. Gradient descent on the mean squared error with the hand-written gradient.
theta = torch.zeros(d + 1, dtype=f64)
for step in range(1000):
    grad = (2.0 / n) * (X.mT @ (X @ theta - y))
    theta = theta - 0.1 * grad


def show(name, t):
    print(f"{name:<22}" + "".join(f" {v:9.5f}" for v in t.tolist()))


show("true theta", theta_true)
show("pinv", theta_pinv)
show("svd", theta_svd)
show("gradient descent", theta)
print(f"pinv vs svd: max difference {(theta_pinv - theta_svd).abs().max().item():.2e}")
print(f"gradient descent vs closed form: max difference {(theta - theta_pinv).abs().max().item():.2e}")
print(f"closed form vs true theta: max difference {(theta_pinv - theta_true).abs().max().item():.3f} (the noise)")
