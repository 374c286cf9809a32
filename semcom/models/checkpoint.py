"""Checkpoints as safetensors (tensors) + JSON (kind, typed config, metadata); never pickles.

A checkpoint ``name`` is the pair ``name.safetensors`` and ``name.json``; the JSON holds
``{"format": 1, "kind": ..., "config": {...}, "meta": {...}}``. Model-specific helpers build
the module from its config and check that an autoencoder fits a dataset (views, channels,
image size) with a one-line :class:`~semcom.errors.SemcomError` otherwise.

Every file is validated before use: :func:`read_tensor_file` checks the safetensors layout
(a truncated file, random bytes, a pickle or a ``torch.save`` archive renamed to .safetensors
are named as such; nothing is ever unpickled), :func:`load_checkpoint` the JSON header, and
:func:`load_module_state` the tensor names and shapes against the module the config builds,
so a damaged or mismatched checkpoint is one line naming the file and the problem.
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load as load_safetensors
from safetensors.torch import save as save_safetensors

from semcom.errors import SemcomError
from semcom.models.autoencoder import AutoencoderConfig, LatentStats, MultiViewAutoencoder
from semcom.models.jscc import DeepJSCC, JSCCConfig
from semcom.models.score_net import ScoreNet, ScoreNetConfig, build_score_net
from semcom.models.train_config import config_from_mapping
from semcom.paths import atomic_write_bytes

FORMAT = 1
HALF_DTYPES = (torch.float16, torch.bfloat16)  # stored half precision, loaded as float32


def checkpoint_paths(path: str | Path) -> tuple[Path, Path]:
    """(tensors file, JSON file) of checkpoint ``path`` (with or without a suffix)."""
    path = Path(path)
    stem = path.with_suffix("") if path.suffix in (".safetensors", ".json") else path
    return stem.with_name(stem.name + ".safetensors"), stem.with_name(stem.name + ".json")


def save_checkpoint(
    path: str | Path,
    kind: str,
    tensors: dict[str, torch.Tensor],
    config: dict[str, Any],
    meta: dict[str, Any] | None = None,
) -> Path:
    """Write ``path.safetensors`` and ``path.json`` atomically; returns the tensors file."""
    tensor_file, json_file = checkpoint_paths(path)
    flat = {k: v.detach().cpu().contiguous() for k, v in tensors.items()}
    header = {"format": FORMAT, "kind": kind, "config": config, "meta": meta or {}}
    atomic_write_bytes(tensor_file, save_safetensors(flat))
    atomic_write_bytes(json_file, (json.dumps(header, indent=2, sort_keys=True) + "\n").encode())
    return tensor_file


#: bytes per element of the safetensors dtypes
_DTYPE_BYTES = {
    "BOOL": 1, "U8": 1, "I8": 1, "F8_E4M3": 1, "F8_E5M2": 1, "I16": 2, "U16": 2, "F16": 2,
    "BF16": 2, "I32": 4, "U32": 4, "F32": 4, "I64": 8, "U64": 8, "F64": 8,
}
_MAX_HEADER = 100_000_000  # safetensors' own limit on the JSON header
_NEVER_UNPICKLED = "semcom never unpickles checkpoints; save a state_dict with safetensors"


def safetensors_problem(data: bytes) -> str | None:
    """What is wrong with ``data`` as a safetensors file (a phrase), None if its layout is sound.

    Checks the length prefix, the JSON header and that the tensors' byte ranges fit their
    dtypes and shapes and cover the data exactly; recognises pickles and zip archives (what
    ``torch.save`` writes) without reading them."""
    if not data:
        return "is empty"
    if data[:1] == b"\x80" and data[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        return f"is a pickle, not a safetensors file ({_NEVER_UNPICKLED})"
    if data[:4] == b"PK\x03\x04":
        return f"is a zip archive (torch.save?), not a safetensors file ({_NEVER_UNPICKLED})"
    if len(data) < 8:
        return f"is too short for a safetensors file ({len(data)} bytes; truncated?)"
    size = int.from_bytes(data[:8], "little")
    if data[8:9] != b"{" or size < 2 or size > _MAX_HEADER:
        return "is not a safetensors file (no JSON header after the length prefix)"
    if 8 + size > len(data):
        return (f"is truncated: its header needs {size} bytes, {len(data) - 8} follow the length "
                "prefix")
    try:
        header = json.loads(data[8 : 8 + size])
    except (UnicodeDecodeError, json.JSONDecodeError):
        return "is not a safetensors file (its header is not valid JSON)"
    if not isinstance(header, dict):
        return "is not a safetensors file (its header is not a JSON object)"
    end = 0
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        try:
            dtype, shape, (begin, stop) = entry["dtype"], entry["shape"], entry["data_offsets"]
            ok = (isinstance(begin, int) and isinstance(stop, int) and 0 <= begin <= stop
                  and all(isinstance(d, int) and d >= 0 for d in shape))
        except (TypeError, KeyError, ValueError):
            ok = False
        if not ok:
            return f"is damaged: the header entry of tensor {name!r} is malformed"
        if dtype not in _DTYPE_BYTES:
            return (f"holds tensor {name!r} of unsupported dtype {dtype!r}; allowed: "
                    + ", ".join(_DTYPE_BYTES))
        if stop - begin != math.prod(shape) * _DTYPE_BYTES[dtype]:
            return f"is damaged: tensor {name!r} has {stop - begin} bytes for shape {shape} {dtype}"
        end = max(end, stop)
    body = len(data) - 8 - size
    if end > body:
        return f"is truncated: its tensors need {end} bytes of data, the file holds {body}"
    if end < body:
        return f"is damaged: its tensors cover {end} bytes of data, the file holds {body}"
    return None


def read_tensor_file(path: str | Path) -> dict[str, torch.Tensor]:
    """The tensors of the safetensors file ``path``, validated first (:func:`safetensors_problem`):
    a one-line :class:`SemcomError` naming the file and the problem otherwise."""
    path = Path(path)
    if not path.is_file():
        raise SemcomError(f"checkpoint file {path} not found")
    try:
        data = path.read_bytes()
    except OSError as err:
        raise SemcomError(f"checkpoint file {path} cannot be read: {err.strerror or err}") from None
    problem = safetensors_problem(data)
    if problem is None:
        try:
            return load_safetensors(data)
        except SafetensorError as err:  # a layout the check above does not know (overlaps)
            problem = f"is not a valid safetensors file ({' '.join(str(err).split())})"
    raise SemcomError(f"checkpoint file {path} {problem}")


def load_checkpoint(
    path: str | Path, kind: str | None = None
) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """Read a checkpoint: (tensors, header). Checks both files exist and are sound (see
    :func:`read_tensor_file`), the header's format and fields, and that the kind matches."""
    tensor_file, json_file = checkpoint_paths(path)
    for f in (tensor_file, json_file):
        if not f.is_file():
            raise SemcomError(f"checkpoint file {f} not found")
    header = _read_header(json_file)
    if kind is not None and header["kind"] != kind:
        raise SemcomError(f"checkpoint {json_file} holds a {header['kind']!r}, not a {kind!r}")
    tensors = read_tensor_file(tensor_file)
    # weights stored in half precision (export_checkpoint) compute in float32
    return {k: v.float() if v.dtype in HALF_DTYPES else v for k, v in tensors.items()}, header


def _read_header(json_file: Path) -> dict[str, Any]:
    """The checked JSON of a checkpoint: format, kind (str), config and meta (objects)."""
    try:
        header = json.loads(json_file.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise SemcomError(f"checkpoint config {json_file} is not valid JSON (not UTF-8 text)") from None
    except json.JSONDecodeError as err:
        raise SemcomError(f"checkpoint config {json_file} is not valid JSON: {err}") from None
    except OSError as err:
        raise SemcomError(f"checkpoint config {json_file} cannot be read: {err.strerror or err}") from None
    if not isinstance(header, dict):
        raise SemcomError(f"checkpoint config {json_file} is not a JSON object")
    if header.get("format") != FORMAT:
        raise SemcomError(
            f"checkpoint {json_file} has format {header.get('format')!r}; expected {FORMAT}"
        )
    header.setdefault("meta", {})
    for key, cls in (("kind", str), ("config", dict), ("meta", dict)):
        if not isinstance(header.get(key), cls):
            what = "a string" if cls is str else "an object"
            got = repr(header.get(key))
            raise SemcomError(f"checkpoint {json_file}: {key!r} must be {what}, got "
                              + (got if len(got) <= 60 else got[:57] + "..."))
    return header


def state_problems(
    module: torch.nn.Module, tensors: dict[str, torch.Tensor], prefix: str
) -> list[str]:
    """How the ``prefix``-ed tensors differ from ``module``'s state_dict (names, shapes, float
    or not); empty when :meth:`~torch.nn.Module.load_state_dict` will take them."""
    expected = {prefix + k: v for k, v in module.state_dict().items()}
    given = {k: v for k, v in tensors.items() if k.startswith(prefix)}
    problems = []
    missing = [k for k in expected if k not in given]
    if missing:
        problems.append(f"missing tensors {_some(missing)}")
    unexpected = [k for k in given if k not in expected]
    if unexpected:
        problems.append(f"unexpected tensors {_some(unexpected)}")
    for name, want in expected.items():
        have = given.get(name)
        if have is None:
            continue
        if tuple(have.shape) != tuple(want.shape):
            problems.append(f"{name} has shape {list(have.shape)}, expected {list(want.shape)}")
        elif have.is_floating_point() != want.is_floating_point():
            problems.append(f"{name} is {str(have.dtype).removeprefix('torch.')}, expected "
                            f"{str(want.dtype).removeprefix('torch.')}")
    return problems


def _some(names: list[str], shown: int = 4) -> str:
    more = f" (+{len(names) - shown} more)" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def load_module_state(
    module: torch.nn.Module, tensors: dict[str, torch.Tensor], prefix: str, where: str,
    *, others: tuple[str, ...] = (),
) -> None:
    """Load the ``prefix``-ed tensors into ``module`` (strict) after checking their names and
    shapes (:func:`state_problems`); tensors outside ``prefix`` must be named in ``others``.
    A one-line :class:`SemcomError` naming ``where`` and the differences otherwise."""
    problems = state_problems(module, tensors, prefix)
    stray = [k for k in tensors if not k.startswith(prefix) and k not in others]
    if stray:
        problems.append(f"unexpected tensors {_some(stray)}")
    if problems:
        raise SemcomError(f"checkpoint {where} does not match its config: {'; '.join(problems)}")
    module.load_state_dict({k[len(prefix) :]: v for k, v in tensors.items() if k.startswith(prefix)})


# -- autoencoder -----------------------------------------------------------------------------------
def save_autoencoder(
    path: str | Path,
    autoencoder: MultiViewAutoencoder,
    stats: LatentStats | None,
    meta: dict | None = None,
) -> Path:
    """Save weights (``model.*``) and latent statistics (``stats.mean``/``stats.std`` [V, D])."""
    tensors = {f"model.{k}": v for k, v in autoencoder.state_dict().items()}
    if stats is not None:
        tensors["stats.mean"], tensors["stats.std"] = stats.mean, stats.std
    return save_checkpoint(
        path, "autoencoder", tensors, dataclasses.asdict(autoencoder.config), meta
    )


def load_autoencoder(
    path: str | Path,
    *,
    views: int | None = None,
    channels: int | None = None,
    image_size: int | None = None,
    dataset: str = "the dataset",
    require_stats: bool = False,
) -> tuple[MultiViewAutoencoder, LatentStats | None, dict[str, Any]]:
    """Load (autoencoder in eval mode, latent stats or None, meta), checking it fits the data;
    require_stats: a one-line error if the checkpoint has no latent statistics."""
    tensors, header = load_checkpoint(path, kind="autoencoder")
    config = config_from_mapping(
        AutoencoderConfig, header["config"], f"autoencoder checkpoint {path}"
    )
    check_fits(
        config, views=views, channels=channels, image_size=image_size, dataset=dataset, path=path
    )
    model, stats = _autoencoder_from(path, tensors, header, config)
    if stats is None and require_stats:
        raise SemcomError(f"autoencoder checkpoint {path} has no latent statistics")
    return model.eval(), stats, header["meta"]


STATS_KEYS = ("stats.mean", "stats.std")


def _autoencoder_from(
    path: str | Path, tensors: dict[str, torch.Tensor], header: dict[str, Any],
    config: AutoencoderConfig | None = None,
) -> tuple[MultiViewAutoencoder, LatentStats | None]:
    """The autoencoder and latent statistics of a loaded checkpoint, both checked."""
    if config is None:
        config = config_from_mapping(
            AutoencoderConfig, header["config"], f"autoencoder checkpoint {path}"
        )
    tensor_file = checkpoint_paths(path)[0]
    model = MultiViewAutoencoder(config)
    load_module_state(model, tensors, "model.", str(tensor_file), others=STATS_KEYS)
    present = [k for k in STATS_KEYS if k in tensors]
    if not present:
        return model, None
    want = [config.views, config.latent_dim]
    problems = [f"missing tensors {k}" for k in STATS_KEYS if k not in tensors]
    problems += [f"{k} has shape {list(tensors[k].shape)}, expected {want}" for k in present
                 if list(tensors[k].shape) != want]
    problems += [f"{k} is {str(tensors[k].dtype).removeprefix('torch.')}, expected float32"
                 for k in present if not tensors[k].is_floating_point()]
    if problems:
        raise SemcomError(
            f"checkpoint {tensor_file} does not match its config: {'; '.join(problems)}"
        )
    return model, LatentStats(mean=tensors["stats.mean"], std=tensors["stats.std"])


def check_fits(
    config: AutoencoderConfig,
    *,
    views: int | None,
    channels: int | None,
    image_size: int | None,
    dataset: str = "the dataset",
    path: str | Path = "",
) -> None:
    """Raise a one-line SemcomError if the checkpoint's views/channels/image size differ."""
    want = {"views": views, "channels": channels, "image size": image_size}
    have = {"views": config.views, "channels": config.channels, "image size": config.image_size}
    bad = [k for k, v in want.items() if v is not None and v != have[k]]
    if bad:
        got = ", ".join(f"{k} {have[k]}" for k in bad)
        need = ", ".join(f"{k} {want[k]}" for k in bad)
        raise SemcomError(
            f"checkpoint {path} does not fit {dataset}: it was trained for {got}, the data has "
            f"{need} (train one with `semcom train autoencoder` or pick a matching --size)"
        )


# -- score network ---------------------------------------------------------------------------------
def save_score_net(path: str | Path, net: ScoreNet, meta: dict | None = None) -> Path:
    """Save the (EMA) score network's weights (``model.*``) and config."""
    tensors = {f"model.{k}": v for k, v in net.state_dict().items()}
    return save_checkpoint(path, "score_net", tensors, dataclasses.asdict(net.config), meta)


def load_score_net(
    path: str | Path, *, views: int | None = None, latent_dim: int | None = None
) -> tuple[ScoreNet, dict[str, Any]]:
    """Load (score net in eval mode, meta), checking V and D against the autoencoder's."""
    tensors, header = load_checkpoint(path, kind="score_net")
    config = config_from_mapping(ScoreNetConfig, header["config"], f"score net checkpoint {path}")
    for name, want, have in (
        ("views", views, config.views),
        ("latent_dim", latent_dim, config.latent_dim),
    ):
        if want is not None and want != have:
            raise SemcomError(
                f"score net checkpoint {path} was trained for {name} {have}, but the autoencoder "
                f"gives {name} {want}"
            )
    return _score_net_from(path, tensors, header, config).eval(), header["meta"]


def _score_net_from(
    path: str | Path, tensors: dict[str, torch.Tensor], header: dict[str, Any],
    config: ScoreNetConfig | None = None,
) -> ScoreNet:
    if config is None:
        config = config_from_mapping(ScoreNetConfig, header["config"], f"score net checkpoint {path}")
    net = build_score_net(config)
    load_module_state(net, tensors, "model.", str(checkpoint_paths(path)[0]))
    return net


# -- DeepJSCC --------------------------------------------------------------------------------------
def save_jscc(path: str | Path, model: DeepJSCC, meta: dict | None = None) -> Path:
    """Save a DeepJSCC's weights (``model.*``) and config."""
    tensors = {f"model.{k}": v for k, v in model.state_dict().items()}
    return save_checkpoint(path, "jscc", tensors, dataclasses.asdict(model.config), meta)


def load_jscc(path: str | Path, *, channels: int | None = None,
              image_size: int | None = None) -> tuple[DeepJSCC, dict[str, Any]]:
    """Load (DeepJSCC in eval mode, meta), checking it fits views of ``channels`` x ``image_size``."""
    tensors, header = load_checkpoint(path, kind="jscc")
    model = _jscc_from(path, tensors, header)
    for name, want, have in (("channels", channels, model.config.channels),
                             ("image size", image_size, model.config.image_size)):
        if want is not None and want != have:
            raise SemcomError(f"jscc checkpoint {path} was trained for {name} {have}, the data has {want}")
    return model.eval(), header["meta"]


def _jscc_from(path: str | Path, tensors: dict[str, torch.Tensor], header: dict[str, Any]) -> DeepJSCC:
    model = DeepJSCC(config_from_mapping(JSCCConfig, header["config"], f"jscc checkpoint {path}"))
    load_module_state(model, tensors, "model.", str(checkpoint_paths(path)[0]))
    return model


# -- optimiser state (for resumable training) ------------------------------------------------------
def optimizer_to_tensors(optimizer: torch.optim.Optimizer) -> tuple[dict[str, torch.Tensor], dict]:
    """Split an optimiser state_dict into tensors (``optim.<param>.<key>``) and JSON data."""
    state = optimizer.state_dict()
    tensors: dict[str, torch.Tensor] = {}
    scalars: dict[str, dict[str, Any]] = {}
    for idx, entry in state["state"].items():
        for key, value in entry.items():
            if isinstance(value, torch.Tensor):
                tensors[f"optim.{idx}.{key}"] = value
            else:
                scalars.setdefault(str(idx), {})[key] = value
    return tensors, {"param_groups": state["param_groups"], "scalars": scalars}


def optimizer_from_tensors(
    optimizer: torch.optim.Optimizer, tensors: dict[str, torch.Tensor], data: dict
) -> None:
    """Inverse of :func:`optimizer_to_tensors`: load the state into ``optimizer``."""
    state: dict[int, dict[str, Any]] = {}
    for name, value in tensors.items():
        if name.startswith("optim."):
            _, idx, key = name.split(".", 2)
            state.setdefault(int(idx), {})[key] = value
    for idx, entry in data.get("scalars", {}).items():
        state.setdefault(int(idx), {}).update(entry)
    # JSON turned tuples (Adam's betas) into lists; 'params' is a list of indices
    groups = [
        {k: tuple(v) if isinstance(v, list) and k != "params" else v for k, v in group.items()}
        for group in data["param_groups"]
    ]
    optimizer.load_state_dict({"state": state, "param_groups": groups})
