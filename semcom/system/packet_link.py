"""Packets of bits over the digital link, at bit level or through the PHY abstraction.

A packet is one view (its quantised latent, or its image file). Whatever the link mode, the
receiver keeps a packet only if its CRC passed, so both modes return the same thing: the
payload of every packet that arrived, a CRC flag and the exact channel uses of every packet
(CRC and padding included). Block fading is one gain per packet (per view), imposed through
``block_gains`` so that two schemes sending the same views see the same fading.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from channels.registry import abstraction_channels, get_channel
from channels.spec import LINK_MODES
from semcom.errors import SemcomError, check_choice

CODEWORD_INFO_BITS = 512  # bit-exact files are segmented into codewords of this size
MAX_CODEWORD_INFO_BITS = 8448  # 5G LDPC base graph 1
CRC_BITS = 24
TARGET_BLER = 0.1


def fitted_codeword_bits(payload_bits: int, crc_bits: int = CRC_BITS) -> int:
    """Information bits per codeword that carry a fixed-size packet (payload + CRC) in the
    fewest codewords of equal size, so that at most a few bits are padding."""
    total = payload_bits + crc_bits
    count = math.ceil(total / MAX_CODEWORD_INFO_BITS)
    return math.ceil(total / count)


def choose_mcs(name: str, snr_db: float, k: int = CODEWORD_INFO_BITS):
    """The MCS called ``name``, or for ``'auto'`` the most efficient one whose AWGN codeword
    BLER at ``snr_db`` is at most :data:`TARGET_BLER` (the most robust one if none is)."""
    from channels.abstraction import BlerTable
    from channels.mcs import MCS_TABLE, mcs_by_name

    if name != "auto":
        return mcs_by_name(name)
    return BlerTable.load(k).best_mcs(snr_db, TARGET_BLER) or MCS_TABLE[0]


@dataclass
class PacketOutcome:
    """payloads: list of P bit tensors [K_i] (None where the CRC failed); crc_ok: [P] bool;
    channel_uses: [P] int64 (exact, CRC and padding included); bit_errors: [P] int64 wrong
    decoded payload bits (simulation truth; None in the abstraction, which decodes nothing)."""

    payloads: list[torch.Tensor | None]
    crc_ok: torch.Tensor
    channel_uses: torch.Tensor
    bit_errors: torch.Tensor | None = None


class PacketLink:
    """Sends lists of bit packets with one MCS, in ``mode`` 'full' (Sionna LDPC decoding) or
    'abstraction' (codeword failures drawn from the BLER table)."""

    def __init__(self, mcs, mode: str = "full", k: int = CODEWORD_INFO_BITS):
        from channels.abstraction import AbstractLink, link_config
        from channels.digital import DigitalLink

        self.mode = check_choice("link mode", mode, LINK_MODES)
        self.mcs = mcs
        self.config = link_config(mcs, k)
        self._full = DigitalLink(self.config) if mode == "full" else None
        self._abstract = AbstractLink(mcs, k) if mode == "abstraction" else None

    def channel_uses(self, payload_bits: int) -> int:
        """Complex channel uses of one packet of ``payload_bits`` bits."""
        from channels.digital import plan_packet

        return plan_packet(self.config, payload_bits).channel_uses

    def send(
        self,
        packets: list[torch.Tensor],
        channel: str,
        snr_db: float,
        generator: torch.Generator,
        *,
        block_gains: torch.Tensor | None = None,
    ) -> PacketOutcome:
        """packets: P bit tensors [K_i] in {0, 1}; block_gains: [P, 1] complex64 (block fading)."""
        if not packets:
            empty = torch.zeros(0, dtype=torch.long)
            return PacketOutcome([], empty.bool(), empty, empty)
        if self._full is not None:
            out = self._full.transmit_packets(packets, channel, snr_db, generator,
                                              fading_block="packet", block_gains=block_gains)
            payloads = [b if ok else None for b, ok in zip(out.bits, out.crc_ok.tolist())]
            return PacketOutcome(payloads, out.crc_ok, out.channel_uses, out.bit_errors)
        return self._send_abstract(packets, channel, snr_db, generator, block_gains)

    def _send_abstract(self, packets, channel, snr_db, generator, block_gains) -> PacketOutcome:
        from channels import channel as ch

        model = get_channel(channel)
        if not model.supports_abstraction:
            raise SemcomError(f"the PHY abstraction needs one fading gain per codeword; allowed channels: "
                              f"{', '.join(abstraction_channels())} (use link_mode = 'full' for {channel})")
        count = len(packets)
        ok = torch.zeros(count, dtype=torch.bool)
        uses = torch.zeros(count, dtype=torch.long)
        groups: dict[int, list[int]] = {}
        for i, packet in enumerate(packets):
            groups.setdefault(packet.numel(), []).append(i)
        for length, members in groups.items():
            index = torch.tensor(members)
            plan = self._abstract.plan(length)
            shape = (len(members), plan.channel_uses)
            if model.fading == "none":  # nothing drawn: the same generator state as before
                realization = ch.noiseless_realization(channel, shape)
            else:
                gains = block_gains[index] if block_gains is not None else None
                realization = ch.draw_realization(channel, shape, generator, block_gains=gains)
            result = self._abstract.transmit(length, len(members), snr_db, generator, realization=realization)
            ok[index] = result.crc_ok
            uses[index] = result.channel_uses
        payloads = [p if good else None for p, good in zip(packets, ok.tolist())]
        return PacketOutcome(payloads, ok, uses)
