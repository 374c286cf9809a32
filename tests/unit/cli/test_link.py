"""``semcom link ber``: a tiny curve end to end, and one-line errors with exit code 2."""

import math

import pandas as pd
import pytest

from channels.limits import uncoded_ber
from semcom.cli import main


def run(argv):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    return exit_info.value.code


def test_ber_curve_csv_and_plot(tmp_path, capsys):
    out, png = tmp_path / "c.csv", tmp_path / "c.png"
    code = run(["link", "ber", "--modulation", "qpsk", "--snr-db", "0:3:6", "--out", str(out),
                "--plot", str(png), "--max-bits", "100000", "--block-len", "1000"])
    assert code == 0
    frame = pd.read_csv(out)
    for col in ("snr_db", "ebno_db", "ber", "bler", "channel_uses", "bits", "errors"):
        assert col in frame.columns
    assert list(frame.snr_db) == [0.0, 3.0, 6.0]
    assert (frame.ebno_db == frame.snr_db - 10 * math.log10(2)).all()
    assert (frame.channel_uses == frame.bits / 2).all()  # QPSK uncoded: 2 bits per use
    theory = uncoded_ber("qpsk", 10 ** (frame.snr_db / 10))
    assert (abs(frame.ber - theory) < 5 * (2 * theory / frame.bits) ** 0.5).all()
    assert png.stat().st_size > 10_000
    assert f"wrote {out}" in capsys.readouterr().out


def test_ldpc_point_reports_codeword_accounting(tmp_path):
    out = tmp_path / "c.csv"
    code = run(["link", "ber", "--code", "ldpc", "--modulation", "qam16", "--rate", "2/3",
                "--block-len", "256", "--snr-db", "12", "--out", str(out), "--max-bits", "2000"])
    assert code == 0
    row = pd.read_csv(out).iloc[0]
    assert row.block_channel_uses == 96  # n = 4 ceil(256 / (4 * 2/3)) = 384 bits = 96 symbols
    assert row.errors == 0 and row.blocks == 100


@pytest.mark.parametrize(
    "args,needle",
    [
        (["--channel", "rician"], "unknown channel 'rician'; allowed: awgn, rayleigh-block, rayleigh-fast"),
        (["--modulation", "qam32"], "unknown modulation 'qam32'; allowed: bpsk, qpsk"),
        (["--code", "ldpc", "--rate", "0.99"], "unsupported code rate '0.99'"),
        (["--code", "ldpc", "--block-len", "9000"], "unsupported block length 9000"),
        (["--snr-db", "nan"], "SNR must be a finite number"),
        (["--snr-db", "0:2"], "malformed SNR list '0:2'"),
        (["--snr-db", "3:1:0"], "malformed SNR list"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(tmp_path, capsys, args, needle):
    code = run(["link", "ber", "--out", str(tmp_path / "x.csv"), *args])
    err = capsys.readouterr().err
    assert code == 2
    assert needle in err and err.count("\n") == 1
    assert not (tmp_path / "x.csv").exists()


def test_same_seed_same_curve(tmp_path):
    args = ["link", "ber", "--channel", "rayleigh-fast", "--modulation", "qam16", "--snr-db", "10",
            "--max-bits", "20000", "--batch", "10", "--seed", "5"]
    assert run([*args, "--out", str(tmp_path / "a.csv")]) == 0
    assert run([*args, "--out", str(tmp_path / "b.csv")]) == 0
    assert (tmp_path / "a.csv").read_text() == (tmp_path / "b.csv").read_text()


def test_channels_lists_every_channel_and_how_it_is_abstracted(capsys):
    assert run(["link", "channels"]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()[1:-1]}
    assert list(lines)[:3] == ["awgn", "rayleigh-block", "rayleigh-fast"]
    assert " EESM " in lines["tdl-a"] and "TDL-A" in lines["tdl-a"]
    assert " table " in lines["rayleigh-block"] and " - " in lines["rayleigh-fast"]


def test_tdl_waterfall_point_and_bad_option(tmp_path, capsys):
    out = tmp_path / "t.csv"
    assert run(["link", "ber", "--channel", "tdl-b:doppler_hz=50", "--modulation", "qpsk", "--snr-db", "30",
                "--out", str(out), "--max-bits", "20000"]) == 0
    assert pd.read_csv(out).iloc[0]["ber"] < 0.01
    capsys.readouterr()
    assert run(["link", "ber", "--channel", "tdl-a:doppler_hz=-1", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].endswith("TDL doppler_hz must be a number >= 0, got -1.0") and len(err) == 1
