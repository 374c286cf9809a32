"""``semcom experiment``: run the papers' experiments."""

from __future__ import annotations

from pathlib import Path

import click

DEFAULT_CONFIG = Path("experiments/dimvida/dimvida.toml")


@click.group()
def experiment() -> None:
    """Run the paper experiments (DiMViDA)."""


@experiment.command()
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help="TOML config (default: experiments/dimvida/dimvida.toml if present, else built-in defaults).")
@click.option("--output-dir", default=None, help="Where to write table.csv etc. (overrides the config).")
@click.option("--workers", type=int, default=None, help="Training processes (overrides the config).")
def dimvida(config_path: str | None, output_dir: str | None, workers: int | None) -> None:
    """DiMViDA (Table II): classifiers trained on single views vs views + generated views,
    tested on the real view vs the mean over the real and generated views."""
    import torch

    from semcom.experiments.dimvida import load_config, run_dimvida

    torch.set_num_threads(1)
    if config_path is None and DEFAULT_CONFIG.is_file():
        config_path = str(DEFAULT_CONFIG)
    config = load_config(config_path, output_dir=output_dir, workers=workers)
    result = run_dimvida(config)
    table = result["table"].copy()
    for column in ("mean_accuracy", "std_accuracy"):
        table[column] = (100 * table[column]).map("{:.2f}".format)
    click.echo(table.rename(columns={"mean_accuracy": "mean_acc_%", "std_accuracy": "std_acc_%"})
               .to_string(index=False))
    click.echo(f"took {result['seconds'] / 60:.1f} min; wrote " + ", ".join(str(f) for f in result["files"]))
