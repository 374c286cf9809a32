"""HARQ on the full link against the PHY abstraction: residual packet loss after each of up to 4
transmissions, block Rayleigh fading, one packet = one codeword (k = 512), chase combining and
incremental redundancy (redundancy versions 0, 2, 3, 1), retransmissions over new or the same fades.

Run:  PYTHONPATH=. python benchmarks/bench_harq_abstraction.py
Writes results/channels/harq_abstraction.{csv,png} (acceptance, issue 17: after 4 transmissions
at 10 dB the two agree within their 95 % confidence intervals).
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import torch


def wilson(failures: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95 % Wilson interval of a proportion."""
    if n == 0:
        return (math.nan, math.nan)
    p = failures / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def residual(outcome, per_copy: int, rounds: int) -> list[int]:
    """Packets not decoded within r transmissions, for r = 1 .. rounds."""
    used = outcome.channel_uses // per_copy
    return [int((~outcome.crc_ok | (used > r)).sum()) for r in range(1, rounds + 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mcs", nargs="+", default=["qam16-3/4", "qam64-2/3", "qam64-5/6"])
    parser.add_argument("--snr-db", type=float, default=10.0)
    parser.add_argument("--packets", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--combining", nargs="+", default=["chase", "ir"])
    parser.add_argument("--out", type=Path, default=Path("results/channels/harq_abstraction.csv"))
    args = parser.parse_args()
    torch.set_num_threads(2)

    from bench_common import write_csv
    from tqdm import tqdm

    from channels.abstraction import AbstractLink, link_config
    from channels.digital import DigitalLink
    from channels.harq import HarqConfig
    from channels.mcs import mcs_by_name

    g = torch.Generator().manual_seed(args.seed)
    packets = [torch.randint(0, 2, (488,), generator=g).float() for _ in range(args.packets)]
    gains = torch.complex(torch.randn(args.packets, 1, generator=g), torch.randn(args.packets, 1, generator=g))
    gains = gains * math.sqrt(0.5)
    rows = []
    settings = [(name, combining, fading) for combining in args.combining for name in args.mcs
                for fading in ("new", "same")]
    for name, combining, fading in tqdm(settings, desc="settings"):
        mcs = mcs_by_name(name)
        harq = HarqConfig(args.rounds, fading, combining)
        full_link = DigitalLink(link_config(mcs, 512), harq=harq)
        per_copy = full_link.plan(488).channel_uses
        outcomes = {
            "full": full_link.send(packets, "rayleigh-block", args.snr_db, torch.Generator().manual_seed(1),
                                   block_gains=gains),
            "abstraction": AbstractLink(mcs, 512, harq=harq).send(
                packets, "rayleigh-block", args.snr_db, torch.Generator().manual_seed(1), block_gains=gains),
        }
        for link, outcome in outcomes.items():
            for r, failures in enumerate(residual(outcome, per_copy, args.rounds), start=1):
                low, high = wilson(failures, args.packets)
                rows.append({"mcs": name, "combining": combining, "fading": fading, "link": link,
                             "transmissions": r,
                             "residual_loss": failures / args.packets, "ci_low": low, "ci_high": high,
                             "mean_channel_uses": float(outcome.channel_uses.float().mean()),
                             "packets": args.packets, "snr_db": args.snr_db})
    write_csv(args.out, list(rows[0]), rows)
    _plot(rows, args.out.with_suffix(".png"))
    for row in rows:
        if row["transmissions"] == args.rounds:
            print(f"{row['mcs']} {row['combining']:5s} {row['fading']:4s} {row['link']:11s} residual after {args.rounds}: "
                  f"{row['residual_loss']:.3f} [{row['ci_low']:.3f}, {row['ci_high']:.3f}]")
    print(f"wrote {args.out}")


def _plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fadings = ("new", "same")
    combinings = list(dict.fromkeys(r.get("combining", "chase") for r in rows))
    fig, axes = plt.subplots(len(combinings), 2, figsize=(10, 4 * len(combinings)), sharey=True, squeeze=False)
    for row_axes, combining in zip(axes, combinings):
        for ax, fading in zip(row_axes, fadings):
            for i, mcs in enumerate(sorted({r["mcs"] for r in rows})):
                for link, style in (("full", "o-"), ("abstraction", "s--")):
                    part = [r for r in rows if r["mcs"] == mcs and r["fading"] == fading and r["link"] == link
                            and r.get("combining", "chase") == combining]
                    x = [r["transmissions"] for r in part]
                    y = [max(r["residual_loss"], 1e-3) for r in part]
                    err = [[y_ - max(r["ci_low"], 1e-3) for y_, r in zip(y, part)],
                           [max(r["ci_high"], 1e-3) - y_ for y_, r in zip(y, part)]]
                    ax.errorbar(x, y, yerr=err, fmt=style, color=f"C{i}", capsize=2, markersize=4,
                                label=f"{mcs} {link}")
            ax.set_yscale("log")
            ax.set_title(f"block Rayleigh, {rows[0]['snr_db']:g} dB, {combining}, retransmissions: {fading} fading",
                         fontsize=9)
            ax.set_xlabel("transmissions at most")
            ax.grid(True, which="both", alpha=0.3)
    for row_axes in axes:
        row_axes[0].set_ylabel("residual packet loss (95 % CI)")
    axes[0][1].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


if __name__ == "__main__":
    main()
