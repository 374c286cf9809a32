"""Preview grids: rows are objects, columns are views, each row labelled with its class."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from semcom.data.base import MultiViewDataset


def pick_rows(dataset: MultiViewDataset, rows: int) -> list[int]:
    """Indices of the first object of as many distinct classes as possible, then the next ones."""
    labels = dataset.labels.numpy()
    first = [int(np.flatnonzero(labels == c)[0]) for c in np.unique(labels)]
    rest = [i for i in range(len(labels)) if i not in set(first)]
    return (first + rest)[:rows]


def save_preview(dataset: MultiViewDataset, out: str | Path, *, rows: int = 13, title: str | None = None) -> Path:
    """Write a PNG (or PDF, by suffix) grid of ``rows`` objects x all views of ``dataset``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    index = pick_rows(dataset, min(rows, len(dataset)))
    views = dataset.images[index].permute(0, 1, 3, 4, 2).numpy()  # [R, V, H, W, C]
    n_rows, n_views = views.shape[:2]
    fig, axes = plt.subplots(n_rows, n_views, figsize=(1.2 * n_views + 1.2, 1.2 * n_rows + 0.5), squeeze=False)
    for r in range(n_rows):
        for v in range(n_views):
            ax = axes[r, v]
            ax.imshow(views[r, v], interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            if r == 0:
                ax.set_title(dataset.view_names[v], fontsize=9)
            if v == 0:
                ax.set_ylabel(dataset.class_names[int(dataset.labels[index[r]])], fontsize=8, rotation=0,
                              ha="right", va="center")
    fig.suptitle(title or f"{dataset.name} ({dataset.split}, {views.shape[2]}x{views.shape[3]})", fontsize=10)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out
