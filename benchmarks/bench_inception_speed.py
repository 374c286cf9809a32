"""The TF-FID Inception on this CPU: images per second by precision and batch size, and whether
bfloat16 keeps FID within 1 % of float32.

Speed: real mvshapes test views (32 px, resized to 299 inside the network's preprocessing) in
float32 and in bfloat16 autocast with channels-last layout, at several batch sizes, best of
``--repeats`` passes (the load average is recorded: a busy machine is slower).
Agreement: FID of two sets against the same real set, once per precision: set A is view 0 of the
first ``--n`` test objects; B the same view of the next ``--n`` objects (real against real: the
small-sample floor) and C the JPEG quality-10 files of A (a visibly degraded set).

    python benchmarks/bench_inception_speed.py --n 500 -> results/metrics/inception_speed.json
"""

from __future__ import annotations

import argparse
import io
import json
import os
import time
from pathlib import Path

import numpy as np
import torch

from semcom.data import load_dataset
from semcom.metrics.features import extract_in_batches
from semcom.metrics.frechet import frechet_distance_features
from semcom.metrics.inception import INCEPTION_PRECISIONS, InceptionFeatures

OUT = Path("results/metrics/inception_speed.json")


def jpeg(images: torch.Tensor, quality: int) -> torch.Tensor:
    """[N, 3, H, W] uint8 -> the same after a JPEG round trip (Pillow)."""
    from PIL import Image

    out = []
    for image in images.permute(0, 2, 3, 1).numpy():
        buffer = io.BytesIO()
        Image.fromarray(image).save(buffer, format="JPEG", quality=quality)
        out.append(np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")))
    return torch.from_numpy(np.stack(out)).permute(0, 3, 1, 2).contiguous()


def best_rate(extractor, images: torch.Tensor, batch: int, repeats: int) -> float:
    extractor(images[:batch].float() / 255)
    best = 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        extract_in_batches(extractor, images, batch_size=batch)
        best = max(best, len(images) / (time.perf_counter() - start))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500, help="images per set")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    test = load_dataset("mvshapes", "test", progress=False)
    if 2 * args.n > len(test):
        parser.error(f"--n {args.n}: the test split has {len(test)} objects, at most {len(test) // 2} allowed")
    views = test.images[:, 0]  # [N, 3, 32, 32] uint8
    sets = {"A": views[: args.n], "B": views[args.n : 2 * args.n], "C": jpeg(views[: args.n], 10)}

    speed, agreement = [], {}
    for precision in INCEPTION_PRECISIONS:
        extractor = InceptionFeatures(precision)
        for batch in (8, 16, 32, 64):
            load = os.getloadavg()[0]
            rate = best_rate(extractor, views[:64], batch, args.repeats)
            speed.append({"precision": precision, "batch": batch, "images_per_second": round(rate, 1),
                          "load_average_1min": round(load, 2)})
            print(f"{precision:<9} batch {batch:>3}: {rate:6.1f} images/s (load {load:.2f})", flush=True)
        start = time.perf_counter()
        features = {k: extract_in_batches(extractor, v, batch_size=16) for k, v in sets.items()}
        agreement[precision] = {
            "fid_real_vs_real": frechet_distance_features(features["A"], features["B"], extractor.backbone),
            "fid_real_vs_jpeg10": frechet_distance_features(features["A"], features["C"], extractor.backbone),
            "seconds": round(time.perf_counter() - start, 1),
        }
        print(precision, agreement[precision], flush=True)
    rel = {k: abs(agreement["bfloat16"][k] / agreement["float32"][k] - 1) for k in ("fid_real_vs_real", "fid_real_vs_jpeg10")}
    result = {
        "benchmark": "TF-FID Inception on the CPU: speed and bfloat16 agreement",
        "command": f"python benchmarks/bench_inception_speed.py --n {args.n} --threads {args.threads}",
        "threads": args.threads, "cpu_count": os.cpu_count(), "torch": torch.__version__,
        "images_per_set": args.n,
        "speed": speed,
        "fid": agreement,
        "bfloat16_relative_fid_difference": rel,
        "bfloat16_within_1_percent": all(v <= 0.01 for v in rel.values()),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {OUT}: bfloat16 relative FID difference {rel}")


if __name__ == "__main__":
    main()
