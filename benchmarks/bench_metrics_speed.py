"""Images per second of the metric networks on this machine's CPU.

Measures LPIPS (AlexNet, image pairs), TF-FID Inception pool3 features and the bundled view
classifiers' features, each on random images of the sizes semcom's datasets use, and writes
results/metrics/speed.json. Each measurement is repeated: the best, median and worst rates are
recorded with the load average before and after, since a shared machine (other processes
competing for the cores) can slow a pass down many times over; the best rate is the one to
quote for an otherwise idle machine.

    python benchmarks/bench_metrics_speed.py --threads 2 --repeats 5
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import torch

from semcom.errors import SemcomError
from semcom.metrics.classifier import ClassifierFeatures, load_classifier
from semcom.metrics.inception import InceptionFeatures
from semcom.metrics.lpips import load_lpips

OUT = Path("results/metrics/speed.json")


def images_per_second(fn, images: torch.Tensor, batch: int, repeats: int) -> list[float]:
    """Rates of ``repeats`` timed passes over ``images`` in batches (after one warm-up batch)."""
    fn(images[:batch])
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        for i in range(0, images.shape[0], batch):
            fn(images[i : i + batch])
        rates.append(images.shape[0] / (time.perf_counter() - start))
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    gen = torch.Generator().manual_seed(0)
    rows = []

    def record(name: str, shape: tuple[int, ...], fn, n: int, batch: int) -> None:
        images = torch.rand(n, *shape, generator=gen)
        load_before = os.getloadavg()[0]
        rates = sorted(images_per_second(fn, images, batch, args.repeats))
        rows.append(
            {
                "network": name,
                "image": "x".join(map(str, shape)),
                "batch": batch,
                "images": n,
                "images_per_second_best": round(rates[-1], 1),
                "images_per_second_median": round(rates[len(rates) // 2], 1),
                "images_per_second_worst": round(rates[0], 1),
                "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
            }
        )
        print(
            f"{name:<34} {rows[-1]['image']:<9} best {rates[-1]:9.1f}  median "
            f"{rates[len(rates) // 2]:9.1f}  worst {rates[0]:9.1f} images/s"
        )

    lpips = load_lpips()
    for size in (32, 64):
        other = torch.rand(64, 3, size, size, generator=gen)
        record(
            "lpips-v0.1-alexnet (pairs)",
            (3, size, size),
            lambda x, o=other: lpips(x, o[: x.shape[0]]),
            n=256,
            batch=64,
        )
    inception = InceptionFeatures()
    record(inception.backbone, (3, 32, 32), inception, n=32, batch=16)
    record(inception.backbone, (3, 64, 64), inception, n=32, batch=16)
    for dataset in ("mvshapes", "polymnist"):
        try:
            clf = ClassifierFeatures(load_classifier(dataset))
        except SemcomError as err:  # a bundled classifier may not exist yet
            print(f"skip {dataset} classifier: {err}")
            continue
        cfg = clf.model.config
        record(clf.backbone, (cfg.channels, cfg.image_size, cfg.image_size), clf, n=2048, batch=256)

    result = {
        "benchmark": "metric networks, images per second (CPU)",
        "threads": args.threads,
        "cpu_count": os.cpu_count(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "command": (
            f"python benchmarks/bench_metrics_speed.py --threads {args.threads} "
            f"--repeats {args.repeats}"
        ),
        "rows": rows,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
