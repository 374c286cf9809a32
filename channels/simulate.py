"""Monte-Carlo error counting for one SNR point of a :class:`~channels.digital.DigitalLink`.

A point runs batches of packets until the target number of errors is reached (bit errors for an
uncoded link, codeword errors for a coded one) or the cap on simulated payload bits is hit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

import torch

from channels.digital import DigitalLink
from channels.spec import snr_to_ebno_db


@dataclass
class PointResult:
    """Error counts of one SNR point. ``channel_uses`` is the total over all simulated packets."""

    snr_db: float
    ebno_db: float
    bits: int
    errors: int
    blocks: int
    block_errors: int
    channel_uses: int
    block_channel_uses: int

    @property
    def ber(self) -> float:
        return self.errors / self.bits if self.bits else float("nan")

    @property
    def bler(self) -> float:
        return self.block_errors / self.blocks if self.blocks else float("nan")

    def row(self) -> dict[str, float | int]:
        """A tidy CSV row."""
        return {**asdict(self), "ber": self.ber, "bler": self.bler}


def simulate_point(
    link: DigitalLink,
    channel: str,
    snr_db: float,
    generator: torch.Generator,
    *,
    packets_per_batch: int,
    target_errors: int,
    max_bits: int,
    fading_block: str = "codeword",
    csi_error_var: float = 0.0,
    on_batch: Callable[[PointResult], None] | None = None,
) -> PointResult:
    """Simulate packets of one codeword's payload (k bits minus the CRC) at ``snr_db``.

    Stops once ``target_errors`` errors are counted (codeword errors for an LDPC link, bit
    errors when uncoded) or ``max_bits`` payload bits were sent (at least one batch runs).
    """
    cfg = link.config
    payload = cfg.codeword_info_bits - cfg.crc_bits
    plan = link.plan(payload)
    result = PointResult(
        snr_db=snr_db,
        ebno_db=snr_to_ebno_db(snr_db, cfg.bits_per_symbol, cfg.rate),
        bits=0,
        errors=0,
        blocks=0,
        block_errors=0,
        channel_uses=0,
        block_channel_uses=plan.symbols_per_codeword,
    )
    while True:
        bits = torch.randint(0, 2, (packets_per_batch, payload), generator=generator)
        out = link.transmit(bits.float(), channel, snr_db, generator, fading_block=fading_block,
                            csi_error_var=csi_error_var)
        result.bits += bits.numel()
        result.errors += int(out.bit_errors.sum())
        result.blocks += out.codeword_errors.numel()
        result.block_errors += int(out.codeword_errors.sum())
        result.channel_uses += out.channel_uses * packets_per_batch
        if on_batch is not None:
            on_batch(result)
        counted = result.block_errors if cfg.code == "ldpc" else result.errors
        if counted >= target_errors or result.bits >= max_bits:
            return result
