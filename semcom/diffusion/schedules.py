"""Time-step schedules for the samplers: pure functions returning decreasing diffusion times.

Each returns t: [steps + 1] float32 tensor with t[0] = t_max > ... > t[steps] = t_min;
a sampler takes ``steps`` steps between consecutive entries (then a final denoising at t_min).
"""

from __future__ import annotations

import torch

from semcom.diffusion.sde import VPSDE
from semcom.errors import SemcomError, check_choice


def _check(steps: int, t_min: float, t_max: float) -> None:
    if steps < 1:
        raise SemcomError(f"number of sampling steps must be >= 1, got {steps}")
    if not 0.0 < t_min < t_max <= 1.0:
        raise SemcomError(f"schedule needs 0 < t_min < t_max <= 1, got {t_min}, {t_max}")


def time_uniform(steps: int, t_min: float = 1e-3, t_max: float = 1.0) -> torch.Tensor:
    """Uniform in t (the papers' Euler-Maruyama grid)."""
    _check(steps, t_min, t_max)
    return torch.linspace(t_max, t_min, steps + 1, dtype=torch.float64).float()


def logsnr_uniform(
    steps: int, t_min: float = 1e-3, t_max: float = 1.0, sde: VPSDE | None = None
) -> torch.Tensor:
    """Uniform in the half log-SNR lambda = -log sigma(t) (DPM-Solver's choice)."""
    _check(steps, t_min, t_max)
    sde = sde or VPSDE()
    ends = torch.tensor([t_max, t_min], dtype=torch.float64)
    lam = -torch.log(sde.sigma(ends))
    grid = torch.linspace(float(lam[0]), float(lam[1]), steps + 1, dtype=torch.float64)
    t = sde.t_from_sigma(torch.exp(-grid))
    t[0], t[-1] = t_max, t_min
    return t.float()


def karras(
    steps: int, t_min: float = 1e-3, t_max: float = 1.0, sde: VPSDE | None = None, rho: float = 7.0
) -> torch.Tensor:
    """EDM's schedule: sigma^(1/rho) uniform (Karras et al. 2022), mapped back to t."""
    _check(steps, t_min, t_max)
    sde = sde or VPSDE()
    ends = sde.sigma(torch.tensor([t_max, t_min], dtype=torch.float64))
    ramp = torch.linspace(0.0, 1.0, steps + 1, dtype=torch.float64)
    inv = ends[0] ** (1 / rho) + ramp * (ends[1] ** (1 / rho) - ends[0] ** (1 / rho))
    t = sde.t_from_sigma(inv**rho)
    t[0], t[-1] = t_max, t_min
    return t.float()


SCHEDULES = {"time_uniform": time_uniform, "logsnr_uniform": logsnr_uniform, "karras": karras}


def make_schedule(name: str, steps: int, t_min: float = 1e-3, t_max: float = 1.0) -> torch.Tensor:
    """Schedule by name (one of :data:`SCHEDULES`)."""
    check_choice("schedule", name, SCHEDULES)
    return SCHEDULES[name](steps, t_min=t_min, t_max=t_max)
