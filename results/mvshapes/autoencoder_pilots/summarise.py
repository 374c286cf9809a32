"""Summarise the autoencoder pilots: validation metrics at matched steps, and learning curves.

    python results/mvshapes/autoencoder_pilots/summarise.py

Reads every <name>_log.csv here (written by the training command in <name>.toml's header) and
writes summary.csv (each pilot's validation PSNR, psnr_fg and delta_e at steps 500, 750 and
1000 and at its last row) and curves.png (the three against step and against wall time).
"""

from __future__ import annotations

import csv
from pathlib import Path

HERE = Path(__file__).resolve().parent
STEPS = (500, 750, 1000)
METRICS = ("val_psnr", "val_psnr_fg", "val_delta_e")


def logs() -> dict[str, list[dict]]:
    return {p.name[: -len("_log.csv")]: list(csv.DictReader(p.open())) for p in sorted(HERE.glob("*_log.csv"))}


def main() -> None:
    runs = logs()
    rows = []
    for name, log in runs.items():
        by_step = {int(r["step"]): r for r in log}
        row = {"pilot": name}
        for step in STEPS:
            for m in METRICS:
                value = by_step.get(step, {}).get(m, "")
                row[f"{m}@{step}"] = round(float(value), 2) if value else ""
        last = log[-1]
        row.update({"last_step": last["step"], "last_elapsed_s": last["elapsed_s"],
                    **{f"{m}@last": round(float(last[m]), 2) if last.get(m) else "" for m in METRICS}})
        rows.append(row)
    with (HERE / "summary.csv").open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 3, figsize=(13, 7))
    for col, metric in enumerate(METRICS):
        for name, log in runs.items():
            part = [r for r in log if r.get(metric)]
            if not part:
                continue
            for row_axes, x in ((0, "step"), (1, "elapsed_s")):
                xs = [float(r[x]) / (60 if x == "elapsed_s" else 1) for r in part]
                axes[row_axes][col].plot(xs, [float(r[metric]) for r in part], marker=".", label=name)
        axes[0][col].set_title(metric)
        axes[0][col].set_xlabel("step")
        axes[1][col].set_xlabel("wall time [min], 2 threads")
        for ax in axes[:, col]:
            ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize=7)
    fig.suptitle("mvshapes autoencoder pilots (validation, 500 objects x 4 views)")
    fig.tight_layout()
    fig.savefig(HERE / "curves.png", dpi=120)
    print(f"wrote {HERE / 'summary.csv'} and {HERE / 'curves.png'}")


if __name__ == "__main__":
    main()
