"""Learning curves: the stages of one model end to end, and their plot."""

import pandas as pd
import pytest

from semcom.errors import SemcomError
from semcom.models.learning_curves import chain_stages, plot_learning_curves


def _log(path, steps, seconds, coherence):
    pd.DataFrame({"step": steps, "train_loss": 0.1, "val_loss_ema": 0.2, "elapsed_s": seconds,
                  "val_coherence_1": coherence}).to_csv(path, index=False)
    return path


def test_a_later_stage_continues_the_earlier_ones_steps_and_time(tmp_path):
    first = _log(tmp_path / "first.csv", [1000, 2000], [1800.0, 3600.0], [0.2, 0.4])
    second = _log(tmp_path / "second.csv", [500, 1000], [900.0, 1800.0], [0.5, 0.6])
    table = chain_stages([first, second])
    assert table["step"].tolist() == [1000, 2000, 2500, 3000]
    assert table["hours"].tolist() == pytest.approx([0.5, 1.0, 1.25, 1.5])
    assert table["stage"].tolist() == ["first", "first", "second", "second"]
    assert table["stage_index"].tolist() == [0, 0, 1, 1]
    assert table["val_coherence_1"].tolist() == [0.2, 0.4, 0.5, 0.6]
    assert "elapsed_s" not in table.columns
    assert chain_stages([first])["hours"].tolist() == pytest.approx([0.5, 1.0])


def test_stages_of_runs_folders_are_named_by_their_folder(tmp_path):
    """Two runs' train_log.csv: named by their folders, and kept apart as stages."""
    for run in ("decoder", "full"):
        (tmp_path / run).mkdir()
        _log(tmp_path / run / "train_log.csv", [100], [36.0], [0.5])
    table = chain_stages([tmp_path / "decoder" / "train_log.csv", tmp_path / "full" / "train_log.csv"])
    assert table["stage"].tolist() == ["decoder", "full"] and table["stage_index"].tolist() == [0, 1]
    fig = plot_learning_curves({"ae": table}, ["val_coherence_1"])
    assert [t.get_text() for t in fig.axes[0].texts] == ["full"]


def test_bad_logs_and_metrics_are_named(tmp_path):
    with pytest.raises(SemcomError, match="does not exist"):
        chain_stages([tmp_path / "none.csv"])
    (tmp_path / "other.csv").write_text("a,b\n1,2\n")
    with pytest.raises(SemcomError, match="missing: step, elapsed_s"):
        chain_stages([tmp_path / "other.csv"])
    with pytest.raises(SemcomError, match="at least one training log"):
        chain_stages([])
    table = chain_stages([_log(tmp_path / "a.csv", [1], [1.0], [0.1])])
    with pytest.raises(SemcomError, match="unknown learning-curve metric psnr; allowed: val_coherence_1"):
        plot_learning_curves({"a": table}, ["psnr"])


def test_the_plot_has_a_panel_per_metric_and_a_mark_where_a_stage_begins(tmp_path):
    first = _log(tmp_path / "first.csv", [1000, 2000], [1800.0, 3600.0], [0.2, 0.4])
    second = _log(tmp_path / "second.csv", [500, 1000], [900.0, 1800.0], [0.5, 0.6])
    fig = plot_learning_curves({"two stages": chain_stages([first, second])}, ["val_coherence_1", "val_loss_ema"])
    assert len(fig.axes) == 2
    lines = fig.axes[0].get_lines()
    assert list(lines[0].get_xdata()) == pytest.approx([0.5, 1.0, 1.25, 1.5])
    assert [list(line.get_xdata()) for line in lines[1:]] == [[1.0, 1.0]]  # the second stage begins at 1 h
