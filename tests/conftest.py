"""Shared fixtures: an isolated cache folder and a skip for tests that need fetched assets;
the folder of shipped experiment configs."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

# Small tensors and two pytest-xdist workers on two cores: one intra-op thread per worker is
# fastest (LDPC decoding and the samplers ran 5-10x slower with two threads each).
torch.set_num_threads(1)

#: the repository's experiments/ folder (shipped training and experiment configs)
EXPERIMENTS_DIR = Path(__file__).resolve().parents[1] / "experiments"


@pytest.fixture
def isolated_cache(tmp_path, monkeypatch):
    """Point $SEMCOM_CACHE at an empty temporary folder for this test."""
    monkeypatch.setenv("SEMCOM_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def require_asset():
    """Call with an asset name; skips the test if `semcom assets fetch` has not provided it."""
    from semcom.errors import AssetMissingError

    def need(name: str):
        from semcom.assets import asset_path

        try:
            return asset_path(name)
        except AssetMissingError as err:
            pytest.skip(str(err))

    return need


@pytest.fixture()
def empty_cache(isolated_cache):
    """An empty cache (every asset missing), with the loaded-TorchScript memo cleared."""
    from semcom.metrics import inception

    inception._load_torchscript.cache_clear()
    yield isolated_cache
    inception._load_torchscript.cache_clear()
