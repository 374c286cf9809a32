import pytest
import torch

from semcom.diffusion.guidance import check_guidance, joint_guided_denoiser
from semcom.diffusion.samplers import NFECounter, sample_dpmpp_2m_sde
from semcom.diffusion.schedules import make_schedule
from semcom.diffusion.sde import VPSDE
from semcom.errors import SemcomError

B, V, D = 5, 3, 4


def _inputs():
    g = torch.Generator().manual_seed(0)
    observed = torch.tensor([[True, False, False]] * 3 + [[True, True, False]] * 2)
    known = torch.randn(B, V, D, generator=g)
    x = torch.randn(B, V, D, generator=g)
    return observed, known, x


def _probe(x, tau):
    """A denoiser whose output records its inputs: x + 10 tau (per view)."""
    return x + 10.0 * tau[..., None]


def test_zero_weight_is_the_plain_denoiser():
    observed, known, _ = _inputs()
    assert joint_guided_denoiser(_probe, 0.0, observed_mask=observed, known=known, generator=None) is _probe


def test_guided_output_is_cond_plus_w_times_cond_minus_joint():
    """With the probe D(x, tau) = x + 10 tau the two branches differ, on a missing view, only by
    the times: cond has tau_v = t as joint has, so the missing views' x and tau agree and
    D_guided = D_cond there; the joint branch's observed views are noised knowns at time t."""
    observed, known, x = _inputs()
    t = 0.4
    tau = torch.where(observed, 0.0, t)
    calls = []

    def recording(xx, tt):
        calls.append((xx.clone(), tt.clone()))
        return _probe(xx, tt)

    w = 1.5
    guided = joint_guided_denoiser(recording, w, observed_mask=observed, known=known,
                                   generator=torch.Generator().manual_seed(3))
    out = guided(x, tau)
    (x_cond, tau_cond), (x_joint, tau_joint) = calls
    assert torch.equal(x_cond, x) and torch.equal(tau_cond, tau)
    assert torch.equal(tau_joint, torch.full_like(tau, t))  # every view at the missing views' time
    # the joint branch noises the observed views exactly as VPSDE.perturb does with that generator
    expected, _ = VPSDE().perturb(known, torch.full_like(tau, t), torch.Generator().manual_seed(3))
    keep = observed[..., None].expand_as(x)
    assert torch.allclose(x_joint[keep], expected[keep])
    assert torch.equal(x_joint[~keep], x[~keep])
    cond, joint = _probe(x, tau), _probe(x_joint, tau_joint)
    assert torch.allclose(out[~keep], (cond + w * (cond - joint))[~keep])
    assert torch.equal(out[keep], cond[keep])


def test_guidance_pushes_missing_views_away_from_the_joint_estimate():
    """Two denoisers that disagree by a constant: guidance moves the estimate by w times the gap."""
    observed, known, x = _inputs()

    def denoiser(xx, tt):  # conditional calls (some tau = 0) say 1, joint calls say 0
        return torch.ones_like(xx) * (tt == 0).any(dim=1)[:, None, None]

    tau = torch.where(observed, 0.0, 0.5)
    for w in (0.5, 2.0):
        out = joint_guided_denoiser(denoiser, w, observed_mask=observed, known=known,
                                    generator=torch.Generator().manual_seed(0))(x, tau)
        assert torch.allclose(out[~observed], torch.full_like(out[~observed], 1.0 + w))


def test_a_guided_sampler_makes_two_network_passes_per_call():
    observed, known, _ = _inputs()
    counter = NFECounter(lambda xx, tt: torch.zeros_like(xx))
    g = torch.Generator().manual_seed(0)
    guided = joint_guided_denoiser(counter, 1.0, observed_mask=observed, known=known, generator=g)
    steps = 6
    sample_dpmpp_2m_sde(guided, torch.randn(B, V, D, generator=g), make_schedule("logsnr_uniform", steps),
                        observed_mask=observed, known=known, generator=g)
    assert counter.nfe == 2 * (steps + 1)


@pytest.mark.parametrize("bad", [-0.1, 21.0, float("nan")])
def test_bad_weights_give_one_line_errors(bad):
    with pytest.raises(SemcomError, match=r"guidance weight must be in \[0, 20\]"):
        check_guidance(bad)
    observed, known, _ = _inputs()
    with pytest.raises(SemcomError, match="seeded torch.Generator"):
        joint_guided_denoiser(_probe, 1.0, observed_mask=observed, known=known, generator=None)


def test_guidance_interval_guides_only_calls_at_or_below_max_t():
    """Calls above max_t are the plain conditional denoiser (one pass); at or below, guided."""
    observed, known, x = _inputs()

    def denoiser(xx, tt):  # conditional calls say 1, joint calls say 0
        return torch.ones_like(xx) * (tt == 0).any(dim=1)[:, None, None]

    w, max_t = 2.0, 0.5
    counter = NFECounter(denoiser)
    guided = joint_guided_denoiser(counter, w, max_t=max_t, observed_mask=observed, known=known,
                                   generator=torch.Generator().manual_seed(0))
    for t, want, passes in ((0.9, 1.0, 1), (0.5, 1.0 + w, 2), (0.2, 1.0 + w, 2)):
        counter.nfe = 0
        out = guided(x, torch.where(observed, 0.0, t))
        assert torch.allclose(out[~observed], torch.full_like(out[~observed], want)) and counter.nfe == passes
    # samples at different times in one call: only those at or below max_t are guided
    tau = torch.where(observed, 0.0, torch.tensor([0.9, 0.3, 0.9, 0.3, 0.9])[:, None])
    out = guided(x, tau)
    low = tau.max(dim=1).values <= max_t
    assert torch.allclose(out[low][~observed[low]], torch.tensor(1.0 + w))
    assert torch.allclose(out[~low][~observed[~low]], torch.tensor(1.0))


@pytest.mark.parametrize("sampler,steps,max_t", [("dpmpp_2m_sde", 13, 0.75), ("heun", 5, 0.4),
                                                 ("euler_maruyama", 7, 0.0), ("ddim", 4, 1.0)])
def test_counted_passes_match_expected_nfe_with_an_interval(sampler, steps, max_t):
    from semcom.diffusion.samplers import expected_nfe, get_sampler

    observed, known, _ = _inputs()
    counter = NFECounter(lambda xx, tt: torch.zeros_like(xx))
    g = torch.Generator().manual_seed(0)
    schedule = make_schedule("logsnr_uniform", steps)
    guided = joint_guided_denoiser(counter, 1.0, max_t=max_t, observed_mask=observed, known=known, generator=g)
    get_sampler(sampler)(guided, torch.randn(B, V, D, generator=g), schedule, observed_mask=observed,
                         known=known, generator=g)
    assert counter.nfe == expected_nfe(sampler, steps, 1.0, guidance_max_t=max_t, schedule=schedule)
    if max_t == 0.0:  # no call is guided
        assert counter.nfe == expected_nfe(sampler, steps)


@pytest.mark.parametrize("bad", [-0.1, 1.5, float("nan")])
def test_bad_interval_bounds_give_one_line_errors(bad):
    from semcom.diffusion.guidance import check_guidance_max_t

    with pytest.raises(SemcomError, match=r"guidance_max_t must be in \[0, 1\]"):
        check_guidance_max_t(bad)
