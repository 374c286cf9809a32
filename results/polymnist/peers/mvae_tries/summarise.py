"""Validation coherence of every MVAE run on polymnist at matched steps, from the training logs.

    python results/polymnist/peers/mvae_tries/summarise.py

Reads ``*_train_log.csv`` here and the MVAE logs one folder up, writes ``summary.csv`` here:
per run, ``val_coherence_all`` / ``val_coherence_one`` (in %, 256 validation objects: the
reconstructions from all five views, and the four views imputed from view 0) at steps 2000,
4500, 6500 and 8000 and at the run's last logged step.
"""

from __future__ import annotations

import csv
from pathlib import Path

HERE = Path(__file__).resolve().parent
STEPS = (2000, 4500, 6500, 8000)


def summarise(log: Path) -> dict[str, str]:
    rows = {int(r["step"]): r for r in csv.DictReader(log.open()) if r.get("val_coherence_all")}
    last = max(rows)
    out = {"run": log.name.removesuffix("_train_log.csv"), "last_step": str(last)}
    for step in (*STEPS, last):
        key = "last" if step == last and step not in STEPS else str(step)
        row = rows.get(step)
        for name in ("all", "one"):
            value = f"{100 * float(row[f'val_coherence_{name}']):.1f}" if row else ""
            out[f"{name}_{key}"] = value
    return out


def main() -> None:
    logs = sorted(HERE.glob("*_train_log.csv")) + sorted(HERE.parent.glob("mvae*_train_log.csv"))
    rows = [summarise(log) for log in logs]
    columns = ["run", "last_step"] + [f"{n}_{k}" for k in (*map(str, STEPS), "last")
                                      for n in ("all", "one")]
    with (HERE / "summary.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, restval="")
        writer.writeheader()
        writer.writerows(rows)
    for row in rows:
        print(row["run"].ljust(24), *(f"{row.get(c, ''):>5s}" for c in columns[1:]))


if __name__ == "__main__":
    main()
