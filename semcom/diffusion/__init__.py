"""Multi-time masked latent diffusion: the VP SDE, masked training loss, schedules, samplers.

Train (one step; z: [B, V, D] standardised latents, net(z_t, tau) -> -eps)::

    g = torch.Generator().manual_seed(0)
    observed = sample_observed_mask(B, V, g, joint_prob=0.2)      # [B, V] bool, per sample
    loss = masked_diffusion_loss(net, z, observed, sample_training_times(B, g), g)

Sample the missing views given the observed ones (observed latents come back unchanged)::

    denoiser = NFECounter(denoiser_from_score_net(net))
    x_init = VPSDE().prior_sample(z.shape, g)
    z_hat = get_sampler("dpmpp_2m_sde")(denoiser, x_init, make_schedule("logsnr_uniform", 24),
                                        observed_mask=observed, known=z, generator=g)
    denoiser.nfe  # 25 network evaluations per sample
"""

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
