"""The worked examples of docs/extending.md, run as written there."""

import re
from pathlib import Path

import pytest
import torch

from semcom.plugins import load_plugin
from semcom.sweep.config import parse_experiment
from semcom.sweep.grid import expand
from semcom.sweep.runner import SweepContext, run_cell

DOC = Path(__file__).resolve().parents[2] / "docs" / "extending.md"
BLOCK = re.compile(r"^```python\n# (\S+\.py)\n(.*?)^```", re.MULTILINE | re.DOTALL)
EXAMPLES = {name: f"# {name}\n{body}" for name, body in BLOCK.findall(DOC.read_text())}


def test_every_section_has_its_example():
    assert set(EXAMPLES) == {"my_channel.py", "my_scheme.py", "my_imputer.py", "my_sampler.py", "my_dataset.py"}


@pytest.fixture(scope="module")
def plugins(tmp_path_factory):
    folder = tmp_path_factory.mktemp("plugins")
    for name, text in EXAMPLES.items():
        (folder / name).write_text(text)
        load_plugin(name, folder)
    return folder


#: the head of the examples' experiment files: 4 objects, the cheap metrics
HEADER = """
name = "x"
[data]
n_objects = 4
batch_size = 4
[metrics]
lpips = false
fd_clf = false
coherence = false
"""


def _context(text, tmp_path, n=4):
    from semcom.data import load_dataset

    context = SweepContext(parse_experiment(text, str(tmp_path / "x.toml")))
    context._cache["dataset"] = load_dataset("mvshapes", "test", n=n, progress=False, workers=1)
    return context


@pytest.mark.parametrize("snr_db", [0.0, 10.0])
def test_the_channel_keeps_the_contract(plugins, snr_db):
    from tests.unit.channels import test_ch_contract as contract

    contract.test_gains_have_the_shape_and_unit_average_power("rician-block-k3")
    contract.test_same_generator_state_same_realisation("rician-block-k3")
    contract.test_received_snr_follows_the_convention("rician-block-k3")
    contract.test_capacity_is_the_mean_of_log2_1_plus_snr_gain("rician-block-k3", snr_db)
    from channels.registry import get_channel

    channel = get_channel("rician-block-k3")
    rate = channel.bound_rate(10.0)
    assert float(channel.outage_probability(rate, 10.0)) == pytest.approx(0.01, rel=1e-6)
    # K = 3 fades less than Rayleigh: a higher 1 %-outage rate at the same SNR
    assert rate > get_channel("rayleigh-block").bound_rate(10.0)


def test_the_scheme_trades_channel_uses_for_fewer_lost_views(plugins, tmp_path):
    text = HEADER + """[defaults]
codec = "png"
mcs = "qpsk-1/2"
channel = "rayleigh-block"
snr_db = 4.0
link_mode = "abstraction"
[[grid]]
scheme = ["bitexact", "repetition"]
"""
    context = _context(text, tmp_path)
    once, twice = (run_cell(c, context) for c in expand(context.config))
    assert twice["channel_uses_per_object"] == 2 * once["channel_uses_per_object"]
    assert twice["view_loss_rate"] < once["view_loss_rate"]


def test_the_imputer_copies_the_nearest_observed_view(plugins, tmp_path):
    from semcom.system.imputers import load_imputer

    imputer = load_imputer("copy-nearest", "mvshapes")
    views = torch.rand(2, 4, 3, 8, 8)
    observed = torch.tensor([[True, False, False, False], [False, False, True, True]])
    out = imputer.impute(views, observed, torch.Generator())
    assert torch.equal(out[0, 1], views[0, 0]) and torch.equal(out[0, 3], views[0, 0])
    assert torch.equal(out[1, 0], views[1, 2]) and torch.equal(out[1, 3], views[1, 3])
    text = HEADER + """[[grid]]
scheme = "hybrid"
imputer = "copy-nearest"
codec = "png"
mcs = "qpsk-1/2"
views_sent = 2
snr_db = 20.0
"""
    context = _context(text, tmp_path)
    row = run_cell(expand(context.config)[0], context)
    assert row["view_loss_rate"] == 0.0 and row["psnr"] > 8.0


def test_the_sampler_runs_in_the_imputer_and_counts_its_passes(plugins):
    from semcom.diffusion.samplers import expected_nfe
    from semcom.models.imputer import MVLDImputer
    from tests.unit.system.test_schemes import tiny_imputer

    parts = tiny_imputer()
    imputer = MVLDImputer(parts.autoencoder, parts.score_net, parts.stats, sampler="dpmpp_1_sde", steps=3,
                          guidance=0.0)
    views = torch.rand(2, 4, 3, 32, 32)
    observed = torch.tensor([[True, False, False, False]] * 2)
    a = imputer.impute(views, observed, torch.Generator().manual_seed(0))
    b = imputer.impute(views, observed, torch.Generator().manual_seed(0))
    c = imputer.impute(views, observed, torch.Generator().manual_seed(1))
    assert torch.equal(a, b) and not torch.equal(a, c)  # stochastic, seeded
    assert torch.equal(a[:, 0], views[:, 0])  # observed views are kept
    assert imputer.last_nfe == expected_nfe("dpmpp_1_sde", 3) == 4


def test_the_dataset_builds_object_i_from_seed_split_and_i(plugins, isolated_cache):
    from semcom.data import load_dataset

    small = load_dataset("stripes", "test", n=4, progress=False)
    large = load_dataset("stripes", "test", n=16, progress=False)
    assert small.images.shape == (4, 2, 3, 16, 16)
    assert torch.equal(small.images, large.images[:4]) and torch.equal(small.labels, large.labels[:4])
    assert set(large.labels.tolist()) == {0, 1}
