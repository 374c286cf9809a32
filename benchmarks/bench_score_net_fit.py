"""Does a score net underfit or overfit? Its loss and coherence on objects it trained on against
objects it never saw.

    python benchmarks/bench_score_net_fit.py [--dataset polymnist] [--score-net PATH [PATH ...]]
        [--autoencoder PATH] [--n 500] [--guidance 2]

The first n objects of the ``train`` split (object i depends only on the seed, the split and i,
so these are among the objects every bundled score net trained on) and of the ``val`` split go
through the same two measures the training log records: the masked diffusion loss with fixed
masks, times and noise (seed 0; ``validation_loss``, unweighted) and the coherence of the views
imputed from one observed view (view i mod V of object i, the receiver's sampler with guidance
weight ``--guidance``, judged by the bundled class judge; ``validation_coherence``). A net that
scores much better on its training objects has memorised them (more data or regularisation
would help); one that scores the same on both is limited by its capacity or its training time.
Several ``--score-net`` checkpoints (of one autoencoder) are measured on the same objects and
draws, a row pair each. Rows go to results/<dataset>/score_net_fit.csv (or ``--out``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bench_common import add_receiver_args, write_csv

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = ("score_net", "split", "n", "loss", "guidance", "coherence_1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_receiver_args(parser, "polymnist", score_nets="+")
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--guidance", type=float, default=1.0)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()

    import torch

    from semcom.data import load_dataset
    from semcom.metrics.classifier import judge_predictor
    from semcom.models.train_diffusion import (
        DiffusionTrainConfig,
        encode_latents,
        validation_coherence,
        validation_loss,
    )
    from semcom.system.imputers import load_imputer

    torch.set_num_threads(2)
    measure = DiffusionTrainConfig(dataset=args.dataset)  # the training runs' joint_prob and t_min
    splits = {split: load_dataset(args.dataset, split, n=args.n) for split in ("train", "val")}
    predict = judge_predictor(args.dataset, splits["train"].image_shape[1])  # the class judge, loaded once
    rows, latents = [], None
    for path in args.score_net:
        imputer = load_imputer("mvld", args.dataset, autoencoder_path=args.autoencoder, score_net_path=path)
        if latents is None:  # every score net is measured on the same autoencoder's latents: encode once
            latents = {split: encode_latents(imputer.autoencoder, imputer.stats, data.images)
                       for split, data in splits.items()}
        for split, data in splits.items():
            z = latents[split]
            coherence = validation_coherence(imputer.score_net, imputer.autoencoder, imputer.stats, z, data.labels,
                                             predict, guidance=args.guidance)
            rows.append({"score_net": path or "bundled", "split": split, "n": args.n,
                         "loss": round(validation_loss(imputer.score_net, z, measure), 5),
                         "guidance": args.guidance, "coherence_1": round(coherence, 4)})
            print(rows[-1], flush=True)
    out = args.out or ROOT / "results" / args.dataset / "score_net_fit.csv"
    write_csv(out, COLUMNS, rows)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
