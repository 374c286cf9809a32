"""Coherence of the bundled MVLD imputer per sampler, schedule and step count, over seeds.

    python benchmarks/bench_sampler_coherence.py [--dataset mvshapes --n 1000 --seeds 0,1]

Issue 5 asks the fast sampler (<= 25 NFE) to stay within 1 coherence point of Euler-Maruyama
with 1000 steps. One run of ``semcom evaluate`` on 1000 objects cannot resolve that: the views
of one object share its class, so the standard error of a coherence value is about 1 point at
k = 1. This runs every configuration with several seeds on the same objects (the seed draws the
observed views and the sampler noise; :func:`semcom.evaluate.evaluate_imputer`) and
writes one row per (configuration, seed, observed views) to
results/diffusion/sampler_coherence_<dataset>.csv, then prints the mean over seeds and the
gap to the Euler-Maruyama 1000-step reference. About 25 CPU-minutes on one thread, most of it
the reference.
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
#: (sampler, schedule, steps); the last one is the reference
CONFIGS = (
    ("dpmpp_2m_sde", "logsnr_uniform", 24),
    ("dpmpp_2m_sde", "karras", 24),
    ("dpmpp_2m_sde", "time_uniform", 24),
    ("euler_maruyama", "time_uniform", 24),
    ("euler_maruyama", "logsnr_uniform", 24),
    ("dpmpp_2m_sde", "logsnr_uniform", 49),
    ("euler_maruyama", "time_uniform", 1000),
)
COLUMNS = ("dataset", "sampler", "schedule", "steps", "nfe", "seed", "observed_views", "n",
           "coherence", "coherence_hits", "coherence_trials", "psnr", "seconds")


def run(dataset: str, n: int, seeds: tuple[int, ...]) -> list[dict]:
    from semcom.data import dataset_info, load_dataset
    from semcom.diffusion.samplers import expected_nfe
    from semcom.evaluate import EvaluateConfig, evaluate_imputer
    from semcom.models.imputer import MVLDImputer
    from semcom.system.imputers import load_mvld

    info = dataset_info(dataset)
    base = load_mvld(dataset, info.default_size)
    test = load_dataset(dataset, "test", size=info.default_size, n=n, progress=False)
    counts = tuple(range(1, info.num_views))
    rows = []
    for seed in seeds:
        for sampler, schedule, steps in CONFIGS:
            imputer = MVLDImputer(base.autoencoder, base.score_net, base.stats, sampler=sampler,
                                  steps=steps, schedule=schedule)
            start = time.perf_counter()
            config = EvaluateConfig(n=n, seed=seed, batch_size=250, observed_views=counts, baselines=False,
                                    lpips=False, fd_clf=False, test_split=test)
            table = evaluate_imputer(imputer, config, reconstruction=False, progress=False)
            seconds = round(time.perf_counter() - start, 1)
            for r in table:
                rows.append({"dataset": dataset, "sampler": sampler, "schedule": schedule,
                             "steps": steps, "nfe": expected_nfe(sampler, steps), "seed": seed,
                             "observed_views": r["observed_views"], "n": r["n"],
                             "coherence": r["coherence"], "coherence_hits": r["coherence_hits"],
                             "coherence_trials": r["coherence_trials"],
                             "psnr": round(r["psnr"], 3), "seconds": seconds})
            print(f"seed {seed} {sampler}/{schedule}/{steps}: "
                  + ", ".join(f"k={r['observed_views']} {100 * r['coherence']:.2f} %" for r in table)
                  + f" ({seconds} s)", flush=True)
    return rows


def summary(rows: list[dict]) -> list[str]:
    """Mean coherence over seeds per configuration and k, and the gap to the reference."""
    means: dict[tuple, dict[int, list[float]]] = {}
    for r in rows:
        key = (r["sampler"], r["schedule"], int(r["steps"]))
        means.setdefault(key, {}).setdefault(int(r["observed_views"]), []).append(float(r["coherence"]))
    ref = means.get(CONFIGS[-1], {})
    lines = []
    for key, per_k in means.items():
        parts = []
        for k, values in sorted(per_k.items()):
            mean = 100 * sum(values) / len(values)
            gap = mean - 100 * sum(ref[k]) / len(ref[k]) if k in ref else float("nan")
            parts.append(f"k={k} {mean:.2f} % ({gap:+.2f})")
        lines.append(f"{'/'.join(map(str, key))}: " + ", ".join(parts))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="mvshapes")
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rows = run(args.dataset, args.n, tuple(int(s) for s in args.seeds.split(",")))
    out = ROOT / "results" / "diffusion" / f"sampler_coherence_{args.dataset}.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    print("mean over seeds (gap to euler_maruyama/time_uniform/1000 in points):")
    print("\n".join(summary(rows)))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
