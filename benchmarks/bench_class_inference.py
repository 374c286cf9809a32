"""Where does coherence from one view get lost: in the latent, or in the score net's inference?

    python benchmarks/bench_class_inference.py [--dataset polymnist] [--n 1000] [--n-probe 10000]
        [--guidance 2] [--steps 11] [--guidance-max-t 1] [--score-net PATH] [--autoencoder PATH]
        [--out CSV] [--plot-only]

Three measures on the first n objects of the ``test`` split, per view:

- ``probe_linear`` / ``probe_mlp``: how well the class can be read from one view's clean latent.
  A linear map and a two-layer MLP (512 units, GELU) over the latent and a one-hot of the view,
  trained with cross-entropy on the latents of the first ``--n-probe`` ``train`` objects (3,000
  Adam steps of 512, seed 0). They use the labels, which the score net never sees: an upper
  reference for what the latent holds, not a receiver.
- ``reconstruction`` / ``true_views``: the class judge on the autoencoder's reconstruction and on
  the true view (what the decoder and the judge lose).
- ``imputed``: the receiver's sampler (``--steps``, guidance ``--guidance`` at the steps with
  t <= ``--guidance-max-t``, seed 0) imputes every other view
  from view ``source`` alone, for every source: the share of imputed ``target`` views the judge
  gives the object's class (source = target: the observed view, decoded).

A source whose probe accuracy is far above its imputed coherence holds the class in its latent
but the score net does not carry it over: the net's inference is the bottleneck, not the
autoencoder. Rows go to results/<dataset>/class_inference.csv, the source x target matrix beside
the probe and reconstruction accuracies to ``.png``.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from bench_common import add_receiver_args, write_csv

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = ("measure", "source", "target", "n", "accuracy")
PROBE_STEPS, PROBE_BATCH, PROBE_WIDTH = 3000, 512, 512


def probe_accuracy(kind: str, train_z, train_y, test_z, test_y):
    """Per-view test accuracy [V] of a ``linear`` or ``mlp`` probe from one view's latent.

    train_z, test_z: [N, V, D] latents; train_y, test_y: [N] classes."""
    import torch

    views = train_z.shape[1]

    def features(z):  # [N, V, D] -> [N * V, D + V]: each view's latent and a one-hot of its slot
        return torch.cat([z.reshape(-1, z.shape[-1]), torch.eye(views).repeat(len(z), 1)], dim=1)

    x, y = features(train_z), train_y.repeat_interleave(views)
    classes = int(train_y.max()) + 1
    torch.manual_seed(0)
    if kind == "linear":
        model = torch.nn.Linear(x.shape[1], classes)
    else:
        model = torch.nn.Sequential(torch.nn.Linear(x.shape[1], PROBE_WIDTH), torch.nn.GELU(),
                                    torch.nn.Linear(PROBE_WIDTH, PROBE_WIDTH), torch.nn.GELU(),
                                    torch.nn.Linear(PROBE_WIDTH, classes))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    g = torch.Generator().manual_seed(0)
    for _ in range(PROBE_STEPS):
        idx = torch.randint(0, len(x), (PROBE_BATCH,), generator=g)
        loss = torch.nn.functional.cross_entropy(model(x[idx]), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        hits = model(features(test_z)).argmax(1) == test_y.repeat_interleave(views)
    return hits.float().view(-1, views).mean(0)


def plot(rows: list[dict], views: int, out: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    matrix = np.zeros((views, views))
    for r in rows:
        if r["measure"] == "imputed":
            matrix[int(r["source"]), int(r["target"])] = r["accuracy"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.2))
    image = left.imshow(matrix * 100, vmin=0, vmax=100, cmap="viridis")
    for s in range(views):
        for t in range(views):
            left.text(t, s, f"{matrix[s, t] * 100:.0f}", ha="center", va="center",
                      color="white" if matrix[s, t] < 0.6 else "black", fontsize=9)
    left.set(xlabel="imputed view (target)", ylabel="observed view (source)", xticks=range(views),
             yticks=range(views), title="coherence of views imputed from one view [%]")
    fig.colorbar(image, ax=left, fraction=0.046)
    off = ~np.eye(views, dtype=bool)
    lines = {"imputed from it (mean over targets)": [matrix[s][off[s]].mean() for s in range(views)]}
    for measure, label in (("probe_mlp", "MLP probe on its latent (uses labels)"),
                           ("probe_linear", "linear probe on its latent"),
                           ("reconstruction", "judge on its reconstruction")):
        lines[label] = [next(r["accuracy"] for r in rows if r["measure"] == measure and r["source"] == s)
                        for s in range(views)]
    for label, values in lines.items():
        right.plot(range(views), np.array(values) * 100, marker="o", label=label)
    right.set(xlabel="observed view (source)", ylabel="%", xticks=range(views), ylim=(0, 100),
              title="class in the latent against class carried over")
    right.grid(alpha=0.3)
    right.legend(fontsize=8, loc="lower left")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_receiver_args(parser, "polymnist")
    parser.add_argument("--n", type=int, default=1000, help="test objects")
    parser.add_argument("--n-probe", type=int, default=10000, help="train objects the probes learn from")
    parser.add_argument("--guidance", type=float, default=1.0)
    parser.add_argument("--steps", type=int, default=11, help="sampler steps")
    parser.add_argument("--guidance-max-t", type=float, default=1.0, help="guide only the steps at t <= this")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--plot-only", action="store_true", help="redraw the .png from the --out table")
    args = parser.parse_args()
    out = args.out or ROOT / "results" / args.dataset / "class_inference.csv"
    title = (f"{args.dataset}, score net {args.score_net or 'bundled'}: {args.n} test objects, "
             f"guidance {args.guidance:g}" + (f" at t <= {args.guidance_max_t:g}" if args.guidance_max_t < 1 else "")
             + f", {args.steps} steps")
    if args.plot_only:
        with out.open() as handle:
            rows = [{**r, "source": int(r["source"]), "target": int(r["target"]), "accuracy": float(r["accuracy"])}
                    for r in csv.DictReader(handle)]
        plot(rows, 1 + max(r["source"] for r in rows), out.with_suffix(".png"), title)
        print(f"wrote {out.with_suffix('.png')}")
        return
    if args.n < 1 or args.n_probe < 1:
        parser.error(f"--n and --n-probe must be >= 1, got {args.n} and {args.n_probe}")

    import torch

    from semcom.data import load_dataset
    from semcom.metrics.classifier import judge_predictor
    from semcom.models.imputer import MVLDImputer
    from semcom.models.train_diffusion import encode_latents
    from semcom.system.imputers import load_imputer

    torch.set_num_threads(2)
    loaded = load_imputer("mvld", args.dataset, autoencoder_path=args.autoencoder, score_net_path=args.score_net)
    test = load_dataset(args.dataset, "test", n=args.n)
    train = load_dataset(args.dataset, "train", n=args.n_probe)
    predict = judge_predictor(args.dataset, test.image_shape[1])
    ae, stats = loaded.autoencoder, loaded.stats
    test_z, train_z = encode_latents(ae, stats, test.images), encode_latents(ae, stats, train.images)
    views = test_z.shape[1]
    rows = []

    def add(measure: str, per_view, source=None) -> None:
        for v, value in enumerate(per_view.tolist()):
            rows.append({"measure": measure, "source": v if source is None else source, "target": v,
                         "n": args.n, "accuracy": round(value, 4)})

    for kind in ("linear", "mlp"):
        add(f"probe_{kind}", probe_accuracy(kind, train_z, train.labels, test_z, test.labels))
        print(f"probe_{kind}:", [r["accuracy"] for r in rows[-views:]], flush=True)
    imputer = MVLDImputer(ae, loaded.score_net.eval(), stats, steps=args.steps, guidance=args.guidance,
                          guidance_max_t=args.guidance_max_t)
    with torch.no_grad():
        add("reconstruction", (predict(imputer.decode(test_z)) == test.labels[:, None]).float().mean(0))
        add("true_views", (predict(test.images.float() / 255) == test.labels[:, None]).float().mean(0))
    for source in range(views):
        observed = torch.zeros(args.n, views, dtype=torch.bool)
        observed[:, source] = True
        with torch.no_grad():
            z = imputer.impute_latents(test_z, observed, torch.Generator().manual_seed(0))
            add("imputed", (predict(imputer.decode(z)) == test.labels[:, None]).float().mean(0), source=source)
        print(f"imputed from view {source}:", [r["accuracy"] for r in rows[-views:]], flush=True)
    write_csv(out, COLUMNS, rows)
    plot(rows, views, out.with_suffix(".png"), title)
    print(f"wrote {out} and {out.with_suffix('.png')}")


if __name__ == "__main__":
    main()
