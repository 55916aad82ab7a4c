"""PyTorch twin of optimisers.cpp: the same functions, starts, optimisers and settings; prints the
same lines, so the two outputs can be compared side by side (run by hand; CI does not need PyTorch):

    python examples/fundamentals/optimisers_twin.py > torch.txt
    build/release/examples/fundamentals/optimisers --out /tmp | diff - torch.txt
"""
import math

import torch

FUNCTIONS = [
    ("bowl", lambda x, y: x * x + 10.0 * y * y, (-4.0, 2.0), 1.0),
    ("himmelblau", lambda x, y: (x * x + y - 11.0) ** 2 + (x + y * y - 7.0) ** 2, (0.0, -4.0), 1.0),
    ("rastrigin",
     lambda x, y: 20.0 + x * x - 10.0 * torch.cos(2 * math.pi * x) + y * y - 10.0 * torch.cos(2 * math.pi * y),
     (2.3, -1.7), 0.1),
]

OPTIMISERS = [
    ("SGD", lambda p, k: torch.optim.SGD([p], lr=0.02 * k)),
    ("momentum", lambda p, k: torch.optim.SGD([p], lr=0.01 * k, momentum=0.9)),
    ("Nesterov", lambda p, k: torch.optim.SGD([p], lr=0.01 * k, momentum=0.9, nesterov=True)),
    ("Adagrad", lambda p, k: torch.optim.Adagrad([p], lr=0.5)),
    ("RMSprop", lambda p, k: torch.optim.RMSprop([p], lr=0.05)),
    ("Adam", lambda p, k: torch.optim.Adam([p], lr=0.1)),
    ("AdamW", lambda p, k: torch.optim.AdamW([p], lr=0.1)),
    ("LBFGS", lambda p, k: torch.optim.LBFGS([p], lr=1.0, max_iter=5, line_search_fn="strong_wolfe")),
]

for name, f, (x0, y0), scale in FUNCTIONS:
    for oname, make in OPTIMISERS:
        p = torch.tensor([x0, y0], dtype=torch.float64, requires_grad=True)
        opt = make(p, scale)

        def closure():
            opt.zero_grad()
            v = f(p[0], p[1])
            v.backward()
            return v

        for _ in range(100):
            opt.step(closure)
        x, y = p.detach().tolist()
        value = f(torch.tensor(x, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)).item()
        print(f"{name:<10} {oname:<9} ends at ({x:8.4f}, {y:8.4f})  f = {value:.3e}")
    print(f"wrote /tmp/optimisers_{name}.svg")
