"""PyTorch twin of bench/cuda_bench.cpp on the same GPU: matmul f32 (TF32 off/on), f64, f16 and
bf16 at n = 4096; add on 256M floats against a device-to-device copy; one training step of
LeNet-5 (batch 128, Adam) and ResNet-18 (CIFAR variant, batch 128, SGD momentum 0.9). Timed with
CUDA events, median of runs. Prints the same RESULT lines as cuda_bench (with source=torch) so
scripts/gpu-check.sh can put the two side by side.

Usage: python3 bench/cuda_twin.py [--n 4096] [--numel 268435456] [--reps 10]"""
import argparse
import statistics

import torch
import torch.nn as nn


def median_ms(fn, reps):
    fn()
    torch.cuda.synchronize()
    ms = []
    for _ in range(reps):
        start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        stop.record()
        stop.synchronize()
        ms.append(start.elapsed_time(stop))
    return statistics.median(ms)


def lenet5():
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                         nn.Linear(84, 10))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.bn2(self.conv2(self.bn1(self.conv1(x)).relu()))
        return (y + (self.downsample(x) if self.downsample is not None else x)).relu()


def resnet18(classes=10):  # the CIFAR variant of src/models/resnet.cpp
    layers = [nn.Conv2d(3, 64, 3, 1, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU()]
    cin = 64
    for stage in range(4):
        cout = 64 << stage
        layers += [BasicBlock(cin, cout, 1 if stage == 0 else 2), BasicBlock(cout, cout, 1)]
        cin = cout
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, classes)]
    return nn.Sequential(*layers)


def train_step_ms(model, opt, x, y, reps):
    def step():
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()

    return median_ms(step, reps)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=4096)
    ap.add_argument("--numel", type=int, default=1 << 28)
    ap.add_argument("--reps", type=int, default=10)
    a = ap.parse_args()
    if not torch.cuda.is_available():
        print("cuda_twin: no CUDA device visible to PyTorch")
        return
    dev = torch.device("cuda")
    print(f"torch {torch.__version__} on {torch.cuda.get_device_name(0)}")
    names = {torch.float32: "f32", torch.float64: "f64", torch.float16: "f16", torch.bfloat16: "bf16"}
    for dt, name in names.items():
        for tf32 in (False, True):
            if tf32 and dt != torch.float32:
                continue
            torch.backends.cuda.matmul.allow_tf32 = tf32
            x = torch.randn(a.n, a.n, device=dev).to(dt)
            y = torch.randn(a.n, a.n, device=dev).to(dt)
            ms = median_ms(lambda: torch.mm(x, y), a.reps)
            print(f"RESULT cuda_matmul source=torch dtype={name} n={a.n} tf32={int(tf32)} "
                  f"tflops={2 * a.n ** 3 / (ms * 1e-3) / 1e12:.2f}")
    torch.backends.cuda.matmul.allow_tf32 = False
    x = torch.ones(a.numel, device=dev)
    y = torch.ones(a.numel, device=dev)
    out = torch.empty(a.numel, device=dev)
    add_ms = median_ms(lambda: torch.add(x, y, out=out), a.reps)
    copy_ms = median_ms(lambda: out.copy_(x), a.reps)
    nbytes = a.numel * 4
    add_gbps, copy_gbps = 3 * nbytes / (add_ms * 1e-3) / 1e9, 2 * nbytes / (copy_ms * 1e-3) / 1e9
    print(f"RESULT cuda_add source=torch n={a.numel} add_gbps={add_gbps:.1f} copy_gbps={copy_gbps:.1f} "
          f"ratio={add_gbps / copy_gbps:.3f}")
    batch = 128
    torch.manual_seed(0)
    m = lenet5().to(dev)
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)
    ms = train_step_ms(m, opt, torch.randn(batch, 1, 28, 28, device=dev), torch.randint(0, 10, (batch,), device=dev),
                       4 * a.reps)
    print(f"RESULT cuda_train source=torch model=lenet5 batch={batch} ms={ms:.4f}")
    m = resnet18().to(dev)
    opt = torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
    ms = train_step_ms(m, opt, torch.randn(batch, 3, 32, 32, device=dev), torch.randint(0, 10, (batch,), device=dev),
                       a.reps)
    print(f"RESULT cuda_train source=torch model=resnet18 batch={batch} ms={ms:.4f}")


if __name__ == "__main__":
    main()
