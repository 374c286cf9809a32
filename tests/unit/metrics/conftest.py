"""Fixtures of the metrics tests: the LPIPS reference images (the empty asset cache is in tests/conftest.py)."""

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
