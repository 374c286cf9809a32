"""Shared fixtures of the metrics tests: asset presence and the LPIPS reference images."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from semcom.errors import AssetMissingError

REPO_ROOT = Path(__file__).resolve().parents[3]

#: folder of the official LPIPS example images; CI clones the repository with ../shared beside it
LPIPS_REFERENCE_ENV = "SEMCOM_LPIPS_REFERENCE"


@pytest.fixture(scope="session")
def lpips_reference_dir() -> Path:
    """Folder of the official LPIPS example images (may not exist)."""
    override = os.environ.get(LPIPS_REFERENCE_ENV)
    return Path(override) if override else REPO_ROOT.parent / "shared" / "reference" / "lpips"


def _require_asset(name: str) -> Path:
    from semcom.assets import asset_path

    try:
        return asset_path(name)
    except AssetMissingError as err:
        pytest.skip(str(err))


@pytest.fixture(scope="session")
def require_asset():
    """require_asset(name): path of a fetched asset, or skip (assets: `semcom assets fetch`)."""
    return _require_asset


@pytest.fixture()
def empty_cache(tmp_path, monkeypatch):
    """SEMCOM_CACHE pointing at an empty folder: every asset is missing."""
    monkeypatch.setenv("SEMCOM_CACHE", str(tmp_path / "empty-cache"))
    from semcom.metrics import inception

    inception._load_torchscript.cache_clear()
    return tmp_path / "empty-cache"
