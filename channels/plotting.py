"""Waterfall plots (pure functions of a result table; matplotlib Agg)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from channels.limits import (
    awgn_normal_approximation_bler,
    capacity_snr_db,
    rayleigh_outage_probability,
    uncoded_ber,
)
from channels.spec import db_to_linear


def plot_curve(rows: list[dict[str, object]], path: Path) -> None:
    """Waterfall of the rows of one ``semcom link ber`` curve (they carry channel, modulation,
    code, rate, block_len and block_channel_uses)."""
    from semcom.errors import SemcomError

    needed = {"channel", "modulation", "code", "block_len", "block_channel_uses", "snr_db", "ber", "bler"}
    if not rows or not needed <= set(rows[0]):
        raise SemcomError(f"not a curve written by 'semcom link ber' (needs columns {sorted(needed)})")
    first = rows[0]
    coded = first["code"] == "ldpc"
    k, uses = int(first["block_len"]), int(first["block_channel_uses"])
    rate_text = f" R={float(first['rate']):.3f}" if coded else ""
    plot_waterfall(
        rows, path, modulation=str(first["modulation"]), channel=str(first["channel"]), coded=coded,
        title=f"{first['modulation']} {first['code']}{rate_text} on {first['channel']}, k={k}",
        spectral_efficiency=k / uses, codeword=(k, uses) if coded else None,
    )


def plot_waterfall(
    rows: list[dict[str, float]],
    path: Path,
    *,
    title: str,
    modulation: str,
    channel: str,
    coded: bool,
    spectral_efficiency: float,
    codeword: tuple[int, int] | None = None,
) -> None:
    """Simulated BER and BLER vs Es/N0 with the closed forms beside them.

    Uncoded: exact Gray-QAM BER on AWGN / Rayleigh (perfect CSI). Coded: the Shannon limit of
    the spectral efficiency (AWGN, vertical line) or the block-Rayleigh outage probability
    (a lower bound on the BLER of one codeword per fading block).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    snr = np.array([r["snr_db"] for r in rows])
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    ber = np.array([r["ber"] for r in rows])
    bler = np.array([r["bler"] for r in rows])
    ax.semilogy(snr, np.where(ber > 0, ber, np.nan), "o-", label="BER (simulated)")
    ax.semilogy(snr, np.where(bler > 0, bler, np.nan), "s-", label="BLER (simulated)")
    low = snr.min()
    if coded and channel == "awgn":  # show the limits left of the simulated points too
        low = min(low, capacity_snr_db(spectral_efficiency) - 0.25)
    grid = np.linspace(low, snr.max(), 300)
    fading = "awgn" if channel == "awgn" else "rayleigh"
    if not coded:
        ax.semilogy(grid, uncoded_ber(modulation, db_to_linear(grid), fading), "k--",
                    label=f"BER theory ({fading}, Gray)")
    elif channel == "awgn":
        ax.axvline(capacity_snr_db(spectral_efficiency), color="k", ls=":",
                   label=f"Shannon limit ({spectral_efficiency:.2f} bit/use)")
        if codeword is not None:
            k, uses = codeword
            ax.semilogy(grid, awgn_normal_approximation_bler(k, uses, db_to_linear(grid)), "k--",
                        label=f"BLER normal approximation (k={k}, n={uses} uses)")
    elif channel == "rayleigh-block":
        outage = rayleigh_outage_probability(spectral_efficiency, db_to_linear(grid))
        ax.semilogy(grid, outage, "k--", label="outage probability (BLER bound)")
    ax.set_xlabel("Es/N0 per complex symbol [dB]")
    ax.set_ylabel("error rate")
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.set_ylim(bottom=max(1e-6, 0.3 * np.nanmin(np.r_[ber[ber > 0], bler[bler > 0], 1.0])))
    ax.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
