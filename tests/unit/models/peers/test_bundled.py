"""Acceptance of the bundled VAEs on mvshapes (slow: loads the test split and the classifier)."""

import pytest
import torch

from semcom.errors import SemcomError
from semcom.system.imputers import IMPUTERS, load_imputer, peer_folder


@pytest.mark.slow
@pytest.mark.parametrize("method", [m for m in IMPUTERS if m != "mvld"])
def test_bundled_vae_is_a_fair_baseline(method):
    from semcom.evaluate import EvaluateConfig, evaluate_imputer
    from semcom.metrics.classifier import load_classifier

    if not (peer_folder(method, "mvshapes", 32) / f"{method}.json").is_file():
        pytest.skip(f"no bundled {method} for mvshapes")
    torch.set_num_threads(1)
    try:
        classifier = load_classifier("mvshapes", 32)
    except SemcomError as err:
        pytest.skip(str(err))
    config = EvaluateConfig(n=200, observed_views=(1, 4), baselines=False, lpips=False, classifier=classifier)
    rows = evaluate_imputer(load_imputer(method, "mvshapes", size=32), config, method=method,
                            reconstruction=False, progress=False)
    by_k = {r["observed_views"]: r["coherence"] for r in rows}
    assert by_k[4] >= 0.9  # reconstructions with all views observed keep the class
    assert by_k[1] >= 0.5  # far above chance (1/13) from one view
