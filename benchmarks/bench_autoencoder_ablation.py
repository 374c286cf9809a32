"""Autoencoder designs at equal CPU minutes: the first conv design against the residual one.

    python benchmarks/bench_autoencoder_ablation.py [--minutes 4] [--threads 2]

Each variant trains from scratch on mvshapes 32 px (the training config in experiments/ with
the variant's changes, 40,000 training objects, validation on 500) for the same wall-clock
budget, one run at a time on the same threads, validating every ``--val-every`` steps. The
learning curves (val PSNR, psnr_fg, delta_e against seconds) go to
results/mvshapes/autoencoder_ablation.csv (one row per validation) and .png; the last row
within the budget of each variant is printed as the table. Variants:

- conv fp32: the first bundled design (plain convs, transposed-conv decoder), float32;
- conv bf16: the same under bfloat16 autocast;
- resnet fp32 / resnet bf16: residual blocks with GroupNorm, resize-conv decoder.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_common import chosen_variants, plot_panels, toml_text, write_csv

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "results" / "mvshapes" / "autoencoder_ablation.csv"
BASE = ROOT / "experiments" / "training" / "mvld_mvshapes_ae.toml"
VARIANTS = {
    "conv fp32": {"arch": "conv", "precision": "float32"},
    "conv bf16": {"arch": "conv", "precision": "bfloat16"},
    "resnet fp32": {"arch": "resnet", "precision": "float32"},
    "resnet bf16": {"arch": "resnet", "precision": "bfloat16"},
}
COLUMNS = ("variant", "step", "elapsed_s", "val_psnr", "val_psnr_fg", "val_delta_e", "val_l1")


def config_text(variant: dict, threads: int, val_every: int) -> str:
    """The base training config with the variant's keys, run-length keys replaced."""
    import tomllib

    data = tomllib.loads(BASE.read_text())
    data.update(variant, threads=threads, val_every=val_every, steps=10**6,
                checkpoint_every=10**6)
    for key in ("lr_final", "lr_decay_from", "lr_restarts"):
        data.pop(key, None)
    return toml_text(data)


def run_variant(name: str, variant: dict, minutes: float, threads: int, val_every: int) -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config.toml"
        config.write_text(config_text(variant, threads, val_every))
        semcom = Path(sys.executable).with_name("semcom")  # the console script beside this Python
        command = [str(semcom), "train", "autoencoder", "--config", str(config),
                   "--out", str(Path(tmp) / "run"), "--no-progress"]
        # the data is loaded before the clock of the run starts; the budget counts training only
        try:
            subprocess.run(command, timeout=minutes * 60 + 30, check=False, cwd=ROOT,
                           stdout=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            pass
        log = Path(tmp) / "run" / "train_log.csv"
        rows = list(csv.DictReader(log.open())) if log.is_file() else []
    if not rows:
        raise SystemExit(f"{name}: the training run wrote no log (run its config by hand to see why)")
    kept = [r for r in rows if float(r["elapsed_s"]) <= minutes * 60]
    return [{"variant": name, **{k: r.get(k, "") for k in COLUMNS[1:]}} for r in kept]


def plot(rows: list[dict], out: Path) -> None:
    curves = {name: [r for r in rows if r["variant"] == name] for name in dict.fromkeys(r["variant"] for r in rows)}
    plot_panels(curves, "elapsed_s", [("val_psnr", "PSNR [dB]"), ("val_psnr_fg", "PSNR on object pixels [dB]"),
                                      ("val_delta_e", "CIEDE2000 on object pixels")],
                "training wall time [min] (2 threads)",
                "mvshapes autoencoder designs at equal CPU time (validation, 500 objects)", out, x_scale=1 / 60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=4.0, help="training wall time per variant")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--val-every", type=int, default=100)
    parser.add_argument("--variants", default=",".join(VARIANTS),
                        help="comma-separated subset of: " + ", ".join(VARIANTS))
    args = parser.parse_args()
    names = chosen_variants(parser, args, VARIANTS)
    rows = []
    for name in names:
        print(f"{name}: training for {args.minutes:g} min ...", flush=True)
        rows += run_variant(name, VARIANTS[name], args.minutes, args.threads, args.val_every)
        last = [r for r in rows if r["variant"] == name][-1:]
        for r in last:
            print(f"  step {r['step']}, {float(r['elapsed_s']):.0f} s: PSNR {float(r['val_psnr']):.2f} dB, "
                  f"psnr_fg {float(r['val_psnr_fg']):.2f} dB, delta_e {float(r['val_delta_e']):.2f}", flush=True)
    write_csv(OUT, COLUMNS, rows)
    plot(rows, OUT.with_suffix(".png"))
    print(f"wrote {OUT} and {OUT.with_suffix('.png')}")


if __name__ == "__main__":
    main()
