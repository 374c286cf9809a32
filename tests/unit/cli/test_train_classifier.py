"""`semcom train classifier`: end to end on a tiny split, files written and loadable."""

from __future__ import annotations

import json

import pytest

from semcom.cli import main
from semcom.metrics.classifier import load_classifier


def test_trains_writes_and_reloads_a_tiny_classifier(isolated_cache, tmp_path, capsys):
    out = tmp_path / "clf"
    args = [
        "train",
        "classifier",
        "--dataset",
        "mvshapes",
        "--train-n",
        "6",
        "--test-n",
        "3",
        "--epochs",
        "1",
        "--batch-size",
        "8",
        "--out",
        str(out),
    ]
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 0
    stdout = capsys.readouterr().out
    assert "test accuracy" in stdout and str(out / "mvshapes_32") in stdout
    report = json.loads((out / "mvshapes_32.report.json").read_text())
    assert report["n_train_images"] == 24 and report["n_test_images"] == 12
    assert set(report["view_accuracy"]) == {"front", "right", "back", "left"}
    model = load_classifier("mvshapes", 32, out)
    assert model.config.num_classes == 13


def test_unknown_dataset_is_one_line(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "classifier", "--dataset", "nope"])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and "unknown dataset 'nope'" in err
