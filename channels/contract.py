"""The channel contract: what every channel model of the sweeps provides.

A channel is a way of drawing fading gains ``h`` for a transmission of ``[B, N]`` complex
symbols, plus its information-theoretic limits. The noise, the SNR convention (Es/N0 per
complex symbol, noise CN(0, N0)), the equaliser and the links are shared by all channels
(:mod:`channels.channel`), so a new channel is one file: subclass :class:`Channel`, decorate it
with :func:`channels.registry.register_channel`, and every link, sweep, plot and the command line
know it by its name::

    @register_channel
    class HalfGain(Channel):
        name = "half-gain"
        description = "a fixed gain of 1/2 (6 dB of path loss)"
        fading = "none"

        def draw_gains(self, shape, generator, *, block_index=None, block_gains=None):
            return Fading(torch.full(shape, 0.5, dtype=torch.complex64))

        def capacity(self, snr):
            return np.log2(1.0 + 0.25 * np.asarray(snr, dtype=float))

``fading`` tells the links what the gains look like: ``"none"`` (no draw at all: the PHY
abstraction takes the SNR as it is), ``"block"`` (one gain per fading block, a codeword, view or
object; the abstraction maps each codeword's gain to an effective SNR; gains imposed through
``block_gains`` are shared between links), or ``"symbol"`` (gains vary within a codeword: the full link simulates it; the abstraction
maps each codeword's per-symbol SINRs to one effective SINR where the channel sets
``effective_sinr = True``, :mod:`channels.effective_sinr`).

A channel may take options in its name, ``"<name>:<key>=<value>,..."`` (e.g.
``"tdl-c:delay_spread_ns=300,doppler_hz=50"``): :meth:`Channel.with_options` returns the
configured channel, which the registry keeps under the full name. A channel whose receiver
estimates the gains itself (pilots, least squares) returns a :class:`CsiEstimate` from
:meth:`Channel.draw_estimate`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Protocol

if TYPE_CHECKING:  # the registry stays light: torch is imported when a channel draws
    import numpy as np
    import torch

FADING_KINDS = ("none", "block", "symbol")


def complex_normal(shape: tuple[int, ...], generator: torch.Generator) -> torch.Tensor:
    """CN(0, 1) samples of ``shape``, complex64, drawn from ``generator`` (Sionna's sampler)."""
    from sionna.phy.utils import complex_normal as sionna_complex_normal

    return sionna_complex_normal(shape, generator=generator, precision="single", device="cpu")


@dataclass
class Fading:
    """The gains of one draw.

    h:           [B, N] complex64, gain of every symbol
    block_index: [B, N] int64, fading block of each symbol (block fading only, else None)
    block_shape: shape [B, NB] of the block gains the draw used (block fading only): an imperfect
                 receiver estimate is drawn once per block, with this shape
    """

    h: torch.Tensor
    block_index: torch.Tensor | None = None
    block_shape: tuple[int, int] | None = None
    state: object | None = None  # what the channel keeps of the draw for its receiver estimate


class CsiEstimate(Protocol):
    """The receiver's estimate of the gains, made at the SNR of the transmission (pilots see
    the same noise level as the data)."""

    def at(self, snr_db: float | torch.Tensor, batch: int) -> tuple[torch.Tensor, torch.Tensor]:
        """(h_est [B, N] complex64, error variance [B, N] float32) at ``snr_db`` (a float or [B])."""
        ...


class Channel(ABC):
    """A channel model: its name, how it draws fading gains, and its limits.

    Subclasses set the class attributes ``name``, ``description``, ``fading`` (one of
    :data:`FADING_KINDS`) and implement :meth:`draw_gains` and :meth:`capacity`; the other
    methods have defaults (no closed form known: ``None``).
    """

    name: ClassVar[str]
    description: ClassVar[str]
    fading: ClassVar[str]
    #: symbol fading only: the PHY abstraction maps a codeword's per-symbol SINRs to one
    #: effective SINR (EESM, validated against the full link for this channel)
    effective_sinr: ClassVar[bool] = False

    @property
    def supports_abstraction(self) -> bool:
        """Whether the PHY abstraction can predict its codeword errors (one gain per codeword,
        or an effective-SINR mapping validated for the channel)."""
        return self.fading in ("none", "block") or self.effective_sinr

    def with_options(self, options: dict[str, str]) -> Channel:
        """This channel configured by ``options`` (parsed from ``"<name>:<key>=<value>,..."``);
        channels without options refuse them in one line."""
        from channels.errors import ChannelError

        raise ChannelError(f"channel {self.name!r} takes no options, got {', '.join(options)}")

    def draw_estimate(self, fading: Fading, generator: torch.Generator) -> CsiEstimate | None:
        """The receiver's own estimate of ``fading`` (drawn after the noise), or None: the
        receiver knows the gains (perfect CSI), as for every built-in flat channel."""
        return None

    @abstractmethod
    def draw_gains(
        self,
        shape: tuple[int, int],
        generator: torch.Generator,
        *,
        block_index: torch.Tensor | None = None,
        block_gains: torch.Tensor | None = None,
    ) -> Fading:
        """Gains for a transmission of ``shape = (B, N)`` symbols, drawn from ``generator``.

        block_index: [B, N] int64 fading block of each symbol (block fading)
        block_gains: [B, NB] complex64 gains to use for the blocks instead of drawing them
        Channels whose ``fading`` is not ``"block"`` ignore both.
        """

    def draw_block_gains(self, batch: int, num_blocks: int, generator: torch.Generator) -> torch.Tensor:
        """[batch, num_blocks] complex64 gains of as many fading blocks (block fading only), to
        impose on several links through ``block_gains`` so that they see the same fading."""
        from channels.errors import ChannelError

        raise ChannelError(f"channel {self.name!r} has no fading blocks (fading = {self.fading!r})")

    @abstractmethod
    def capacity(self, snr: np.ndarray | float) -> np.ndarray:
        """Ergodic capacity in bit per complex channel use (receiver CSI); ``snr`` linear."""

    def bound_rate(self, snr: float, outage: float = 0.01) -> float:
        """The rate of the error-free "codec at capacity" bound, bit per use: the ergodic
        capacity, or for block fading the ``outage``-outage capacity (override it there)."""
        return float(self.capacity(snr))

    def outage_probability(self, rate: float, snr: np.ndarray | float) -> np.ndarray | None:
        """P[one block cannot carry ``rate`` bit per use] (block fading), else None."""
        return None

    def uncoded_ber(self, modulation: str, snr: np.ndarray | float) -> np.ndarray | None:
        """Closed-form BER of uncoded Gray ``modulation`` with perfect CSI, or None."""
        return None

    def shannon_limit_db(self, spectral_efficiency: float) -> float | None:
        """Es/N0 in dB below which no code carries ``spectral_efficiency`` reliably, or None."""
        return None

    def bler_bound(
        self, spectral_efficiency: float, codeword: tuple[int, int] | None, snr: np.ndarray
    ) -> tuple[np.ndarray, str] | None:
        """A lower bound or limit of a codeword's BLER at ``snr`` (linear) with its plot label:
        ``codeword`` is (information bits, channel uses). None where none is known."""
        return None
