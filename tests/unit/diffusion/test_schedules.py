import pytest
import torch

from semcom.diffusion.schedules import karras, logsnr_uniform, make_schedule, time_uniform
from semcom.diffusion.sde import VPSDE
from semcom.errors import SemcomError


@pytest.mark.parametrize("fn", [time_uniform, logsnr_uniform, karras])
def test_endpoints_and_monotone(fn):
    t = fn(10, t_min=1e-3, t_max=1.0)
    assert t.shape == (11,)
    assert t[0].item() == pytest.approx(1.0) and t[-1].item() == pytest.approx(1e-3)
    assert torch.all(t[1:] < t[:-1])


def test_logsnr_uniform_is_uniform_in_log_snr():
    lam = -torch.log(VPSDE().sigma(logsnr_uniform(8).double()))
    steps = lam[1:] - lam[:-1]
    assert torch.allclose(steps, steps.mean().expand_as(steps), rtol=1e-4)


def test_bad_schedule_arguments():
    with pytest.raises(SemcomError, match="steps"):
        time_uniform(0)
    with pytest.raises(SemcomError, match="t_min"):
        logsnr_uniform(5, t_min=0.0)
    with pytest.raises(SemcomError, match="allowed: time_uniform, logsnr_uniform, karras"):
        make_schedule("cosine", 5)
