"""3GPP TDL channels (TR 38.901, Sionna's ``tr38901.TDL``) seen through an OFDM resource grid.

Each packet (a view, a codeword stream) is sent on its own OFDM slots: a resource grid of 14
OFDM symbols x ``subcarriers`` (Sionna ``ResourceGrid``) with pilots on OFDM symbols 2 and 11 on
every subcarrier (Sionna's Kronecker pilot pattern, QPSK pilots drawn from a fixed seed), the
packet's symbols on the data resource elements frequency first, as 5G maps them, in as many
slots as they need. The packet's channel is one draw of the TDL model (a new draw per packet:
packets are far apart in time), its impulse response sampled at every OFDM symbol (Doppler) and
turned into the frequency response of each resource element (Sionna ``cir_to_ofdm_channel``,
cyclic prefix long enough, no inter-symbol interference). So after the FFT every data symbol
sees one complex gain, ``y = H[l, f] x + n``: the shared link (noise, scalar LMMSE equaliser,
demapper, decoder) runs unchanged with ``fading = "symbol"``.

Receiver CSI, the option ``csi``:

* ``perfect``: the receiver knows H at every data resource element;
* ``ls``: least-squares estimates at the pilots and linear interpolation across the grid
  (Sionna ``LSChannelEstimator(interpolation_type="lin")``), made at the SNR of the
  transmission from the pilots' own noise, with the estimator's error variance added to the
  noise of the equaliser (as Sionna's OFDM ``LMMSEEqualizer`` does).

Options in the channel name (``"tdl-c:delay_spread_ns=300,doppler_hz=100,csi=ls"``):
delay_spread_ns (default 100, TR 38.901's "nominal"), doppler_hz (maximum Doppler shift,
default 10; 0 = static over a packet), carrier_ghz (3.5), subcarriers (144: 12 resource
blocks), subcarrier_spacing_khz (30), csi (perfect). Channel uses count the data resource
elements; the pilots take 2 of every 14 OFDM symbols on top (``pilot_overhead``).

The PHY abstraction maps a codeword's per-resource-element SINRs to one effective SINR (EESM,
Sionna ``sys.EESM``; :mod:`channels.effective_sinr`), validated against this full link in
``benchmarks/bench_tdl_abstraction.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from channels.contract import Channel, Fading
from channels.errors import ChannelError, check_choice
from channels.registry import register_channel

if TYPE_CHECKING:
    import torch

SPEED_OF_LIGHT = 299_792_458.0
SLOT_SYMBOLS = 14
PILOT_SYMBOLS = (2, 11)
CSI_MODES = ("perfect", "ls")
SUBCARRIER_SPACINGS_KHZ = (15.0, 30.0, 60.0, 120.0)
CYCLIC_PREFIX = 0.07  # of the FFT length, 5G's normal cyclic prefix (144 / 2048)
CAPACITY_SAMPLES = 4096  # packets drawn (fixed seed) for the ergodic capacity
PILOT_SEED = 0  # the QPSK pilot symbols are drawn once from this seed, the same in every process


@dataclass(frozen=True)
class TdlConfig:
    """One TDL-over-OFDM channel (validated on construction)."""

    profile: str = "A"
    delay_spread_ns: float = 100.0
    doppler_hz: float = 10.0
    carrier_ghz: float = 3.5
    subcarriers: int = 144
    subcarrier_spacing_khz: float = 30.0
    csi: str = "perfect"

    def __post_init__(self) -> None:
        check_choice("TDL profile", self.profile, PROFILES)
        for name, low in (("delay_spread_ns", 0.0), ("carrier_ghz", 0.0)):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > low):
                raise ChannelError(f"TDL {name} must be a number > {low:g}, got {value!r}")
        if not (isinstance(self.doppler_hz, (int, float)) and math.isfinite(self.doppler_hz) and self.doppler_hz >= 0):
            raise ChannelError(f"TDL doppler_hz must be a number >= 0, got {self.doppler_hz!r}")
        if not (isinstance(self.subcarriers, int) and 12 <= self.subcarriers <= 3300):
            raise ChannelError(f"TDL subcarriers must be an integer in 12..3300, got {self.subcarriers!r}")
        check_choice("TDL subcarrier_spacing_khz", float(self.subcarrier_spacing_khz), SUBCARRIER_SPACINGS_KHZ)
        check_choice("TDL csi", self.csi, CSI_MODES)

    @classmethod
    def from_options(cls, profile: str, options: dict[str, str]) -> TdlConfig:
        """The config of ``profile`` with ``options`` (text values from a channel name)."""
        types = {f.name: f.type for f in fields(cls) if f.name != "profile"}
        values: dict[str, object] = {}
        for key, text in options.items():
            check_choice("TDL option", key, tuple(types))
            kind = types[key]
            try:
                values[key] = int(text) if kind == "int" else float(text) if kind == "float" else text.lower()
            except ValueError:
                raise ChannelError(f"TDL option {key}={text!r} is not a{'n integer' if kind == 'int' else ' number'}") from None
        return replace(cls(profile=profile), **values)

    @property
    def max_speed(self) -> float:
        """m/s of the terminal whose maximum Doppler shift is ``doppler_hz``."""
        return self.doppler_hz * SPEED_OF_LIGHT / (self.carrier_ghz * 1e9)


PROFILES = ("A", "B", "C", "D", "E")


def qpsk_pilots(shape: tuple[int, ...], seed: int) -> np.ndarray:
    """``shape`` complex64 QPSK symbols of unit power, (+-1 +-1j) / sqrt(2), drawn from ``seed``."""
    signs = 1 - 2 * np.random.default_rng(seed).integers(0, 2, size=(*shape, 2))
    return ((signs[..., 0] + 1j * signs[..., 1]) / np.sqrt(2)).astype(np.complex64)


class LsEstimate:
    """Least-squares channel estimates from the pilots of every slot of a transmission, made at
    the SNR of the call (see the module doc). Keeps the true gains and unit-variance noise at
    the pilots; :meth:`at` builds the received pilots ``h p + sqrt(N0) w`` and runs Sionna's
    LS estimator with linear interpolation."""

    def __init__(self, channel: TdlOfdm, grid_h: torch.Tensor, pilot_noise: torch.Tensor, length: int) -> None:
        self.channel, self.grid_h, self.pilot_noise, self.length = channel, grid_h, pilot_noise, length

    def at(self, snr_db, batch: int):
        import torch

        from channels.channel import noise_variance

        rows, slots = self.grid_h.shape[0], self.grid_h.shape[1]
        grid = self.channel._grid
        n0 = noise_variance(snr_db, batch).squeeze(1).repeat_interleave(slots)  # [B * S]
        h = self.grid_h.reshape(rows * slots, -1)
        y = torch.zeros_like(h)
        pilot = grid.pilot_index
        y[:, pilot] = h[:, pilot] * grid.pilots + torch.sqrt(n0).unsqueeze(1) * self.pilot_noise.reshape(rows * slots, -1)
        h_ls, error_var = grid.estimator(y.reshape(rows * slots, 1, 1, SLOT_SYMBOLS, -1), n0)
        take = grid.data_index
        h_ls = h_ls.reshape(rows, slots, -1)[:, :, take].reshape(rows, -1)[:, : self.length]
        error_var = error_var.reshape(rows, slots, -1)[:, :, take].reshape(rows, -1)[:, : self.length]
        return h_ls.to(torch.complex64), error_var.to(torch.float32)


@dataclass(frozen=True)
class _Grid:
    """The Sionna objects of one configuration, built once."""

    resource_grid: object
    estimator: object
    pilots: torch.Tensor  # [P] complex64 pilot symbols of one slot
    pilot_index: torch.Tensor  # [P] int64 resource elements (symbol-major) carrying pilots
    data_index: torch.Tensor  # [D] int64 resource elements carrying data, frequency first
    frequencies: torch.Tensor  # [F] float32 baseband subcarrier frequencies, Hz


class TdlOfdm(Channel):
    """A 3GPP TDL profile over an OFDM resource grid (see the module doc); one class per profile."""

    profile = "A"
    fading = "symbol"
    effective_sinr = True

    def __init__(self, config: TdlConfig | None = None) -> None:
        self.config = config or TdlConfig(profile=self.profile)

    @property
    def description(self) -> str:  # type: ignore[override]
        c = self.config
        return (f"3GPP TDL-{c.profile} (TR 38.901) over OFDM: {c.subcarriers} subcarriers at "
                f"{c.subcarrier_spacing_khz:g} kHz, delay spread {c.delay_spread_ns:g} ns, Doppler "
                f"{c.doppler_hz:g} Hz at {c.carrier_ghz:g} GHz, pilots on OFDM symbols 2 and 11, "
                f"{'perfect CSI' if c.csi == 'perfect' else 'LS estimation'}")

    def with_options(self, options):
        return type(self)(TdlConfig.from_options(self.profile, options))

    @property
    def pilot_overhead(self) -> float:
        """Pilot resource elements per data resource element (2 / 12)."""
        return len(PILOT_SYMBOLS) / (SLOT_SYMBOLS - len(PILOT_SYMBOLS))

    @property
    def data_per_slot(self) -> int:
        return (SLOT_SYMBOLS - len(PILOT_SYMBOLS)) * self.config.subcarriers

    @cached_property
    def _grid(self) -> _Grid:
        import torch
        from sionna.phy.channel import subcarrier_frequencies
        from sionna.phy.ofdm import LSChannelEstimator, ResourceGrid

        c = self.config
        rg = ResourceGrid(num_ofdm_symbols=SLOT_SYMBOLS, fft_size=c.subcarriers,
                          subcarrier_spacing=c.subcarrier_spacing_khz * 1e3,
                          cyclic_prefix_length=max(1, round(CYCLIC_PREFIX * c.subcarriers)),
                          pilot_pattern="kronecker", pilot_ofdm_symbol_indices=list(PILOT_SYMBOLS))
        # Sionna's Kronecker pattern draws its QPSK pilots from its global generator, so they
        # (and every LS estimate) would change from one process to the next: fixed ones instead
        rg.pilot_pattern.pilots = qpsk_pilots(tuple(rg.pilot_pattern.pilots.shape), PILOT_SEED)
        mask = rg.pilot_pattern.mask[0, 0].bool().flatten()  # [14 * F], symbol-major
        return _Grid(rg, LSChannelEstimator(rg, interpolation_type="lin"),
                     rg.pilot_pattern.pilots[0, 0].to(torch.complex64), mask.nonzero().squeeze(1),
                     (~mask).nonzero().squeeze(1), subcarrier_frequencies(c.subcarriers, c.subcarrier_spacing_khz * 1e3))

    @cached_property
    def _model(self):
        from sionna.phy.channel.tr38901 import TDL

        class SeededTDL(TDL):  # Sionna's TDL draws from config.torch_rng; this one from the caller's
            generator = None

            @property
            def torch_rng(self):
                return self.generator

        c = self.config
        return SeededTDL(c.profile, delay_spread=c.delay_spread_ns * 1e-9, carrier_frequency=c.carrier_ghz * 1e9,
                         min_speed=c.max_speed, max_speed=c.max_speed, precision="single")

    def grid_gains(self, batch: int, slots: int, generator: torch.Generator) -> torch.Tensor:
        """[batch, slots, 14 * F] complex64: the frequency response at every resource element of
        ``slots`` consecutive slots, one TDL draw per row."""
        import torch
        from sionna.phy.channel import cir_to_ofdm_channel

        grid, model = self._grid, self._model
        model.generator = generator
        try:
            a, tau = model(batch, slots * SLOT_SYMBOLS, 1.0 / grid.resource_grid.ofdm_symbol_duration)
        finally:
            model.generator = None
        h = cir_to_ofdm_channel(grid.frequencies, a, tau, normalize=False)  # [B, 1, 1, 1, 1, T, F]
        return h.reshape(batch, slots, -1).to(torch.complex64)

    def draw_gains(self, shape, generator, *, block_index=None, block_gains=None) -> Fading:
        batch, length = shape
        slots = max(1, math.ceil(length / self.data_per_slot))
        grid_h = self.grid_gains(batch, slots, generator)
        h = grid_h[:, :, self._grid.data_index].reshape(batch, -1)[:, :length]
        return Fading(h.contiguous(), state=grid_h)

    def draw_estimate(self, fading, generator):
        if self.config.csi == "perfect":
            return None
        from channels.contract import complex_normal

        grid_h = fading.state
        noise = complex_normal((grid_h.shape[0], grid_h.shape[1], len(self._grid.pilot_index)), generator)
        return LsEstimate(self, grid_h, noise, fading.h.shape[1])

    @cached_property
    def _capacity_gains(self) -> np.ndarray:
        """|H|^2 of 16 data resource elements spread over one slot of each of
        :data:`CAPACITY_SAMPLES` packets (fixed seed)."""
        import torch

        grid_h = self.grid_gains(CAPACITY_SAMPLES, 1, torch.Generator().manual_seed(0))
        data = self._grid.data_index
        picks = data[torch.linspace(0, len(data) - 1, 16).long()]
        return (grid_h[:, 0, picks].abs() ** 2).double().numpy().ravel()

    def capacity(self, snr):
        """Ergodic capacity E[log2(1 + snr |H|^2)] over the channel's resource elements
        (Monte Carlo, fixed seed; perfect CSI)."""
        snr = np.asarray(snr, dtype=float)
        gains = self._capacity_gains
        return np.vectorize(lambda s: float(np.mean(np.log2(1.0 + s * gains))))(snr)


def _profile_class(letter: str) -> type[TdlOfdm]:
    return type(f"Tdl{letter}", (TdlOfdm,), {"name": f"tdl-{letter.lower()}", "profile": letter,
                                             "__module__": __name__, "__qualname__": f"Tdl{letter}",
                                             "__doc__": f"3GPP TDL-{letter} over an OFDM resource grid."})


for _letter in PROFILES:
    register_channel(_profile_class(_letter))
