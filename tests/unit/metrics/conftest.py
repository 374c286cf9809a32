"""Fixtures of the metrics tests: the LPIPS reference images and an empty asset cache."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]

#: folder of the official LPIPS example images; CI clones the repository with ../shared beside it
LPIPS_REFERENCE_ENV = "SEMCOM_LPIPS_REFERENCE"


@pytest.fixture(scope="session")
def lpips_reference_dir() -> Path:
    """Folder of the official LPIPS example images (may not exist)."""
    override = os.environ.get(LPIPS_REFERENCE_ENV)
    return Path(override) if override else REPO_ROOT.parent / "shared" / "reference" / "lpips"


@pytest.fixture()
def empty_cache(isolated_cache):
    """An empty cache (every asset missing), with the loaded-TorchScript memo cleared."""
    from semcom.metrics import inception

    inception._load_torchscript.cache_clear()
    yield isolated_cache
    inception._load_torchscript.cache_clear()
