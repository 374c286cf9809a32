"""The bundled DeepJSCC models: found by symbols per view, and they transmit views (quality
degrades gracefully with the SNR)."""

import pytest
import torch

from semcom.errors import SemcomError
from semcom.system.jscc_models import available_symbols, jscc_checkpoint, load_jscc_model


def test_three_bandwidths_are_bundled_for_mvshapes():
    assert {64, 192, 512} <= set(available_symbols("mvshapes", 32))
    assert jscc_checkpoint("mvshapes", 32, 192).name == "jscc_s192"
    with pytest.raises(SemcomError, match="jscc_symbols = 100 .*allowed: .*64, .*192, .*512"):
        jscc_checkpoint("mvshapes", 32, 100)


def test_bundled_model_degrades_gracefully_with_the_snr(isolated_cache):
    from semcom.data import load_dataset
    from semcom.models.train_jscc import through_channel

    model = load_jscc_model("mvshapes", 32, 192)
    assert model.config.symbols == 192
    views = load_dataset("mvshapes", "test", n=8, progress=False, workers=1).images[:, 0].float() / 255
    psnr = {}
    with torch.no_grad():
        for snr in (-5.0, 5.0, 20.0):
            decoded = through_channel(model, views, "awgn", torch.full((8,), snr), torch.Generator().manual_seed(0))
            psnr[snr] = float(-10 * torch.log10(((decoded - views) ** 2).mean()))
    assert psnr[-5.0] < psnr[5.0] < psnr[20.0]
    assert psnr[-5.0] > 15.0 and psnr[20.0] > 22.0  # no cliff: still the object at -5 dB
