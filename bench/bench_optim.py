"""Step time of dlcourse.optim against torch.optim on ~4M float32 parameters.

    python bench/bench_optim.py [--repeats N] [--device cpu|cuda] [--threads T]

For Adam and for SGD with momentum it times one ``step()`` of torch's single-tensor
implementation (foreach=False), of torch's multi-tensor one (foreach=True), and of ours,
on the same parameters and gradients, and prints the best time of N and the ratios to
torch's single-tensor step (ours is written with plain arithmetic operators, so that is
the implementation it is comparable to; the goal is a ratio below 1.2).
"""

from __future__ import annotations

import argparse
import time

import torch

import dlcourse.optim as ours

SHAPES = [(1024, 2048), (1024, 1024), (1024, 512), (512, 512), (1024,), (10, 1024)]


def best_times(steps: dict, repeats: int, device: torch.device) -> dict[str, float]:
    """Best wall time of one call of each step; the steps take turns, so that a busy
    moment of the machine slows all of them alike."""

    def sync() -> None:
        if device.type == "cuda":
            torch.cuda.synchronize()

    for step in steps.values():  # warm up: allocate the state, fill caches
        for _ in range(3):
            step()
    sync()
    best = {name: float("inf") for name in steps}
    for _ in range(repeats):
        for name, step in steps.items():
            start = time.perf_counter()
            step()
            sync()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def make_step(factory, device: torch.device):
    gen = torch.Generator().manual_seed(0)
    params = [torch.nn.Parameter(torch.randn(s, generator=gen).to(device)) for s in SHAPES]
    for p in params:
        p.grad = torch.randn(p.shape, generator=gen).to(device)
    return factory(params).step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: default)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    n = sum(torch.Size(s).numel() for s in SHAPES)
    print(f"{n / 1e6:.2f}M float32 parameters in {len(SHAPES)} tensors on {device}, "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads, best of {args.repeats}")

    contenders = {
        "Adam": dict(lr=1e-3),
        "SGD": dict(lr=1e-3, momentum=0.9),
    }
    print(f"{'optimizer':<22}{'torch single':>14}{'torch foreach':>15}{'ours':>10}"
          f"{'ours/single':>13}{'ours/foreach':>14}")
    for name, hyper in contenders.items():
        t = best_times({
            "single": make_step(
                lambda p: getattr(torch.optim, name)(p, foreach=False, **hyper), device),
            "foreach": make_step(
                lambda p: getattr(torch.optim, name)(p, foreach=True, **hyper), device),
            "ours": make_step(lambda p: getattr(ours, name)(p, **hyper), device),
        }, args.repeats, device)
        label = name + ("(momentum=0.9)" if name == "SGD" else "")
        print(f"{label:<22}{t['single'] * 1e3:>11.2f} ms{t['foreach'] * 1e3:>12.2f} ms"
              f"{t['ours'] * 1e3:>7.2f} ms{t['ours'] / t['single']:>13.2f}"
              f"{t['ours'] / t['foreach']:>14.2f}")


if __name__ == "__main__":
    main()
