"""Does HARQ in the PHY abstraction keep sweeps fast? The bit-exact block-Rayleigh grid of the
tradeoff (JPEG and WebP at three qualities, 0 / 10 / 20 dB, MCS auto, 48 objects) swept with one
transmission and with up to four, same cells otherwise.

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
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("results/channels/harq_sweep_time.json"))
    args = parser.parse_args()

    from semcom.paths import atomic_write_bytes
    from semcom.sweep.config import parse_experiment
    from semcom.sweep.runner import run_sweep

    seconds: dict[int, list[float]] = {1: [], 4: []}
    with tempfile.TemporaryDirectory() as folder:
        for repeat in range(args.repeats + 1):  # the first round warms the caches and is not kept
            for harq in (1, 4):
                config = parse_experiment(GRID.replace("{harq}", str(harq)), "harq_time.toml")
                start = time.perf_counter()
                run_sweep(config, str(Path(folder) / f"{harq}-{repeat}"), progress=False, echo=lambda *_: None)
                if repeat:
                    seconds[harq].append(time.perf_counter() - start)
    result = {
        "cells": 18, "objects_per_cell": 48,
        "seconds_one_transmission": seconds[1], "seconds_harq_4": seconds[4],
        "ratio_of_medians": sorted(seconds[4])[len(seconds[4]) // 2] / sorted(seconds[1])[len(seconds[1]) // 2],
    }
    atomic_write_bytes(args.out, (json.dumps(result, indent=2) + "\n").encode())
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
