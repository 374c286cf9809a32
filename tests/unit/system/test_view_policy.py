import pytest
import torch

from semcom.errors import SemcomError
from semcom.system.view_policy import ViewPolicy


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize("k", [0, 1, 2, 4])
def test_random_sends_exactly_k_views_per_object(k):
    mask = ViewPolicy("random", k=k).mask(500, 4, gen())
    assert mask.dtype == torch.bool and mask.shape == (500, 4)
    assert (mask.sum(1) == k).all()


def test_random_is_uniform_over_views_and_reproducible():
    mask = ViewPolicy("random", k=1).mask(4000, 4, gen(1))
    share = mask.float().mean(0)
    assert torch.allclose(share, torch.full((4,), 0.25), atol=4 * (0.25 * 0.75 / 4000) ** 0.5)
    assert torch.equal(mask, ViewPolicy("random", k=1).mask(4000, 4, gen(1)))
    assert not torch.equal(mask, ViewPolicy("random", k=1).mask(4000, 4, gen(2)))


def test_schedule_rotates_across_batches():
    policy = ViewPolicy("schedule", k=2)
    a = policy.mask(2, 4, gen(), offset=0)
    b = policy.mask(2, 4, gen(), offset=2)
    assert a.tolist() == [[True, True, False, False], [False, True, True, False]]
    assert b.tolist() == [[False, False, True, True], [True, False, False, True]]


def test_fixed_and_drop():
    assert ViewPolicy("fixed", views=(0, 2)).mask(3, 4, gen()).tolist() == [[True, False, True, False]] * 3
    mask = ViewPolicy("drop", drop_ratio=0.3).mask(10_000, 4, gen())
    assert abs(1 - mask.float().mean().item() - 0.3) < 4 * (0.21 / 40_000) ** 0.5


@pytest.mark.parametrize("policy, message", [
    (lambda: ViewPolicy("sometimes", k=1), "unknown view policy"),
    (lambda: ViewPolicy("random"), "needs k >= 0"),
    (lambda: ViewPolicy("drop", drop_ratio=1.5), "drop ratio must be in"),
    (lambda: ViewPolicy("random", k=5).mask(1, 4, gen()), "cannot send k=5 of 4"),
    (lambda: ViewPolicy("fixed", views=(0, 7)).mask(1, 4, gen()), "out of range"),
])
def test_bad_policies(policy, message):
    with pytest.raises(SemcomError, match=message):
        policy()
