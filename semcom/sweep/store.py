"""The results folder of a sweep: ``results.csv`` (one tidy row per cell, written atomically),
a copy of the experiment file and the environment the rows were made in."""

from __future__ import annotations

import csv
import io
import json
import os
import platform
import subprocess
from pathlib import Path

from semcom.errors import SemcomError
from semcom.paths import atomic_write_bytes

#: Column order of results.csv (further measured columns follow in the order they appear).
COLUMNS: tuple[str, ...] = (
    "cell_id", "scheme", "channel", "snr_db", "views_sent", "view_policy", "bits_per_value",
    "transmission", "codec", "quality", "mcs", "link_mode", "imputer", "sampler", "steps", "guidance", "nfe",
    "channel_uses_per_object", "bandwidth_ratio", "bits_per_object", "view_loss_rate", "ber",
    "psnr", "ssim", "lpips", "psnr_fg", "delta_e", "fid", "fd_clf", "coherence", "n_objects", "seed", "dataset",
    "wall_s",
)


def environment() -> dict[str, str]:
    """Versions, machine and git commit, recorded beside the results."""
    from importlib import metadata

    versions = {}
    for package in ("semcom", "torch", "sionna-no-rt", "numpy", "scipy", "pandas", "pillow", "ray"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                                cwd=Path(__file__).parent, timeout=10).stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        commit = "unknown"
    return {
        "python": platform.python_version(), "platform": platform.platform(),
        "cpu_count": str(os.cpu_count()), "git_commit": commit, **versions,
    }


class ResultsStore:
    """``folder/results.csv`` plus ``experiment.toml`` and ``environment.json``.

    Each :meth:`append` rewrites the CSV through a temporary file and a rename, so a killed
    sweep leaves either the old or the new table, never half a row.
    """

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.csv_path = self.folder / "results.csv"
        self._rows: list[dict[str, object]] = self._read()

    def _read(self) -> list[dict[str, object]]:
        if not self.csv_path.is_file():
            return []
        with open(self.csv_path, newline="") as fh:
            return list(csv.DictReader(fh))

    @property
    def rows(self) -> list[dict[str, object]]:
        return list(self._rows)

    def done_ids(self) -> set[str]:
        return {str(r["cell_id"]) for r in self._rows}

    def prepare(self, experiment_text: str, *, resume: bool, overwrite: bool) -> None:
        """Check the folder fits this run and write the experiment copy and environment."""
        copy = self.folder / "experiment.toml"
        if self._rows and not (resume or overwrite):
            raise SemcomError(
                f"{self.csv_path} already has {len(self._rows)} rows; pass --resume to continue "
                "or --overwrite to start again"
            )
        if self._rows and resume and copy.is_file() and copy.read_text() != experiment_text:
            raise SemcomError(
                f"the experiment file changed since {self.csv_path} was written; "
                "use --overwrite or another name"
            )
        if overwrite:
            self._rows = []
            self.csv_path.unlink(missing_ok=True)
            for stale in (self.folder / "examples").glob("*.png"):  # the old run's pictures
                stale.unlink()
        self.folder.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(copy, experiment_text.encode())
        atomic_write_bytes(self.folder / "environment.json", json.dumps(environment(), indent=2).encode())

    def append(self, row: dict[str, object]) -> None:
        """Add one row and rewrite the CSV atomically."""
        if str(row["cell_id"]) in self.done_ids():
            raise SemcomError(f"cell {row['cell_id']} already has a row in {self.csv_path}")
        self._rows.append(row)
        columns = list(COLUMNS) + sorted({k for r in self._rows for k in r} - set(COLUMNS))
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="raise", lineterminator="\n")
        writer.writeheader()
        for r in self._rows:
            writer.writerow({k: _format(r.get(k)) for k in columns})
        atomic_write_bytes(self.csv_path, buffer.getvalue().encode())


def _format(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return value
