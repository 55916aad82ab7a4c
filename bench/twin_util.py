"""Timing shared by the PyTorch twins that print `<key> <median seconds>` lines (conv_twin.py,
train_step_twin.py); the C++ side is bench/twin_bench_util.h."""
import statistics
import time


def median_ms(fn, reps=9, min_time=0.25, cpu_time=False):
    """Median milliseconds per call of fn over `reps` samples, each at least min_time / 5 long.
    cpu_time: process CPU time instead of the wall clock (see twin_bench_util.h)."""
    clock = time.process_time if cpu_time else time.perf_counter
    for _ in range(3):
        fn()
    n = 1
    while True:
        t0 = clock()
        for _ in range(n):
            fn()
        if clock() - t0 > min_time / 5:
            break
        n *= 2
    samples = []
    for _ in range(reps):
        t0 = clock()
        for _ in range(n):
            fn()
        samples.append((clock() - t0) / n * 1e3)
    return statistics.median(samples)
