"""``semcom data``: build, preview and describe the multi-view datasets."""

from __future__ import annotations

from pathlib import Path

import click

from semcom.cli.types import COUNT, SEED, OutputFile

_dataset_options = [
    click.option("--split", default="test", show_default=True, help="train, val or test."),
    click.option("--size", type=COUNT, default=None, help="Image side in pixels (dataset default if omitted)."),
    click.option("--n", "n", type=click.IntRange(1, 1_000_000), default=None, help="Number of objects (dataset default if omitted)."),
    click.option("--seed", type=SEED, default=0, show_default=True, help="Which objects: same seed, same arrays."),
    click.option("--root", type=click.Path(path_type=Path), default=None, help="Folder of on-disk datasets (nmr)."),
]


def dataset_options(func):
    for option in reversed(_dataset_options):
        func = option(func)
    return func


@click.group()
def data() -> None:
    """Multi-view datasets: mvshapes (default, rendered), polymnist, nmr (from disk)."""


@data.command()
@click.argument("dataset")
@dataset_options
@click.option("--out", type=OutputFile(".png", ".pdf"), required=True, help="PNG or PDF to write.")
@click.option("--rows", type=click.IntRange(1, 1000), default=13, show_default=True, help="Objects shown.")
def preview(dataset: str, split: str, size: int | None, n: int | None, seed: int, root: Path | None,
            out: Path, rows: int) -> None:
    """Write a grid of objects (rows) x views (columns) of DATASET, class names shown."""
    from semcom.data import load_dataset
    from semcom.data.preview import save_preview

    ds = load_dataset(dataset, split, size=size, n=n, seed=seed, root=root)
    path = save_preview(ds, out, rows=rows)
    click.echo(f"wrote {path} ({min(rows, len(ds))} objects x {ds.num_views} views of {ds!r})")


@data.command()
@click.argument("dataset")
@click.option("--split", default="all", show_default=True, help="train, val, test or all.")
@click.option("--size", type=COUNT, default=None, help="Image side in pixels (dataset default if omitted).")
@click.option("--n", "n", type=click.IntRange(1, 1_000_000), default=None, help="Number of objects per split (default per split).")
@click.option("--seed", type=SEED, default=0, show_default=True)
@click.option("--workers", type=COUNT, default=None, help="Render processes (default: all cores).")
@click.option("--root", type=click.Path(path_type=Path), default=None, help="Folder of on-disk datasets (nmr).")
def build(dataset: str, split: str, size: int | None, n: int | None, seed: int, workers: int | None,
          root: Path | None) -> None:
    """Build DATASET's splits into the cache (with a progress bar) and say where they are."""
    import time

    from semcom.data import SPLITS, load_dataset
    from semcom.errors import check_choice

    check_choice("split", split, (*SPLITS, "all"))
    for s in SPLITS if split == "all" else (split,):
        start = time.perf_counter()
        ds = load_dataset(dataset, s, size=size, n=n, seed=seed, root=root, workers=workers)
        where = ds.meta.get("cache_file", ds.meta.get("root"))
        click.echo(f"{ds!r} in {time.perf_counter() - start:.1f} s -> {where}")


@data.command(name="list")
def list_datasets() -> None:
    """List the datasets with their views, classes and sizes."""
    from semcom.data import DATASETS, dataset_info

    for name in DATASETS:
        info = dataset_info(name)
        click.echo(f"{name:<10} {info.description}")
        click.echo(f"{'':<10} views: {', '.join(info.view_names)}; sizes: {', '.join(map(str, info.sizes))};"
                   f" {info.num_classes} classes")
