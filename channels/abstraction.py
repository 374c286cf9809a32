"""PHY abstraction: SNR -> codeword BLER per MCS, so large sweeps can skip LDPC decoding.

Tables are simulated once with the full :class:`~channels.digital.DigitalLink` on AWGN (one
table per codeword size k, every MCS of :data:`~channels.mcs.MCS_TABLE`) and stored as CSV:
the table for the default k = 512 ships with the package (``channels/tables/``), others are
built on demand into the semcom cache (``<cache>/channels/``) by ``semcom link table``.

Why not ``sionna.sys.PHYAbstraction``'s shipped tables: they are indexed by the 5G NR MCS
tables (code rates such as 526/1024, transport-block segmentation of 38.214), code-block sizes
{24, 100, 500, 1000, 2000} and a 1.79 dB SNR grid (too coarse to place a waterfall within
0.5 dB), not by this package's MCS table and fixed codeword size, so they would not predict this
link's BLER to the required accuracy.

Lookup: log10(BLER) is interpolated linearly in SNR (dB) between table points; below the table
BLER = 1; above the last point the last value holds (0 when the last point saw no error).
Block fading: a codeword that sees gain h has BLER(SNR + 10 log10 |h|^2) (exact when h is
constant over the codeword, i.e. fading per codeword, view or object). Channels whose gains vary
within a codeword and that declare an effective-SINR mapping (``effective_sinr = True``: the TDL
channels over OFDM) map each codeword's per-symbol SINRs ``|h|^2 / (N0 + CSI error variance)``,
as the receiver estimates h, to one effective SINR (EESM, :mod:`channels.effective_sinr`); other
fast-fading channels are refused.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import torch

from channels.channel import ChannelRealization
from channels.digital import DigitalLinkConfig, LinkPlan, plan_packet
from channels.effective_sinr import effective_snr_db, uses_effective_sinr
from channels.errors import ChannelError
from channels.files import atomic_write_bytes, cache_dir
from channels.harq import HarqConfig, abstract_harq
from channels.limits import capacity_snr_db
from channels.link import PacketOutcome, empty_outcome, group_by_length
from channels.mcs import MCS, MCS_TABLE, mcs_by_name
from channels.registry import abstraction_channels, get_channel

TABLE_COLUMNS = ("mcs", "modulation", "rate", "k", "n", "snr_db", "blocks", "block_errors", "bler")
_LOG_FLOOR = -7.0  # log10 BLER used for points without errors (interpolation target)


def table_filename(k: int) -> str:
    return f"bler_awgn_k{k}.csv"


def table_path(k: int) -> Path:
    """Where the table for codeword size ``k`` lives (package copy first, then the cache)."""
    shipped = resources.files("channels") / "tables" / table_filename(k)
    if shipped.is_file():
        return Path(str(shipped))
    return cache_dir("channels") / table_filename(k)


def link_config(mcs: MCS, k: int, crc: str | None = "CRC24A") -> DigitalLinkConfig:
    """The digital link configuration of ``mcs`` with ``k`` information bits per codeword."""
    return DigitalLinkConfig(modulation=mcs.modulation, rate=mcs.rate, codeword_info_bits=k, crc=crc)


def simulate_table(
    k: int,
    generator: torch.Generator,
    *,
    mcs_list: tuple[MCS, ...] = MCS_TABLE,
    step_db: float = 0.25,
    target_block_errors: int = 100,
    max_blocks: int = 1000,
    min_bler: float = 1e-3,
    progress: bool = True,
) -> list[dict[str, object]]:
    """Simulate codeword BLER on AWGN for each MCS; returns rows with :data:`TABLE_COLUMNS`.

    Per MCS the SNR grid starts at the Shannon limit of its spectral efficiency (rounded down to
    ``step_db``) and rises until the BLER falls below ``min_bler`` or no error is seen.
    """
    from tqdm import tqdm

    from channels.digital import DigitalLink
    from channels.simulate import simulate_point

    rows: list[dict[str, object]] = []
    bar = tqdm(mcs_list, desc=f"BLER tables k={k}", disable=not progress)
    for mcs in bar:
        link = DigitalLink(link_config(mcs, k, crc=None))
        snr = math.floor(capacity_snr_db(mcs.spectral_efficiency) / step_db) * step_db
        for _ in range(80):
            point = simulate_point(
                link, "awgn", snr, generator,
                packets_per_batch=100,
                target_errors=target_block_errors,
                max_bits=max_blocks * k,
            )
            rows.append(
                {"mcs": mcs.name, "modulation": mcs.modulation, "rate": mcs.rate, "k": k,
                 "n": link.config.coded_bits, "snr_db": round(snr, 4), "blocks": point.blocks,
                 "block_errors": point.block_errors, "bler": point.bler}
            )
            bar.set_postfix(mcs=mcs.name, snr_db=f"{snr:.2f}", bler=f"{point.bler:.3g}")
            if point.block_errors == 0 or point.bler < min_bler:
                break
            snr += step_db
    return rows


def write_table(rows: list[dict[str, object]], path: Path) -> None:
    """Write table rows as CSV atomically."""
    import pandas as pd

    buffer = io.StringIO()
    pd.DataFrame(rows, columns=list(TABLE_COLUMNS)).to_csv(buffer, index=False)
    atomic_write_bytes(path, buffer.getvalue().encode())


@dataclass(frozen=True)
class BlerCurve:
    """One MCS: snr_db [P] increasing, log10 BLER [P] (``_LOG_FLOOR`` where no error was seen)."""

    snr_db: np.ndarray
    log_bler: np.ndarray
    zero_tail: bool

    def bler(self, snr_db: np.ndarray) -> np.ndarray:
        snr_db = np.asarray(snr_db, dtype=float)
        log = np.interp(snr_db, self.snr_db, self.log_bler, left=0.0, right=self.log_bler[-1])
        out = np.power(10.0, log)
        if self.zero_tail:
            out = np.where(snr_db >= self.snr_db[-1], 0.0, out)
        return np.where(snr_db < self.snr_db[0], 1.0, out)

    def snr_at(self, bler: float) -> float:
        """SNR (dB) where the interpolated BLER crosses ``bler`` (first crossing)."""
        target = math.log10(bler)
        log = self.log_bler
        for i in range(1, len(log)):
            if log[i] <= target < log[i - 1] or (log[i] <= target and i == 1 and log[0] > target):
                t = (log[i - 1] - target) / (log[i - 1] - log[i])
                return float(self.snr_db[i - 1] + t * (self.snr_db[i] - self.snr_db[i - 1]))
        return float("nan")


class BlerTable:
    """SNR -> codeword BLER for every MCS at one codeword size ``k`` (AWGN, from CSV)."""

    def __init__(self, rows: list[dict[str, object]] | object, k: int) -> None:
        import pandas as pd

        frame = pd.DataFrame(rows)
        self.k = k
        self.curves: dict[str, BlerCurve] = {}
        for name, part in frame.groupby("mcs", sort=False):
            part = part.sort_values("snr_db")
            bler = part["bler"].to_numpy(dtype=float)
            log = np.where(bler > 0, np.log10(np.maximum(bler, 1e-300)), _LOG_FLOOR)
            self.curves[str(name)] = BlerCurve(
                part["snr_db"].to_numpy(dtype=float), log, zero_tail=bool(bler[-1] == 0)
            )
        self.mcs = tuple(m for m in MCS_TABLE if m.name in self.curves)

    @classmethod
    def load(cls, k: int = 512) -> BlerTable:
        """The table for codeword size ``k`` (shipped or cached), else a one-line ChannelError."""
        return _load_table(k)

    def bler(self, mcs: MCS | str, snr_db: np.ndarray | float) -> np.ndarray:
        """Codeword BLER of ``mcs`` at Es/N0 ``snr_db`` (any shape)."""
        name = mcs if isinstance(mcs, str) else mcs.name
        if name not in self.curves:
            mcs_by_name(name)  # unknown name -> ChannelError listing the allowed ones
            raise ChannelError(f"MCS {name!r} is not in the BLER table for k={self.k}")
        return self.curves[name].bler(snr_db)

    def best_mcs(self, snr_db: float, target_bler: float = 0.1) -> MCS | None:
        """The MCS of highest spectral efficiency whose BLER at ``snr_db`` is at most ``target_bler``
        (None if not even the most robust one qualifies)."""
        best = None
        for mcs in self.mcs:
            meets = float(self.bler(mcs, snr_db)) <= target_bler
            if meets and (best is None or mcs.spectral_efficiency > best.spectral_efficiency):
                best = mcs
        return best

    def goodput(self, mcs: MCS, snr_db: np.ndarray | float) -> np.ndarray:
        """Information bits per channel use delivered, m R (1 - BLER)."""
        return mcs.spectral_efficiency * (1.0 - self.bler(mcs, snr_db))


@lru_cache(maxsize=8)
def _load_table(k: int) -> BlerTable:
    import pandas as pd

    path = table_path(k)
    if not path.is_file():
        raise ChannelError(
            f"no BLER table for {k} information bits per codeword; build it with "
            f"'semcom link table --block-len {k}' (writes {path})"
        )
    return BlerTable(pd.read_csv(path).to_dict("records"), k)


@dataclass
class AbstractResult:
    """Outcome of an abstracted transmission of B packets of C codewords.

    codeword_bler:   [B, C] float64, predicted error probability of each codeword
    codeword_errors: [B, C] bool, drawn codeword failures
    crc_ok:          [B] bool, all codewords of the packet decoded
    channel_uses:    per packet (same accounting as the full link)
    """

    codeword_bler: torch.Tensor
    codeword_errors: torch.Tensor
    crc_ok: torch.Tensor
    channel_uses: int
    plan: LinkPlan


class AbstractLink:
    """Drop-in for :class:`~channels.digital.DigitalLink` that draws codeword failures from the
    BLER table instead of decoding (same plan, same channel realisations)."""

    def __init__(
        self, mcs: MCS | str, k: int = 512, crc: str | None = "CRC24A", table: BlerTable | None = None,
        harq: HarqConfig | None = None,
    ) -> None:
        self.harq = harq  # chase-combining HARQ of send (None: one transmission)
        self.mcs = mcs_by_name(mcs) if isinstance(mcs, str) else mcs
        self.config = link_config(self.mcs, k, crc)
        self.table = table if table is not None else BlerTable.load(k)
        if self.table.k != k:
            raise ChannelError(f"BLER table is for k={self.table.k}, the link uses k={k}")

    def plan(self, payload_bits: int) -> LinkPlan:
        return plan_packet(self.config, payload_bits)

    def codeword_snr_db(
        self, realization: ChannelRealization | None, snr_db: float | torch.Tensor, plan: LinkPlan, batch: int
    ) -> torch.Tensor:
        """[B, C] effective SNR of each codeword: SNR + 10 log10 |h|^2 (h constant per codeword),
        or the EESM of its symbols' SINRs (:meth:`symbol_sinr`) on effective-SINR channels."""
        snr = torch.as_tensor(snr_db, dtype=torch.float64).reshape(-1, 1).expand(batch, 1)
        if not bool(torch.isfinite(snr).all()):
            raise ChannelError(f"SNR must be finite dB values, got {snr_db!r}")
        if realization is not None and uses_effective_sinr(realization.kind):
            return effective_snr_db(self.symbol_sinr(realization, snr_db, plan, batch), self.mcs)
        if realization is not None and realization.h_est is not None:
            raise ChannelError("the PHY abstraction assumes perfect CSI; use the full digital link")
        if realization is None:  # AWGN
            return snr.expand(batch, plan.num_codewords)
        h = realization.h.reshape(batch, plan.num_codewords, plan.symbols_per_codeword)
        if not get_channel(realization.kind).supports_abstraction or not bool((h == h[:, :, :1]).all()):
            raise ChannelError(
                f"the PHY abstraction needs one fading gain per codeword or an effective-SINR mapping; allowed channels: "
                f"{', '.join(abstraction_channels())} (use the full digital link for {realization.kind})"
            )
        gain = h[:, :, 0].abs().double() ** 2
        return snr + 10.0 * torch.log10(gain)

    def symbol_sinr(
        self, realization: ChannelRealization, snr_db: float | torch.Tensor, plan: LinkPlan, batch: int
    ) -> torch.Tensor:
        """[B, C, S] linear SINR of every symbol after equalisation: |h|^2 / (N0 + error
        variance), the true gain's power over the noise plus the variance of the receiver's
        estimation error (:func:`channels.channel.receiver_csi`; 0 with perfect CSI). The
        power of the noisy estimate itself, |h_est|^2, would count the estimation noise as
        signal and put the waterfall 2 dB early (LS estimation, TDL-A, QPSK 1/2)."""
        from channels import channel as ch

        _, error_var = ch.receiver_csi(realization, snr_db)
        sinr = (realization.h.abs().double() ** 2) / (ch.noise_variance(snr_db, batch).double() + error_var)
        return sinr.reshape(batch, plan.num_codewords, plan.symbols_per_codeword)

    def transmit(
        self,
        payload_bits: int,
        batch: int,
        snr_db: float | torch.Tensor,
        generator: torch.Generator,
        *,
        realization: ChannelRealization | None = None,
    ) -> AbstractResult:
        """Predict the outcome of ``batch`` packets of ``payload_bits`` bits.

        realization: the channel draw the full link would use (from
        :meth:`DigitalLink.draw_realization`); None means AWGN.
        """
        plan = self.plan(payload_bits)
        eff = self.codeword_snr_db(realization, snr_db, plan, batch)
        p = torch.from_numpy(self.table.bler(self.mcs, eff.numpy()))
        errors = torch.rand(p.shape, generator=generator, dtype=torch.float64) < p
        return AbstractResult(p, errors, ~errors.any(1), plan.channel_uses, plan)

    def send(
        self,
        packets: list[torch.Tensor],
        channel: str,
        snr_db: float,
        generator: torch.Generator,
        *,
        block_gains: torch.Tensor | None = None,
    ) -> PacketOutcome:
        """The one link interface (:mod:`channels.link`): the packets of the full link, the same
        fading (one gain per packet), codeword failures drawn instead of decoded."""
        from channels import channel as ch

        if not packets:
            return empty_outcome()
        model = get_channel(channel)
        if not model.supports_abstraction:
            raise ChannelError(f"the PHY abstraction needs one fading gain per codeword or an effective-SINR mapping; "
                               f"allowed channels: "
                               f"{', '.join(abstraction_channels())} (use the full link for {channel})")
        count = len(packets)
        ok = torch.zeros(count, dtype=torch.bool)
        uses = torch.zeros(count, dtype=torch.long)
        for length, members in group_by_length(packets).items():
            index = torch.tensor(members)
            shape = (len(members), self.plan(length).channel_uses)
            if model.fading == "none":  # nothing drawn: the generator state is the AWGN one
                realization = ch.noiseless_realization(channel, shape)
            else:
                gains = block_gains[index] if block_gains is not None else None
                realization = ch.draw_realization(channel, shape, generator, block_gains=gains)
            if self.harq is not None and self.harq.max_transmissions > 1:
                result = abstract_harq(self, length, len(members), snr_db, generator, self.harq, realization,
                                       channel)
            else:
                result = self.transmit(length, len(members), snr_db, generator, realization=realization)
            ok[index] = result.crc_ok
            uses[index] = result.channel_uses
        payloads = [p if good else None for p, good in zip(packets, ok.tolist())]
        return PacketOutcome(payloads, ok, uses)


def validate_against_link(
    mcs: MCS | str,
    table: BlerTable,
    generator: torch.Generator,
    *,
    target: float = 0.1,
    blocks: int = 1000,
    offsets_db: tuple[float, ...] = (-0.25, 0.0, 0.25),
) -> dict[str, float]:
    """Compare the table with the full link around the table's ``target`` crossing.

    Simulates ``blocks`` codewords at each SNR offset from the table's crossing, fits
    log10 BLER linearly in SNR and returns both crossings and their difference in dB.
    """
    from channels.digital import DigitalLink
    from channels.simulate import simulate_point

    mcs = mcs_by_name(mcs) if isinstance(mcs, str) else mcs
    link = DigitalLink(link_config(mcs, table.k, crc=None))
    centre = table.curves[mcs.name].snr_at(target)
    snrs, logs = [], []
    for offset in offsets_db:
        point = simulate_point(link, "awgn", centre + offset, generator, packets_per_batch=100,
                               target_errors=10**9, max_bits=blocks * table.k)
        snrs.append(centre + offset)
        logs.append(math.log10(max(point.bler, 0.5 / point.blocks)))
    slope, intercept = np.polyfit(snrs, logs, 1)
    measured = (math.log10(target) - intercept) / slope
    return {"mcs": mcs.name, "target_bler": target, "table_snr_db": centre,
            "link_snr_db": float(measured), "difference_db": float(measured - centre),
            "blocks_per_point": blocks}
