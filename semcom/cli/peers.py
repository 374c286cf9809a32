"""``semcom peers table``: the imputation table of trained imputers on a test split.

The one evaluation engine, :func:`semcom.evaluate.evaluate_imputer`, for k = 0 .. V observed
views, without the naive baselines and the autoencoder row: one CSV row per (imputer, k) with
:data:`semcom.evaluate.COLUMNS`, then ``latent`` and ``seed``. k = 0 judges joint generation
(joint coherence), k = V the imputer's own reconstructions. Models come from
:func:`semcom.system.imputers.load_imputer` (bundled, or ``$SEMCOM_MODELS``). ``semcom evaluate
--imputer`` is the place for the comparison with the baselines and FID; this command is the
VAEs' own check.
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
    """Coherence, PSNR, SSIM, LPIPS ... per number of observed views k = 0 .. V for each imputer.

    Columns: those of `semcom evaluate` (method ... n, coherence, camera_acc, fd_clf, lpips, ssim,
    psnr, psnr_fg, delta_e; fid, fid_recon and kid empty; coherence_hits, coherence_trials), then
    latent and seed. k = 0: joint coherence (all generated views of an object get one class; its
    trials are objects); k = V: the imputer's own reconstructions. Earlier versions wrote dataset,
    l1 and seconds columns: dataset is the --dataset, l1 gave way to SSIM and LPIPS, seconds
    (not reproducible) is printed instead."""
    import time

    import torch

    from semcom.data import dataset_info
    from semcom.errors import SemcomError, check_choice
    from semcom.evaluate import COLUMNS, EvaluateConfig, evaluate_imputer
    from semcom.metrics.classifier import load_classifier
    from semcom.system.imputers import IMPUTERS, load_imputer

    torch.set_num_threads(1)
    for name in imputers:
        check_choice("imputer", name, IMPUTERS)
    if checkpoint is not None and (len(imputers) != 1 or imputers[0] == "mvld"):
        raise SemcomError(
            f"--checkpoint needs exactly one VAE in --imputer (smvae, mopoe or mvae), got {', '.join(imputers)}"
        )
    # the class judge once for all imputers (default: the bundled one at the dataset's size)
    classifier = load_classifier(dataset, size, None if classifier_folder is None else Path(classifier_folder))
    config = EvaluateConfig(dataset=dataset, size=size, n=n_objects, seed=seed, baselines=False,
                            observed_views=tuple(range(dataset_info(dataset).num_views + 1)),
                            classifier=classifier)
    rows = []
    for name in imputers:
        imputer = load_imputer(name, dataset, size=size, peer_path=checkpoint)
        inner = getattr(imputer, "imputer", None)
        if inner is not None and hasattr(inner, "latent"):
            inner.latent = latent
        start = time.perf_counter()
        for row in evaluate_imputer(imputer, config, method=name, reconstruction=False,
                                    progress=not no_progress):
            rows.append({**{c: row[c] for c in COLUMNS}, "latent": latent if name != "mvld" else "-",
                         "seed": seed})
        click.echo(f"{name}: {time.perf_counter() - start:.1f} s")
    out = Path(out_path or f"results/{dataset}/peers_table.csv")
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=[*COLUMNS, "latent", "seed"])
    writer.writeheader()
    writer.writerows(rows)
    atomic_write_bytes(out, buf.getvalue().encode())
    for row in rows:
        click.echo(
            f"{row['method']:6s} k={row['observed_views']} coherence {row['coherence']:.4f}"
            f" ({row['coherence_hits']}/{row['coherence_trials']})  psnr {row['psnr']:.2f}"
            f"  ssim {row['ssim']:.4f}"
        )
    click.echo(f"wrote {out}")
