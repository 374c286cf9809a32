"""``semcom peers table``: the imputation table of trained imputers on a test split.

Writes one CSV row per (imputer, number of observed views) with the columns of
:data:`~semcom.models.peers.evaluate.COLUMNS` (coherence, PSNR, L1 of the generated views;
k = V judges the reconstructions). Models come from :func:`semcom.system.imputers.load_imputer`
(bundled, or ``$SEMCOM_MODELS``). The ``semcom evaluate --imputer`` command (issue 5) is the
place for the full comparison with FID; this command is the VAEs' own check.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import click

from semcom.cli.types import COUNT, SEED, OutputFile
from semcom.paths import atomic_write_bytes


@click.group()
def peers() -> None:
    """Peer imputers (SMVAE, MoPoE-VAE, MVAE): evaluation helpers."""


@peers.command("table")
@click.option("--dataset", default="mvshapes", show_default=True, help="Dataset name.")
@click.option(
    "--imputer",
    "imputers",
    multiple=True,
    default=("smvae", "mopoe", "mvae"),
    show_default=True,
    help="Imputer(s) to evaluate (repeat the option).",
)
@click.option(
    "--checkpoint",
    type=click.Path(dir_okay=False),
    default=None,
    help="Checkpoint of the one VAE given with --imputer (a run trained elsewhere) "
    "[default: the bundled one, else runs/<dataset>/<method>/<method>].",
)
@click.option("--size", type=COUNT, default=None, help="Image side [default: the dataset's].")
@click.option("--n", "n_objects", type=click.IntRange(1, 100_000), default=1000, show_default=True, help="Test objects.")
@click.option(
    "--latent",
    type=click.Choice(["sample", "mean"]),
    default="sample",
    show_default=True,
    help="VAEs: draw z from the posterior or decode its mean.",
)
@click.option(
    "--seed",
    type=SEED,
    default=0,
    show_default=True,
    help="Seed of the observed sets and the samplers.",
)
@click.option(
    "--classifier-folder",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder of the view classifier [default: the bundled one].",
)
@click.option(
    "--out",
    "out_path",
    type=OutputFile(".csv"),
    default=None,
    help="CSV to write [default: results/<dataset>/peers_table.csv].",
)
@click.option("--no-progress", is_flag=True, help="Hide the progress bars.")
def table_cmd(
    dataset, imputers, checkpoint, size, n_objects, latent, seed, classifier_folder, out_path,
    no_progress,
):
    """Coherence, PSNR and L1 per number of observed views for each imputer."""
    import torch

    from semcom.data import dataset_info
    from semcom.errors import SemcomError, check_choice
    from semcom.models.peers.evaluate import COLUMNS, default_predictor, imputer_table
    from semcom.system.imputers import IMPUTERS, load_imputer

    torch.set_num_threads(1)
    for name in imputers:
        check_choice("imputer", name, IMPUTERS)
    if checkpoint is not None and (len(imputers) != 1 or imputers[0] == "mvld"):
        raise SemcomError(
            f"--checkpoint needs exactly one VAE in --imputer (smvae, mopoe or mvae), got {', '.join(imputers)}"
        )
    predict = None
    if classifier_folder is not None:
        from semcom.metrics.classifier import load_classifier

        predict = load_classifier(dataset, folder=Path(classifier_folder)).predict
    rows = []
    for name in imputers:
        imputer = load_imputer(name, dataset, size=size, peer_path=checkpoint)
        inner = getattr(imputer, "imputer", None)
        if inner is not None and hasattr(inner, "latent"):
            inner.latent = latent
        predict = predict or default_predictor(dataset, dataset_info(dataset).check_size(size))
        for row in imputer_table(
            imputer,
            dataset,
            n_objects,
            torch.Generator().manual_seed(seed),
            method=name,
            size=size,
            predict=predict,
            progress=not no_progress,
        ):
            rows.append({**row, "latent": latent if name != "mvld" else "-", "seed": seed})
    out = Path(out_path or f"results/{dataset}/peers_table.csv")
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=[*COLUMNS, "latent", "seed"])
    writer.writeheader()
    writer.writerows(rows)
    atomic_write_bytes(out, buf.getvalue().encode())
    for row in rows:
        click.echo(
            f"{row['method']:6s} k={row['observed_views']} coherence {row['coherence']:.4f}"
            f"  psnr {row['psnr']:.2f}  l1 {row['l1']:.4f}"
        )
    click.echo(f"wrote {out}")
