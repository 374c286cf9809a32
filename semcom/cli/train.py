"""``semcom train autoencoder|diffusion``: train the MVLD models from the command line.

Both commands take ``--dataset`` and an optional ``--config`` TOML (keys = the fields of
:class:`~semcom.models.train_autoencoder.AutoencoderTrainConfig` /
:class:`~semcom.models.train_diffusion.DiffusionTrainConfig`); command-line options override it.
Runs resume from ``--out`` when interrupted (same command again). ``semcom train curves``
draws the learning curves of finished runs from their logs.
"""

from __future__ import annotations

from pathlib import Path

import click

from semcom.cli.train_classifier import classifier
from semcom.cli.train_common import common_options, load_splits
from semcom.cli.train_peers import COMMANDS as PEER_COMMANDS
from semcom.cli.types import OutputFile
from semcom.errors import SemcomError


@click.group()
def train() -> None:
    """Train the multi-view latent diffusion models (autoencoder first, then diffusion)."""


@train.command("autoencoder")
@common_options
def train_autoencoder_cmd(dataset, config_path, out_dir, steps, image_size, n_train, no_progress):
    """Train the per-view autoencoder (L1 loss) and store latent statistics with it."""
    from semcom.models.train_autoencoder import AutoencoderTrainConfig, train_autoencoder
    from semcom.models.train_config import load_toml_config

    overrides = {"dataset": dataset, "steps": steps, "image_size": image_size, "n_train": n_train}
    config = load_toml_config(AutoencoderTrainConfig, config_path, overrides)
    out = Path(out_dir or f"runs/{config.dataset}/autoencoder")
    train_ds, val_ds = load_splits(config, not no_progress)
    path = train_autoencoder(config, train_ds.images, val_ds.images, out, progress=not no_progress,
                             background=train_ds.info.background)
    click.echo(
        f"wrote {path} (+ .json), log {out / 'train_log.csv'}, resume state {out / 'resume.*'}"
    )


@train.command("diffusion")
@common_options
@click.option(
    "--autoencoder",
    "autoencoder_path",
    default=None,
    help="Autoencoder checkpoint (overrides the config).",
)
def train_diffusion_cmd(
    dataset, config_path, out_dir, steps, image_size, n_train, no_progress, autoencoder_path
):
    """Train the multi-time masked score network on the autoencoder's latents."""
    from semcom.models.checkpoint import load_autoencoder
    from semcom.models.train_config import load_toml_config
    from semcom.models.train_diffusion import DiffusionTrainConfig, train_diffusion

    overrides = {
        "dataset": dataset,
        "steps": steps,
        "image_size": image_size,
        "n_train": n_train,
        "autoencoder": autoencoder_path,
    }
    config = load_toml_config(DiffusionTrainConfig, config_path, overrides)
    if not config.autoencoder:
        raise SemcomError(
            "no autoencoder checkpoint: pass --autoencoder PATH or set 'autoencoder' in the config"
        )
    out = Path(out_dir or f"runs/{config.dataset}/diffusion")
    train_ds, val_ds = load_splits(config, not no_progress)
    c, h, _ = train_ds.image_shape
    autoencoder, stats, _ = load_autoencoder(
        config.autoencoder,
        views=train_ds.num_views,
        channels=c,
        image_size=h,
        dataset=config.dataset,
        require_stats=True,
    )
    from semcom.metrics.classifier import judge_predictor

    predict = judge_predictor(config.dataset, h)
    if predict is None and config.val_coherence_objects:
        click.echo(f"validation without coherence: no bundled classifier for {config.dataset}", err=True)
    path = train_diffusion(
        config, autoencoder, stats, train_ds.images, val_ds.images, out, progress=not no_progress,
        val_labels=val_ds.labels, predict=predict,
    )
    click.echo(
        f"wrote {path} (+ .json), log {out / 'train_log.csv'}, resume state {out / 'resume.*'}"
    )


@train.command("jscc")
@common_options
def train_jscc_cmd(dataset, config_path, out_dir, steps, image_size, n_train, no_progress):
    """Train a per-view SNR-adaptive DeepJSCC (the jscc scheme of the sweeps) through AWGN and
    block Rayleigh."""
    from semcom.models.train_config import load_toml_config
    from semcom.models.train_jscc import JSCCTrainConfig, train_jscc

    overrides = {"dataset": dataset, "steps": steps, "image_size": image_size, "n_train": n_train}
    config = load_toml_config(JSCCTrainConfig, config_path, overrides)
    out = Path(out_dir or f"runs/{config.dataset}/jscc_s{config.symbols}")
    train_ds, val_ds = load_splits(config, not no_progress)
    path = train_jscc(config, train_ds.images, val_ds.images, out, progress=not no_progress,
                      background=train_ds.info.background)
    click.echo(f"wrote {path} (+ .json), log {out / 'train_log.csv'}, resume state {out / 'resume.*'}")


@train.command("export")
@click.argument("source", type=click.Path(path_type=Path))
@click.argument("dest", type=click.Path(path_type=Path))
@click.option("--half/--no-half", default=False, show_default=True,
              help="Store the weights as float16 (half the size; they load as float32).")
def export_cmd(source: Path, dest: Path, half: bool) -> None:
    """Copy the checkpoint SOURCE (path without suffix) to DEST, e.g. into
    semcom/assets/bundled/mvld/<dataset>-<size>px/autoencoder."""
    from semcom.models.checkpoint import checkpoint_paths
    from semcom.models.export import export_checkpoint

    tensor_file = export_checkpoint(source, dest, half=half)
    click.echo(f"wrote {tensor_file} ({tensor_file.stat().st_size / 1e6:.2f} MB) and {checkpoint_paths(dest)[1]}")


@train.command("curves")
@click.option("--model", "models", multiple=True, required=True, metavar="LABEL=LOG[,LOG...]",
              help="A model's training logs (train_log.csv of each stage, in order; a later stage "
                   "continues the earlier one's steps and time). Repeat for more models.")
@click.option("--metric", "metrics", multiple=True, default=("val_coherence_1", "val_loss_ema"),
              show_default=True, help="Log column(s) to plot, one panel each.")
@click.option("--out", type=OutputFile(".png"), required=True,
              help="PNG to write; the chained table goes beside it as .csv.")
def curves_cmd(models: tuple[str, ...], metrics: tuple[str, ...], out: Path) -> None:
    """Learning curves: validation metrics of trained models against training wall time."""
    import pandas as pd

    from semcom.models.learning_curves import chain_stages, plot_learning_curves
    from semcom.paths import atomic_write_bytes

    curves = {}
    for spec in models:
        label, sep, logs = spec.partition("=")
        if not sep or not label.strip() or not logs.strip():
            raise SemcomError(f"--model {spec!r}: expected LABEL=LOG[,LOG...], e.g. "
                              "polymnist=runs/polymnist/diffusion/train_log.csv")
        curves[label.strip()] = chain_stages([Path(p.strip()) for p in logs.split(",") if p.strip()])
    fig = plot_learning_curves(curves, metrics)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=130)
    table = pd.concat([t.assign(model=label) for label, t in curves.items()], ignore_index=True)
    columns = ["model", "stage", "step", "hours", *[m for m in metrics if m in table.columns]]
    csv_path = out.with_suffix(".csv")
    atomic_write_bytes(csv_path, table[columns].to_csv(index=False, float_format="%.6g").encode())
    click.echo(f"wrote {out} and {csv_path}")


# the view classifier (a judge of semcom.metrics) and the peer VAEs (semcom.models.peers)
train.add_command(classifier)
for _command in PEER_COMMANDS:
    train.add_command(_command)
