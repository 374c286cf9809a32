"""Fast Rayleigh fading: one h ~ CN(0, 1) per symbol (ideal interleaving)."""

from __future__ import annotations

from channels import limits
from channels.contract import Channel, Fading, complex_normal
from channels.registry import register_channel


@register_channel
class RayleighFast(Channel):
    name = "rayleigh-fast"
    description = "one h ~ CN(0, 1) per symbol"
    fading = "symbol"

    def draw_gains(self, shape, generator, *, block_index=None, block_gains=None) -> Fading:
        return Fading(complex_normal(shape, generator))

    def capacity(self, snr):
        return limits.rayleigh_ergodic_capacity(snr)

    def uncoded_ber(self, modulation, snr):
        return limits.uncoded_ber(modulation, snr, "rayleigh")
