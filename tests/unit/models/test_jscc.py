"""DeepJSCC (semcom.models.jscc): power normalisation, SNR side information, the channel pass,
checkpoints and the training loop."""

import math

import pytest
import torch

from semcom.errors import SemcomError
from semcom.models.jscc import DeepJSCC, JSCCConfig, SNRAttention, unit_power
from semcom.models.train_jscc import (
    VALIDATION_POINTS,
    JSCCTrainConfig,
    jscc_loss,
    through_channel,
    train_jscc,
)

SMALL = dict(widths=(8, 8, 8), groups=4)


def model(symbols=64, **kw):
    torch.manual_seed(0)
    return DeepJSCC(JSCCConfig(symbols=symbols, **SMALL, **kw))


def test_symbols_must_fill_the_last_feature_map():
    assert JSCCConfig(symbols=64).code_channels == 8  # 128 real values on a 4x4 map
    assert JSCCConfig(symbols=512).bandwidth_ratio == pytest.approx(512 / 3072)
    with pytest.raises(SemcomError, match="symbols = 100 .*allowed: multiples of 8"):
        JSCCConfig(symbols=100)
    with pytest.raises(SemcomError, match="snr_min_db"):
        JSCCConfig(snr_min_db=10.0, snr_max_db=0.0)


def test_encoder_output_has_unit_average_symbol_power_per_view():
    z = model().encode(torch.rand(5, 3, 32, 32), 10.0)
    assert z.shape == (5, 128)
    power = (z**2).sum(dim=1) / 64  # |s|^2 = z[2i]^2 + z[2i+1]^2, averaged over 64 symbols
    torch.testing.assert_close(power, torch.ones(5))
    torch.testing.assert_close(unit_power(3.0 * z), z)


def test_snr_side_information_is_clipped_to_the_training_range():
    m = model(snr_min_db=-5.0, snr_max_db=25.0)
    side = m.side_information(torch.tensor([-20.0, -5.0, 10.0, 25.0, 40.0]), 5)
    torch.testing.assert_close(side[:, 0], torch.tensor([0.0, 0.0, 0.5, 1.0, 1.0]))
    with pytest.raises(SemcomError, match="one value per view"):
        m.side_information(torch.zeros(3), 5)


def test_attention_starts_as_a_constant_half_scale_for_every_snr():
    att = SNRAttention(8)
    x = torch.randn(2, 8, 4, 4)
    for snr in (0.0, 1.0):
        torch.testing.assert_close(att(x, torch.full((2, 1), snr)), x / 2)


def test_noiseless_awgn_pass_equals_decoding_what_was_sent():
    """LMMSE with N0 -> 0 returns the sent symbols, so the channel pass is the plain autoencoder."""
    m = model().eval()
    x = torch.rand(3, 3, 32, 32)
    snr = torch.full((3,), 120.0)
    with torch.no_grad():
        through = through_channel(m, x, "awgn", snr, torch.Generator().manual_seed(0))
        direct = m.decode(m.encode(x, snr), snr)
    torch.testing.assert_close(through, direct, atol=1e-5, rtol=0)
    assert float(through.min()) >= 0.0 and float(through.max()) <= 1.0


def test_checkpoint_round_trip_and_half_export(tmp_path):
    from semcom.models.checkpoint import load_jscc, save_jscc
    from semcom.models.export import export_checkpoint

    m = model().eval()
    save_jscc(tmp_path / "jscc", m, {"note": "test"})
    export_checkpoint(tmp_path / "jscc", tmp_path / "half", half=True)
    x = torch.rand(2, 3, 32, 32)
    with torch.no_grad():
        want = m.decode(m.encode(x, 5.0), 5.0)
        for name in ("jscc", "half"):
            loaded, meta = load_jscc(tmp_path / name, channels=3, image_size=32)
            got = loaded.decode(loaded.encode(x, 5.0), 5.0)
            torch.testing.assert_close(got, want, atol=0 if name == "jscc" else 2e-2, rtol=0)
    with pytest.raises(SemcomError, match="image size 32, the data has 28"):
        load_jscc(tmp_path / "jscc", image_size=28)


def test_training_logs_every_validation_point_and_resumes(tmp_path):
    gen = torch.Generator().manual_seed(0)
    images = torch.randint(0, 256, (6, 4, 3, 16, 16), dtype=torch.uint8, generator=gen)
    config = JSCCTrainConfig(symbols=16, widths=(8, 8), groups=4, batch_size=4, steps=2, val_every=1,
                             checkpoint_every=1, threads=1, object_weight=1.0)
    path = train_jscc(config, images, images[:2], tmp_path, progress=False)
    assert path.name == "jscc.safetensors"
    log = (tmp_path / "train_log.csv").read_text().splitlines()
    assert log[0].split(",")[2:6] == list(VALIDATION_POINTS.values())
    assert len(log) == 3 and all(math.isfinite(float(v)) for v in log[-1].split(",")[1:])
    longer = JSCCTrainConfig(**{**config.__dict__, "steps": 3})
    train_jscc(longer, images, images[:2], tmp_path, progress=False)  # resumes at step 2
    assert [r.split(",")[0] for r in (tmp_path / "train_log.csv").read_text().splitlines()[1:]] == ["1", "2", "3"]


def test_training_config_names_what_is_allowed():
    with pytest.raises(SemcomError, match="channels"):
        JSCCTrainConfig(channels=("awgn", "no-such-channel"))
    with pytest.raises(SemcomError, match="split evenly"):
        JSCCTrainConfig(batch_size=5)


def test_loss_charges_a_grey_object_for_its_colour():
    """On a white view with a small red object, a grey object costs little squared error; the
    CIELAB term and the object weight make it cost as much as it looks."""
    views = torch.ones(1, 3, 8, 8)
    views[:, :, 3:5, 3:5] = torch.tensor([0.9, 0.1, 0.1])[:, None, None]
    grey = views.clone()
    grey[:, :, 3:5, 3:5] = 0.5
    plain = JSCCTrainConfig(lab_weight=0.0, object_weight=1.0)
    colour = JSCCTrainConfig()
    white = (1.0, 1.0, 1.0)
    assert float(jscc_loss(views, views, colour, white)) == 0.0
    mse = float(jscc_loss(grey, views, plain, white))
    assert mse == pytest.approx(float(((grey - views) ** 2).mean()))
    assert float(jscc_loss(grey, views, colour, white)) > 5 * mse
    with pytest.raises(SemcomError, match="uniform background"):
        jscc_loss(grey, views, colour, None)
