"""Guidance from the joint mode: imputation quality against the weight w, at <= 25 network passes.

    python benchmarks/bench_guidance.py --dataset mvshapes [--weights 0,0.5,1,2,3] [--n 1000]
        [--autoencoder PATH --score-net PATH] [--seeds 0]

Each weight runs the receiver's sampler (DPM-Solver++(2M) SDE) on the first n test objects with
every count of observed views, as `semcom evaluate` does. w = 0 runs with 24 steps (25 network
passes per sample) and also with 11; w > 0 with 11 steps, whose 12 calls make 24 passes with both
branches counted, so every row spends at most 25. Rows (one per weight, steps, seed and count of
observed views; the ``nfe`` column is the measured passes per sample) go to
results/<dataset>/guidance.csv, the plot of coherence, PSNR and LPIPS against w to .png.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bench_common import plot_panels, write_csv

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = ("guidance", "steps", "nfe", "seed", "observed_views", "n", "coherence", "camera_acc", "psnr",
           "ssim", "lpips", "fd_clf", "psnr_fg", "delta_e")


def settings(weights: list[float]) -> list[tuple[float, int]]:
    """(weight, steps) pairs within 25 network passes: w = 0 at 24 and 11 steps, w > 0 at 11."""
    return [(w, s) for w in weights for s in ((24, 11) if w == 0 else (11,))]


def plot(rows: list[dict], out: Path, dataset: str) -> None:
    import pandas as pd

    table = pd.DataFrame(rows)
    table = table[table["steps"] == 11].groupby(["observed_views", "guidance"], as_index=False).mean(numeric_only=True)
    curves = {f"{k} observed": part.to_dict("records") for k, part in table.groupby("observed_views")}
    plot_panels(curves, "guidance", [("coherence", "coherence"), ("psnr", "PSNR [dB]"), ("lpips", "LPIPS")],
                "guidance weight w (11 steps, 24 network passes)",
                f"{dataset}: guidance from the joint mode (test split, mean over seeds)", out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="mvshapes", choices=("mvshapes", "polymnist"))
    parser.add_argument("--weights", default="0,0.5,1,2,3")
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--seeds", default="0", help="comma-separated sampler seeds")
    parser.add_argument("--autoencoder", default=None)
    parser.add_argument("--score-net", default=None)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    weights = [float(w) for w in args.weights.split(",")]
    seeds = [int(s) for s in args.seeds.split(",")]

    import torch

    from semcom.data import dataset_info
    from semcom.evaluate import EvaluateConfig, evaluate_imputer
    from semcom.models.imputer import MVLDImputer
    from semcom.system.imputers import load_mvld

    torch.set_num_threads(2)
    out = args.out or ROOT / "results" / args.dataset / "guidance.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    loaded = load_mvld(args.dataset, dataset_info(args.dataset).default_size, autoencoder_path=args.autoencoder,
                       score_net_path=args.score_net)  # the networks once; each setting is a sampler
    rows = []
    for weight, steps in settings(weights):
        imputer = MVLDImputer(loaded.autoencoder, loaded.score_net, loaded.stats, steps=steps, guidance=weight)
        for seed in seeds:
            config = EvaluateConfig(dataset=args.dataset, n=args.n, seed=seed)
            for row in evaluate_imputer(imputer, config, progress=False, reconstruction=False):
                if row["method"] != "mvld":
                    continue
                rows.append({"guidance": weight, "steps": steps, "seed": seed,
                             **{k: row.get(k) for k in COLUMNS if k not in ("guidance", "steps", "seed")}})
                print(", ".join(f"{k}={rows[-1][k]:.4g}" if isinstance(rows[-1][k], float) else f"{k}={rows[-1][k]}"
                                for k in ("guidance", "steps", "nfe", "observed_views", "coherence", "psnr",
                                          "lpips")), flush=True)
        write_csv(out, COLUMNS, rows)  # after every setting: a long run keeps what it has
    plot(rows, out.with_suffix(".png"), args.dataset)
    print(f"wrote {out} and {out.with_suffix('.png')}")


if __name__ == "__main__":
    main()
