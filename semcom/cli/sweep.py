"""``semcom sweep``: run an experiment file's grid and write results/<name>/results.csv."""

from __future__ import annotations

from pathlib import Path

import click

from semcom.cli.types import OutputFolder


@click.command()
@click.argument("experiment", type=click.Path(path_type=Path))
@click.option("--executor", default="local", show_default=True, help="local or ray.")
@click.option("--ray-address", default=None, help="Ray cluster address (default: $RAY_ADDRESS or a local instance).")
@click.option("--resume", is_flag=True, help="Continue a sweep: run only cells without a row.")
@click.option("--overwrite", is_flag=True, help="Start again: the old table is replaced when the first new row is written "
                   "(a run that fails before that leaves it as it was). Not with --resume.")
@click.option("--out", "out_root", type=OutputFolder(), default=Path("results"), show_default=True,
              help="Parent folder of results/<name>/.")
@click.option("--dry-run", is_flag=True, help="Validate the file and list the cells without running them.")
def sweep(experiment: Path, executor: str, ray_address: str | None, resume: bool, overwrite: bool,
          out_root: Path, dry_run: bool) -> None:
    """Run the grid of EXPERIMENT (a TOML file) and append one row per cell."""
    from semcom.sweep.config import load_experiment
    from semcom.sweep.grid import expand
    from semcom.sweep.runner import run_sweep

    config = load_experiment(experiment)
    if dry_run:
        cells = expand(config)
        for cell in cells:
            click.echo(" ".join(f"{k}={v}" for k, v in cell.as_dict().items() if v is not None))
        click.echo(f"{len(cells)} cells")
        return
    store = run_sweep(config, str(out_root / config.name), executor=executor, resume=resume,
                      overwrite=overwrite, ray_address=ray_address, echo=click.echo)
    click.echo(f"wrote {store.csv_path} ({len(store.rows)} rows)")
