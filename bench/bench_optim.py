"""Step time of dlcourse.optim against torch.optim, every optimizer, float32 and float64.

    python bench/bench_optim.py [--sizes 1k,100k,1M,10M] [--dtypes float32,float64]
                                [--repeats N] [--only NAME,...] [--device cpu|cuda]
                                [--threads T] [--no-foreach]

For each optimizer and flag combination, each dtype and each model size, it times one
``step()`` of torch's single-tensor implementation (``foreach=False``), of torch's
multi-tensor one (``foreach=True``, for reference) and of ours, on the same parameters and
gradients, in one process. The three take turns (one step each, over and over), so that
a busy moment of a shared machine slows all of them alike; this is repeated in three trials
on fresh tensors, in a rotated order. After a warm-up it prints the
median step times and the ratios ours/single (the goal: at most 1.2 everywhere) and
ours/foreach, each the median over the rounds of the ratio of two steps run side by side.

The sizes are models of 1k to 10.5M parameters in five tensors, like an MLP's layers:
10M is 2048×4096 + 1024×2048 + 2048 + 1024 + 10×1024 = 10,499,072 parameters.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Callable

import torch

import dlcourse.optim as ours

SIZES: dict[str, list[tuple[int, ...]]] = {
    "1k": [(16, 32), (32,), (16, 16), (16,), (10, 16)],  # 1,018
    "100k": [(256, 256), (256,), (128, 256), (128,), (10, 128)],  # 99,968
    "1M": [(1024, 512), (512,), (512, 768), (512,), (10, 512)],  # 923,648
    "10M": [(2048, 4096), (2048,), (1024, 2048), (1024,), (10, 1024)],  # 10,499,072
}

# (label, class name, hyper-parameters): every flag that changes the arithmetic
CONTENDERS: list[tuple[str, str, dict]] = [
    ("SGD", "SGD", dict(lr=1e-3)),
    ("SGD momentum", "SGD", dict(lr=1e-3, momentum=0.9)),
    ("SGD nesterov+wd", "SGD", dict(lr=1e-3, momentum=0.9, nesterov=True, weight_decay=1e-2)),
    ("SGD dampening", "SGD", dict(lr=1e-3, momentum=0.9, dampening=0.5)),
    ("Adagrad", "Adagrad", dict(lr=1e-2)),
    ("Adagrad decay+wd", "Adagrad", dict(lr=1e-2, lr_decay=1e-3, weight_decay=1e-2)),
    ("RMSprop", "RMSprop", dict(lr=1e-3)),
    ("RMSprop mom", "RMSprop", dict(lr=1e-3, momentum=0.9)),
    ("RMSprop centered+mom+wd", "RMSprop",
     dict(lr=1e-3, centered=True, momentum=0.5, weight_decay=1e-2, alpha=0.9)),
    ("Adadelta", "Adadelta", dict()),
    ("Adadelta wd", "Adadelta", dict(weight_decay=1e-2)),
    ("Adam", "Adam", dict(lr=1e-3)),
    ("Adam amsgrad", "Adam", dict(lr=1e-3, amsgrad=True)),
    ("Adam wd", "Adam", dict(lr=1e-3, weight_decay=1e-2)),
    ("AdamW", "AdamW", dict(lr=1e-3)),
    ("AdamW amsgrad", "AdamW", dict(lr=1e-3, amsgrad=True)),
    ("Adamax", "Adamax", dict()),
    ("NAdam", "NAdam", dict()),
    ("NAdam decoupled wd", "NAdam", dict(weight_decay=1e-2, decoupled_weight_decay=True)),
]


TRIALS = 3


def make_step(factory: Callable, shapes, dtype, device) -> Callable[[], None]:
    gen = torch.Generator().manual_seed(0)
    params = [torch.nn.Parameter(torch.randn(s, generator=gen, dtype=dtype).to(device))
              for s in shapes]
    for p in params:
        p.grad = torch.randn(p.shape, generator=gen, dtype=dtype).to(device)
    return factory(params).step


def step_times(steps: dict[str, Callable], repeats: int, warmup: int,
               device: torch.device) -> dict[str, list[float]]:
    """Wall times of ``repeats`` calls of each step, the steps taking turns."""

    def sync() -> None:
        if device.type == "cuda":
            torch.cuda.synchronize()

    for _ in range(warmup):  # allocate the state, fill the caches
        for step in steps.values():
            step()
    sync()
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(repeats):
        for name, step in steps.items():
            start = time.perf_counter()
            step()
            sync()
            times[name].append(time.perf_counter() - start)
    return times


def paired_ratio(ours: list[float], theirs: list[float]) -> float:
    """Median over the rounds of ours/theirs: a round's two steps ran side by side, so a
    busy moment of the machine cancels out of their ratio."""
    return statistics.median(a / b for a, b in zip(ours, theirs))


def fmt_time(seconds: float) -> str:
    return f"{seconds * 1e3:8.3f} ms" if seconds >= 1e-3 else f"{seconds * 1e6:8.1f} µs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1k,100k,1M,10M")
    parser.add_argument("--dtypes", default="float32,float64")
    parser.add_argument("--repeats", type=int, default=0,
                        help="steps timed per implementation (0: by size, 200 to 15)")
    parser.add_argument("--only", default="", help="labels or class names, comma separated")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: default)")
    parser.add_argument("--no-foreach", action="store_true", help="skip torch foreach=True")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    sizes = args.sizes.split(",")
    dtypes = [getattr(torch, d) for d in args.dtypes.split(",")]
    only = set(filter(None, args.only.split(",")))
    contenders = [c for c in CONTENDERS if not only or c[0] in only or c[1] in only]
    default_repeats = {"1k": 240, "100k": 120, "1M": 45, "10M": 15}

    print(f"torch {torch.__version__} on {device}, {torch.get_num_threads()} threads; "
          "median step time, implementations interleaved")
    header = (f"{'optimizer':<25}{'dtype':<9}{'size':>6}{'torch single':>14}"
              f"{'torch foreach':>14}{'ours':>13}{'ours/single':>13}{'ours/foreach':>14}")
    print(header)
    print("-" * len(header))
    worst = 0.0
    for label, name, hyper in contenders:
        for dtype in dtypes:
            for size in sizes:
                shapes = SIZES[size]
                repeats = args.repeats or default_repeats.get(size, 20)
                factories = {
                    "single": lambda p: getattr(torch.optim, name)(p, foreach=False, **hyper),
                    "ours": lambda p: getattr(ours, name)(p, **hyper),
                }
                if not args.no_foreach:
                    factories["foreach"] = lambda p: getattr(torch.optim, name)(
                        p, foreach=True, **hyper)
                times: dict[str, list[float]] = {k: [] for k in factories}
                # a few trials on fresh tensors, created and run in a rotated order: where
                # the allocator happens to place one instance's tensors badly, that instance
                # is slow through a whole trial, whichever implementation it runs
                for trial in range(TRIALS):
                    order = list(factories)[trial % len(factories):] + list(
                        factories)[:trial % len(factories)]
                    steps = {k: make_step(factories[k], shapes, dtype, device) for k in order}
                    for k, ts in step_times(steps, -(-repeats // TRIALS), warmup=2,
                                            device=device).items():
                        times[k] += ts
                    del steps
                t = {name: statistics.median(ts) for name, ts in times.items()}
                ratio = paired_ratio(times["ours"], times["single"])
                worst = max(worst, ratio)
                foreach = t.get("foreach")
                vs_foreach = paired_ratio(times["ours"], times["foreach"]) if foreach else None
                print(f"{label:<25}{str(dtype).removeprefix('torch.'):<9}{size:>6}"
                      f"{fmt_time(t['single']):>14}"
                      f"{fmt_time(foreach) if foreach else '':>14}{fmt_time(t['ours']):>13}"
                      f"{ratio:>13.2f}"
                      f"{vs_foreach if vs_foreach else float('nan'):>14.2f}",
                      flush=True)
    print(f"worst ours/single: {worst:.2f} (goal ≤ 1.2)")


if __name__ == "__main__":
    main()
