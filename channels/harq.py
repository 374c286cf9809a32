"""HARQ: a packet whose CRC fails is sent again, up to ``max_transmissions`` times in all, and
the receiver combines every transmission before decoding again.

Two ways of combining (``combining``):

* ``"chase"``: every retransmission is the same codeword, and combining copies that saw
  independent noise (and, with ``fading = "new"``, independent fading) by maximum-ratio
  combining makes their SNRs add. Full link and PHY abstraction.
* ``"ir"``, incremental redundancy as 5G NR sends it: transmission i carries redundancy version
  0, 2, 3, 1, 0, ... of each codeword (n bits read from the 5G LDPC mother code's circular
  buffer at the version's start, Sionna ``LDPC5GEncoder(...)(bits, rv=[...])``), so later
  transmissions add parity bits the first did not send; the receiver keeps the LLRs of every
  version and decodes them together (Sionna ``LDPC5GDecoder(..., harq_mode=True)``). The PHY
  abstraction accumulates mutual information over the circular buffer's positions
  (:class:`_IrAccumulator`) and reads the AWGN table at the SNR where one transmission carries
  as much; checked against the full link in ``benchmarks/bench_harq_abstraction.py``.

Two views of the same protocol:

* the full link (:func:`transmit_harq`): every round is simulated; the receiver combines the
  copies' symbols by maximum-ratio combining (sum of conj(h_i) y_i over sum of |h_i|^2, noise
  N0 / sum |h_i|^2; with estimated gains each copy weighs N0 / (N0 + its error variance)) and
  decodes again; a packet stops at its first round whose CRC passes.
  Adding the copies' LLRs instead is not the same for 16- and 64-QAM (the per-copy bit LLRs
  are not additive): at 10 dB block Rayleigh it left 31.8 % of 64-QAM 2/3 packets lost after
  four copies where the SNR-adding abstraction predicts 20.8 % (600 packets each);
* the PHY abstraction (:func:`abstract_harq`): the combined SNR of a codeword after r rounds is
  10 log10(sum_i 10^(SNR_i / 10)), its residual BLER that of the AWGN table there (on channels
  mapped through an effective SINR, the copies' SINRs add per symbol and the EESM of the sums
  is the combined SNR); one uniform u
  per codeword decides the round it decodes (the first where BLER_r <= u), so the residual BLER
  after r rounds is BLER_r exactly, and a packet decodes when its last codeword does.

Channel uses count every transmission actually sent: rounds x the packet's channel uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import torch

from channels import channel as ch
from channels.effective_sinr import effective_snr_db, uses_effective_sinr
from channels.errors import ChannelError, check_choice
from channels.registry import get_channel
from channels.spec import HARQ_COMBINING, HARQ_FADING

if TYPE_CHECKING:
    from channels.abstraction import AbstractLink
    from channels.digital import DigitalLink

MAX_TRANSMISSIONS = 16
REDUNDANCY_VERSIONS = (0, 2, 3, 1)  # the order 5G NR sends them in
IR_MI_EFFICIENCY = 0.83  # weight of the mutual information of positions the first version did not send


@dataclass(frozen=True)
class HarqConfig:
    """max_transmissions: transmissions of a packet at most (1 = no HARQ); fading: ``"new"``
    (each retransmission sees a new draw of the channel: time diversity) or ``"same"`` (the gains
    of the first transmission again, new noise); combining: ``"chase"`` (the same codeword
    again) or ``"ir"`` (incremental redundancy, redundancy versions 0, 2, 3, 1)."""

    max_transmissions: int = 4
    fading: str = "new"
    combining: str = "chase"

    def __post_init__(self) -> None:
        if not isinstance(self.max_transmissions, int) or not 1 <= self.max_transmissions <= MAX_TRANSMISSIONS:
            raise ChannelError(f"HARQ max_transmissions must be an integer in 1..{MAX_TRANSMISSIONS}, "
                               f"got {self.max_transmissions!r}")
        check_choice("HARQ fading", self.fading, HARQ_FADING)
        check_choice("HARQ combining", self.combining, HARQ_COMBINING)

    @property
    def redundancy_versions(self) -> list[int]:
        """Redundancy version of each transmission: 0, 2, 3, 1, 0, ... (TS 38.321)."""
        return [REDUNDANCY_VERSIONS[i % len(REDUNDANCY_VERSIONS)] for i in range(self.max_transmissions)]


@dataclass
class HarqResult:
    """bits: [B, K] decoded payloads (from the round that passed, else the last); crc_ok: [B];
    rounds: [B] int64 transmissions sent; channel_uses: [B] int64 (rounds x uses per copy);
    bit_errors: [B] int64 (simulation truth; None in the abstraction)."""

    bits: torch.Tensor | None
    crc_ok: torch.Tensor
    rounds: torch.Tensor
    channel_uses: torch.Tensor
    bit_errors: torch.Tensor | None


def _first_gains(real: ch.ChannelRealization, blocks: int) -> torch.Tensor:
    """[B, blocks] gains of a realisation with ``blocks`` equal-length fading blocks per row."""
    batch, length = real.h.shape
    return real.h.reshape(batch, blocks, length // blocks)[:, :, 0]


def check_harq_fading(channel: str, fading: str) -> None:
    """``fading = "same"`` re-uses one gain per fading block: refused (one line) on channels
    whose gains vary within a packet."""
    model = get_channel(channel)
    if fading == "same" and model.fading == "symbol":
        raise ChannelError(f"HARQ fading 'same' re-uses the block gains of the first transmission; channel "
                           f"{channel!r} has no fading blocks (its gains vary per symbol): use harq_fading = 'new'")


def _next_realization(channel: str, first: ch.ChannelRealization, shape, generator, harq: HarqConfig,
                      block_index: torch.Tensor | None, blocks: int) -> ch.ChannelRealization:
    gains = _first_gains(first, blocks) if harq.fading == "same" else None
    return ch.draw_realization(channel, shape, generator, block_index=block_index, block_gains=gains)


def transmit_harq(
    link: DigitalLink,
    bits: torch.Tensor,
    channel: str,
    snr_db: float | torch.Tensor,
    generator: torch.Generator,
    harq: HarqConfig,
    *,
    block_gains: torch.Tensor | None = None,
    fading_block: str = "packet",
) -> HarqResult:
    """Send ``bits: [B, K]`` with HARQ over the full link (see the module doc); block_gains:
    [B, NB] gains of the first transmission (shared with other links)."""
    check_harq_fading(channel, harq.fading)
    ir = harq.combining == "ir"
    rvs = harq.redundancy_versions
    if ir:  # transmission r sends redundancy version rvs[r]
        tx, versions = link.encode_versions(bits, rvs)
    else:  # every transmission sends the same codeword
        tx = link.encode(bits)
        versions = [tx.symbols] * harq.max_transmissions
    plan = tx.plan
    batch = bits.shape[0]
    first = link.draw_realization(channel, batch, bits.shape[1], generator, fading_block=fading_block,
                                  block_gains=block_gains)
    blocks = plan.num_codewords if fading_block == "codeword" else 1
    index = plan.codeword_of_symbol if fading_block == "codeword" else None
    done = torch.zeros(batch, dtype=torch.bool)
    rounds = torch.zeros(batch, dtype=torch.long)
    out = torch.zeros_like(bits, dtype=torch.float32)
    no = ch.noise_variance(snr_db, batch)  # [B, 1]
    matched = gain = 0.0  # chase: maximum-ratio combining of the copies' symbols
    llrs: list[torch.Tensor] = []  # ir: [B * C, n] LLRs of each version
    real = first
    for r in range(harq.max_transmissions):
        if r:
            real = _next_realization(channel, first, tuple(first.h.shape), generator, harq, index, blocks)
        y = ch.apply(versions[r], real, snr_db)
        rows = (~done).nonzero().squeeze(1)  # decode only the packets still waiting
        if ir:
            llrs.append(link.llrs(y, real, snr_db))
            words = (rows.unsqueeze(1) * plan.num_codewords + torch.arange(plan.num_codewords)).reshape(-1)
            stacked = torch.stack([llr[words] for llr in llrs], dim=1)  # [rows * C, r + 1, n]
            decoded, ok, _ = link.decode_llrs(stacked, plan, len(rows), rvs=rvs[: r + 1])
        else:
            h, error_var = ch.receiver_csi(real, snr_db)
            weight = no / (no + error_var)  # a copy with a worse estimate counts less (1 with perfect CSI)
            matched = matched + weight * torch.conj(h) * y
            gain = gain + weight * (h.real**2 + h.imag**2)
            llr = link.demap(matched[rows] / gain[rows], no[rows] / gain[rows])  # the copies' SNRs add
            decoded, ok, _ = link.decode_llrs(llr, plan, len(rows))
        rounds[rows] += 1
        take = ok | (r == harq.max_transmissions - 1)
        out[rows[take]] = decoded[take]
        done[rows[ok]] = True
        if bool(done.all()):
            break
    return HarqResult(out, done, rounds, rounds * plan.channel_uses, (out != bits).sum(1))


class _IrAccumulator:
    """What the codewords of a batch have received after each redundancy version, as the SNR at
    which one transmission would carry as much (the PHY abstraction of incremental redundancy).

    Version i covers n positions of the mother code's circular buffer from its start (Sionna's
    rate matching, wrapping around); a position covered by several versions combines their SNRs
    (its LLRs add); the codeword has received the sum over covered positions of the BICM mutual
    information per coded bit at each position's SNR (:mod:`channels.mutual_information`),
    positions the first version did not send weighted by :data:`IR_MI_EFFICIENCY`. The SNR at
    which one transmission of n bits carries that much is read in the AWGN BLER table, so one
    transmission is the table exactly, and a sum beyond what one transmission can carry counts
    as decoded.

    The weight: with every position counted fully the abstraction placed two transmissions'
    waterfall 0.5 to 1 dB early on AWGN (200 packets per point, QPSK 1/2, 16-QAM 3/4, 64-QAM
    5/6: the 5G LDPC decoder draws less from the parity of later versions than the mutual
    information says); 0.83 puts the three within their sampling noise, and the block-Rayleigh
    comparison of ``benchmarks/bench_harq_abstraction.py`` checks it after every transmission.
    """

    def __init__(self, config, rvs: list[int]) -> None:
        self.modulation, self.n = config.modulation, config.coded_bits
        self.coverage = _coverage(config, tuple(rvs))  # [buffer size] int64, bit i: version i covers it
        self.efficiency = IR_MI_EFFICIENCY
        self.snrs: list[torch.Tensor] = []  # [B, C] linear SNR of each version received

    def add(self, snr_db: torch.Tensor) -> torch.Tensor:
        """Receive the next version at ``snr_db`` [B, C]; returns the equivalent SNR [B, C] in dB."""
        from channels.mutual_information import bit_mi, snr_for_mi

        self.snrs.append(torch.pow(10.0, snr_db.double() / 10.0))
        r = len(self.snrs)
        counts = np.bincount(self.coverage & ((1 << r) - 1), minlength=1 << r)  # positions per set of versions
        received = torch.zeros_like(self.snrs[0])
        for pattern in np.nonzero(counts)[0]:
            if pattern:
                combined = sum(self.snrs[i] for i in range(r) if pattern >> i & 1)
                db = 10.0 * torch.log10(combined.clamp_min(1e-30))
                weight = 1.0 if pattern & 1 else self.efficiency  # parity the first version did not send
                received = received + weight * int(counts[pattern]) * torch.from_numpy(bit_mi(self.modulation, db.numpy()))
        equivalent = snr_for_mi(self.modulation, (received / self.n).numpy())
        return torch.from_numpy(np.clip(equivalent, -100.0, 100.0))


@lru_cache(maxsize=64)
def _coverage(config, rvs: tuple[int, ...]):
    """[size] int64 over the circular buffer of ``config``'s mother code (Sionna's compressed
    rate-matching buffer): bit i set where transmission i (redundancy version ``rvs[i]``, n bits
    from its start, wrapping around) covers the position."""
    from channels.digital import _sionna_blocks

    encoder = _sionna_blocks(config).encoder
    size, n = encoder.n_cb_comp, config.coded_bits
    starts = dict(zip(sorted(set(rvs)), encoder.get_start_positions_comp(sorted(set(rvs)))))
    coverage = np.zeros(size, dtype=np.int64)
    for i, rv in enumerate(rvs):
        coverage[(np.arange(n) + starts[rv]) % size] |= 1 << i
    coverage.flags.writeable = False
    return coverage


def abstract_harq(
    link: AbstractLink,
    payload_bits: int,
    batch: int,
    snr_db: float,
    generator: torch.Generator,
    harq: HarqConfig,
    first: ch.ChannelRealization | None,
    channel: str,
) -> HarqResult:
    """Chase-combining HARQ in the PHY abstraction for ``batch`` packets (see the module doc);
    ``first``: the realisation of the first transmission (None: AWGN)."""
    check_harq_fading(channel, harq.fading)
    plan = link.plan(payload_bits)
    ir = _IrAccumulator(link.config, harq.redundancy_versions) if harq.combining == "ir" else None
    u = torch.rand(batch, plan.num_codewords, generator=generator, dtype=torch.float64)
    linear = torch.zeros(batch, plan.num_codewords, dtype=torch.float64)
    symbols: torch.Tensor | float = 0.0  # effective-SINR channels: the copies' SINR per symbol
    decoded_at = torch.full((batch, plan.num_codewords), harq.max_transmissions + 1, dtype=torch.long)
    real = first
    fades = get_channel(channel).fading != "none"
    per_symbol = uses_effective_sinr(channel)
    for r in range(harq.max_transmissions):
        if r and fades:
            real = _next_realization(channel, first, tuple(first.h.shape), generator, harq, None, 1)
        if ir is not None:  # each version's SNR on the buffer positions it covers, as mutual information
            combined_db = ir.add(link.codeword_snr_db(real, snr_db, plan, batch))
        elif per_symbol:  # the copies' SINRs add per symbol, then one effective SINR per codeword
            symbols = symbols + link.symbol_sinr(real, snr_db, plan, batch)  # [B, C, S]
            combined_db = effective_snr_db(symbols, link.mcs)
        else:
            linear += torch.pow(10.0, link.codeword_snr_db(real, snr_db, plan, batch) / 10.0)
            combined_db = 10.0 * torch.log10(linear)
        bler = torch.from_numpy(link.table.bler(link.mcs, combined_db.numpy()))
        newly = (u >= bler) & (decoded_at > harq.max_transmissions)
        decoded_at[newly] = r + 1
    packet_round = decoded_at.max(dim=1).values
    ok = packet_round <= harq.max_transmissions
    rounds = packet_round.clamp(max=harq.max_transmissions)
    return HarqResult(None, ok, rounds, rounds * plan.channel_uses, None)
