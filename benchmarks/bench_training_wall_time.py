"""Training wall time of every bundled model, as measured by the run that produced its weights.

    python benchmarks/bench_training_wall_time.py

Every trainer (`semcom train autoencoder|diffusion|smvae|mopoe|mvae`) stores its wall time
(``train_seconds``, resumed runs included), step count and configuration in the checkpoint's
JSON. This collects them for the bundled models into results/training_wall_time.csv, with the
seconds per step. A model trained in stages (each run starting from the last one's weights,
``init_from``) also gets the number of stages and their summed wall time (``total_train_seconds``):
from the ``stages`` its checkpoint records, else from the earlier runs' checkpoints in runs/ when
they are there (blank when they are not). Those runs
shared the 2-core machine with other work (one torch thread each), so the times are upper
bounds for an idle machine; `benchmarks/bench_diffusion_speed.py` times single steps.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from semcom.models.training import training_stages

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "semcom" / "assets" / "bundled"
OUT = ROOT / "results" / "training_wall_time.csv"
COLUMNS = ("model", "dataset", "size", "steps", "batch_size", "threads", "train_seconds",
           "seconds_per_step", "stages", "total_train_seconds", "checkpoint")


def bundled_rows(root: Path = BUNDLED) -> list[dict]:
    """One row per bundled checkpoint that records its training (``meta.train_seconds``)."""
    rows = []
    for path in sorted(root.rglob("*.json")):
        record = json.loads(path.read_text())
        meta = record.get("meta") if isinstance(record, dict) else None
        if not isinstance(meta, dict) or "train_seconds" not in meta:
            continue
        train = meta.get("train_config", {})
        steps = int(meta["steps"])
        seconds = float(meta["train_seconds"])
        stages = training_stages(meta)
        rows.append({
            "model": record.get("kind", path.stem), "dataset": train.get("dataset", ""),
            "size": train.get("image_size", ""), "steps": steps,
            "batch_size": train.get("batch_size", ""), "threads": train.get("threads", ""),
            "train_seconds": round(seconds, 1), "seconds_per_step": round(seconds / steps, 4),
            "stages": len(stages) if stages else "",
            "total_train_seconds": round(sum(s["train_seconds"] for s in stages), 1) if stages else "",
            "checkpoint": str(path.relative_to(ROOT).with_suffix("")),
        })
    return rows


def main() -> None:
    rows = bundled_rows()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    for row in rows:
        total = f", {row['stages']} stages {row['total_train_seconds'] / 60:.1f} min" if row["stages"] and row["stages"] > 1 else ""
        print(f"{row['model']:12s} {row['dataset']:10s} {row['steps']:6d} steps "
              f"{row['train_seconds'] / 60:6.1f} min ({row['seconds_per_step']:.3f} s/step{total})")
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
