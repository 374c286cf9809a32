"""Reading a results table back: a file that is not one is refused in one line, incomplete rows
are set aside (their cells run again), complete rows come back as written."""

import pytest

from semcom.errors import SemcomError
from semcom.sweep.store import KEY_COLUMNS, ResultsStore, read_results

HEADER = ",".join(KEY_COLUMNS) + ",psnr\n"
ROW = "{cid},semantic,awgn,0.0,1,mvshapes,{psnr}\n"


def _table(*psnrs, cids=None):
    cids = cids or [f"{i:012x}" for i in range(len(psnrs))]
    return HEADER + "".join(ROW.format(cid=c, psnr=p) for c, p in zip(cids, psnrs, strict=True))


def test_complete_rows_come_back_as_written(tmp_path):
    path = tmp_path / "results.csv"
    path.write_text(_table("21.5", "", "23.25"))
    table = read_results(path)
    assert table.columns == list(KEY_COLUMNS) + ["psnr"] and table.incomplete == []
    assert [r["psnr"] for r in table.rows] == ["21.5", "", "23.25"]
    assert read_results(tmp_path / "absent.csv").rows == []
    (tmp_path / "empty.csv").write_text("")
    assert read_results(tmp_path / "empty.csv").rows == []


@pytest.mark.parametrize(
    "content, message",
    [
        (b"\x89PNG\r\n\x1a\n\xff\xfe binary", "is not a results table (not UTF-8 text)"),
        (b"cell_id,scheme\x00\x01\n", "is not a results table (binary data)"),
        (b"step,train_loss\n1,0.5\n", "is not a results table: no column cell_id, scheme, channel"),
        (b"just some words\n", "no column cell_id"),
        ((HEADER.rstrip("\n") + ",psnr\n").encode(), "column(s) 'psnr' appear twice"),
        (_table("1", "2", cids=["0" * 12, "0" * 12]).encode(), "cell 000000000000 has two rows (lines 2 and 3)"),
    ],
)
def test_a_file_that_is_not_a_results_table_is_one_line(tmp_path, content, message):
    path = tmp_path / "results.csv"
    path.write_bytes(content)
    with pytest.raises(SemcomError) as err:
        read_results(path)
    assert message in str(err.value) and "\n" not in str(err.value)
    assert str(path) in str(err.value)


def test_incomplete_rows_are_set_aside_with_their_line(tmp_path):
    path = tmp_path / "results.csv"
    text = _table("20.0", "21.0", "22.0")
    cut = text[: len(text) - 4]  # the last row loses its end (and its newline)
    path.write_text(cut)
    table = read_results(path)
    assert [r["cell_id"] for r in table.rows] == ["000000000000", "000000000001"]
    assert table.incomplete == ["line 4 (cell 000000000002) ends without a newline (the file was cut there)"]
    lines = text.splitlines(keepends=True)
    path.write_text(lines[0] + "000000000000,semantic,awgn\n" + "".join(lines[2:]) + "zz,1,2,3,4,5,6\n")
    table = read_results(path)
    assert [r["cell_id"] for r in table.rows] == ["000000000001", "000000000002"]
    assert table.incomplete == ["line 2 (cell 000000000000) has 3 of 7 values",
                                "line 5 has no valid cell id ('zz')"]


def test_resume_and_overwrite_together_are_refused(tmp_path):
    with pytest.raises(SemcomError, match="--resume and --overwrite exclude each other"):
        ResultsStore(tmp_path).prepare("x", resume=True, overwrite=True)
