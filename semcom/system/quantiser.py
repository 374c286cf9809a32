"""Uniform scalar quantisation of standardised latents to b bits per value, and bit packing.

Latents are standardised per dimension (zero mean, unit variance over the training set) before
transmission, so one clipping range ``[-r, r]`` (default r = 4, i.e. 4 standard deviations)
serves every dimension. Level ``q`` in ``0 .. 2^b - 1`` stands for the centre value
``-r + (q + 1/2) * 2r / 2^b`` (a mid-rise quantiser: no level sits exactly on the clip edge).
For values inside the range the error is uniform on ``[-D/2, D/2]`` with ``D = 2r / 2^b``,
so its mean square is ``D^2 / 12``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from semcom.errors import SemcomError


@dataclass(frozen=True)
class QuantiserConfig:
    """bits: bits per latent value (1 to 16); clip: the range [-clip, clip] in standard deviations."""

    bits: int = 8
    clip: float = 4.0

    def __post_init__(self) -> None:
        if not 1 <= int(self.bits) <= 16:
            raise SemcomError(f"bits per value must be 1 to 16, got {self.bits}")
        if not self.clip > 0:
            raise SemcomError(f"quantiser clip range must be positive, got {self.clip}")

    @property
    def levels(self) -> int:
        return 1 << int(self.bits)

    @property
    def step(self) -> float:
        """Quantisation step D = 2 clip / 2^bits."""
        return 2.0 * self.clip / self.levels


def quantise(z: torch.Tensor, config: QuantiserConfig) -> torch.Tensor:
    """Map values to integer levels. z: [...] float -> [...] int64 in [0, 2^bits - 1]."""
    q = torch.floor((z + config.clip) / config.step)
    return q.clamp_(0, config.levels - 1).to(torch.int64)


def dequantise(q: torch.Tensor, config: QuantiserConfig) -> torch.Tensor:
    """Level centres. q: [...] int64 -> [...] float32."""
    return (q.to(torch.float32) + 0.5) * config.step - config.clip


def levels_to_bits(q: torch.Tensor, bits: int) -> torch.Tensor:
    """Natural binary, most significant bit first. q: [..., N] int64 -> [..., N * bits] float32 0/1."""
    shifts = torch.arange(bits - 1, -1, -1, device=q.device)
    out = (q.unsqueeze(-1) >> shifts) & 1
    return out.flatten(-2).to(torch.float32)


def bits_to_levels(b: torch.Tensor, bits: int) -> torch.Tensor:
    """Inverse of :func:`levels_to_bits`. b: [..., N * bits] 0/1 -> [..., N] int64."""
    weights = 1 << torch.arange(bits - 1, -1, -1, device=b.device)
    grouped = b.reshape(*b.shape[:-1], -1, bits).round().to(torch.int64)
    return (grouped * weights).sum(-1)
