"""Experiment files: TOML, loaded into typed dataclasses and validated before any work starts.

Layout::

    kind = "sweep"                      # optional: what the file is (semcom.config_kinds)
    name = "demo"                       # results go to results/<name>/
    description = "..."
    plugins = ["my_channel.py"]         # optional: files (or modules) that register channels

    [data]                              # what is transmitted
    dataset = "mvshapes"
    split = "test"
    n_objects = 64
    size = 32                           # optional

    [metrics]                           # which metrics the rows carry
    fid = true
    lpips = true

    [defaults]                          # values for axes a grid does not list
    link_mode = "full"

    [[grid]]                            # each table is a cartesian product; the union is run
    scheme = "semantic"
    channel = ["awgn", "rayleigh-block"]
    snr_db = "0:2:20"                   # or a list: [0, 10, 20]
    views_sent = [1, 2, 3, 4]

A bad file is rejected with one line naming the key, the value and what is allowed.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

from semcom.config_kinds import pop_kind
from semcom.errors import SemcomError, check_choice
from semcom.sweep.axes import AXES

TOP_KEYS = ("kind", "name", "description", "plugins", "data", "metrics", "defaults", "grid")


@dataclass(frozen=True)
class DataConfig:
    dataset: str = "mvshapes"
    split: str = "test"
    n_objects: int = 64
    size: int | None = None
    batch_size: int = 32


@dataclass(frozen=True)
class MetricsConfig:
    """Which quality columns a sweep measures. ``psnr_fg`` and ``delta_e`` (object pixels only,
    :mod:`semcom.metrics.objects`) are measured where the dataset has a uniform background and
    left empty otherwise. ``fid`` and ``kid`` compare each cell's shown views with the cached
    Inception features of the whole split (:mod:`semcom.metrics.reference`); images that repeat
    across cells are computed once (:class:`~semcom.metrics.features.MemoFeatures`)."""

    psnr: bool = True
    ssim: bool = True
    lpips: bool = True
    psnr_fg: bool = True
    delta_e: bool = True
    fid: bool = False
    kid: bool = False
    fd_clf: bool = True
    coherence: bool = True
    ber: bool = True
    #: the Inception of fid and kid: "float32" (TF-FID as published) or "bfloat16" (about twice
    #: as fast on this CPU, FID within 1 %: benchmarks/bench_inception_speed.py)
    inception_precision: str = "float32"

    def __post_init__(self) -> None:
        from semcom.metrics.inception import INCEPTION_PRECISIONS

        check_choice("metrics.inception_precision", self.inception_precision, tuple(INCEPTION_PRECISIONS))


@dataclass(frozen=True)
class ExperimentConfig:
    name: str
    data: DataConfig
    metrics: MetricsConfig
    grids: tuple[dict[str, tuple], ...]
    defaults: dict[str, object] = field(default_factory=dict)
    description: str = ""
    source_text: str = ""
    plugins: tuple[str, ...] = ()  # as written in the file; loaded by parse_experiment


def _fail(where: str, message: str) -> SemcomError:
    return SemcomError(f"{where}: {message}")


def _typed_table(cls, table: object, where: str, file: str):
    if not isinstance(table, dict):
        raise _fail(file, f"[{where}] must be a table")
    known = {f.name: f for f in fields(cls)}
    values = {}
    for key, value in table.items():
        if key not in known:
            raise _fail(file, f"unknown key {where}.{key}; allowed: {', '.join(known)}")
        default = known[key].default
        expected = type(default) if default is not None else int
        if expected is bool and not isinstance(value, bool):
            raise _fail(file, f"{where}.{key} = {value!r} must be true or false")
        if expected is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise _fail(file, f"{where}.{key} = {value!r} must be an integer")
        if expected is str and not isinstance(value, str):
            raise _fail(file, f"{where}.{key} = {value!r} must be a string")
        values[key] = value
    return cls(**values)


def coerce_axis_value(name: str, value: object, where: str) -> object:
    """Check one axis value's type and range; returns it converted to the axis type."""
    axis = AXES[name]
    if axis.kind is float and isinstance(value, int | float) and not isinstance(value, bool):
        value = float(value)
    elif axis.kind is int and isinstance(value, float) and value.is_integer():
        value = int(value)
    if axis.kind is float and isinstance(value, str) and value.strip().lower() == "nan":
        value = math.nan
    if not isinstance(value, axis.kind) or isinstance(value, bool):
        raise SemcomError(f"{where}: {name} = {value!r} must be {axis.kind.__name__}")
    problem = axis.check(value)
    if problem:
        raise SemcomError(f"{where}: bad value {name} = {value!r}; {problem}")
    return value


def _axis_values(name: str, raw: object, where: str) -> tuple:
    if name not in AXES:
        raise SemcomError(f"{where}: unknown axis {name!r}; allowed: {', '.join(AXES)}")
    if name == "snr_db" and isinstance(raw, str) and (":" in raw or "," in raw):
        raw = _snr_range(raw, where)  # "0:2:20" (start:step:stop, stop included) or "0,5,10"
    values = raw if isinstance(raw, list) else [raw]
    if not values:
        raise SemcomError(f"{where}: axis {name} has no values")
    return tuple(coerce_axis_value(name, v, where) for v in values)


def _snr_range(text: str, where: str) -> list[float]:
    from channels.errors import ChannelError
    from channels.spec import parse_snr_db

    try:
        return parse_snr_db(text)
    except ChannelError as err:
        raise SemcomError(f"{where}: snr_db: {err}") from None


def parse_experiment(text: str, file: str = "<experiment>") -> ExperimentConfig:
    """Parse and validate the TOML ``text`` of an experiment file."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise _fail(file, f"not valid TOML: {err}") from None
    pop_kind(raw, "sweep", file)
    for key in raw:
        if key not in TOP_KEYS:
            raise _fail(file, f"unknown key {key!r}; allowed: {', '.join(TOP_KEYS)}")
    plugins = _load_plugins(raw.get("plugins", []), file)
    name = raw.get("name") or Path(file).stem
    if not isinstance(name, str) or not name.replace("-", "").replace("_", "").isalnum():
        raise _fail(file, f"name = {name!r} must be letters, digits, '-' or '_'")
    data = _typed_table(DataConfig, raw.get("data", {}), "data", file)
    metrics = _typed_table(MetricsConfig, raw.get("metrics", {}), "metrics", file)
    _check_data(data, file)
    defaults_raw = raw.get("defaults", {})
    if not isinstance(defaults_raw, dict):
        raise _fail(file, "[defaults] must be a table")
    defaults = {}
    for key, value in defaults_raw.items():
        values = _axis_values(key, value, f"{file} [defaults]")
        if len(values) != 1:
            raise _fail(file, f"[defaults] {key} takes one value, got {len(values)}; sweep a list in a [[grid]] table")
        (defaults[key],) = values
    grids_raw = raw.get("grid")
    if not grids_raw:
        raise _fail(file, "empty grid: add at least one [[grid]] table with axes to sweep")
    if isinstance(grids_raw, dict):
        grids_raw = [grids_raw]
    if not isinstance(grids_raw, list):
        raise _fail(file, f"grid = {grids_raw!r}: write each grid as a [[grid]] table of axes")
    grids = []
    for i, table in enumerate(grids_raw):
        where = f"{file} [[grid]] #{i + 1}"
        if not isinstance(table, dict) or not table:
            raise SemcomError(f"{where}: empty grid table")
        grids.append({key: _axis_values(key, value, where) for key, value in table.items()})
    return ExperimentConfig(
        name=name, data=data, metrics=metrics, grids=tuple(grids), defaults=defaults,
        description=str(raw.get("description", "")), source_text=text, plugins=plugins,
    )


def _load_plugins(raw: object, file: str) -> tuple[str, ...]:
    """Import the plugin files (relative to the experiment file) or modules, so that the channels
    they register are known before the grid is checked."""
    from semcom.plugins import load_plugin

    if not isinstance(raw, list) or not all(isinstance(p, str) and p for p in raw):
        raise _fail(file, f"plugins = {raw!r} must be a list of .py paths or module names")
    base = Path(file).parent if not file.startswith("<") else None
    for spec in raw:
        try:
            load_plugin(spec, base)
        except SemcomError as err:
            raise _fail(file, str(err)) from None
    return tuple(raw)


def _check_data(data: DataConfig, file: str) -> None:
    from semcom.data import dataset_info

    try:
        info = dataset_info(data.dataset)
        info.check_split(data.split)
        info.check_size(data.size)
    except SemcomError as err:
        raise _fail(file, f"[data] {err}") from None
    if data.n_objects < 1 or data.batch_size < 1:
        raise _fail(file, "[data] n_objects and batch_size must be >= 1")


def load_experiment(path: str | Path) -> ExperimentConfig:
    """Read and validate an experiment file (one-line SemcomError on any problem)."""
    path = Path(path)
    if not path.is_file():
        raise SemcomError(f"experiment file {path} not found")
    try:
        text = path.read_text()
    except UnicodeDecodeError:
        raise SemcomError(f"experiment file {path} is not a text (UTF-8) TOML file") from None
    return parse_experiment(text, str(path))
