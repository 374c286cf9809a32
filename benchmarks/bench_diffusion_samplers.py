"""Sampler accuracy against NFE on the linear-Gaussian multi-view toy (exact denoiser).

    python benchmarks/bench_diffusion_samplers.py [--n 4000] [--views 4] [--dim 4]

For each sampler and step count, draws n conditional samples of the missing views given one
observed view with the toy's exact multi-time denoiser (no training, so only the solver's
discretisation error and sampling noise remain) and compares them with the analytic
conditional: the 2-Wasserstein distance between Gaussians fitted to the samples and the true
conditional (W2), and the relative covariance error. The "exact" rows draw directly from the
true conditional: the sampling-noise floor. Writes results/diffusion/sampler_accuracy_gaussian.csv
and .png.
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

import torch

from semcom.diffusion.gaussian import GaussianViews
from semcom.diffusion.samplers import NFECounter, get_sampler
from semcom.diffusion.schedules import logsnr_uniform, time_uniform
from semcom.diffusion.sde import VPSDE

OUT = Path(__file__).resolve().parents[1] / "results" / "diffusion" / "sampler_accuracy_gaussian"
GRID = {
    "euler_maruyama": ("time_uniform", [10, 25, 50, 100, 250, 1000]),
    "ddim": ("logsnr_uniform", [5, 10, 25, 50, 100]),
    "heun": ("logsnr_uniform", [2, 5, 12, 25, 50]),
    "dpmpp_2m": ("logsnr_uniform", [5, 10, 25, 50, 100]),
    "dpmpp_2m_sde": ("logsnr_uniform", [5, 10, 25, 50, 100]),
}


def gaussian_w2(m1: torch.Tensor, c1: torch.Tensor, m2: torch.Tensor, c2: torch.Tensor) -> float:
    """W2 between N(m1, c1) and N(m2, c2)."""

    def sqrtm(c: torch.Tensor) -> torch.Tensor:
        vals, vecs = torch.linalg.eigh(c)
        return vecs @ torch.diag(vals.clamp(min=0).sqrt()) @ vecs.T

    r2 = sqrtm(c2)
    cross = sqrtm(r2 @ c1 @ r2)
    w2sq = (m1 - m2).pow(2).sum() + torch.trace(c1 + c2 - 2 * cross)
    return float(w2sq.clamp(min=0).sqrt())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=4000)
    parser.add_argument("--views", type=int, default=4)
    parser.add_argument("--dim", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    torch.set_num_threads(1)
    g = torch.Generator().manual_seed(args.seed)
    toy = GaussianViews.random(args.views, args.dim, g)
    x0 = toy.sample(1, g)[0]
    observed_row = torch.zeros(args.views, dtype=torch.bool)
    observed_row[0] = True
    mean, cov = toy.conditional(observed_row, x0)
    observed = observed_row.expand(args.n, -1).clone()
    known = x0.expand(args.n, -1, -1).clone()

    def row(sampler: str, schedule: str, steps: int, nfe: int, samples: torch.Tensor, sec: float):
        flat = samples.reshape(args.n, -1).double()
        emp_mean, emp_cov = flat.mean(0), torch.cov(flat.T)
        return {
            "sampler": sampler,
            "schedule": schedule,
            "steps": steps,
            "nfe": nfe,
            "w2": round(gaussian_w2(emp_mean, emp_cov, mean, cov), 5),
            "rel_cov_err": round(float((emp_cov - cov).norm() / cov.norm()), 5),
            "seconds": round(sec, 3),
            "n": args.n,
        }

    rows = []
    chol = torch.linalg.cholesky(cov)
    exact = mean + torch.randn(args.n, len(mean), generator=g, dtype=torch.float64) @ chol.T
    rows.append(row("exact", "-", 0, 0, exact, 0.0))
    schedules = {"time_uniform": time_uniform, "logsnr_uniform": logsnr_uniform}
    for sampler, (schedule, step_list) in GRID.items():
        for steps in step_list:
            counter = NFECounter(toy.denoiser())
            x_init = VPSDE().prior_sample(tuple(known.shape), torch.Generator().manual_seed(1))
            start = time.perf_counter()
            out = get_sampler(sampler)(
                counter,
                x_init,
                schedules[schedule](steps),
                observed_mask=observed,
                known=known,
                generator=torch.Generator().manual_seed(2),
            )
            sec = time.perf_counter() - start
            rows.append(row(sampler, schedule, steps, counter.nfe, out[:, ~observed_row], sec))
            print(rows[-1])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    csv_path = args.out.with_suffix(".csv")
    with csv_path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    _plot(rows, args.out.with_suffix(".png"))
    print(f"wrote {csv_path} and {args.out.with_suffix('.png')}")


def _plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    for sampler in GRID:
        pts = [(r["nfe"], r["w2"]) for r in rows if r["sampler"] == sampler]
        ax.plot(*zip(*pts, strict=True), marker="o", label=sampler)
    floor = next(r["w2"] for r in rows if r["sampler"] == "exact")
    ax.axhline(floor, color="k", ls="--", lw=1, label="exact draws (noise floor)")
    ax.set(
        xscale="log",
        yscale="log",
        xlabel="network evaluations per sample (NFE)",
        ylabel="W2 to the analytic conditional",
        title="Conditional sampling, Gaussian toy",
    )
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=150)


if __name__ == "__main__":
    main()
