"""A channel added in one new file, named in the experiment's plugins, runs in a sweep cell."""

import pytest

from channels.registry import channel_names
from semcom.errors import SemcomError
from semcom.sweep.config import parse_experiment
from semcom.sweep.grid import expand
from semcom.sweep.runner import SweepContext, run_cell

#: the whole of the user's new file
TOY_CHANNEL = '''
import numpy as np

from channels.contract import Channel, Fading
from channels.registry import register_channel


@register_channel
class HalfGain(Channel):
    name = "toy-half-gain"
    description = "a fixed gain of 1/2: 6 dB of path loss"
    fading = "none"

    def draw_gains(self, shape, generator, *, block_index=None, block_gains=None):
        import torch

        return Fading(torch.full(shape, 0.5, dtype=torch.complex64))

    def capacity(self, snr):
        return np.log2(1.0 + 0.25 * np.asarray(snr, dtype=float))
'''

TEXT = """
name = "toy"
plugins = ["toy_channel.py"]
[data]
n_objects = 2
batch_size = 2
[metrics]
lpips = false
fd_clf = false
coherence = false
[defaults]
mcs = "qpsk-1/2"
codec = "png"
[[grid]]
scheme = "bitexact"
channel = ["awgn", "toy-half-gain"]
link_mode = ["full", "abstraction"]
snr_db = 4.0
"""


@pytest.fixture
def experiment(tmp_path, isolated_cache):
    (tmp_path / "toy_channel.py").write_text(TOY_CHANNEL)
    config = parse_experiment(TEXT, str(tmp_path / "toy.toml"))
    context = SweepContext(config)
    from semcom.data import load_dataset

    context._cache["dataset"] = load_dataset("mvshapes", "test", n=2, progress=False, workers=1)
    return config, context


def test_the_plugin_channel_is_registered_and_swept(experiment):
    config, context = experiment
    assert "toy-half-gain" in channel_names()
    cells = expand(config)
    assert [(c.channel, c.link_mode) for c in cells] == [
        ("awgn", "full"), ("awgn", "abstraction"), ("toy-half-gain", "full"), ("toy-half-gain", "abstraction")]
    rows = [run_cell(c, context) for c in cells]
    # QPSK rate 1/2 decodes at 4 dB; 6 dB of path loss (-2 dB) loses every view, in both link modes
    assert [r["view_loss_rate"] for r in rows] == [0.0, 0.0, 1.0, 1.0]
    assert rows[0]["channel_uses_per_object"] == rows[2]["channel_uses_per_object"]


def test_an_unknown_channel_names_the_registered_ones(tmp_path):
    text = TEXT.replace('plugins = ["toy_channel.py"]\n', "").replace('"toy-half-gain"', '"toy-missing"')
    with pytest.raises(SemcomError, match="allowed: awgn, rayleigh-block, rayleigh-fast"):
        parse_experiment(text, str(tmp_path / "toy.toml"))


def test_a_missing_plugin_file_is_one_line(tmp_path):
    with pytest.raises(SemcomError, match="plugin file .*missing.py does not exist"):
        parse_experiment(TEXT.replace("toy_channel.py", "missing.py"), str(tmp_path / "toy.toml"))


def test_a_registered_scheme_takes_the_axes_it_names():
    from semcom.sweep.axes import scheme_axes
    from semcom.sweep.schemes import _REGISTERED, SCHEME_RUNNERS, register_scheme

    try:
        register_scheme("toy-own-axes", "toy:run", axes=("snr_db", "codec", "channel"))
        assert scheme_axes("toy-own-axes") == ["channel", "snr_db", "codec"]  # in table order
        register_scheme("toy-bad-axes", "toy:run", axes=("codec", "colour"))
        with pytest.raises(SemcomError, match="scheme 'toy-bad-axes': unknown axis 'colour'; allowed: scheme"):
            scheme_axes("toy-bad-axes")
        with pytest.raises(SemcomError, match="is a built-in scheme"):
            register_scheme("bitexact", "toy:run", like="bitexact")
    finally:
        for name in ("toy-own-axes", "toy-bad-axes"):
            SCHEME_RUNNERS.pop(name, None)
            _REGISTERED.pop(name, None)
