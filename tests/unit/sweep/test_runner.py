"""Sweeps write one row per cell, resume after a kill without losing or duplicating rows."""

import csv
from pathlib import Path

import pytest

from semcom.errors import SemcomError
from semcom.sweep import runner as runner_mod
from semcom.sweep.config import parse_experiment
from semcom.sweep.runner import run_sweep

TEXT = """
name = "toy"
[data]
n_objects = 4
[[grid]]
scheme = "capacity"
channel = ["awgn", "rayleigh-fast"]
snr_db = [0, 5, 10]
"""

calls = []


def toy_runner(cell, context):
    calls.append(cell)
    if context.cached("fail_after", lambda: None) is not None and len(calls) > context._cache["fail_after"]:
        raise KeyboardInterrupt  # the sweep is killed mid-way
    return {"psnr": 20.0 + cell.snr_db, "channel_uses_per_object": 100}


@pytest.fixture
def toy(monkeypatch):
    calls.clear()
    monkeypatch.setitem(runner_mod.SCHEME_RUNNERS, "capacity", f"{__name__}:toy_runner")
    return parse_experiment(TEXT)


def read(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def test_one_row_per_cell_with_the_tidy_columns(toy, tmp_path):
    store = run_sweep(toy, str(tmp_path / "toy"), progress=False, echo=lambda *_: None)
    rows = read(store.csv_path)
    assert len(rows) == 6
    assert list(rows[0])[:4] == ["cell_id", "scheme", "channel", "snr_db"]
    assert {r["psnr"] for r in rows} == {"20.0", "25.0", "30.0"}
    assert (tmp_path / "toy" / "experiment.toml").read_text() == TEXT
    assert "torch" in (tmp_path / "toy" / "environment.json").read_text()


def test_killed_and_resumed_loses_and_duplicates_nothing(toy, tmp_path, monkeypatch):
    original = runner_mod.SweepContext.__init__

    def init_failing(self, config, examples_dir=None):
        original(self, config, examples_dir)
        self._cache["fail_after"] = 4

    monkeypatch.setattr(runner_mod.SweepContext, "__init__", init_failing)
    with pytest.raises(KeyboardInterrupt):
        run_sweep(toy, str(tmp_path / "toy"), progress=False, echo=lambda *_: None)
    first = read(tmp_path / "toy" / "results.csv")
    assert len(first) == 4
    monkeypatch.setattr(runner_mod.SweepContext, "__init__", original)
    with pytest.raises(SemcomError, match="pass --resume to continue or --overwrite"):
        run_sweep(toy, str(tmp_path / "toy"), progress=False, echo=lambda *_: None)
    calls.clear()
    run_sweep(toy, str(tmp_path / "toy"), resume=True, progress=False, echo=lambda *_: None)
    assert len(calls) == 2  # only the missing cells ran
    rows = read(tmp_path / "toy" / "results.csv")
    assert len(rows) == 6 and len({r["cell_id"] for r in rows}) == 6
    assert rows[:4] == first  # earlier rows untouched


def test_resume_refuses_a_changed_experiment(toy, tmp_path):
    run_sweep(toy, str(tmp_path / "toy"), progress=False, echo=lambda *_: None)
    changed = parse_experiment(TEXT.replace("[0, 5, 10]", "[0, 5]"))
    with pytest.raises(SemcomError, match="experiment file changed"):
        run_sweep(changed, str(tmp_path / "toy"), resume=True, progress=False, echo=lambda *_: None)


def test_unknown_executor(toy, tmp_path):
    with pytest.raises(SemcomError, match="unknown executor 'slurm'; allowed: local, ray"):
        run_sweep(toy, str(tmp_path / "toy"), executor="slurm", progress=False, echo=lambda *_: None)


RAY_TEXT = """
name = "toy-ray"
[data]
n_objects = 3
[metrics]
lpips = false
fd_clf = false
coherence = false
[[grid]]
scheme = "capacity"
channel = ["awgn", "rayleigh-block"]
snr_db = [0, 10]
codec = "webp"
"""


def test_ray_executor_runs_the_same_cells_on_a_local_instance(tmp_path):
    ray = pytest.importorskip("ray")
    config = parse_experiment(RAY_TEXT)
    local = run_sweep(config, str(tmp_path / "local"), progress=False, echo=lambda *_: None)
    remote = run_sweep(config, str(tmp_path / "ray"), executor="ray", progress=False, echo=lambda *_: None)
    assert not ray.is_initialized()  # the executor shut down the instance it started

    def strip(rows):
        return sorted(({k: v for k, v in r.items() if k != "wall_s"} for r in rows), key=lambda r: r["cell_id"])

    assert len(read(local.csv_path)) == 4
    assert strip(read(remote.csv_path)) == strip(read(local.csv_path))


def test_overwrite_removes_the_old_runs_example_pictures(toy, tmp_path):
    """A picture of the old run (another data set or model) must not be plotted beside the new
    rows: --overwrite clears examples/ (the true views of the old objects included)."""
    run_sweep(toy, str(tmp_path / "toy"), progress=False, echo=lambda *_: None)
    examples = tmp_path / "toy" / "examples"
    examples.mkdir(exist_ok=True)
    (examples / "true.png").write_bytes(b"old objects")
    (examples / "0123456789ab.png").write_bytes(b"old cell")
    run_sweep(toy, str(tmp_path / "toy"), overwrite=True, progress=False, echo=lambda *_: None)
    assert not (examples / "true.png").exists() and not (examples / "0123456789ab.png").exists()
    assert len(read(tmp_path / "toy" / "results.csv")) == 6


def quiet(**kwargs):
    return dict(progress=False, echo=lambda *_: None, **kwargs)


def test_resume_recomputes_a_cut_last_row_and_says_so(toy, tmp_path):
    run_sweep(toy, str(tmp_path / "toy"), **quiet())
    path = tmp_path / "toy" / "results.csv"
    whole = read(path)
    text = path.read_text()
    path.write_text(text[: len(text) - 7])  # the last row is cut short, as by a crash mid-write
    calls.clear()
    warnings = []
    run_sweep(toy, str(tmp_path / "toy"), **quiet(resume=True, warn=warnings.append))
    assert len(calls) == 1 and len(warnings) == 1
    assert "1 incomplete row(s) not counted as done" in warnings[0] and "line 7" in warnings[0]
    rows = read(path)
    assert len(rows) == 6 and len({r["cell_id"] for r in rows}) == 6
    assert rows[:5] == whole[:5] and rows[5]["psnr"] == whole[5]["psnr"]


def test_resume_refuses_a_table_it_cannot_read_and_keeps_it(toy, tmp_path):
    (tmp_path / "toy").mkdir()
    path = tmp_path / "toy" / "results.csv"
    path.write_bytes(b"a,b\n1,2\n")
    with pytest.raises(SemcomError, match="is not a results table: no column cell_id"):
        run_sweep(toy, str(tmp_path / "toy"), **quiet(resume=True))
    with pytest.raises(SemcomError, match="pass --overwrite to replace it"):
        run_sweep(toy, str(tmp_path / "toy"), **quiet())
    assert path.read_bytes() == b"a,b\n1,2\n" and not calls
    run_sweep(toy, str(tmp_path / "toy"), **quiet(overwrite=True))
    assert len(read(path)) == 6


def test_resume_with_overwrite_is_refused_before_anything_changes(toy, tmp_path):
    run_sweep(toy, str(tmp_path / "toy"), **quiet())
    before = (tmp_path / "toy" / "results.csv").read_bytes()
    calls.clear()
    with pytest.raises(SemcomError, match="--resume and --overwrite exclude each other"):
        run_sweep(toy, str(tmp_path / "toy"), **quiet(resume=True, overwrite=True))
    assert (tmp_path / "toy" / "results.csv").read_bytes() == before and not calls


def failing_runner(cell, context):
    from semcom.errors import SemcomError

    Path(context.examples_dir).mkdir(parents=True, exist_ok=True)
    (Path(context.examples_dir) / "true.png").write_bytes(b"new objects")
    raise SemcomError("no such data set")  # what a bad data set or model looks like


def painting_runner(cell, context):
    folder = Path(context.examples_dir)
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "true.png").exists():
        (folder / "true.png").write_bytes(b"new objects")
    return toy_runner(cell, context)


def test_a_failed_overwrite_leaves_the_old_results_as_they_were(toy, tmp_path, monkeypatch):
    folder = tmp_path / "toy"
    run_sweep(toy, str(folder), **quiet())
    (folder / "examples").mkdir()
    (folder / "examples" / "true.png").write_bytes(b"old objects")
    before = {p.name: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    changed = parse_experiment(TEXT.replace("[0, 5, 10]", "[0, 5]"))
    monkeypatch.setitem(runner_mod.SCHEME_RUNNERS, "capacity", f"{__name__}:failing_runner")
    with pytest.raises(SemcomError, match="no such data set"):
        run_sweep(changed, str(folder), **quiet(overwrite=True))
    after = {p.name: p.read_bytes() for p in folder.rglob("*") if p.is_file() and ".examples.new" not in str(p)}
    assert after == before  # table, experiment copy, environment and pictures untouched

    monkeypatch.setitem(runner_mod.SCHEME_RUNNERS, "capacity", f"{__name__}:painting_runner")
    run_sweep(changed, str(folder), **quiet(overwrite=True))
    assert len(read(folder / "results.csv")) == 4
    assert (folder / "experiment.toml").read_text() == changed.source_text
    assert (folder / "examples" / "true.png").read_bytes() == b"new objects"
    assert not (folder / ".examples.new").exists()
