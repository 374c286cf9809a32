"""The command line on damaged inputs: each is answered with one line naming the file and the
problem, exit code 2, and nothing that was there before is lost.

Families: damaged checkpoints (impute, evaluate, peers, train export, a training resume, a view
classifier), damaged results tables (sweep --resume, --resume with --overwrite, a failed
--overwrite) and tables that cannot be plotted (missing columns, unknown --cells). The commands
run in-process through :func:`semcom.cli.main`, as tests/unit/test_cli.py does; sweep cells are
a stand-in runner, so no test computes anything real.
"""

from __future__ import annotations

import csv
import io
import pickle
import shutil
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file

from semcom.cli import main
from semcom.sweep import runner as runner_mod

BUNDLED = Path(__file__).resolve().parents[2] / "semcom" / "assets" / "bundled"
AUTOENCODER = BUNDLED / "mvld" / "mvshapes-32px" / "autoencoder"
SCORE_NET = BUNDLED / "mvld" / "mvshapes-32px" / "score_net"
MVAE = BUNDLED / "peers" / "mvae" / "mvshapes-32px" / "mvae"
CLASSIFIERS = BUNDLED / "classifiers"


def run(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([str(a) for a in argv])
    out = capsys.readouterr()
    return exit_info.value.code, out.out, out.err


def assert_one_line(code, err, *expected):
    """Exit code 2 and one line on stderr (progress bars aside) holding each of ``expected``."""
    assert "Traceback" not in err, err
    lines = [line for line in err.strip().replace("\r", "\n").splitlines() if line and "%|" not in line]
    assert code == 2 and len(lines) == 1, err
    for part in expected:
        assert part in lines[0], err


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# -- damaged checkpoints ---------------------------------------------------------------------------
def _torch_save(tensors):
    buffer = io.BytesIO()
    torch.save(tensors, buffer)
    return buffer.getvalue()


def _reshaped(path):
    tensors = load_file(str(path))
    name = next(k for k, v in tensors.items() if k.startswith("model.") and v.ndim >= 2)
    tensors[name] = torch.zeros(tensors[name].shape[0] + 1, *tensors[name].shape[1:])
    buffer = Path(str(path) + ".tmp")
    save_file(tensors, str(buffer))
    return buffer.read_bytes()


def _without_a_tensor(path):
    tensors = load_file(str(path))
    tensors.pop(next(k for k in tensors if k.startswith("model.")))
    buffer = Path(str(path) + ".tmp")
    save_file(tensors, str(buffer))
    return buffer.read_bytes()


#: damage -> (new tensor bytes from the good file, the phrase the one-line error must carry)
DAMAGES = {
    "truncated": (lambda p: p.read_bytes()[: p.stat().st_size // 2], "is truncated"),
    "random bytes": (lambda p: bytes(range(256)) * 64, "is not a safetensors file"),
    "pickle": (lambda p: pickle.dumps({"model.w": [1.0]}), "is a pickle, not a safetensors file"),
    "torch.save": (lambda p: _torch_save({"model.w": torch.ones(2)}), "is a zip archive (torch.save?)"),
    "empty": (lambda p: b"", "is empty"),
    "wrong shape": (_reshaped, "does not match its config"),
    "missing tensor": (_without_a_tensor, "does not match its config: missing tensors model."),
    "no json": (None, ".json not found"),
}


def damaged_copy(source: Path, folder: Path, damage: str) -> Path:
    """A copy of checkpoint ``source`` in ``folder`` with its tensors (or JSON) damaged."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / source.name
    make, _ = DAMAGES[damage]
    shutil.copy(source.with_suffix(".safetensors"), stem.with_suffix(".safetensors"))
    if make is None:
        return stem
    shutil.copy(source.with_suffix(".json"), stem.with_suffix(".json"))
    stem.with_suffix(".safetensors").write_bytes(make(stem.with_suffix(".safetensors")))
    return stem


@pytest.fixture
def no_unpickling(monkeypatch):
    """Any unpickling during the test fails it (a renamed pickle must never be loaded)."""

    def refuse(*args, **kwargs):
        raise AssertionError("a checkpoint was unpickled")

    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(torch, "load", refuse)


@pytest.mark.parametrize("damage", list(DAMAGES))
@pytest.mark.parametrize("which", ["autoencoder", "score_net"])
def test_evaluate_with_a_damaged_mvld_checkpoint(tmp_path, monkeypatch, capsys, no_unpickling, which, damage):
    monkeypatch.chdir(tmp_path)
    bad = damaged_copy(AUTOENCODER if which == "autoencoder" else SCORE_NET, tmp_path / "bad", damage)
    before = snapshot(tmp_path)
    args = {"autoencoder": AUTOENCODER, "score_net": SCORE_NET, which: bad}
    code, _, err = run(["evaluate", "--dataset", "mvshapes", "--autoencoder", args["autoencoder"],
                        "--score-net", args["score_net"], "--n", "4", "--out", tmp_path / "table.csv"], capsys)
    assert_one_line(code, err, str(bad.name), DAMAGES[damage][1])
    assert snapshot(tmp_path) == before  # nothing written, the damaged files as they were


@pytest.mark.parametrize("damage", ["truncated", "pickle", "wrong shape"])
def test_impute_with_a_damaged_score_net(tmp_path, monkeypatch, capsys, isolated_cache, no_unpickling, damage):
    import semcom.data

    real = semcom.data.load_dataset
    monkeypatch.setattr(semcom.data, "load_dataset",  # 8 objects: the error comes before any work
                        lambda name, split="train", **kw: real(name, split, **{**kw, "n": 8, "progress": False}))
    bad = damaged_copy(SCORE_NET, tmp_path / "bad", damage)
    code, _, err = run(["impute", "--observed", "0", "--autoencoder", AUTOENCODER, "--score-net", bad,
                        "--out", tmp_path / "grid.png"], capsys)
    assert_one_line(code, err, f"{bad}.safetensors", DAMAGES[damage][1])
    assert not (tmp_path / "grid.png").exists()


@pytest.mark.parametrize("damage", ["truncated", "torch.save", "missing tensor"])
def test_peers_table_with_a_damaged_vae(tmp_path, capsys, no_unpickling, damage):
    bad = damaged_copy(MVAE, tmp_path / "bad", damage)
    code, _, err = run(["peers", "table", "--imputer", "mvae", "--checkpoint", bad, "--n", "4",
                        "--out", tmp_path / "peers.csv", "--no-progress"], capsys)
    assert_one_line(code, err, f"{bad}.safetensors", DAMAGES[damage][1])
    assert not (tmp_path / "peers.csv").exists()


def test_peers_table_with_a_damaged_classifier(tmp_path, capsys, no_unpickling):
    folder = tmp_path / "classifiers"
    folder.mkdir()
    shutil.copy(CLASSIFIERS / "mvshapes_32.json", folder)
    (folder / "mvshapes_32.safetensors").write_bytes(pickle.dumps({"w": 1}))
    code, _, err = run(["peers", "table", "--imputer", "mvae", "--classifier-folder", folder, "--n", "4",
                        "--out", tmp_path / "peers.csv", "--no-progress"], capsys)
    assert_one_line(code, err, "mvshapes_32.safetensors is a pickle")


@pytest.mark.parametrize("damage", ["truncated", "random bytes", "pickle", "wrong shape", "no json"])
def test_train_export_of_a_damaged_checkpoint_writes_nothing(tmp_path, capsys, no_unpickling, damage):
    bad = damaged_copy(AUTOENCODER, tmp_path / "bad", damage)
    dest = tmp_path / "out" / "autoencoder"
    code, _, err = run(["train", "export", bad, dest, "--half"], capsys)
    assert_one_line(code, err, str(bad), DAMAGES[damage][1])
    assert not (tmp_path / "out").exists()


def test_train_export_refuses_a_resume_state(tmp_path, capsys):
    from semcom.models.checkpoint import save_checkpoint

    save_checkpoint(tmp_path / "resume", "train_state", {"rng": torch.zeros(4, dtype=torch.uint8)}, {})
    code, _, err = run(["train", "export", tmp_path / "resume", tmp_path / "out"], capsys)
    assert_one_line(code, err, "holds a 'train_state', not a model; allowed: autoencoder, score_net")


@pytest.mark.parametrize("damage", ["truncated", "pickle", "torch.save"])
def test_training_resume_from_a_damaged_state(tmp_path, capsys, isolated_cache, no_unpickling, damage):
    """A run folder whose resume.safetensors is damaged: one line telling how to start over,
    and the resume files left as they were (the user may want to repair them)."""
    config = tmp_path / "ae.toml"
    config.write_text('dataset = "mvshapes"\nn_train = 8\nn_val = 4\nsteps = 1\nbatch_size = 4\n')
    out = tmp_path / "run"
    out.mkdir()
    (out / "resume.json").write_text('{"format": 1, "kind": "train_state", "config": {}, "meta": {}}')
    (out / "resume.safetensors").write_bytes(DAMAGES[damage][0](AUTOENCODER.with_suffix(".safetensors")))
    before = snapshot(out)
    code, _, err = run(["train", "autoencoder", "--config", config, "--out", out, "--no-progress"], capsys)
    assert_one_line(code, err, f"{out / 'resume.safetensors'} {DAMAGES[damage][1]}",
                    f"delete {out / 'resume'}.* to start the run over")
    assert snapshot(out) == before


# -- damaged results tables ------------------------------------------------------------------------
EXPERIMENT = """
name = "toy"
[data]
n_objects = 4
[[grid]]
scheme = "capacity"
channel = ["awgn", "rayleigh-fast"]
snr_db = [0, 5, 10]
"""
calls: list = []


def toy_runner(cell, context):
    calls.append(cell)
    return {"psnr": 20.0 + cell.snr_db, "channel_uses_per_object": 100}


def failing_runner(cell, context):
    from semcom.errors import SemcomError

    raise SemcomError("no trained mvld model for mvshapes")  # found only when the first cell runs


@pytest.fixture
def sweep_folder(tmp_path, monkeypatch):
    """An experiment file and the results folder of a finished toy sweep over it."""
    calls.clear()
    monkeypatch.setitem(runner_mod.SCHEME_RUNNERS, "capacity", f"{__name__}:toy_runner")
    experiment = tmp_path / "toy.toml"
    experiment.write_text(EXPERIMENT)
    assert_exit = pytest.raises(SystemExit)
    with assert_exit:
        main(["sweep", str(experiment), "--out", str(tmp_path / "results")])
    assert assert_exit.excinfo.value.code == 0
    calls.clear()
    return experiment, tmp_path / "results" / "toy"


def read_rows(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"\x00\x01\x02\xff\xfe garbage \x00", "is not a results table (not UTF-8 text)"),
        (b"scheme,channel,snr_db,views_sent,dataset,psnr\nsemantic,awgn,0,1,mvshapes,20\n",
         "is not a results table: no column cell_id"),
        (b"cell_id,scheme\n\"unterminated,semantic\n", "is not a results table"),
    ],
)
def test_resume_on_a_table_that_is_not_one(sweep_folder, capsys, content, expected):
    experiment, folder = sweep_folder
    (folder / "results.csv").write_bytes(content)
    before = snapshot(folder)
    capsys.readouterr()
    code, _, err = run(["sweep", experiment, "--out", folder.parent, "--resume"], capsys)
    assert_one_line(code, err, str(folder / "results.csv"), expected, "--overwrite")
    assert snapshot(folder) == before and not calls


def test_resume_recomputes_a_truncated_last_row_and_says_so(sweep_folder, capsys):
    experiment, folder = sweep_folder
    whole = read_rows(folder / "results.csv")
    text = (folder / "results.csv").read_text()
    (folder / "results.csv").write_text(text[: len(text) - 9])  # the last row lost its end
    capsys.readouterr()
    code, out, err = run(["sweep", experiment, "--out", folder.parent, "--resume"], capsys)
    assert code == 0 and "Traceback" not in err
    warnings = [line for line in err.splitlines() if line.startswith("semcom: warning:")]
    assert len(warnings) == 1 and "1 incomplete row(s)" in warnings[0] and "line 7" in warnings[0]
    assert "5 already done, 1 to run" in out and len(calls) == 1
    rows = read_rows(folder / "results.csv")
    assert rows[:5] == whole[:5] and len(rows) == 6 and rows[5]["psnr"] == whole[5]["psnr"]


def test_resume_with_overwrite_is_refused(sweep_folder, capsys):
    experiment, folder = sweep_folder
    before = snapshot(folder)
    capsys.readouterr()
    code, _, err = run(["sweep", experiment, "--out", folder.parent, "--resume", "--overwrite"], capsys)
    assert_one_line(code, err, "--resume and --overwrite exclude each other")
    assert snapshot(folder) == before and not calls


def test_a_failed_overwrite_keeps_the_old_table(sweep_folder, capsys, monkeypatch):
    experiment, folder = sweep_folder
    (folder / "examples").mkdir()
    (folder / "examples" / "true.png").write_bytes(b"the old run's objects")
    before = snapshot(folder)
    experiment.write_text(EXPERIMENT.replace("[0, 5, 10]", "[0, 20]"))
    monkeypatch.setitem(runner_mod.SCHEME_RUNNERS, "capacity", f"{__name__}:failing_runner")
    capsys.readouterr()
    code, _, err = run(["sweep", experiment, "--out", folder.parent, "--overwrite"], capsys)
    assert_one_line(code, err, "no trained mvld model")
    assert snapshot(folder) == before  # table, experiment copy, environment, pictures

    monkeypatch.setitem(runner_mod.SCHEME_RUNNERS, "capacity", f"{__name__}:toy_runner")
    code, _, _ = run(["sweep", experiment, "--out", folder.parent, "--overwrite"], capsys)
    assert code == 0 and len(read_rows(folder / "results.csv")) == 4
    assert not (folder / "examples" / "true.png").exists()


def test_a_table_without_flags_names_both_ways_on(sweep_folder, capsys):
    experiment, folder = sweep_folder
    capsys.readouterr()
    code, _, err = run(["sweep", experiment, "--out", folder.parent], capsys)
    assert_one_line(code, err, "already has 6 rows; pass --resume to continue or --overwrite")


# -- tables that cannot be plotted -----------------------------------------------------------------
def _write_table(folder: Path, drop=(), rows=2):
    folder.mkdir(parents=True, exist_ok=True)
    columns = [c for c in ("cell_id", "scheme", "channel", "snr_db", "views_sent", "channel_uses_per_object",
                           "psnr") if c not in drop]
    values = {"scheme": "semantic", "channel": "awgn", "snr_db": "10.0", "views_sent": "1",
              "channel_uses_per_object": "100", "psnr": "25.5"}
    lines = [",".join(columns)] + [",".join(f"{i:012x}" if c == "cell_id" else values[c] for c in columns)
                                   for i in range(rows)]
    (folder / "results.csv").write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize(
    "drop, expected",
    [
        (("channel", "views_sent"), "cannot be plotted: no column channel, views_sent"),
        (("psnr",), "cannot be plotted: no metric column with values; expected one of: fid"),
    ],
)
def test_plot_refuses_a_table_it_cannot_plot(tmp_path, capsys, drop, expected):
    _write_table(tmp_path / "res", drop)
    before = snapshot(tmp_path)
    code, _, err = run(["plot", tmp_path / "res"], capsys)
    assert_one_line(code, err, str(tmp_path / "res" / "results.csv"), expected)
    assert snapshot(tmp_path) == before  # no figure written, the table as it was


def test_plot_refuses_a_binary_file(tmp_path, capsys):
    (tmp_path / "res").mkdir()
    (tmp_path / "res" / "results.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe")
    code, _, err = run(["plot", tmp_path / "res"], capsys)
    assert_one_line(code, err, "results.csv")


def test_plot_with_an_unknown_cell_names_the_allowed_ones(tmp_path, capsys):
    from PIL import Image

    _write_table(tmp_path / "res", rows=3)
    (tmp_path / "res" / "examples").mkdir()
    for name in ("true", "000000000000", "000000000002"):
        Image.new("RGB", (8, 4)).save(tmp_path / "res" / "examples" / f"{name}.png")
    code, _, err = run(["plot", tmp_path / "res", "--cells", "000000000000,abcdefabcdef"], capsys)
    assert_one_line(code, err, "unknown cell id(s) 'abcdefabcdef' in --cells; allowed: 000000000000, 000000000002")
    assert not (tmp_path / "res" / "plots").exists()
    code, out, _ = run(["plot", tmp_path / "res", "--cells", "000000000002"], capsys)
    assert code == 0 and "examples.png" in out


# -- experiment and config files, numbers ----------------------------------------------------------
@pytest.mark.parametrize("content, expected", [
    (b"\x9f\x00\xff binary", "is not a text (UTF-8) TOML file"),
    (b'name = "x"\ngrid = 3\n', "write each grid as a [[grid]] table of axes"),
    (b'name = "x"\n[data]\nn_objects = 4\n[[grid]]\nscheme = "capacity"\nsnr_db = "nan"\n', "not NaN"),
])
def test_a_bad_experiment_file_is_one_line(tmp_path, capsys, content, expected):
    path = tmp_path / "exp.toml"
    path.write_bytes(content)
    code, _, err = run(["sweep", path, "--out", tmp_path / "out"], capsys)
    assert_one_line(code, err, expected)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("content, expected", [
    (b"lr = nan\n", "key 'lr' = nan; allowed: a finite number"),
    (b"\xff\xfe binary", "is not a text (UTF-8) TOML file"),
])
def test_a_bad_training_config_is_one_line(tmp_path, capsys, content, expected):
    path = tmp_path / "train.toml"
    path.write_bytes(content)
    code, _, err = run(["train", "autoencoder", "--config", path, "--out", tmp_path / "run"], capsys)
    assert_one_line(code, err, expected)
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("argv, expected", [
    (["evaluate", "--n", "0"], "Invalid value for '--n'"),
    (["evaluate", "--n", "10000000000"], "Invalid value for '--n'"),
    (["evaluate", "--seed", "-1"], "Invalid value for '--seed'"),
    (["evaluate", "--guidance", "nan"], "allowed: a finite number in [0.0, 20.0]"),
    (["data", "preview", "--rows", "-3", "--out", "p.png"], "Invalid value for '--rows'"),
    (["link", "ber", "--batch", "0", "--out", "c.csv"], "Invalid value for '--batch'"),
    (["link", "ber", "--max-bits", "0", "--out", "c.csv"], "Invalid value for '--max-bits'"),
])
def test_numbers_out_of_range_are_refused_before_any_work(tmp_path, capsys, monkeypatch, argv, expected):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(argv, capsys)
    assert_one_line(code, err, expected)
    assert list(tmp_path.iterdir()) == []
