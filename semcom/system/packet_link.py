"""Packets of bits over the digital link, at bit level or through the PHY abstraction.

A packet is one view (its quantised latent, or its image file). Whatever the link mode, the
receiver keeps a packet only if its CRC passed, so both modes return the same thing: the
payload of every packet that arrived, a CRC flag and the exact channel uses of every packet
(CRC and padding included). Block fading is one gain per packet (per view), imposed through
``block_gains`` so that two schemes sending the same views see the same fading.
"""

from __future__ import annotations

import math

import torch

from channels.link import Link, PacketOutcome
from channels.spec import LINK_MODES
from semcom.errors import check_choice

__all__ = ["PacketLink", "PacketOutcome", "choose_mcs", "fitted_codeword_bits"]

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


class PacketLink:
    """The digital link of a sweep cell: one MCS, in ``mode`` 'full' (Sionna LDPC decoding,
    :class:`channels.digital.DigitalLink`) or 'abstraction' (codeword failures drawn from the
    BLER table, :class:`channels.abstraction.AbstractLink`); both have the one ``send`` of
    :mod:`channels.link`."""

    def __init__(self, mcs, mode: str = "full", k: int = CODEWORD_INFO_BITS):
        from channels.abstraction import AbstractLink, link_config
        from channels.digital import DigitalLink

        self.mode = check_choice("link mode", mode, LINK_MODES)
        self.mcs = mcs
        self.config = link_config(mcs, k)
        self.link: Link = DigitalLink(self.config) if mode == "full" else AbstractLink(mcs, k)

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
        return self.link.send(packets, channel, snr_db, generator, block_gains=block_gains)
