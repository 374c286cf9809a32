"""Analog (DeepJSCC-style) link: real tensors straight onto complex channel symbols.

``z: [B, ...] float`` -> flatten to n real values per sample -> pairs (z[2i], z[2i+1]) become one
complex symbol (an odd n is padded with one zero) -> each sample is scaled to unit average
symbol power -> channel -> scalar LMMSE with perfect CSI -> un-scaled -> ``[B, ...]`` again.

Channel uses per sample = ceil(n / 2). The per-sample scale (sqrt of the mean symbol power) is
treated as side information known to the receiver, as is usual in DeepJSCC evaluations.
Everything is differentiable (gradients flow to ``z`` through the symbols and the scale).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from channels import channel as ch
from channels.errors import ChannelError, check_choice
from channels.link import PacketOutcome, empty_outcome
from channels.spec import EQUALIZERS


def channel_uses(num_real: int) -> int:
    """Complex channel uses for ``num_real`` real values: ceil(n / 2)."""
    return math.ceil(num_real / 2)


def received_snr_db(realization: ch.ChannelRealization, snr_db: float | torch.Tensor) -> torch.Tensor:
    """The SNR (dB) each sample was received at, as a receiver with perfect CSI knows it: the
    nominal ``snr_db`` (a number or [B]) plus 10 log10 of the sample's mean fading power
    (|h|^2 of its block for block fading, 0 dB for AWGN). Returns [B] float32."""
    power = (realization.h.real**2 + realization.h.imag**2).mean(dim=1)
    nominal = torch.as_tensor(snr_db, dtype=torch.float32).expand(power.shape[0])
    return nominal + 10.0 * torch.log10(power.clamp_min(1e-30))


def to_symbols(z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """z: [B, ...] real -> (s [B, ceil(n/2)] complex64 with unit mean power per sample, scale [B, 1]).

    s = (z[2i] + j z[2i+1]) / scale, scale = sqrt(mean_i |z[2i] + j z[2i+1]|^2).
    """
    if z.dim() < 2:
        raise ChannelError(f"analog link input must be [B, ...], got shape {tuple(z.shape)}")
    flat = z.reshape(z.shape[0], -1).to(torch.float32)
    if flat.shape[1] % 2:
        flat = torch.nn.functional.pad(flat, (0, 1))
    pairs = flat.reshape(flat.shape[0], -1, 2)
    symbols = torch.complex(pairs[..., 0], pairs[..., 1])
    power = (pairs**2).sum(-1).mean(-1, keepdim=True)
    scale = torch.sqrt(power.clamp_min(1e-12))
    return symbols / scale, scale


def from_symbols(s: torch.Tensor, scale: torch.Tensor, shape: torch.Size) -> torch.Tensor:
    """Inverse of :func:`to_symbols`: s [B, ceil(n/2)] complex, scale [B, 1] -> real ``shape``."""
    flat = torch.view_as_real(s * scale).reshape(s.shape[0], -1)
    n = math.prod(shape[1:])
    return flat[:, :n].reshape(shape)


@dataclass(frozen=True)
class AnalogLink:
    """Analog transmission of real tensors; ``equalizer`` 'lmmse' (default) or 'zf'."""

    equalizer: str = "lmmse"

    def __post_init__(self) -> None:
        check_choice("equalizer", self.equalizer, EQUALIZERS)

    def draw_realization(
        self,
        kind: str,
        shape: torch.Size | tuple[int, ...],
        generator: torch.Generator,
        *,
        block_gains: torch.Tensor | None = None,
    ) -> ch.ChannelRealization:
        """Realisation for inputs of ``shape`` [B, ...]; block fading = one h per sample."""
        n = channel_uses(math.prod(shape[1:]))
        return ch.draw_realization(kind, (shape[0], n), generator, block_gains=block_gains)

    def transmit(
        self,
        z: torch.Tensor,
        channel: str,
        snr_db: float | torch.Tensor,
        generator: torch.Generator,
        *,
        realization: ch.ChannelRealization | None = None,
    ) -> tuple[torch.Tensor, int]:
        """z: [B, ...] real -> (z_hat [B, ...] float32, channel uses per sample)."""
        symbols, scale = to_symbols(z)
        if realization is None:
            realization = self.draw_realization(channel, z.shape, generator)
        y = ch.apply(symbols, realization, snr_db)
        s_hat, _ = ch.equalize(y, realization, snr_db, self.equalizer)
        return from_symbols(s_hat, scale, z.shape), symbols.shape[1]

    def send(
        self,
        packets: list[torch.Tensor],
        channel: str,
        snr_db: float,
        generator: torch.Generator,
        *,
        block_gains: torch.Tensor | None = None,
    ) -> PacketOutcome:
        """The one link interface (:mod:`channels.link`): P real packets of one shape, each its
        own fading block; everything arrives (no CRC), distorted, with the SNR each packet was
        received at (:func:`received_snr_db`)."""
        if not packets:
            return empty_outcome()
        z = torch.stack(packets)
        realization = self.draw_realization(channel, z.shape, generator, block_gains=block_gains)
        received, uses = self.transmit(z, channel, snr_db, generator, realization=realization)
        count = len(packets)
        return PacketOutcome(list(received), torch.ones(count, dtype=torch.bool),
                             torch.full((count,), uses, dtype=torch.long),
                             snr_db=received_snr_db(realization, snr_db))
