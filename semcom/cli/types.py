"""Option types that cannot take an invalid value: the command line refuses a bad value before
any work starts, as one line naming the option and what is allowed (click's usage errors,
exit code 2).

* :class:`OutputFile`: a file to write, with one of the allowed extensions, in a folder that
  exists (or can be made) and is writable, and not an existing folder
* :class:`OutputFolder`: a folder to write into (not an existing file; writable)
* :class:`FiniteFloat`: a finite number, optionally in a range
* :data:`COUNT`: an integer >= 1; :data:`SEED`: an integer in [0, 2^63 - 1]
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import click

COUNT = click.IntRange(min=1)
SEED = click.IntRange(min=0, max=2**63 - 1)


def _writable_base(path: Path) -> Path | None:
    """The nearest existing ancestor of ``path``, if it is a writable folder (else None)."""
    for parent in (path.absolute(), *path.absolute().parents):
        if parent.exists():
            return parent if parent.is_dir() and os.access(parent, os.W_OK | os.X_OK) else None
    return None


class OutputFile(click.ParamType):
    """A file path to write; ``extensions`` such as ``(".csv",)`` (case-insensitive)."""

    name = "file"

    def __init__(self, *extensions: str) -> None:
        self.extensions = tuple(e.lower() for e in extensions)

    def convert(self, value, param, ctx) -> Path:
        path = Path(value).expanduser()
        if self.extensions and path.suffix.lower() not in self.extensions:
            self.fail(f"{value}: unsupported file type {path.suffix or '(none)'!r}; allowed: "
                      f"{', '.join(self.extensions)}", param, ctx)
        if path.is_dir():
            self.fail(f"{value} is a folder; give a file name", param, ctx)
        if path.exists() and not os.access(path, os.W_OK):
            self.fail(f"{value} is not writable", param, ctx)
        if _writable_base(path.parent) is None:
            self.fail(f"cannot write into {path.parent}: not a writable folder", param, ctx)
        return path


class OutputFolder(click.ParamType):
    """A folder to write into (made if missing)."""

    name = "folder"

    def convert(self, value, param, ctx) -> Path:
        path = Path(value).expanduser()
        if path.exists() and not path.is_dir():
            self.fail(f"{value} is a file; give a folder", param, ctx)
        if _writable_base(path) is None:
            self.fail(f"cannot write into {value}: not a writable folder", param, ctx)
        return path


class FiniteFloat(click.ParamType):
    """A finite float in [``low``, ``high``] (either bound optional)."""

    name = "number"

    def __init__(self, low: float | None = None, high: float | None = None) -> None:
        self.low, self.high = low, high

    def convert(self, value, param, ctx) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number", param, ctx)
        low = -math.inf if self.low is None else self.low
        high = math.inf if self.high is None else self.high
        if not math.isfinite(number) or not low <= number <= high:
            self.fail(f"{value!r}: allowed: a finite number in [{low}, {high}]", param, ctx)
        return number
