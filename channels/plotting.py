"""Waterfall plots (pure functions of a result table; matplotlib Agg)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from channels.registry import get_channel
from channels.spec import db_to_linear


def plot_curve(rows: list[dict[str, object]], path: Path) -> None:
    """Waterfall of the rows of one ``semcom link ber`` curve (they carry channel, modulation,
    code, rate, block_len and block_channel_uses)."""
    from channels.errors import ChannelError

    needed = {"channel", "modulation", "code", "block_len", "block_channel_uses", "snr_db", "ber", "bler"}
    if not rows or not needed <= set(rows[0]):
        raise ChannelError(f"not a curve written by 'semcom link ber' (needs columns {sorted(needed)})")
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

    The closed forms come from the channel model (:class:`channels.contract.Channel`): uncoded,
    the exact Gray-QAM BER (AWGN, Rayleigh with perfect CSI); coded, the Shannon limit of the
    spectral efficiency (AWGN, vertical line) and a BLER bound (AWGN: the normal approximation;
    block Rayleigh: the outage probability).
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
    model = get_channel(channel)
    limit_db = model.shannon_limit_db(spectral_efficiency) if coded else None
    low = snr.min() if limit_db is None else min(snr.min(), limit_db - 0.25)  # show the limit too
    grid = np.linspace(low, snr.max(), 300)
    if not coded:
        ber_theory = model.uncoded_ber(modulation, db_to_linear(grid))
        if ber_theory is not None:
            ax.semilogy(grid, ber_theory, "k--", label=f"BER theory ({channel}, Gray)")
    else:
        if limit_db is not None:
            ax.axvline(limit_db, color="k", ls=":",
                       label=f"Shannon limit ({spectral_efficiency:.2f} bit/use)")
        bound = model.bler_bound(spectral_efficiency, codeword, db_to_linear(grid))
        if bound is not None:
            ax.semilogy(grid, bound[0], "k--", label=bound[1])
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
