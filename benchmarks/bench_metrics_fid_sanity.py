"""FID and fd_clf sanity checks on real data, written to results/metrics/fid_sanity.json.

On the TF-FID Inception features, then on the bundled classifier's features (fd_clf), of a
real split (views pooled):

- a set against itself (should be 0);
- two disjoint halves of the split (small: same distribution, finite-sample bias only);
- the real images against uniform noise images of the same shape (large);
- KID (unbiased) for the same pairs: near 0 for the halves, where FID still shows its
  finite-sample bias;
- agreement of semcom's Frechet distance (eigen-decompositions) with two independent
  computations on the same features: the classic scipy ``sqrtm(S_a S_b)`` and the nuclear norm
  of ``A B^T`` (A, B the centred features / sqrt(n - 1), exact when n < D).

The split's features go through the reference cache (``semcom.metrics.reference``), so a second
run reuses them.

    python benchmarks/bench_metrics_fid_sanity.py --dataset mvshapes --n 100
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import scipy.linalg
import torch

from semcom.data import dataset_info
from semcom.metrics.classifier import ClassifierFeatures, load_classifier
from semcom.metrics.features import extract_in_batches
from semcom.metrics.frechet import (
    GaussianStats,
    frechet_distance,
    frechet_distance_features,
    gaussian_stats,
    kernel_inception_distance,
)
from semcom.metrics.inception import InceptionFeatures
from semcom.metrics.reference import ReferenceFeatures, dataset_reference_features

OUT = Path("results/metrics/fid_sanity.json")


def scipy_frechet(a: GaussianStats, b: GaussianStats) -> float:
    """|mu_a - mu_b|^2 + tr S_a + tr S_b - 2 tr sqrtm(S_a S_b) (real part), as TF-FID does."""
    root = scipy.linalg.sqrtm(a.sigma @ b.sigma)
    return float(
        np.sum((a.mu - b.mu) ** 2)
        + np.trace(a.sigma)
        + np.trace(b.sigma)
        - 2 * np.trace(np.real(root))
    )


def sanity_rows(extractor, args) -> tuple[dict, ReferenceFeatures, float]:
    """Frechet distance (and KID) rows for self / halves / noise on one feature network."""
    start = time.perf_counter()
    ref = dataset_reference_features(
        extractor, args.dataset, split=args.split, n=args.n, seed=args.seed
    )
    feats = ref.view_features().double().numpy()  # [n * V, D]
    # halves by object, so no object has views on both sides
    per_object = ref.features.double().numpy()
    half = per_object.shape[0] // 2
    first = per_object[:half].reshape(-1, feats.shape[1])
    second = per_object[half:].reshape(-1, feats.shape[1])
    shape = (dataset_info(args.dataset).channels, ref.key.size, ref.key.size)
    noise = torch.rand(feats.shape[0], *shape, generator=torch.Generator().manual_seed(args.seed))
    noise_feats = extract_in_batches(extractor, noise, batch_size=32, progress=True)
    seconds = time.perf_counter() - start

    def stats(x):
        return gaussian_stats(x, extractor.backbone)

    pairs = {
        "self": (feats, feats),
        "halves": (first, second),
        "real_vs_noise": (feats, noise_feats.double().numpy()),
    }
    rows = {}
    for name, (x, y) in pairs.items():
        ours = frechet_distance(stats(x), stats(y))
        row = {
            "frechet": ours,
            "n_a": len(x),
            "n_b": len(y),
            "scipy_sqrtm": scipy_frechet(stats(x), stats(y)),
            "lowrank_svd": frechet_distance_features(x, y, extractor.backbone),
        }
        kid = kernel_inception_distance(
            torch.from_numpy(x),
            torch.from_numpy(y),
            generator=torch.Generator().manual_seed(args.seed),
            subset_size=200,
            num_subsets=50,
        )
        row.update(kid=kid.mean, kid_std=kid.std, kid_subset_size=kid.subset_size)
        if ours > 1e-6:
            row["rel_diff_scipy"] = abs(ours - row["scipy_sqrtm"]) / ours
            row["rel_diff_lowrank"] = abs(ours - row["lowrank_svd"]) / ours
        rows[name] = row
        print(extractor.backbone, name, json.dumps(row))
    return rows, ref, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="mvshapes")
    parser.add_argument("--split", default="test")
    parser.add_argument("--n", type=int, default=100, help="objects (all their views are used)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    inception = InceptionFeatures()
    inception_rows = sanity_rows(inception, args)
    ref = inception_rows[1]
    # fd_clf: the bundled classifier of the split's image size
    classifier = ClassifierFeatures(load_classifier(args.dataset, ref.key.size))
    backbones = {}
    for extractor, (rows, ref_of, seconds) in (
        (inception, inception_rows),
        (classifier, sanity_rows(classifier, args)),
    ):
        backbones[extractor.backbone] = {
            "reference_cache": str(ref_of.path),
            "feature_seconds": round(seconds, 1),
            "results": rows,
        }
    result = {
        "benchmark": "Frechet distance sanity on real data (FID and fd_clf)",
        "dataset": args.dataset,
        "split": args.split,
        "objects": args.n,
        "seed": args.seed,
        "views_pooled": list(ref.view_names),
        "image_size": ref.key.size,
        "threads": args.threads,
        "command": (
            f"python benchmarks/bench_metrics_fid_sanity.py --dataset {args.dataset} "
            f"--split {args.split} --n {args.n} --seed {args.seed} --threads {args.threads}"
        ),
        "backbones": backbones,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
