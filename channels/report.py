"""Summaries of simulated curves: SNR at a target BLER and the gap to AWGN capacity."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from channels.errors import ChannelError
from channels.limits import awgn_normal_approximation_bler, capacity_snr_db


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


def normal_approximation_snr_db(info_bits: int, channel_uses: int, target: float) -> float:
    """Es/N0 (dB) at which the finite-blocklength normal approximation reaches ``target`` BLER."""
    from scipy.optimize import brentq

    def excess(snr_db: float) -> float:
        bler = float(awgn_normal_approximation_bler(info_bits, channel_uses, 10 ** (snr_db / 10)))
        return math.log10(max(bler, 1e-300)) - math.log10(target)

    return float(brentq(excess, -20.0, 60.0, xtol=1e-4))


def capacity_gap_rows(frames: dict, target: float) -> list[dict[str, object]]:
    """One row per curve: spectral efficiency (payload bits per channel use of a codeword), the
    SNR at ``target`` BLER, the AWGN capacity SNR of that efficiency and the gap in dB, and the
    same against the finite-blocklength normal approximation for the codeword's k and n."""
    rows = []
    for name, frame in frames.items():
        if not {"snr_db", "bler", "bits", "blocks", "block_channel_uses"} <= set(frame.columns):
            raise ChannelError(f"{name}: not a curve written by 'semcom link ber'")
        frame = frame.sort_values("snr_db")
        info_bits = round(float((frame.bits / frame.blocks).iloc[0]))
        uses = int(frame.block_channel_uses.iloc[0])
        efficiency = info_bits / uses
        at = snr_at_bler(frame.snr_db.to_numpy(), frame.bler.to_numpy(), target)
        cap = capacity_snr_db(efficiency)
        normal = normal_approximation_snr_db(info_bits, uses, target)
        rows.append({"curve": name, "info_bits": info_bits, "channel_uses": uses,
                     "spectral_efficiency": efficiency, "target_bler": target,
                     "snr_db_at_target": at, "capacity_snr_db": cap, "gap_db": at - cap,
                     "normal_approx_snr_db": normal, "gap_to_normal_approx_db": at - normal})
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


def envelope_rows(table, snr_db: list[float], target_bler: float) -> list[dict[str, object]]:
    """Per SNR: the best MCS at ``target_bler`` (link adaptation) and the goodput envelope
    max over MCS of m R (1 - BLER), beside AWGN capacity. ``table``: a BlerTable."""
    from channels.limits import awgn_capacity

    rows = []
    for snr in snr_db:
        best = table.best_mcs(snr, target_bler)
        goodputs = {m.name: float(table.goodput(m, snr)) for m in table.mcs}
        top = max(goodputs, key=goodputs.get)
        rows.append({
            "snr_db": snr,
            "target_bler": target_bler,
            "best_mcs": best.name if best else "",
            "best_mcs_efficiency": best.spectral_efficiency if best else 0.0,
            "best_mcs_bler": float(table.bler(best, snr)) if best else float("nan"),
            "envelope_goodput": goodputs[top],
            "envelope_mcs": top,
            "awgn_capacity": float(awgn_capacity(10 ** (snr / 10))),
        })
    return rows


def plot_envelope(table, rows: list[dict[str, object]], path: Path) -> None:
    """Goodput of every MCS (thin), their envelope and the selected MCS (thick), and capacity."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    snr = np.array([r["snr_db"] for r in rows], dtype=float)
    grid = np.linspace(snr.min(), snr.max(), 400)
    fig, ax = plt.subplots(figsize=(7.0, 4.6))
    for mcs in table.mcs:
        ax.plot(grid, table.goodput(mcs, grid), lw=0.7, alpha=0.6)
    ax.plot(snr, [r["envelope_goodput"] for r in rows], "k-", lw=2, label="goodput envelope")
    ax.step(snr, [r["best_mcs_efficiency"] for r in rows], "r--", where="post",
            label=f"selected MCS (BLER <= {rows[0]['target_bler']:g})")
    ax.plot(grid, np.log2(1 + 10 ** (grid / 10)), "b:", label="AWGN capacity")
    ax.set_xlabel("Es/N0 per complex symbol [dB]")
    ax.set_ylabel("information bits per channel use")
    ax.set_title(f"MCS envelope, 5G LDPC k={table.k}, AWGN (thin: each MCS)")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
