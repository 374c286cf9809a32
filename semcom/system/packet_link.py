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

from channels.adaptation import TARGET_BLER
from channels.link import Link, PacketOutcome
from channels.spec import LINK_MODES
from semcom.errors import SemcomError, check_choice

__all__ = ["CsiLink", "PacketLink", "PacketOutcome", "choose_mcs", "fitted_codeword_bits", "make_link"]

CODEWORD_INFO_BITS = 512  # bit-exact files are segmented into codewords of this size
MAX_CODEWORD_INFO_BITS = 8448  # 5G LDPC base graph 1
CRC_BITS = 24
TARGET_BLER_K = CODEWORD_INFO_BITS  # the BLER table the link adaptation reads (k = 512)


def fitted_codeword_bits(payload_bits: int, crc_bits: int = CRC_BITS) -> int:
    """Information bits per codeword that carry a fixed-size packet (payload + CRC) in the
    fewest codewords of equal size, so that at most a few bits are padding."""
    total = payload_bits + crc_bits
    count = math.ceil(total / MAX_CODEWORD_INFO_BITS)
    return math.ceil(total / count)


def choose_mcs(name: str, snr_db: float, k: int = CODEWORD_INFO_BITS, channel: str = "awgn"):
    """The MCS called ``name``, or the one a policy without per-block CSI picks at ``snr_db``:
    ``auto``/``auto-awgn`` (AWGN BLER at the average SNR at most :data:`TARGET_BLER`) or
    ``auto-outage`` (BLER averaged over ``channel``'s fading): :mod:`channels.adaptation`."""
    from channels.adaptation import select_mcs

    return select_mcs(name, snr_db, channel, k, TARGET_BLER)


def make_link(mcs: str, channel: str, snr_db: float, mode: str = "full", k: int = CODEWORD_INFO_BITS,
              harq=None):
    """The digital link of a cell: one MCS (:class:`PacketLink`) or, for ``auto-csi``, one MCS
    per packet from its fading block's SNR (:class:`CsiLink`); ``harq``: a
    :class:`channels.harq.HarqConfig` (None: one transmission per packet)."""
    from channels.adaptation import policy_name

    if policy_name(mcs) == "auto-csi":
        from channels.registry import block_channels, get_channel

        if get_channel(channel).fading not in ("none", "block"):
            raise SemcomError(f"mcs = 'auto-csi' needs one fading gain per packet; allowed channels: "
                              f"{', '.join(block_channels())}")
        return CsiLink(mode, k, harq)
    return PacketLink(choose_mcs(mcs, snr_db, channel=channel), mode, k, harq)


class PacketLink:
    """The digital link of a sweep cell: one MCS, in ``mode`` 'full' (Sionna LDPC decoding,
    :class:`channels.digital.DigitalLink`) or 'abstraction' (codeword failures drawn from the
    BLER table, :class:`channels.abstraction.AbstractLink`); both have the one ``send`` of
    :mod:`channels.link`."""

    def __init__(self, mcs, mode: str = "full", k: int = CODEWORD_INFO_BITS, harq=None):
        from channels.abstraction import AbstractLink, link_config
        from channels.digital import DigitalLink

        self.mode = check_choice("link mode", mode, LINK_MODES)
        self.mcs = mcs
        self.config = link_config(mcs, k)
        self.link: Link = (DigitalLink(self.config, harq=harq) if mode == "full"
                           else AbstractLink(mcs, k, harq=harq))

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

    @property
    def mcs_label(self) -> str:
        """The MCS column of a results row."""
        return self.mcs.name


class CsiLink:
    """Link adaptation with per-block CSI (``auto-csi``): each packet (one fading block) is sent
    with the most efficient MCS whose BLER at that block's SNR meets :data:`TARGET_BLER`
    (:func:`channels.adaptation.csi_mcs`); packets of one MCS go together through one
    :class:`PacketLink`, groups in order of first appearance (same seed, same outcome)."""

    mcs_label = "auto-csi"

    def __init__(self, mode: str = "full", k: int = CODEWORD_INFO_BITS, harq=None):
        self.mode = check_choice("link mode", mode, LINK_MODES)
        self.k = k
        self.harq = harq
        self._links: dict[str, PacketLink] = {}

    def send(
        self,
        packets: list[torch.Tensor],
        channel: str,
        snr_db: float,
        generator: torch.Generator,
        *,
        block_gains: torch.Tensor | None = None,
    ) -> PacketOutcome:
        """As :meth:`PacketLink.send`; block_gains: [P, 1] complex64 (None: no fading)."""
        from channels.adaptation import csi_mcs, effective_snr_db
        from channels.link import empty_outcome

        if not packets:
            return empty_outcome()
        chosen = csi_mcs(effective_snr_db(snr_db, block_gains), TARGET_BLER_K, TARGET_BLER)
        if block_gains is None:
            chosen = chosen * len(packets)
        groups: dict[str, list[int]] = {}
        by_name = {}
        for i, mcs in enumerate(chosen):
            groups.setdefault(mcs.name, []).append(i)
            by_name[mcs.name] = mcs
        count = len(packets)
        payloads: list[torch.Tensor | None] = [None] * count
        ok = torch.zeros(count, dtype=torch.bool)
        uses = torch.zeros(count, dtype=torch.long)
        errors: torch.Tensor | None = torch.zeros(count, dtype=torch.long)
        for name, members in groups.items():
            if name not in self._links:
                self._links[name] = PacketLink(by_name[name], self.mode, self.k, self.harq)
            index = torch.tensor(members)
            gains = block_gains[index] if block_gains is not None else None
            out = self._links[name].send([packets[i] for i in members], channel, snr_db, generator,
                                         block_gains=gains)
            for row, i in enumerate(members):
                payloads[i] = out.payloads[row]
            ok[index], uses[index] = out.crc_ok, out.channel_uses
            errors = None if errors is None or out.bit_errors is None else errors.index_put((index,), out.bit_errors)
        return PacketOutcome(payloads, ok, uses, errors)
