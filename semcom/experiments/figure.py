"""The DiMViDA figure: accuracy bars with standard-deviation error bars (a pure function of the table)."""

from __future__ import annotations

import numpy as np
import pandas as pd

PROTOCOL_LABELS = {"single": "test: real view", "averaged": "test: mean over real + generated views"}
TRAIN_LABELS = {"single": "train: real views", "augmented": "train: real + generated"}


def accuracy_bars(table: pd.DataFrame, *, title: str = ""):
    """Grouped bars: one group per (architecture, training set), one bar per test protocol.

    table: the rows of ``table.csv`` (mean_accuracy, std_accuracy in [0, 1]). Returns a Figure.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = list(dict.fromkeys(zip(table["architecture"], table["train_set"], strict=True)))
    protocols = list(dict.fromkeys(table["test_protocol"]))
    width = 0.8 / max(len(protocols), 1)
    fig, ax = plt.subplots(figsize=(1.6 * len(groups) + 2, 4))
    x = np.arange(len(groups))
    for k, protocol in enumerate(protocols):
        rows = table[table["test_protocol"] == protocol].set_index(["architecture", "train_set"])
        means = [100 * rows.loc[g, "mean_accuracy"] if g in rows.index else np.nan for g in groups]
        stds = [100 * rows.loc[g, "std_accuracy"] if g in rows.index else np.nan for g in groups]
        ax.bar(x + (k - (len(protocols) - 1) / 2) * width, means, width, yerr=stds, capsize=3,
               label=PROTOCOL_LABELS.get(protocol, protocol))
    ax.set_xticks(x, [f"{a}\n{TRAIN_LABELS.get(t, t)}" for a, t in groups], fontsize=8)
    ax.set_ylabel("accuracy [%] (mean +- std over seeds)")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig
