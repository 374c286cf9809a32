import math

import pytest
import torch

from semcom.errors import SemcomError
from semcom.system.quantiser import (
    QuantiserConfig,
    bits_to_levels,
    dequantise,
    levels_to_bits,
    quantise,
)


@pytest.mark.parametrize("bits", [2, 4, 8])
def test_in_range_error_matches_uniform_noise_theory(bits):
    config = QuantiserConfig(bits=bits, clip=4.0)
    g = torch.Generator().manual_seed(bits)
    z = (torch.rand(200_000, generator=g) * 2 - 1) * 3.99
    mse = (dequantise(quantise(z, config), config) - z).pow(2).mean().item()
    theory = config.step**2 / 12
    # MSE of n uniform errors: relative std of the estimate is sqrt(0.8 / n) ~ 0.2 %
    assert mse == pytest.approx(theory, rel=0.02)


def test_levels_clip_and_centre():
    config = QuantiserConfig(bits=3, clip=1.0)
    q = quantise(torch.tensor([-5.0, -1.0, 0.0, 0.99, 5.0]), config)
    assert q.tolist() == [0, 0, 4, 7, 7]
    assert dequantise(torch.tensor([0, 7]), config).tolist() == pytest.approx([-0.875, 0.875])


def test_bits_round_trip_msb_first():
    q = torch.tensor([[0, 5, 255], [128, 1, 7]])
    b = levels_to_bits(q, 8)
    assert b.shape == (2, 24)
    assert b[0, 8:16].tolist() == [0, 0, 0, 0, 0, 1, 0, 1]
    assert torch.equal(bits_to_levels(b, 8), q)


def test_rate_distortion_halves_step_per_bit():
    steps = [QuantiserConfig(bits=b).step for b in range(1, 9)]
    assert all(math.isclose(a / b, 2.0) for a, b in zip(steps, steps[1:]))


@pytest.mark.parametrize("kwargs", [{"bits": 0}, {"bits": 17}, {"clip": 0.0}])
def test_bad_configs_are_rejected(kwargs):
    with pytest.raises(SemcomError):
        QuantiserConfig(**kwargs)
