"""Learning curves: a model's validation metrics against its training wall time.

A model trained in stages (a run that starts from another's weights with ``init_from``, a
decoder fine-tuned after the autoencoder, a run resumed under another config) has one
``train_log.csv`` per stage. :func:`chain_stages` puts them end to end: a stage's steps and
wall time continue from where the previous stage ended, so the curve is what the model cost in
all. :func:`plot_learning_curves` draws one panel per metric, one line per model, a dotted mark
where a stage begins, named by its log's file stem.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from semcom.errors import SemcomError

#: log column -> axis label of the metrics a curve can show
CURVE_METRICS: dict[str, str] = {
    "val_coherence_1": "coherence imputed from 1 view",
    "val_loss_ema": "validation loss (EMA weights)",
    "val_loss": "validation loss",
    "val_psnr": "validation PSNR [dB]",
    "val_psnr_fg": "validation PSNR on object pixels [dB]",
    "val_l1": "validation L1",
}


def read_stage(path: Path) -> pd.DataFrame:
    """One ``train_log.csv`` with its ``step`` and ``elapsed_s`` columns checked."""
    path = Path(path)
    if not path.is_file():
        raise SemcomError(f"training log {path} does not exist")
    log = pd.read_csv(path)
    missing = [c for c in ("step", "elapsed_s") if c not in log.columns]
    if missing or log.empty:
        raise SemcomError(f"training log {path} has no rows with step and elapsed_s (a train_log.csv of "
                          f"semcom train); missing: {', '.join(missing) or 'rows'}")
    return log


def chain_stages(paths: Sequence[Path]) -> pd.DataFrame:
    """The logs of a model's consecutive stages as one table.

    Returns one row per validation with ``stage`` (the log's file stem, or its folder's name for
    a ``train_log.csv``), ``stage_index`` (0, 1, ... in the order given), ``step`` and ``hours``
    counted from the first stage's start (a later stage's own step s and time t become
    s + steps before it and t + time before it), and every metric column of the logs.
    """
    if not paths:
        raise SemcomError("a learning curve needs at least one training log")
    parts, steps_before, seconds_before = [], 0, 0.0
    for index, path in enumerate(map(Path, paths)):
        log = read_stage(path)
        name = path.parent.name if path.stem == "train_log" and path.parent.name else path.stem
        part = log.assign(stage=name, stage_index=index, step=log["step"] + steps_before,
                          hours=(log["elapsed_s"] + seconds_before) / 3600.0)
        parts.append(part)
        steps_before = int(part["step"].iloc[-1])
        seconds_before += float(log["elapsed_s"].iloc[-1])
    return pd.concat(parts, ignore_index=True).drop(columns="elapsed_s")


def plot_learning_curves(curves: Mapping[str, pd.DataFrame], metrics: Sequence[str]):
    """One panel per metric of :data:`CURVE_METRICS`, one line per model (label -> the table of
    :func:`chain_stages`) against training hours; a dotted vertical line where a later stage
    begins. Returns the matplotlib Figure."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import PercentFormatter

    unknown = [m for m in metrics if m not in CURVE_METRICS]
    if unknown or not metrics:
        raise SemcomError(f"unknown learning-curve metric {', '.join(unknown) or '(none)'}; "
                          f"allowed: {', '.join(CURVE_METRICS)}")
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.6 * len(metrics), 3.4), squeeze=False)
    for ax, metric in zip(axes[0], metrics, strict=True):
        for i, (label, table) in enumerate(curves.items()):
            if metric not in table.columns or table[metric].isna().all():
                continue
            colour = f"C{i}"
            rows = table.dropna(subset=[metric])
            ax.plot(rows["hours"], rows[metric], marker=".", color=colour, label=label, zorder=3)
            stages = table.groupby("stage_index")
            ends, names = stages["hours"].max(), stages["stage"].first()
            for end, stage in zip(ends.iloc[:-1], names.iloc[1:], strict=True):  # where each later stage begins
                ax.axvline(end, color=colour, linestyle=":", linewidth=1)
                ax.annotate(stage.removesuffix("_log"), (end, 1.0), xycoords=("data", "axes fraction"),
                            xytext=(2, -4), textcoords="offset points", rotation=90, va="top",
                            fontsize=7, color=colour, alpha=0.8, zorder=1)  # behind the curves: no point hidden
        if metric.startswith("val_coherence"):
            ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_xlabel("training wall time [h]")
        ax.set_ylabel(CURVE_METRICS[metric])
        ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    return fig
