"""``semcom plot``: the standard figures of a sweep's results folder."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--metric", "metrics", multiple=True, help="Metric(s) to plot (default: all present).")
@click.option("--cells", default=None, help="Comma-separated cell ids for the example grid (default: 10 spread over the table).")
def plot(folder: Path, metrics: tuple[str, ...], cells: str | None) -> None:
    """Plot FOLDER/results.csv: bandwidth vs each metric, each metric vs SNR, example images."""
    from semcom.plots import plot_results

    paths = plot_results(folder, metrics or None, cells.split(",") if cells else None)
    for path in paths:
        click.echo(f"wrote {path}")
