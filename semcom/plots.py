"""Plots of a sweep's tidy table. Every function is pure: a DataFrame in, a Figure out.

- :func:`tradeoff`: bandwidth (channel uses per object, or the bandwidth ratio) against a
  quality metric, one panel per channel, one curve per scheme and SNR; the points of a curve are
  the views sent (semantic) or the codec qualities (bit-exact).
- :func:`metric_vs_snr`: a metric against SNR, one panel per channel, one curve per scheme and
  number of views sent.
- :func:`example_grid`: what the receiver shows at chosen cells (images saved by the runner).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

#: metric -> (axis label, True if higher is better)
METRICS: dict[str, tuple[str, bool]] = {
    "fid": ("FID (lower is better)", False),
    "kid": ("KID (lower is better)", False),
    "fd_clf": ("classifier Frechet distance (lower is better)", False),
    "coherence": ("coherence (higher is better)", True),
    "lpips": ("LPIPS (lower is better)", False),
    "psnr": ("PSNR [dB]", True),
    "psnr_fg": ("PSNR on object pixels [dB]", True),
    "delta_e": ("colour error CIEDE2000 on object pixels (lower is better)", False),
    "ssim": ("SSIM", True),
    "view_loss_rate": ("view loss rate", False),
}
BANDWIDTH = {
    "channel_uses_per_object": "complex channel uses per object",
    "bandwidth_ratio": "bandwidth ratio k/n (channel uses per real source value)",
}
SCHEME_STYLE = {"semantic": "-", "hybrid": "--", "bitexact": ":", "capacity": "-.", "jscc": (0, (5, 1, 1, 1, 1, 1))}


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _numeric(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    df = df.copy()
    for c in columns:
        if c in df:
            df[c] = pd.to_numeric(df[c], errors="coerce")
    return df


#: what tells two curves of one panel apart, in legend order
CURVE_KEYS = ("scheme", "transmission", "codec", "quality", "mcs", "harq", "harq_combining", "imputer", "bits_per_value",
              "jscc_symbols", "views_sent")
#: what moves a point along a bandwidth axis (so it is not a curve of its own there)
BANDWIDTH_KEYS = ("views_sent", "quality", "bits_per_value")  # a DeepJSCC per jscc_symbols: one curve each
SHORT = {"transmission": "", "codec": "", "quality": "q", "mcs": "", "harq": "harq ", "harq_combining": "", "imputer": "",
         "bits_per_value": "b=", "jscc_symbols": "S=", "views_sent": "k="}


def _set(value: object) -> bool:
    return value not in (None, "") and not (isinstance(value, float) and math.isnan(value))


def _varying(part: pd.DataFrame, keys: tuple[str, ...]) -> list[str]:
    """``scheme`` and the keys of ``keys`` that take more than one value in ``part`` (the codec
    whenever one is set: it names the baseline)."""
    return ["scheme"] + [k for k in keys if k != "scheme" and k in part
                         and (part[k].dropna().nunique() > 1 or (k == "codec" and part[k].notna().any()))]


def _identity(values) -> tuple[str, ...]:
    """A curve's key values as text, empty for a missing one (NaN, None)."""
    return tuple(str(v) if _set(v) else "" for v in values)


def _label(group: dict[str, object]) -> str:
    parts = []
    for key, value in group.items():
        if not _set(value):
            continue
        if key in ("quality", "harq", "bits_per_value", "jscc_symbols", "views_sent"):
            value = int(float(value))
        if key == "harq" and value == 1:
            continue
        parts.append(f"{SHORT.get(key, '')}{value}")
    return " ".join(parts)


def example_label(row: dict[str, object]) -> str:
    """The title of one cell's example strip: scheme (and an analog link), codec and quality or
    DeepJSCC symbols per view, SNR, views sent."""
    scheme = "semantic analog" if row.get("transmission") == "analog" else row.get("scheme")
    text = _label({"scheme": scheme, "codec": row.get("codec"), "quality": row.get("quality"),
                   "jscc_symbols": row.get("jscc_symbols")})
    if _set(row.get("snr_db")):
        text += f" {float(row['snr_db']):g} dB"
    if _set(row.get("views_sent")):
        text += f" k={int(float(row['views_sent']))}"
    return text


def _bandwidth_note(curve: pd.DataFrame) -> str:
    """", N uses" when every point of a curve spends the same channel uses per object (a fixed
    MCS), so a legend tells the bandwidth each SNR curve is drawn at."""
    if "channel_uses_per_object" not in curve:
        return ""
    uses = pd.to_numeric(curve["channel_uses_per_object"], errors="coerce").dropna()
    if uses.empty or uses.max() > 1.01 * uses.min():
        return ""
    return f", {uses.mean():,.0f} uses"


def _panels(plt, rows: list, cols: list, title):
    fig, axes = plt.subplots(len(rows), len(cols), figsize=(4.4 * len(cols), 3.4 * len(rows) + 0.9),
                             squeeze=False, sharey=True)
    for i, row in enumerate(rows):
        for j, col in enumerate(cols):
            axes[i][j].set_title(title(row, col), fontsize=9)
            axes[i][j].grid(True, which="both", alpha=0.3)
    return fig, axes


def _shared_legend(fig, axes) -> None:
    """One legend under the panels, each curve once (the panels share their curves)."""
    seen: dict[str, object] = {}
    for ax in axes.ravel():
        for handle, label in zip(*ax.get_legend_handles_labels()):
            seen.setdefault(label, handle)
    if seen:
        rows = math.ceil(len(seen) / 4)
        height = fig.get_size_inches()[1]
        fig.legend(list(seen.values()), list(seen), loc="lower center", ncol=min(4, len(seen)), fontsize=7,
                   frameon=False)
        fig.tight_layout(rect=(0, min(0.4, (0.2 + 0.16 * rows) / height), 1, 1))
    else:
        fig.tight_layout()


def _style(plt):
    colours = plt.cm.tab20(np.arange(20))
    return lambda group, index: dict(color=colours[index % 20], linestyle=SCHEME_STYLE.get(group["scheme"], "-"),
                                     marker="o", markersize=3.5)


def _log_axis(ax) -> None:
    """A logarithmic x axis labelled as plain numbers at 1, 2 and 5 times each power of ten, or
    at the powers alone where the panel spans more than two decades (matplotlib's default labels
    every minor tick of a range under a decade, and they overlap). Call after plotting."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    ax.set_xscale("log")
    low, high = ax.get_xlim()
    wide = high > 0 and low > 0 and math.log10(high / low) > 2.0
    ax.xaxis.set_major_locator(LogLocator(base=10.0, subs=(1.0,) if wide else (1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}" if v >= 1 else f"{v:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.tick_params(axis="x", labelsize=7)


def tradeoff(df: pd.DataFrame, metric: str, bandwidth: str = "channel_uses_per_object"):
    """Bandwidth against ``metric`` at fixed SNR: a panel per (channel, SNR), a curve per scheme
    setting (codec, MCS, HARQ, ...), its points the views sent, qualities and quantiser bits."""
    plt = _plt()
    df = _numeric(df, [metric, bandwidth, "snr_db", "views_sent", "quality", "harq", "bits_per_value"])
    df = df.dropna(subset=[metric, bandwidth])
    channels, snrs = sorted(df["channel"].unique()), sorted(df["snr_db"].unique())
    fig, axes = _panels(plt, channels, snrs, lambda c, s: f"{c}, {s:g} dB")
    keys = _varying(df, tuple(k for k in CURVE_KEYS if k not in BANDWIDTH_KEYS))
    curves = sorted({_identity(v) for v in df[keys].values.tolist()})
    style = _style(plt)
    for i, channel in enumerate(channels):
        for j, snr in enumerate(snrs):
            ax = axes[i][j]
            part = df[(df["channel"] == channel) & (df["snr_db"] == snr)]
            for values, curve in part.groupby(keys, dropna=False, sort=True):
                group = dict(zip(keys, values if isinstance(values, tuple) else (values,)))
                curve = curve.groupby(bandwidth, as_index=False)[metric].mean().sort_values(bandwidth)
                index = curves.index(_identity(group[k] for k in keys))
                ax.plot(curve[bandwidth], curve[metric], label=_label(group), **style(group, index))
            _log_axis(ax)
            ax.set_xlabel(BANDWIDTH.get(bandwidth, bandwidth), fontsize=8)
            if j == 0:
                ax.set_ylabel(METRICS.get(metric, (metric,))[0])
    _shared_legend(fig, axes)
    return fig


def metric_vs_snr(df: pd.DataFrame, metric: str):
    """``metric`` against SNR: a panel per channel, a curve per scheme setting at its bandwidth
    (views sent, codec quality, MCS, ...): the cliff of separate coding beside graceful
    degradation where an experiment fixes the MCS."""
    plt = _plt()
    df = _numeric(df, [metric, "snr_db", "views_sent", "quality", "harq", "bits_per_value"]).dropna(subset=[metric])
    channels = sorted(df["channel"].unique())
    fig, axes = _panels(plt, [0], channels, lambda _, c: c)
    keys = _varying(df, CURVE_KEYS)
    curves = sorted({_identity(v) for v in df[keys].values.tolist()})
    style = _style(plt)
    for j, channel in enumerate(channels):
        ax = axes[0][j]
        part = df[df["channel"] == channel]
        for values, curve in part.groupby(keys, dropna=False, sort=True):
            group = dict(zip(keys, values if isinstance(values, tuple) else (values,)))
            label = _label(group) + _bandwidth_note(curve)
            curve = curve.groupby("snr_db", as_index=False)[metric].mean().sort_values("snr_db")
            index = curves.index(_identity(group[k] for k in keys))
            ax.plot(curve["snr_db"], curve[metric], label=label, **style(group, index))
        ax.set_xlabel("SNR Es/N0 [dB]", fontsize=8)
        if j == 0:
            ax.set_ylabel(METRICS.get(metric, (metric,))[0])
    _shared_legend(fig, axes)
    return fig


def example_grid(images: dict[str, np.ndarray], titles: dict[str, str]):
    """Rows = cells, columns = views. images: cell id -> [V, H, W, C] uint8."""
    plt = _plt()
    ids = list(images)
    n_views = max(a.shape[0] for a in images.values())
    fig, axes = plt.subplots(len(ids), n_views, figsize=(1.4 * n_views + 2.5, 1.4 * len(ids) + 0.3), squeeze=False)
    for r, cid in enumerate(ids):
        for v in range(n_views):
            ax = axes[r, v]
            ax.imshow(images[cid][v], interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
        axes[r, 0].set_ylabel(titles.get(cid, cid), fontsize=7, rotation=0, ha="right", va="center")
    fig.tight_layout()
    return fig


def save_figure(fig, stem: Path) -> list[Path]:
    """Write ``stem``.png and ``stem``.pdf; returns the paths."""
    plt = _plt()
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = [stem.with_suffix(".png"), stem.with_suffix(".pdf")]
    for path in paths:
        fig.savefig(path, dpi=130)
    plt.close(fig)
    return paths


#: columns every plot needs (a sweep's results.csv has them)
REQUIRED_COLUMNS = ("cell_id", "scheme", "channel", "snr_db", "views_sent")


def read_results_table(csv_path: Path) -> pd.DataFrame:
    """``csv_path`` as a DataFrame that :func:`tradeoff` and :func:`metric_vs_snr` can plot: a
    one-line :class:`~semcom.errors.SemcomError` naming what is missing otherwise (not a CSV,
    no rows, missing columns, SNR or views that are not numbers)."""
    from semcom.errors import SemcomError

    try:
        df = pd.read_csv(csv_path, dtype={"cell_id": str})  # an id of digits stays text
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as err:
        reason = " ".join(str(err).split()) or type(err).__name__
        raise SemcomError(f"{csv_path} is not a readable CSV table ({reason[:120]})") from None
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise SemcomError(
            f"{csv_path} cannot be plotted: no column {', '.join(missing)} (a sweep's results.csv "
            f"has {', '.join(REQUIRED_COLUMNS)}; this one has {_listed(list(map(str, df.columns)))})"
        )
    if df.empty:
        raise SemcomError(f"{csv_path} has no rows")
    for column in ("snr_db", "views_sent"):
        bad = pd.to_numeric(df[column], errors="coerce").isna()
        if bad.any():
            lines = ", ".join(str(i + 2) for i in df.index[bad][:5])
            raise SemcomError(f"{csv_path} cannot be plotted: column {column} has empty or "
                              f"non-numeric values (line {lines})")
    return df


def _has_values(df: pd.DataFrame, column: str) -> bool:
    return column in df and bool(pd.to_numeric(df[column], errors="coerce").notna().any())


def _listed(names: list[str], shown: int = 20) -> str:
    more = f", ... ({len(names)} in all)" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def check_cells(cells: list[str], df: pd.DataFrame, examples: Path) -> list[str]:
    """The ``--cells`` ids, checked: each must be a row of ``df`` with a picture in
    ``examples``; a one-line :class:`~semcom.errors.SemcomError` naming the allowed ids otherwise."""
    from semcom.errors import SemcomError

    chosen = [c.strip() for c in cells if c.strip()]
    if not chosen:
        raise SemcomError("--cells names no cell; give comma-separated cell ids")
    pictures = {p.stem for p in examples.glob("*.png")} if examples.is_dir() else set()
    allowed = [c for c in dict.fromkeys(df["cell_id"].astype(str)) if c in pictures]
    if not allowed:
        raise SemcomError(f"--cells: no example pictures of the table's cells in {examples}; "
                          "run the sweep again to make them, or leave out --cells")
    unknown = [c for c in chosen if c not in allowed]
    if unknown:
        raise SemcomError(f"unknown cell id(s) {', '.join(repr(c) for c in unknown)} in --cells; "
                          f"allowed: {_listed(allowed)}")
    return chosen


def plot_results(folder: str | Path, metrics: tuple[str, ...] | None = None,
                 cells: list[str] | None = None) -> list[Path]:
    """All standard plots of ``folder/results.csv`` into ``folder/plots/``. The table, the
    metrics and the cells are checked before any figure is drawn."""
    from semcom.errors import SemcomError

    folder = Path(folder)
    csv_path = folder / "results.csv"
    if not csv_path.is_file():
        raise SemcomError(f"no results.csv in {folder}; run `semcom sweep` first")
    df = read_results_table(csv_path)
    have = [m for m in METRICS if _has_values(df, m)]
    if not metrics and not have:
        raise SemcomError(f"{csv_path} cannot be plotted: no metric column with values; expected "
                          f"one of: {', '.join(METRICS)}")
    chosen = metrics or tuple(have)
    for metric in chosen:
        if not _has_values(df, metric):
            raise SemcomError(f"metric {metric!r} has no values in {csv_path}; has: " + ", ".join(have))
    examples = folder / "examples"
    if cells is not None:
        cells = check_cells(cells, df, examples)
    out = folder / "plots"
    written: list[Path] = []
    for metric in chosen:
        for bandwidth in BANDWIDTH:
            if _has_values(df, bandwidth):
                written += save_figure(tradeoff(df, metric, bandwidth), out / f"tradeoff_{metric}_{bandwidth}")
        written += save_figure(metric_vs_snr(df, metric), out / f"{metric}_vs_snr")
    if examples.is_dir():
        written += _plot_examples(examples, df, out, cells)
    return written


def pick_example_cells(df: pd.DataFrame, count: int = 10) -> list[str]:
    """Up to ``count`` cells spread over the table sorted by scheme, channel, SNR and views.

    Of the codec qualities only the middle one of each codec is shown: the lowest qualities of
    JPEG drop the colour of a 32 px view entirely, which would tell a reader more about the
    codec's floor than about the link."""
    if "quality" in df and df["quality"].notna().any():
        quality = pd.to_numeric(df["quality"], errors="coerce")

        def middle(q: pd.Series) -> float:
            values = sorted(q.dropna().unique())
            return values[len(values) // 2]

        df = df[quality.isna() | (quality == quality.groupby(df["codec"]).transform(middle))]
    keys = [k for k in ("scheme", "channel", "snr_db", "views_sent", "quality") if k in df]
    ordered = df.sort_values(keys)["cell_id"].tolist()
    if len(ordered) <= count:
        return ordered
    step = (len(ordered) - 1) / (count - 1)
    return [ordered[round(i * step)] for i in range(count)]


def _plot_examples(examples: Path, df: pd.DataFrame, out: Path, cells: list[str] | None = None) -> list[Path]:
    from PIL import Image

    def strip_views(path: Path) -> np.ndarray:
        strip = np.asarray(Image.open(path).convert("RGB"))  # views side by side, square
        side = strip.shape[0]
        return strip.reshape(side, -1, side, 3).transpose(1, 0, 2, 3)

    have = df[df["cell_id"].isin([p.stem for p in examples.glob("*.png")])]
    chosen = cells or pick_example_cells(have)
    images, titles = {}, {}
    if (examples / "true.png").is_file():
        images["true"], titles["true"] = strip_views(examples / "true.png"), "true views"
    for cid in chosen:
        row = df[df["cell_id"] == cid]
        if row.empty or not (examples / f"{cid}.png").is_file():
            continue
        images[cid] = strip_views(examples / f"{cid}.png")
        titles[cid] = example_label(row.iloc[0].to_dict()) + f"\n{row.iloc[0]['channel']}"
    if len(images) <= 1:
        return []
    return save_figure(example_grid(images, titles), out / "examples")
