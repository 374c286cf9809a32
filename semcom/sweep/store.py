"""The results folder of a sweep: ``results.csv`` (one tidy row per cell, written atomically),
a copy of the experiment file and the environment the rows were made in.

Every write of the table replaces it whole through a temporary file and a rename, so a killed
sweep leaves either the old or the new table. ``--resume`` reads the table back through
:func:`read_results`, which refuses a file that is not a results table and sets aside rows
that are incomplete (cut short, or a last line without its newline) so their cells run again.
``--overwrite`` leaves the old table, experiment copy and example pictures as they are until the
new run has its first row: a run that fails before (a bad data set, a missing model) loses
nothing.
"""

from __future__ import annotations

import csv
import io
import json
import os
import platform
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from semcom.errors import SemcomError
from semcom.paths import atomic_write_bytes

#: Column order of results.csv (further measured columns follow in the order they appear).
COLUMNS: tuple[str, ...] = (
    "cell_id", "scheme", "channel", "snr_db", "views_sent", "view_policy", "bits_per_value",
    "transmission", "jscc_symbols", "codec", "quality", "mcs", "mcs_used", "harq", "harq_fading", "harq_combining", "link_mode", "imputer", "sampler", "steps", "guidance", "nfe",
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


#: Columns a results table must have to be resumed (present since the first version).
KEY_COLUMNS: tuple[str, ...] = ("cell_id", "scheme", "channel", "snr_db", "views_sent", "dataset")
_CELL_ID = re.compile(r"[0-9a-f]{12}")


@dataclass
class ResultsTable:
    """A results table read back: its columns, its complete rows (file order) and, for each
    row set aside as incomplete, a note naming its line."""

    columns: list[str] = field(default_factory=list)
    rows: list[dict[str, object]] = field(default_factory=list)
    incomplete: list[str] = field(default_factory=list)


def read_results(path: Path) -> ResultsTable:
    """Read and check ``path`` (a results.csv); an empty table if it is absent or empty.

    A file that is not a results table (binary, not CSV, without the :data:`KEY_COLUMNS`, with
    duplicate column names, or two rows of one cell) is a one-line :class:`SemcomError`. A row
    with fewer or more values than columns, without a valid cell id, or a last line without its
    newline (the file was cut there) is not returned but noted in ``incomplete``."""
    path = Path(path)
    if not path.exists():
        return ResultsTable()
    if not path.is_file():
        raise SemcomError(f"{path} is not a file; move it away or pick another --out")
    not_table = f"{path} is not a results table"
    fix = "pass --overwrite to replace it, or move it away"
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise SemcomError(f"{not_table} (not UTF-8 text); {fix}") from None
    except OSError as err:
        raise SemcomError(f"{path} cannot be read: {err.strerror or err}") from None
    if not text.strip():
        return ResultsTable()
    if "\x00" in text:
        raise SemcomError(f"{not_table} (binary data); {fix}")
    reader, records = csv.reader(io.StringIO(text)), []
    try:
        for fields in reader:
            if fields:  # blank lines carry nothing
                records.append((reader.line_num, fields))
    except csv.Error as err:
        raise SemcomError(f"{not_table} (CSV: {err}); {fix}") from None
    (_, header), records = records[0], records[1:]
    missing = [c for c in KEY_COLUMNS if c not in header]
    if missing:
        raise SemcomError(
            f"{not_table}: no column {', '.join(missing)} (its columns: {_some(header)}); {fix}"
        )
    doubled = sorted({c for c in header if header.count(c) > 1 or not c})
    if doubled:
        raise SemcomError(f"{not_table}: column(s) {', '.join(map(repr, doubled))} "
                          f"appear twice or are unnamed; {fix}")
    table = ResultsTable(columns=list(header))
    cut_short = not text.endswith("\n")
    first_line: dict[str, int] = {}
    for index, (line, fields) in enumerate(records):
        row = dict(zip(header, fields))
        cid = str(row.get("cell_id", ""))
        if index == len(records) - 1 and cut_short:
            problem = "ends without a newline (the file was cut there)"
        elif len(fields) != len(header):
            problem = f"has {len(fields)} of {len(header)} values"
        elif not _CELL_ID.fullmatch(cid):
            problem = f"has no valid cell id ({cid!r})"
        else:
            if cid in first_line:
                raise SemcomError(f"{path}: cell {cid} has two rows (lines {first_line[cid]} and "
                                  f"{line}); remove one, or {fix}")
            first_line[cid] = line
            table.rows.append(row)
            continue
        table.incomplete.append(f"line {line}" + (f" (cell {cid})" if _CELL_ID.fullmatch(cid) else "")
                                + f" {problem}")
    return table


def _some(names: list[str], shown: int = 6) -> str:
    more = f", ... ({len(names)} in all)" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


class ResultsStore:
    """``folder/results.csv`` plus ``experiment.toml`` and ``environment.json``.

    Each :meth:`append` rewrites the CSV through a temporary file and a rename, so a killed
    sweep leaves either the old or the new table, never half a row. With ``overwrite`` the old
    table, experiment copy and example pictures stay until the first new row is appended; the
    new run's pictures go to :attr:`examples_dir` (a staging folder until then).
    """

    STAGING = ".examples.new"

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.csv_path = self.folder / "results.csv"
        self._rows: list[dict[str, object]] = []
        self._replace: str | None = None  # experiment text of an --overwrite run not yet begun
        #: what the last :meth:`prepare` noticed but went on with (incomplete rows set aside)
        self.warnings: list[str] = []

    @property
    def rows(self) -> list[dict[str, object]]:
        return list(self._rows)

    @property
    def examples_dir(self) -> Path:
        """Where the run's example pictures go now (staging until an overwrite has its first row)."""
        return self.folder / (self.STAGING if self._replace is not None else "examples")

    def done_ids(self) -> set[str]:
        return {str(r["cell_id"]) for r in self._rows}

    def prepare(self, experiment_text: str, *, resume: bool, overwrite: bool) -> None:
        """Check the folder fits this run and write the experiment copy and environment
        (with ``overwrite``: check only; they are written with the first row)."""
        if resume and overwrite:
            raise SemcomError(
                "--resume and --overwrite exclude each other: --resume continues "
                f"{self.csv_path}, --overwrite replaces it; pass one of them"
            )
        self.warnings = []
        staging = self.folder / self.STAGING
        if staging.is_dir():  # pictures of an --overwrite run that ended before its first row
            shutil.rmtree(staging)
        if overwrite:
            if self.csv_path.is_dir():
                raise SemcomError(f"{self.csv_path} is a folder; move it away or pick another --out")
            self._rows, self._replace = [], experiment_text
            return
        table = read_results(self.csv_path)
        found = len(table.rows) + len(table.incomplete)
        if found and not resume:
            raise SemcomError(
                f"{self.csv_path} already has {found} rows; pass --resume to continue "
                "or --overwrite to start again"
            )
        copy = self.folder / "experiment.toml"
        if table.rows and copy.is_file() and copy.read_text() != experiment_text:
            raise SemcomError(
                f"the experiment file changed since {self.csv_path} was written; "
                "use --overwrite or another name"
            )
        if table.incomplete:
            shown = "; ".join(table.incomplete[:3]) + (
                f"; and {len(table.incomplete) - 3} more" if len(table.incomplete) > 3 else "")
            self.warnings.append(
                f"{self.csv_path}: {len(table.incomplete)} incomplete row(s) not counted as done, "
                f"their cells run again: {shown}"
            )
        self._rows = table.rows
        self._write_companions(experiment_text)

    def _write_companions(self, experiment_text: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(self.folder / "experiment.toml", experiment_text.encode())
        atomic_write_bytes(self.folder / "environment.json", json.dumps(environment(), indent=2).encode())

    def append(self, row: dict[str, object]) -> None:
        """Add one row and rewrite the CSV atomically (the first row of an overwrite replaces
        the old table, experiment copy and example pictures)."""
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
        if self._replace is not None:
            # the table goes first: a kill before the experiment copy is rewritten leaves a
            # table that --resume refuses (changed experiment), never old rows under a new name
            self._write_companions(self._replace)
            self._replace_examples()
            self._replace = None

    def _replace_examples(self) -> None:
        """The old run's pictures give way to the new run's (in staging so far)."""
        examples, staging = self.folder / "examples", self.folder / self.STAGING
        for stale in examples.glob("*.png"):
            stale.unlink()
        if staging.is_dir():
            examples.mkdir(exist_ok=True)
            for picture in staging.iterdir():
                os.replace(picture, examples / picture.name)
            shutil.rmtree(staging)


def _format(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return value
