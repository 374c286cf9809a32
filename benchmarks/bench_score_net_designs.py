"""Score-network designs at equal CPU time: the MLP U-Net against the view-token transformer.

    python benchmarks/bench_score_net_designs.py --dataset mvshapes --minutes 10 \
        [--variants "mlp_unet,view_tokens"] [--autoencoder PATH] [--threads 2]
    python benchmarks/bench_score_net_designs.py --dataset polymnist --minutes 12 --val-every 500 \
        --variants continued_depth4,deepened_depth8 --init-from runs/polymnist/diffusion_minsnr5/score_net \
        --autoencoder runs/polymnist/autoencoder_full/autoencoder --out results/polymnist/score_net_depth.csv

Each variant trains from scratch with the dataset's diffusion config in experiments/ (its
autoencoder, data, batch and learning rate) plus the variant's design keys, in bfloat16, for
the same training wall time (``max_minutes``: the run ends at the first validation after it),
one run at a time on the same threads; with ``--init-from`` every variant starts from that trained
score net instead (a variant with more blocks than it gets them as the identity: capacity at
equal CPU time from the same start). The runs are kept in ``runs/<dataset>/designs/<variant>/``
(resumable; the winner can be exported and bundled as is). Their learning curves (validation
loss of the EMA weights and ``val_coherence_1``, the coherence of views imputed from one view on
200 validation objects, against training minutes) go to
``results/<dataset>/score_net_designs.csv`` and ``.png``; the last row of each run is printed.
``--plot-only`` redraws from the kept runs' logs.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tomllib
from pathlib import Path

from bench_common import chosen_variants, plot_panels, toml_text, write_csv

ROOT = Path(__file__).resolve().parents[1]
VARIANTS = {
    "mlp_unet": {"arch": "mlp_unet"},  # the config's widths (512 -> 256 -> 128 on mvshapes)
    # lr 5e-4: a transformer's usual rate is below the MLP's 1e-3 (DiT: 1e-4)
    "view_tokens": {"arch": "view_tokens", "width": 192, "depth": 4, "heads": 4, "lr": 5e-4},
    "mlp_unet_minsnr5": {"arch": "mlp_unet", "min_snr_gamma": 5.0},  # the MLP, Min-SNR-5 loss weights
    # the bundled design with Min-SNR-5 loss weights; coherence measured unguided like the two
    # design runs above (made before guidance became the receiver's default)
    "view_tokens_minsnr5": {"arch": "view_tokens", "width": 192, "depth": 4, "heads": 4, "lr": 5e-4,
                            "min_snr_gamma": 5.0, "val_guidance": 0.0},
    # capacity, with --init-from a trained 4-block net: the same net trained on, against it deepened
    # to 8 blocks (the extra 4 start as the identity, semcom.models.view_tokens.deepen)
    "continued_depth4": {"arch": "view_tokens", "width": 192, "depth": 4, "heads": 4, "lr": 3e-4,
                         "min_snr_gamma": 5.0},
    "deepened_depth8": {"arch": "view_tokens", "width": 192, "depth": 8, "heads": 4, "lr": 3e-4,
                        "min_snr_gamma": 5.0},
    # a nonlinear reader of each view's latent (GELU MLP, 512 hidden units) beside the linear
    # embedding, its output layer starting at zero
    "reader_depth4": {"arch": "view_tokens", "width": 192, "depth": 4, "heads": 4, "lr": 3e-4,
                      "min_snr_gamma": 5.0, "embed_hidden": 512},
    # the reader from scratch, beside the same net without it (run on the bundled autoencoder's
    # latents with --autoencoder; view_tokens above ran on the first encoder's)
    "scratch_plain": {"arch": "view_tokens", "width": 192, "depth": 4, "heads": 4, "lr": 5e-4},
    "scratch_reader": {"arch": "view_tokens", "width": 192, "depth": 4, "heads": 4, "lr": 5e-4,
                       "embed_hidden": 512},
    # the reader from scratch in a wider net (width 256): is the rest of the class lost in reading
    # each view's latent or in carrying it across views?
    "scratch_reader_w256": {"arch": "view_tokens", "width": 256, "depth": 4, "heads": 4, "lr": 5e-4,
                            "embed_hidden": 512},
    # loss weight on the noisiest times, where a missing view's class is decided: Min-SNR-1
    "continued_minsnr1": {"arch": "view_tokens", "width": 192, "depth": 4, "heads": 4, "lr": 3e-4,
                          "min_snr_gamma": 1.0},
}
COLUMNS = ("variant", "step", "elapsed_s", "train_loss", "val_loss_ema", "val_coherence_1")


def config_text(dataset: str, variant: dict, minutes: float, threads: int, val_every: int,
                autoencoder: str | None, init_from: str | None = None) -> str:
    """The dataset's diffusion config with the variant's keys and the time budget (a constant
    learning rate: no cosine)."""
    data = tomllib.loads((ROOT / "experiments" / "training" / f"mvld_{dataset}_diffusion.toml").read_text())
    data.update(variant, threads=threads, val_every=val_every, steps=10**6, checkpoint_every=val_every,
                max_minutes=minutes, precision="bfloat16")
    for key in ("lr_final", "lr_decay_from"):
        data.pop(key, None)
    if autoencoder:
        data["autoencoder"] = autoencoder
    if init_from:
        data["init_from"] = init_from
    return toml_text(data)


def run_dir(dataset: str, name: str) -> Path:
    return ROOT / "runs" / dataset / "designs" / name


def run_variant(dataset: str, name: str, text: str) -> None:
    out = run_dir(dataset, name)
    out.mkdir(parents=True, exist_ok=True)
    config = out / "config.toml"
    config.write_text(text)
    semcom = Path(sys.executable).with_name("semcom")  # the console script beside this Python
    command = [str(semcom), "train", "diffusion", "--config", str(config), "--out", str(out), "--no-progress"]
    done = subprocess.run(command, check=False, cwd=ROOT, stdout=subprocess.DEVNULL)
    if done.returncode:
        raise SystemExit(f"{name}: training failed with exit {done.returncode} (run `{' '.join(command)}`)")


def read_rows(dataset: str, names: list[str]) -> list[dict]:
    rows = []
    for name in names:
        log = run_dir(dataset, name) / "train_log.csv"
        if not log.is_file():
            raise SystemExit(f"{name}: no training log at {log}")
        with log.open() as fh:
            rows += [{"variant": name, **{k: r.get(k, "") for k in COLUMNS[1:]}} for r in csv.DictReader(fh)]
    return rows


def plot(rows: list[dict], out: Path, dataset: str) -> None:
    curves = {name: [r for r in rows if r["variant"] == name] for name in dict.fromkeys(r["variant"] for r in rows)}
    plot_panels(curves, "elapsed_s", [("val_loss_ema", "validation loss (EMA weights)"),
                                      ("val_coherence_1", "coherence from 1 view (200 val objects)")],
                "training wall time [min] (2 threads, bfloat16)", f"{dataset} score-net designs at equal CPU time",
                out, x_scale=1 / 60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="mvshapes", choices=("mvshapes", "polymnist"))
    parser.add_argument("--minutes", type=float, default=10.0, help="training wall time per variant")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--val-every", type=int, default=1000)
    parser.add_argument("--autoencoder", default=None, help="autoencoder checkpoint [default: the config's]")
    parser.add_argument("--init-from", default=None,
                        help="score net checkpoint every variant starts from [default: at random]")
    parser.add_argument("--out", default=None,
                        help="table to write [default: results/<dataset>/score_net_designs.csv], and its .png")
    parser.add_argument("--variants", default=",".join(VARIANTS),
                        help="comma-separated subset of: " + ", ".join(VARIANTS))
    parser.add_argument("--plot-only", action="store_true", help="redraw from the kept runs' logs")
    args = parser.parse_args()
    names = chosen_variants(parser, args, VARIANTS)
    if not args.plot_only:
        for name in names:
            print(f"{name}: training for {args.minutes:g} min ...", flush=True)
            run_variant(args.dataset, name, config_text(args.dataset, VARIANTS[name], args.minutes,
                                                        args.threads, args.val_every, args.autoencoder,
                                                        args.init_from))
    rows = read_rows(args.dataset, names)
    for name in names:
        last = [r for r in rows if r["variant"] == name][-1]
        print(f"{name}: step {last['step']}, {float(last['elapsed_s']) / 60:.1f} min, val_loss_ema "
              f"{float(last['val_loss_ema']):.4f}, coherence from 1 view {last['val_coherence_1']}")
    out = Path(args.out) if args.out else ROOT / "results" / args.dataset / "score_net_designs.csv"
    write_csv(out, COLUMNS, rows)
    plot(rows, out.with_suffix(".png"), args.dataset)
    print(f"wrote {out} and {out.with_suffix('.png')}")


if __name__ == "__main__":
    main()
