"""Guidance from the joint mode: imputation quality against the weight w, at <= 25 network passes.

    python benchmarks/bench_guidance.py --dataset mvshapes [--weights 0,0.5,1,2,3] [--n 1000]
        [--autoencoder PATH --score-net PATH] [--seeds 0] [--split test]
        [--intervals 13:0.75,15:0.4] [--observed-views 1,2,3,4] [--plot-only]

Each weight runs the receiver's sampler (DPM-Solver++(2M) SDE) on the first n objects of the
split with every count of observed views (or those of --observed-views), as `semcom evaluate`
does. w = 0 runs with 24 steps (25 network passes per sample) and also with 11; w > 0 with 11
steps, whose 12 calls make 24 passes with both branches counted, so every row spends at most 25.
``--intervals`` adds, for each w > 0, settings STEPS:MAX_T that guide only the calls at times
t <= MAX_T (:mod:`semcom.diffusion.guidance`); a setting over 25 passes is refused. Rows (one
per weight, steps, interval, seed and count of observed views; the ``nfe`` column is the
measured passes per sample) go to results/<dataset>/guidance.csv (guidance_<split>.csv for
another split than test), the plot of coherence, PSNR and LPIPS against w to .png (a colour per
count of observed views, a line style per setting; ``--plot-only`` redraws it from the table). Choose sampler settings on ``--split val`` and report them on test.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bench_common import write_csv

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = ("split", "guidance", "guidance_max_t", "steps", "nfe", "seed", "observed_views", "n", "coherence", "camera_acc", "psnr",
           "ssim", "lpips", "fd_clf", "psnr_fg", "delta_e")


MAX_NFE = 25


def settings(weights: list[float], intervals: tuple[tuple[int, float], ...] = ()) -> list[tuple[float, int, float]]:
    """(weight, steps, max_t) within 25 network passes: w = 0 at 24 and 11 steps, w > 0 at 11
    with every call guided (max_t = 1), then at each (steps, max_t) of ``intervals``."""
    from semcom.diffusion.samplers import expected_nfe
    from semcom.diffusion.schedules import make_schedule
    from semcom.errors import SemcomError
    from semcom.sampler_defaults import DEFAULT_SAMPLER

    out = []
    for w in weights:
        out += [(w, s, 1.0) for s in ((24, 11) if w == 0 else (11,))]
        out += [(w, s, t) for s, t in intervals if w > 0]
    for w, s, t in out:
        nfe = expected_nfe(DEFAULT_SAMPLER, s, w, guidance_max_t=t, schedule=make_schedule("logsnr_uniform", s))
        if nfe > MAX_NFE:
            raise SemcomError(f"w = {w}, {s} steps, max_t = {t}: {nfe} network passes > {MAX_NFE}")
    return out


def parse_intervals(text: str) -> tuple[tuple[int, float], ...]:
    """'13:0.75,15:0.4' -> ((13, 0.75), (15, 0.4))."""
    pairs = [part.split(":") for part in text.split(",") if part.strip()]
    return tuple((int(steps), float(max_t)) for steps, max_t in pairs)


def plot(rows: list[dict], out: Path, dataset: str, split: str) -> None:
    """Coherence, PSNR and LPIPS against w, mean over seeds: a colour per count of observed
    views, solid for 11 steps with every call guided, dashed and dotted for the intervals."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    table = pd.DataFrame(rows)
    if "guidance_max_t" not in table:  # a table of the version before the intervals
        table["guidance_max_t"] = 1.0
    table = table[~((table["guidance"] == 0) & (table["steps"] == 24))]  # w = 0 drawn at 11 steps
    table = table.groupby(["observed_views", "steps", "guidance_max_t", "guidance"], as_index=False).mean(
        numeric_only=True)
    settings_seen = sorted({(int(s), float(t)) for s, t in zip(table["steps"], table["guidance_max_t"])},
                           key=lambda st: (st[1] < 1.0, -st[1]))
    styles = dict(zip(settings_seen, ("-", "--", ":", "-.")))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    panels = [("coherence", "coherence"), ("psnr", "PSNR [dB]"), ("lpips", "LPIPS")]
    fig, axes = plt.subplots(1, len(panels), figsize=(12.5, 3.8))
    for ax, (key, title) in zip(axes, panels):
        for i, (k, by_count) in enumerate(table.groupby("observed_views")):
            for (steps, max_t), part in by_count.groupby(["steps", "guidance_max_t"]):
                style = styles.get((int(steps), float(max_t)), "-")
                every = "every call" if max_t >= 1 else f"t <= {max_t:g}"
                label = f"{k} observed" if style == "-" else f"{k} observed: {steps} steps, guided at {every}"
                ax.plot(part["guidance"], part[key], style, marker=".", color=colours[i % len(colours)], label=label)
        ax.set(xlabel="guidance weight w", title=title)
        ax.grid(alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(4, len(labels)), fontsize=7)
    fig.suptitle(f"{dataset}: guidance from the joint mode ({split} split, mean over seeds; solid: 11 steps, "
                 f"every call guided, 24 passes; w = 0: 11 steps unguided)", fontsize=10)
    fig.tight_layout(rect=(0, 0.06 * (1 + (len(labels) - 1) // 4), 1, 1))
    fig.savefig(out, dpi=130)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="mvshapes", choices=("mvshapes", "polymnist"))
    parser.add_argument("--weights", default="0,0.5,1,2,3")
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--seeds", default="0", help="comma-separated sampler seeds")
    parser.add_argument("--autoencoder", default=None)
    parser.add_argument("--score-net", default=None)
    parser.add_argument("--split", default="test", choices=("val", "test"))
    parser.add_argument("--intervals", default="", help="STEPS:MAX_T settings for w > 0, comma-separated")
    parser.add_argument("--observed-views", default="", help="comma-separated counts (default: 1 .. V-1)")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--plot-only", action="store_true", help="redraw the .png from the --out table")
    args = parser.parse_args()
    weights = [float(w) for w in args.weights.split(",")]
    seeds = [int(s) for s in args.seeds.split(",")]
    out = args.out or ROOT / "results" / args.dataset / ("guidance.csv" if args.split == "test"
                                                         else f"guidance_{args.split}.csv")
    if args.plot_only:
        import pandas as pd

        plot(pd.read_csv(out).to_dict("records"), out.with_suffix(".png"), args.dataset, args.split)
        print(f"wrote {out.with_suffix('.png')}")
        return
    from semcom.errors import SemcomError

    try:
        grid = settings(weights, parse_intervals(args.intervals))
    except (SemcomError, ValueError) as err:  # before anything is loaded: one line, exit 2
        parser.error(str(err))

    import torch

    from semcom.data import dataset_info, load_dataset
    from semcom.evaluate import EvaluateConfig, evaluate_imputer
    from semcom.metrics.classifier import load_classifier
    from semcom.models.imputer import MVLDImputer
    from semcom.system.imputers import load_mvld

    torch.set_num_threads(2)
    ks = tuple(int(k) for k in args.observed_views.split(",") if k.strip()) or None
    out.parent.mkdir(parents=True, exist_ok=True)
    loaded = load_mvld(args.dataset, dataset_info(args.dataset).default_size, autoencoder_path=args.autoencoder,
                       score_net_path=args.score_net)  # the networks once; each setting is a sampler
    # the split and the class judge once for every setting; no baseline rows (the table keeps mvld's only)
    data = load_dataset(args.dataset, args.split, n=args.n, progress=False)
    judge = load_classifier(args.dataset, data.image_shape[-1])
    rows = []
    for weight, steps, max_t in grid:
        imputer = MVLDImputer(loaded.autoencoder, loaded.score_net, loaded.stats, steps=steps, guidance=weight,
                              guidance_max_t=max_t)
        for seed in seeds:
            config = EvaluateConfig(dataset=args.dataset, n=args.n, seed=seed, observed_views=ks, test_split=data,
                                    baselines=False, classifier=judge)
            for row in evaluate_imputer(imputer, config, progress=False, reconstruction=False):
                if row["method"] != "mvld":
                    continue
                rows.append({"split": args.split, "guidance": weight, "guidance_max_t": max_t, "steps": steps,
                             "seed": seed, **{k: row.get(k) for k in COLUMNS
                                              if k not in ("split", "guidance", "guidance_max_t", "steps", "seed")}})
                print(", ".join(f"{k}={rows[-1][k]:.4g}" if isinstance(rows[-1][k], float) else f"{k}={rows[-1][k]}"
                                for k in ("guidance", "guidance_max_t", "steps", "nfe", "observed_views", "coherence", "psnr",
                                          "lpips")), flush=True)
        write_csv(out, COLUMNS, rows)  # after every setting: a long run keeps what it has
    plot(rows, out.with_suffix(".png"), args.dataset, args.split)
    print(f"wrote {out} and {out.with_suffix('.png')}")


if __name__ == "__main__":
    main()
