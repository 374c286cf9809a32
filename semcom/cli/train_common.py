"""What the ``semcom train`` commands share: the options every trainer takes and the splits."""

from __future__ import annotations

import click

from semcom.cli.types import COUNT, OutputFolder


def load_splits(config, progress: bool):
    from semcom.data import load_dataset

    common = {"size": config.image_size, "seed": config.data_seed, "progress": progress}
    train = load_dataset(config.dataset, "train", n=config.n_train, **common)
    val = load_dataset(config.dataset, "val", n=config.n_val, **common)
    return train, val


def common_options(fn):
    options = [
        click.option("--dataset", default=None, help="Dataset name (overrides the config)."),
        click.option(
            "--config",
            "config_path",
            type=click.Path(dir_okay=False),
            default=None,
            help="TOML training config.",
        ),
        click.option(
            "--out",
            "out_dir",
            type=OutputFolder(),
            default=None,
            help="Output folder [default: runs/<dataset>/<model>].",
        ),
        click.option(
            "--steps", type=COUNT, default=None, help="Training steps (overrides the config)."
        ),
        click.option("--size", "image_size", type=COUNT, default=None, help="Image side in pixels."),
        click.option("--n-train", type=COUNT, default=None, help="Training objects to use."),
        click.option("--no-progress", is_flag=True, help="Hide the progress bars."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn
