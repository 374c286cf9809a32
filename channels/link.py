"""The one link interface: every link sends a list of packets and says what arrived.

The digital link (:class:`channels.digital.DigitalLink`: CRC + 5G LDPC + QAM, decoded), its PHY
abstraction (:class:`channels.abstraction.AbstractLink`: codeword failures drawn from BLER
tables) and the analog link (:class:`channels.analog.AnalogLink`: real values straight onto
symbols) all take::

    outcome = link.send(packets, channel, snr_db, generator, block_gains=gains)

packets:     P tensors [K_i] (bits in {0, 1} for the digital links; real values for the analog one)
channel:     a registered channel name (:mod:`channels.registry`)
snr_db:      Es/N0 per complex symbol, dB
generator:   every draw of the call (fading, noise, codeword failures)
block_gains: [P, 1] complex64, one fading gain per packet to impose (block fading), so that two
             links sending the same views see the same fading
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import torch


@dataclass
class PacketOutcome:
    """What the receiver keeps of P packets.

    payloads:     P tensors (None where the packet's CRC failed; the analog link has no CRC)
    crc_ok:       [P] bool
    channel_uses: [P] int64, exact complex channel uses of each packet (CRC and padding included)
    bit_errors:   [P] int64 wrong payload bits (simulation truth), or None where nothing is
                  decoded (the abstraction) or nothing is bits (the analog link)
    snr_db:       [P] float32 the SNR each packet was received at as the receiver knows it with
                  perfect CSI (the nominal SNR times the packet's mean fading power |h|^2), or
                  None where a link does not report it (the digital links)
    """

    payloads: list[torch.Tensor | None]
    crc_ok: torch.Tensor
    channel_uses: torch.Tensor
    bit_errors: torch.Tensor | None = None
    snr_db: torch.Tensor | None = None


class Link(Protocol):
    """Anything with the one ``send`` of this module."""

    def send(
        self,
        packets: list[torch.Tensor],
        channel: str,
        snr_db: float,
        generator: torch.Generator,
        *,
        block_gains: torch.Tensor | None = None,
    ) -> PacketOutcome: ...


def empty_outcome() -> PacketOutcome:
    """The outcome of sending no packet."""
    import torch

    empty = torch.zeros(0, dtype=torch.long)
    return PacketOutcome([], empty.bool(), empty, empty)


def group_by_length(packets: list[torch.Tensor]) -> dict[int, list[int]]:
    """Packet indices grouped by length, groups in order of first appearance (packets of one
    length are sent as one batch, so the same generator state gives the same result)."""
    groups: dict[int, list[int]] = {}
    for i, packet in enumerate(packets):
        groups.setdefault(packet.numel(), []).append(i)
    return groups
