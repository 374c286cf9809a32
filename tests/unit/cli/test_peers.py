"""``semcom peers table``: the one evaluation engine for k = 0 .. V, written as CSV."""

import csv

import pytest


def test_peers_table_writes_the_engine_columns_for_every_observed_count(tmp_path, capsys, require_asset):
    from semcom.cli import main
    from semcom.evaluate import COLUMNS

    require_asset("lpips_alexnet")
    require_asset("lpips_lin")
    out = tmp_path / "peers.csv"
    with pytest.raises(SystemExit) as exit_info:
        main(["peers", "table", "--imputer", "mvae", "--n", "4", "--out", str(out), "--no-progress"])
    assert exit_info.value.code in (0, None), capsys.readouterr().err
    with out.open() as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    assert reader.fieldnames == [*COLUMNS, "latent", "seed"]
    assert [(r["method"], int(r["observed_views"])) for r in rows] == [("mvae", k) for k in range(5)]
    # trials: objects for k = 0 (joint coherence), missing views for 0 < k < 4, all views for k = 4
    assert [int(r["coherence_trials"]) for r in rows] == [4, 12, 8, 4, 16]
    assert all(r["fid"] == "" and r["psnr"] != "" and r["latent"] == "sample" for r in rows)
