"""Summaries of simulated curves: SNR at a target BLER and the gap to AWGN capacity."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from channels.limits import capacity_snr_db
from semcom.errors import SemcomError


def snr_at_bler(snr_db: np.ndarray, bler: np.ndarray, target: float) -> float:
    """First SNR where the curve crosses ``target``: linear in (SNR, log10 BLER) between the two
    points that bracket it. NaN when the curve never crosses."""
    for i in range(1, len(snr_db)):
        hi, lo = bler[i - 1], bler[i]
        if hi >= target > lo:
            if lo <= 0:  # the next point saw no error: cannot interpolate in log
                return float("nan")
            t = (math.log10(hi) - math.log10(target)) / (math.log10(hi) - math.log10(lo))
            return float(snr_db[i - 1] + t * (snr_db[i] - snr_db[i - 1]))
    return float("nan")


def capacity_gap_rows(frames: dict, target: float) -> list[dict[str, object]]:
    """One row per curve: spectral efficiency (payload bits per channel use of a codeword), the
    SNR at ``target`` BLER, the AWGN capacity SNR of that efficiency and the gap in dB."""
    rows = []
    for name, frame in frames.items():
        if not {"snr_db", "bler", "bits", "blocks", "block_channel_uses"} <= set(frame.columns):
            raise SemcomError(f"{name}: not a curve written by 'semcom link ber'")
        frame = frame.sort_values("snr_db")
        efficiency = float((frame.bits / frame.blocks / frame.block_channel_uses).iloc[0])
        at = snr_at_bler(frame.snr_db.to_numpy(), frame.bler.to_numpy(), target)
        cap = capacity_snr_db(efficiency)
        rows.append({"curve": name, "spectral_efficiency": efficiency, "target_bler": target,
                     "snr_db_at_target": at, "capacity_snr_db": cap, "gap_db": at - cap})
    return rows


def plot_bler_overlay(frames: dict, rows: list[dict[str, object]], target: float, path: Path) -> None:
    """All BLER curves on one axis, each with its capacity limit as a dotted vertical line."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.0, 4.6))
    for (name, frame), row in zip(frames.items(), rows):
        frame = frame.sort_values("snr_db")
        bler = frame.bler.where(frame.bler > 0)
        line = ax.semilogy(frame.snr_db, bler, "o-", label=f"{name} (gap {row['gap_db']:.2f} dB)")[0]
        ax.axvline(row["capacity_snr_db"], color=line.get_color(), ls=":")
    ax.axhline(target, color="gray", lw=0.8)
    ax.set_xlabel("Es/N0 per complex symbol [dB]")
    ax.set_ylabel("codeword BLER")
    ax.set_title("5G LDPC on AWGN (dotted: capacity of each spectral efficiency)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
