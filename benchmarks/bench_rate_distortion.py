"""Rate-distortion of the autoencoders against the image codecs, on the same test views.

    python benchmarks/bench_rate_distortion.py [--n 1000] [--autoencoder LABEL=PATH ...]

Every view of the first n mvshapes test objects (32 px) is coded on its own:
- by each image codec through Pillow (PNG lossless; JPEG, WebP, AVIF over their quality
  range), the rate being the file's bytes x 8;
- by each autoencoder (default: the bundled one), its latent standardised, quantised to b bits
  per value with the receiver's quantiser (b = 2 .. 8) and decoded, the rate being D x b bits;
  and unquantised (b = 32, float32).
Distortion: PSNR, psnr_fg and delta_e (object pixels only, :mod:`semcom.metrics.objects`) and
LPIPS, means over the views. Writes results/mvshapes/rate_distortion.csv (one row per method
and setting, merged by (method, setting) so that a later run adds its autoencoders) and
rate_distortion.png (a panel per metric, bits per view on a log axis).
"""

from __future__ import annotations

import argparse
import csv
import functools
import io
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "results" / "mvshapes" / "rate_distortion.csv"
QUALITIES = (1, 5, 10, 20, 30, 50, 70, 90)
BITS = (2, 3, 4, 5, 6, 8)
METRICS = ("psnr", "psnr_fg", "delta_e", "lpips")
COLUMNS = ("method", "family", "setting", "bits_per_view", "n_views", *METRICS)


@functools.cache
def lpips_32px():
    """The LPIPS network for 32 px views, loaded once for every row."""
    from semcom.metrics.lpips import load_lpips_for

    return load_lpips_for(32)


def meter(background):
    from semcom.metrics import ImageMetrics, ImageMetricsConfig

    config = ImageMetricsConfig(metrics=METRICS, background=background)
    return ImageMetrics(config, lpips=lpips_32px())


def measure(truth: torch.Tensor, estimate: torch.Tensor, background, batch: int = 500) -> dict:
    """Mean metrics of estimate against truth, [N, C, H, W] in [0, 1]."""
    m = meter(background)
    for s in range(0, len(truth), batch):
        m.update(truth[s : s + batch], estimate[s : s + batch])
    values = m.compute()
    return {k: round(float(values[k]), 4) for k in METRICS}


def codec_rows(views: np.ndarray, truth: torch.Tensor, background) -> list[dict]:
    """views: [N, C, H, W] uint8."""
    from semcom.system.codecs import LOSSY, CodecConfig, available_codecs, decode, encode

    rows = []
    for codec in available_codecs():
        for quality in (QUALITIES if codec in LOSSY else (0,)):
            config = CodecConfig(codec=codec, quality=quality or 75)
            files = [encode(v, config) for v in views]
            decoded = np.stack([decode(f, views.shape[1]) for f in files])
            est = torch.from_numpy(decoded).float() / 255.0
            rows.append({"method": codec, "family": "codec", "setting": f"q{quality}" if quality else "lossless",
                         "bits_per_view": round(8 * float(np.mean([len(f) for f in files])), 1),
                         "n_views": len(views), **measure(truth, est, background)})
            print(f"  {codec} {rows[-1]['setting']}: {rows[-1]['bits_per_view']:.0f} bits, "
                  f"psnr {rows[-1]['psnr']:.2f}, psnr_fg {rows[-1]['psnr_fg']:.2f}, "
                  f"delta_e {rows[-1]['delta_e']:.2f}", flush=True)
    return rows


@torch.no_grad()
def autoencoder_rows(label: str, path: str | None, test, truth: torch.Tensor, background) -> list[dict]:
    from semcom.models.checkpoint import load_autoencoder
    from semcom.system.imputers import mvld_folder
    from semcom.system.quantiser import QuantiserConfig, dequantise, quantise

    if path is None:
        path = str(mvld_folder(test.name, test.image_shape[-1]) / "autoencoder")
    c, h, _ = test.image_shape
    model, stats, _ = load_autoencoder(path, views=test.num_views, channels=c, image_size=h,
                                       require_stats=True)
    x = test.images.float() / 255.0
    z = torch.cat([stats.standardise(model.encode(x[s : s + 250])) for s in range(0, len(x), 250)])
    dim = z.shape[-1]
    rows = []
    for bits in (*BITS, 32):
        zq = z  # b = 32: the float32 latent itself
        if bits != 32:
            quantiser = QuantiserConfig(bits=bits)
            zq = dequantise(quantise(z, quantiser), quantiser)
        est = torch.cat([model.decode(stats.unstandardise(zq[s : s + 250])) for s in range(0, len(zq), 250)])
        rows.append({"method": label, "family": "autoencoder", "setting": f"{dim}x{bits}b",
                     "bits_per_view": dim * bits, "n_views": truth.shape[0],
                     **measure(truth, est.flatten(0, 1), background)})
        print(f"  {label} {rows[-1]['setting']}: psnr {rows[-1]['psnr']:.2f}, psnr_fg "
              f"{rows[-1]['psnr_fg']:.2f}, delta_e {rows[-1]['delta_e']:.2f}", flush=True)
    return rows


def merge(rows: list[dict], path: Path = OUT) -> list[dict]:
    """Replace rows with the same (method, setting) in ``path``; keep the others."""
    old = list(csv.DictReader(path.open())) if path.is_file() else []
    keys = {(r["method"], r["setting"]) for r in rows}
    merged = [r for r in old if (r["method"], r["setting"]) not in keys] + rows
    from semcom.paths import atomic_write_bytes

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(merged)
    atomic_write_bytes(path, buffer.getvalue().encode())
    return merged


def plot(rows: list[dict], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    titles = {"psnr": "PSNR [dB]", "psnr_fg": "PSNR on object pixels [dB]",
              "delta_e": "CIEDE2000 on object pixels (lower is better)", "lpips": "LPIPS (lower is better)"}
    from matplotlib.ticker import FixedLocator, NullLocator

    fig, axes = plt.subplots(2, 2, figsize=(10, 7.5))
    axes = axes.ravel()
    lossy = [r for r in rows if r["setting"] != "lossless"]  # PNG: exact, at 100 dB, off the scale
    methods = list(dict.fromkeys(r["method"] for r in lossy))
    for ax, metric in zip(axes, METRICS):
        for method in methods:
            part = sorted((r for r in lossy if r["method"] == method), key=lambda r: float(r["bits_per_view"]))
            family = part[0]["family"]
            xs = [float(r["bits_per_view"]) for r in part]
            ys = [float(r[metric]) for r in part]
            ax.plot(xs, ys, marker="o" if family == "autoencoder" else ".",
                    linestyle="-" if family == "autoencoder" else "--", label=method)
        ax.axvline(512, color="grey", linewidth=0.8, linestyle=":")
        ax.set_xscale("log")
        ax.xaxis.set_major_locator(FixedLocator([128, 256, 512, 1024, 2048, 4096, 8192]))
        ax.xaxis.set_minor_locator(NullLocator())
        ax.set_xticklabels(["128", "256", "512", "1k", "2k", "4k", "8k"])
        ax.set_xlabel("bits per view")
        ax.set_title(titles[metric], fontsize=9)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    png = [r for r in rows if r["setting"] == "lossless"]
    note = f"; PNG (lossless) takes {float(png[0]['bits_per_view']):.0f} bits" if png else ""
    fig.suptitle("mvshapes 32 px test views: rate-distortion (dotted line: 512 bits" + note + ")",
                 fontsize=10)
    fig.tight_layout()
    fig.savefig(out, dpi=130)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="test objects (4 views each)")
    parser.add_argument("--autoencoder", action="append", default=[],
                        help="LABEL=PATH of an autoencoder checkpoint (default: the bundled one)")
    parser.add_argument("--no-codecs", action="store_true", help="only the autoencoders")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--plot-only", action="store_true", help="redraw the figure from the CSV")
    args = parser.parse_args()
    if args.n < 1:
        parser.error(f"--n must be >= 1, got {args.n}")
    if args.plot_only:
        plot(list(csv.DictReader(OUT.open())), OUT.with_suffix(".png"))
        print(f"wrote {OUT.with_suffix('.png')}")
        return
    torch.set_num_threads(args.threads)
    from semcom.data import load_dataset

    test = load_dataset("mvshapes", "test", size=32, n=args.n, progress=False)
    background = test.info.background
    views = test.images.flatten(0, 1).numpy()
    truth = torch.from_numpy(views).float() / 255.0
    start = time.perf_counter()
    rows = [] if args.no_codecs else codec_rows(views, truth, background)
    specs = [a.split("=", 1) for a in args.autoencoder] or [["bundled", None]]
    for label, path in specs:
        rows += autoencoder_rows(label, path, test, truth, background)
    merged = merge(rows)
    plot(merged, OUT.with_suffix(".png"))
    print(f"wrote {OUT} and {OUT.with_suffix('.png')} ({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
