"""Training and inference speed of the DiMViDA classifiers on one CPU thread, and the run time
of `semcom experiment dimvida` it implies at a given config.

Run:  PYTHONPATH=. python benchmarks/bench_dimvida_classifiers.py [--config experiments/dimvida/dimvida.toml]
Writes results/dimvida/classifier_speed.csv: per architecture, milliseconds per image for one
Adam training step (batch = the config's batch size) and for inference, and the estimated
training minutes of the whole protocol with the config's workers (one thread each, machine idle).
"""

from __future__ import annotations

import argparse
import io
import time
from pathlib import Path

import torch
import torch.nn.functional as F


def ms_per_image(model: torch.nn.Module, batch: int, size: int, repeats: int, train: bool) -> float:
    x, y = torch.rand(batch, 3, size, size), torch.randint(0, 13, (batch,))
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train(train)
    times = []
    for _ in range(repeats + 1):  # the first call warms up
        start = time.perf_counter()
        if train:
            optimiser.zero_grad()
            F.cross_entropy(model(x), y).backward()
            optimiser.step()
        else:
            with torch.no_grad():
                model(x)
        times.append(time.perf_counter() - start)
    return 1000 * min(times[1:]) / batch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="experiments/dimvida/dimvida.toml")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path("results/dimvida/classifier_speed.csv"))
    args = parser.parse_args()
    torch.set_num_threads(1)

    import pandas as pd

    from semcom.data import dataset_info
    from semcom.experiments.dimvida import load_config
    from semcom.models.classifiers import build_classifier
    from semcom.paths import atomic_write_bytes

    config = load_config(args.config)
    info = dataset_info(config.dataset)
    size = info.check_size(config.image_size)
    # images seen per seed: n_train (single) + V n_train (augmented), each for `epochs` epochs
    images = config.epochs * config.n_train * (1 + info.num_views) * len(config.seeds)
    rows = []
    for arch in config.architectures:
        torch.manual_seed(0)
        model = build_classifier(arch, info.num_classes)
        train_ms = ms_per_image(model, config.batch_size, size, args.repeats, train=True)
        infer_ms = ms_per_image(model, 256, size, args.repeats, train=False)
        rows.append({"architecture": arch, "image_size": size, "batch_size": config.batch_size,
                     "train_ms_per_image": train_ms, "inference_ms_per_image": infer_ms,
                     "protocol_train_cpu_minutes": images * train_ms / 60000})
    table = pd.DataFrame(rows)
    wall = table["protocol_train_cpu_minutes"].sum() / config.workers
    buffer = io.StringIO()
    table.to_csv(buffer, index=False, float_format="%.3f")
    atomic_write_bytes(args.out, buffer.getvalue().encode())
    print(table.to_string(index=False))
    print(f"estimated training wall time with {config.workers} workers on an idle machine: {wall:.1f} min")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
