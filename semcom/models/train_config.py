"""Typed training configs loaded from TOML, validated with one-line errors.

A config file is a flat TOML table whose keys are the fields of the config dataclass; unknown
keys, wrong types and bad values are reported naming the key, the value and what is allowed.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
import types
import typing
from pathlib import Path
from typing import Any, TypeVar

from semcom.config_kinds import pop_kind
from semcom.errors import SemcomError

T = TypeVar("T")


def _matches(value: Any, hint: Any) -> tuple[bool, Any]:
    """(ok, converted value) for the simple hints configs use."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(hint):
            ok, conv = _matches(value, arg)
            if ok:
                return True, conv
        return False, value
    if hint is type(None):
        return value is None, value
    if hint is bool:
        return isinstance(value, bool), value
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool), value
    if hint is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return ok, float(value) if ok else value
    if hint is str:
        return isinstance(value, str), value
    if origin is tuple:
        (item,) = typing.get_args(hint)[:1]
        if not isinstance(value, list | tuple):
            return False, value
        conv = [_matches(v, item) for v in value]
        return all(ok for ok, _ in conv), tuple(v for _, v in conv)
    return True, value


def config_from_mapping(cls: type[T], data: dict[str, Any], where: str) -> T:
    """Build the config dataclass ``cls`` from ``data`` with typed, named validation."""
    hints = typing.get_type_hints(cls)
    if not isinstance(data, dict):
        raise SemcomError(f"{where}: the config must be a table of keys, got {type(data).__name__}")
    fields = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(data) - fields)
    if unknown:
        raise SemcomError(
            f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(fields))}"
        )
    required = [
        f.name for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        and f.name not in data
    ]
    if required:
        raise SemcomError(f"{where}: missing key(s) {', '.join(required)}")
    values = {}
    for key, value in data.items():
        ok, conv = _matches(value, hints[key])
        if not ok:
            hint = getattr(hints[key], "__name__", str(hints[key]))
            raise SemcomError(f"{where}: key {key!r} = {value!r} is not of type {hint}")
        if isinstance(conv, float) and not math.isfinite(conv):
            raise SemcomError(f"{where}: key {key!r} = {value!r}; allowed: a finite number")
        values[key] = conv
    return cls(**values)


def load_toml_config(
    cls: type[T], path: str | Path | None, overrides: dict[str, Any] | None = None
) -> T:
    """Config from a TOML file (or defaults when ``path`` is None), then ``overrides`` on top;
    the file's ``kind`` must be ``cls.KIND`` (:mod:`semcom.config_kinds`)."""
    data: dict[str, Any] = {}
    if path is not None:
        path = Path(path)
        if not path.is_file():
            raise SemcomError(f"config file {path} not found")
        try:
            data = tomllib.loads(path.read_text())
        except UnicodeDecodeError:
            raise SemcomError(f"config file {path} is not a text (UTF-8) TOML file") from None
        except tomllib.TOMLDecodeError as err:
            raise SemcomError(f"config file {path} is not valid TOML: {err}") from None
    kind = getattr(cls, "KIND", None)
    if kind is not None:
        pop_kind(data, kind, str(path) if path is not None else "config")
    data.update({k: v for k, v in (overrides or {}).items() if v is not None})
    return config_from_mapping(cls, data, str(path) if path is not None else "config")


def check_init_design(init_from: str, have, want, allowed: str = "a checkpoint of the same design") -> None:
    """One-line error unless the checkpoint ``init_from`` (of model config ``have``) has the
    design ``want`` of the run that starts from it; ``allowed`` says what would do."""
    if have != want:
        raise SemcomError(f"init_from = {init_from}: its design {have} differs from this run's {want}; "
                          f"allowed: {allowed}")


def positive(where: str, **values: float) -> None:
    """Raise a one-line error if any of ``values`` is not > 0."""
    for key, value in values.items():
        if value is not None and value <= 0:
            raise SemcomError(f"{where}: {key} must be > 0, got {value}")


@dataclasses.dataclass(frozen=True)
class RunConfig:
    """Fields every training run has: the data, the optimisation and the bookkeeping."""

    dataset: str = "mvshapes"
    image_size: int | None = None  # the dataset's default when None
    n_train: int | None = None  # training objects; the dataset's default when None
    n_val: int | None = 500  # validation objects
    data_seed: int = 0
    batch_size: int = 64
    lr: float = 1e-3
    steps: int = 20000
    val_every: int = 500
    checkpoint_every: int = 2000
    seed: int = 0
    threads: int = 1
    lr_final: float | None = None  # cosine annealing from lr to lr_final over [lr_decay_from, steps]
    lr_decay_from: int = 0  # the learning rate is constant (lr) before this step
    lr_restarts: tuple[int, ...] = ()  # warm restarts: back to lr, then a new cosine to lr_final
    max_minutes: float | None = None  # stop at the first validation after this much training wall time

    def __post_init__(self) -> None:
        names = (
            "batch_size",
            "lr",
            "steps",
            "val_every",
            "checkpoint_every",
            "threads",
            "n_train",
            "n_val",
            "max_minutes",
        )
        positive(type(self).__name__, **{k: getattr(self, k) for k in names})
        if self.lr_final is not None and not 0 < self.lr_final <= self.lr:
            raise SemcomError(
                f"{type(self).__name__}: lr_final must be in (0, lr = {self.lr}], got {self.lr_final}"
            )
        if not 0 <= self.lr_decay_from < self.steps:
            raise SemcomError(
                f"{type(self).__name__}: lr_decay_from must be in [0, steps = {self.steps}), "
                f"got {self.lr_decay_from}"
            )
        object.__setattr__(self, "lr_restarts", tuple(int(r) for r in self.lr_restarts))
        bounds = (self.lr_decay_from, *self.lr_restarts, self.steps)
        if self.lr_restarts and self.lr_final is None:
            raise SemcomError(f"{type(self).__name__}: lr_restarts need lr_final (the rate to anneal to)")
        if any(a >= b for a, b in zip(bounds, bounds[1:])):
            raise SemcomError(
                f"{type(self).__name__}: lr_restarts must rise strictly inside (lr_decay_from = "
                f"{self.lr_decay_from}, steps = {self.steps}); got {list(self.lr_restarts)}"
            )


def learning_rate(config: RunConfig, step: int) -> float:
    """The learning rate of optimisation step ``step`` (0-based): ``lr`` until
    ``lr_decay_from``, then (if ``lr_final`` is set) a half cosine down to ``lr_final`` at
    ``steps``; each of ``lr_restarts`` ends the cosine running and starts a new one from ``lr``
    (warm restarts, Loshchilov & Hutter 2017), the last ending at ``steps``."""
    if config.lr_final is None or step < config.lr_decay_from:
        return config.lr
    start = max(b for b in (config.lr_decay_from, *config.lr_restarts) if b <= step)
    end = min((b for b in (*config.lr_restarts, config.steps) if b > start), default=config.steps)
    progress = min(1.0, (step - start) / (end - start))
    return config.lr_final + 0.5 * (config.lr - config.lr_final) * (1.0 + math.cos(math.pi * progress))
