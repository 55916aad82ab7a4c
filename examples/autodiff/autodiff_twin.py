"""PyTorch twin of forward_by_hand.cpp and reverse_by_hand.cpp (topic 3): z = x*y + sin(x) at
(x, y) = (0.5, 4.2) and its partial derivatives by torch.func.jvp, backward(), torch.func.grad and
torch.func.vjp; the derivative of the same looping function at 1.3; the vector-Jacobian product
[2, 40, 600]; the in-place and alias errors; the reparameterisation trick z = mu + sigma * eps.

Everything is deterministic and matches the C++ programs digit for digit except eps in the
reparameterisation trick, drawn here with torch.manual_seed(0) rather than Fluxion's (Philox)
generator: the identities dz/dmu = 1 and dz/dsigma = eps hold for both. Run by hand (CI does not
need PyTorch):

    python examples/autodiff/autodiff_twin.py
    build/release/examples/autodiff/forward_by_hand; build/release/examples/autodiff/reverse_by_hand
"""
import math

import torch
from torch.func import grad, jvp, vjp

f64 = torch.float64


def z_of(x, y):
    return x * y + torch.sin(x)


def loop_fn(x):
    acc = x
    for _ in range(3):
        acc = acc * x + torch.exp(acc * 0.25) - torch.log(x * x)
    return acc


x, y = torch.tensor([0.5], dtype=f64), torch.tensor([4.2], dtype=f64)

# Forward mode: one jvp per input direction.
out, tx = jvp(z_of, (x, y), (torch.ones_like(x), torch.zeros_like(y)))
_, ty = jvp(z_of, (x, y), (torch.zeros_like(x), torch.ones_like(y)))
print(f"closed form : dz/dx = 4.2 + cos(0.5) = {4.2 + math.cos(0.5):.15f}")
print(f"torch jvp   : z = {out.item():.15f}  dz/dx = {tx.item():.15f}  dz/dy = {ty.item():.15f}")
_, lt = jvp(loop_fn, (torch.tensor([1.3], dtype=f64),), (torch.ones(1, dtype=f64),))
print(f"loop        : torch {lt.item():.12f}")

# Reverse mode: backward(), func.grad and func.vjp.
tx_ = x.clone().requires_grad_(True)
ty_ = y.clone().requires_grad_(True)
tz = z_of(tx_, ty_)
tz.backward()
print(f"backward  : z = {tz.item():.15f}  dz/dx = {tx_.grad.item():.15f}  dz/dy = {ty_.grad.item():.15f}")
dzdx = grad(lambda v: (v * 4.2 + v.sin()).sum())
print(f"func.grad : dz/dx = {dzdx(x).item():.15f}")
_, pullback = vjp(z_of, x, y)
gx, gy = pullback(torch.ones(1, dtype=f64))
print(f"func.vjp  : dz/dx = {gx.item():.15f}  dz/dy = {gy.item():.15f}")

# A vector-Jacobian product: y = x^2 elementwise, v = (1, 10, 100) gives 2 x v.
vx = torch.tensor([1.0, 2.0, 3.0], dtype=f64, requires_grad=True)
(vx * vx).backward(torch.tensor([1.0, 10.0, 100.0], dtype=f64))
print(f"vjp       : {vx.grad}")

# Modifying a tensor that backward needs is caught with a clear error, directly and via a view.
a = torch.tensor([1.0, 2.0], dtype=f64, requires_grad=True)
b = a * 2
c = b * b
b.add_(1.0)
try:
    c.sum().backward()
except RuntimeError as e:
    print(f"in-place error: {str(e)[:60]}...")
b2 = a * 3
d2 = b2 * b2
v = b2.narrow(0, 0, 1)
v.mul_(2.0)
try:
    d2.sum().backward()
except RuntimeError as e:
    print(f"alias error: {str(e)[:60]}...")

# The reparameterisation trick: eps drawn outside the graph, dz/dmu = 1 and dz/dsigma = eps.
torch.manual_seed(0)
mu = torch.tensor([0.5], dtype=f64, requires_grad=True)
sigma = torch.tensor([2.0], dtype=f64, requires_grad=True)
eps = torch.randn(1, dtype=f64)
sample = mu + sigma * eps
sample.backward()
print(f"reparameterisation: eps = {eps.item():.6f}  dz/dmu = {mu.grad.item():.1f}  dz/dsigma = {sigma.grad.item():.6f}")
