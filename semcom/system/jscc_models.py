"""Finding the DeepJSCC (:mod:`semcom.models.jscc`) of a dataset and a number of channel symbols.

Bundled models live in ``semcom/assets/bundled/jscc/<dataset>-<size>px/jscc_s<S>`` (S complex
symbols per view; ``$SEMCOM_MODELS`` points at another folder of the same layout); a model that
is not there is looked for where ``semcom train jscc`` writes it, ``runs/<dataset>/jscc_s<S>/jscc``.
"""

from __future__ import annotations

import re
from pathlib import Path

from semcom.errors import SemcomError
from semcom.system.imputers import models_root


def jscc_folder(dataset: str, size: int) -> Path:
    return models_root() / "jscc" / f"{dataset}-{size}px"


def available_symbols(dataset: str, size: int) -> tuple[int, ...]:
    """Symbols per view of every DeepJSCC found for ``dataset`` at ``size`` px, ascending."""
    found = {int(m.group(1)) for f in jscc_folder(dataset, size).glob("jscc_s*.json")
             if (m := re.fullmatch(r"jscc_s(\d+)\.json", f.name))}
    runs = Path("runs") / dataset
    found |= {int(m.group(1)) for f in runs.glob("jscc_s*/jscc.json")
              if (m := re.fullmatch(r"jscc_s(\d+)", f.parent.name))}
    return tuple(sorted(found))


def jscc_checkpoint(dataset: str, size: int, symbols: int) -> Path:
    """The checkpoint path of the DeepJSCC with ``symbols`` per view: bundled, else the run's."""
    for path in (jscc_folder(dataset, size) / f"jscc_s{symbols}", Path("runs") / dataset / f"jscc_s{symbols}" / "jscc"):
        if path.with_suffix(".json").is_file():
            return path
    have = available_symbols(dataset, size)
    raise SemcomError(
        f"no DeepJSCC with jscc_symbols = {symbols} for {dataset} at {size}px; allowed: "
        + (", ".join(map(str, have)) if have else "none trained")
        + f" (train one with `semcom train jscc --dataset {dataset}` and symbols = {symbols} in its config)"
    )


def load_jscc_model(dataset: str, size: int, symbols: int):
    """The DeepJSCC for ``dataset`` views of ``size`` px with ``symbols`` per view (eval mode)."""
    from semcom.data import dataset_info
    from semcom.models.checkpoint import load_jscc

    model, _ = load_jscc(jscc_checkpoint(dataset, size, symbols), channels=dataset_info(dataset).channels,
                         image_size=size)
    if model.config.symbols != symbols:
        raise SemcomError(f"{jscc_checkpoint(dataset, size, symbols)} holds a DeepJSCC with "
                          f"{model.config.symbols} symbols per view, not {symbols}")
    return model
