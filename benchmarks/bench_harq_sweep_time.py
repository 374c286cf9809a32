"""Does HARQ in the PHY abstraction keep sweeps fast? The bit-exact block-Rayleigh grid of the
tradeoff (JPEG and WebP at three qualities, 0 / 10 / 20 dB, MCS auto, 48 objects) swept with one
transmission and with up to four (chase combining, and incremental redundancy), same cells
otherwise.

Run:  PYTHONPATH=. python benchmarks/bench_harq_sweep_time.py
Writes results/channels/harq_sweep_time.json (acceptance, issue 17: HARQ at most twice the time).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

GRID = """
kind = "sweep"
name = "harq_time"
[data]
dataset = "mvshapes"
n_objects = 48
batch_size = 48
[metrics]
lpips = false
fd_clf = false
[[grid]]
scheme = "bitexact"
link_mode = "abstraction"
channel = "rayleigh-block"
snr_db = [0, 10, 20]
codec = ["jpeg", "webp"]
quality = [10, 50, 90]
mcs = "auto"
harq = {harq}
harq_combining = "{combining}"
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("results/channels/harq_sweep_time.json"))
    args = parser.parse_args()

    from semcom.paths import atomic_write_bytes
    from semcom.sweep.config import parse_experiment
    from semcom.sweep.runner import run_sweep

    variants = {"one": (1, "chase"), "chase": (4, "chase"), "ir": (4, "ir")}
    seconds: dict[str, list[float]] = {name: [] for name in variants}
    with tempfile.TemporaryDirectory() as folder:
        for repeat in range(args.repeats + 1):  # the first round warms the caches and is not kept
            for name, (harq, combining) in variants.items():
                text = GRID.replace("{harq}", str(harq)).replace("{combining}", combining)
                config = parse_experiment(text, "harq_time.toml")
                start = time.perf_counter()
                run_sweep(config, str(Path(folder) / f"{name}-{repeat}"), progress=False, echo=lambda *_: None)
                if repeat:
                    seconds[name].append(time.perf_counter() - start)

    def median(values: list[float]) -> float:
        return sorted(values)[len(values) // 2]

    result = {
        "cells": 18, "objects_per_cell": 48,
        "seconds_one_transmission": seconds["one"], "seconds_harq_4": seconds["chase"],
        "seconds_harq_4_ir": seconds["ir"],
        "ratio_of_medians": median(seconds["chase"]) / median(seconds["one"]),
        "ratio_of_medians_ir": median(seconds["ir"]) / median(seconds["one"]),
    }
    atomic_write_bytes(args.out, (json.dumps(result, indent=2) + "\n").encode())
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
