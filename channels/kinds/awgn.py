"""AWGN: y = x + sqrt(N0) w, no fading (h = 1, nothing drawn)."""

from __future__ import annotations

import numpy as np

from channels import limits
from channels.contract import Channel, Fading
from channels.registry import register_channel


@register_channel
class Awgn(Channel):
    name = "awgn"
    description = "additive white Gaussian noise"
    fading = "none"

    def draw_gains(self, shape, generator, *, block_index=None, block_gains=None) -> Fading:
        import torch

        return Fading(torch.ones(shape, dtype=torch.complex64))

    def capacity(self, snr):
        return limits.awgn_capacity(snr)

    def uncoded_ber(self, modulation, snr):
        return limits.uncoded_ber(modulation, snr, "awgn")

    def shannon_limit_db(self, spectral_efficiency):
        return limits.capacity_snr_db(spectral_efficiency)

    def bler_bound(self, spectral_efficiency, codeword, snr):
        if codeword is None:
            return None
        k, uses = codeword
        return (limits.awgn_normal_approximation_bler(k, uses, np.asarray(snr)),
                f"BLER normal approximation (k={k}, n={uses} uses)")
