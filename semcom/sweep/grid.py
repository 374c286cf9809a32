"""Expanding an experiment's grids into cells, each with a stable id."""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import asdict, dataclass

from semcom.errors import SemcomError
from semcom.sweep.axes import AXES, scheme_axes
from semcom.sweep.config import ExperimentConfig


@dataclass(frozen=True)
class Cell:
    """One point of the grid. Axes the scheme does not use are None."""

    scheme: str
    channel: str
    snr_db: float
    views_sent: int
    view_policy: str
    seed: int
    bits_per_value: int | None = None
    transmission: str | None = None
    link_mode: str | None = None
    mcs: str | None = None
    codec: str | None = None
    quality: int | None = None
    imputer: str | None = None
    sampler: str | None = None
    steps: int | None = None
    guidance: float | None = None
    harq: int | None = None
    harq_fading: str | None = None
    jscc_symbols: int | None = None
    harq_combining: str | None = None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


#: axes added after results were committed, left out of the cell id at the value that means
#: "as before", so that cells of older tables keep their ids
LATER_AXES = {"harq": (None, 1), "harq_fading": (None, "new"), "jscc_symbols": (None,),
              "harq_combining": (None, "chase")}


def cell_id(cell: Cell, config: ExperimentConfig) -> str:
    """12 hex digits identifying the cell and the data it runs on (stable across runs)."""
    values = {k: v for k, v in cell.as_dict().items() if not (k in LATER_AXES and v in LATER_AXES[k])}
    blob = json.dumps({"cell": values, "data": asdict(config.data)}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def _per_symbol_fading_problem(values: dict, channel) -> tuple[str, str, tuple[str, ...]] | None:
    """(the setting, what it needs, the channels allowed) when a channel that fades per symbol
    cannot take a cell's setting: harq_fading 'same' and mcs 'auto-csi' need one gain per packet,
    'auto-outage' that or an effective-SINR mapping; None when it can."""
    from channels.registry import abstraction_channels, block_channels

    if channel.fading != "symbol":
        return None
    mcs = str(values.get("mcs"))
    if values.get("harq_fading") == "same":
        return "harq_fading = 'same'", "one fading gain per packet", block_channels()
    if mcs == "auto-csi":
        return f"mcs = {values['mcs']!r}", "one fading gain per packet", block_channels()
    if mcs == "auto-outage" and not channel.effective_sinr:
        return (f"mcs = {values['mcs']!r}", "one fading gain per packet or an effective-SINR mapping",
                abstraction_channels())
    return None


def expand(config: ExperimentConfig) -> list[Cell]:
    """All cells of all grids, in file order, duplicates removed."""
    from channels.registry import abstraction_channels, get_channel
    from semcom.data import dataset_info

    num_views = dataset_info(config.data.dataset).num_views
    cells: dict[Cell, None] = {}
    for index, grid in enumerate(config.grids):
        schemes = grid.get("scheme", (config.defaults.get("scheme", AXES["scheme"].default),))
        for scheme in schemes:
            names = scheme_axes(scheme)
            choices = [grid.get(n, (config.defaults.get(n, AXES[n].default),)) for n in names]
            for combo in itertools.product(*choices):
                values = dict(zip(names, combo))
                if values["views_sent"] > num_views:
                    raise SemcomError(
                        f"[[grid]] #{index + 1}: views_sent = {values['views_sent']} but "
                        f"{config.data.dataset} has {num_views} views; allowed: 0..{num_views}"
                    )
                if scheme in ("semantic",) and values.get("transmission") == "analog":
                    values["link_mode"] = values["mcs"] = values["harq"] = values["harq_fading"] = None
                    values["harq_combining"] = None
                if values.get("harq") == 1:
                    values["harq_fading"] = values["harq_combining"] = None  # one transmission: nothing is refaded or combined
                channel = get_channel(values["channel"])
                if values.get("link_mode") == "abstraction" and not channel.supports_abstraction:
                    raise SemcomError(
                        f"[[grid]] #{index + 1}: link_mode = 'abstraction' needs one fading gain per "
                        f"codeword or an effective-SINR mapping; allowed channels: {', '.join(abstraction_channels())} "
                        f"(use link_mode = 'full' for {values['channel']})"
                    )
                problem = _per_symbol_fading_problem(values, channel)
                if problem:
                    what, needs, allowed = problem
                    raise SemcomError(
                        f"[[grid]] #{index + 1}: {what} needs {needs}; allowed channels: {', '.join(allowed)} "
                        f"(channel {values['channel']!r} fades per symbol)"
                    )
                cells[Cell(scheme=scheme, **values)] = None
    return list(cells)
