"""``semcom train classifier --dataset D``: train the per-view classifier of a dataset.

The ``train`` group lives elsewhere; it registers :data:`classifier` with ``add_command``.
"""

from __future__ import annotations

from pathlib import Path

import click


@click.command("classifier")
@click.option("--dataset", required=True, help="Dataset name (see `semcom data`).")
@click.option("--size", type=int, default=None, help="Image side [default: the dataset's].")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder [default: <cache>/classifiers].",
)
@click.option("--epochs", type=click.IntRange(min=1), default=3, show_default=True)
@click.option("--batch-size", type=click.IntRange(min=1), default=128, show_default=True)
@click.option(
    "--lr",
    type=click.FloatRange(min=0, min_open=True),
    default=3e-3,
    show_default=True,
    help="Peak learning rate of the one-cycle schedule.",
)
@click.option(
    "--train-n",
    type=click.IntRange(min=1),
    default=None,
    help="Training objects [default: the dataset's train split].",
)
@click.option(
    "--test-n",
    type=click.IntRange(min=1),
    default=None,
    help="Test objects [default: the dataset's test split].",
)
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of on-disk datasets (nmr).",
)
@click.option(
    "--max-shift",
    type=click.IntRange(min=0),
    default=2,
    show_default=True,
    help="Random translation (pixels) for augmentation.",
)
@click.option(
    "--max-blur",
    type=click.FloatRange(min=0, max=3),
    default=0.0,
    show_default=True,
    help="Gaussian blur augmentation: half the images blurred, std up to this many pixels.",
)
@click.option("--width", type=click.IntRange(min=1), default=32, show_default=True,
              help="Channels of the first conv block (x2, x4 after).")
@click.option("--feature-dim", type=click.IntRange(min=1), default=128, show_default=True,
              help="Width of the feature layer (the features of fd_clf).")
@click.option(
    "--target",
    type=click.Choice(["class", "camera"]),
    default="class",
    show_default=True,
    help="What to predict: the object's class (coherence, fd_clf) or the camera (camera judge).",
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--threads", type=click.IntRange(min=1), default=None, help="torch CPU threads.")
def classifier(
    dataset: str,
    size: int | None,
    out_dir: Path | None,
    epochs: int,
    batch_size: int,
    lr: float,
    train_n: int | None,
    test_n: int | None,
    root: Path | None,
    max_shift: int,
    max_blur: float,
    width: int,
    feature_dim: int,
    target: str,
    seed: int,
    threads: int | None,
) -> None:
    """Train the view classifier used for coherence and fd_clf; report test accuracy per view."""
    import torch

    from semcom.metrics.classifier import checkpoint_name
    from semcom.metrics.train_classifier import TrainClassifierConfig, train_classifier
    from semcom.paths import cache_dir

    if threads is not None:
        torch.set_num_threads(threads)
    out_dir = out_dir or cache_dir("classifiers")
    config = TrainClassifierConfig(
        epochs=epochs, batch_size=batch_size, lr=lr, max_shift=max_shift, max_blur=max_blur,
        width=width, feature_dim=feature_dim, seed=seed,
    )
    report = train_classifier(
        dataset, out_dir, config, size=size, train_n=train_n, test_n=test_n, root=root,
        target=target,
    )
    views = ", ".join(f"{v} {a:.2%}" for v, a in report.view_accuracy.items())
    click.echo(
        f"{dataset}: test accuracy {report.test_accuracy:.2%} ({views}) "
        f"after {report.train_seconds:.0f} s on {report.n_train_images} images"
    )
    blurred = ", ".join(f"sigma {b} px {a:.2%}" for b, a in report.blur_accuracy.items())
    click.echo(f"blurred test views: {blurred}")
    stem = out_dir / checkpoint_name(dataset, report.image_size, target)
    click.echo(f"wrote {stem}.safetensors, {stem.name}.json and {stem.name}.report.json")
