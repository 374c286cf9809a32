"""Wall time of one training step of each peer VAE at its polymnist configuration, on this CPU.

    python benchmarks/bench_peer_train_step.py [--threads 1] [--repeats 20]

Builds SMVAE, MoPoE-VAE and MVAE from experiments/<method>_polymnist.toml (random weights:
speed does not depend on them) and times forward, backward and Adam step on a batch of the
configured size of random objects of the dataset's shape (5 views, 28x28 RGB), with
``--threads`` torch threads (one, as the training runs used). Reports the median over
``--repeats`` steps and the time the configured step count takes at that pace. The machine is
shared: the load average is recorded.
Writes results/polymnist/peers/train_step_benchmark.csv.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import time
from pathlib import Path

import torch

from semcom.data import dataset_info
from semcom.models.peers import METHODS, build_model
from semcom.models.peers.train import PeerTrainConfig
from semcom.models.train_config import load_toml_config

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "results" / "polymnist" / "peers" / "train_step_benchmark.csv"
COLUMNS = ("method", "latent_dim", "batch_size", "threads", "median_step_s", "configured_steps",
           "configured_minutes", "load_average_1min")


def time_steps(method: str, config: PeerTrainConfig, repeats: int) -> float:
    """Median seconds of one optimisation step (after two warm-up steps)."""
    info = dataset_info(config.dataset)
    size = info.check_size(config.image_size)
    torch.manual_seed(0)
    model = build_model(
        method, {**config.model, "views": info.num_views, "channels": info.channels, "image_size": size}
    ).train()
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    data = torch.Generator().manual_seed(0)
    views = torch.rand(config.batch_size, info.num_views, info.channels, size, size, generator=data)
    times = []
    for i in range(repeats + 2):
        start = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        model.loss(views, data)["loss"].backward()
        optimizer.step()
        if i >= 2:
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rows = []
    for method in sorted(METHODS):
        config = load_toml_config(PeerTrainConfig, ROOT / "experiments" / "training" / f"{method}_polymnist.toml")
        step = time_steps(method, config, args.repeats)
        rows.append({
            "method": method, "latent_dim": config.model.get("latent_dim", ""),
            "batch_size": config.batch_size, "threads": args.threads,
            "median_step_s": round(step, 4), "configured_steps": config.steps,
            "configured_minutes": round(step * config.steps / 60, 1),
            "load_average_1min": round(os.getloadavg()[0], 2),
        })
        print(f"{method:6s} {step:.3f} s/step, {config.steps} steps = "
              f"{step * config.steps / 60:.1f} min")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
