"""PyTorch twin of iris_factorisation.cpp: the standardised Iris table (150 x 4) factorised at
rank 2 by full-batch Adam with autograd, against PCA (torch.linalg.eigh of the covariance,
torch.linalg.svd, Eckart-Young), then completion with 20% of the entries hidden; prints the same
lines.

It reads the same file as the C++ program ($FLUXION_SKLEARN_DATA/iris.csv, else
/usr/local/share/fluxion/sklearn-data/iris.csv, which scripts/setup.sh fetches), so the PCA lines
agree digit for digit; the initial factors and the hidden entries come from torch.manual_seed(0),
not from Fluxion's (Philox) generator, so gradient descent stops at another distance from the
optimum (both ~1e-9 relative or closer) and another 20% of the entries is hidden (the held-out
RMSEs differ by a few hundredths).
Run by hand (CI does not need PyTorch):

    python examples/fundamentals/iris_factorisation_twin.py
    build/release/examples/fundamentals/iris_factorisation
"""
import os

import numpy as np
import torch

DIR = os.environ.get("FLUXION_SKLEARN_DATA") or "/usr/local/share/fluxion/sklearn-data"


def factorise(Z, mask, k, lam, steps):
    U = (0.1 * torch.randn(Z.shape[0], k, dtype=Z.dtype)).requires_grad_(True)
    V = (0.1 * torch.randn(Z.shape[1], k, dtype=Z.dtype)).requires_grad_(True)
    opt = torch.optim.Adam([U, V], lr=0.02)
    for _ in range(steps):
        opt.zero_grad()
        loss = ((Z - U @ V.T) * mask).square().sum()
        (loss + lam * (U.square().sum() + V.square().sum())).backward()
        opt.step()
    with torch.no_grad():
        return U @ V.T


torch.manual_seed(0)
X = torch.from_numpy(np.loadtxt(f"{DIR}/iris.csv", delimiter=",", skiprows=1)[:, :4])  # float64 (150, 4)
X = X.float().double()  # Fluxion's CSV reader returns float32: round the same way
centred = X - X.mean(0)
Z = centred / centred.square().mean(0).sqrt()
n, k = Z.shape[0], 2

lam, W = torch.linalg.eigh(Z.T @ Z / (n - 1))
Us, S, Vh = torch.linalg.svd(Z, full_matrices=False)
print("covariance eigenvalues (descending):" + "".join(f" {lam[i]:.4f}" for i in range(3, -1, -1)))
print("sigma^2/(n-1) from the SVD:         " + "".join(f" {S[i] * S[i] / (n - 1):.4f}" for i in range(4)))
total = lam.sum().item()
print(f"explained variance: PC1 {lam[3] / total:.4f}, PC2 {lam[2] / total:.4f}, together {(lam[3] + lam[2]) / total:.4f}")

W2 = W[:, 2:4]
err_pca = torch.linalg.norm(Z - Z @ W2 @ W2.T).item()
optimum = S[k:].square().sum().sqrt().item()
err_gd = torch.linalg.norm(Z - factorise(Z, torch.ones_like(Z), k, 0.0, 3000)).item()
print(f"rank-2 reconstruction error |Z - U V^T| (|Z| = {torch.linalg.norm(Z).item():.4f}):")
print(f"  PCA (top-2 eigenvectors)   {err_pca:.6f}")
print(f"  Eckart-Young optimum       {optimum:.6f} = sqrt(sigma_3^2 + sigma_4^2)")
print(f"  gradient descent (Adam)    {err_gd:.6f}")
print(f"gradient descent - optimum: {err_gd - optimum:.2e} (relative {(err_gd - optimum) / optimum:.1e})")

mask = (torch.rand(n, 4, dtype=torch.float64) < 0.8).double()
hidden = 1.0 - mask
count = hidden.sum().item()


def held_out_rmse(completed):
    return (((Z - completed) * hidden).square().sum() / count).sqrt().item()


rmse_plain = held_out_rmse(factorise(Z, mask, k, 0.0, 3000))
rmse_penalty = held_out_rmse(factorise(Z, mask, k, 1.0, 3000))
print(f"completion from 80% of the entries ({count:.0f} hidden), held-out RMSE:")
print(f"  rank 2, no penalty           {rmse_plain:.4f} (a row with two visible entries is fitted exactly: over-fitting)")
print(f"  rank 2, lambda = 1           {rmse_penalty:.4f}")
print(f"  column mean (0)              {held_out_rmse(torch.zeros_like(Z)):.4f}")
