"""``semcom train smvae|mopoe|mvae``: train the peer imputers from the command line.

Each command takes ``--dataset`` and an optional ``--config`` TOML (keys = the fields of
:class:`~semcom.models.peers.train.PeerTrainConfig`, with the model settings in a ``[model]``
table); command-line options override it. Runs resume from ``--out`` when interrupted.
"""

from __future__ import annotations

from pathlib import Path

import click

from semcom.cli.train_common import common_options, load_splits


def _train(method: str, dataset, config_path, out_dir, steps, image_size, n_train, no_progress):
    from semcom.models.peers.train import PeerTrainConfig, train_peer
    from semcom.models.train_config import load_toml_config

    overrides = {"dataset": dataset, "steps": steps, "image_size": image_size, "n_train": n_train}
    config = load_toml_config(PeerTrainConfig, config_path, overrides)
    out = Path(out_dir or f"runs/{config.dataset}/{method}")
    train_ds, val_ds = load_splits(config, not no_progress)
    predict = _judge(config.dataset, config.image_size)
    path = train_peer(
        method, config, train_ds.images, val_ds.images, out, progress=not no_progress,
        val_labels=val_ds.labels if predict else None, predict=predict,
    )
    click.echo(
        f"wrote {path} (+ .json), log {out / 'train_log.csv'}, resume state {out / 'resume.*'}"
    )


def _judge(dataset: str, image_size: int | None):
    """The bundled view classifier's predict function, or None (with a note) if there is none."""
    from semcom.metrics.classifier import judge_predictor

    predict = judge_predictor(dataset, image_size)
    if predict is None:
        click.echo(f"validation without coherence: no bundled classifier for {dataset}", err=True)
    return predict


def _command(method: str, summary: str) -> click.Command:
    @click.command(method, help=summary)
    @common_options
    def cmd(dataset, config_path, out_dir, steps, image_size, n_train, no_progress):
        _train(method, dataset, config_path, out_dir, steps, image_size, n_train, no_progress)

    return cmd


smvae = _command("smvae", "Train SMVAE (attention over the set of views) as a peer imputer.")
mopoe = _command("mopoe", "Train MoPoE-VAE (mixture of products of experts) as a peer imputer.")
mvae = _command("mvae", "Train MVAE (product of experts with a prior expert) as a peer imputer.")

#: the commands for the ``semcom train`` group: ``train.add_command(cmd)`` for each
COMMANDS = (smvae, mopoe, mvae)
