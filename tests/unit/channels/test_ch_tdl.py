"""3GPP TDL over OFDM: the gains against the TDL model's own statistics (frequency correlation of
the power delay profile, Rayleigh resource elements, Jakes time correlation), the mapping of a
packet onto the resource grid, LS estimation from the pilots, the effective-SINR abstraction, and
the one-line errors of bad options."""

import math

import numpy as np
import pytest
import torch
from scipy.special import j0

from channels import channel as ch
from channels import limits
from channels.abstraction import AbstractLink, link_config
from channels.digital import DigitalLink
from channels.effective_sinr import beta_table, effective_snr_db
from channels.errors import ChannelError
from channels.harq import HarqConfig
from channels.kinds.tdl import SLOT_SYMBOLS
from channels.mcs import MCS_TABLE, mcs_by_name
from channels.registry import block_channels, get_channel


def _grid(name, batch, slots=1, seed=0):
    return get_channel(name).grid_gains(batch, slots, torch.Generator().manual_seed(seed))


def test_names_and_options():
    tdl = get_channel("tdl-c:delay_spread_ns=300,doppler_hz=50,csi=ls")
    assert tdl.name == "tdl-c:delay_spread_ns=300,doppler_hz=50,csi=ls" and tdl.fading == "symbol"
    assert (tdl.config.profile, tdl.config.delay_spread_ns, tdl.config.doppler_hz, tdl.config.csi) == ("C", 300.0, 50.0, "ls")
    assert get_channel(tdl.name) is tdl  # kept under its full name
    assert get_channel("tdl-a").config.profile == "A" and "tdl-a" not in block_channels()


@pytest.mark.parametrize("name, message", [
    ("tdl-x", "unknown channel 'tdl-x'; allowed: awgn, rayleigh-block, rayleigh-fast, tdl-a, tdl-b, tdl-c"),
    ("tdl-a:doppler_hz=-5", "TDL doppler_hz must be a number >= 0, got -5.0"),
    ("tdl-a:speed=3", "unknown TDL option 'speed'; allowed: delay_spread_ns, doppler_hz, carrier_ghz"),
    ("tdl-a:csi=mmse", "unknown TDL csi 'mmse'; allowed: perfect, ls"),
    ("tdl-a:doppler_hz", "options are written key=value"),
    ("tdl-a:subcarriers=7", "TDL subcarriers must be an integer in 12..3300, got 7"),
    ("tdl-a:subcarrier_spacing_khz=20", "unknown TDL subcarrier_spacing_khz 20.0; allowed: 15.0, 30.0, 60.0, 120.0"),
    ("awgn:x=1", "channel 'awgn' takes no options"),
])
def test_bad_options_are_one_line(name, message):
    with pytest.raises(ChannelError, match=message.replace("(", r"\(")) as err:
        get_channel(name)
    assert "\n" not in str(err.value)


def test_packet_fills_the_data_resource_elements_frequency_first():
    """The gain of data symbol i is the frequency response, computed here from the model's
    impulse response, at the i-th data resource element (pilots on OFDM symbols 2 and 11)."""
    tdl = get_channel("tdl-b:doppler_hz=300")
    f = tdl.config.subcarriers
    length = 2 * tdl.data_per_slot + 5  # three slots, the last one barely used
    fading = tdl.draw_gains((3, length), torch.Generator().manual_seed(4))
    model = tdl._model
    model.generator = torch.Generator().manual_seed(4)
    a, tau = model(3, 3 * SLOT_SYMBOLS, 1.0 / tdl._grid.resource_grid.ofdm_symbol_duration)
    model.generator = None
    a = a[:, 0, 0, 0, 0].to(torch.complex128)  # [B, paths, time]
    tau = tau[:, 0, 0].double()  # [B, paths]
    freqs = tdl._grid.frequencies.double()
    response = torch.einsum("bpt,bpf->btf", a, torch.exp(-2j * math.pi * freqs[None, None] * tau[..., None]))
    data = [(slot * SLOT_SYMBOLS + s, k) for slot in range(3) for s in range(SLOT_SYMBOLS) if s not in (2, 11)
            for k in range(f)][:length]
    for i in (0, 1, f - 1, f, 5 * f + 7, tdl.data_per_slot, length - 1):
        t, k = data[i]
        assert complex(fading.h[1, i]) == pytest.approx(complex(response[1, t, k]), abs=1e-4)


@pytest.mark.parametrize("name", ["tdl-a", "tdl-c:delay_spread_ns=300"])
def test_frequency_correlation_is_that_of_the_power_delay_profile(name):
    """E[H(f) H*(f + df)] = sum_m p_m exp(+j 2 pi df tau_m) (uncorrelated taps)."""
    tdl = get_channel(name)
    h = _grid(name, 3000)[:, 0, : tdl.config.subcarriers].to(torch.complex128)  # first OFDM symbol
    spacing = tdl.config.subcarrier_spacing_khz * 1e3
    powers, delays = tdl._model.mean_powers.double(), tdl._model.delays.double()
    for shift in (1, 4, 16, 48):
        measured = (h[:, :-shift] * h[:, shift:].conj()).mean()
        theory = (powers * torch.exp(2j * math.pi * shift * spacing * delays)).sum()
        assert abs(complex(measured) - complex(theory)) < 0.06, shift


def test_nlos_resource_elements_are_rayleigh():
    """TDL-A has no line of sight: every resource element is CN(0, 1), so the ergodic capacity
    is the Rayleigh one."""
    tdl = get_channel("tdl-a")
    snr = np.array([1.0, 10.0, 100.0])
    assert tdl.capacity(snr) == pytest.approx(limits.rayleigh_ergodic_capacity(snr), rel=0.03)
    power = _grid("tdl-a", 4000)[:, 0, 40].abs() ** 2
    assert float((power < 0.1).float().mean()) == pytest.approx(1 - math.exp(-0.1), abs=0.015)  # Exp(1)


def test_time_correlation_follows_jakes():
    """E[H(t) H*(t + dt)] = J0(2 pi f_D dt) for a maximum Doppler f_D (sum of sinusoids)."""
    tdl = get_channel("tdl-a:doppler_hz=2000")
    h = _grid(tdl.name, 3000).reshape(3000, SLOT_SYMBOLS, -1)[:, :, 10]
    duration = tdl._grid.resource_grid.ofdm_symbol_duration
    for lag in (2, 6, 12):
        measured = float((h[:, :-lag] * h[:, lag:].conj()).mean().real)
        assert measured == pytest.approx(j0(2 * math.pi * 2000 * lag * duration), abs=0.06), lag


def test_ls_estimates_are_exact_without_noise_and_report_the_pilot_noise():
    real = ch.draw_realization("tdl-a:doppler_hz=0,csi=ls", (64, 3000), torch.Generator().manual_seed(1))
    h_est, error_var = real.estimate.at(80.0, 64)  # static channel: linear interpolation is exact
    assert torch.allclose(h_est, real.h, atol=1e-3)
    h_est, error_var = real.estimate.at(10.0, 64)
    assert float(error_var.mean()) == pytest.approx(0.1, rel=1e-4)  # N0 / |pilot|^2 at every pilot
    mse = float((h_est - real.h).abs().pow(2).mean())
    assert 0.4 * 0.1 < mse < 0.1  # interpolation between two pilots averages their noise


def test_pilots_and_ls_estimates_are_the_same_in_every_process():
    """Sionna's Kronecker pattern draws random pilots from its global generator; the channel
    fixes them, so the same generator seed gives the same LS estimate whatever ran before."""
    from sionna.phy import config

    base = get_channel("tdl-a:csi=ls")
    channels = []
    for seed in (11, 12):  # two other states of Sionna's global generator, a fresh channel in each
        config.seed = seed
        channels.append(type(base)(base.config))
        _ = channels[-1]._grid  # the pilots are drawn here
    first, second = (tdl._grid.pilots for tdl in channels)
    assert torch.equal(first, second) and torch.allclose(first.abs(), torch.ones(()))  # unit-modulus QPSK
    assert set(np.round(first.real.numpy() * np.sqrt(2)).tolist()) == {-1.0, 1.0}
    estimates = [tdl.draw_estimate(tdl.draw_gains((4, 600), torch.Generator().manual_seed(5)),
                                   torch.Generator().manual_seed(6)).at(5.0, 4)[0] for tdl in channels]
    assert torch.equal(*estimates)


def test_full_link_decodes_and_estimation_costs_snr():
    link = DigitalLink(link_config(mcs_by_name("qpsk-1/2"), 512))
    bits = torch.randint(0, 2, (200, 488), generator=torch.Generator().manual_seed(0)).float()
    clean = link.transmit(bits, "tdl-a", 40.0, torch.Generator().manual_seed(2))
    assert bool(clean.crc_ok.all()) and int(clean.bit_errors.sum()) == 0
    lost = {csi: int((~link.transmit(bits, f"tdl-a:csi={csi}", 6.0, torch.Generator().manual_seed(3)).crc_ok).sum())
            for csi in ("perfect", "ls")}
    assert lost["ls"] > lost["perfect"] > 0


def test_eesm_of_equal_sinrs_is_that_sinr_and_betas_follow_the_modulation():
    sinr = torch.full((2, 3, 50), 10 ** 0.7)
    for mcs in MCS_TABLE:
        assert torch.allclose(effective_snr_db(sinr, mcs), torch.full((2, 3), 7.0, dtype=torch.float64), atol=1e-9)
    betas = beta_table()
    assert len(betas) == len(MCS_TABLE) and list(betas) == sorted(betas)  # higher orders, larger beta
    spread = torch.tensor([[[1.0, 100.0]]])
    low, high = (float(effective_snr_db(spread, mcs)) for mcs in (MCS_TABLE[0], MCS_TABLE[-1]))
    assert 10 * math.log10(1.0) < low < high < 10 * math.log10(50.5)  # between the worst and the mean


def test_abstraction_maps_each_codeword_through_eesm():
    mcs = mcs_by_name("qam16-2/3")
    link = AbstractLink(mcs, 512)
    plan = link.plan(1000)
    real = DigitalLink(link.config).draw_realization("tdl-a", 4, 1000, torch.Generator().manual_seed(0),
                                                     fading_block="packet")
    eff = link.codeword_snr_db(real, 12.0, plan, 4)
    sinr = (real.h.abs().double() ** 2 * 10 ** 1.2).reshape(4, plan.num_codewords, -1)
    assert eff.shape == (4, plan.num_codewords)
    assert torch.allclose(eff, effective_snr_db(sinr, mcs))
    out = link.send(_bits(6, 1000), "tdl-a", 30.0, torch.Generator().manual_seed(0))
    assert bool(out.crc_ok.all()) and out.channel_uses.tolist() == [plan.channel_uses] * 6


def _bits(count, length):
    g = torch.Generator().manual_seed(9)
    return [torch.randint(0, 2, (length,), generator=g).float() for _ in range(count)]


def test_harq_over_tdl_counts_every_copy_and_refuses_the_same_gains():
    link = DigitalLink(link_config(mcs_by_name("qam16-3/4"), 512), harq=HarqConfig(4, "new"))
    out = link.send(_bits(40, 488), "tdl-a:csi=ls", 8.0, torch.Generator().manual_seed(1))
    per_copy = link.plan(488).channel_uses
    assert bool(((out.channel_uses % per_copy) == 0).all()) and int(out.channel_uses.max()) > per_copy
    same = DigitalLink(link_config(mcs_by_name("qam16-3/4"), 512), harq=HarqConfig(4, "same"))
    with pytest.raises(ChannelError, match="HARQ fading 'same' re-uses the block gains"):
        same.send(_bits(40, 488), "tdl-a", 8.0, torch.Generator().manual_seed(1))


@pytest.mark.parametrize("combining", ["chase", "ir"])
def test_harq_over_tdl_in_the_abstraction_adds_the_copies_per_symbol(combining):
    mcs = mcs_by_name("qam16-2/3")
    once = AbstractLink(mcs, 512).send(_bits(60, 1000), "tdl-a", 12.0, torch.Generator().manual_seed(2))
    harq = AbstractLink(mcs, 512, harq=HarqConfig(4, "new", combining)).send(
        _bits(60, 1000), "tdl-a", 12.0, torch.Generator().manual_seed(2))
    per_copy = AbstractLink(mcs, 512).plan(1000).channel_uses
    assert int((~harq.crc_ok).sum()) < int((~once.crc_ok).sum())
    assert bool((harq.channel_uses % per_copy == 0).all()) and int(harq.channel_uses.max()) > per_copy


def test_outage_adaptation_over_tdl_averages_the_effective_sinr_of_drawn_codewords():
    from channels.abstraction import BlerTable
    from channels.adaptation import effective_outage_bler, select_mcs

    table = BlerTable.load(512)
    awgn, outage = select_mcs("auto-awgn", 10.0, "tdl-a"), select_mcs("auto-outage", 10.0, "tdl-a")
    assert outage.spectral_efficiency < awgn.spectral_efficiency  # the fades cost rate
    assert effective_outage_bler(table, outage, 10.0, "tdl-a") <= 0.1 < effective_outage_bler(table, awgn, 10.0, "tdl-a")
    ls = select_mcs("auto-outage", 10.0, "tdl-a:csi=ls")
    assert ls.spectral_efficiency <= outage.spectral_efficiency  # estimation costs rate too
    more_efficient = [m for m in table.mcs if m.spectral_efficiency > outage.spectral_efficiency]
    assert all(effective_outage_bler(table, m, 10.0, "tdl-a") > 0.1 for m in more_efficient)
