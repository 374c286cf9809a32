"""Digital link: bits -> CRC -> 5G LDPC -> QAM -> channel -> equalise -> demap -> decode.

One row of ``bits: [B, K]`` is one packet (e.g. one view's quantised latent). Per packet:

1. a CRC (default CRC24A, Sionna ``CRCEncoder``) is appended: K + 24 bits;
2. the stream is zero-padded to C = ceil((K + crc) / k) codewords of exactly k information bits
   (a fixed k keeps the PHY-abstraction tables exact; the padding is counted);
3. each codeword is LDPC-encoded (Sionna ``LDPC5GEncoder``) to n = m ceil(k / (R m)) bits, so a
   codeword fills n / m whole symbols (m bits per symbol), scrambled with a fixed pseudo-random
   sequence (Sionna ``Scrambler``, as 5G does after rate matching: without it padding or long
   runs of equal bits would map to a few constellation points and the average symbol energy
   would drift from 1) and mapped to Gray QAM (Sionna ``Mapper``; BPSK is 1-bit PAM);
4. symbols go through the channel (:mod:`channels.channel`), are equalised with perfect CSI and
   demapped with the per-symbol effective noise (Sionna ``Demapper``, APP LLRs) and
   descrambled (LLR sign flips, Sionna ``Descrambler``);
5. codewords are decoded (Sionna ``LDPC5GDecoder``, hard output), padding is dropped and the
   CRC is checked: ``crc_ok: [B]``.

Channel uses per packet = C n / m, exactly (CRC and padding included); see :class:`LinkPlan`.
With ``code='none'`` step 3 is skipped (n = k rounded up to a multiple of m).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import torch

from channels import channel as ch
from channels.errors import ChannelError, check_choice
from channels.harq import HarqConfig, transmit_harq
from channels.link import PacketOutcome, empty_outcome, group_by_length
from channels.spec import (
    bits_per_symbol,
    check_block_len,
    codeword_bits,
    parse_rate,
)

SCRAMBLING_SEED = 0x5EC0  # fixed: transmitter and receiver share the sequence
CRC_BITS = {"CRC24A": 24, "CRC24B": 24, "CRC24C": 24, "CRC16": 16, "CRC11": 11, "CRC6": 6}
FADING_BLOCKS = ("codeword", "packet")


@dataclass(frozen=True)
class DigitalLinkConfig:
    """Link settings (validated on construction).

    modulation:          bpsk | qpsk | qam16 | qam64 | qam256
    code:                'ldpc' (5G LDPC) or 'none' (uncoded)
    rate:                LDPC code rate, 1/5 to 948/1024, e.g. '2/3' or 0.5 (set to 1 when uncoded)
    codeword_info_bits:  k, information bits per codeword (12 to 8448)
    crc:                 CRC appended to each packet, or None
    num_iter:            LDPC belief-propagation iterations
    decode_batch:        codewords decoded per call (Sionna's decoder is fastest at 10-100)
    """

    modulation: str = "qpsk"
    code: str = "ldpc"
    rate: float = 0.5
    codeword_info_bits: int = 512
    crc: str | None = "CRC24A"
    num_iter: int = 20
    decode_batch: int = 100

    def __post_init__(self) -> None:
        bits_per_symbol(self.modulation)
        check_choice("code", self.code, ("ldpc", "none"))
        # an uncoded link has rate 1; keep the field a float either way
        object.__setattr__(self, "rate", parse_rate(self.rate) if self.code == "ldpc" else 1.0)
        check_block_len(self.codeword_info_bits)
        if self.crc is not None:
            check_choice("CRC", self.crc, CRC_BITS)
        if self.num_iter < 1 or self.decode_batch < 1:
            raise ChannelError("num_iter and decode_batch must be positive")

    @property
    def bits_per_symbol(self) -> int:
        return bits_per_symbol(self.modulation)

    @property
    def coded_bits(self) -> int:
        """n: coded bits per codeword (a multiple of the bits per symbol)."""
        return codeword_bits(self.codeword_info_bits, self.rate, self.bits_per_symbol)

    @property
    def crc_bits(self) -> int:
        return CRC_BITS[self.crc] if self.crc else 0


@dataclass(frozen=True)
class LinkPlan:
    """Exact accounting of one packet of ``payload_bits`` bits (all counts per packet)."""

    payload_bits: int
    crc_bits: int
    num_codewords: int
    info_bits_per_codeword: int
    coded_bits_per_codeword: int
    bits_per_symbol: int

    @property
    def padding_bits(self) -> int:
        return self.num_codewords * self.info_bits_per_codeword - self.payload_bits - self.crc_bits

    @property
    def symbols_per_codeword(self) -> int:
        return self.coded_bits_per_codeword // self.bits_per_symbol

    @property
    def channel_uses(self) -> int:
        """Complex channel uses of the packet, CRC and padding included."""
        return self.num_codewords * self.symbols_per_codeword

    @property
    def codeword_of_symbol(self) -> torch.Tensor:
        """[channel_uses] int64: the codeword each transmitted symbol belongs to."""
        return torch.arange(self.num_codewords).repeat_interleave(self.symbols_per_codeword)


def plan_packet(config: DigitalLinkConfig, payload_bits: int) -> LinkPlan:
    """The :class:`LinkPlan` of a packet of ``payload_bits`` bits under ``config``."""
    if payload_bits < 1:
        raise ChannelError(f"a packet needs at least one bit, got {payload_bits}")
    k = config.codeword_info_bits
    return LinkPlan(
        payload_bits=payload_bits,
        crc_bits=config.crc_bits,
        num_codewords=math.ceil((payload_bits + config.crc_bits) / k),
        info_bits_per_codeword=k,
        coded_bits_per_codeword=config.coded_bits,
        bits_per_symbol=config.bits_per_symbol,
    )


@dataclass(frozen=True)
class _Blocks:
    """The Sionna blocks of one configuration (built once, cached)."""

    crc_encoder: object | None
    crc_decoder: object | None
    encoder: object | None
    decoder: object | None
    scrambler: object
    descrambler: object
    mapper: object
    demapper: object


@lru_cache(maxsize=32)
def _sionna_blocks(config: DigitalLinkConfig) -> _Blocks:
    from sionna.phy.fec.crc import CRCDecoder, CRCEncoder
    from sionna.phy.fec.ldpc import LDPC5GDecoder, LDPC5GEncoder
    from sionna.phy.fec.scrambling import Descrambler, Scrambler
    from sionna.phy.mapping import Demapper, Mapper

    m = config.bits_per_symbol
    kind = "pam" if config.modulation == "bpsk" else "qam"
    crc_enc = CRCEncoder(config.crc) if config.crc else None
    crc_dec = CRCDecoder(crc_enc) if crc_enc is not None else None
    enc = dec = None
    if config.code == "ldpc":
        try:
            enc = LDPC5GEncoder(config.codeword_info_bits, config.coded_bits, num_bits_per_symbol=m)
        except ValueError as err:
            raise ChannelError(
                f"5G LDPC does not support k={config.codeword_info_bits}, n={config.coded_bits}"
                f" (rate {config.rate:.3f}): {err}"
            ) from None
        dec = LDPC5GDecoder(enc, num_iter=config.num_iter, hard_out=True, return_infobits=True)
    sequence = torch.randint(
        0, 2, (config.coded_bits,), generator=torch.Generator().manual_seed(SCRAMBLING_SEED)
    ).to(torch.float32)
    scrambler = Scrambler(sequence=sequence, binary=True)
    descrambler = Descrambler(scrambler, binary=False)
    return _Blocks(
        crc_enc, crc_dec, enc, dec, scrambler, descrambler, Mapper(kind, m), Demapper("app", kind, m)
    )


@lru_cache(maxsize=32)
def _ir_decoder(config: DigitalLinkConfig):
    """Sionna's LDPC5GDecoder in HARQ mode (combines redundancy versions) for ``config``."""
    from sionna.phy.fec.ldpc import LDPC5GDecoder

    encoder = _sionna_blocks(config).encoder
    return LDPC5GDecoder(encoder, num_iter=config.num_iter, hard_out=True, return_infobits=True, harq_mode=True)


@dataclass
class TxFrame:
    """What the transmitter sends for a batch of packets.

    info:    [B, C * k] float32, CRC-appended and padded information stream (what is encoded)
    symbols: [B, C * n / m] complex64, unit average energy
    plan:    the accounting of one packet
    """

    info: torch.Tensor
    symbols: torch.Tensor
    plan: LinkPlan


@dataclass
class LinkResult:
    """What the receiver gets back for a batch of packets.

    bits:            [B, K] float32 in {0, 1}, decoded payload
    crc_ok:          [B] bool, packet CRC passed (all True when the link has no CRC)
    codeword_errors: [B, C] bool, codeword decoded with at least one wrong information bit
                     (simulation truth, not known to a real receiver)
    bit_errors:      [B] int64, wrong payload bits per packet (simulation truth)
    channel_uses:    complex channel uses per packet
    """

    bits: torch.Tensor
    crc_ok: torch.Tensor
    codeword_errors: torch.Tensor
    bit_errors: torch.Tensor
    channel_uses: int
    plan: LinkPlan = field(repr=False)


@dataclass
class PacketResults:
    """Outcome of :meth:`DigitalLink.transmit_packets` for P packets of any lengths.

    bits:         list of P tensors [K_i] float32, decoded payloads
    crc_ok:       [P] bool
    channel_uses: [P] int64, complex channel uses of each packet (CRC and padding included)
    bit_errors:   [P] int64 (simulation truth)
    """

    bits: list[torch.Tensor]
    crc_ok: torch.Tensor
    channel_uses: torch.Tensor
    bit_errors: torch.Tensor


class DigitalLink:
    """CRC + 5G LDPC + QAM over a flat channel; the SNR and the channel are given per call."""

    def __init__(self, config: DigitalLinkConfig | None = None, harq: HarqConfig | None = None) -> None:
        self.harq = harq  # chase-combining HARQ of send / transmit_packets (None: one transmission)
        self.config = config or DigitalLinkConfig()
        self._blocks = _sionna_blocks(self.config)

    def plan(self, payload_bits: int) -> LinkPlan:
        return plan_packet(self.config, payload_bits)

    def _info(self, bits: torch.Tensor) -> tuple[torch.Tensor, LinkPlan]:
        """bits: [B, K] -> (CRC-appended, zero-padded stream [B, C * k], plan)."""
        if bits.dim() != 2:
            raise ChannelError(f"bits must be [B, K], got shape {tuple(bits.shape)}")
        plan = self.plan(bits.shape[1])
        info = bits.to(torch.float32)
        if self._blocks.crc_encoder is not None:
            info = self._blocks.crc_encoder(info)
        if plan.padding_bits:
            info = torch.nn.functional.pad(info, (0, plan.padding_bits))
        return info, plan

    def _modulate(self, coded: torch.Tensor, batch: int) -> torch.Tensor:
        """coded: [B * C, n] codeword bits -> [B, C * n / m] scrambled QAM symbols."""
        return self._blocks.mapper(self._blocks.scrambler(coded).reshape(batch, -1))

    def encode(self, bits: torch.Tensor) -> TxFrame:
        """bits: [B, K] in {0, 1} -> :class:`TxFrame` (CRC, padding, LDPC, QAM)."""
        blocks, cfg = self._blocks, self.config
        info, plan = self._info(bits)
        words = info.reshape(-1, cfg.codeword_info_bits)
        coded = blocks.encoder(words) if blocks.encoder is not None else words
        pad_sym = cfg.coded_bits - coded.shape[1]
        if pad_sym:  # uncoded only: fill the last symbol of each codeword
            coded = torch.nn.functional.pad(coded, (0, pad_sym))
        return TxFrame(info=info, symbols=self._modulate(coded, bits.shape[0]), plan=plan)

    def encode_versions(self, bits: torch.Tensor, rvs: list[int]) -> tuple[TxFrame, list[torch.Tensor]]:
        """bits: [B, K] -> (the frame of redundancy version 0, the symbols [B, S] of every
        redundancy version in ``rvs``): the 5G rate matching reads n bits of each codeword from
        the mother code's circular buffer at the start of each version (Sionna
        ``LDPC5GEncoder(..., rv=...)``), so every version has the same length."""
        if self._blocks.encoder is None:
            raise ChannelError("incremental redundancy needs the LDPC code (code = 'ldpc')")
        info, plan = self._info(bits)
        coded = self._blocks.encoder(info.reshape(-1, self.config.codeword_info_bits), rv=list(rvs))  # [B C, R, n]
        versions = [self._modulate(coded[:, i], bits.shape[0]) for i in range(len(rvs))]
        return TxFrame(info=info, symbols=versions[0], plan=plan), versions

    def llrs(self, y: torch.Tensor, realization: ch.ChannelRealization, snr_db: float | torch.Tensor) -> torch.Tensor:
        """y: [B, S] received symbols -> descrambled LLRs [B * C, n] of every codeword."""
        x_hat, no_eff = ch.equalize(y, realization, snr_db, "zf")  # = unbiased LMMSE (SISO)
        return self.demap(x_hat, no_eff)

    def demap(self, x_hat: torch.Tensor, no_eff: torch.Tensor) -> torch.Tensor:
        """Equalised symbols [B, S] and their noise variance -> descrambled LLRs [B * C, n]."""
        blocks, cfg = self._blocks, self.config
        return blocks.descrambler(blocks.demapper(x_hat, no_eff).reshape(-1, cfg.coded_bits))

    def decode_llrs(
        self, llr: torch.Tensor, plan: LinkPlan, batch: int, rvs: list[int] | None = None
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """LLRs [B * C, n] -> (bits [B, K], crc_ok [B], info_hat [B, C * k]); with ``rvs``, the
        LLRs [B * C, R, n] of the redundancy versions ``rvs`` received so far, combined by the
        decoder in HARQ mode (incremental redundancy)."""
        blocks, cfg = self._blocks, self.config
        if rvs is not None:
            decoder = _ir_decoder(cfg)
            words = torch.cat([decoder(part, rv=list(rvs)) for part in llr.split(cfg.decode_batch)])
        elif blocks.decoder is not None:
            words = torch.cat([blocks.decoder(part) for part in llr.split(cfg.decode_batch)])
        else:
            words = (llr[:, : cfg.codeword_info_bits] > 0).to(torch.float32)
        info_hat = words.reshape(batch, -1)
        stream = info_hat[:, : plan.payload_bits + plan.crc_bits]
        if blocks.crc_decoder is not None:
            bits, ok = blocks.crc_decoder(stream)
            ok = ok.reshape(batch)
        else:
            bits, ok = stream, torch.ones(batch, dtype=torch.bool)
        return bits, ok, info_hat

    def decode(
        self,
        y: torch.Tensor,
        realization: ch.ChannelRealization,
        snr_db: float | torch.Tensor,
        plan: LinkPlan,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """y: [B, S] received symbols -> (bits [B, K], crc_ok [B], info_hat [B, C * k])."""
        return self.decode_llrs(self.llrs(y, realization, snr_db), plan, y.shape[0])

    def draw_realization(
        self,
        kind: str,
        batch: int,
        payload_bits: int,
        generator: torch.Generator,
        *,
        fading_block: str = "codeword",
        block_gains: torch.Tensor | None = None,
        csi_error_var: float = 0.0,
    ) -> ch.ChannelRealization:
        """Channel realisation for ``batch`` packets of ``payload_bits`` bits.

        fading_block: ``'codeword'`` (one h per codeword) or ``'packet'`` (one h per packet,
        e.g. per view); pass ``block_gains`` [B, 1] (or [B, C]) to impose the gains, e.g. one h
        per object shared by all its views. ``csi_error_var`` > 0: imperfect receiver CSI (see
        :func:`channels.channel.draw_realization`).
        """
        check_choice("fading block", fading_block, FADING_BLOCKS)
        plan = self.plan(payload_bits)
        index = plan.codeword_of_symbol if fading_block == "codeword" else None
        return ch.draw_realization(
            kind, (batch, plan.channel_uses), generator, block_index=index, block_gains=block_gains,
            csi_error_var=csi_error_var,
        )

    def transmit(
        self,
        bits: torch.Tensor,
        channel: str,
        snr_db: float | torch.Tensor,
        generator: torch.Generator,
        *,
        realization: ch.ChannelRealization | None = None,
        fading_block: str = "codeword",
        csi_error_var: float = 0.0,
    ) -> LinkResult:
        """Send ``bits: [B, K]`` over ``channel`` at ``snr_db`` (float or [B]); see module doc.

        A given ``realization`` (from :meth:`draw_realization`) is used as is, so two links can
        share fading and noise; otherwise one is drawn from ``generator``.
        """
        tx = self.encode(bits)
        if realization is None:
            realization = self.draw_realization(
                channel, bits.shape[0], bits.shape[1], generator, fading_block=fading_block,
                csi_error_var=csi_error_var,
            )
        y = ch.apply(tx.symbols, realization, snr_db)
        bits_hat, ok, info_hat = self.decode(y, realization, snr_db, tx.plan)
        plan = tx.plan
        wrong = info_hat != tx.info
        return LinkResult(
            bits=bits_hat,
            crc_ok=ok,
            codeword_errors=wrong.reshape(bits.shape[0], plan.num_codewords, -1).any(-1),
            bit_errors=(bits_hat != bits).sum(1),
            channel_uses=plan.channel_uses,
            plan=plan,
        )

    def transmit_packets(
        self,
        packets: list[torch.Tensor],
        channel: str,
        snr_db: float | torch.Tensor,
        generator: torch.Generator,
        *,
        fading_block: str = "packet",
        block_gains: torch.Tensor | None = None,
    ) -> PacketResults:
        """Send P packets of possibly different lengths (e.g. one per view, codec output).

        packets:     list of [K_i] bit tensors
        snr_db:      float or [P] (one SNR per packet)
        block_gains: [P, NB] complex64 fading gains to impose (block fading), e.g. one h per
                     view shared with another link, or the same h for all views of an object;
                     NB >= 1 for ``fading_block='packet'``, >= codewords for ``'codeword'``
        Packets of equal length are sent together, groups in order of first appearance, so the
        same generator state gives the same result.
        """
        count = len(packets)
        snr = torch.as_tensor(snr_db, dtype=torch.float32)
        snr = snr.expand(count) if snr.dim() == 0 else snr
        if snr.shape != (count,):
            raise ChannelError(f"snr_db must be a number or one value per packet ({count})")
        if block_gains is not None and block_gains.shape[0] != count:
            raise ChannelError(f"block_gains must have one row per packet ({count})")
        for i, packet in enumerate(packets):
            if packet.dim() != 1:
                raise ChannelError(f"packet {i} must be a 1-D bit tensor, got {tuple(packet.shape)}")
        groups = group_by_length(packets)
        bits_out: list[torch.Tensor | None] = [None] * count
        ok = torch.zeros(count, dtype=torch.bool)
        uses = torch.zeros(count, dtype=torch.long)
        errors = torch.zeros(count, dtype=torch.long)
        for length, members in groups.items():
            index = torch.tensor(members)
            batch = torch.stack([packets[i].to(torch.float32) for i in members])
            gains = block_gains[index] if block_gains is not None else None
            if self.harq is not None and self.harq.max_transmissions > 1:
                out = transmit_harq(self, batch, channel, snr[index], generator, self.harq, block_gains=gains,
                                    fading_block=fading_block)
            else:
                real = self.draw_realization(
                    channel, len(members), length, generator, fading_block=fading_block, block_gains=gains
                )
                out = self.transmit(batch, channel, snr[index], generator, realization=real)
            for row, i in enumerate(members):
                bits_out[i] = out.bits[row]
            ok[index], uses[index], errors[index] = out.crc_ok, out.channel_uses, out.bit_errors
        return PacketResults(bits_out, ok, uses, errors)  # type: ignore[arg-type]

    def send(
        self,
        packets: list[torch.Tensor],
        channel: str,
        snr_db: float,
        generator: torch.Generator,
        *,
        block_gains: torch.Tensor | None = None,
    ) -> PacketOutcome:
        """The one link interface (:mod:`channels.link`): one fading block per packet, payloads
        of failed packets dropped."""
        if not packets:
            return empty_outcome()
        out = self.transmit_packets(packets, channel, snr_db, generator, fading_block="packet",
                                    block_gains=block_gains)
        payloads = [b if ok else None for b, ok in zip(out.bits, out.crc_ok.tolist())]
        return PacketOutcome(payloads, out.crc_ok, out.channel_uses, out.bit_errors)
