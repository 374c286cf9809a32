"""Learning curves of the DeepJSCC models: validation PSNR against training time.

Copies each run's log (``runs/<dataset>/jscc_s<S>/train_log.csv``) to
``results/<dataset>/training/jscc_s<S>_log.csv`` and plots the four validation points of
:data:`semcom.models.train_jscc.VALIDATION_POINTS`, one curve per model:

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
                  key=lambda p: int(p.parent.name.removeprefix("jscc_s")))
    if not runs:
        parser.error(f"no DeepJSCC training log in runs/{args.dataset}/jscc_s*/; train one with `semcom train jscc`")
    out = Path("results", args.dataset, "training")
    out.mkdir(parents=True, exist_ok=True)
    curves = {}
    for log in runs:
        symbols = log.parent.name.removeprefix("jscc_s")
        shutil.copyfile(log, out / f"jscc_s{symbols}_log.csv")
        with log.open(newline="") as fh:
            curves[f"{symbols} symbols per view"] = list(csv.DictReader(fh))
    panels = [(column, f"{channel} {snr:g} dB: validation PSNR [dB]") for (channel, snr), column in VALIDATION_POINTS.items()]
    plot_panels(curves, "elapsed_s", panels, "training time [min] (2 threads)",
                f"DeepJSCC on {args.dataset}", out / "jscc_curves.png", x_scale=1 / 60)
    print(f"wrote {out / 'jscc_curves.png'} and the logs beside it")


if __name__ == "__main__":
    main()
