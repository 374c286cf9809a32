"""Object-aware metrics against closed forms: psnr_fg over object pixels, CIEDE2000 of greys."""

from __future__ import annotations

import math

import pytest
import torch

from semcom.errors import SemcomError
from semcom.metrics.accumulate import ImageMetrics, ImageMetricsConfig
from semcom.metrics.objects import FOREGROUND_THRESHOLD, delta_e, foreground_mask, psnr_fg
from semcom.metrics.pixel import PSNR_CAP_DB

WHITE = (1.0, 1.0, 1.0)


def _scene(n: int = 3, side: int = 16, colour=(0.8, 0.2, 0.1)) -> torch.Tensor:
    """White views with a coloured square of 6x6 pixels (36 object pixels)."""
    x = torch.ones(n, 3, side, side)
    x[:, :, 5:11, 5:11] = torch.tensor(colour)[:, None, None]
    return x


def _srgb_grey_lightness(v: float) -> float:
    """CIE L* of the sRGB grey (v, v, v): linearise, Y = linear value, L* = 116 f(Y) - 16."""
    lin = v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4
    f = lin ** (1 / 3) if lin > (6 / 29) ** 3 else lin / (3 * (6 / 29) ** 2) + 4 / 29
    return 116 * f - 16


def test_foreground_is_any_channel_further_than_the_threshold_from_the_background():
    x = torch.ones(1, 3, 4, 4)
    x[0, 2, 0, 0] = 1 - FOREGROUND_THRESHOLD - 1e-3  # one channel just past the threshold
    x[0, :, 1, 1] = 1 - FOREGROUND_THRESHOLD + 1e-3  # all channels just inside
    mask = foreground_mask(x, WHITE)
    assert mask[0, 0, 0] and not mask[0, 1, 1] and int(mask.sum()) == 1


def test_exact_copy_is_capped_and_has_no_colour_error():
    x = _scene()
    assert torch.allclose(psnr_fg(x, x.clone(), WHITE), torch.full((3,), PSNR_CAP_DB))
    assert torch.allclose(delta_e(x, x.clone(), WHITE), torch.zeros(3), atol=1e-6)


def test_psnr_fg_ignores_the_background_and_is_minus_20_log10_of_an_object_offset():
    x = _scene()
    y = x.clone()
    y[:, :, :2] = 0.0  # ruin background rows: no effect on object pixels
    d = 0.05
    y[:, :, 5:11, 5:11] -= d
    assert torch.allclose(psnr_fg(x, y, WHITE), torch.full((3,), -20 * math.log10(d)), atol=1e-4)
    # whole-image PSNR would have seen the background damage
    assert psnr_fg(x, y, WHITE)[0] > -20 * math.log10(d) - 1e-3


def test_delta_e_of_two_greys_is_the_ciede2000_lightness_term():
    # for neutral colours a* = b* = 0: CIEDE2000 = |dL| / S_L, S_L = 1 + 0.015 (Lm - 50)^2 /
    # sqrt(20 + (Lm - 50)^2) (Sharma, Wu and Dalal 2005, eq. 14 with dC = dH = 0)
    for a, b in ((0.5, 0.6), (0.2, 0.25), (0.7, 0.4)):
        x = _scene(1, colour=(a, a, a))
        y = _scene(1, colour=(b, b, b))
        la, lb = _srgb_grey_lightness(a), _srgb_grey_lightness(b)
        lm = (la + lb) / 2
        s_l = 1 + 0.015 * (lm - 50) ** 2 / math.sqrt(20 + (lm - 50) ** 2)
        assert delta_e(x, y, WHITE).item() == pytest.approx(abs(la - lb) / s_l, rel=1e-4)


def test_a_view_without_object_pixels_is_nan_and_skipped_by_the_average():
    x = _scene(2)
    x[1] = 1.0
    assert torch.isnan(psnr_fg(x, x * 0.9, WHITE)[1]) and torch.isnan(delta_e(x, x, WHITE)[1])
    meter = ImageMetrics(ImageMetricsConfig(metrics=("psnr_fg", "delta_e"), background=WHITE))
    meter.update(x, x.clone())
    out = meter.compute()
    assert out["psnr_fg"] == pytest.approx(PSNR_CAP_DB) and out["delta_e"] == pytest.approx(0.0, abs=1e-6)


def test_object_metrics_need_a_background_colour():
    with pytest.raises(SemcomError, match="uniform background"):
        ImageMetricsConfig(metrics=("psnr", "delta_e"))
    with pytest.raises(SemcomError, match="uniform background"):
        psnr_fg(_scene(), _scene(), None)
    with pytest.raises(SemcomError, match="does not fit"):
        delta_e(_scene(), _scene(), (1.0, 1.0))
