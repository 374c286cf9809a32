"""Multi-time masked diffusion (MLD): subset sampling, the multi-time vector and the loss.

Latents of all V views are stacked as z: [B, V, ...] (any trailing shape, e.g. [B, V, D]).
A per-sample boolean mask ``observed: [B, V]`` says which views condition the sample (kept
clean, t_v = 0) and which are diffused (t_v = t). The score network sees the whole stack and
the multi-time vector tau: [B, V] and predicts -eps for every view; only diffused views count.

Loss weighting (the choice, and why). MLD averages the squared error over all V views'
elements with the conditioning views masked to zero and rescales by V / |M| (|M| = number of
diffused views); DiMViDA multiplies the masked squared norm by lambda(M, C) = 1 + |C| / |M|.
Since |C| + |M| = V these are the same factor, V / |M|, so applying it once reproduces both
papers: the per-sample loss is exactly the mean squared error over the diffused elements,

    L = lambda(M, C) * sum_{v in M} ||out_v + eps_v||^2 / (V * D) = mean_{v in M} ||out_v + eps_v||^2 / D,

i.e. every sample contributes equally whatever fraction of it is diffused (without the factor,
samples with many conditioning views would be under-weighted). The network output is -eps
(score = output / s), which is the denoising score-matching loss with weight s(t)^2.

Optionally Min-SNR-gamma weighting (Hang et al. 2023): each sample's loss times
min(SNR(t), gamma) / SNR(t) = min(1, gamma sigma(t)^2), SNR = m^2 / s^2 = 1 / sigma^2, which
lowers the weight of the nearly clean times, where the -eps target is hardest to predict and
matters least for sampling.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from semcom.diffusion.sde import VPSDE, expand_like
from semcom.errors import SemcomError, check_choice

#: score_net(z_t: [B, V, ...], tau: [B, V]) -> [B, V, ...], the prediction of -eps.
ScoreNet = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


#: how :func:`sample_observed_mask` draws a conditioning set (see its doc)
SUBSET_DRAWS: tuple[str, ...] = ("uniform_subset", "uniform_count")


def sample_observed_mask(
    batch: int, views: int, generator: torch.Generator, joint_prob: float = 0.2,
    subsets: str = "uniform_subset",
) -> torch.Tensor:
    """Draw which views condition each sample: returns observed: [B, V] bool.

    With probability ``joint_prob`` a sample is joint (no view observed); otherwise its
    conditioning set C is a non-empty proper subset, so at least one view is always diffused.
    ``subsets``: "uniform_subset" draws C uniformly among the 2^V - 2 such subsets (MLD's
    choice: |C| = 1 has probability V / (2^V - 2), 1/6 for V = 5); "uniform_count" draws
    |C| uniformly in 1 .. V-1, then C uniformly among the subsets of that size (every count of
    observed views equally often: 1/4 each for V = 5).
    """
    if views < 2 and joint_prob < 1.0:
        raise SemcomError(f"masked diffusion needs at least 2 views for conditioning, got {views}")
    if not 0.0 <= joint_prob <= 1.0:
        raise SemcomError(f"joint_prob must be in [0, 1], got {joint_prob}")
    check_choice("subsets", subsets, SUBSET_DRAWS)
    joint = torch.rand(batch, generator=generator) < joint_prob
    if subsets == "uniform_subset":
        # subset code k uniform in {1, ..., 2^V - 2}: its bits are the observed views
        code = torch.randint(1, 2**views - 1, (batch,), generator=generator)
        bits = (code[:, None] >> torch.arange(views)[None, :]) & 1
        return (bits.bool()) & ~joint[:, None]
    count = torch.randint(1, views, (batch, 1), generator=generator)  # |C| in 1 .. V-1
    # the views ranked by uniform keys: the |C| lowest ranks form a uniform subset of that size
    rank = torch.rand(batch, views, generator=generator).argsort(dim=1).argsort(dim=1)
    return (rank < count) & ~joint[:, None]


def multi_time(t: torch.Tensor, observed: torch.Tensor) -> torch.Tensor:
    """The multi-time vector tau: [B, V] = t_b for diffused views, 0 for observed ones.

    t: [B] (or a scalar) diffusion time; observed: [B, V] bool.
    """
    t = torch.as_tensor(t, dtype=torch.float32)
    t = t.reshape(-1, 1) if t.ndim else t.reshape(1, 1)
    return torch.where(observed, torch.zeros((), dtype=t.dtype), t.expand(observed.shape))


def sample_training_times(
    batch: int, generator: torch.Generator, t_min: float = 1e-3, t_max: float = 1.0
) -> torch.Tensor:
    """t ~ U(t_min, t_max) per sample: [B] float32."""
    return t_min + (t_max - t_min) * torch.rand(batch, generator=generator)


def masked_diffusion_loss(
    score_net: ScoreNet,
    z0: torch.Tensor,
    observed: torch.Tensor,
    t: torch.Tensor,
    generator: torch.Generator,
    sde: VPSDE | None = None,
    min_snr_gamma: float | None = None,
) -> torch.Tensor:
    """Masked multi-time denoising loss (a scalar, mean over the batch).

    z0: [B, V, ...] clean (standardised) latents; observed: [B, V] bool conditioning views;
    t: [B] diffusion times of the diffused views. Observed views are fed clean with t_v = 0;
    diffused views are noised to time t. The squared error of the -eps prediction is summed
    over diffused views only and weighted by lambda(M, C) = V / |M| (see the module notes).
    Samples with no diffused view contribute zero. ``min_snr_gamma``: Min-SNR-gamma weights
    (see the module notes); None or 0 for none.
    """
    sde = sde or VPSDE()
    if observed.shape != z0.shape[:2]:
        raise SemcomError(
            f"observed mask shape {tuple(observed.shape)} != latents' [B, V] {tuple(z0.shape[:2])}"
        )
    tau = multi_time(t, observed).to(z0.dtype)
    noisy, eps = sde.perturb(z0, tau, generator)
    keep = expand_like(observed, z0)
    z_t = torch.where(keep, z0, noisy)
    out = score_net(z_t, tau)
    diffused = (~keep).to(z0.dtype)
    per_sample_sq = ((out + eps) ** 2 * diffused).flatten(1).sum(1)
    views = z0.shape[1]
    elems = z0[0].numel()
    n_diffused = (~observed).sum(1).to(z0.dtype)
    weight = views / n_diffused.clamp(min=1.0)  # lambda(M, C) = 1 + |C|/|M| = V/|M|
    if min_snr_gamma:
        sigma = sde.sigma(torch.as_tensor(t, dtype=torch.float32).reshape(-1)).to(z0.dtype)
        weight = weight * (min_snr_gamma * sigma**2).clamp(max=1.0)
    return (weight * per_sample_sq / elems).mean()
