"""``semcom impute``: show observed, true and imputed views of a few objects side by side.

semcom impute --dataset mvshapes --observed 0,2 --autoencoder A --score-net S --out grid.png
"""

from __future__ import annotations

from pathlib import Path

import click
import torch

from semcom.cli.types import COUNT, SEED, FiniteFloat, OutputFile
from semcom.errors import SemcomError
from semcom.sampler_defaults import DEFAULT_GUIDANCE, DEFAULT_SAMPLER, DEFAULT_STEPS


def parse_observed(text: str, view_names: tuple[str, ...]) -> list[int]:
    """Observed views from "0,2" or "front,back": sorted indices, a non-empty proper subset."""
    allowed = ", ".join(f"{i}={name}" for i, name in enumerate(view_names))
    chosen = set()
    for item in filter(None, (part.strip() for part in text.split(","))):
        if item.isdigit() and int(item) < len(view_names):
            chosen.add(int(item))
        elif item in view_names:
            chosen.add(view_names.index(item))
        else:
            raise SemcomError(f"unknown view {item!r} in --observed; allowed: {allowed}")
    if not chosen or len(chosen) == len(view_names):
        raise SemcomError(
            f"--observed must name at least one and at most {len(view_names) - 1} of the "
            f"{len(view_names)} views ({allowed}), got {text!r}"
        )
    return sorted(chosen)


def save_impute_grid(
    true: torch.Tensor,
    imputed: torch.Tensor,
    observed: list[int],
    view_names: tuple[str, ...],
    row_labels: list[str],
    out: str | Path,
) -> Path:
    """Write a grid: one row per object, the V true views then the V receiver outputs.

    true, imputed: [R, V, C, H, W] float32 in [0, 1]; observed: indices of the sent views.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    rows, views = true.shape[:2]
    fig, axes = plt.subplots(
        rows, 2 * views, figsize=(1.1 * 2 * views + 1.0, 1.1 * rows + 0.6), squeeze=False
    )
    for r in range(rows):
        for v in range(views):
            for block, images in enumerate((true, imputed)):
                ax = axes[r, block * views + v]
                ax.imshow(
                    images[r, v].permute(1, 2, 0).clamp(0, 1).numpy(), interpolation="nearest"
                )
                ax.set_xticks([])
                ax.set_yticks([])
                role = "true" if block == 0 else ("sent" if v in observed else "imputed")
                colour = {"true": "black", "sent": "tab:green", "imputed": "tab:orange"}[role]
                for spine in ax.spines.values():
                    spine.set_edgecolor(colour)
                    spine.set_linewidth(2 if block else 0.5)
                if r == 0:
                    ax.set_title(f"{view_names[v]}\n{role}", fontsize=8, color=colour)
        axes[r, 0].set_ylabel(row_labels[r], fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=150)
    plt.close(fig)
    return out


#: file types of the grid (matplotlib writers)
GRID_FORMATS = (".png", ".pdf", ".svg", ".jpg")


@click.command()
@click.option("--dataset", default="mvshapes", show_default=True)
@click.option("--observed", required=True, help='Sent views: indices or names, e.g. "0,2".')
@click.option("--autoencoder", "autoencoder_path", default=None,
              help="Autoencoder checkpoint [default: the bundled model].")
@click.option("--score-net", "score_net_path", default=None,
              help="Score network checkpoint [default: the bundled model].")
@click.option("--split", default="test", show_default=True)
@click.option("--n", "rows", type=click.IntRange(1, 1000), default=8, show_default=True, help="Objects shown.")
@click.option("--sampler", default=DEFAULT_SAMPLER, show_default=True)
@click.option("--steps", type=COUNT, default=DEFAULT_STEPS, show_default=True)
@click.option("--guidance", type=FiniteFloat(0.0, 20.0), default=DEFAULT_GUIDANCE, show_default=True,
              help="Weight of guidance from the joint mode (0 = none).")
@click.option("--guidance-max-t", type=FiniteFloat(0.0, 1.0), default=1.0, show_default=True,
              help="Guide only the steps at diffusion times t <= this (1 = every step); the others cost one pass.")
@click.option("--seed", type=SEED, default=0, show_default=True)
@click.option("--out", type=OutputFile(*GRID_FORMATS), default="impute.png", show_default=True)
def impute(
    dataset, observed, autoencoder_path, score_net_path, split, rows, sampler, steps, guidance, guidance_max_t, seed,
    out
):
    """Impute the views not in --observed for a few objects and write a comparison grid."""
    from semcom.data import load_dataset
    from semcom.system.imputers import load_mvld

    ds = load_dataset(dataset, split)
    sent = parse_observed(observed, ds.view_names)
    imputer = load_mvld(dataset, ds.image_shape[-1], autoencoder_path=autoencoder_path,
                        score_net_path=score_net_path, sampler=sampler, steps=steps,
                        guidance=guidance, guidance_max_t=guidance_max_t)
    x, y = ds.batch(slice(0, min(rows, len(ds))))
    mask = torch.zeros(len(x), ds.num_views, dtype=torch.bool)
    mask[:, sent] = True
    x_hat = imputer.impute(x, mask, torch.Generator().manual_seed(seed))
    labels = [ds.class_names[int(label)] for label in y]
    path = save_impute_grid(x, x_hat, sent, ds.view_names, labels, out)
    click.echo(f"wrote {path} ({len(x)} objects, sent {sent}, {imputer.last_nfe} NFE per object)")
