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

All need the PHY abstraction's view of a codeword: one gain per codeword (``fading`` "none" or
"block" in :mod:`channels.contract`).
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
