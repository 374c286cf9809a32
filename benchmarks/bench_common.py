"""Helpers shared by the benchmarks: configs of design variants, their names, panel plots."""

from __future__ import annotations

import argparse
import csv
import io
from pathlib import Path


def toml_text(data: dict) -> str:
    """A flat TOML document of str, bool, number and list values."""
    lines = []
    for key, value in data.items():
        text = f'"{value}"' if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)
        lines.append(f"{key} = {text}")
    return "\n".join(lines) + "\n"


def add_receiver_args(parser: argparse.ArgumentParser, dataset: str, score_nets: str | None = None) -> None:
    """``--dataset`` (default ``dataset``), ``--score-net`` and ``--autoencoder`` (default: the
    bundled checkpoints); ``score_nets`` = "+" or "*" takes several score nets, a list."""
    parser.add_argument("--dataset", default=dataset, choices=("mvshapes", "polymnist"))
    if score_nets:
        parser.add_argument("--score-net", nargs=score_nets, default=[None],
                            help="checkpoint(s) [default: the bundled one]")
    else:
        parser.add_argument("--score-net", default=None, help="checkpoint [default: the bundled one]")
    parser.add_argument("--autoencoder", default=None, help="checkpoint [default: the bundled one]")


def chosen_variants(parser: argparse.ArgumentParser, args: argparse.Namespace, variants: dict) -> list[str]:
    """The names in ``args.variants`` (comma-separated); a parser error for an unknown one or a
    budget ``args.minutes`` <= 0."""
    names = [v.strip() for v in args.variants.split(",")]
    unknown = [n for n in names if n not in variants]
    if unknown or args.minutes <= 0:
        parser.error(f"unknown variant(s) {unknown}; allowed: {', '.join(variants)}" if unknown
                     else f"--minutes must be > 0, got {args.minutes}")
    return names


def plot_panels(curves: dict[str, list[dict]], x: str, panels: list[tuple[str, str]], xlabel: str,
                title: str, out, x_scale: float = 1.0) -> None:
    """One panel per (key, panel title), one line per curve: ``curves`` maps a label to rows
    (dicts) holding ``x`` and the panel keys (empty strings skipped); x values times ``x_scale``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(panels), figsize=(4 * len(panels) + 0.5, 3.6))
    for ax, (key, panel_title) in zip(axes, panels):
        for label, rows in curves.items():
            part = [r for r in rows if r.get(key, "") != "" and r[key] is not None]
            ax.plot([float(r[x]) * x_scale for r in part], [float(r[key]) for r in part], marker=".", label=label)
        ax.set_xlabel(xlabel)
        ax.set_title(panel_title, fontsize=9)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(out, dpi=130)


def write_csv(path: Path, columns, rows: list[dict]) -> None:
    """The rows as a CSV with ``columns``, written atomically (semcom.paths.atomic_write_bytes)."""
    from semcom.paths import atomic_write_bytes

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns))
    writer.writeheader()
    writer.writerows(rows)
    atomic_write_bytes(path, buffer.getvalue().encode())
