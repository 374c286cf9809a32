"""Learning curves of the DeepJSCC models: validation PSNR against training time.

Copies each run's log (``runs/<dataset>/jscc_s<S>[_tag]/train_log.csv``) to
``results/<dataset>/training/`` and plots the validation PSNR at each point of
:data:`semcom.models.train_jscc.VALIDATION_POINTS` (and the colour error where logged), one curve
per run:

    python benchmarks/plot_jscc_training.py --dataset mvshapes -> results/mvshapes/training/jscc_curves.png
"""

from __future__ import annotations

import argparse
import csv
import shutil
from pathlib import Path

from bench_common import plot_panels

from semcom.models.train_jscc import VALIDATION_POINTS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="mvshapes")
    args = parser.parse_args()
    runs = sorted(Path("runs", args.dataset).glob("jscc_s*/train_log.csv"),
                  key=lambda p: (int(p.parent.name.removeprefix("jscc_s").split("_")[0]), p.parent.name))
    if not runs:
        parser.error(f"no DeepJSCC training log in runs/{args.dataset}/jscc_s*/; train one with `semcom train jscc`")
    out = Path("results", args.dataset, "training")
    out.mkdir(parents=True, exist_ok=True)
    curves = {}
    for log in runs:
        name = log.parent.name  # jscc_s<S> or jscc_s<S>_<tag>
        shutil.copyfile(log, out / f"{name}_log.csv")
        symbols, _, tag = name.removeprefix("jscc_s").partition("_")
        with log.open(newline="") as fh:
            curves[f"{symbols} symbols per view" + (f" ({tag})" if tag else "")] = list(csv.DictReader(fh))
    panels = [(column, f"{channel} {snr:g} dB: validation PSNR [dB]") for (channel, snr), column in VALIDATION_POINTS.items()]
    if any("val_delta_e_awgn_10" in rows[0] for rows in curves.values() if rows):
        panels.append(("val_delta_e_awgn_10", "awgn 10 dB: CIEDE2000 on object pixels"))
    plot_panels(curves, "elapsed_s", panels, "training time [min] (2 threads)",
                f"DeepJSCC on {args.dataset}", out / "jscc_curves.png", x_scale=1 / 60)
    print(f"wrote {out / 'jscc_curves.png'} and the logs beside it")


if __name__ == "__main__":
    main()
