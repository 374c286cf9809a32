"""Link adaptation: which MCS a transmitter uses, from what it knows of the channel.

Policies (the sweep's ``mcs`` axis takes one of these or an explicit MCS name):

* ``auto-awgn`` (also ``auto``): the most efficient MCS whose AWGN codeword BLER at the average
  SNR is at most the target. Right for AWGN; under fading it ignores the fades and loses many
  codewords.
* ``auto-outage``: the most efficient MCS whose BLER *averaged over the channel's fading
  distribution* meets the target: E_h[BLER(SNR + 10 log10 |h|^2)], the AWGN table integrated
  over the block gains (Monte Carlo over the channel's own draws). What a transmitter without
  instantaneous CSI but with the fading statistics chooses.
* ``auto-csi``: the transmitter knows each fading block's gain and picks the MCS per block (per
  view) at that block's SNR: the fast link adaptation of 5G with ideal CSI feedback.

``auto-csi`` needs one gain per codeword (``fading`` "none" or "block" in
:mod:`channels.contract`). ``auto-outage`` also runs on channels the abstraction maps through an
effective SINR (the TDL channels over OFDM): there the average is over the effective SINRs of
:data:`CODEWORD_SAMPLES` codewords of each MCS drawn from the channel (a fixed seed, drawn once
per channel and MCS), E[BLER(EESM of the codeword's symbol SINRs)].
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from channels.abstraction import BlerTable
from channels.errors import ChannelError, check_choice
from channels.mcs import MCS, MCS_TABLE, mcs_by_name
from channels.registry import block_channels, get_channel

MCS_POLICIES = ("auto-awgn", "auto-outage", "auto-csi")
ALIASES = {"auto": "auto-awgn"}
TARGET_BLER = 0.1
GAIN_SAMPLES = 20_000
CODEWORD_SAMPLES = 200


def policy_name(mcs: str) -> str | None:
    """The adaptation policy ``mcs`` names (aliases resolved), or None for an explicit MCS."""
    name = ALIASES.get(mcs, mcs)
    return name if name in MCS_POLICIES else None


def check_mcs_setting(mcs: str) -> str:
    """``mcs`` if it is a policy or an MCS of the table, else a one-line ChannelError."""
    if policy_name(mcs) is None:
        try:
            mcs_by_name(mcs)
        except ChannelError:
            allowed = (*MCS_POLICIES, *ALIASES, *(m.name for m in MCS_TABLE))
            raise ChannelError(f"unknown MCS {mcs!r}; allowed: {', '.join(allowed)}") from None
    return mcs


@lru_cache(maxsize=16)
def gains_db(channel: str, samples: int = GAIN_SAMPLES, seed: int = 0) -> np.ndarray:
    """10 log10 |h|^2 of ``samples`` fading blocks of ``channel`` (its own draws, a fixed seed):
    the distribution the outage policy averages over. [samples] float64, read-only (one value if
    no fading); drawn once per channel and process, as every cell of a sweep asks again."""
    import torch

    model = get_channel(channel)
    generator = torch.Generator().manual_seed(seed)
    if model.fading == "none":
        h = model.draw_gains((1, 1), generator).h
    elif model.fading == "block":
        h = model.draw_block_gains(samples, 1, generator)
    else:
        raise ChannelError(f"link adaptation needs one gain per codeword; allowed channels: "
                           f"{', '.join(block_channels())}")
    out = 10.0 * np.log10(np.maximum(h.abs().double().numpy().ravel() ** 2, 1e-30))
    out.flags.writeable = False
    return out


@lru_cache(maxsize=64)
def _codeword_draws(channel: str, mcs_name: str, k: int, samples: int = CODEWORD_SAMPLES):
    """A realisation of ``samples`` one-codeword packets of ``mcs_name`` over ``channel`` (a fixed
    seed), with the abstraction that reads it; drawn once per channel and MCS."""
    import torch

    from channels.abstraction import AbstractLink
    from channels.channel import draw_realization

    link = AbstractLink(mcs_by_name(mcs_name), k)
    plan = link.plan(k - link.config.crc_bits)
    realization = draw_realization(channel, (samples, plan.channel_uses), torch.Generator().manual_seed(0))
    return link, plan, realization


def effective_outage_bler(table: BlerTable, mcs: MCS, snr_db: float, channel: str, k: int = 512) -> float:
    """E[BLER] of a codeword of ``mcs`` over ``channel`` at ``snr_db``: the AWGN table at the
    effective SINR of each of :data:`CODEWORD_SAMPLES` drawn codewords, averaged."""
    link, plan, realization = _codeword_draws(channel, mcs.name, k)
    effective = link.codeword_snr_db(realization, snr_db, plan, realization.shape[0])
    return float(np.mean(table.bler(mcs, effective.numpy())))


def average_bler(table: BlerTable, mcs: MCS, snr_db: float, gain_db: np.ndarray) -> float:
    """E_h[BLER(snr_db + gain_db)]: the codeword BLER averaged over the block gains."""
    return float(np.mean(table.bler(mcs, snr_db + gain_db)))


def _most_efficient(candidates) -> MCS:
    best = max((m for m in candidates), key=lambda m: m.spectral_efficiency, default=None)
    return best if best is not None else MCS_TABLE[0]


def select_mcs(mcs: str, snr_db: float, channel: str = "awgn", k: int = 512,
               target_bler: float = TARGET_BLER) -> MCS:
    """The MCS of a link that cannot follow each block: an explicit name, ``auto-awgn`` or
    ``auto-outage`` (the most robust MCS where none meets the target)."""
    policy = policy_name(check_mcs_setting(mcs))
    if policy is None:
        return mcs_by_name(mcs)
    check_choice("MCS policy without per-block CSI", policy, ("auto-awgn", "auto-outage"))
    table = BlerTable.load(k)
    if policy == "auto-awgn":
        return table.best_mcs(snr_db, target_bler) or MCS_TABLE[0]
    from channels.effective_sinr import uses_effective_sinr

    if uses_effective_sinr(channel):
        return _most_efficient(m for m in table.mcs
                               if effective_outage_bler(table, m, snr_db, channel, k) <= target_bler)
    gain = gains_db(channel)
    return _most_efficient(m for m in table.mcs if average_bler(table, m, snr_db, gain) <= target_bler)


def csi_mcs(effective_snr_db: np.ndarray, k: int = 512, target_bler: float = TARGET_BLER) -> list[MCS]:
    """Per fading block, the most efficient MCS whose BLER at that block's SNR
    (``snr + 10 log10 |h|^2``) meets the target (the most robust one where none does)."""
    table = BlerTable.load(k)
    return [table.best_mcs(float(s), target_bler) or MCS_TABLE[0] for s in np.asarray(effective_snr_db).ravel()]


def effective_snr_db(snr_db: float, block_gains) -> np.ndarray:
    """snr + 10 log10 |h|^2 per block; ``block_gains`` [P, 1] complex (None: no fading)."""
    if block_gains is None:
        return np.array([snr_db])
    power = block_gains.abs().double().numpy().ravel() ** 2
    return snr_db + 10.0 * np.log10(np.maximum(power, 1e-30))
