"""A small training loop shared by the autoencoder and the diffusion model.

It runs ``step_fn`` for the remaining steps with a tqdm bar, validates every ``val_every``
steps, appends one row per validation to a CSV log and saves a resumable checkpoint (modules,
optimiser, RNG state and step, as safetensors + JSON) every ``checkpoint_every`` steps and at
the end. Calling it again with the same out_dir resumes from the last checkpoint.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import io
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from tqdm import tqdm

from semcom.errors import SemcomError
from semcom.models.checkpoint import (
    checkpoint_paths,
    load_checkpoint,
    optimizer_from_tensors,
    optimizer_to_tensors,
    save_checkpoint,
    state_problems,
)
from semcom.models.train_config import RunConfig, learning_rate
from semcom.paths import atomic_write_bytes

RESUME_NAME = "resume"
#: config fields a resumed run may change: run longer, log or measure differently (``val_guidance``),
#: or anneal the learning rate from where the run stands (``lr_final``, ``lr_decay_from``,
#: ``lr_restarts``)
RESUMABLE_CHANGES = frozenset(
    {"steps", "val_every", "checkpoint_every", "threads", "lr_final", "lr_decay_from", "lr_restarts",
     "max_minutes", "val_guidance"}
)
LOG_NAME = "train_log.csv"


@dataclass
class TrainState:
    """What a resumable run holds: named modules, the optimiser, the data RNG and the step."""

    modules: dict[str, torch.nn.Module]
    optimizer: torch.optim.Optimizer
    generator: torch.Generator
    step: int = 0
    elapsed_s: float = 0.0


def save_state(out_dir: Path, state: TrainState, config: Any) -> Path:
    """Write ``out_dir/resume.{safetensors,json}``."""
    tensors = {
        f"{name}.{k}": v for name, mod in state.modules.items() for k, v in mod.state_dict().items()
    }
    optim_tensors, optim_data = optimizer_to_tensors(state.optimizer)
    tensors.update(optim_tensors)
    tensors["rng"] = state.generator.get_state()
    meta = {"step": state.step, "elapsed_s": state.elapsed_s, "optimizer": optim_data}
    return save_checkpoint(
        out_dir / RESUME_NAME, "train_state", tensors, dataclasses.asdict(config), meta
    )


def try_resume(out_dir: Path, state: TrainState, config: Any) -> bool:
    """Load ``out_dir/resume`` into ``state`` if present.

    The config must be the same except for :data:`RESUMABLE_CHANGES` (so a finished run can
    be continued for more steps). The files are checked before anything is loaded (format,
    header, every module's tensor names and shapes, the optimiser state, the RNG state): a
    damaged resume state is a one-line :class:`SemcomError` naming the file and the problem.
    """
    if not (out_dir / f"{RESUME_NAME}.json").is_file():
        return False
    start_over = f"delete {out_dir / RESUME_NAME}.* to start the run over"
    try:
        tensors, header = load_checkpoint(out_dir / RESUME_NAME, kind="train_state")
    except SemcomError as err:
        raise SemcomError(f"{err} ({start_over})") from None
    # a field added to the config after the run was saved counts as its default in the saved run
    added = _jsonable({f.name: f.default for f in dataclasses.fields(config)
                       if f.name not in header["config"] and f.default is not dataclasses.MISSING})
    saved = {**added, **header["config"]}
    now = _jsonable(dataclasses.asdict(config))
    keys = (set(saved) | set(now)) - RESUMABLE_CHANGES
    changed = sorted(k for k in keys if saved.get(k) != now.get(k))
    if changed:
        raise SemcomError(
            f"{out_dir} holds a run with a different config ({', '.join(changed)} changed); "
            "use another --out folder or delete it to start over"
        )
    problems = resume_problems(state, tensors, header["meta"])
    if problems:
        raise SemcomError(
            f"resume state {out_dir / RESUME_NAME}.safetensors is damaged or does not fit this "
            f"run: {'; '.join(problems)} ({start_over})"
        )
    for name, mod in state.modules.items():
        prefix = f"{name}."
        mod.load_state_dict(
            {k[len(prefix) :]: v for k, v in tensors.items() if k.startswith(prefix)}
        )
    optimizer_from_tensors(state.optimizer, tensors, header["meta"]["optimizer"])
    state.generator.set_state(tensors["rng"])
    state.step = int(header["meta"]["step"])
    state.elapsed_s = float(header["meta"]["elapsed_s"])
    return True


def resume_problems(
    state: TrainState, tensors: dict[str, torch.Tensor], meta: dict[str, Any]
) -> list[str]:
    """How a saved resume state (tensors and meta) differs from what ``state`` can take: the
    modules' tensors, the optimiser's groups and per-parameter state, the RNG state, the step
    and time; empty when it loads."""
    problems = []
    for name, mod in state.modules.items():
        problems += state_problems(mod, tensors, f"{name}.")
    prefixes = tuple(f"{name}." for name in state.modules) + ("optim.",)
    stray = [k for k in tensors if not k.startswith(prefixes) and k != "rng"]
    if stray:
        problems.append(f"unexpected tensors {', '.join(stray[:4])}")
    rng, want = tensors.get("rng"), state.generator.get_state()
    if rng is None:
        problems.append("no rng tensor")
    elif rng.dtype != want.dtype or rng.shape != want.shape:
        problems.append(f"rng is {list(rng.shape)} {rng.dtype}, expected {list(want.shape)} {want.dtype}")
    step, elapsed = meta.get("step"), meta.get("elapsed_s")
    if not isinstance(step, int) or isinstance(step, bool) or step < 0:
        problems.append(f"meta step {step!r} is not a step count")
    if not isinstance(elapsed, int | float) or isinstance(elapsed, bool) or not elapsed >= 0:
        problems.append(f"meta elapsed_s {elapsed!r} is not a time in seconds")
    return problems + _optimizer_problems(state.optimizer, tensors, meta.get("optimizer"))


def _optimizer_problems(
    optimizer: torch.optim.Optimizer, tensors: dict[str, torch.Tensor], data: Any
) -> list[str]:
    """What keeps the saved optimiser state (see optimizer_to_tensors) from loading."""
    params = [p for group in optimizer.param_groups for p in group["params"]]
    groups = data.get("param_groups") if isinstance(data, dict) else None
    expected, start = [], 0
    for group in optimizer.param_groups:
        expected.append(list(range(start, start + len(group["params"]))))
        start += len(group["params"])
    if not isinstance(groups, list) or [
        g.get("params") if isinstance(g, dict) else None for g in groups
    ] != expected:
        return ["its optimiser parameter groups do not match this run's parameters"]
    scalars = data.get("scalars", {})
    if not isinstance(scalars, dict) or not all(
        isinstance(v, dict) and k.isdigit() and int(k) < len(params) for k, v in scalars.items()
    ):
        return ["its optimiser scalars are malformed"]
    problems = []
    for name, value in tensors.items():
        if not name.startswith("optim."):
            continue
        _, idx, key = (name.split(".", 2) + ["", ""])[:3]
        if not idx.isdigit() or int(idx) >= len(params) or not key:
            problems.append(f"unexpected tensor {name}")
        elif value.ndim and tuple(value.shape) != tuple(params[int(idx)].shape):
            problems.append(f"{name} has shape {list(value.shape)}, expected "
                            f"{list(params[int(idx)].shape)}")
    return problems


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}


def read_log(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV training log (empty if absent)."""
    if not path.is_file():
        return []
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def write_log(path: Path, rows: list[dict[str, Any]]) -> None:
    """Rewrite the CSV log atomically. Columns: every key in order of first appearance (a run
    resumed by a newer version may log more metrics; earlier rows leave those cells empty)."""
    if not rows:
        return
    fieldnames = list(dict.fromkeys(key for row in rows for key in row))
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fieldnames, restval="")
    writer.writeheader()
    writer.writerows(rows)
    atomic_write_bytes(path, buf.getvalue().encode())


def run_training(
    *,
    state: TrainState,
    config: RunConfig,
    out_dir: Path,
    step_fn: Callable[[], float],
    validate: Callable[[], dict[str, float]],
    desc: str,
    progress: bool = True,
) -> list[dict[str, Any]]:
    """Train from ``state.step`` to ``config.steps``; returns the log rows (also in the CSV).

    Validation every ``config.val_every`` steps, a resumable checkpoint every
    ``config.checkpoint_every`` steps and at the end. With ``config.max_minutes`` the run also
    ends at the first validation after that much training wall time (resumed runs count their
    earlier time): training designs at equal CPU time, or a session's budget. A later call with a
    larger budget or more steps continues it.

    step_fn() performs one optimisation step and returns its loss; validate() returns named
    validation metrics. A row is logged at every validation: step, train_loss (mean since the
    previous row), the metrics and the wall time so far.
    """
    total_steps, val_every, checkpoint_every = (
        config.steps,
        config.val_every,
        config.checkpoint_every,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    log_path = out_dir / LOG_NAME
    rows: list[dict[str, Any]] = [r for r in read_log(log_path) if int(r["step"]) <= state.step]
    running, count = 0.0, 0
    start = time.perf_counter() - state.elapsed_s
    budget_s = None if config.max_minutes is None else 60.0 * config.max_minutes
    bar = tqdm(total=total_steps, initial=state.step, desc=desc, disable=not progress, unit="step")
    try:
        while state.step < total_steps and (budget_s is None or state.elapsed_s < budget_s):
            lr = learning_rate(config, state.step)
            for group in state.optimizer.param_groups:
                group["lr"] = lr
            loss = step_fn()
            state.step += 1
            running, count = running + loss, count + 1
            bar.update(1)
            last = state.step == total_steps
            if budget_s is not None and time.perf_counter() - start >= budget_s and state.step % val_every == 0:
                last = True  # the budget is spent: this validation is the run's last row
            if state.step % val_every == 0 or last:
                metrics = validate()
                state.elapsed_s = time.perf_counter() - start
                row = {"step": state.step, "train_loss": running / count, **metrics}
                if config.lr_final is not None:
                    row["lr"] = lr
                rows.append({**row, "elapsed_s": round(state.elapsed_s, 2)})
                write_log(log_path, rows)
                bar.set_postfix({k: f"{v:.4g}" for k, v in row.items() if k != "step"})
                running, count = 0.0, 0
            if state.step % checkpoint_every == 0 or last:
                state.elapsed_s = time.perf_counter() - start
                save_state(out_dir, state, config)
    finally:
        bar.close()
    return rows


def training_stages(meta: dict[str, Any], checkpoint: str = "", _seen: frozenset = frozenset()
                    ) -> list[dict[str, Any]] | None:
    """The training runs behind a model of metadata ``meta`` (see :func:`run_summary`), earliest
    first: [{checkpoint, steps, train_seconds}]. Its own ``stages`` when stored, else its run
    (named ``checkpoint``; "" for the run being saved) after those of its ``init_from``
    checkpoint, read from disk. None when a checkpoint of the chain cannot be read (a model
    started from weights that are gone) or the chain comes back to itself."""
    if "stages" in meta:
        return meta["stages"]
    if "train_seconds" not in meta:
        return None
    own = {"checkpoint": checkpoint, "steps": int(meta.get("steps", 0)),
           "train_seconds": round(float(meta["train_seconds"]), 2)}
    init_from = str(meta.get("train_config", {}).get("init_from", ""))
    if not init_from:
        return [own]
    json_file = checkpoint_paths(init_from)[1]
    if not json_file.is_file() or json_file.resolve() in _seen:
        return None
    earlier = training_stages(json.loads(json_file.read_text()).get("meta", {}), init_from,
                              _seen | {json_file.resolve()})
    return None if earlier is None else [*earlier, own]


def run_summary(config: Any, state: TrainState, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Metadata stored with a trained model: its config, steps, wall time and last log row, and
    (``stages``) every run of its ``init_from`` chain with its steps and wall time, so that a model
    trained in stages records its whole cost (left out when a checkpoint of the chain is gone)."""
    meta = {
        "train_config": dataclasses.asdict(config),
        "steps": state.step,
        "train_seconds": round(state.elapsed_s, 2),
        "final": {k: v for k, v in rows[-1].items() if k != "step"} if rows else {},
    }
    stages = training_stages(meta)
    if stages is not None and len(stages) > 1:
        meta["stages"] = stages
    return meta


def check_view_images(images: torch.Tensor, who: str) -> tuple[int, int, int]:
    """(V, C, H) of training images, which must be uint8 [N, V, C, H, W] with square views."""
    if images.dtype != torch.uint8 or images.ndim != 5:
        raise SemcomError(f"training images must be uint8 [N, V, C, H, W], got {tuple(images.shape)}")
    _, v, c, h, w = images.shape
    if h != w:
        raise SemcomError(f"{who} needs square views, got {h}x{w}")
    return v, c, h


#: training precisions: plain float32, or bfloat16 autocast of the forward pass (weights,
#: optimiser state and loss stay float32)
PRECISIONS = ("float32", "bfloat16")


def autocast(precision: str) -> contextlib.AbstractContextManager:
    """The forward-pass context of a training ``precision`` (one of :data:`PRECISIONS`)."""
    if precision == "bfloat16":
        return torch.autocast("cpu", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def optimiser_step(optimizer: torch.optim.Optimizer, loss: torch.Tensor) -> float:
    """Zero the gradients, back-propagate ``loss``, step; returns the loss value."""
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    return loss.item()
