"""Channel realisations drawn once: the gains from the channel model, the noise here.

The channel models (AWGN, block and fast Rayleigh, and any added one) are registered classes
(:mod:`channels.contract`, :mod:`channels.registry`, one file each in :mod:`channels.kinds`);
this module is what they share: the noise, the SNR, the equaliser.

A transmission is ``x: [B, N] complex64`` (B samples, N symbols each, unit average energy).
The channel is split into a *realisation* (fading gains h and unit-variance noise, drawn with a
``torch.Generator``) and its *application* at an SNR given per call::

    real = draw_realization("rayleigh-block", (B, N), generator, block_index=idx)
    y = apply(x, real, snr_db)                  # y = h x + sqrt(N0) w, w ~ CN(0, 1)
    x_hat, no_eff = equalize(y, real, snr_db)   # perfect CSI unless the draw has an estimate

Drawing once and applying to two transmissions of the same length makes them see the same
fading and the same noise (semantic vs bit-exact links). Transmissions of different lengths
share the fading of each block when given the same ``block_gains`` (from
:func:`draw_block_gains`) and a block index per symbol (codeword, view or object).

Why not ``sionna.phy.channel.AWGN`` / ``FlatFadingChannel``: those blocks draw from Sionna's
global generator (``config.torch_rng``) and cannot take a ``torch.Generator``, and they draw h
and noise together so a realisation cannot be re-used. The draws here use Sionna's own
``complex_normal`` with the caller's generator, which is what those blocks do internally; for a
single antenna the equaliser is the scalar case of ``sionna.phy.mimo.lmmse_equalizer``
(checked in the tests).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from channels.contract import complex_normal
from channels.errors import ChannelError, check_choice
from channels.registry import get_channel
from channels.spec import EQUALIZERS

__all__ = ["ChannelRealization", "apply", "complex_normal", "draw_block_gains", "draw_realization",
           "equalize", "noise_variance", "noiseless_realization", "receiver_csi"]


@dataclass
class ChannelRealization:
    """One draw of a flat channel for a transmission of shape [B, N].

    h:             [B, N] complex64, fading gain per symbol (all ones for AWGN)
    noise:         [B, N] complex64, CN(0, 1) noise before scaling by sqrt(N0)
    h_est:         [B, N] complex64, the receiver's estimate of h (None: perfect CSI)
    csi_error_var: variance of the estimation error h_est - h
    estimate:      the channel's own receiver estimate, made at the SNR of the call (pilots and
                   least squares: :meth:`channels.contract.Channel.draw_estimate`), or None
    """

    kind: str
    h: torch.Tensor
    noise: torch.Tensor
    h_est: torch.Tensor | None = None
    csi_error_var: float = 0.0
    estimate: object | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return tuple(self.h.shape)  # type: ignore[return-value]


def draw_block_gains(batch: int, num_blocks: int, generator: torch.Generator) -> torch.Tensor:
    """Block fading gains h ~ CN(0, 1): [batch, num_blocks] complex64."""
    return complex_normal((batch, num_blocks), generator)


def draw_realization(
    kind: str,
    shape: tuple[int, int],
    generator: torch.Generator,
    *,
    block_index: torch.Tensor | None = None,
    block_gains: torch.Tensor | None = None,
    csi_error_var: float = 0.0,
) -> ChannelRealization:
    """Draw fading and noise for a transmission of ``shape = (B, N)`` symbols.

    kind:        a registered channel name (:func:`channels.registry.channel_names`)
    block_index: [N] or [B, N] int64, fading block of each symbol (block fading only; default:
                 one block per row, i.e. per transmitted packet)
    block_gains: [B, NB] complex64 gains to use for the blocks instead of drawing them, so that
                 two transmissions of different lengths see the same h per block index
    csi_error_var: > 0 gives the receiver an imperfect estimate h_est = h + e,
                 e ~ CN(0, csi_error_var) per fading block (per symbol for fast fading)
    The draw order is fixed (gains, then noise, then estimation error), so the same generator
    state gives the same realisation, and perfect-CSI draws do not depend on the option.
    """
    channel = get_channel(kind)
    if not (csi_error_var >= 0 and csi_error_var < float("inf")):
        raise ChannelError(f"CSI error variance must be a finite number >= 0, got {csi_error_var!r}")
    fading = channel.draw_gains(shape, generator, block_index=block_index, block_gains=block_gains)
    noise = complex_normal(shape, generator)
    real = ChannelRealization(kind=kind, h=fading.h, noise=noise,
                              estimate=channel.draw_estimate(fading, generator))
    if csi_error_var > 0 and real.estimate is not None:
        raise ChannelError(f"channel {kind!r} estimates the gains from its pilots; a CSI error variance cannot be added")
    if csi_error_var > 0:
        if fading.block_index is not None:  # one estimate per fading block
            error = complex_normal(fading.block_shape, generator) * csi_error_var**0.5
            error = torch.gather(error, 1, fading.block_index)
        else:
            error = complex_normal(shape, generator) * csi_error_var**0.5
        real.h_est, real.csi_error_var = fading.h + error, float(csi_error_var)
    return real


def noiseless_realization(kind: str, shape: tuple[int, int]) -> ChannelRealization:
    """The gains of a channel without fading (``fading = "none"``: drawn without a generator)
    and zero noise: what the PHY abstraction needs to map each codeword to its SNR."""
    channel = get_channel(kind)
    if channel.fading != "none":
        raise ChannelError(f"channel {kind!r} fades (fading = {channel.fading!r}); draw a realisation instead")
    h = channel.draw_gains(shape, torch.Generator()).h
    return ChannelRealization(kind=kind, h=h, noise=torch.zeros_like(h))


def noise_variance(snr_db: float | torch.Tensor, batch: int) -> torch.Tensor:
    """N0 = 10^(-SNR/10) as [B, 1] float32; ``snr_db`` is a float or a [B] tensor (per sample)."""
    snr = torch.as_tensor(snr_db, dtype=torch.float32)
    if not bool(torch.isfinite(snr).all()):
        raise ChannelError(f"SNR must be finite dB values, got {snr_db!r}")
    if snr.dim() == 0:
        snr = snr.expand(batch)
    if snr.shape != (batch,):
        raise ChannelError(f"SNR must be a number or one value per sample ({batch}), got {tuple(snr.shape)}")
    return torch.pow(10.0, -snr / 10.0).unsqueeze(1)


def apply(x: torch.Tensor, realization: ChannelRealization, snr_db: float | torch.Tensor) -> torch.Tensor:
    """y = h x + sqrt(N0) w.  x: [B, N] complex; returns y: [B, N] complex64. Differentiable in x."""
    if tuple(x.shape) != realization.shape:
        raise ChannelError(
            f"transmission of shape {tuple(x.shape)} does not match the channel realisation "
            f"{realization.shape}"
        )
    no = noise_variance(snr_db, x.shape[0])
    return realization.h * x + torch.sqrt(no) * realization.noise


def receiver_csi(
    realization: ChannelRealization, snr_db: float | torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor | float]:
    """What the receiver knows of the gains: (h [B, N] complex64, variance of its error, a float
    or [B, N]). The channel's own estimate at ``snr_db`` where it makes one, else ``h_est`` with
    its error variance, else the true h (perfect CSI)."""
    if realization.estimate is not None:
        return realization.estimate.at(snr_db, realization.shape[0])  # type: ignore[attr-defined]
    if realization.h_est is not None:
        return realization.h_est, realization.csi_error_var
    return realization.h, 0.0


def equalize(
    y: torch.Tensor,
    realization: ChannelRealization,
    snr_db: float | torch.Tensor,
    method: str = "zf",
) -> tuple[torch.Tensor, torch.Tensor]:
    """Scalar equaliser. y: [B, N] complex -> (x_hat [B, N], no_eff [B, N]).

    Uses the receiver's estimate when there is one (:func:`receiver_csi`; else the true h) and
    counts the estimation error as extra noise: N0 -> N0 + its variance (unit-power symbols),
    as Sionna's OFDM ``LMMSEEqualizer`` does with the ``err_var`` of its channel estimators.

    ``'zf'``:    x_hat = y / h, no_eff = N0 / |h|^2 (also the *unbiased* LMMSE estimate, which is
                 what Sionna's lmmse_equalizer returns and what a demapper needs)
    ``'lmmse'``: x_hat = conj(h) y / (|h|^2 + N0), the biased MMSE estimate of a unit-power
                 input; no_eff = N0 / (|h|^2 + N0) is its mean squared error
    """
    check_choice("equalizer", method, EQUALIZERS)
    h, error_var = receiver_csi(realization, snr_db)
    no = noise_variance(snr_db, y.shape[0]) + error_var
    gain = h.real**2 + h.imag**2
    if method == "zf":
        return y / h, no / gain
    denom = gain + no
    return torch.conj(h) * y / denom, no / denom
