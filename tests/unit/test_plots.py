import numpy as np
import pandas as pd
import pytest

from semcom.errors import SemcomError
from semcom.plots import metric_vs_snr, plot_results, tradeoff


@pytest.fixture
def table():
    rows = []
    for channel in ("awgn", "rayleigh-block"):
        for snr in (0.0, 10.0):
            for k in (1, 2, 4):
                rows.append(dict(cell_id=f"s{channel}{snr}{k}", scheme="semantic", channel=channel, snr_db=snr,
                                 views_sent=k, codec=np.nan, channel_uses_per_object=1000 * k,
                                 bandwidth_ratio=1000 * k / 12288, coherence=0.5 + 0.1 * k, fid=50 / k))
            for q in (30, 90):
                rows.append(dict(cell_id=f"b{channel}{snr}{q}", scheme="bitexact", channel=channel, snr_db=snr,
                                 views_sent=4, codec="jpeg", channel_uses_per_object=100 * q,
                                 bandwidth_ratio=100 * q / 12288, coherence=0.9, fid=10.0))
    return pd.DataFrame(rows)


def test_tradeoff_has_a_panel_per_channel_and_snr_and_a_curve_per_scheme_setting(table):
    fig = tradeoff(table, "coherence")
    assert [ax.get_title() for ax in fig.axes] == ["awgn, 0 dB", "awgn, 10 dB", "rayleigh-block, 0 dB",
                                                   "rayleigh-block, 10 dB"]
    assert sorted(line.get_label() for line in fig.axes[0].lines) == ["bitexact jpeg", "semantic"]
    semantic = next(ln for ln in fig.axes[0].lines if ln.get_label() == "semantic")
    assert list(semantic.get_xdata()) == [1000, 2000, 4000]  # views sent move along the bandwidth axis
    assert list(semantic.get_ydata()) == pytest.approx([0.6, 0.7, 0.9])
    legend = fig.legends[0]  # one legend for all panels, each curve once
    assert sorted(t.get_text() for t in legend.get_texts()) == ["bitexact jpeg", "semantic"]


def test_metric_vs_snr_has_a_curve_per_setting_and_bandwidth(table):
    fig = metric_vs_snr(table, "fid")
    labels = sorted(line.get_label() for line in fig.axes[1].lines)
    # a curve at one bandwidth says it; the bit-exact one mixes two qualities (no quality column)
    assert labels == ["bitexact jpeg k=4", "semantic k=1, 1,000 uses", "semantic k=2, 2,000 uses",
                      "semantic k=4, 4,000 uses"]


def test_plot_results_writes_png_and_pdf(table, tmp_path):
    table.to_csv(tmp_path / "results.csv", index=False)
    paths = plot_results(tmp_path, ("coherence",))
    names = sorted(p.name for p in paths)
    assert "tradeoff_coherence_channel_uses_per_object.png" in names and "coherence_vs_snr.pdf" in names
    assert all(p.stat().st_size > 1000 for p in paths)
    with pytest.raises(SemcomError, match="metric 'lpips' has no values"):
        plot_results(tmp_path, ("lpips",))
    with pytest.raises(SemcomError, match="no results.csv"):
        plot_results(tmp_path / "nothing")


def test_examples_show_the_middle_quality_of_each_codec_and_name_it():
    import pandas as pd

    from semcom.plots import example_label, pick_example_cells

    rows = [{"cell_id": f"b{q}", "scheme": "bitexact", "channel": "awgn", "snr_db": 10.0, "views_sent": 4,
             "codec": "jpeg", "quality": q} for q in (20, 50, 90)]
    rows += [{"cell_id": f"s{k}", "scheme": "semantic", "channel": "awgn", "snr_db": 10.0, "views_sent": k,
              "codec": None, "quality": None} for k in (1, 2)]
    chosen = pick_example_cells(pd.DataFrame(rows))
    assert sorted(chosen) == ["b50", "s1", "s2"]
    assert example_label(rows[1]) == "bitexact jpeg q50 10 dB k=4"
    assert example_label(rows[3]) == "semantic 10 dB k=1"


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda t: t.drop(columns=["channel", "snr_db"]), "cannot be plotted: no column channel, snr_db (a sweep's"),
        (lambda t: t.drop(columns=["coherence", "fid"]), "no metric column with values; expected one of: fid"),
        (lambda t: t.assign(fid=np.nan, coherence=np.nan), "no metric column with values"),
        (lambda t: t.assign(views_sent="many"), "column views_sent has empty or non-numeric values (line 2"),
        (lambda t: t.iloc[:0], "has no rows"),
    ],
)
def test_a_table_that_cannot_be_plotted_is_refused_before_any_figure(table, tmp_path, change, message):
    change(table).to_csv(tmp_path / "results.csv", index=False)
    with pytest.raises(SemcomError) as err:
        plot_results(tmp_path)
    assert message in str(err.value) and "\n" not in str(err.value)
    assert not (tmp_path / "plots").exists()


def test_a_file_that_is_not_a_table_is_refused(tmp_path):
    (tmp_path / "results.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff\xfe\x00binary")
    with pytest.raises(SemcomError, match="results.csv (is not a readable CSV table|cannot be plotted)"):
        plot_results(tmp_path)


def test_cells_must_name_cells_with_pictures(table, tmp_path):
    table.to_csv(tmp_path / "results.csv", index=False)
    with pytest.raises(SemcomError, match="no example pictures of the table's cells"):
        plot_results(tmp_path, ("fid",), cells=["sawgn0.01"])
    examples = tmp_path / "examples"
    examples.mkdir()
    from PIL import Image

    for cid in ("true", "sawgn0.01", "sawgn0.02"):
        Image.fromarray(np.zeros((4, 8, 3), np.uint8)).save(examples / f"{cid}.png")
    with pytest.raises(SemcomError) as err:
        plot_results(tmp_path, ("fid",), cells=["sawgn0.01", "nope"])
    assert str(err.value) == "unknown cell id(s) 'nope' in --cells; allowed: sawgn0.01, sawgn0.02"
    assert not (tmp_path / "plots").exists()
    paths = plot_results(tmp_path, ("fid",), cells=["sawgn0.02"])
    assert tmp_path / "plots" / "examples.png" in paths


def test_a_numeric_column_outside_the_named_metrics_can_still_be_plotted(table, tmp_path):
    table.assign(ber=0.01).to_csv(tmp_path / "results.csv", index=False)
    assert any(p.name == "ber_vs_snr.png" for p in plot_results(tmp_path, ("ber",)))
