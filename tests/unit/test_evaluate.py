import torch

from semcom.evaluate import copy_nearest, random_observed


def test_random_observed_has_k_views_per_row_and_is_seeded():
    g = lambda: torch.Generator().manual_seed(3)  # noqa: E731
    mask = random_observed(1000, 4, 2, g())
    assert (mask.sum(1) == 2).all()
    assert torch.equal(mask, random_observed(1000, 4, 2, g()))
    share = mask.float().mean(0)
    assert torch.allclose(share, torch.full((4,), 0.5), atol=0.07)


def test_copy_nearest_takes_the_closest_azimuth_with_ties_to_the_lower_index():
    views = torch.arange(4.0).reshape(1, 4, 1, 1, 1).expand(2, 4, 1, 2, 2).clone()
    observed = torch.tensor([[True, False, False, False], [False, True, False, True]])
    out = copy_nearest(views, observed)[:, :, 0, 0, 0]
    assert out[0].tolist() == [0, 0, 0, 0]  # only view 0 known
    # view 0 is 1 step from views 1 and 3 (circular): tie -> view 1; view 2 likewise -> 1
    assert out[1].tolist() == [1, 1, 1, 3]


def test_table_rows_cover_every_method_and_observed_count(isolated_cache):
    import math

    from semcom.evaluate import EvaluateConfig, evaluate_imputer
    from tests.unit.system.test_schemes import tiny_imputer

    rows = evaluate_imputer(tiny_imputer(), EvaluateConfig(n=4, batch_size=4, lpips=False, mean_objects=8), progress=False)
    keys = {(r["method"], r["observed_views"]) for r in rows}
    assert keys == {(m, k) for m in ("mvld", "copy_nearest", "mean_image") for k in (1, 2, 3)} | {("reconstruction", 4)}
    for r in rows:
        assert 0.0 <= r["coherence"] <= 1.0 and math.isfinite(r["psnr"])
        assert r["n_images"] == (4 * 4 if r["method"] == "reconstruction" else 4 * (4 - r["observed_views"]))
    assert all(r["nfe"] > 0 for r in rows if r["method"] == "mvld")
