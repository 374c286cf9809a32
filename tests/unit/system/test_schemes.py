"""End-to-end cells with a tiny untrained MVLD imputer: accounting, loss handling, determinism.

Quality needs trained models; these tests check what must hold for any model.
"""

import math

import pytest
import torch

from channels.mcs import mcs_by_name
from semcom.models.autoencoder import AutoencoderConfig, LatentStats, MultiViewAutoencoder
from semcom.models.imputer import MVLDImputer
from semcom.models.score_net import ScoreNet, ScoreNetConfig
from semcom.sampler_defaults import DEFAULT_GUIDANCE
from semcom.sweep.config import parse_experiment
from semcom.sweep.grid import Cell
from semcom.sweep.runner import SweepContext, run_cell
from semcom.system.packet_link import PacketLink, fitted_codeword_bits
from semcom.system.receiver import MISSING_FILL

D = 16


def tiny_imputer(views=4):
    torch.manual_seed(0)
    ae = MultiViewAutoencoder(AutoencoderConfig(views=views, channels=3, image_size=32, latent_dim=D,
                                                widths=(8, 8, 8)))
    net = ScoreNet(ScoreNetConfig(views=views, latent_dim=D, width=32, levels=1, time_dim=16, groups=4))
    stats = LatentStats(mean=torch.zeros(views, D), std=torch.ones(views, D))
    return MVLDImputer(ae, net, stats, steps=3)


TEXT = """
name = "t"
[data]
n_objects = 4
batch_size = 4
[metrics]
lpips = false
fd_clf = false
coherence = false
[[grid]]
scheme = "semantic"
"""


@pytest.fixture
def context(isolated_cache):
    ctx = SweepContext(parse_experiment(TEXT))
    imputer = tiny_imputer()
    for sampler, steps in (("dpmpp_2m", 24), ("dpmpp_2m", 3)):
        ctx._cache[("imputer", "mvld", sampler, steps, DEFAULT_GUIDANCE)] = imputer
    from semcom.data import load_dataset

    ctx._cache["dataset"] = load_dataset("mvshapes", "test", n=4, progress=False, workers=1)
    return ctx


def semantic(**kw):
    base = dict(scheme="semantic", channel="awgn", snr_db=30.0, views_sent=4, view_policy="random", seed=0,
                bits_per_value=8, transmission="digital", link_mode="full", mcs="qpsk-1/2",
                imputer="mvld", sampler="dpmpp_2m", steps=3)
    base.update(kw)
    return Cell(**base)


def bitexact(**kw):
    base = dict(scheme="bitexact", channel="awgn", snr_db=30.0, views_sent=4, view_policy="random", seed=0,
                link_mode="full", mcs="qpsk-1/2", codec="png", quality=75)
    base.update(kw)
    return Cell(**base)


def test_sending_k_of_v_views_uses_k_over_v_of_the_channel(context):
    rows = {k: run_cell(semantic(views_sent=k), context) for k in (1, 2, 4)}
    link = PacketLink(mcs_by_name("qpsk-1/2"), k=fitted_codeword_bits(D * 8))
    per_view = link.channel_uses(D * 8)
    assert per_view == (D * 8 + 24) * 2 // 2  # one codeword, rate 1/2, 2 bits per symbol: no padding
    for k, row in rows.items():
        assert row["channel_uses_per_object"] == k * per_view
        assert row["bits_per_object"] == k * D * 8
        assert row["bandwidth_ratio"] == pytest.approx(k * per_view / (4 * 3 * 32 * 32))
    assert rows[2]["channel_uses_per_object"] / rows[4]["channel_uses_per_object"] == 0.5


def test_clean_link_delivers_every_view_and_all_views_sent_needs_no_sampling(context):
    row = run_cell(semantic(), context)
    assert row["view_loss_rate"] == 0.0 and row["ber"] == 0.0 and row["nfe"] == 0
    dropped = run_cell(semantic(views_sent=2), context)
    assert dropped["nfe"] > 0


def test_bitexact_counts_real_file_sizes_plus_crc_and_padding(context):
    from semcom.system.codecs import CodecConfig, encode
    from semcom.system.transmitter import to_uint8

    row = run_cell(bitexact(), context)
    ds = context._cache["dataset"]
    link = PacketLink(mcs_by_name("qpsk-1/2"))
    pixels = to_uint8(ds.batch(slice(0, 4))[0])
    files = [encode(pixels[b, v], CodecConfig("png")) for b in range(4) for v in range(4)]
    assert row["bits_per_object"] == sum(8 * len(f) for f in files) / 4
    assert row["channel_uses_per_object"] == sum(link.channel_uses(8 * len(f)) for f in files) / 4
    assert row["psnr"] == math.inf or row["psnr"] > 60  # PNG over a clean link is lossless


def test_deep_fade_loses_views_and_bitexact_shows_grey(context):
    row = run_cell(bitexact(channel="rayleigh-block", snr_db=-5.0), context)
    assert row["view_loss_rate"] > 0.5
    assert row["psnr"] < 15


def test_same_seed_same_row_other_seed_other_row(context):
    a = run_cell(semantic(views_sent=2, channel="rayleigh-block", snr_db=8.0), context)
    b = run_cell(semantic(views_sent=2, channel="rayleigh-block", snr_db=8.0), context)
    c = run_cell(semantic(views_sent=2, channel="rayleigh-block", snr_db=8.0, seed=1), context)
    strip = lambda r: {k: v for k, v in r.items() if k != "wall_s"}  # noqa: E731
    assert strip(a) == strip(b)
    assert strip(a) != strip(c)


def test_semantic_and_bitexact_see_the_same_fading(context):
    # at the same seed the views lost by both schemes are drawn from the same h per view: with
    # equal MCS, a view lost by the (shorter) semantic packet has a deep fade the bitexact
    # packet of the same view also sees; so bitexact loses at least as often on average
    sem = run_cell(semantic(channel="rayleigh-block", snr_db=5.0), context)
    bit = run_cell(bitexact(channel="rayleigh-block", snr_db=5.0), context)
    assert 0 < sem["view_loss_rate"] <= bit["view_loss_rate"]


def test_abstraction_and_analog_modes_run(context):
    pytest.importorskip("channels.abstraction")
    analog = run_cell(semantic(transmission="analog", link_mode=None, mcs=None), context)
    assert analog["channel_uses_per_object"] == 4 * math.ceil(D / 2)
    assert analog["ber"] is None and analog["view_loss_rate"] == 0.0


def test_capacity_bound_is_below_the_coded_link(context):
    cap = run_cell(Cell(scheme="capacity", channel="awgn", snr_db=10.0, views_sent=4, view_policy="random",
                        seed=0, codec="jpeg", quality=75), context)
    coded = run_cell(bitexact(codec="jpeg", snr_db=10.0), context)
    assert cap["channel_uses_per_object"] < coded["channel_uses_per_object"]
    assert cap["bits_per_object"] == coded["bits_per_object"]
    assert cap["capacity_bits_per_use"] == pytest.approx(math.log2(11.0))


def test_examples_are_saved_for_the_plot_grid(context, tmp_path):
    from PIL import Image

    from semcom.sweep.grid import cell_id

    context.examples_dir = str(tmp_path / "examples")
    cell = semantic(views_sent=2)
    run_cell(cell, context)
    strip = Image.open(tmp_path / "examples" / f"{cell_id(cell, context.config)}.png")
    assert strip.size == (4 * 32, 32)
    assert Image.open(tmp_path / "examples" / "true.png").size == (4 * 32, 32)


def test_missing_fill_value():
    assert MISSING_FILL == 0.5


@pytest.mark.parametrize("payload, k", [(512, 536), (100, 124), (8424, 8448), (8425, 4225), (20000, 6675)])
def test_fitted_codeword_bits_leave_almost_no_padding(payload, k):
    assert fitted_codeword_bits(payload) == k
    count = math.ceil((payload + 24) / k)
    assert 0 <= count * k - payload - 24 < count and k <= 8448


def test_link_adaptation_under_block_fading_trades_channel_uses_for_delivered_views(context):
    """auto-awgn ignores the fades; auto-outage sends more robustly; auto-csi adapts per view."""
    rows = {policy: run_cell(bitexact(channel="rayleigh-block", snr_db=15.0, mcs=policy, link_mode="abstraction"),
                             context)
            for policy in ("auto-awgn", "auto-outage", "auto-csi")}
    assert rows["auto-outage"]["view_loss_rate"] < rows["auto-awgn"]["view_loss_rate"]
    assert rows["auto-outage"]["channel_uses_per_object"] > rows["auto-awgn"]["channel_uses_per_object"]
    assert rows["auto-csi"]["view_loss_rate"] <= 0.25 and rows["auto-csi"]["mcs_used"] == "auto-csi"
    with pytest.raises(Exception, match="allowed channels: awgn, rayleigh-block"):
        run_cell(bitexact(channel="rayleigh-fast", mcs="auto-csi"), context)


def test_harq_retransmits_lost_views_and_counts_every_copy(context):
    once = run_cell(bitexact(channel="rayleigh-block", snr_db=4.0, mcs="qpsk-1/2", link_mode="abstraction"), context)
    harq = run_cell(bitexact(channel="rayleigh-block", snr_db=4.0, mcs="qpsk-1/2", link_mode="abstraction",
                             harq=4, harq_fading="new"), context)
    assert harq["view_loss_rate"] < once["view_loss_rate"]
    assert once["channel_uses_per_object"] < harq["channel_uses_per_object"] <= 4 * once["channel_uses_per_object"]


def test_harq_with_incremental_redundancy_runs_on_the_full_link(context):
    chase = run_cell(semantic(channel="rayleigh-block", snr_db=2.0, mcs="qam16-3/4", harq=2, harq_fading="new"),
                     context)
    ir = run_cell(semantic(channel="rayleigh-block", snr_db=2.0, mcs="qam16-3/4", harq=2, harq_fading="new",
                           harq_combining="ir"), context)
    assert ir["harq_combining"] == "ir" and ir["view_loss_rate"] < chase["view_loss_rate"]


def test_tdl_over_ofdm_cells_run_on_the_full_link_and_the_abstraction(context):
    """Every scheme runs over a TDL channel; at a high SNR nothing is lost, the accounting is the
    AWGN cell's (the same data symbols), and LS estimation at a low SNR loses more than perfect CSI."""
    awgn = run_cell(bitexact(snr_db=30.0, mcs="qpsk-1/2"), context)
    for mode in ("full", "abstraction"):
        row = run_cell(bitexact(channel="tdl-a", snr_db=30.0, mcs="qpsk-1/2", link_mode=mode), context)
        assert row["view_loss_rate"] == 0.0 and row["channel_uses_per_object"] == awgn["channel_uses_per_object"]
    analog = run_cell(semantic(channel="tdl-c:delay_spread_ns=300", transmission="analog", link_mode=None, mcs=None),
                      context)
    assert analog["channel_uses_per_object"] == 4 * math.ceil(D / 2)
    loss = {csi: run_cell(bitexact(channel=f"tdl-a:csi={csi}", snr_db=3.0, mcs="qpsk-1/2", link_mode="abstraction"),
                          context)["view_loss_rate"] for csi in ("perfect", "ls")}
    assert loss["ls"] > loss["perfect"]
    rows = {policy: run_cell(bitexact(channel="tdl-a", snr_db=15.0, mcs=policy, link_mode="abstraction"), context)
            for policy in ("auto-awgn", "auto-outage")}
    assert rows["auto-outage"]["view_loss_rate"] < rows["auto-awgn"]["view_loss_rate"]
    assert rows["auto-outage"]["channel_uses_per_object"] > rows["auto-awgn"]["channel_uses_per_object"]


def tiny_jscc(symbols=64):
    from semcom.models.jscc import DeepJSCC, JSCCConfig

    torch.manual_seed(0)
    return DeepJSCC(JSCCConfig(symbols=symbols, widths=(8, 8, 8), groups=4)).eval()


def jscc(**kw):
    base = dict(scheme="jscc", channel="awgn", snr_db=10.0, views_sent=4, view_policy="random", seed=0,
                jscc_symbols=64, imputer="mvld", sampler="dpmpp_2m", steps=3)
    base.update(kw)
    return Cell(**base)


def test_jscc_uses_its_symbols_per_view_times_the_views_sent(context):
    context._cache[("jscc", 64)] = tiny_jscc(64)
    for k in (1, 2, 4):
        row = run_cell(jscc(views_sent=k), context)
        assert row["channel_uses_per_object"] == 64 * k
        assert row["bandwidth_ratio"] == pytest.approx(64 * k / (4 * 3 * 32 * 32))
        assert row["view_loss_rate"] == 0.0 and row["bits_per_object"] is None
        assert (row["nfe"] > 0) == (k < 4)  # the views not sent are imputed, none when all are sent


def test_jscc_receiver_decodes_at_the_snr_each_view_arrived_with(context):
    """Block fading: the decoder is told nominal SNR + 10 log10 |h|^2 (perfect CSI), so a view in a
    deep fade is decoded as at a low SNR; the same seed gives the same row."""
    context._cache[("jscc", 64)] = tiny_jscc(64)
    a = run_cell(jscc(channel="rayleigh-block"), context)
    b = run_cell(jscc(channel="rayleigh-block"), context)
    assert a["psnr"] == b["psnr"]
    assert a["channel_uses_per_object"] == 64 * 4


def test_jscc_names_the_models_it_has_when_one_is_missing(context, tmp_path, monkeypatch):
    from semcom.errors import SemcomError

    monkeypatch.setenv("SEMCOM_MODELS", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SemcomError, match="jscc_symbols = 100 .*allowed: none trained"):
        run_cell(jscc(jscc_symbols=100), context)


def test_fid_and_kid_compare_each_cell_with_the_cached_split_features(isolated_cache):
    """The reference is the whole split's cached features, not the cell's own true views; images
    that repeat across cells (error-free bit-exact views) go through the network once."""
    from pathlib import Path

    from semcom.data import load_dataset
    from semcom.metrics.features import MemoFeatures
    from semcom.metrics.reference import ReferenceFeatures, ReferenceKey

    class Means:
        backbone, dim = "inception-v3-tf-fid", 4

        def __call__(self, images):
            return torch.cat([images.mean(dim=(2, 3)), images.std(dim=(1, 2, 3))[:, None]], dim=1)

    text = TEXT.replace("coherence = false", "coherence = false\nfid = true\nkid = true")
    ctx = SweepContext(parse_experiment(text))
    ctx._cache["dataset"] = load_dataset("mvshapes", "test", n=4, progress=False, workers=1)
    memo = MemoFeatures(Means())
    ctx._cache[("inception", "float32")] = memo
    reference = torch.rand(10, 4, 4, generator=torch.Generator().manual_seed(0))
    ctx._cache[("fid_reference", "float32")] = ReferenceFeatures(
        ReferenceKey("mvshapes", "test", 32, 10, 0), "inception-v3-tf-fid", reference, ("a", "b", "c", "d"), "", Path("x"))
    first = run_cell(bitexact(), ctx)
    computed = memo.computed
    second = run_cell(bitexact(snr_db=40.0), ctx)  # error-free again: the same 16 shown views
    assert first["fid_n_reference"] == 40 and first["fid"] == second["fid"] > 0
    assert "kid" in first and memo.computed == computed == 16
