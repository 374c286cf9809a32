"""``semcom evaluate``: the imputation table (DiMViDA Table I) of an imputer on a dataset."""

from __future__ import annotations

import os
from pathlib import Path

import click

from semcom.cli.types import COUNT, SEED, FiniteFloat, OutputFile
from semcom.sampler_defaults import DEFAULT_GUIDANCE, DEFAULT_SAMPLER, DEFAULT_STEPS


@click.command()
@click.option("--dataset", default="mvshapes", show_default=True)
@click.option("--size", type=COUNT, default=None, help="Image side (dataset default).")
@click.option("--imputer", "imputer_names", default="mvld", show_default=True,
              help="mvld, smvae, mopoe, mvae, or a comma-separated list to compare them.")
@click.option("--sampler", default=DEFAULT_SAMPLER, show_default=True, help="Diffusion sampler (mvld).")
@click.option("--steps", type=COUNT, default=DEFAULT_STEPS, show_default=True, help="Sampler steps (mvld).")
@click.option("--guidance", type=FiniteFloat(0.0, 20.0), default=DEFAULT_GUIDANCE, show_default=True,
              help="mvld: weight of guidance from the joint mode (0 = none; doubles the network passes).")
@click.option("--guidance-max-t", type=FiniteFloat(0.0, 1.0), default=1.0, show_default=True,
              help="mvld: guide only the steps at diffusion times t <= this (1 = every step); the others cost one pass.")
@click.option("--n", type=click.IntRange(1, 100_000), default=1000, show_default=True, help="Test objects.")
@click.option("--fid/--no-fid", default=False, show_default=True,
              help="Also FID and KID on Inception features (about 0.2 s per image per core; "
                   "n objects cost about 14 n images for mvld on 4 views).")
@click.option("--autoencoder", "autoencoder_path", default=None,
              help="mvld: autoencoder checkpoint [default: the bundled model, then runs/].")
@click.option("--score-net", "score_net_path", default=None,
              help="mvld: score network checkpoint [default: the bundled model, then runs/].")
@click.option("--vae-checkpoint", "peer_path", default=None,
              help="smvae/mopoe/mvae: checkpoint of the one VAE in --imputer "
                   "[default: the bundled model, then runs/].")
@click.option("--seed", type=SEED, default=0, show_default=True)
@click.option("--out", type=OutputFile(".csv"), default=None,
              help="CSV to write [default: results/<dataset>/imputation.csv].")
def evaluate(dataset, size, imputer_names, sampler, steps, guidance, guidance_max_t, n, fid, autoencoder_path, score_net_path,
             peer_path, seed, out) -> None:
    """Quality of imputed views per number of observed views, with the reconstruction ceiling and
    two naive baselines; prints the table, writes CSV and a figure.

    Columns: coherence (the class judge gives the object's class), camera_acc (the camera judge
    gives the camera of the slot; empty without a bundled camera judge), fd_clf, LPIPS, SSIM,
    PSNR, psnr_fg and delta_e (PSNR and CIEDE2000 on the object pixels; empty for datasets
    without a uniform background), and with --fid: FID, KID and fid_recon (the
    reconstruction's FID on the same views)."""
    import pandas as pd

    from semcom.errors import SemcomError
    from semcom.evaluate import COLUMNS, EvaluateConfig, evaluate_imputer, plot_table
    from semcom.paths import atomic_write_bytes
    from semcom.system.imputers import load_imputer

    names = [name.strip() for name in imputer_names.split(",") if name.strip()]
    vaes = [name for name in names if name != "mvld"]
    if peer_path is not None and len(vaes) != 1:
        raise SemcomError(f"--vae-checkpoint needs exactly one VAE (smvae, mopoe or mvae) in --imputer, "
                          f"got {', '.join(vaes) or 'none'}")
    default = "imputation.csv" if names == ["mvld"] else "imputers.csv"
    out = out or Path("results") / dataset / default
    old = read_old_table(out)  # before any computing: a bad --out fails in a second, not after the work
    config = EvaluateConfig(dataset=dataset, size=size, n=n, seed=seed, fid=fid)
    # every model is loaded before any is evaluated: a missing one is found in seconds
    imputers = [load_imputer(name, dataset, size=size, sampler=sampler, steps=steps, guidance=guidance,
                             guidance_max_t=guidance_max_t if name == "mvld" else 1.0,
                             autoencoder_path=autoencoder_path, score_net_path=score_net_path,
                             peer_path=peer_path if name != "mvld" else None) for name in names]
    rows, seen = [], set()
    for i, (name, imputer) in enumerate(zip(names, imputers, strict=True)):
        # every imputer's reconstruction row is the MVLD autoencoder's: computed once
        for row in evaluate_imputer(imputer, config, method=name, reconstruction=i == 0):
            key = (row["method"], row["observed_views"])
            if row["method"] in names or key not in seen:  # baselines and the ceiling once
                rows.append(row)
                seen.add(key)
    table = pd.DataFrame(rows)[list(COLUMNS)]
    if old is not None:
        table = merge_table(old, table)
    atomic_write_bytes(out, table.to_csv(index=False).encode())
    with pd.option_context("display.width", 160, "display.max_columns", 20, "display.precision", 4):
        click.echo(table.to_string(index=False))
    figures = plot_table(table.to_dict("records"), out.with_suffix(""))
    click.echo(f"wrote {out} and {', '.join(str(f) for f in figures)}")


def read_old_table(out: Path):
    """The table already at ``out`` (rows of other methods are kept), None if there is none; a
    one-line error when ``out`` cannot be the CSV written at the end."""
    import pandas as pd

    from semcom.errors import SemcomError

    if out.suffix != ".csv":
        raise SemcomError(f"--out must be a .csv file, got {out}")
    if out.is_dir():
        raise SemcomError(f"--out {out} is a folder; give a .csv file path")
    parent = next((p for p in (out.parent, *out.parent.parents) if p.exists()), Path("."))
    if not parent.is_dir() or not os.access(parent, os.W_OK):
        raise SemcomError(f"--out {out}: cannot write in {parent}")
    if not out.is_file():
        return None
    try:
        old = pd.read_csv(out)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise SemcomError(f"--out {out} exists but is not a readable CSV table ({err}); move it away") from None
    if "method" not in old.columns:
        raise SemcomError(f"--out {out} exists but is not an imputation table (no 'method' column); move it away")
    return old


def merge_table(old, new):
    """Rows of ``old`` (a table read back from CSV) whose method ``new`` does not have, then
    ``new``; columns in :data:`~semcom.evaluate.COLUMNS` order (a file written by an older
    version may lack some: its rows leave them empty)."""
    import pandas as pd

    from semcom.evaluate import COLUMNS

    kept = old[~old["method"].isin(new["method"].unique())]
    merged = pd.concat([kept, new], ignore_index=True)
    return merged[list(COLUMNS) + [c for c in merged.columns if c not in COLUMNS]]
