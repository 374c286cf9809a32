"""How much the coherence judges are swayed by blur: accuracy on real test views, blurred.

    python benchmarks/bench_judge_blur.py [--folder F --label L] [--n 1000]

Generated and reconstructed views are blurrier than real ones. A judge that fails on a real
view blurred just enough to stay legible measures sharpness, not class, and makes every
blurry imputer look incoherent. This blurs the first n objects of each test split with a
Gaussian of standard deviation sigma (pixels; :func:`semcom.metrics.train_classifier.gaussian_blur`)
and reports the judge's accuracy and the PSNR of the blurred views against the sharp ones.
Rows are merged into results/metrics/judge_blur.csv by (judge, dataset, size, sigma), so the
bundled judges and a replaced one (``--folder`` holding its files, ``--label`` naming it) sit
side by side, with a figure beside the CSV.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "results" / "metrics" / "judge_blur.csv"
JUDGES = (("mvshapes", 32), ("polymnist", 28))
SIGMAS = (0.0, 0.5, 0.75, 1.0, 1.5, 2.0)
COLUMNS = ("judge", "dataset", "size", "sigma", "n_images", "accuracy", "worst_view",
           "worst_view_accuracy", "psnr")


@torch.no_grad()
def judge_rows(dataset: str, size: int, label: str, folder: Path | None, n: int) -> list[dict]:
    from semcom.data import load_dataset
    from semcom.metrics.classifier import load_classifier
    from semcom.metrics.train_classifier import gaussian_blur

    model = load_classifier(dataset, size, folder)
    test = load_dataset(dataset, "test", size=size, n=n, progress=False)
    sharp = test.images.float() / 255.0
    rows = []
    for sigma in SIGMAS:
        blurred = gaussian_blur(sharp.flatten(0, 1), sigma).reshape(sharp.shape)
        per_view = (model.predict(blurred) == test.labels[:, None]).double().mean(0)
        mse = (blurred - sharp).pow(2).mean()
        worst = int(per_view.argmin())
        rows.append({
            "judge": label, "dataset": dataset, "size": size, "sigma": sigma,
            "n_images": int(sharp.shape[0] * sharp.shape[1]),
            "accuracy": round(float(per_view.mean()), 4), "worst_view": test.view_names[worst],
            "worst_view_accuracy": round(float(per_view[worst]), 4),
            "psnr": round(float(-10 * torch.log10(mse)), 2) if mse > 0 else "inf",
        })
    return rows


def merge(rows: list[dict], path: Path = OUT) -> list[dict]:
    """Replace the rows with the same (judge, dataset, size, sigma) in ``path``; keep others."""
    key = lambda r: (r["judge"], r["dataset"], str(r["size"]), str(float(r["sigma"])))  # noqa: E731
    old = list(csv.DictReader(path.open())) if path.is_file() else []
    new_keys = {key(r) for r in rows}
    merged = [r for r in old if key(r) not in new_keys] + rows
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(merged)
    return merged


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3.4))
    series: dict[str, list[tuple[float, float]]] = {}
    for r in rows:
        series.setdefault(f"{r['judge']} ({r['dataset']} {r['size']} px)", []).append(
            (float(r["sigma"]), float(r["accuracy"])))
    for name, points in series.items():
        points.sort()
        ax.plot(*zip(*points, strict=True), marker="o", label=name)
    ax.set_xlabel("Gaussian blur of the real test views, sigma (pixels)")
    ax.set_ylabel("judge accuracy")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=None, help="classifier folder [bundled]")
    parser.add_argument("--label", default="bundled", help="name of the judge in the CSV")
    parser.add_argument("--dataset", default=None, help="only this dataset")
    parser.add_argument("--n", type=int, default=1000, help="test objects per dataset")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rows = []
    for dataset, size in JUDGES:
        if args.dataset in (None, dataset):
            rows += judge_rows(dataset, size, args.label, args.folder, args.n)
    merged = merge(rows)
    plot(merged, OUT.with_suffix(".png"))
    for r in rows:
        print(", ".join(f"{k}={r[k]}" for k in COLUMNS))
    print(f"wrote {OUT} and {OUT.with_suffix('.png')}")


if __name__ == "__main__":
    main()
