"""Where the physical layer keeps what it simulates (its BLER tables), and atomic writes.

The cache root is ``$SEMCOM_CACHE`` if set, else ``$XDG_CACHE_HOME/semcom``, else
``~/.cache/semcom`` (shared with the rest of semcom, which re-exports these helpers from
:mod:`semcom.paths`).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

CACHE_ENV = "SEMCOM_CACHE"


def cache_root() -> Path:
    """The cache root folder (not created)."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "semcom"


def cache_dir(*parts: str) -> Path:
    """A sub-folder of the cache root, created if missing."""
    path = cache_root().joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename (never half-written)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
