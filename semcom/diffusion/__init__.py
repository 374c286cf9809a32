"""Multi-time masked latent diffusion: the VP SDE, masked training loss, schedules, samplers."""

from semcom.diffusion.masked import (
    masked_diffusion_loss,
    multi_time,
    sample_observed_mask,
    sample_training_times,
)
from semcom.diffusion.samplers import (
    SAMPLERS,
    NFECounter,
    denoiser_from_score_net,
    expected_nfe,
    get_sampler,
)
from semcom.diffusion.schedules import SCHEDULES, make_schedule
from semcom.diffusion.sde import VPSDE

__all__ = [
    "SAMPLERS",
    "SCHEDULES",
    "VPSDE",
    "NFECounter",
    "denoiser_from_score_net",
    "expected_nfe",
    "get_sampler",
    "make_schedule",
    "masked_diffusion_loss",
    "multi_time",
    "sample_observed_mask",
    "sample_training_times",
]
