"""Conditional samplers for multi-time masked diffusion, over one denoiser contract.

Denoiser contract (k-diffusion style, in the VP space of :class:`~semcom.diffusion.sde.VPSDE`):

    denoiser(x_t: [B, V, ...], tau: [B, V]) -> x0_hat: [B, V, ...]

returns the estimate of the clean latents E[x_0 | x_t] given the per-view times tau (t_v = 0
for observed views). :func:`denoiser_from_score_net` builds it from a network predicting -eps.

Every sampler has the signature

    sample_<name>(denoiser, x_init, schedule, *, observed_mask, known, generator,
                  callback=None, sde=None) -> x0: [B, V, ...]

x_init: [B, V, ...] a draw of the prior at schedule[0] (missing views; observed entries are
ignored); schedule: [N + 1] decreasing times (see :mod:`semcom.diffusion.schedules`);
observed_mask: [B, V] bool, per sample; known: [B, V, ...] clean latents of the observed views
(missing entries ignored). Observed views stay clean with t_v = 0 at every step and are returned
bit-exactly; only missing views are integrated. After the N steps every sampler returns the
denoised estimate at schedule[-1] (one more network evaluation), which removes the residual
noise s(t_min) ~ 1e-2. ``callback(info)`` is called after each step with
``{"i", "t", "x", "denoised"}``. ``generator`` drives all randomness (stochastic samplers only).

Network evaluations (NFE) per sample: Euler-Maruyama N + 1, DDIM N + 1, DPM-Solver++(2M)
and its SDE variant N + 1, Heun 2N + 1 (see :func:`expected_nfe`); wrap the denoiser in :class:`NFECounter` to count.

ODE samplers work on the probability-flow ODE in the variance-exploding variables
xbar = x / m(t), sigma = s(t) / m(t), where it reads dxbar / dsigma = (xbar - D) / sigma.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch

from semcom.diffusion.sde import VPSDE, expand_like
from semcom.errors import SemcomError, check_choice

Denoiser = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
Callback = Callable[[dict[str, Any]], None] | None


class NFECounter:
    """Wraps a denoiser and counts its calls (each call evaluates the network once per sample)."""

    def __init__(self, denoiser: Denoiser) -> None:
        self.denoiser = denoiser
        self.nfe = 0

    def __call__(self, x: torch.Tensor, tau: torch.Tensor) -> torch.Tensor:
        self.nfe += 1
        return self.denoiser(x, tau)


def denoiser_from_score_net(
    score_net: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], sde: VPSDE | None = None
) -> Denoiser:
    """Turn a -eps predicting network into the denoiser x0_hat = (x_t + s(tau) out) / m(tau)."""
    sde = sde or VPSDE()

    def denoiser(x: torch.Tensor, tau: torch.Tensor) -> torch.Tensor:
        tt = expand_like(tau, x)
        return (x + sde.std(tt) * score_net(x, tau)) / sde.mean_coeff(tt)

    return denoiser


# -- the conditioning shared by all samplers ---------------------------------------------------
@dataclass(frozen=True)
class Conditioning:
    """Which views are observed and their clean latents, with the per-step helpers.

    observed_mask: [B, V] bool; known: [B, V, ...]; keep: observed_mask broadcast to known.
    """

    observed_mask: torch.Tensor
    known: torch.Tensor
    keep: torch.Tensor
    sde: VPSDE

    def tau(self, t: torch.Tensor) -> torch.Tensor:
        """Multi-time vector [B, V]: t for missing views, 0 for observed ones."""
        zero = torch.zeros((), dtype=t.dtype)
        return torch.where(self.observed_mask, zero, t).to(torch.float32)

    def clamp(self, x: torch.Tensor) -> torch.Tensor:
        """Put the observed views' clean latents back (bit-exact)."""
        return torch.where(self.keep, self.known, x)

    def to_vp(self, xbar: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        """x_t = m(tau) xbar per view (m = 1 for observed views)."""
        return self.sde.mean_coeff(expand_like(self.tau(t), xbar)) * xbar

    def final(self, denoiser: Denoiser, x_vp: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        """The last denoising step at t_min: the returned latents."""
        return self.clamp(denoiser(x_vp, self.tau(t)))


def sampler(core: Callable[..., torch.Tensor]) -> Callable[..., torch.Tensor]:
    """Give a sampler core ``core(denoiser, x_init, schedule, cond, generator, callback)`` the
    public signature, checking the inputs and building the :class:`Conditioning`."""

    def sample(
        denoiser: Denoiser,
        x_init: torch.Tensor,
        schedule: torch.Tensor,
        *,
        observed_mask: torch.Tensor,
        known: torch.Tensor,
        generator: torch.Generator | None = None,
        callback: Callback = None,
        sde: VPSDE | None = None,
    ) -> torch.Tensor:
        if x_init.ndim < 2 or observed_mask.shape != x_init.shape[:2]:
            raise SemcomError(
                f"observed_mask {tuple(observed_mask.shape)} must be [B, V] of x_init "
                f"{tuple(x_init.shape)}"
            )
        if known.shape != x_init.shape:
            raise SemcomError(f"known {tuple(known.shape)} must match x_init {tuple(x_init.shape)}")
        if observed_mask.dtype != torch.bool:
            raise SemcomError(f"observed_mask must be bool, got {observed_mask.dtype}")
        keep = expand_like(observed_mask, x_init)
        cond = Conditioning(observed_mask, known, keep, sde or VPSDE())
        return core(denoiser, x_init, schedule, cond, generator, callback)

    sample.__name__ = sample.__qualname__ = core.__name__
    sample.__doc__ = core.__doc__
    sample.__module__ = core.__module__
    return sample


# -- reverse SDE ---------------------------------------------------------------------------------
@sampler
def sample_euler_maruyama(denoiser, x_init, schedule, cond, generator, callback):
    """Euler-Maruyama on the reverse VP SDE (the papers' sampler), N steps + final denoise.

    x <- x + [beta x / 2 + beta score] dt + sqrt(beta dt) z,  score = -(x - m D) / s^2,
    with dt = t_i - t_{i+1} > 0, for missing views only. Needs ``generator``.
    """
    if generator is None:
        raise SemcomError("euler_maruyama is stochastic: pass a seeded torch.Generator")
    sde = cond.sde
    x = cond.clamp(x_init)
    for i in range(len(schedule) - 1):
        t, t_next = schedule[i], schedule[i + 1]
        dt = t - t_next
        denoised = denoiser(x, cond.tau(t))
        m, s, beta = sde.mean_coeff(t), sde.std(t), sde.beta(t)
        score = -(x - m * denoised) / s**2
        noise = torch.randn(x.shape, generator=generator, dtype=x.dtype, device=x.device)
        x = x + (0.5 * beta * x + beta * score) * dt + torch.sqrt(beta * dt) * noise
        x = cond.clamp(x)
        if callback is not None:
            callback({"i": i, "t": float(t_next), "x": x, "denoised": denoised})
    return cond.final(denoiser, x, schedule[-1])


# -- probability-flow ODE ------------------------------------------------------------------------
@sampler
def sample_heun(denoiser, x_init, schedule, cond, generator, callback):
    """Heun's 2nd-order method on the probability-flow ODE in (xbar, sigma) (EDM, no churn).

    2 NFE per step + final denoise. ``generator`` is unused (deterministic given x_init).
    """
    sde = cond.sde
    sigmas = sde.sigma(schedule.double()).to(x_init.dtype)
    xbar = cond.clamp(x_init / sde.mean_coeff(schedule[0]))
    for i in range(len(schedule) - 1):
        t, t_next = schedule[i], schedule[i + 1]
        sigma, sigma_next = sigmas[i], sigmas[i + 1]
        denoised = denoiser(cond.to_vp(xbar, t), cond.tau(t))
        d = (xbar - denoised) / sigma
        x_euler = cond.clamp(xbar + (sigma_next - sigma) * d)
        denoised_next = denoiser(cond.to_vp(x_euler, t_next), cond.tau(t_next))
        d_next = (x_euler - denoised_next) / sigma_next
        xbar = cond.clamp(xbar + (sigma_next - sigma) * 0.5 * (d + d_next))
        if callback is not None:
            callback(
                {"i": i, "t": float(t_next), "x": cond.to_vp(xbar, t_next), "denoised": denoised}
            )
    return cond.final(denoiser, cond.to_vp(xbar, schedule[-1]), schedule[-1])


def multistep(
    denoiser, x_init, schedule, cond, callback, second_order: bool, eta: float = 0.0, generator=None
) -> torch.Tensor:
    """DPM-Solver-1 (= DDIM), DPM-Solver++(2M) and, with eta > 0, its SDE variant.

    One update covers all three (data-prediction form, h = lambda_next - lambda):
    xbar_next = (sigma_next / sigma) e^{-eta h} xbar + (1 - e^{-(1 + eta) h}) D_hat
                + sigma_next sqrt(1 - e^{-2 eta h}) z,
    D_hat = D_i + (D_i - D_{i-1}) / (2 r) for the second-order multistep (r = h_{i-1} / h_i).
    """
    sde = cond.sde
    sigmas = sde.sigma(schedule.double())
    lambdas = -torch.log(sigmas)
    xbar = cond.clamp(x_init / sde.mean_coeff(schedule[0]))
    old_denoised = None
    for i in range(len(schedule) - 1):
        t, t_next = schedule[i], schedule[i + 1]
        denoised = denoiser(cond.to_vp(xbar, t), cond.tau(t))
        h = float(lambdas[i + 1] - lambdas[i])
        ratio = float(sigmas[i + 1] / sigmas[i])
        d_hat = denoised
        if second_order and old_denoised is not None:
            r = float(lambdas[i] - lambdas[i - 1]) / h
            d_hat = denoised + (denoised - old_denoised) / (2 * r)
        xbar = ratio * math.exp(-eta * h) * xbar - math.expm1(-(1 + eta) * h) * d_hat
        if eta > 0:
            noise = torch.randn(
                xbar.shape, generator=generator, dtype=xbar.dtype, device=xbar.device
            )
            xbar = xbar + float(sigmas[i + 1]) * math.sqrt(-math.expm1(-2 * eta * h)) * noise
        xbar = cond.clamp(xbar)
        old_denoised = denoised
        if callback is not None:
            callback(
                {"i": i, "t": float(t_next), "x": cond.to_vp(xbar, t_next), "denoised": denoised}
            )
    return cond.final(denoiser, cond.to_vp(xbar, schedule[-1]), schedule[-1])


@sampler
def sample_ddim(denoiser, x_init, schedule, cond, generator, callback):
    """Deterministic DDIM (eta = 0) = Euler on the PF-ODE in (xbar, sigma) = DPM-Solver-1.

    xbar_next = D + sigma_next (xbar - D) / sigma. 1 NFE per step + final denoise.
    ``generator`` is unused (deterministic given x_init).
    """
    return multistep(denoiser, x_init, schedule, cond, callback, second_order=False)


@sampler
def sample_dpmpp_2m(denoiser, x_init, schedule, cond, generator, callback):
    """DPM-Solver++(2M) (Lu et al. 2022): 2nd-order multistep in the half log-SNR lambda.

    Data-prediction form: xbar_next = (sigma_next / sigma) xbar - expm1(-h) D_hat, with
    h = lambda_next - lambda, D_hat = (1 + 1/2r) D_i - (1/2r) D_{i-1}, r = h_{i-1} / h_i
    (first step: D_hat = D_i). 1 NFE per step + final denoise. ``generator`` is unused.
    """
    return multistep(denoiser, x_init, schedule, cond, callback, second_order=True)


@sampler
def sample_dpmpp_2m_sde(denoiser, x_init, schedule, cond, generator, callback):
    """DPM-Solver++(2M) SDE (eta = 1): the second-order multistep with fresh noise each step.

    Stochastic like Euler-Maruyama (the injected noise corrects the drift an imperfect network
    causes), second order like DPM-Solver++(2M). 1 NFE per step + final denoise. Needs
    ``generator``.
    """
    if generator is None:
        raise SemcomError("dpmpp_2m_sde is stochastic: pass a seeded torch.Generator")
    return multistep(
        denoiser, x_init, schedule, cond, callback, second_order=True, eta=1.0, generator=generator
    )


SAMPLERS: dict[str, Callable[..., torch.Tensor]] = {
    "euler_maruyama": sample_euler_maruyama,
    "heun": sample_heun,
    "dpmpp_2m": sample_dpmpp_2m,
    "ddim": sample_ddim,
    "dpmpp_2m_sde": sample_dpmpp_2m_sde,
}

_BUILTIN_SAMPLERS = tuple(SAMPLERS)

#: sampler -> (NFE per step, extra NFE): NFE per sample = per_step * steps + extra
_NFE = {
    "euler_maruyama": (1, 1),
    "heun": (2, 1),
    "dpmpp_2m": (1, 1),
    "ddim": (1, 1),
    "dpmpp_2m_sde": (1, 1),
}


def register_sampler(name: str, sample: Callable[..., torch.Tensor], per_step: int = 1, extra: int = 1) -> None:
    """Register a sampler with the public signature (build it with the :func:`sampler`
    decorator from a core); ``per_step`` and ``extra``: its network evaluations per sample,
    ``per_step * steps + extra``."""
    if name in _BUILTIN_SAMPLERS:
        raise SemcomError(f"sampler name {name!r} is a built-in sampler; choose another name")
    SAMPLERS[name] = sample
    _NFE[name] = (int(per_step), int(extra))


def get_sampler(name: str) -> Callable[..., torch.Tensor]:
    """Sampler function by name (one of :data:`SAMPLERS`)."""
    check_choice("sampler", name, SAMPLERS)
    return SAMPLERS[name]


def expected_nfe(name: str, steps: int, guidance: float = 0.0, *, guidance_max_t: float = 1.0,
                 schedule: torch.Tensor | None = None) -> int:
    """Network evaluations per sample of sampler ``name`` with ``steps`` steps; guidance
    (weight > 0, :mod:`semcom.diffusion.guidance`) doubles them, or with ``guidance_max_t`` < 1
    adds one pass per call at a time t <= guidance_max_t of ``schedule`` ([steps + 1] times;
    built-in samplers only: they call the network at schedule[0 .. N], Heun twice at each
    time after the first)."""
    check_choice("sampler", name, SAMPLERS)
    per_step, extra = _NFE[name]
    plain = per_step * steps + extra
    if guidance <= 0:
        return plain
    if guidance_max_t >= 1.0:
        return 2 * plain
    if name not in _BUILTIN_SAMPLERS:
        raise SemcomError(f"expected_nfe with guidance_max_t < 1 knows the call times of the built-in samplers "
                          f"only ({', '.join(_BUILTIN_SAMPLERS)}), not {name!r}: count with NFECounter")
    if schedule is None or len(schedule) != steps + 1:
        raise SemcomError(f"expected_nfe with guidance_max_t < 1 needs the schedule of {steps + 1} times")
    times = schedule if per_step == 1 else torch.cat([schedule[:1], schedule[1:].repeat_interleave(2)])
    return plain + int((times <= guidance_max_t).sum())
