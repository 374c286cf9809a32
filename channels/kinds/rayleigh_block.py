"""Block Rayleigh fading: one h ~ CN(0, 1) per fading block (a codeword, a view or an object)."""

from __future__ import annotations

import math

from channels import limits
from channels.contract import Channel, Fading, complex_normal
from channels.errors import ChannelError
from channels.registry import register_channel


@register_channel
class RayleighBlock(Channel):
    name = "rayleigh-block"
    description = "one h ~ CN(0, 1) per fading block (codeword, view or object)"
    fading = "block"

    def draw_block_gains(self, batch, num_blocks, generator):
        return complex_normal((batch, num_blocks), generator)

    def draw_gains(self, shape, generator, *, block_index=None, block_gains=None) -> Fading:
        import torch

        batch, length = shape
        if block_index is None:  # one block per row: per transmitted packet
            block_index = torch.zeros(length, dtype=torch.long)
        block_index = block_index.to(torch.long).expand(batch, length)
        num_blocks = int(block_index.max()) + 1 if length else 1
        if block_gains is None:
            block_gains = self.draw_block_gains(batch, num_blocks, generator)
        if block_gains.shape[0] != batch or block_gains.shape[1] < num_blocks:
            raise ChannelError(
                f"block_gains of shape {tuple(block_gains.shape)} do not cover a batch of {batch}"
                f" with {num_blocks} fading blocks"
            )
        h = torch.gather(block_gains.to(torch.complex64), 1, block_index)
        return Fading(h, block_index, tuple(block_gains.shape))

    def capacity(self, snr):
        return limits.rayleigh_ergodic_capacity(snr)

    def bound_rate(self, snr, outage=0.01):
        # epsilon-outage capacity log2(1 + snr F^-1(eps)), |h|^2 ~ Exp(1): F^-1(eps) = -ln(1 - eps)
        return math.log2(1.0 + snr * -math.log1p(-outage))

    def outage_probability(self, rate, snr):
        return limits.rayleigh_outage_probability(rate, snr)

    def uncoded_ber(self, modulation, snr):
        return limits.uncoded_ber(modulation, snr, "rayleigh")

    def bler_bound(self, spectral_efficiency, codeword, snr):
        return self.outage_probability(spectral_efficiency, snr), "outage probability (BLER bound)"
