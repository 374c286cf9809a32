"""Imputation error of each sampler on real latents, against Euler-Maruyama with 1000 steps.

    python benchmarks/bench_diffusion_sampler_quality.py [--autoencoder CKPT --score-net CKPT]
        [--dataset mvshapes] [--n 300] [--tag smoke]

Without checkpoints it uses the smoke models of experiments/mvld_mvshapes_smoke_*.toml under
runs/mvshapes/ if they exist, and otherwise says how to make them and exits (status 0).

For k = 1..V-1 observed views (a seeded random subset per object of the test split), imputes
the missing views' latents with each sampler and reports the mean squared error of the
standardised latents (the prior-mean predictor scores 1.0, an exact posterior sample 2x the
posterior variance) and the PSNR of the decoded imputed views against the true views (the
autoencoder reconstruction PSNR is the ceiling). Writes
results/diffusion/sampler_quality_<tag>.csv.
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
#: (sampler, schedule, steps)
CONFIGS = [
    ("euler_maruyama", "time_uniform", 1000),
    ("euler_maruyama", "time_uniform", 100),
    ("euler_maruyama", "time_uniform", 24),
    ("dpmpp_2m_sde", "logsnr_uniform", 24),
    ("dpmpp_2m_sde", "logsnr_uniform", 12),
    ("dpmpp_2m", "logsnr_uniform", 24),
    ("heun", "logsnr_uniform", 12),
    ("ddim", "logsnr_uniform", 24),
]


def psnr(a: torch.Tensor, b: torch.Tensor) -> float:
    """Mean over images of the PSNR (dB) of [N, C, H, W] images in [0, 1]."""
    mse = ((a - b) ** 2).mean(dim=(1, 2, 3)).clamp(min=1e-10)
    return float((-10 * torch.log10(mse)).mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--autoencoder", default=str(ROOT / "runs/mvshapes/smoke_ae/autoencoder"))
    parser.add_argument(
        "--score-net", default=str(ROOT / "runs/mvshapes/smoke_diffusion/score_net")
    )
    parser.add_argument("--dataset", default="mvshapes")
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tag", default="smoke")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    missing = [p for p in (args.autoencoder, args.score_net) if not Path(p + ".json").is_file()]
    if missing:
        print(
            f"skipped: no checkpoint {', '.join(missing)}; train the smoke models with\n"
            "  semcom train autoencoder --config experiments/training/mvld_mvshapes_smoke_ae.toml "
            "--out runs/mvshapes/smoke_ae\n"
            "  semcom train diffusion --config experiments/training/mvld_mvshapes_smoke_diffusion.toml "
            "--out runs/mvshapes/smoke_diffusion\nor pass --autoencoder and --score-net"
        )
        return

    from semcom.data import load_dataset
    from semcom.models import MVLDImputer, load_autoencoder, load_score_net

    ds = load_dataset(args.dataset, "test", progress=False)
    c, h, _ = ds.image_shape
    ae, stats, _ = load_autoencoder(
        args.autoencoder, views=ds.num_views, channels=c, image_size=h, dataset=args.dataset
    )
    net, _ = load_score_net(args.score_net, views=ds.num_views, latent_dim=ae.config.latent_dim)
    x, _ = ds.batch(slice(0, args.n))
    v = ds.num_views
    g = torch.Generator().manual_seed(args.seed)
    rows = []
    for k in range(1, v):
        # a seeded random subset of k observed views per object
        order = torch.argsort(torch.rand(args.n, v, generator=g), dim=1)
        observed = torch.zeros(args.n, v, dtype=torch.bool).scatter_(1, order[:, :k], True)
        for sampler, schedule, steps in CONFIGS:
            imputer = MVLDImputer(ae, net, stats, sampler=sampler, schedule=schedule, steps=steps)
            z = imputer.encode(x)
            start = time.perf_counter()
            z_hat = imputer.impute_latents(
                z, observed, torch.Generator().manual_seed(args.seed + 1)
            )
            seconds = time.perf_counter() - start
            x_hat, recon = imputer.decode(z_hat), imputer.decode(z)
            missing = ~observed
            rows.append(
                {
                    "dataset": args.dataset,
                    "observed_views": k,
                    "sampler": sampler,
                    "schedule": schedule,
                    "steps": steps,
                    "nfe": imputer.last_nfe,
                    "n": args.n,
                    "latent_mse": round(float(((z_hat - z)[missing]).pow(2).mean()), 4),
                    "psnr_imputed": round(psnr(x_hat[missing], x[missing]), 3),
                    "psnr_reconstruction": round(psnr(recon[missing], x[missing]), 3),
                    "seconds": round(seconds, 2),
                }
            )
            print(rows[-1], flush=True)
    out = ROOT / "results" / "diffusion" / f"sampler_quality_{args.tag}.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
