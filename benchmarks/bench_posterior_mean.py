"""How far a sampled imputation is from the posterior mean: PSNR of one sample against the mean
of K samples of the same objects.

    python benchmarks/bench_posterior_mean.py [--dataset mvshapes] [--score-net PATH ...]
        [--n 200] [--k 4] [--observed 0]

For each score net (default: the bundled one), the receiver's sampler (DPM-Solver++(2M) SDE, 11
steps, guidance weight 1: 24 network passes per sample) imputes the views of the first n test
objects from the observed view ``--observed`` K times with sampler seeds 0 .. K-1; the PSNR of
the imputed views (per view, then averaged) is reported for one sample and for the mean of the
first 2, 4, ... K samples. A sample pays for its sharpness with distortion (Blau and Michaeli,
"The perception-distortion tradeoff", 2018); the mean of many samples tends to the MMSE estimate
of this model, an upper bound on the PSNR any sampler of it can reach. Rows go to
results/<dataset>/posterior_mean.csv.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bench_common import add_receiver_args, write_csv

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = ("score_net", "n", "observed_view", "samples_averaged", "nfe", "psnr")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_receiver_args(parser, "mvshapes", score_nets="*")
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--k", type=int, default=4)
    parser.add_argument("--observed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()

    import torch

    from semcom.data import dataset_info, load_dataset
    from semcom.metrics.pixel import psnr
    from semcom.system.imputers import load_imputer

    torch.set_num_threads(2)
    out = args.out or ROOT / "results" / args.dataset / "posterior_mean.csv"
    views = load_dataset(args.dataset, "test", n=args.n).images.float() / 255.0
    observed = torch.zeros(args.n, dataset_info(args.dataset).num_views, dtype=torch.bool)
    observed[:, args.observed] = True
    missing = ~observed
    rows = []
    for score_net in args.score_net:
        imputer = load_imputer("mvld", args.dataset, autoencoder_path=args.autoencoder, score_net_path=score_net)
        samples = [imputer.impute(views, observed, torch.Generator().manual_seed(k)) for k in range(args.k)]
        per_sample = imputer.last_nfe  # network passes per sample, both guidance branches counted
        for count in sorted({1, *range(2, args.k + 1, 2), args.k}):
            mean = torch.stack(samples[:count]).mean(dim=0)
            value = float(psnr(views[missing], mean[missing]).mean())
            rows.append({"score_net": score_net or "bundled", "n": args.n, "observed_view": args.observed,
                         "samples_averaged": count, "nfe": count * per_sample, "psnr": round(value, 3)})
            print(rows[-1], flush=True)
    write_csv(out, COLUMNS, rows)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
