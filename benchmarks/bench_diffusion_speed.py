"""Imputation throughput of the MVLD receiver and per-step training time, on this CPU.

    python benchmarks/bench_diffusion_speed.py [--threads 2] [--batch 250]
        [--autoencoder CKPT --score-net CKPT]

Models are built at the sizes of experiments/mvld_mvshapes_{ae,diffusion}.toml (random weights
unless checkpoints are given: speed does not depend on the weights). Measures imputed objects
per second (4 views, 1 observed, the rest generated and decoded) for the default sampler
(DPM-Solver++(2M) SDE, 24 steps = 25 NFE) and for the papers' Euler-Maruyama with 1000 steps,
and the wall time of one training step of each model (with the extrapolation to the configured
number of steps). The machine is shared: the load average is recorded with the numbers.
Writes results/diffusion/speed_benchmark.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "results" / "diffusion" / "speed_benchmark.json"


def _timed(fn, repeats: int) -> float:
    fn()  # warm-up
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - start) / repeats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=250)
    parser.add_argument("--em-batch", type=int, default=50)
    parser.add_argument("--autoencoder", default=None)
    parser.add_argument("--score-net", default=None)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    from semcom.diffusion.masked import (
        masked_diffusion_loss,
        sample_observed_mask,
        sample_training_times,
    )
    from semcom.models.autoencoder import (
        LatentStats,
        MultiViewAutoencoder,
        laplace_loss,
    )
    from semcom.models.checkpoint import load_autoencoder, load_score_net
    from semcom.models.imputer import MVLDImputer
    from semcom.models.score_net import ScoreNet, ScoreNetConfig
    from semcom.models.train_autoencoder import AutoencoderTrainConfig
    from semcom.models.train_config import load_toml_config
    from semcom.models.train_diffusion import DiffusionTrainConfig

    ae_cfg = load_toml_config(
        AutoencoderTrainConfig, ROOT / "experiments" / "training" / "mvld_mvshapes_ae.toml"
    )
    dm_cfg = load_toml_config(
        DiffusionTrainConfig, ROOT / "experiments" / "training" / "mvld_mvshapes_diffusion.toml"
    )
    views, size = 4, ae_cfg.image_size or 32
    if args.autoencoder:
        ae, stats, _ = load_autoencoder(args.autoencoder)
    else:
        ae = MultiViewAutoencoder(ae_cfg.model_config(views, 3, size))
        stats = LatentStats(
            torch.zeros(views, ae_cfg.latent_dim), torch.ones(views, ae_cfg.latent_dim)
        )
    if args.score_net:
        net, _ = load_score_net(args.score_net)
    else:
        net = ScoreNet(
            ScoreNetConfig(
                views,
                ae.config.latent_dim,
                dm_cfg.width,
                dm_cfg.levels,
                dm_cfg.time_dim,
                dm_cfg.groups,
            )
        )

    g = torch.Generator().manual_seed(0)
    x = torch.rand(args.batch, views, 3, size, size, generator=g)
    observed = torch.zeros(args.batch, views, dtype=torch.bool)
    observed[:, 0] = True
    results = {}
    for name, sampler, steps, batch in (
        ("default", "dpmpp_2m_sde", 24, args.batch),
        ("papers", "euler_maruyama", 1000, args.em_batch),
    ):
        imputer = MVLDImputer(ae, net, stats, sampler=sampler, steps=steps)
        sec = _timed(
            lambda imputer=imputer, batch=batch: imputer.impute(x[:batch], observed[:batch], g), 1
        )
        results[name] = {
            "sampler": sampler,
            "steps": steps,
            "nfe": imputer.last_nfe,
            "batch": batch,
            "seconds": round(sec, 3),
            "objects_per_second": round(batch / sec, 2),
        }
        print(name, results[name])

    ae_train = MultiViewAutoencoder(ae.config).train()
    ae_opt = torch.optim.Adam(ae_train.parameters(), ae_cfg.lr)
    xb = x[: ae_cfg.batch_size]

    def ae_step():
        loss = laplace_loss(ae_train(xb), xb)
        ae_opt.zero_grad()
        loss.backward()
        ae_opt.step()

    net_train = ScoreNet(net.config).train()
    net_opt = torch.optim.Adam(net_train.parameters(), dm_cfg.lr)
    z = torch.randn(dm_cfg.batch_size, views, net.config.latent_dim, generator=g)

    def net_step():
        obs = sample_observed_mask(len(z), views, g)
        loss = masked_diffusion_loss(net_train, z, obs, sample_training_times(len(z), g), g)
        net_opt.zero_grad()
        loss.backward()
        net_opt.step()

    for name, step, cfg in (("autoencoder", ae_step, ae_cfg), ("score_net", net_step, dm_cfg)):
        sec = _timed(step, 10)
        results[f"train_step_{name}"] = {
            "batch": cfg.batch_size,
            "seconds_per_step": round(sec, 4),
            "configured_steps": cfg.steps,
            "estimated_hours": round(sec * cfg.steps / 3600, 2),
        }
        print(name, results[f"train_step_{name}"])

    results["params"] = {
        "autoencoder": sum(p.numel() for p in ae.parameters()),
        "score_net": sum(p.numel() for p in net.parameters()),
    }
    results["environment"] = {
        "threads": args.threads,
        "cpu_count": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "machine": platform.machine(),
        "torch": torch.__version__,
        "weights": "checkpoints" if args.score_net else "random (speed only)",
        "command": "python benchmarks/bench_diffusion_speed.py "
        + f"--threads {args.threads} --batch {args.batch} --em-batch {args.em_batch}",
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
