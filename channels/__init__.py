"""The physical layer of semcom, built on Sionna 2.x (PyTorch).

Conventions (everywhere in this package):

* SNR is Es/N0 in dB per complex channel symbol; transmitted symbols have unit average energy
  and the noise is CN(0, N0) with N0 = 10^(-SNR/10).
* Bandwidth is counted in complex channel uses.
* The SNR is given per call (a float or a tensor ``[B]``, one value per sample), never fixed
  when an object is built, so an SNR sweep never rebuilds anything.
* Every random draw takes a ``torch.Generator``: same seed, same output bits.

Modules (import them directly; this file stays light so that ``import channels`` does not pay
for Sionna):

* :mod:`channels.contract`    the Channel contract: draw fading gains, capacity and bounds
* :mod:`channels.registry`    the one list of channel names (``register_channel``, ``get_channel``)
* :mod:`channels.kinds`       the built-in channels, one file each: AWGN, block / fast Rayleigh,
                              3GPP TDL-A..E over an OFDM resource grid (options in the name)
* :mod:`channels.channel`     realisations of any channel (gains + noise), apply, equalise
* :mod:`channels.spec`        names: modulations, code rates, link modes, SNR parsing
* :mod:`channels.errors`      ChannelError (the package imports nothing of semcom; its command line is ``semcom link``, :mod:`semcom.cli.link`)
* :mod:`channels.files`       cache folder and atomic writes (BLER tables)
* :mod:`channels.digital`     CRC + 5G LDPC + QAM link with exact channel-use accounting
* :mod:`channels.mcs`         MCS table (modulation x code rate)
* :mod:`channels.abstraction` SNR -> BLER tables per MCS, best-MCS selection
* :mod:`channels.effective_sinr` EESM effective SINR of a codeword over OFDM (Sionna sys.EESM)
* :mod:`channels.analog`      analog (DeepJSCC-style) link, differentiable
* :mod:`channels.limits`      capacities, outage, closed-form uncoded BER
* :mod:`channels.simulate`    Monte-Carlo BER/BLER points (stop at target errors or a cap)
* :mod:`channels.report`      SNR at a target BLER, capacity gaps, MCS envelope
* :mod:`channels.plotting`    waterfall plots with the closed forms

Typical use (one packet per view, both links seeing the same fading per view)::

    import torch
    from channels.analog import AnalogLink
    from channels.channel import draw_block_gains
    from channels.digital import DigitalLink, DigitalLinkConfig

    gen = torch.Generator().manual_seed(0)
    gains = draw_block_gains(num_views, 1, gen)                 # one h per view
    link = DigitalLink(DigitalLinkConfig("qam16", rate="2/3"))  # CRC24A, k = 512 per codeword
    out = link.transmit_packets(view_bits, "rayleigh-block", snr_db, gen, block_gains=gains)
    out.crc_ok, out.channel_uses                                # [V] bool, [V] channel uses
    z_hat, uses = AnalogLink().transmit(latents, "rayleigh-block", snr_db, gen,
        realization=AnalogLink().draw_realization("rayleigh-block", latents.shape, gen,
                                                  block_gains=gains))

A new channel is one file: see :mod:`channels.contract`.

For sweeps without decoding, :class:`channels.abstraction.AbstractLink` takes the same plan and
realisations and draws codeword failures from the BLER tables.
"""
