"""Where semcom keeps what it builds or fetches.

The cache root is ``$SEMCOM_CACHE`` if set, else ``$XDG_CACHE_HOME/semcom``, else
``~/.cache/semcom``. Sub-folders: ``assets/`` (fetched weights and data), ``datasets/`` (built
dataset arrays keyed by a content hash), ``channels/`` (BLER tables). The helpers live in
:mod:`channels.files` (the physical layer stands on its own) and are the same functions here.
"""

from __future__ import annotations

from channels.files import CACHE_ENV, atomic_write_bytes, cache_dir, cache_root

__all__ = ["CACHE_ENV", "atomic_write_bytes", "cache_dir", "cache_root"]
